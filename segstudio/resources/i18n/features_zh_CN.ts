<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Actions</name>
    <message>
        <location filename="../../features/ai_feature.py" line="29"/>
        <source>AI &amp;Polygon</source>
        <translation>AI 多边形(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="29"/>
        <source>AI Polygon</source>
        <translation>AI 多边形</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="30"/>
        <source>Click the object (Shift+click or right click: not the object, drag: a box); Enter makes a polygon</source>
        <translation>点击目标（Shift+点击或右键：非目标，拖动：画框）；按 Enter 生成多边形</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="32"/>
        <source>AI &amp;Mask</source>
        <translation>AI 掩码(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="32"/>
        <source>AI Mask</source>
        <translation>AI 掩码</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="33"/>
        <source>Click the object (Shift+click or right click: not the object, drag: a box); Enter makes a mask</source>
        <translation>点击目标（Shift+点击或右键：非目标，拖动：画框）；按 Enter 生成掩码</translation>
    </message>
    <message>
        <location filename="../../features/export_feature.py" line="67"/>
        <source>&amp;Export dataset...</source>
        <translation>导出数据集(&amp;E)...</translation>
    </message>
    <message>
        <location filename="../../features/export_feature.py" line="68"/>
        <source>Export this folder to Pascal VOC or COCO for training code</source>
        <translation>将此文件夹导出为 Pascal VOC 或 COCO 格式，供训练代码使用</translation>
    </message>
    <message>
        <location filename="../../features/export_feature.py" line="71"/>
        <source>&amp;Import...</source>
        <translation>导入(&amp;I)...</translation>
    </message>
    <message>
        <location filename="../../features/export_feature.py" line="72"/>
        <source>Import COCO, VOC or index masks as LabelMe files next to the images</source>
        <translation>将 COCO、VOC 或索引掩码导入为图像旁的 LabelMe 文件</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="122"/>
        <source>&amp;Load Checkpoint...</source>
        <translation>加载检查点(&amp;L)...</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="124"/>
        <source>Load a model trained with segcore (.pt checkpoint, or its .onnx export)</source>
        <translation>加载用 segcore 训练的模型（.pt 检查点或其导出的 .onnx）</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="125"/>
        <source>&amp;Pre-annotate This Image</source>
        <translation>预标注当前图像(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="126"/>
        <source>Pre-annotate</source>
        <translation>预标注</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="127"/>
        <source>Let the model propose shapes for this image (replaces earlier proposals)</source>
        <translation>让模型为此图像给出候选形状（替换之前的候选）</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="128"/>
        <source>Pre-annotate All &amp;Unlabelled Images</source>
        <translation>预标注所有未标注图像(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="130"/>
        <source>Write the model&apos;s proposals into every image of the folder without a person&apos;s shapes</source>
        <translation>将模型的候选写入文件夹中所有没有人工形状的图像</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="132"/>
        <source>&amp;Accept Proposals</source>
        <translation>接受候选(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="133"/>
        <source>Accept (Y)</source>
        <translation>接受 (Y)</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="134"/>
        <source>Accept the proposals at or above the confidence threshold; discard the others</source>
        <translation>接受置信度不低于阈值的候选，丢弃其余候选</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="136"/>
        <source>Show &amp;Confidence Overlay</source>
        <translation>显示置信度叠加层(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="137"/>
        <source>Overlay</source>
        <translation>叠加层</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="138"/>
        <source>Tint the image where the model is unsure</source>
        <translation>在模型不确定的区域为图像着色</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="33"/>
        <source>Box to &amp;Polygon</source>
        <translation>框选转多边形(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="33"/>
        <source>Box</source>
        <translation>框选</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="34"/>
        <source>Drag a box around an object; GrabCut outlines it (then strokes refine, Enter)</source>
        <translation>围绕目标拖出一个框，GrabCut 勾勒其轮廓（之后可用笔画细化，按 Enter 完成）</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="35"/>
        <source>Intelligent &amp;Scissors</source>
        <translation>智能剪刀(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="35"/>
        <source>Scissors</source>
        <translation>剪刀</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="36"/>
        <source>Click along an edge; the path snaps to it; close to make a polygon</source>
        <translation>沿边缘点击，路径会吸附到边缘；闭合后生成多边形</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="37"/>
        <source>Magic &amp;Wand</source>
        <translation>魔棒(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="37"/>
        <source>Wand</source>
        <translation>魔棒</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="38"/>
        <source>Click a region of similar colour (Shift adds, Ctrl removes; Enter)</source>
        <translation>点击颜色相近的区域（Shift 添加，Ctrl 移除；按 Enter 完成）</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="39"/>
        <source>&amp;Brush</source>
        <translation>画笔(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="39"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="40"/>
        <source>Paint onto the selected shape, or a new one ([ and ] change the radius)</source>
        <translation>在选中的形状或新形状上涂画（[ 和 ] 调整半径）</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="41"/>
        <source>&amp;Eraser</source>
        <translation>橡皮擦(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="41"/>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="42"/>
        <source>Erase from the selected shapes or the shape under the pointer</source>
        <translation>从选中的形状或指针下的形状中擦除</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="46"/>
        <source>Smaller Brush</source>
        <translation>缩小画笔</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="47"/>
        <source>Smaller Brush (brush and eraser)</source>
        <translation>缩小画笔（画笔和橡皮擦）</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="48"/>
        <source>Larger Brush</source>
        <translation>放大画笔</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="49"/>
        <source>Larger Brush (brush and eraser)</source>
        <translation>放大画笔（画笔和橡皮擦）</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="52"/>
        <source>&amp;Merge Selected Shapes</source>
        <translation>合并选中的形状(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="52"/>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="53"/>
        <source>Merge Selected Shapes</source>
        <translation>合并选中的形状</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="54"/>
        <source>S&amp;ubtract Upper Shape</source>
        <translation>减去上层形状(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="54"/>
        <source>Subtract</source>
        <translation>相减</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="55"/>
        <source>Subtract Upper Shape</source>
        <translation>从下层形状中减去上层形状</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="56"/>
        <source>Simp&amp;lify Selected Shapes</source>
        <translation>简化选中的形状(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="56"/>
        <source>Simplify</source>
        <translation>简化</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="57"/>
        <source>Simplify Selected Shapes</source>
        <translation>简化选中的形状</translation>
    </message>
    <message>
        <location filename="../../features/train_feature.py" line="67"/>
        <source>Train on this &amp;folder...</source>
        <translation>在此文件夹上训练(&amp;F)...</translation>
    </message>
    <message>
        <location filename="../../features/train_feature.py" line="68"/>
        <source>Train a segmentation model on the labelled images of this folder</source>
        <translation>用此文件夹中已标注的图像训练分割模型</translation>
    </message>
</context>
<context>
    <name>AiFeature</name>
    <message>
        <location filename="../../features/ai_feature.py" line="50"/>
        <source>AI tools</source>
        <translation>AI 工具</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="58"/>
        <location filename="../../features/ai_feature.py" line="111"/>
        <location filename="../../features/ai_feature.py" line="116"/>
        <location filename="../../features/ai_feature.py" line="145"/>
        <location filename="../../features/ai_feature.py" line="179"/>
        <location filename="../../features/ai_feature.py" line="188"/>
        <location filename="../../features/ai_feature.py" line="221"/>
        <source>AI Model</source>
        <translation>AI 模型</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="61"/>
        <source>Choose &amp;Model...</source>
        <translation>选择模型(&amp;M)...</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="62"/>
        <source>&amp;Download Model Weights</source>
        <translation>下载模型权重(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="63"/>
        <source>Use &amp;Local Model Files...</source>
        <translation>使用本地模型文件(&amp;L)...</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="64"/>
        <source>Download M&amp;irror...</source>
        <translation>下载镜像(&amp;I)...</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="112"/>
        <source>No promptable model is available: install osam (pip install &apos;segstudio[sam]&apos;).</source>
        <translation>没有可用的提示式模型：请安装 osam（pip install &apos;segstudio[sam]&apos;）。</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="116"/>
        <source>Model (smallest and fastest first):</source>
        <translation>模型（最小、最快的在前）：</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="120"/>
        <source>AI model: {name}</source>
        <translation>AI 模型：{name}</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="123"/>
        <source>Download Mirror</source>
        <translation>下载镜像</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="124"/>
        <source>Fetch weights from MIRROR/&lt;sha256&gt; (empty: the original address):</source>
        <translation>从 MIRROR/&lt;sha256&gt; 获取权重（留空：使用原始地址）：</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="143"/>
        <source>Download them into {folder} now, or choose the files if you downloaded them elsewhere?</source>
        <translation>现在下载到 {folder}，还是选择已在别处下载的文件？</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="147"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="148"/>
        <source>Choose Files...</source>
        <translation>选择文件...</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="173"/>
        <source>{model}: weights downloaded</source>
        <translation>{model}：权重已下载</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="183"/>
        <source>{model}: download cancelled</source>
        <translation>{model}：下载已取消</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="188"/>
        <source>Downloading {model}...</source>
        <translation>正在下载 {model}...</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="213"/>
        <source>Model files of {model} ({files})</source>
        <translation>{model} 的模型文件（{files}）</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="215"/>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="215"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../features/ai_feature.py" line="225"/>
        <source>{model}: %n file(s) installed</source>
        <translation>
            <numerusform>{model}：已安装 %n 个文件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../features/ai_feature.py" line="227"/>
        <source>, %n still missing</source>
        <translation>
            <numerusform>，仍缺少 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../features/ai_feature.py" line="233"/>
        <source>{model}: the weights are in place</source>
        <translation>{model}：权重已就绪</translation>
    </message>
</context>
<context>
    <name>AiService</name>
    <message>
        <location filename="../../features/ai_service.py" line="40"/>
        <source>{model}: its weights ({files}) are not downloaded yet</source>
        <translation>{model}：其权重（{files}）尚未下载</translation>
    </message>
    <message>
        <location filename="../../features/ai_service.py" line="173"/>
        <source>{error}: Tools &gt; AI Model &gt; Download Model Weights</source>
        <translation>{error}：工具 &gt; AI 模型 &gt; 下载模型权重</translation>
    </message>
    <message>
        <location filename="../../features/ai_service.py" line="177"/>
        <source>AI tool: {error}</source>
        <translation>AI 工具：{error}</translation>
    </message>
</context>
<context>
    <name>Config</name>
    <message>
        <location filename="../../config.py" line="37"/>
        <source>{file}: cannot read the configuration ({error})</source>
        <translation>{file}：无法读取配置（{error}）</translation>
    </message>
    <message>
        <location filename="../../config.py" line="40"/>
        <source>{file}: the configuration must be a JSON object</source>
        <translation>{file}：配置必须是一个 JSON 对象</translation>
    </message>
</context>
<context>
    <name>ExportFeature</name>
    <message>
        <location filename="../../features/export_feature.py" line="21"/>
        <source>Exported {count} images to {folder}</source>
        <translation>已导出 {count} 张图像到 {folder}</translation>
    </message>
    <message>
        <location filename="../../features/export_feature.py" line="24"/>
        <source>({count} left out)</source>
        <translation>（{count} 张未导出）</translation>
    </message>
    <message>
        <location filename="../../features/export_feature.py" line="51"/>
        <source>Imported {count} label files into {folder}</source>
        <translation>已导入 {count} 个标注文件到 {folder}</translation>
    </message>
</context>
<context>
    <name>ModelFeature</name>
    <message>
        <location filename="../../features/model_feature.py" line="49"/>
        <source>Pre-annotate</source>
        <translation>预标注</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="69"/>
        <source>Accept {count} proposals</source>
        <translation>接受 {count} 个候选</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="146"/>
        <location filename="../../features/model_feature.py" line="269"/>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="164"/>
        <source>&amp;Engine</source>
        <translation>推理引擎(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="170"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="174"/>
        <source>Auto: ONNX Runtime when installed (the checkpoint is exported once), else PyTorch</source>
        <translation>自动：已安装 ONNX Runtime 时使用它（检查点只导出一次），否则使用 PyTorch</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="243"/>
        <source>Load checkpoint</source>
        <translation>加载检查点</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="244"/>
        <source>Models (*.pt *.pth *.onnx)</source>
        <translation>模型 (*.pt *.pth *.onnx)</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="244"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="251"/>
        <source>Cannot load the checkpoint: {error}</source>
        <translation>无法加载检查点：{error}</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="263"/>
        <source>Pre-annotation model not reloaded: {error}</source>
        <translation>未能重新加载预标注模型：{error}</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="270"/>
        <source>Model: {name} | {details}</source>
        <translation>模型：{name} | {details}</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="277"/>
        <source>Loading {name}...</source>
        <translation>正在加载 {name}...</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="285"/>
        <source>Loaded {name}</source>
        <translation>已加载 {name}</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="315"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="322"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="324"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="367"/>
        <source>Load a checkpoint and open an image first</source>
        <translation>请先加载检查点并打开图像</translation>
    </message>
    <message numerus="yes">
        <location filename="../../features/model_feature.py" line="380"/>
        <source>%n proposals ({shown} at or above {threshold}); {key} accepts them</source>
        <translation>
            <numerusform>%n 个候选（{shown} 个不低于 {threshold}）；按 {key} 接受</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="384"/>
        <source>Pre-annotating {name}...</source>
        <translation>正在预标注 {name}...</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="389"/>
        <source>Load a checkpoint first</source>
        <translation>请先加载检查点</translation>
    </message>
    <message numerus="yes">
        <location filename="../../features/model_feature.py" line="399"/>
        <source>Pre-annotated %n images ({proposals} proposals)</source>
        <translation>
            <numerusform>已预标注 %n 张图像（{proposals} 个候选）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../features/model_feature.py" line="402"/>
        <source>%n failed:</source>
        <translation>
            <numerusform>%n 个失败：</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="411"/>
        <source>Pre-annotating unlabelled images...</source>
        <translation>正在预标注未标注的图像...</translation>
    </message>
    <message>
        <location filename="../../features/model_feature.py" line="421"/>
        <source>Accepted {accepted} proposals, discarded {discarded} below {threshold} (Ctrl+Z undoes)</source>
        <translation>已接受 {accepted} 个候选，丢弃 {discarded} 个低于 {threshold} 的候选（Ctrl+Z 撤销）</translation>
    </message>
</context>
<context>
    <name>ModelToolbar</name>
    <message>
        <location filename="../../features/model_toolbar.py" line="29"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../features/model_toolbar.py" line="32"/>
        <source>Min. conf.</source>
        <translation>最低置信度</translation>
    </message>
    <message>
        <location filename="../../features/model_toolbar.py" line="33"/>
        <source>Minimum confidence of the proposals shown and accepted</source>
        <translation>显示和接受的候选的最低置信度</translation>
    </message>
    <message>
        <location filename="../../features/model_toolbar.py" line="41"/>
        <source>Hide proposals whose confidence is below this</source>
        <translation>隐藏置信度低于此值的候选</translation>
    </message>
</context>
<context>
    <name>SmartToolsFeature</name>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="110"/>
        <source>Smart tools</source>
        <translation>智能工具</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="176"/>
        <source>Tolerance</source>
        <translation>容差</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="181"/>
        <source>Magic wand: largest per-channel colour difference from the clicked pixel</source>
        <translation>魔棒：与所点击像素在每个通道上允许的最大颜色差</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="184"/>
        <source>8-connected</source>
        <translation>8 邻域</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="185"/>
        <source>Magic wand: diagonal neighbours join the region too</source>
        <translation>魔棒：对角相邻的像素也并入区域</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="190"/>
        <source>Radius</source>
        <translation>半径</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="195"/>
        <source>Brush and eraser radius in image pixels ([ and ] shrink and grow it)</source>
        <translation>画笔和橡皮擦的半径，单位为图像像素（[ 和 ] 缩小和放大）</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="198"/>
        <source>Min. part</source>
        <translation>最小部分</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="204"/>
        <source>Smart tools drop parts of their result smaller than this many square pixels (the largest part always stays; the eraser drops every small scrap)</source>
        <translation>智能工具会丢弃结果中小于此面积（平方像素）的部分（最大的部分始终保留；橡皮擦会丢弃所有小碎片）</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="97"/>
        <location filename="../../features/smart_tools_feature.py" line="209"/>
        <source>Simplify</source>
        <translation>简化</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="71"/>
        <source>select two or more area shapes of one label to merge</source>
        <translation>请选择同一标签的两个或更多面状形状来合并</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="73"/>
        <source>Merge shapes</source>
        <translation>合并形状</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="81"/>
        <source>select exactly two area shapes: the upper one is cut out of the lower one</source>
        <translation>请恰好选择两个面状形状：上层形状将从下层形状中减去</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="84"/>
        <source>Subtract shape</source>
        <translation>减去形状</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="92"/>
        <source>select the area shapes to simplify</source>
        <translation>请选择要简化的面状形状</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="93"/>
        <source>Simplify shapes</source>
        <translation>简化形状</translation>
    </message>
    <message>
        <location filename="../../features/smart_tools_feature.py" line="215"/>
        <source>Simplify tolerance (0.1 to 10 px)</source>
        <translation>简化容差（0.1 到 10 像素）</translation>
    </message>
</context>
<context>
    <name>TrainFeature</name>
    <message>
        <location filename="../../features/train_feature.py" line="43"/>
        <source>Model saved as the pre-annotation model: {path}</source>
        <translation>模型已设为预标注模型：{path}</translation>
    </message>
    <message>
        <location filename="../../features/train_feature.py" line="54"/>
        <source>Folder to train on</source>
        <translation>选择训练用的文件夹</translation>
    </message>
</context>
</TS>

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BrightnessContrastDialog</name>
    <message>
        <location filename="../../dialogs/brightness_contrast.py" line="17"/>
        <source>Brightness / Contrast</source>
        <translation>亮度 / 对比度</translation>
    </message>
    <message>
        <location filename="../../dialogs/brightness_contrast.py" line="27"/>
        <source>Brightness</source>
        <translation>亮度</translation>
    </message>
    <message>
        <location filename="../../dialogs/brightness_contrast.py" line="28"/>
        <source>Contrast</source>
        <translation>对比度</translation>
    </message>
    <message>
        <location filename="../../dialogs/brightness_contrast.py" line="51"/>
        <source>brightness {brightness}, contrast {contrast} (display only)</source>
        <translation>亮度 {brightness}，对比度 {contrast}（仅影响显示）</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="17"/>
        <source>Pascal VOC segmentation (PNG masks)</source>
        <translation>Pascal VOC 分割（PNG 掩码）</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="18"/>
        <source>COCO instances (JSON)</source>
        <translation>COCO 实例（JSON）</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="19"/>
        <source>YOLO segmentation (Ultralytics)</source>
        <translation>YOLO 分割（Ultralytics）</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="20"/>
        <source>Index-mask PNGs (flat folders)</source>
        <translation>索引掩码 PNG（平铺文件夹）</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="26"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="30"/>
        <source>Export dataset</source>
        <translation>导出数据集</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="38"/>
        <source>Labelled folder</source>
        <translation>已标注文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="42"/>
        <source>Class list (labels.txt)</source>
        <translation>类别列表（labels.txt）</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="42"/>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="43"/>
        <source>empty: the labels used, in natural order</source>
        <translation>留空：使用已用到的标签，按自然顺序</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="50"/>
        <source>Split by the image flags train / val / test</source>
        <translation>按图像标记 train / val / test 划分</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="52"/>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="53"/>
        <source>Also write overlay images to look at (VOC)</source>
        <translation>同时写出便于查看的叠加图（VOC）</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="54"/>
        <source>Also write colour PNGs (index masks)</source>
        <translation>同时写出彩色 PNG（索引掩码）</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="56"/>
        <source>Replace the export in a non-empty output folder, once the new one is complete (other files there are kept)</source>
        <translation>新导出完成后替换非空输出文件夹中的旧导出（其中的其他文件保留）</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="58"/>
        <source>Strict: any problem stops the export before anything is written</source>
        <translation>严格模式：出现任何问题都在写入前停止导出</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="60"/>
        <source>Folder:</source>
        <translation>文件夹：</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="61"/>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="62"/>
        <source>Classes:</source>
        <translation>类别：</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="63"/>
        <source>Validation share:</source>
        <translation>验证集比例：</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="64"/>
        <source>Split seed:</source>
        <translation>划分随机种子：</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="66"/>
        <source>Output folder:</source>
        <translation>输出文件夹：</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="81"/>
        <source>Done: {images} of {labelled} labelled images exported; {left_out} left out (see the problems below).</source>
        <translation>完成：已导出 {labelled} 张已标注图像中的 {images} 张；{left_out} 张未导出（见下方问题）。</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="87"/>
        <source>Cancelled: nothing was written; the output folder is as it was.</source>
        <translation>已取消：未写入任何内容，输出文件夹保持原样。</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="90"/>
        <source>labelled folder</source>
        <translation>已标注文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="91"/>
        <source>output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="93"/>
        <source>the output folder must not be the labelled folder</source>
        <translation>输出文件夹不能是已标注文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/export_dialog.py" line="96"/>
        <source>class list {path} does not exist</source>
        <translation>类别列表 {path} 不存在</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="15"/>
        <location filename="../../dialogs/import_dialog.py" line="37"/>
        <source>COCO instances JSON</source>
        <translation>COCO 实例 JSON</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="16"/>
        <source>Pascal VOC folder (SegmentationClass / SegmentationObject)</source>
        <translation>Pascal VOC 文件夹（SegmentationClass / SegmentationObject）</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="17"/>
        <source>Folder of index-mask PNGs + class list</source>
        <translation>索引掩码 PNG 文件夹 + 类别列表</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="18"/>
        <source>YOLO dataset (segmentation or detection)</source>
        <translation>YOLO 数据集（分割或检测）</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="19"/>
        <source>CVAT for images 1.1 XML</source>
        <translation>CVAT for images 1.1 XML</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="26"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="30"/>
        <source>Import annotations</source>
        <translation>导入标注</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="37"/>
        <source>JSON (*.json);;All files (*)</source>
        <translation>JSON (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="38"/>
        <source>Images folder</source>
        <translation>图像文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="39"/>
        <location filename="../../dialogs/import_dialog.py" line="96"/>
        <location filename="../../dialogs/import_dialog.py" line="118"/>
        <source>VOC folder</source>
        <translation>VOC 文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="40"/>
        <source>Index masks folder</source>
        <translation>索引掩码文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="41"/>
        <location filename="../../dialogs/import_dialog.py" line="98"/>
        <source>YOLO dataset folder</source>
        <translation>YOLO 数据集文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="42"/>
        <source>CVAT annotations XML</source>
        <translation>CVAT 标注 XML</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="42"/>
        <source>XML (*.xml);;All files (*)</source>
        <translation>XML (*.xml);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="43"/>
        <source>Class list</source>
        <translation>类别列表</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="43"/>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="44"/>
        <source>one name a line; index = pixel value</source>
        <translation>每行一个名称；序号 = 像素值</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="45"/>
        <source>Pixel value meaning ignore:</source>
        <translation>表示忽略的像素值：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="53"/>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="54"/>
        <source>Polygon simplification; 0 keeps every pixel (lossless)</source>
        <translation>多边形简化容差；0 保留每个像素（无损）</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="55"/>
        <source>Replace existing LabelMe files</source>
        <translation>替换已有的 LabelMe 文件</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="57"/>
        <source>Import:</source>
        <translation>导入：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="58"/>
        <source>COCO JSON:</source>
        <translation>COCO JSON：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="59"/>
        <source>Images folder:</source>
        <translation>图像文件夹：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="60"/>
        <source>VOC folder:</source>
        <translation>VOC 文件夹：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="61"/>
        <source>Masks folder:</source>
        <translation>掩码文件夹：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="62"/>
        <source>YOLO dataset:</source>
        <translation>YOLO 数据集：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="63"/>
        <source>CVAT XML:</source>
        <translation>CVAT XML：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="64"/>
        <source>Class list:</source>
        <translation>类别列表：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="66"/>
        <source>Tolerance:</source>
        <translation>容差：</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="86"/>
        <source>Done: {counts}.</source>
        <translation>完成：{counts}。</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="88"/>
        <source>Not everything was imported: {counts}. The problems are listed below.</source>
        <translation>未能全部导入：{counts}。问题列在下方。</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="99"/>
        <location filename="../../dialogs/import_dialog.py" line="109"/>
        <location filename="../../dialogs/import_dialog.py" line="112"/>
        <location filename="../../dialogs/import_dialog.py" line="121"/>
        <source>images folder</source>
        <translation>图像文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="108"/>
        <source>COCO JSON file</source>
        <translation>COCO JSON 文件</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="111"/>
        <source>CVAT XML file</source>
        <translation>CVAT XML 文件</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="119"/>
        <source>class list</source>
        <translation>类别列表</translation>
    </message>
    <message>
        <location filename="../../dialogs/import_dialog.py" line="121"/>
        <source>masks folder</source>
        <translation>掩码文件夹</translation>
    </message>
</context>
<context>
    <name>JobDialog</name>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="65"/>
        <source>checking</source>
        <translation>正在检查</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="65"/>
        <source>import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="66"/>
        <source>VOC export</source>
        <translation>VOC 导出</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="66"/>
        <source>COCO export</source>
        <translation>COCO 导出</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="67"/>
        <source>YOLO export</source>
        <translation>YOLO 导出</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="67"/>
        <source>masks export</source>
        <translation>掩码导出</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="74"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="91"/>
        <source>The summary appears here: images, instances per class, problems.</source>
        <translation>摘要将显示在这里：图像数、各类别实例数、问题。</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="94"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="95"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="132"/>
        <source>Starting...</source>
        <translation>正在启动...</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="142"/>
        <source>Cancelling...</source>
        <translation>正在取消...</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="167"/>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="185"/>
        <source>Cancelled. Files written so far were kept; nothing else was touched.</source>
        <translation>已取消。已写入的文件保留，其他内容未作改动。</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="189"/>
        <source>Failed: {problem}</source>
        <translation>失败：{problem}</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="204"/>
        <source>choose the {what}</source>
        <translation>请选择{what}</translation>
    </message>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="207"/>
        <source>{what} {path} does not exist</source>
        <translation>{what} {path} 不存在</translation>
    </message>
</context>
<context>
    <name>JobProgress</name>
    <message>
        <location filename="../../dialogs/job_progress.py" line="19"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>LabelDialog</name>
    <message>
        <location filename="../../dialogs/label_dialog.py" line="87"/>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../dialogs/label_dialog.py" line="92"/>
        <source>Enter object label</source>
        <translation>输入目标标签</translation>
    </message>
    <message>
        <location filename="../../dialogs/label_dialog.py" line="94"/>
        <source>Group ID</source>
        <translation>组 ID</translation>
    </message>
    <message>
        <location filename="../../dialogs/label_dialog.py" line="98"/>
        <source>Label description</source>
        <translation>标签描述</translation>
    </message>
    <message>
        <location filename="../../dialogs/label_dialog.py" line="200"/>
        <source>The label must not be empty.</source>
        <translation>标签不能为空。</translation>
    </message>
    <message>
        <location filename="../../dialogs/label_dialog.py" line="202"/>
        <source>&apos;{label}&apos; is not in the labels file.</source>
        <translation>“{label}”不在标签文件中。</translation>
    </message>
</context>
<context>
    <name>PathField</name>
    <message>
        <location filename="../../dialogs/job_dialog.py" line="41"/>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <location filename="../../dialogs/shortcuts.py" line="78"/>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location filename="../../dialogs/shortcuts.py" line="81"/>
        <source>Canvas</source>
        <translation>画布</translation>
    </message>
    <message>
        <location filename="../../dialogs/shortcuts.py" line="84"/>
        <source>{tool} tool</source>
        <translation>{tool}工具</translation>
    </message>
    <message>
        <location filename="../../dialogs/shortcuts.py" line="94"/>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location filename="../../dialogs/shortcuts.py" line="98"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../../dialogs/shortcuts.py" line="99"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../dialogs/shortcuts.py" line="100"/>
        <source>Where</source>
        <translation>位置</translation>
    </message>
</context>
<context>
    <name>TrainDialog</name>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="48"/>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="49"/>
        <source>time budget used</source>
        <translation>时间预算已用完</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="50"/>
        <source>early stopping</source>
        <translation>早停</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="51"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="60"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="64"/>
        <source>GPU {index}: {name}</source>
        <translation>GPU {index}：{name}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="67"/>
        <source>Apple GPU (MPS)</source>
        <translation>Apple GPU（MPS）</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="85"/>
        <source>ETA -</source>
        <translation>剩余时间 -</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="87"/>
        <source>ETA {time}</source>
        <translation>剩余时间 {time}</translation>
    </message>
    <message>
        <location filename="../../../segcore/training/report.py" line="89"/>
        <source>best val mIoU - (no validation yet)</source>
        <translation>最佳验证 mIoU -（尚未验证）</translation>
    </message>
    <message>
        <location filename="../../../segcore/training/report.py" line="90"/>
        <source>best val mIoU {miou}% (epoch {epoch})</source>
        <translation>最佳验证 mIoU {miou}%（第 {epoch} 轮）</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="68"/>
        <source>CPU (slow: short runs, small images)</source>
        <translation>CPU（较慢：宜短时间、小图像）</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="110"/>
        <source>Train on {folder}</source>
        <translation>在 {folder} 上训练</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="132"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="137"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="141"/>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="142"/>
        <source>epochs</source>
        <translation>轮</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="148"/>
        <source>Time budget</source>
        <translation>时间预算</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="151"/>
        <source>images with a longer side are shrunk to it; smaller ones keep their size</source>
        <translation>长边超过此值的图像会缩小到此值；较小的图像保持原尺寸</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="152"/>
        <source>Image size</source>
        <translation>图像尺寸</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="154"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="155"/>
        <source>Auto: {cpu} on the CPU, {gpu} on a GPU</source>
        <translation>自动：CPU 上为 {cpu}，GPU 上为 {gpu}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="157"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="164"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="169"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="171"/>
        <source>Reading the folder...</source>
        <translation>正在读取文件夹...</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="188"/>
        <source>validation mIoU of the best checkpoint (best.pt), as in the run&apos;s report.md</source>
        <translation>最佳检查点（best.pt）的验证 mIoU，与本次训练的 report.md 一致</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="194"/>
        <source>Ready.</source>
        <translation>就绪。</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="199"/>
        <source>training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="200"/>
        <location filename="../../dialogs/train_dialog.py" line="203"/>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="202"/>
        <source>validation mIoU (%)</source>
        <translation>验证 mIoU (%)</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="211"/>
        <source>class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="211"/>
        <source>IoU (%)</source>
        <translation>IoU (%)</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="220"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="222"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="224"/>
        <source>Use as pre-annotation model</source>
        <translation>用作预标注模型</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="226"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="236"/>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="244"/>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="245"/>
        <source>Choose the folder the run writes best.pt, last.pt and report.md into</source>
        <translation>选择本次训练写入 best.pt、last.pt 和 report.md 的文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="260"/>
        <source>Output folder for the run</source>
        <translation>本次训练的输出文件夹</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="281"/>
        <source>Warning: {message}</source>
        <translation>警告：{message}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="283"/>
        <source>Failed: {message}</source>
        <translation>失败：{message}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="292"/>
        <source>Cannot read the folder: {error}</source>
        <translation>无法读取文件夹：{error}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="296"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="299"/>
        <source>{labelled} labelled images, {to_review} with only proposals to review, {unlabelled} without labels.</source>
        <translation>{labelled} 张已标注图像，其中 {to_review} 张只有待审核的模型建议，{unlabelled} 张未标注。</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="302"/>
        <source>{labelled} labelled images, {unlabelled} without labels.</source>
        <translation>{labelled} 张已标注图像，{unlabelled} 张未标注。</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="305"/>
        <source>Classes (instances): {classes}</source>
        <translation>类别（实例数）：{classes}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="306"/>
        <source>Image sizes: {sizes}</source>
        <translation>图像尺寸：{sizes}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="311"/>
        <source>Nothing to train on: label some shapes first.</source>
        <translation>没有可训练的数据：请先标注一些形状。</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="353"/>
        <source>Choose an output folder for the run (Browse...).</source>
        <translation>请为本次训练选择输出文件夹（浏览...）。</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="366"/>
        <source>Cannot start: {error}</source>
        <translation>无法启动：{error}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="370"/>
        <source>Starting {model} (loading data, rasterising labels)...</source>
        <translation>正在启动 {model}（加载数据、栅格化标注）...</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="374"/>
        <source>Stopping after the current step (the best model is kept)...</source>
        <translation>将在当前步骤后停止（保留最佳模型）...</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="388"/>
        <source>Downloading ImageNet backbone weights ({what}): {done}</source>
        <translation>正在下载 ImageNet 主干网络权重（{what}）：{done}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="399"/>
        <source>Training {model} on {device}: {train} training / {val} validation images.</source>
        <translation>正在 {device} 上训练 {model}：{train} 张训练图像 / {val} 张验证图像。</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="430"/>
        <source>Epoch {epoch}: loss {loss} (not validated this epoch); {best}</source>
        <translation>第 {epoch} 轮：损失 {loss}（本轮未验证）；{best}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="433"/>
        <source>Epoch {epoch}: loss {loss}, val mIoU {miou}; {best}</source>
        <translation>第 {epoch} 轮：损失 {loss}，验证 mIoU {miou}；{best}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="442"/>
        <source>Finished ({reason}): {best}; model: {model}</source>
        <translation>训练结束（{reason}）：{best}；模型：{model}</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_dialog.py" line="457"/>
        <source>{model} is now the pre-annotation model.</source>
        <translation>{model} 现在是预标注模型。</translation>
    </message>
</context>
<context>
    <name>TrainOptions</name>
    <message>
        <location filename="../../dialogs/train_options.py" line="27"/>
        <source>cross-entropy</source>
        <translation>交叉熵</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="28"/>
        <source>cross-entropy + Dice</source>
        <translation>交叉熵 + Dice</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="29"/>
        <source>cross-entropy + focal</source>
        <translation>交叉熵 + Focal</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="30"/>
        <source>cross-entropy + Tversky</source>
        <translation>交叉熵 + Tversky</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="31"/>
        <source>ImageNet (downloaded once)</source>
        <translation>ImageNet（仅下载一次）</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="32"/>
        <source>none (random weights)</source>
        <translation>无（随机权重）</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="33"/>
        <source>from a file...</source>
        <translation>从文件...</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="35"/>
        <source>sqrt</source>
        <translation>平方根</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="36"/>
        <source>median</source>
        <translation>中位频率</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="37"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="51"/>
        <source>More options</source>
        <translation>更多选项</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="54"/>
        <source>continue the run in the output folder (resume)</source>
        <translation>继续输出文件夹中的训练（断点续训）</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="55"/>
        <source>Resume</source>
        <translation>续训</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="56"/>
        <source>continue from the current model</source>
        <translation>从当前模型继续训练</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="59"/>
        <source>load a model (Model menu) to fine-tune it</source>
        <translation>先加载一个模型（模型菜单）才能微调</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="60"/>
        <source>Start from</source>
        <translation>起点</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="62"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="63"/>
        <source>stop after this many epochs without a better validation mIoU</source>
        <translation>验证 mIoU 连续这么多轮没有提升就停止</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="64"/>
        <source>Early stopping</source>
        <translation>早停</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="69"/>
        <source>Loss</source>
        <translation>损失函数</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="74"/>
        <source>how much rare classes weigh in the loss: median-frequency weights (median), their square root (sqrt) or none</source>
        <translation>稀有类别在损失中的权重：中位频率权重（median）、其平方根（sqrt）或无（none）</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="76"/>
        <source>Class weights</source>
        <translation>类别权重</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="85"/>
        <source>torchvision state dict (.pth)</source>
        <translation>torchvision 状态字典（.pth）</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="86"/>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="80"/>
        <source>Backbone weights</source>
        <translation>主干网络权重</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="100"/>
        <source>Backbone weights (torchvision state dict)</source>
        <translation>主干网络权重（torchvision 状态字典）</translation>
    </message>
    <message>
        <location filename="../../dialogs/train_options.py" line="101"/>
        <source>PyTorch weights (*.pth *.pt)</source>
        <translation>PyTorch 权重 (*.pth *.pt)</translation>
    </message>
</context>
<context>
    <name>TrainingNotices</name>
    <message>
        <location filename="../../../segcore/training/data.py" line="327"/>
        <source>no labelled images: label some images first</source>
        <translation>没有已标注的图像：请先标注一些图像</translation>
    </message>
    <message>
        <location filename="../../../segcore/training/data.py" line="329"/>
        <source>only {labelled} labelled images: a model trained on fewer than {min_images} is weak (it can still help pre-annotate)</source>
        <translation>只有 {labelled} 张已标注的图像：用少于 {min_images} 张图像训练的模型较弱（仍可用于辅助预标注）</translation>
    </message>
    <message>
        <location filename="../../../segcore/training/data.py" line="333"/>
        <source>no labelled shapes: only the background class</source>
        <translation>没有已标注的形状：只有背景类</translation>
    </message>
    <message>
        <location filename="../../../segcore/training/data.py" line="336"/>
        <source>class &apos;{name}&apos; has only {instances} instance(s): label at least {min_instances}</source>
        <translation>类别“{name}”只有 {instances} 个实例：请至少标注 {min_instances} 个</translation>
    </message>
    <message>
        <location filename="../../../segcore/training/data.py" line="340"/>
        <source>{count} images hold only unreviewed model proposals and will not be used: accept or edit the proposals to use them</source>
        <translation>{count} 张图像只有未审核的模型提议，不会被使用：接受或编辑这些提议后即可使用</translation>
    </message>
    <message>
        <location filename="../../../segcore/training/data.py" line="344"/>
        <source>{count} images have no annotation and will not be used</source>
        <translation>{count} 张图像没有标注，不会被使用</translation>
    </message>
    <message>
        <location filename="../../../segcore/training/data.py" line="347"/>
        <source>images of {count} different sizes: larger ones are shrunk to the chosen image size, none is enlarged</source>
        <translation>图像有 {count} 种不同尺寸：较大的图像缩小到所选的图像尺寸，不放大任何图像</translation>
    </message>
</context>
<context>
    <name>TrainingProcess</name>
    <message>
        <location filename="../../training_process.py" line="75"/>
        <source>a training is already running</source>
        <translation>已有训练正在运行</translation>
    </message>
    <message>
        <location filename="../../training_process.py" line="147"/>
        <source>training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <location filename="../../training_process.py" line="155"/>
        <source>could not start {python}: {error}</source>
        <translation>无法启动 {python}：{error}</translation>
    </message>
    <message>
        <location filename="../../training_process.py" line="164"/>
        <source>training stopped with exit code {code}:</source>
        <translation>训练异常结束，退出码 {code}：</translation>
    </message>
</context>
</TS>

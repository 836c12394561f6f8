<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Actions</name>
    <message>
        <location filename="../../actions.py" line="42"/>
        <source>&amp;Open...</source>
        <translation>打开(&amp;O)...</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="42"/>
        <source>Open an image or label file</source>
        <translation>打开图像或标注文件</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="43"/>
        <source>Open &amp;Dir...</source>
        <translation>打开目录(&amp;D)...</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="43"/>
        <source>Open a folder of images (recursive)</source>
        <translation>打开图像文件夹（含子文件夹）</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="44"/>
        <source>&amp;Next Image</source>
        <translation>下一张(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="44"/>
        <source>Open the next image</source>
        <translation>打开下一张图像</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="45"/>
        <source>&amp;Prev Image</source>
        <translation>上一张(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="45"/>
        <source>Open the previous image</source>
        <translation>打开上一张图像</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="46"/>
        <source>Next Image &amp;Keeping Shapes</source>
        <translation>下一张并保留形状(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="47"/>
        <source>Open the next image and copy the current shapes onto it if it has none</source>
        <translation>打开下一张图像；若其没有形状，则复制当前形状过去</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="48"/>
        <source>Prev Image K&amp;eeping Shapes</source>
        <translation>上一张并保留形状(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="49"/>
        <source>Open the previous image and copy the current shapes onto it if it has none</source>
        <translation>打开上一张图像；若其没有形状，则复制当前形状过去</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="50"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="50"/>
        <source>Save the label file now</source>
        <translation>立即保存标注文件</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="51"/>
        <source>Save &amp;As...</source>
        <translation>另存为(&amp;A)...</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="51"/>
        <source>Save the labels to another file</source>
        <translation>将标注保存到另一个文件</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="52"/>
        <source>Save &amp;Automatically</source>
        <translation>自动保存(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="53"/>
        <source>Save after every edit (atomic, in the background)</source>
        <translation>每次编辑后自动保存（原子写入，后台进行）</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="54"/>
        <source>&amp;Keep Previous Annotation</source>
        <translation>保留上一张标注(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="55"/>
        <source>An image without shapes gets the previous image&apos;s shapes</source>
        <translation>没有形状的图像沿用上一张图像的形状</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="56"/>
        <source>&amp;Delete Label File</source>
        <translation>删除标注文件(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="57"/>
        <source>Delete this image&apos;s label file (never the image)</source>
        <translation>删除此图像的标注文件（不会删除图像）</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="58"/>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="58"/>
        <source>Close the current image</source>
        <translation>关闭当前图像</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="59"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="59"/>
        <source>Quit (pending saves are written first)</source>
        <translation>退出（先写入待保存的内容）</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="60"/>
        <source>Create &amp;Polygons</source>
        <translation>创建多边形(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="60"/>
        <source>Draw polygons</source>
        <translation>绘制多边形</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="61"/>
        <source>Create R&amp;ectangle</source>
        <translation>创建矩形(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="61"/>
        <source>Draw rectangles</source>
        <translation>绘制矩形</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="62"/>
        <source>Create &amp;Circle</source>
        <translation>创建圆形(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="62"/>
        <source>Draw circles</source>
        <translation>绘制圆形</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="63"/>
        <source>Create &amp;Line</source>
        <translation>创建线段(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="63"/>
        <source>Draw lines</source>
        <translation>绘制线段</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="64"/>
        <source>Create Li&amp;neStrip</source>
        <translation>创建折线(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="64"/>
        <source>Draw line strips</source>
        <translation>绘制折线</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="65"/>
        <source>Create P&amp;oint</source>
        <translation>创建点(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="65"/>
        <source>Draw points</source>
        <translation>绘制点</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="66"/>
        <source>&amp;Edit Polygons</source>
        <translation>编辑多边形(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="66"/>
        <source>Select, move and edit shapes</source>
        <translation>选择、移动和编辑形状</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="67"/>
        <source>Edit &amp;Label</source>
        <translation>编辑标签(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="67"/>
        <source>Change the label of the selected shapes</source>
        <translation>修改所选形状的标签</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="68"/>
        <source>D&amp;uplicate Polygons</source>
        <translation>创建副本(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="68"/>
        <source>Duplicate the selected shapes</source>
        <translation>为所选形状创建副本</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="69"/>
        <source>&amp;Copy Polygons</source>
        <translation>复制多边形(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="69"/>
        <source>Copy the selected shapes</source>
        <translation>复制所选形状</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="70"/>
        <source>&amp;Paste Polygons</source>
        <translation>粘贴多边形(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="70"/>
        <source>Paste shapes (also from another image)</source>
        <translation>粘贴形状（也可来自另一张图像）</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="71"/>
        <source>&amp;Delete Polygons</source>
        <translation>删除多边形(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="71"/>
        <source>Delete the selected shapes</source>
        <translation>删除所选形状</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="72"/>
        <source>Select &amp;All</source>
        <translation>全选(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="72"/>
        <source>Select every shape</source>
        <translation>选择所有形状</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="73"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="73"/>
        <source>Undo the last edit</source>
        <translation>撤销上一步编辑</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="74"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="74"/>
        <source>Redo the undone edit</source>
        <translation>重做已撤销的编辑</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="75"/>
        <source>&amp;Toggle All Shapes</source>
        <translation>显示/隐藏所有形状(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="75"/>
        <source>Hide or show every shape</source>
        <translation>隐藏或显示所有形状</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="76"/>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="76"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="77"/>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="77"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="78"/>
        <source>&amp;Original Size</source>
        <translation>原始大小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="78"/>
        <source>Zoom to 100%</source>
        <translation>缩放到 100%</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="79"/>
        <source>&amp;Fit Window</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="79"/>
        <source>Zoom to fit the window</source>
        <translation>缩放以适应窗口</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="80"/>
        <source>Fit &amp;Width</source>
        <translation>适应宽度(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="80"/>
        <source>Zoom to fit the width</source>
        <translation>缩放以适应宽度</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="81"/>
        <source>&amp;Brightness/Contrast...</source>
        <translation>亮度/对比度(&amp;B)...</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="82"/>
        <source>Change brightness and contrast for display only</source>
        <translation>调整亮度和对比度（仅影响显示）</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="83"/>
        <source>&amp;Crosshair</source>
        <translation>十字准线(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="83"/>
        <source>Show a crosshair at the cursor</source>
        <translation>在光标处显示十字准线</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="84"/>
        <source>&amp;Shortcuts</source>
        <translation>快捷键(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="84"/>
        <source>List every shortcut</source>
        <translation>列出所有快捷键</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="85"/>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="85"/>
        <source>About this application</source>
        <translation>关于本程序</translation>
    </message>
</context>
<context>
    <name>CanvasKeys</name>
    <message>
        <location filename="../../actions.py" line="90"/>
        <source>Click</source>
        <translation>单击</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="90"/>
        <source>Add a vertex / select a shape</source>
        <translation>添加顶点 / 选择形状</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="91"/>
        <source>Click first vertex, Enter</source>
        <translation>单击第一个顶点、回车</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="91"/>
        <source>Close the polygon being drawn</source>
        <translation>闭合正在绘制的多边形</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="92"/>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="92"/>
        <source>Cancel the shape being drawn</source>
        <translation>取消正在绘制的形状</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="93"/>
        <source>Backspace</source>
        <translation>退格</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="93"/>
        <source>Remove the last vertex while drawing</source>
        <translation>绘制时删除最后一个顶点</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="94"/>
        <source>Shift (rectangle)</source>
        <translation>Shift（矩形）</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="94"/>
        <source>Draw a square</source>
        <translation>绘制正方形</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="95"/>
        <source>Ctrl+Click</source>
        <translation>Ctrl+单击</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="95"/>
        <source>Add to the selection</source>
        <translation>加入选择</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="96"/>
        <source>Alt+Click on an edge</source>
        <translation>Alt+单击边</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="96"/>
        <source>Insert a vertex</source>
        <translation>插入顶点</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="97"/>
        <source>Alt+Shift+Click on a vertex</source>
        <translation>Alt+Shift+单击顶点</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="97"/>
        <source>Delete the vertex</source>
        <translation>删除该顶点</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="98"/>
        <source>Arrow keys</source>
        <translation>方向键</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="98"/>
        <source>Nudge the selection</source>
        <translation>微移所选形状</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="99"/>
        <source>Ctrl+Wheel</source>
        <translation>Ctrl+滚轮</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="99"/>
        <source>Zoom about the cursor</source>
        <translation>以光标为中心缩放</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="100"/>
        <source>Wheel / Shift+Wheel</source>
        <translation>滚轮 / Shift+滚轮</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="100"/>
        <source>Scroll vertically / sideways</source>
        <translation>垂直 / 水平滚动</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="101"/>
        <source>Middle drag, Space+drag</source>
        <translation>中键拖动、空格+拖动</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="101"/>
        <source>Pan</source>
        <translation>平移</translation>
    </message>
</context>
<context>
    <name>ConflictResolver</name>
    <message>
        <location filename="../../conflicts.py" line="42"/>
        <source>Keep mine</source>
        <translation>保留我的</translation>
    </message>
    <message>
        <location filename="../../conflicts.py" line="43"/>
        <source>Take theirs</source>
        <translation>采用磁盘上的</translation>
    </message>
    <message>
        <location filename="../../conflicts.py" line="44"/>
        <source>Save mine as a copy</source>
        <translation>将我的另存为副本</translation>
    </message>
    <message>
        <location filename="../../conflicts.py" line="83"/>
        <source>{path}: cannot read the file ({error})</source>
        <translation>{path}：无法读取文件（{error}）</translation>
    </message>
    <message>
        <location filename="../../conflicts.py" line="105"/>
        <source>The labels shown were kept; nothing was overwritten.</source>
        <translation>当前显示的标注已保留，没有覆盖任何内容。</translation>
    </message>
    <message>
        <location filename="../../conflicts.py" line="108"/>
        <source>{name} changed on disk: reloaded</source>
        <translation>{name} 已在磁盘上被修改：已重新加载</translation>
    </message>
    <message>
        <location filename="../../conflicts.py" line="120"/>
        <source>{name} changed on disk; your edits are not saved (save to choose again)</source>
        <translation>{name} 已在磁盘上被修改；您的编辑尚未保存（保存时可再次选择）</translation>
    </message>
    <message>
        <location filename="../../conflicts.py" line="137"/>
        <source>Your labels were saved as {name}</source>
        <translation>您的标注已另存为 {name}</translation>
    </message>
    <message>
        <location filename="../../conflicts.py" line="144"/>
        <source>Label file changed on disk</source>
        <translation>标注文件已在磁盘上被修改</translation>
    </message>
    <message>
        <location filename="../../conflicts.py" line="145"/>
        <source>{path} was changed by another program since it was opened or saved here.

Keep mine: overwrite it with the labels shown.
Take theirs: show the file as it is now (your unsaved edits are dropped).
Save mine as a copy: write the labels shown beside it, then take theirs.</source>
        <translation>{path} 在此处打开或保存之后，被另一个程序修改了。

保留我的：用当前显示的标注覆盖它。
采用磁盘上的：显示文件现在的内容（丢弃您未保存的编辑）。
将我的另存为副本：把当前显示的标注写到它旁边，然后采用磁盘上的。</translation>
    </message>
</context>
<context>
    <name>FileListDock</name>
    <message>
        <location filename="../../docks/file_list.py" line="35"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="35"/>
        <source>No labels</source>
        <translation>无标注</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="36"/>
        <source>To review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="37"/>
        <source>Reviewed</source>
        <translation>已审核</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="47"/>
        <source>File List</source>
        <translation>文件列表</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="53"/>
        <source>Search Filename</source>
        <translation>搜索文件名</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="58"/>
        <source>Show only the images in this review state</source>
        <translation>只显示处于该审核状态的图像</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="110"/>
        <source>1 image</source>
        <translation>1 张图像</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="110"/>
        <source>{n} images</source>
        <translation>{n} 张图像</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="111"/>
        <source>{images}: {reviewed} reviewed, {proposals} to review, {none} unlabelled</source>
        <translation>{images}：{reviewed} 已审核，{proposals} 待审核，{none} 未标注</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="114"/>
        <source>{shown} of {count}</source>
        <translation>显示 {shown}，共 {count}</translation>
    </message>
    <message>
        <location filename="../../docks/file_list.py" line="116"/>
        <source>{count} (scanning...)</source>
        <translation>{count}（扫描中...）</translation>
    </message>
</context>
<context>
    <name>FileListModel</name>
    <message>
        <location filename="../../docks/file_model.py" line="36"/>
        <source>No labels</source>
        <translation>无标注</translation>
    </message>
    <message>
        <location filename="../../docks/file_model.py" line="36"/>
        <source>Proposals to review</source>
        <translation>有待审核的预标注</translation>
    </message>
    <message>
        <location filename="../../docks/file_model.py" line="37"/>
        <source>Reviewed</source>
        <translation>已审核</translation>
    </message>
</context>
<context>
    <name>FlagsDock</name>
    <message>
        <location filename="../../docks/label_list.py" line="107"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
</context>
<context>
    <name>LabelListDock</name>
    <message>
        <location filename="../../docks/label_list.py" line="31"/>
        <source>Label List</source>
        <translation>标签列表</translation>
    </message>
    <message>
        <location filename="../../docks/label_list.py" line="85"/>
        <source> +{n} proposed</source>
        <translation> +{n} 个预标注</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <location filename="../../i18n.py" line="75"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../i18n.py" line="80"/>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../i18n.py" line="95"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../i18n.py" line="96"/>
        <source>The new language applies the next time SegStudio starts.</source>
        <translation>新语言将在下次启动 SegStudio 时生效。</translation>
    </message>
</context>
<context>
    <name>LayoutMenus</name>
    <message>
        <location filename="../../window_layout.py" line="95"/>
        <source>&amp;Toolbars</source>
        <translation>工具栏(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../window_layout.py" line="97"/>
        <source>&amp;Docks</source>
        <translation>停靠窗口(&amp;D)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../main_window.py" line="118"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="182"/>
        <source>Save failed: {error}</source>
        <translation>保存失败：{error}</translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="184"/>
        <source>Saved {name}</source>
        <translation>已保存 {name}</translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="208"/>
        <source>Feature {name} failed to load: {error}</source>
        <translation>功能 {name} 加载失败：{error}</translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="289"/>
        <source>{path}: cannot use the labels file ({error})</source>
        <translation>{path}：无法使用该标签文件（{error}）</translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="314"/>
        <source>New shapes default to &apos;{label}&apos;</source>
        <translation>新形状默认使用标签“{label}”</translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="319"/>
        <source>No images in {folder}</source>
        <translation>{folder} 中没有图像</translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="381"/>
        <source>Open image or label file</source>
        <translation>打开图像或标注文件</translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="382"/>
        <source>Images and labels</source>
        <translation>图像和标注</translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="387"/>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message numerus="yes">
        <location filename="../../main_window.py" line="421"/>
        <source>Copied %n shape(s)</source>
        <translation>
            <numerusform>已复制 %n 个形状</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../main_window.py" line="429"/>
        <source>Deleted %n shape(s) (Ctrl+Z brings them back)</source>
        <translation>
            <numerusform>已删除 %n 个形状（按 Ctrl+Z 可恢复）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../main_window.py" line="464"/>
        <source>{app}: LabelMe-compatible annotation with undo/redo, autosave and segmentation models.</source>
        <translation>{app}：兼容 LabelMe 的图像标注工具，支持撤销/重做、自动保存和分割模型。</translation>
    </message>
</context>
<context>
    <name>Menus</name>
    <message>
        <location filename="../../actions.py" line="105"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="106"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="107"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="108"/>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="109"/>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="110"/>
        <source>T&amp;ools</source>
        <translation>工具(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="111"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
</context>
<context>
    <name>RecentMenu</name>
    <message>
        <location filename="../../recent_files.py" line="45"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../recent_files.py" line="76"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../recent_files.py" line="78"/>
        <source>&amp;Clear List</source>
        <translation>清除列表(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../recent_files.py" line="88"/>
        <source>{path}: no longer exists; removed from Open Recent</source>
        <translation>{path}：已不存在，已从“最近打开”中移除</translation>
    </message>
</context>
<context>
    <name>Saver</name>
    <message>
        <location filename="../../autosave.py" line="160"/>
        <source>cannot save ({error}); the previous file is unchanged</source>
        <translation>无法保存（{error}）；原文件未改动</translation>
    </message>
    <message>
        <location filename="../../autosave.py" line="255"/>
        <source>{path}: cannot save ({error})</source>
        <translation>{path}：无法保存（{error}）</translation>
    </message>
    <message>
        <location filename="../../autosave.py" line="260"/>
        <source>Save failed</source>
        <translation>保存失败</translation>
    </message>
    <message>
        <location filename="../../autosave.py" line="261"/>
        <source>The previous label file was kept unchanged. Your edits are still open: fix the problem or use Save As.</source>
        <translation>原标注文件保持不变。您的编辑仍然打开着：请解决问题或使用“另存为”。</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <location filename="../../session.py" line="107"/>
        <source>{path}: no such file or folder</source>
        <translation>{path}：文件或文件夹不存在</translation>
    </message>
    <message>
        <location filename="../../session.py" line="119"/>
        <source>{path}: its image {image!r} does not exist</source>
        <translation>{path}：其图像 {image!r} 不存在</translation>
    </message>
    <message>
        <location filename="../../session.py" line="123"/>
        <source>{path}: not an image or a LabelMe file</source>
        <translation>{path}：不是图像或 LabelMe 文件</translation>
    </message>
    <message>
        <location filename="../../session.py" line="138"/>
        <source>None of the dropped files is an image: {files}</source>
        <translation>拖入的文件中没有图像：{files}</translation>
    </message>
    <message>
        <location filename="../../session.py" line="165"/>
        <source>Opening {folder}...</source>
        <translation>正在打开 {folder}...</translation>
    </message>
    <message>
        <location filename="../../session.py" line="227"/>
        <source>, {file}</source>
        <translation>，{file}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../session.py" line="228"/>
        <source>{name}: {w}x{h}, %n shape(s)</source>
        <translation>
            <numerusform>{name}：{w}x{h}，%n 个形状</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../session.py" line="233"/>
        <source>Large image: loading full detail...</source>
        <translation>大图像：正在加载完整细节...</translation>
    </message>
    <message>
        <location filename="../../session.py" line="343"/>
        <source>this image</source>
        <translation>此图像</translation>
    </message>
    <message>
        <location filename="../../session.py" line="344"/>
        <source>The last save failed: {error}</source>
        <translation>上次保存失败：{error}</translation>
    </message>
    <message>
        <location filename="../../session.py" line="347"/>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location filename="../../session.py" line="348"/>
        <source>Save the changes to the labels of {name}?</source>
        <translation>是否保存对 {name} 标注的更改？</translation>
    </message>
    <message>
        <location filename="../../session.py" line="387"/>
        <source>Save labels as</source>
        <translation>标注另存为</translation>
    </message>
    <message>
        <location filename="../../session.py" line="417"/>
        <source>{name} does not exist</source>
        <translation>{name} 不存在</translation>
    </message>
    <message>
        <location filename="../../session.py" line="420"/>
        <source>Delete label file</source>
        <translation>删除标注文件</translation>
    </message>
    <message>
        <location filename="../../session.py" line="421"/>
        <source>Delete {path}?
The image is kept.</source>
        <translation>删除 {path}？
图像会保留。</translation>
    </message>
    <message>
        <location filename="../../session.py" line="426"/>
        <source>{path}: cannot delete ({error})</source>
        <translation>{path}：无法删除（{error}）</translation>
    </message>
    <message>
        <location filename="../../session.py" line="432"/>
        <source>Deleted {name}</source>
        <translation>已删除 {name}</translation>
    </message>
    <message>
        <location filename="../../session.py" line="449"/>
        <source>{path}: imageWidth/imageHeight {w}x{h} disagree with the image ({iw}x{ih})</source>
        <translation>{path}：imageWidth/imageHeight 为 {w}x{h}，与图像尺寸（{iw}x{ih}）不符</translation>
    </message>
</context>
<context>
    <name>ShapeKinds</name>
    <message>
        <location filename="../../undo_commands.py" line="73"/>
        <source>polygon</source>
        <translation>多边形</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="74"/>
        <source>rectangle</source>
        <translation>矩形</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="75"/>
        <source>oriented rectangle</source>
        <translation>旋转矩形</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="76"/>
        <source>circle</source>
        <translation>圆形</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="77"/>
        <source>line</source>
        <translation>线段</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="78"/>
        <source>line strip</source>
        <translation>折线</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="79"/>
        <source>point</source>
        <translation>点</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="80"/>
        <source>mask</source>
        <translation>掩码</translation>
    </message>
</context>
<context>
    <name>ShapeListDock</name>
    <message>
        <location filename="../../docks/shape_list.py" line="171"/>
        <source>Polygon Labels</source>
        <translation>多边形标签</translation>
    </message>
</context>
<context>
    <name>ShapeListModel</name>
    <message>
        <location filename="../../docks/shape_list.py" line="36"/>
        <source>proposed</source>
        <translation>预标注</translation>
    </message>
    <message numerus="yes">
        <location filename="../../docks/shape_list.py" line="109"/>
        <source>{kind}, %n point(s)</source>
        <translation>
            <numerusform>{kind}，%n 个点</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tools</name>
    <message>
        <location filename="../../canvas/tool_ai.py" line="30"/>
        <source>Preparing the AI model...</source>
        <translation>正在准备 AI 模型...</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="36"/>
        <source>AI Polygon</source>
        <translation>AI 多边形</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="39"/>
        <location filename="../../canvas/tool_scissors.py" line="35"/>
        <location filename="../../canvas/tool_wand.py" line="39"/>
        <source>Click</source>
        <translation>单击</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="40"/>
        <source>A point on the object</source>
        <translation>目标上的一个点</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="41"/>
        <source>Shift+click, right click</source>
        <translation>Shift+单击、右键单击</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="42"/>
        <source>A point not on the object</source>
        <translation>不在目标上的一个点</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="43"/>
        <location filename="../../canvas/tool_brush.py" line="44"/>
        <location filename="../../canvas/tool_brush.py" line="192"/>
        <location filename="../../canvas/tool_grabcut.py" line="36"/>
        <source>Drag</source>
        <translation>拖动</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="44"/>
        <source>A box around the object</source>
        <translation>框住目标的矩形框</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="45"/>
        <location filename="../../canvas/tool_scissors.py" line="39"/>
        <source>Backspace</source>
        <translation>退格</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="46"/>
        <source>Drop the last point</source>
        <translation>去掉最后一个点</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="47"/>
        <source>Enter, Space</source>
        <translation>回车、空格</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="48"/>
        <location filename="../../canvas/tool_grabcut.py" line="41"/>
        <source>Make the outline a shape</source>
        <translation>将轮廓生成为形状</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="49"/>
        <location filename="../../canvas/tool_brush.py" line="46"/>
        <location filename="../../canvas/tool_brush.py" line="194"/>
        <location filename="../../canvas/tool_grabcut.py" line="42"/>
        <location filename="../../canvas/tool_scissors.py" line="41"/>
        <location filename="../../canvas/tool_wand.py" line="47"/>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="50"/>
        <location filename="../../canvas/tool_grabcut.py" line="43"/>
        <location filename="../../canvas/tool_scissors.py" line="42"/>
        <source>Drop the outline</source>
        <translation>放弃轮廓</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="230"/>
        <source>AI tools are not available here</source>
        <translation>此处无法使用 AI 工具</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_ai.py" line="258"/>
        <source>AI Mask</source>
        <translation>AI 掩码</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_brush.py" line="42"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_brush.py" line="45"/>
        <source>Paint onto the selected shape (none selected: a new shape)</source>
        <translation>在所选形状上涂抹（未选择时：新建形状）</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_brush.py" line="47"/>
        <location filename="../../canvas/tool_brush.py" line="195"/>
        <source>Abandon the stroke</source>
        <translation>放弃这一笔</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_brush.py" line="190"/>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_brush.py" line="193"/>
        <source>Erase from the selected shapes (none selected: every shape the stroke touches)</source>
        <translation>从所选形状中擦除（未选择时：笔画碰到的所有形状）</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_grabcut.py" line="34"/>
        <source>Box to polygon</source>
        <translation>框选转多边形</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_grabcut.py" line="37"/>
        <source>Box around the object; then drag: more of the object</source>
        <translation>框住目标；之后拖动：补充更多目标区域</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_grabcut.py" line="38"/>
        <source>Shift+drag</source>
        <translation>Shift+拖动</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_grabcut.py" line="39"/>
        <source>Background stroke: this is not the object</source>
        <translation>背景笔画：这里不是目标</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_grabcut.py" line="40"/>
        <location filename="../../canvas/tool_wand.py" line="45"/>
        <source>Enter, Space, double-click</source>
        <translation>回车、空格、双击</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_scissors.py" line="33"/>
        <source>Intelligent scissors</source>
        <translation>智能剪刀</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_scissors.py" line="36"/>
        <source>Fix the path snapped to the edge, start the next one</source>
        <translation>固定吸附到边缘的路径，开始下一段</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_scissors.py" line="37"/>
        <source>Click the first point, Enter, double-click</source>
        <translation>单击第一个点、回车、双击</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_scissors.py" line="38"/>
        <source>Close the outline into a polygon</source>
        <translation>将轮廓闭合为多边形</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_scissors.py" line="40"/>
        <source>Remove the last segment</source>
        <translation>删除最后一段</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_wand.py" line="37"/>
        <source>Magic wand</source>
        <translation>魔棒</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_wand.py" line="40"/>
        <source>Select the region of similar colour</source>
        <translation>选择颜色相近的区域</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_wand.py" line="41"/>
        <source>Shift+Click</source>
        <translation>Shift+单击</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_wand.py" line="42"/>
        <source>Add a region to the selection</source>
        <translation>向选区添加区域</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_wand.py" line="43"/>
        <source>Ctrl+Click</source>
        <translation>Ctrl+单击</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_wand.py" line="44"/>
        <source>Take a region away from the selection</source>
        <translation>从选区中去除区域</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_wand.py" line="46"/>
        <source>Make the selection shapes</source>
        <translation>将选区生成为形状</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_wand.py" line="48"/>
        <source>Drop the selection</source>
        <translation>放弃选区</translation>
    </message>
</context>
<context>
    <name>UndoCommand</name>
    <message>
        <location filename="../../session.py" line="189"/>
        <source>Keep previous annotation</source>
        <translation>保留上一张标注</translation>
    </message>
    <message>
        <location filename="../../session.py" line="301"/>
        <source>Carry shapes over</source>
        <translation>沿用形状</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="123"/>
        <source>Add {kind}</source>
        <translation>添加{kind}</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="124"/>
        <source>Add %n shapes</source>
        <translation>添加 %n 个形状</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="143"/>
        <source>Delete %n shape(s)</source>
        <translation>删除 %n 个形状</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="157"/>
        <source>Replace shapes</source>
        <translation>替换形状</translation>
    </message>
    <message>
        <location filename="../../canvas/edit_tool.py" line="219"/>
        <location filename="../../undo_commands.py" line="205"/>
        <source>Move shape(s)</source>
        <translation>移动形状</translation>
    </message>
    <message>
        <location filename="../../canvas/edit_tool.py" line="186"/>
        <location filename="../../undo_commands.py" line="233"/>
        <source>Move vertex</source>
        <translation>移动顶点</translation>
    </message>
    <message>
        <location filename="../../canvas/edit_tool.py" line="132"/>
        <location filename="../../undo_commands.py" line="258"/>
        <source>Add vertex</source>
        <translation>添加顶点</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="272"/>
        <source>Delete vertex</source>
        <translation>删除顶点</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="286"/>
        <source>Edit label</source>
        <translation>编辑标签</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="303"/>
        <source>Accept proposals</source>
        <translation>接受预标注</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="315"/>
        <source>Change order</source>
        <translation>调整顺序</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="337"/>
        <source>Move in drawing order</source>
        <translation>调整绘制顺序</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="347"/>
        <source>Raise</source>
        <translation>上移一层</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="357"/>
        <source>Lower</source>
        <translation>下移一层</translation>
    </message>
    <message>
        <location filename="../../undo_commands.py" line="373"/>
        <source>Image flags</source>
        <translation>图像标记</translation>
    </message>
    <message>
        <location filename="../../canvas/edit_tool.py" line="202"/>
        <source>Copy shape(s)</source>
        <translation>复制形状</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_brush.py" line="169"/>
        <location filename="../../canvas/tool_brush.py" line="183"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_brush.py" line="183"/>
        <source>Erase</source>
        <translation>擦除</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_grabcut.py" line="170"/>
        <source>Box to polygon</source>
        <translation>框选转多边形</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_scissors.py" line="154"/>
        <source>Scissors polygon</source>
        <translation>剪刀多边形</translation>
    </message>
    <message>
        <location filename="../../canvas/tool_wand.py" line="124"/>
        <source>Magic wand</source>
        <translation>魔棒</translation>
    </message>
    <message>
        <location filename="../../edit_ops.py" line="68"/>
        <source>Paste %n shape(s)</source>
        <translation>粘贴 %n 个形状</translation>
    </message>
    <message>
        <location filename="../../edit_ops.py" line="104"/>
        <source>Duplicate %n shape(s)</source>
        <translation>为 %n 个形状创建副本</translation>
    </message>
</context>
</TS>

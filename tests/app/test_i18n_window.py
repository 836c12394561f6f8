"""The window in Simplified Chinese (the shipped window_zh_CN translation): menus, actions, docks,
the file list's count line, status messages, undo steps and the tools' keys; and the
translation file itself is complete and keeps every placeholder."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from segstudio import i18n
from segstudio.actions import CORE_ACTIONS, MENU_TITLES, canvas_keys
from segstudio.canvas.tools import TOOLS, tool_keys, tool_title
from segstudio.undo_commands import RemoveShapes
from tests.app.canvas_helpers import click, key
from tests.app.gui_helpers import make_image, make_labelme, open_window, polygon, wait_image
from tests.app.test_ai_tool import ai_window, held  # noqa: F401 - held is a fixture

pytestmark = pytest.mark.gui

TS = Path(__file__).resolve().parents[2] / "segstudio" / "resources" / "i18n" / "window_zh_CN.ts"
CJK = re.compile(r"[\u4e00-\u9fff]")
# what may stay Latin inside a Chinese text: mnemonics "(&F)", key names, formats, numbers, paths
ALLOWED = re.compile(r"\(&\w\)|Ctrl|Shift|Alt|Esc|Space|LabelMe|JSON|AI|SegStudio|RGB|\d+")


def _english_left(text: str) -> list[str]:
    """Latin words left in ``text`` once the allowed names are taken out."""
    return re.findall(r"[A-Za-z]{2,}", ALLOWED.sub("", text))


def _is_chinese(text: str) -> bool:
    return bool(CJK.search(text)) and not _english_left(text)


@pytest.fixture
def chinese(qapp):
    """The shipped zh_CN translations installed for one test (English again afterwards)."""
    translators = i18n.install_translators(qapp, "zh_CN")
    assert translators, "no zh_CN translation is shipped"
    yield
    for t in translators:
        qapp.removeTranslator(t)


def test_window_menus_actions_and_docks_are_chinese(qtbot, tmp_path, chinese):
    window = open_window(qtbot, tmp_path)
    for name in MENU_TITLES:
        assert _is_chinese(window.menus[name].title()), window.menus[name].title()
    for spec in CORE_ACTIONS:
        act = window.actions[spec.name]
        assert _is_chinese(act.text()), (spec.name, act.text())
        assert _is_chinese(act.statusTip()), (spec.name, act.statusTip())
    # toolbar buttons carry no mnemonic and no dots
    assert [window.actions[n].iconText() for n in ("open", "open_dir", "save_as")] == ["打开", "打开目录", "另存为"]
    for menu in (window.layout_menus.toolbars_menu, window.layout_menus.docks_menu, window.language_menu.menu,
                 window.recent.menu):
        assert _is_chinese(menu.title()), menu.title()
    window.layout_menus.refresh()  # View > Toolbars / Docks list the toolbars' and docks' own titles
    for act in [*window.layout_menus.toolbars_menu.actions(), *window.layout_menus.docks_menu.actions()]:
        if act.parent() in (window.toolbar, window.file_dock, window.label_dock, window.shape_dock,
                            window.flags_dock):
            assert _is_chinese(act.text()), act.text()
    texts = [window.recent.menu.actions()[0].text(), window.file_dock.filter.placeholderText(),
             window.file_dock.state_filter.toolTip()]
    texts += [window.file_dock.state_filter.itemText(i) for i in range(window.file_dock.state_filter.count())]
    assert all(_is_chinese(t) for t in texts), texts


def test_folder_status_undo_and_lists_are_chinese(qtbot, tmp_path, chinese):
    image = make_image(tmp_path / "data" / "a.png")
    make_labelme(image, [polygon("cat", [(10, 10), (60, 10), (60, 50)]),
                         polygon("dog", [(70, 20), (100, 20), (100, 60)], proposed=True, score=0.9)])
    make_image(tmp_path / "data" / "b.png")
    window = open_window(qtbot, tmp_path)
    window.open_path(tmp_path / "data")
    wait_image(qtbot, window, "a.png")
    qtbot.waitUntil(lambda: not window.file_dock.model.scanning, timeout=5000)
    qtbot.waitUntil(lambda: "2" in window.file_dock.count.text(), timeout=5000)
    count = window.file_dock.count.text()
    assert count.startswith("2 张图像") and _is_chinese(count), count
    status = window.statusBar().currentMessage()
    assert "a.png" in status and "2 个形状" in status, status
    model = window.shape_dock.model
    tip = model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("多边形，3 个点"), tip
    assert "预标注" in model.data(model.index(1), Qt.ItemDataRole.DisplayRole)

    doc = window.document
    doc.select_shapes([doc.shapes[0]])
    window.actions["delete"].trigger()
    assert window.statusBar().currentMessage() == "已删除 1 个形状（按 Ctrl+Z 可恢复）"
    assert doc.undo_stack.undoText() == "删除 1 个形状"
    doc.push(RemoveShapes(doc, [0]))  # a plug-in's step without its own text
    assert doc.undo_stack.undoText() == "删除 1 个形状"


def test_ai_tool_hint_and_undo_step_are_chinese(qtbot, tmp_path, held, chinese):  # noqa: F811
    w, _folder = ai_window(qtbot, tmp_path)
    qtbot.keyClick(w.canvas, Qt.Key.Key_I)
    tool = w.canvas.tool
    assert tool.hint_text() == "正在准备 AI 模型..."
    click(qtbot, w.canvas, 15, 15)
    held.set()
    qtbot.waitUntil(lambda: bool(tool.shapes), timeout=5000)
    key(qtbot, w.canvas, Qt.Key.Key_Return)
    assert len(w.document.shapes) == 1 and w.document.undo_stack.undoText() == "AI 多边形"


def test_tools_and_canvas_keys_are_chinese(chinese):
    rows = canvas_keys()
    for cls in TOOLS.values():
        if cls.keys:
            assert _is_chinese(tool_title(cls)), tool_title(cls)
            rows += tool_keys(cls)
    for keys, what in rows:
        assert _is_chinese(what), what
        assert CJK.search(keys) or not _english_left(keys), keys


def test_english_without_translation(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    assert window.menus["file"].title() == "&File" and window.actions["open_dir"].text() == "Open &Dir..."
    assert window.actions["open_dir"].iconText() == "Open Dir"
    assert canvas_keys()[0] == ("Click", "Add a vertex / select a shape")
    assert tool_title(TOOLS["wand"]) == "Magic wand"


def test_translation_file_is_complete_and_keeps_placeholders():
    root = ET.parse(TS).getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 200
    for m in messages:
        source = m.find("source").text
        tr = m.find("translation")
        assert tr.get("type") is None, (source, tr.get("type"))  # not unfinished, vanished or obsolete
        forms = [nf.text for nf in tr.iter("numerusform")] if m.get("numerus") == "yes" else [tr.text]
        for text in forms:
            assert text, source
            assert sorted(re.findall(r"\{[^}]*\}", text)) == sorted(re.findall(r"\{[^}]*\}", source)), source
            assert ("%n" in text) == ("%n" in source), source
            assert source.count("&") - 2 * source.count("&&") <= text.count("&"), source  # the mnemonic stays

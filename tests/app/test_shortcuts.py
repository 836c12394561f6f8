"""LabelMe's default shortcuts, from one table, driven with real key events; the smart tools'
keys; Help > Shortcuts lists every key the window answers to, and no two actions share one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QTableWidget

from segstudio.actions import ACTIONS, CANVAS_KEYS, CORE_ACTIONS, ActionSpec, duplicate_shortcuts
from segstudio.canvas.smart_base import OPTIONS
from segstudio.dialogs.label_dialog import LabelChoice
from segstudio.dialogs.shortcuts import shortcut_rows

from .gui_helpers import make_image, make_labelme, open_window, polygon, wait_image

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier

LABELME_DEFAULTS = {
    "open": "Ctrl+O", "open_dir": "Ctrl+U", "save": "Ctrl+S", "save_as": "Ctrl+Shift+S",
    "create_polygon": "Ctrl+N", "create_rectangle": "Ctrl+R", "edit_mode": "Ctrl+J", "edit_label": "Ctrl+E",
    "duplicate": "Ctrl+D", "copy": "Ctrl+C", "paste": "Ctrl+V", "delete": "Delete", "undo": "Ctrl+Z",
    "redo": "Ctrl+Shift+Z", "fit_window": "Ctrl+F", "fit_width": "Ctrl+Shift+F", "zoom_original": "Ctrl+0",
    "zoom_in": "Ctrl+=", "zoom_out": "Ctrl+-", "next_image": "D", "prev_image": "A", "keep_previous": "Ctrl+P",
    "toggle_shapes": "T", "close": "Ctrl+W", "quit": "Ctrl+Q", "delete_file": "Ctrl+Delete",
}


def test_table_has_labelme_defaults_without_conflicts():
    table = {a.name: a.shortcuts for a in ACTIONS}
    for name, key in LABELME_DEFAULTS.items():
        assert key in table[name], name
    assert "Ctrl+Y" in table["redo"]
    assert duplicate_shortcuts() == []


def test_window_actions_carry_the_table(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    for spec in ACTIONS:
        got = [s.toString() for s in w.actions[spec.name].shortcuts()]
        assert got == [QKeySequence(s).toString() for s in spec.shortcuts], spec.name
        assert w.actions[spec.name] in w.menus[spec.menu].actions()


def window_actions_with_keys(w) -> list[QAction]:
    return [a for a in w.findChildren(QAction) if any(not k.isEmpty() for k in a.shortcuts())]


def shown_rows(w) -> list[tuple[str, str, str]]:
    qtbot_dialog = w.findChild(QDialog, "shortcuts_dialog")
    table = qtbot_dialog.findChild(QTableWidget, "shortcuts_table")
    return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]


def test_help_lists_every_shortcut(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    qtbot.keyClick(w, Qt.Key.Key_F1)
    dialog = w.findChild(QDialog, "shortcuts_dialog")
    assert dialog is not None and dialog.isVisible()
    rows = shown_rows(w)
    by_text = {text: keys for keys, text, _ in rows}
    actions = window_actions_with_keys(w)
    assert len(actions) >= len([a for a in CORE_ACTIONS if a.shortcuts]) + 2 + 5 + 2  # the model's and the tools' too
    for act in actions:  # every action that has a key, with its own name and every key it has
        text = act.text().replace("&", "").rstrip(".")
        assert text in by_text, text
        for k in act.shortcuts():
            assert k.toString() in by_text[text].split(", "), (text, k.toString())
    for spec in ACTIONS:
        for s in spec.shortcuts:
            assert QKeySequence(s).toString() in by_text[spec.text.replace("&", "").rstrip(".")]
    keys_shown = [k for k, _, _ in rows]
    for key, _ in CANVAS_KEYS:
        assert key in keys_shown
    assert by_text["Accept Proposals"] == "Y" and by_text["Pre-annotate This Image"] == "Ctrl+M"
    assert (by_text["Smaller Brush"], by_text["Larger Brush"]) == ("[", "]")
    assert {by_text[t] for t in ("Box to Polygon", "Intelligent Scissors", "Magic Wand", "Brush", "Eraser")} == \
        {"G", "L", "W", "B", "E"}
    wand = {keys: text for keys, text, where in rows if where == "Magic wand tool"}
    assert "Shift+Click" in wand and "Ctrl+Click" in wand
    dialog.close()


def test_no_two_window_actions_share_a_key(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    owner: dict[str, str] = {}
    for act in window_actions_with_keys(w):
        for k in act.shortcuts():
            assert k.toString() not in owner, (k.toString(), owner.get(k.toString()), act.objectName())
            owner[k.toString()] = act.objectName()
    assert {"Y", "Ctrl+M", "[", "]", "W", "B", "E", "G", "L", "D", "A", "T"} <= set(owner)


def test_smart_tool_keys_choose_the_tools(qtbot, window_with_shapes):
    w = window_with_shapes
    canvas, st = w.canvas, w.smart_tools
    for k, name in ((Qt.Key.Key_W, "wand"), (Qt.Key.Key_G, "grabcut"), (Qt.Key.Key_L, "scissors"),
                    (Qt.Key.Key_E, "eraser"), (Qt.Key.Key_B, "brush")):
        qtbot.keyClick(canvas, k)
        assert canvas.tool_name == name and st.actions[name].isChecked()
    qtbot.keyClick(canvas, Qt.Key.Key_J, CTRL)
    assert canvas.tool_name == "edit"


def test_brackets_change_the_brush_radius_and_its_circle(qtbot, window_with_shapes):
    w = window_with_shapes
    canvas, st = w.canvas, w.smart_tools
    st.actions["brush"].trigger()
    assert canvas.tool_name == "brush" and st.radius.value() == 8
    for _ in range(4):
        qtbot.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert st.radius.value() == pytest.approx(8 * 1.25**4, abs=0.01) and OPTIONS.radius == st.radius.value()
    qtbot.mouseMove(canvas.viewport(), canvas.mapFromScene(40, 30))
    circle = canvas.tool.cursor_item
    assert circle is not None and circle.isVisible()
    assert circle.rect().width() == pytest.approx(2 * OPTIONS.radius)
    for _ in range(4):
        qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert st.radius.value() == pytest.approx(8, abs=0.01)
    assert circle.rect().width() == pytest.approx(16)  # the circle follows at once
    qtbot.keyClick(canvas, Qt.Key.Key_J, CTRL)  # another tool: [ and ] leave the radius alone
    qtbot.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert canvas.tool_name == "edit" and st.radius.value() == pytest.approx(8, abs=0.01)


@pytest.fixture
def window_with_shapes(qtbot, tmp_path):
    img = make_image(tmp_path / "a.png")
    make_labelme(img, [polygon("cat", [(5, 5), (50, 5), (30, 40)]), polygon("dog", [(60, 60), (90, 60), (70, 80)])])
    w = open_window(qtbot, tmp_path)
    w.open_path(img)
    wait_image(qtbot, w, "a.png")
    return w


def test_edit_keys(qtbot, window_with_shapes):
    w = window_with_shapes
    doc = w.document
    qtbot.keyClick(w, Qt.Key.Key_A, CTRL)
    assert doc.selected_indices() == [0, 1]
    doc.set_selection([1])
    w.ask_label = lambda choice=None: LabelChoice("cow", 4, "brown", {})
    qtbot.keyClick(w, Qt.Key.Key_E, CTRL)
    assert (doc.shapes[1].label, doc.shapes[1].group_id) == ("cow", 4)
    qtbot.keyClick(w, Qt.Key.Key_Delete)
    assert [s.label for s in doc.shapes] == ["cat"]
    qtbot.keyClick(w, Qt.Key.Key_Z, CTRL)
    assert [s.label for s in doc.shapes] == ["cat", "cow"]
    qtbot.keyClick(w, Qt.Key.Key_Z, CTRL)
    assert [s.label for s in doc.shapes] == ["cat", "dog"]
    assert doc.shapes[1].points == [(60.0, 60.0), (90.0, 60.0), (70.0, 80.0)]
    qtbot.keyClick(w, Qt.Key.Key_Z, CTRL | SHIFT)
    assert doc.shapes[1].label == "cow"
    qtbot.keyClick(w, Qt.Key.Key_Y, CTRL)
    assert [s.label for s in doc.shapes] == ["cat"]


def test_tool_and_view_keys(qtbot, window_with_shapes):
    w = window_with_shapes
    qtbot.keyClick(w, Qt.Key.Key_R, CTRL)
    assert w.canvas.tool_name == "rectangle"
    qtbot.keyClick(w, Qt.Key.Key_J, CTRL)
    assert w.canvas.tool_name == "edit" and w.actions["edit_mode"].isChecked()
    qtbot.keyClick(w, Qt.Key.Key_0, CTRL)
    assert w.canvas.zoom() == pytest.approx(1.0)
    qtbot.keyClick(w, Qt.Key.Key_Minus, CTRL)
    assert w.canvas.zoom() == pytest.approx(1 / 1.1)
    qtbot.keyClick(w, Qt.Key.Key_F, CTRL)
    assert w.canvas.fit_mode() == "window"
    qtbot.keyClick(w, Qt.Key.Key_F, CTRL | SHIFT)
    assert w.canvas.fit_mode() == "width"


def test_close_and_quit_keys(qtbot, window_with_shapes):
    w = window_with_shapes
    qtbot.keyClick(w, Qt.Key.Key_W, CTRL)
    assert w.document is None and not w.actions["save"].isEnabled()
    qtbot.keyClick(w, Qt.Key.Key_Q, CTRL)
    assert not w.isVisible()


def test_plugin_actions_are_in_the_table_and_the_help(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    names = {a.name for a in ACTIONS}
    for plugin in ("load_checkpoint", "preannotate_image", "accept_proposals", "tool_wand", "smaller_brush",
                   "merge", "train_folder", "export_dataset", "import_labels"):
        assert plugin in names, plugin
        assert w.actions[plugin].objectName() == f"action_{plugin}"
    rows = shortcut_rows(w)
    for spec in ACTIONS:
        if spec.shortcuts:
            assert any(text == spec.text.replace("&", "").rstrip(".") for _, text, _ in rows), spec.name


def test_duplicate_check_sees_a_clashing_plugin_action(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    assert duplicate_shortcuts() == []
    clash = ActionSpec("clashing_plugin", "tools", "Clash", ("Ctrl+M",))  # Pre-annotate's key
    w.add_action(clash, lambda: None)
    try:
        assert duplicate_shortcuts() == ["Ctrl+M"]
    finally:
        ACTIONS.remove(clash)
    assert duplicate_shortcuts() == []

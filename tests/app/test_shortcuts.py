"""LabelMe's default shortcuts, from one table, driven with real key events; Help > Shortcuts
lists them all."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QTableWidget

from app.actions import ACTIONS, CANVAS_KEYS, duplicate_shortcuts, shortcut_rows
from app.dialogs.label_dialog import LabelChoice

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


def test_help_lists_every_shortcut(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    qtbot.keyClick(w, Qt.Key.Key_F1)
    dialog = w.findChild(QDialog, "shortcuts_dialog")
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QTableWidget, "shortcuts_table")
    shown = {(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())}
    assert shown == set(shortcut_rows())
    keys_shown = " ".join(k for k, _ in shown)
    for spec in ACTIONS:
        for s in spec.shortcuts:
            assert s in keys_shown
    for key, _ in CANVAS_KEYS:
        assert key in keys_shown


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

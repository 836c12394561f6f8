"""The label dialog: completion from known labels (one Enter accepts), labels-file restriction,
digits-only group id, description and flags, placement beside the shape, driven with real key
and mouse events."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QDialogButtonBox

from segstudio.dialogs.label_dialog import LabelChoice, LabelDialog, placement, read_labels_file

pytestmark = pytest.mark.gui


def test_completion_offers_known_labels(qtbot):
    dlg = LabelDialog(known_labels=["person", "car", "bicycle", "car"])
    qtbot.addWidget(dlg)
    assert [dlg.list.item(i).text() for i in range(dlg.list.count())] == ["person", "car", "bicycle"]
    completer = dlg.edit.completer()
    completer.setCompletionPrefix("bi")
    assert completer.currentCompletion() == "bicycle"


def test_group_id_accepts_digits_only_and_choice(qtbot):
    dlg = LabelDialog(known_labels=["cat"], flag_names=["occluded", "truncated"])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.edit, "dog")
    qtbot.keyClicks(dlg.group_edit, "1a2b")
    assert dlg.group_edit.text() == "12"
    qtbot.keyClicks(dlg.description, "left one")
    dlg._flag_boxes["occluded"].setChecked(True)
    assert dlg.choice() == LabelChoice("dog", 12, "left one", {"occluded": True, "truncated": False})


def test_labels_file_restricts(qtbot, tmp_path):
    f = tmp_path / "labels.txt"
    f.write_text("__ignore__\n_background_\ncat\ndog\n\n", encoding="utf-8")
    names = read_labels_file(str(f))
    assert names == ["cat", "dog"]
    dlg = LabelDialog(known_labels=["zebra"], restrict_to=names)
    qtbot.addWidget(dlg)
    dlg.show()
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dlg.edit, "zebra")
    assert not ok.isEnabled()
    assert "not in the labels file" in dlg.error.text()
    dlg.accept()
    assert dlg.isVisible()  # refused
    dlg.edit.clear()
    qtbot.keyClicks(dlg.edit, "dog")
    assert ok.isEnabled()
    assert [dlg.list.item(i).text() for i in range(dlg.list.count())] == ["cat", "dog"]


def test_ask_returns_choice_or_none(qtbot):
    dlg = LabelDialog(known_labels=["cat", "dog"])
    qtbot.addWidget(dlg)

    def type_and_enter():
        dlg.edit.clear()
        qtbot.keyClicks(dlg.edit, "cat")
        qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)

    QTimer.singleShot(50, type_and_enter)
    assert dlg.ask(LabelChoice("dog", 3)).label == "cat"

    QTimer.singleShot(50, lambda: qtbot.keyClick(dlg.edit, Qt.Key.Key_Escape))
    assert dlg.ask() is None


def test_prefill_and_double_click(qtbot):
    dlg = LabelDialog(known_labels=["cat", "dog"])
    qtbot.addWidget(dlg)
    dlg.prefill(LabelChoice("cat", 7, "d", {"x": True}))
    assert dlg.group_edit.text() == "7"
    assert dlg._flag_boxes["x"].isChecked()
    dlg.show()
    item = dlg.list.item(1)
    rect = dlg.list.visualItemRect(item)
    qtbot.mouseClick(dlg.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dlg.edit.text() == "dog"
    qtbot.mouseDClick(dlg.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dlg.result() == dlg.DialogCode.Accepted
    assert dlg.choice().label == "dog"


def test_label_flags_follow_the_label(qtbot):
    dlg = LabelDialog(known_labels=["person", "car"])
    qtbot.addWidget(dlg)
    dlg.set_label_flags({"person": ["occluded", "truncated"], ".*": ["difficult"]})
    qtbot.keyClicks(dlg.edit, "person")
    assert list(dlg._flag_boxes) == ["occluded", "truncated", "difficult"]
    dlg._flag_boxes["difficult"].setChecked(True)
    dlg.edit.setText("car")
    assert list(dlg._flag_boxes) == ["difficult"] and dlg._flag_boxes["difficult"].isChecked()


def _press_enter(qtbot, dlg):
    """Return as the platform delivers it: to the dialog's window, which hands it to the
    completion popup while that is open."""
    qtbot.keyClick(dlg.windowHandle(), Qt.Key.Key_Return)


def _ask_with(qtbot, dlg, keys, choice=None):
    """Run ``dlg.ask`` while ``keys`` types into it; the popup's visibility when Enter came."""
    seen = {}

    def run():
        keys()
        seen["popup"] = dlg.edit.completer().popup().isVisible()
        _press_enter(qtbot, dlg)
        if dlg.isVisible():  # not accepted: close it so the test goes on
            QTimer.singleShot(0, dlg.reject)

    QTimer.singleShot(50, run)
    return dlg.ask(choice), seen


@pytest.mark.parametrize("typed", ["pers", "person", "PERS", "rso"])
def test_one_enter_accepts_a_known_label_from_the_completion(qtbot, typed):
    dlg = LabelDialog(known_labels=["car", "person", "bicycle"])
    qtbot.addWidget(dlg)
    got, seen = _ask_with(qtbot, dlg, lambda: qtbot.keyClicks(dlg.edit, typed))
    assert seen["popup"]  # the completion list was open when Enter came
    assert got is not None and got.label == "person"
    assert not dlg.edit.completer().popup().isVisible()


def test_one_enter_takes_the_highlighted_completion(qtbot):
    dlg = LabelDialog(known_labels=["car", "cart", "person"])
    qtbot.addWidget(dlg)

    def keys():
        qtbot.keyClicks(dlg.edit, "ca")
        qtbot.keyClick(dlg.windowHandle(), Qt.Key.Key_Down)
        qtbot.keyClick(dlg.windowHandle(), Qt.Key.Key_Down)

    got, seen = _ask_with(qtbot, dlg, keys)
    assert seen["popup"] and got is not None and got.label == "cart"


def test_one_enter_keeps_an_exactly_typed_known_label(qtbot):
    dlg = LabelDialog(known_labels=["scar", "car"])
    qtbot.addWidget(dlg)
    got, seen = _ask_with(qtbot, dlg, lambda: qtbot.keyClicks(dlg.edit, "car"))
    assert seen["popup"] and got is not None and got.label == "car"


def test_one_enter_accepts_the_preselected_default_and_a_new_label(qtbot):
    dlg = LabelDialog(known_labels=["car", "person"])
    qtbot.addWidget(dlg)
    got, seen = _ask_with(qtbot, dlg, lambda: None, LabelChoice("person"))
    assert not seen["popup"] and got is not None and got.label == "person"
    got, seen = _ask_with(qtbot, dlg, lambda: qtbot.keyClicks(dlg.edit, "zebra"))
    assert not seen["popup"] and got is not None and got.label == "zebra"


SCREEN = QRect(0, 0, 1600, 1000)
SIZE = QSize(300, 250)


def test_dialog_opens_at_the_cursor_when_that_leaves_the_shape_clear():
    assert placement(SIZE, QPoint(100, 100), QRect(400, 400, 100, 100), SCREEN) == QPoint(112, 112)
    assert placement(SIZE, QPoint(100, 100), None, SCREEN) == QPoint(112, 112)


@pytest.mark.parametrize("cursor, shape", [
    (QPoint(500, 500), QRect(400, 400, 200, 200)),  # closed on a vertex inside the shape
    (QPoint(1550, 500), QRect(1200, 300, 390, 400)),  # shape at the right edge of the screen
    (QPoint(800, 950), QRect(100, 700, 1400, 290)),  # wide shape at the bottom
])
def test_dialog_sits_beside_the_shape_inside_the_screen(cursor, shape):
    top_left = placement(SIZE, cursor, shape, SCREEN)
    rect = QRect(top_left, SIZE)
    assert SCREEN.contains(rect)
    assert not rect.intersects(shape)


def test_dialog_stays_on_screen_and_covers_least_when_the_shape_is_big():
    top_left = placement(SIZE, QPoint(1590, 990), QRect(0, 0, 1600, 1000), SCREEN)
    assert SCREEN.contains(QRect(top_left, SIZE))
    shape = QRect(200, 100, 1200, 800)  # leaves 200 px free at the left and right
    top_left = placement(SIZE, QPoint(1300, 500), shape, SCREEN)
    assert SCREEN.contains(QRect(top_left, SIZE))
    covered = QRect(top_left, SIZE).intersected(shape)
    assert covered.width() == 100  # the 300 px dialog pushed against the right screen edge


@pytest.mark.parametrize("tool", ["polygon", "point"])
def test_drawn_shape_stays_visible_beside_the_dialog(qtbot, tmp_path, tool):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QCursor
    from PySide6.QtWidgets import QGraphicsPathItem

    from segstudio.main_window import MainWindow
    from segstudio.workers import active_jobs
    from tests.app.gui_helpers import click_scene, make_image, open_window, wait_image

    img = make_image(tmp_path / "a.png", size=(200, 150))
    w = open_window(qtbot, tmp_path)
    w.ask_label = MainWindow.ask_label.__get__(w)  # the real dialog
    w.open_path(img)
    wait_image(qtbot, w, "a.png")
    w.canvas.set_tool(tool)
    pts = [(130, 50), (105, 90), (80, 50)] if tool == "polygon" else [(100, 75)]
    seen = {}

    def inspect():
        dlg = w.label_dialog
        seen["dialog"] = dlg.isVisible()
        outlines = [it for it in w.canvas.scene().items()
                    if isinstance(it, QGraphicsPathItem) and it.isVisible() and not it.path().isEmpty()]
        seen["outline"] = [it.sceneBoundingRect() for it in outlines]
        on_view = w.canvas.mapFromScene(outlines[0].sceneBoundingRect()).boundingRect() if outlines else None
        seen["covered"] = on_view is not None and dlg.frameGeometry().intersects(
            on_view.translated(w.canvas.viewport().mapToGlobal(on_view.topLeft()) - on_view.topLeft()))
        dlg.edit.clear()
        qtbot.keyClicks(dlg.edit, "zebra")
        qtbot.keyClick(dlg.windowHandle(), Qt.Key.Key_Return)

    for x, y in pts:
        QCursor.setPos(w.canvas.viewport().mapToGlobal(w.canvas.mapFromScene(QPointF(x, y))))
        if (x, y) == pts[-1] and tool == "point":
            QTimer.singleShot(100, inspect)
        click_scene(qtbot, w, x, y)
    if tool == "polygon":
        QTimer.singleShot(100, inspect)
        qtbot.keyClick(w.canvas.viewport(), Qt.Key.Key_Return)  # finish the polygon
    assert seen["dialog"]
    assert len(seen["outline"]) == 1  # the drawn shape, painted while the dialog is up
    box = seen["outline"][0]
    for x, y in pts:
        assert box.adjusted(-6, -6, 6, 6).contains(QPointF(x, y))
    assert not seen["covered"]
    assert [s.label for s in w.document.shapes] == ["zebra"]
    assert not [it for it in w.canvas.tool._preview if it.scene() is not None]  # gone once added
    qtbot.waitUntil(lambda: active_jobs() == 0, timeout=5000)  # nothing left to answer a closed window

"""Drawing every shape type with real mouse/key events on the canvas viewport."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from segcore.io import annotation as sa

from .canvas_helpers import H, W, click, drag, key, make_canvas

pytestmark = pytest.mark.gui
NO = Qt.KeyboardModifier.NoModifier


def test_polygon_closes_on_first_vertex_and_saves(qtbot, tmp_path):
    canvas, doc = make_canvas(qtbot)
    canvas.set_tool("polygon")
    created = []
    canvas.shapeCreated.connect(created.append)
    for x, y in [(10, 10), (80, 12), (70, 60)]:
        click(qtbot, canvas, x, y)
    assert len(doc) == 0
    click(qtbot, canvas, 12, 11)  # within 10 screen px (5 image px at 200%) of the first vertex
    assert created == [0]
    s = doc.shapes[0]
    assert s.shape_type == "polygon"
    assert s.points == [(10.0, 10.0), (80.0, 12.0), (70.0, 60.0)]
    assert s.label == canvas.default_label
    path = tmp_path / "img.json"
    sa.save(doc.annotation, path)
    back = sa.load(path)
    assert back == doc.annotation
    assert back.shapes[0].points == s.points


def test_polygon_alt_disables_snapping_and_enter_finishes(qtbot):
    canvas, doc = make_canvas(qtbot)
    canvas.set_tool("polygon")
    for x, y in [(10, 10), (80, 12), (70, 60)]:
        click(qtbot, canvas, x, y)
    click(qtbot, canvas, 12, 11, Qt.KeyboardModifier.AltModifier)  # adds a vertex instead of closing
    assert len(doc) == 0
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert doc.shapes[0].points == [(10, 10), (80, 12), (70, 60), (12, 11)]


def test_polygon_space_finishes_and_double_click_finishes(qtbot):
    canvas, doc = make_canvas(qtbot)
    canvas.set_tool("polygon")
    for x, y in [(10, 10), (80, 12), (70, 60)]:
        click(qtbot, canvas, x, y)
    key(qtbot, canvas, Qt.Key.Key_Space)
    assert len(doc) == 1
    for x, y in [(100, 10), (150, 12)]:
        click(qtbot, canvas, x, y)
    from .canvas_helpers import vp

    click(qtbot, canvas, 140, 70)
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, NO, vp(canvas, 140, 70))
    assert len(doc) == 2
    assert doc.shapes[1].points == [(100, 10), (150, 12), (140, 70)]


def test_polygon_escape_cancels_backspace_and_ctrl_z_remove_last_vertex(qtbot):
    canvas, doc = make_canvas(qtbot)
    # a window-level Ctrl+Z shortcut (as the main window has) must not steal Ctrl+Z while drawing
    undo_hits = []
    action = QAction("undo", canvas)
    action.setShortcut(QKeySequence("Ctrl+Z"))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    canvas.activateWindow()
    qtbot.waitUntil(canvas.isActiveWindow)
    canvas.setFocus()
    action.triggered.connect(lambda: undo_hits.append(1))
    canvas.addAction(action)
    canvas.set_tool("polygon")
    for x, y in [(10, 10), (80, 12), (70, 60), (20, 70)]:
        click(qtbot, canvas, x, y)
    key(qtbot, canvas, Qt.Key.Key_Backspace)
    key(qtbot, canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert canvas.tool.points and len(canvas.tool.points) == 2
    assert undo_hits == []
    click(qtbot, canvas, 30, 90)
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert doc.shapes[0].points == [(10, 10), (80, 12), (30, 90)]
    # Esc cancels a shape in progress
    for x, y in [(100, 10), (150, 12), (140, 70)]:
        click(qtbot, canvas, x, y)
    key(qtbot, canvas, Qt.Key.Key_Escape)
    assert not canvas.tool.is_busy()
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) == 1
    # with nothing drawn, Ctrl+Z reaches the window action
    key(qtbot, canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert undo_hits == [1]


def test_rectangle_two_clicks_drag_and_shift_square(qtbot):
    canvas, doc = make_canvas(qtbot)
    canvas.set_tool("rectangle")
    click(qtbot, canvas, 10, 20)
    click(qtbot, canvas, 60, 45)
    assert doc.shapes[0].shape_type == "rectangle"
    assert doc.shapes[0].points == [(10, 20), (60, 45)]
    drag(qtbot, canvas, (100, 20), (130, 80))
    assert doc.shapes[1].points == [(100, 20), (130, 80)]
    click(qtbot, canvas, 20, 100)
    click(qtbot, canvas, 50, 110, Qt.KeyboardModifier.ShiftModifier)
    assert doc.shapes[2].points == [(20, 100), (50, 130)]


def test_circle_line_point_linestrip(qtbot, tmp_path):
    canvas, doc = make_canvas(qtbot)
    canvas.set_tool("circle")
    click(qtbot, canvas, 50, 50)
    click(qtbot, canvas, 70, 50)
    canvas.set_tool("line")
    drag(qtbot, canvas, (10, 100), (90, 120))
    canvas.set_tool("point")
    click(qtbot, canvas, 150, 30)
    canvas.set_tool("linestrip")
    click(qtbot, canvas, 100, 100)
    click(qtbot, canvas, 120, 110)
    click(qtbot, canvas, 140, 100, Qt.KeyboardModifier.ControlModifier)  # Ctrl+click ends
    click(qtbot, canvas, 10, 140)
    click(qtbot, canvas, 30, 130)
    key(qtbot, canvas, Qt.Key.Key_Return)  # Enter ends
    types = [(s.shape_type, s.points) for s in doc.shapes]
    assert types == [
        ("circle", [(50, 50), (70, 50)]),
        ("line", [(10, 100), (90, 120)]),
        ("point", [(150, 30)]),
        ("linestrip", [(100, 100), (120, 110), (140, 100)]),
        ("linestrip", [(10, 140), (30, 130)]),
    ]
    path = tmp_path / "a.json"
    sa.save(doc.annotation, path)
    assert sa.load(path) == doc.annotation


def test_points_are_clamped_into_the_image(qtbot):
    canvas, doc = make_canvas(qtbot, zoom=1.0, size=(600, 500))
    canvas.set_tool("rectangle")
    click(qtbot, canvas, 150, 100)
    click(qtbot, canvas, W + 30, H + 40)
    assert doc.shapes[0].points == [(150, 100), (W - 1, H - 1)]


def test_label_provider_fills_label_or_discards(qtbot):
    canvas, doc = make_canvas(qtbot)
    seen = []

    def provider(shape):
        seen.append(shape.shape_type)
        if len(seen) == 1:
            shape.label, shape.group_id = "cat", 3
            return shape
        return None  # dialog cancelled

    canvas.label_provider = provider
    canvas.set_tool("point")
    click(qtbot, canvas, 20, 20)
    click(qtbot, canvas, 30, 30)
    assert seen == ["point", "point"]
    assert [(s.label, s.group_id) for s in doc.shapes] == [("cat", 3)]
    # drawing is one undo step
    doc.undo_stack.undo()
    assert len(doc) == 0
    doc.undo_stack.redo()
    assert doc.shapes[0].points == [(20, 20)]


def test_polygon_preview_snaps_to_the_first_vertex(qtbot):
    from .canvas_helpers import vp

    canvas, doc = make_canvas(qtbot)
    canvas.set_tool("polygon")
    for x, y in [(10, 10), (80, 12), (70, 60)]:
        click(qtbot, canvas, x, y)
    qtbot.mouseMove(canvas.viewport(), vp(canvas, 12, 12))
    assert canvas.tool.snapping() and canvas.tool.cursor_pos == canvas.tool.points[0]
    before = canvas.tool._item.path().elementCount()
    qtbot.mouseMove(canvas.viewport(), vp(canvas, 40, 40))
    assert not canvas.tool.snapping()
    assert canvas.tool._item.path().elementCount() < before  # the ring around vertex 1 is gone
    assert len(doc) == 0

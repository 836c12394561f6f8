"""Editing on the real canvas: select, rubber band, move, vertices, nudge, copy, hover, undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt

from .canvas_helpers import SQUARE, H, W, click, drag, key, make_canvas, poly, two_shapes, vp

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_click_ctrl_click_and_empty_click_select(qtbot):
    canvas, doc = two_shapes(qtbot)
    click(qtbot, canvas, 30, 30)
    assert doc.selected_indices() == [0]
    click(qtbot, canvas, 120, 80, CTRL)
    assert doc.selected_indices() == [0, 1]
    click(qtbot, canvas, 120, 80, CTRL)  # Ctrl+click again removes it
    assert doc.selected_indices() == [0]
    click(qtbot, canvas, 120, 80)
    assert doc.selected_indices() == [1]
    click(qtbot, canvas, 180, 140)  # empty
    assert doc.selected_indices() == []


def test_hidden_shape_is_not_hit(qtbot):
    canvas, doc = two_shapes(qtbot)
    doc.set_label_visible("a", False)
    click(qtbot, canvas, 30, 30)
    assert doc.selected_indices() == []
    doc.set_label_visible("a", True)
    doc.set_shape_visible(1, False)
    click(qtbot, canvas, 120, 80)
    assert doc.selected_indices() == []
    click(qtbot, canvas, 30, 30)
    assert doc.selected_indices() == [0]


def test_rubber_band_selects_shapes_inside(qtbot):
    canvas, doc = two_shapes(qtbot)
    drag(qtbot, canvas, (5, 5), (70, 55))
    assert doc.selected_indices() == [0]
    drag(qtbot, canvas, (5, 5), (70, 105))  # b only partly inside
    assert doc.selected_indices() == [0]
    drag(qtbot, canvas, (90, 55), (160, 110), CTRL)  # Ctrl adds
    assert doc.selected_indices() == [0, 1]
    assert not canvas.tool._preview  # rubber band preview removed
    assert canvas.item_at_index(0) is not None and canvas.item_at_index(1).selected


def test_drag_moves_shape_one_undo_step_exact(qtbot):
    canvas, doc = two_shapes(qtbot)
    before = list(doc.shapes[0].points)
    drag(qtbot, canvas, (30, 30), (45.5, 22), steps=6)
    assert doc.shapes[0].points == [(x + 15.5, y - 8) for x, y in before]
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.shapes[0].points == before
    doc.undo_stack.redo()
    assert doc.shapes[0].points == [(x + 15.5, y - 8) for x, y in before]


def test_move_stays_inside_image(qtbot):
    canvas, doc = two_shapes(qtbot, zoom=1.0, size=(500, 400))
    drag(qtbot, canvas, (30, 30), (30, -50))
    ys = [y for _, y in doc.shapes[0].points]
    assert min(ys) == 0


def test_drag_vertex_with_screen_pick_radius(qtbot):
    canvas, doc = two_shapes(qtbot)  # zoom 2: 10 screen px = 5 image px
    drag(qtbot, canvas, (63.5, 52.5), (80, 70))  # 3.5/2.5 px away from vertex (60, 50)
    assert doc.shapes[0].points[2] == (80 - 3.5, 70 - 2.5) or doc.shapes[0].points[2] == (80, 70)
    pts = doc.shapes[0].points
    assert pts[0] == (10, 10) and pts[1] == (60, 10) and pts[3] == (10, 50)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.shapes[0].points == [tuple(map(float, p)) for p in SQUARE]


def test_alt_click_inserts_and_alt_shift_click_deletes_vertex(qtbot):
    canvas, doc = two_shapes(qtbot)
    click(qtbot, canvas, 35, 11, ALT)  # on the top edge (y=10) within the pick radius
    assert doc.shapes[0].points == [(10, 10), (35, 10), (60, 10), (60, 50), (10, 50)]
    click(qtbot, canvas, 60, 50, ALT | SHIFT)
    assert doc.shapes[0].points == [(10, 10), (35, 10), (60, 10), (10, 50)]
    click(qtbot, canvas, 35, 10, ALT | SHIFT)
    assert len(doc.shapes[0].points) == 3
    click(qtbot, canvas, 10, 50, ALT | SHIFT)  # a polygon keeps 3 points
    assert len(doc.shapes[0].points) == 3
    for _ in range(3):
        doc.undo_stack.undo()
    assert doc.shapes[0].points == [tuple(map(float, p)) for p in SQUARE]


def test_alt_drag_inserts_then_moves_the_new_vertex_in_one_step(qtbot):
    canvas, doc = two_shapes(qtbot)
    drag(qtbot, canvas, (35, 10), (35, 0), ALT)
    assert doc.shapes[0].points[1] == (35, 0)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert len(doc.shapes[0].points) == 4


def test_arrow_keys_nudge_and_merge(qtbot):
    canvas, doc = two_shapes(qtbot)
    click(qtbot, canvas, 30, 30)
    key(qtbot, canvas, Qt.Key.Key_Right)
    key(qtbot, canvas, Qt.Key.Key_Right)
    key(qtbot, canvas, Qt.Key.Key_Down, SHIFT)
    assert doc.shapes[0].points[0] == (20, 11)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.shapes[0].points[0] == (10, 10)


def test_right_drag_copies_shape(qtbot):
    canvas, doc = two_shapes(qtbot)
    menus = []
    canvas.contextMenuRequested.connect(menus.append)
    drag(qtbot, canvas, (30, 30), (40, 90), button=Qt.MouseButton.RightButton)
    assert len(doc) == 3
    assert doc.shapes[0].points == [tuple(map(float, p)) for p in SQUARE]
    assert doc.shapes[2].points == [(x + 10.0, y + 60.0) for x, y in SQUARE]
    assert doc.selected_indices() == [2]
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert len(doc) == 2


def test_double_click_emits_signal(qtbot):
    canvas, doc = two_shapes(qtbot)
    with qtbot.waitSignal(canvas.shapeDoubleClicked) as sig:
        qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                          vp(canvas, 120, 80))
    assert sig.args == [1]


def test_nudge_stops_at_the_image_border(qtbot):
    canvas, doc = two_shapes(qtbot)
    click(qtbot, canvas, 30, 30)
    for _ in range(3):
        key(qtbot, canvas, Qt.Key.Key_Left)  # 10 px of room: 5 + 5 + 0
    assert min(x for x, _ in doc.shapes[0].points) == 0
    assert doc.undo_stack.count() == 1


def test_large_selection_is_drawn_batched_and_moves_together(qtbot):
    shapes = [poly(f"l{k % 3}", ((x, y), (x + 10, y), (x + 10, y + 10), (x, y + 10)))
              for k, (x, y) in enumerate((10 + 12 * (k % 15), 10 + 12 * (k // 15)) for k in range(150))]
    canvas, doc = make_canvas(qtbot, shapes)
    canvas.set_tool("edit")
    doc.select_all()
    assert len(doc.selected_indices()) == 150
    assert canvas.shape_items() == []  # no per-shape items for a large selection
    img = canvas.viewport().grab().toImage()
    assert not img.isNull()
    before = [list(s.points) for s in doc.shapes]
    drag(qtbot, canvas, (15, 15), (17, 16))  # from the middle of shape 0 (not near a vertex)
    assert all(s.points == [(x + 2, y + 1) for x, y in b] for s, b in zip(doc.shapes, before))
    doc.undo_stack.undo()
    assert [s.points for s in doc.shapes] == before
    doc.set_selection([0])
    assert len(canvas.shape_items()) == 1


def test_random_mouse_session_undoes_and_redoes_exactly(qtbot):
    import random

    from segcore.io import annotation as sa

    rng = random.Random(3)
    canvas, doc = two_shapes(qtbot)
    start = sa.dumps(doc.annotation)
    tools = ["edit", "edit", "edit", "polygon", "rectangle", "circle", "line", "linestrip", "point"]

    def pt():
        return (rng.randrange(0, 2 * W) / 2, rng.randrange(0, 2 * H) / 2)

    for _ in range(40):
        canvas.set_tool(rng.choice(tools))
        action = rng.randrange(6)
        mods = rng.choice([Qt.KeyboardModifier.NoModifier] * 4 + [CTRL, ALT, ALT | SHIFT])
        if action < 3:
            drag(qtbot, canvas, pt(), pt(), mods, steps=3)
        elif action < 5:
            click(qtbot, canvas, *pt(), mods)
        else:
            key(qtbot, canvas, rng.choice([Qt.Key.Key_Return, Qt.Key.Key_Escape, Qt.Key.Key_Left, Qt.Key.Key_Down]))
    canvas.set_tool("edit")
    end = sa.dumps(doc.annotation)
    n = doc.undo_stack.count()
    assert n > 5
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert sa.dumps(doc.annotation) == start
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert sa.dumps(doc.annotation) == end
    # the canvas shows exactly the document's shapes, and no cached outline is stale
    layer = canvas.shape_layer
    assert sorted(id(s) for s in layer.query(QRectF(-1e6, -1e6, 2e6, 2e6))) == sorted(id(s) for s in doc.shapes)
    canvas.viewport().repaint()
    for cell in layer._cells.values():
        for lod, paths in list(cell.paths.items()):
            fresh = layer._build(cell, lod)
            assert {k: p.elementCount() for k, p in paths.items()} == {k: p.elementCount() for k, p in fresh.items()}
            assert all(paths[k].boundingRect() == fresh[k].boundingRect() for k in paths)


def test_hover_highlights_shape_and_vertex(qtbot):
    canvas, doc = two_shapes(qtbot)
    w = canvas.viewport()
    qtbot.mouseMove(w, vp(canvas, 30, 30))
    item = canvas.item_at_index(0)
    assert item is not None and item.hovered and item.hover_vertex is None
    assert w.cursor().shape() == Qt.CursorShape.OpenHandCursor
    qtbot.mouseMove(w, vp(canvas, 61, 11))
    assert canvas.item_at_index(0).hover_vertex == 1
    assert w.cursor().shape() == Qt.CursorShape.PointingHandCursor
    qtbot.mouseMove(w, vp(canvas, 180, 140))
    assert canvas.item_at_index(0) is None  # back to the batched layer
    assert w.cursor().shape() == Qt.CursorShape.ArrowCursor


def test_a_drag_stays_one_undo_step_when_saved_half_way(qtbot):
    canvas, doc = two_shapes(qtbot)
    w = canvas.viewport()
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, pos=vp(canvas, 60, 50))
    qtbot.mouseMove(w, vp(canvas, 65, 55))
    doc.set_clean()  # an autosave lands during the drag
    qtbot.mouseMove(w, vp(canvas, 70, 60))
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, pos=vp(canvas, 70, 60))
    assert doc.shapes[0].points[2] == (70, 60)
    assert doc.undo_stack.count() == 1 and doc.is_dirty()
    doc.undo_stack.undo()
    assert doc.shapes[0].points[2] == (60, 50)


@pytest.mark.parametrize("zoom", [0.5, 4.0])
def test_vertex_pick_radius_is_ten_screen_pixels_at_any_zoom(qtbot, zoom):
    canvas, doc = two_shapes(qtbot, zoom=zoom)
    canvas.centerOn(QPointF(100, 60))
    near, far = 8 / zoom, 12 / zoom  # screen pixels -> image pixels
    drag(qtbot, canvas, (100, 60 - far), (90, 50), steps=1)
    assert doc.shapes[1].points[0] == (100, 60)  # 12 px away: not picked
    drag(qtbot, canvas, (100 - near, 60), (90, 50), steps=1)
    assert doc.shapes[1].points[0] == (90, 50)


def test_right_click_selects_the_shape_and_asks_for_the_menu(qtbot):
    canvas, doc = two_shapes(qtbot)
    menus = []
    canvas.contextMenuRequested.connect(menus.append)
    click(qtbot, canvas, 120, 80, button=Qt.MouseButton.RightButton)
    assert doc.selected_indices() == [1]
    from PySide6.QtGui import QContextMenuEvent

    p = vp(canvas, 120, 80)
    canvas.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, p, canvas.viewport().mapToGlobal(p)))
    assert len(menus) == 1

"""Editing on the real canvas: select, rubber band, move, vertices, nudge, copy, zoom, pan."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt

from .canvas_helpers import H, W, click, drag, key, make_canvas, poly, vp

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
SQUARE = ((10, 10), (60, 10), (60, 50), (10, 50))


def two_shapes(qtbot, **kw):
    a = poly("a", SQUARE)
    b = poly("b", ((100, 60), (150, 60), (150, 100), (100, 100)))
    canvas, doc = make_canvas(qtbot, [a, b], **kw)
    canvas.set_tool("edit")
    return canvas, doc


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


def test_zoom_at_cursor_keeps_point_under_cursor(qtbot):
    canvas, doc = two_shapes(qtbot, zoom=1.0, size=(400, 300))
    anchor = QPointF(123, 77)
    before = canvas._map_to_scene_f(anchor)
    for _ in range(5):
        canvas.zoom_by(1.1, anchor)
    after = canvas._map_to_scene_f(anchor)
    assert canvas.zoom() == pytest.approx(1.1 ** 5)
    assert abs(after.x() - before.x()) * canvas.zoom() <= 1.0  # within a screen pixel
    assert abs(after.y() - before.y()) * canvas.zoom() <= 1.0
    # Ctrl+wheel through a real wheel event
    from PySide6.QtGui import QWheelEvent

    z0 = canvas.zoom()
    before = canvas._map_to_scene_f(anchor)
    ev = QWheelEvent(anchor, canvas.viewport().mapToGlobal(anchor), QPoint(0, 0), QPoint(0, 120),
                     Qt.MouseButton.NoButton, CTRL, Qt.ScrollPhase.NoScrollPhase, False)
    canvas.wheelEvent(ev)
    assert canvas.zoom() == pytest.approx(z0 * 1.1)
    after = canvas._map_to_scene_f(anchor)
    assert abs(after.x() - before.x()) * canvas.zoom() <= 1.0
    # plain wheel scrolls, does not zoom
    ev = QWheelEvent(anchor, canvas.viewport().mapToGlobal(anchor), QPoint(0, 0), QPoint(0, -120),
                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    v0 = canvas.verticalScrollBar().value()
    canvas.wheelEvent(ev)
    assert canvas.zoom() == pytest.approx(z0 * 1.1)
    assert canvas.verticalScrollBar().value() > v0


def test_zoom_limits_fit_window_fit_width_and_original(qtbot):
    canvas, doc = two_shapes(qtbot, size=(420, 320))
    canvas.set_zoom(1000)
    assert canvas.zoom() == 32.0
    canvas.fit_window()
    vpr = canvas.viewport().rect()
    z = canvas.zoom()
    assert z == pytest.approx(min((vpr.width() - 2) / W, (vpr.height() - 2) / H))
    tl, br = canvas.mapFromScene(QPointF(0, 0)), canvas.mapFromScene(QPointF(W, H))
    assert vpr.contains(tl) and vpr.contains(br - QPoint(1, 1))
    canvas.fit_width()
    assert canvas.zoom() == pytest.approx((vpr.width() - 2) / W)
    canvas.zoom_original()
    assert canvas.zoom() == 1.0
    canvas.fit_window()
    canvas.resize(620, 520)  # fit mode follows the window size
    qtbot.waitUntil(lambda: canvas.zoom() > z * 1.2)


def test_middle_button_and_space_pan(qtbot):
    canvas, doc = two_shapes(qtbot)
    w = canvas.viewport()
    h0 = canvas.horizontalScrollBar().value()
    qtbot.mousePress(w, Qt.MouseButton.MiddleButton, pos=QPoint(200, 150))
    qtbot.mouseMove(w, QPoint(170, 150))
    qtbot.mouseRelease(w, Qt.MouseButton.MiddleButton, pos=QPoint(170, 150))
    assert canvas.horizontalScrollBar().value() == h0 + 30
    qtbot.keyPress(canvas, Qt.Key.Key_Space)
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))
    qtbot.mouseMove(w, QPoint(220, 150))
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, pos=QPoint(220, 150))
    qtbot.keyRelease(canvas, Qt.Key.Key_Space)
    assert canvas.horizontalScrollBar().value() == h0 + 10
    assert doc.selected_indices() == [] and doc.undo_stack.count() == 0


def test_brightness_contrast_is_display_only_and_pixel_value(qtbot):
    canvas, doc = two_shapes(qtbot)
    assert canvas.pixel_at(7.5, 3.2) == (7, 3, 0)
    assert canvas.image_layer.levels[0][3, 7].tolist() == [7, 3, 0]  # RGB for the smart tools
    before = canvas.grab().toImage()
    canvas.set_brightness_contrast(1.8, 1.3)
    after = canvas.grab().toImage()
    assert before != after
    assert canvas.pixel_at(7.5, 3.2) == (7, 3, 0)
    assert doc.undo_stack.count() == 0 and not doc.is_dirty()


def test_proposed_shape_and_every_type_paint(qtbot):
    from segcore.annotation import Shape

    shapes = [
        poly("p", SQUARE, proposed=True, score=0.5),
        Shape("c", [(100.0, 100.0), (110.0, 100.0)], "circle"),
        Shape("l", [(0.0, 0.0), (50.0, 90.0), (90.0, 10.0)], "linestrip"),
        Shape("pt", [(150.0, 20.0)], "point"),
        Shape("r", [(120.0, 10.0), (180.0, 40.0)], "rectangle"),
    ]
    import numpy as np

    m = np.zeros((11, 21), bool)
    m[2:8, 3:15] = True
    shapes.append(Shape("m", [(20.0, 100.0), (40.0, 110.0)], "mask", mask=m))
    canvas, doc = make_canvas(qtbot, shapes)
    img = canvas.grab().toImage()
    assert not img.isNull()
    canvas.set_tool("edit")
    click(qtbot, canvas, 150, 20)  # a point is picked by the radius
    assert doc.selected_indices() == [3]
    click(qtbot, canvas, 25.5, 45.5)  # near the linestrip's first segment (over the polygon)
    assert doc.selected_indices() == [2]


def test_large_upgrade_builds_in_background_and_crosshair_paints(qtbot, monkeypatch):
    from app.canvas import image_view

    canvas, doc = two_shapes(qtbot)
    monkeypatch.setattr(image_view, "ASYNC_ABOVE_PIXELS", 100)  # make this small upgrade "large"
    detail = np.full((H, W, 3), 200, np.uint8)
    with qtbot.waitSignal(canvas.imageReady, timeout=5000):
        canvas.set_image(detail, (W, H))
        assert canvas.pixel_at(7.5, 3.2) == (7, 3, 0)  # the old view stays until ready
    assert canvas.pixel_at(7.5, 3.2) == (200, 200, 200)
    canvas.set_crosshair(True)
    p = vp(canvas, 100, 75)
    qtbot.mouseMove(canvas.viewport(), p)
    img = canvas.viewport().grab().toImage()
    far = vp(canvas, 100, 10)  # same column, far from the cursor: on the vertical crosshair line
    assert img.pixelColor(far).getRgb()[:3] != (200, 200, 200)
    canvas.set_crosshair(False)
    img = canvas.viewport().grab().toImage()
    assert img.pixelColor(far).getRgb()[:3] == (200, 200, 200)


def test_nudge_stops_at_the_image_border(qtbot):
    canvas, doc = two_shapes(qtbot)
    click(qtbot, canvas, 30, 30)
    for _ in range(3):
        key(qtbot, canvas, Qt.Key.Key_Left)  # 10 px of room: 5 + 5 + 0
    assert min(x for x, _ in doc.shapes[0].points) == 0
    assert doc.undo_stack.count() == 1


def test_pixels_are_crisp_at_3200_percent(qtbot):
    import numpy as np

    canvas, doc = make_canvas(qtbot, [])
    board = np.zeros((H, W, 3), np.uint8)
    board[::2, ::2] = 255
    board[1::2, 1::2] = 255
    canvas.set_image(board)
    canvas.set_zoom(32.0)
    canvas.centerOn(QPointF(20.5, 20.5))
    img = canvas.viewport().grab().toImage()
    p = canvas.mapFromScene(QPointF(20, 20))  # top-left corner of image pixel (20, 20): white
    inner = [img.pixelColor(p.x() + dx, p.y() + dy).getRgb()[:3] for dx in (1, 16, 30) for dy in (1, 16, 30)]
    assert set(inner) == {(255, 255, 255)}  # no blending inside a pixel
    nxt = img.pixelColor(p.x() + 33, p.y() + 16).getRgb()[:3]  # pixel (21, 20): black
    assert nxt == (0, 0, 0)


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

    from segcore import annotation as sa

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


def test_strip_repaint_matches_full_repaint_inside_the_strip(qtbot, monkeypatch):
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    from app.canvas import shape_layer

    monkeypatch.setattr(shape_layer, "MIN_CELL", 20.0)  # many cells on this small image

    shapes = [poly(f"l{k % 4}", ((x, y), (x + 9, y + 2), (x + 5, y + 9))) for k, (x, y) in
              enumerate((3 + 11 * (k % 17), 3 + 11 * (k // 17)) for k in range(170))]
    canvas, doc = make_canvas(qtbot, shapes)
    layer = canvas.shape_layer

    def render(strips):
        img = QImage(W * 2, H * 2, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(0)
        p = QPainter(img)
        p.scale(2, 2)
        opt = QStyleOptionGraphicsItem()
        opt.exposedRect = QRectF(0, 0, W, H)
        layer.exposed_rects = strips
        layer.paint(p, opt)
        layer.exposed_rects = None
        p.end()
        return img

    full = render(None)
    strips = [QRectF(0, 40, 80, 12), QRectF(120, 0, 15, 60)]  # two strips (as a scroll exposes)
    part = render(strips)
    checked = 0
    for r in strips:
        for y in range(int(r.top()) * 2, int(r.bottom()) * 2, 3):
            for x in range(int(r.left()) * 2, min(int(r.right()) * 2, W * 2), 3):
                assert part.pixel(x, y) == full.pixel(x, y)
                checked += full.pixel(x, y) != 0
    assert checked > 20  # outlines were really compared
    assert part != full  # and the cells far from the strips were skipped


@pytest.mark.parametrize("zoom", [0.5, 4.0])
def test_vertex_pick_radius_is_ten_screen_pixels_at_any_zoom(qtbot, zoom):
    canvas, doc = two_shapes(qtbot, zoom=zoom)
    canvas.centerOn(QPointF(100, 60))
    near, far = 8 / zoom, 12 / zoom  # screen pixels -> image pixels
    drag(qtbot, canvas, (100, 60 - far), (90, 50), steps=1)
    assert doc.shapes[1].points[0] == (100, 60)  # 12 px away: not picked
    drag(qtbot, canvas, (100 - near, 60), (90, 50), steps=1)
    assert doc.shapes[1].points[0] == (90, 50)


def test_zoom_gesture_scales_the_last_frame_in_place_then_repaints_crisp(qtbot):
    from segcore.annotation import Shape

    line = Shape("l", [(20.0, 70.0), (180.0, 70.0)], "line")
    canvas, doc = make_canvas(qtbot, [line], zoom=2.0)
    canvas.set_image(np.zeros((H, W, 3), np.uint8))
    layer = canvas.shape_layer
    canvas.viewport().grab()  # a full frame: kept for the next zoom gesture
    kept = layer._snap
    assert kept is not None

    def line_rows(img, x):
        return [y for y in range(img.height()) if img.pixelColor(x, y).red() > 40]

    canvas.zoom_by(1.25, QPointF(210, 100))
    assert layer.zooming
    mid = canvas.viewport().grab().toImage()  # drawn from the kept frame, scaled
    assert layer._snap is kept
    canvas._zoom_settled()
    assert not layer.zooming
    crisp = canvas.viewport().grab().toImage()
    assert layer._snap is not kept  # rendered anew
    x = canvas.mapFromScene(QPointF(100, 70)).x()
    rows_mid, rows_crisp = line_rows(mid, x), line_rows(crisp, x)
    assert rows_crisp and rows_mid
    assert abs(sum(rows_mid) / len(rows_mid) - sum(rows_crisp) / len(rows_crisp)) <= 1.0
    # an edit drops the kept frame (it would be stale)
    from app import commands as cmd

    doc.push(cmd.MoveShapes(doc, [0], 0, 5))
    assert layer._snap is None


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


def test_point_shapes_are_batched_dots_until_selected(qtbot):
    from segcore.annotation import Shape

    pts = [Shape("p", [(20.0 + 10 * k, 120.0)], "point") for k in range(12)]
    canvas, doc = make_canvas(qtbot, pts)
    canvas.set_image(np.zeros((H, W, 3), np.uint8))
    canvas.set_tool("edit")
    assert canvas.shape_items() == []
    img = canvas.viewport().grab().toImage()
    c = img.pixelColor(vp(canvas, 50, 120))
    assert c.getRgb()[:3] == doc.colours.rgb("p")  # a dot in the label's colour
    click(qtbot, canvas, 50, 121)
    assert doc.selected_indices() == [3] and len(canvas.shape_items()) == 1

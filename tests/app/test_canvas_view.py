"""Viewing on the real canvas: zoom, fit, pan, brightness/contrast, and what gets painted (crisp
pixels, strip repaints, batched shapes, the large-image upgrade)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt

from .canvas_helpers import SQUARE, H, W, click, make_canvas, poly, two_shapes, vp

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier


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
    from segcore.io.annotation import Shape

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
    from segstudio.canvas import image_view

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


def test_strip_repaint_matches_full_repaint_inside_the_strip(qtbot, monkeypatch):
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    from segstudio.canvas import shape_layer

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


def test_zoom_gesture_scales_the_last_frame_in_place_then_repaints_crisp(qtbot):
    from segcore.io.annotation import Shape

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
    from segstudio import undo_commands as cmd

    doc.push(cmd.MoveShapes(doc, [0], 0, 5))
    assert layer._snap is None


def test_point_shapes_are_batched_dots_until_selected(qtbot):
    from segcore.io.annotation import Shape

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

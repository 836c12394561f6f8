"""Shared helpers for the canvas tests: a shown canvas over a document, and scene->viewport
mapping for pytest-qt mouse events."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from segcore.io.annotation import Annotation, Shape
from segstudio.canvas import Canvas
from segstudio.document import Document

W, H = 200, 150


def make_canvas(qtbot, shapes: list[Shape] | None = None, zoom: float = 2.0, size=(420, 320)):
    """A visible canvas at ``zoom`` (a power of two keeps the scene<->view mapping exact)."""
    doc = Document(Annotation(shapes=list(shapes or []), image_width=W, image_height=H, image_path="img.png"))
    canvas = Canvas()
    qtbot.addWidget(canvas)
    canvas.resize(*size)
    with qtbot.waitExposed(canvas):
        canvas.show()
    canvas.set_document(doc)
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[..., 0] = np.arange(W, dtype=np.uint8)[None, :]
    rgb[..., 1] = np.arange(H, dtype=np.uint8)[:, None]
    canvas.set_image(rgb)
    canvas.set_zoom(zoom)
    canvas.centerOn(QPointF(W / 2, H / 2))
    return canvas, doc


def vp(canvas: Canvas, x: float, y: float) -> QPoint:
    """Viewport position of scene point (x, y); asserts the mapping is exact."""
    p = canvas.mapFromScene(QPointF(x, y))
    back = canvas.mapToScene(p)
    assert abs(back.x() - x) < 1e-6 and abs(back.y() - y) < 1e-6, (x, y, back)
    return p


def click(qtbot, canvas, x, y, mods=Qt.KeyboardModifier.NoModifier, button=Qt.MouseButton.LeftButton):
    qtbot.mouseClick(canvas.viewport(), button, mods, vp(canvas, x, y))


def drag(qtbot, canvas, a, b, mods=Qt.KeyboardModifier.NoModifier, button=Qt.MouseButton.LeftButton, steps=4):
    """Press at scene point a, move in ``steps`` to b, release."""
    w = canvas.viewport()
    qtbot.mousePress(w, button, mods, vp(canvas, *a))
    for k in range(1, steps + 1):
        x = round((a[0] + (b[0] - a[0]) * k / steps) * 2) / 2  # on the half-pixel grid (exact at 200%)
        y = round((a[1] + (b[1] - a[1]) * k / steps) * 2) / 2
        qtbot.mouseMove(w, vp(canvas, x, y))
    qtbot.mouseRelease(w, button, mods, vp(canvas, *b))


def key(qtbot, canvas, k, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(canvas, k, mods)


def poly(label: str = "a", pts=((10, 10), (60, 10), (60, 50), (10, 50)), **kw) -> Shape:
    return Shape(label=label, points=[(float(x), float(y)) for x, y in pts], **kw)


SQUARE = ((10, 10), (60, 10), (60, 50), (10, 50))


def two_shapes(qtbot, **kw):
    """An edit-mode canvas holding square ``a`` and rectangle ``b``, apart from each other."""
    a = poly("a", SQUARE)
    b = poly("b", ((100, 60), (150, 60), (150, 100), (100, 100)))
    canvas, doc = make_canvas(qtbot, [a, b], **kw)
    canvas.set_tool("edit")
    return canvas, doc

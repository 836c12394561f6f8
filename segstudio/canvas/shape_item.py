"""One ``QGraphicsItem`` per shape, painted from a cached path.

Items sit at the scene origin with their geometry in scene (= image pixel) coordinates. The
path is built once per geometry change; painting is a fill plus a cosmetic (screen-width)
stroke, with a level-of-detail shortcut for shapes smaller than a few screen pixels. Vertex
handles are drawn only for selected or hovered shapes, at a constant screen size, so thousands
of unselected shapes cost one path each. Proposed shapes (``shape.proposed``) are dashed.

Only shapes that need it get an item (selected, hovered, circles, masks); the
others are drawn in batches by :class:`segstudio.canvas.shape_layer.ShapeLayer`. Hit tests live in
:mod:`segstudio.canvas.geometry`.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from segcore.io.annotation import Shape

from . import geometry
from .geometry import AREA_TYPES, canvas_kind, has_inside, shape_path  # noqa: F401 - AREA_TYPES re-exported

HANDLE_PX = 8.0  # vertex handle size on screen
POINT_PX = 4.0  # radius of a point shape on screen


def _mask_image(shape: Shape, colour: QColor) -> QImage | None:
    if shape.mask is None:
        return None
    m = np.asarray(shape.mask, dtype=bool)
    h, w = m.shape
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[m] = (colour.red(), colour.green(), colour.blue(), 110)
    img = QImage(rgba.data, w, h, w * 4, QImage.Format.Format_RGBA8888)
    return img.copy()


class ShapeItem(QGraphicsItem):
    """Displays one :class:`Shape`. The canvas keeps it in sync with the document."""

    def __init__(self, shape: Shape, colour: QColor):
        super().__init__()
        self.shape_ref = shape
        self.colour = QColor(colour)
        self.selected = False
        self.hovered = False
        self.hover_vertex: int | None = None
        self._pad = 1.0  # scene units around the path for handles / points (set by the canvas)
        self._path = QPainterPath()
        self._rect = QRectF()
        self._mask_img: QImage | None = None
        self._pens: dict[tuple, QPen] = {}
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, False)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.set_shape(shape)

    # ------------------------------------------------------------------ state
    def set_shape(self, shape: Shape) -> None:
        """Rebuild the cached path after the shape's geometry changed."""
        self.prepareGeometryChange()
        self.shape_ref = shape
        self._points_ref = shape.points
        self._proposed = shape.proposed
        self._mask_ref = shape.mask
        self._pens.clear()
        self._path = shape_path(shape)
        self._rect = self._path.boundingRect()
        self._mask_img = _mask_image(shape, self.colour) if canvas_kind(shape).pixels else None
        self.update()

    def sync(self, shape: Shape) -> None:
        """Rebuild when the shape's geometry or proposal state changed (value rule)."""
        if shape.points is not self._points_ref or shape.proposed != self._proposed or shape.mask is not self._mask_ref:
            self.set_shape(shape)

    def set_colour(self, colour: QColor) -> None:
        if colour != self.colour:
            self.colour = QColor(colour)
            self._pens.clear()
            if self._mask_img is not None:
                self._mask_img = _mask_image(self.shape_ref, self.colour)
            self.update()

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()

    def set_hovered(self, on: bool, vertex: int | None = None) -> None:
        if on != self.hovered or vertex != self.hover_vertex:
            self.hovered = on
            self.hover_vertex = vertex
            self.update()

    def set_pad(self, pad: float) -> None:
        """Scene-unit margin for screen-sized decorations (the canvas sets it on zoom)."""
        if abs(pad - self._pad) > 1e-9:
            self.prepareGeometryChange()
            self._pad = pad

    def needs_pad(self) -> bool:
        """True when the item draws screen-sized decorations (handles, point dots)."""
        return self.selected or self.hovered or canvas_kind(self.shape_ref).dot

    @property
    def path(self) -> QPainterPath:
        return self._path

    # ------------------------------------------------------------------ QGraphicsItem
    def boundingRect(self) -> QRectF:
        p = self._pad
        return self._rect.adjusted(-p, -p, p, p)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        s = self.shape_ref
        t = QTransform(painter.worldTransform())  # a copy: save/reset below must not alter it
        scale = math.hypot(t.m11(), t.m12()) or 1.0
        c = self.colour
        ck = canvas_kind(s)
        # level of detail: a shape under ~3 screen pixels is a dot
        if max(self._rect.width(), self._rect.height()) * scale < 3.0 and not ck.dot:
            painter.fillRect(self._rect.adjusted(-0.5 / scale, -0.5 / scale, 0.5 / scale, 0.5 / scale), c)
            return
        if self._mask_img is not None:
            (x1, y1), (x2, y2) = s.points
            painter.drawImage(QRectF(min(x1, x2), min(y1, y2), self._mask_img.width(), self._mask_img.height()),
                              self._mask_img)
        painter.setPen(self._pen(s.proposed))
        if not ck.pixels and has_inside(s) and (self.selected or self.hovered):
            # LabelMe fills only the selected and the hovered shape (a degenerate one has no inside)
            alpha = 110 if self.selected else 80
            painter.setBrush(QColor(c.red(), c.green(), c.blue(), alpha))
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
        if ck.dot:
            r = POINT_PX / scale
            painter.setBrush(c)
            painter.drawEllipse(QPointF(*s.points[0]), r, r)
        else:
            painter.drawPath(self._path)
        if self.selected or self.hovered:
            self._paint_handles(painter, t)

    def _pen(self, proposed: bool) -> QPen:
        key = (proposed, self.selected, self.hovered)
        pen = self._pens.get(key)
        if pen is None:
            c = self.colour
            pen = QPen(QColor(255, 255, 255) if self.selected else QColor(c.red(), c.green(), c.blue()))
            pen.setCosmetic(True)
            pen.setWidthF(2.0 if (self.selected or self.hovered) else 1.0)
            if proposed:
                pen.setStyle(Qt.PenStyle.DashLine)
            self._pens[key] = pen
        return pen

    def _paint_handles(self, painter: QPainter, t: QTransform) -> None:
        """Vertex squares of constant screen size, all in one path (fast for big polygons)."""
        pts = np.asarray(self.shape_ref.points, dtype=np.float64).reshape(-1, 2)
        if not len(pts):
            return
        dev = np.empty_like(pts)
        dev[:, 0] = t.m11() * pts[:, 0] + t.m21() * pts[:, 1] + t.dx()
        dev[:, 1] = t.m12() * pts[:, 0] + t.m22() * pts[:, 1] + t.dy()
        h = HANDLE_PX / 2
        square = np.array([[-h, -h], [h, -h], [h, h], [-h, h], [-h, -h]])
        squares = dev[:, None, :] + square[None, :, :]
        if self.hover_vertex is not None and 0 <= self.hover_vertex < len(pts):
            squares[self.hover_vertex] = dev[self.hover_vertex] + square * 1.5
        path = geometry.polylines_path(list(squares))
        painter.save()
        painter.resetTransform()
        painter.setPen(QPen(QColor(0, 0, 0), 1))
        painter.setBrush(QBrush(self.colour if not self.selected else QColor(255, 255, 255)))
        path.setFillRule(Qt.FillRule.WindingFill)
        painter.drawPath(path)
        painter.restore()

    # ------------------------------------------------------------------ hit tests (scene units)
    def vertex_at(self, pos: QPointF, radius: float) -> int | None:
        """Index of the nearest vertex within ``radius``, or None."""
        return geometry.vertex_at(self.shape_ref, pos, radius)

    def edge_at(self, pos: QPointF, radius: float) -> tuple[int, tuple[float, float]] | None:
        """``(insert_index, projected point)`` on the nearest edge within ``radius``."""
        return geometry.edge_at(self.shape_ref, pos, radius)

    def hit(self, pos: QPointF, radius: float) -> bool:
        """True when ``pos`` is inside an area shape or within ``radius`` of its outline."""
        return geometry.hit(self.shape_ref, pos, max(radius, 1e-9))

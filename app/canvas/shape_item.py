"""One ``QGraphicsItem`` per shape, painted from a cached path.

Items sit at the scene origin with their geometry in scene (= image pixel) coordinates. The
path is built once per geometry change; painting is a fill plus a cosmetic (screen-width)
stroke, with a level-of-detail shortcut for shapes smaller than a few screen pixels. Vertex
handles are drawn only for selected or hovered shapes, at a constant screen size, so thousands
of unselected shapes cost one path each. Proposed shapes (``shape.proposed``) are dashed.

Geometry helpers used by the tools: :meth:`ShapeItem.hit`, :meth:`ShapeItem.vertex_at`,
:meth:`ShapeItem.edge_at`, plus :func:`shape_path`.
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
    QPainterPathStroker,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from segcore.annotation import Shape

HANDLE_PX = 8.0  # vertex handle size on screen
POINT_PX = 4.0  # radius of a point shape on screen
AREA_TYPES = ("polygon", "rectangle", "circle", "oriented_rectangle", "mask")


def shape_path(shape: Shape) -> QPainterPath:
    """The outline of ``shape`` in image coordinates (open for line/linestrip)."""
    pts = [QPointF(float(x), float(y)) for x, y in shape.points]
    path = QPainterPath()
    t = shape.shape_type
    if not pts:
        return path
    if t in ("rectangle", "mask") and len(pts) >= 2:
        path.addRect(QRectF(pts[0], pts[1]).normalized())
    elif t == "circle" and len(pts) >= 2:
        r = math.hypot(pts[1].x() - pts[0].x(), pts[1].y() - pts[0].y())
        path.addEllipse(pts[0], r, r)
    elif t == "point":
        path.moveTo(pts[0])
        path.lineTo(pts[0])
    elif t in ("line", "linestrip"):
        path.addPolygon(QPolygonF(pts))
    else:  # polygon, oriented_rectangle
        path.addPolygon(QPolygonF(pts))
        path.closeSubpath()
    return path


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
        self._path = shape_path(shape)
        self._rect = self._path.boundingRect()
        self._mask_img = _mask_image(shape, self.colour) if shape.shape_type == "mask" else None
        self.update()

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
        return self.selected or self.hovered or self.shape_ref.shape_type == "point"

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
        area = s.shape_type in AREA_TYPES
        # level of detail: a shape under ~3 screen pixels is a dot
        if max(self._rect.width(), self._rect.height()) * scale < 3.0 and s.shape_type != "point":
            painter.fillRect(self._rect.adjusted(-0.5 / scale, -0.5 / scale, 0.5 / scale, 0.5 / scale), c)
            return
        if self._mask_img is not None:
            (x1, y1), (x2, y2) = s.points
            painter.drawImage(QRectF(min(x1, x2), min(y1, y2), self._mask_img.width(), self._mask_img.height()),
                              self._mask_img)
        painter.setPen(self._pen(s.proposed))
        if area and s.shape_type != "mask":
            alpha = 120 if self.selected else (90 if self.hovered else (30 if s.proposed else 60))
            painter.setBrush(QColor(c.red(), c.green(), c.blue(), alpha))
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
        if s.shape_type == "point":
            r = POINT_PX / scale
            painter.setBrush(c)
            painter.drawEllipse(QPointF(*s.points[0]), r, r)
        else:
            painter.drawPath(self._path)
        if self.selected or self.hovered:
            self._paint_handles(painter, t)

    def _pen(self, proposed: bool) -> QPen:
        key = (proposed, self.selected)
        pen = self._pens.get(key)
        if pen is None:
            c = self.colour
            pen = QPen(QColor(255, 255, 255) if self.selected else QColor(c.red(), c.green(), c.blue()))
            pen.setCosmetic(True)
            pen.setWidthF(2.0)
            if proposed:
                pen.setStyle(Qt.PenStyle.DashLine)
            self._pens[key] = pen
        return pen

    def _paint_handles(self, painter: QPainter, t) -> None:
        painter.save()
        painter.resetTransform()
        h = HANDLE_PX
        painter.setPen(QPen(QColor(0, 0, 0), 1))
        painter.setBrush(QBrush(self.colour if not self.selected else QColor(255, 255, 255)))
        for k, (x, y) in enumerate(self.shape_ref.points):
            d = t.map(QPointF(x, y))
            size = h * 1.5 if k == self.hover_vertex else h
            painter.drawRect(QRectF(d.x() - size / 2, d.y() - size / 2, size, size))
        painter.restore()

    # ------------------------------------------------------------------ hit tests (scene units)
    def vertex_at(self, pos: QPointF, radius: float) -> int | None:
        """Index of the nearest vertex within ``radius``, or None."""
        best, best_d = None, radius
        for k, (x, y) in enumerate(self.shape_ref.points):
            d = math.hypot(x - pos.x(), y - pos.y())
            if d <= best_d:
                best, best_d = k, d
        return best

    def edge_at(self, pos: QPointF, radius: float) -> tuple[int, tuple[float, float]] | None:
        """``(insert_index, projected point)`` for the nearest edge within ``radius`` (polygons
        and linestrips only), or None."""
        s = self.shape_ref
        if s.shape_type not in ("polygon", "linestrip"):
            return None
        pts = s.points
        n = len(pts)
        segs = range(n if s.shape_type == "polygon" else n - 1)
        best, best_d = None, radius
        px, py = pos.x(), pos.y()
        for k in segs:
            (ax, ay), (bx, by) = pts[k], pts[(k + 1) % n]
            dx, dy = bx - ax, by - ay
            ll = dx * dx + dy * dy
            u = 0.0 if ll == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / ll))
            qx, qy = ax + u * dx, ay + u * dy
            d = math.hypot(px - qx, py - qy)
            if d <= best_d:
                best, best_d = (k + 1, (qx, qy)), d
        return best

    def hit(self, pos: QPointF, radius: float) -> bool:
        """True when ``pos`` is inside an area shape or within ``radius`` of its outline."""
        s = self.shape_ref
        if not self._rect.adjusted(-radius, -radius, radius, radius).contains(pos):
            return False
        if s.shape_type in AREA_TYPES and self._path.contains(pos):
            return True
        if s.shape_type == "point":
            x, y = s.points[0]
            return math.hypot(x - pos.x(), y - pos.y()) <= max(radius, POINT_PX)
        stroker = QPainterPathStroker()
        stroker.setWidth(2 * radius)
        stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
        stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return stroker.createStroke(self._path).contains(pos)

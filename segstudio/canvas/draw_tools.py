"""Drawing tools, LabelMe style: polygon, rectangle, circle, line, linestrip, point.

- polygon: click adds a vertex; clicking within the pick radius of the first vertex closes it
  (Alt held disables that snapping); Enter, Space or a double-click finish; Esc cancels;
  Backspace or Ctrl+Z remove the last vertex.
- rectangle / circle / line: two clicks, or press-drag-release. Shift makes a rectangle square.
  Circle: centre first, then a point on the circle.
- linestrip: clicks add points; Ctrl+click adds a last point and ends; Enter or double-click end.
- point: one click.

Points are clamped into the image (``[0, w-1] x [0, h-1]``, as LabelMe does).

A finished shape's outline stays painted while its label is asked (the label dialog is modal)
and goes away once the shape is added or the dialog is cancelled.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from segcore.io.annotation import Shape

from .geometry import canvas_kind, shape_path
from .tools import Tool, ToolEvent, register_tool

_FINISH_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)


def _preview_pen() -> QPen:
    pen = QPen(QColor(0, 255, 0))
    pen.setCosmetic(True)
    pen.setWidthF(2.0)
    return pen


def _is_undo_key(ev: QKeyEvent) -> bool:
    return ev.key() == Qt.Key.Key_Z and bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)


def _label_and_add(tool: Tool, shape: Shape, item: QGraphicsPathItem | None = None) -> None:
    """Hand ``shape`` to the canvas (which asks its label) with its outline shown meanwhile in
    ``item`` (or a new preview item); the outline goes when the canvas is done."""
    if item is None or item.scene() is None:
        item = QGraphicsPathItem()
        item.setPen(_preview_pen())
        tool.add_preview(item)
    if canvas_kind(shape).dot:  # a ring, as a bare point would hardly show
        r = 4.0 / max(tool.canvas.zoom(), 1e-9)
        path = QPainterPath()
        path.addEllipse(QPointF(*shape.points[0]), r, r)
        item.setPath(path)
    else:
        item.setPath(shape_path(shape))
    try:
        tool.canvas.finish_shape(shape)
    finally:
        tool.cancel()


class _PathTool(Tool):
    """Shared: a list of points, a preview path, finishing through the canvas."""

    shape_type = "polygon"
    closed = True
    cursor = Qt.CursorShape.CrossCursor
    creates_shapes = True

    def __init__(self, canvas):
        super().__init__(canvas)
        self.points: list[QPointF] = []
        self.cursor_pos: QPointF | None = None
        self._item: QGraphicsPathItem | None = None

    def is_busy(self) -> bool:
        return bool(self.points)

    def cancel(self) -> None:
        self.points = []
        self._item = None
        super().cancel()

    def _update_preview(self) -> None:
        if self._item is None:
            self._item = QGraphicsPathItem()
            self._item.setPen(_preview_pen())
            self.add_preview(self._item)
        self._item.setPath(self.preview_path())

    def preview_path(self) -> QPainterPath:
        path = QPainterPath()
        pts = list(self.points)
        if self.cursor_pos is not None and pts:
            pts.append(self.cursor_pos)
        if pts:
            path.moveTo(pts[0])
            for p in pts[1:]:
                path.lineTo(p)
        # the vertices placed so far (screen-sized squares), as LabelMe shows them
        h = 3.0 / max(self.canvas.zoom(), 1e-9)
        for p in self.points:
            path.addRect(QRectF(p.x() - h, p.y() - h, 2 * h, 2 * h))
        if self.snapping():  # the shape will close on this click: ring the first vertex
            f = self.points[0]
            path.addEllipse(f, 3 * h, 3 * h)
        return path

    def snapping(self) -> bool:
        """True when the cursor sits on the first vertex and a click would close the shape."""
        return False

    def finish(self, points: list[QPointF] | None = None) -> None:
        pts = [(p.x(), p.y()) for p in (points if points is not None else self.points)]
        item = self._item
        self.points, self.cursor_pos, self._item = [], None, None  # no longer drawing
        _label_and_add(self, Shape(label="", points=pts, shape_type=self.shape_type), item)

    def _pop_last(self) -> None:
        if self.points:
            self.points.pop()
        if not self.points:
            self.cancel()
        else:
            self._update_preview()


class PolygonTool(_PathTool):
    shape_type = "polygon"

    def _near_first(self, p: QPointF, ev: ToolEvent) -> bool:
        if len(self.points) < 3 or ev.alt:
            return False
        f = self.points[0]
        return math.hypot(f.x() - p.x(), f.y() - p.y()) <= self.canvas.pick_radius()

    def snapping(self) -> bool:
        return len(self.points) >= 3 and self.cursor_pos is not None and _close(self.cursor_pos, self.points[0])

    def press(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        p = self.canvas.clamp_to_image(ev.pos)
        if self._near_first(p, ev):
            self.finish()
            return True
        self.points.append(p)
        self.cursor_pos = p
        self._update_preview()
        return True

    def move(self, ev: ToolEvent) -> bool:
        if not self.points:
            return False
        p = self.canvas.clamp_to_image(ev.pos)
        self.cursor_pos = self.points[0] if self._near_first(p, ev) else p
        self._update_preview()
        return True

    def double_click(self, ev: ToolEvent) -> bool:
        # the double-click's press already added a vertex at the same place: drop it
        if len(self.points) >= 2 and _close(self.points[-1], self.points[-2]):
            self.points.pop()
        if len(self.points) >= 3:
            self.finish()
        return True

    def key_press(self, ev: QKeyEvent) -> bool:
        if not self.points:
            return False
        k = ev.key()
        if k in _FINISH_KEYS:
            if len(self.points) >= 3:
                self.finish()
            return True
        if k == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if k == Qt.Key.Key_Backspace or _is_undo_key(ev):
            self._pop_last()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return bool(self.points) and (
            ev.key() in (*_FINISH_KEYS, Qt.Key.Key_Escape, Qt.Key.Key_Backspace) or _is_undo_key(ev)
        )


class LinestripTool(PolygonTool):
    shape_type = "linestrip"

    def _near_first(self, p, ev) -> bool:
        return False

    def snapping(self) -> bool:
        return False

    def press(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        if ev.ctrl and self.points:
            self.points.append(self.canvas.clamp_to_image(ev.pos))
            self.finish()
            return True
        return super().press(ev)

    def double_click(self, ev: ToolEvent) -> bool:
        if len(self.points) >= 2 and _close(self.points[-1], self.points[-2]):
            self.points.pop()
        if len(self.points) >= 2:
            self.finish()
        return True

    def key_press(self, ev: QKeyEvent) -> bool:
        if self.points and ev.key() in _FINISH_KEYS:
            if len(self.points) >= 2:
                self.finish()
            return True
        return super().key_press(ev)


class _TwoPointTool(_PathTool):
    """Two clicks, or press-drag-release."""

    DRAG_PX = 4.0

    def __init__(self, canvas):
        super().__init__(canvas)
        self._press_view = None

    def second_point(self, p: QPointF, ev: ToolEvent) -> QPointF:
        return p

    def press(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        p = self.canvas.clamp_to_image(ev.pos)
        if not self.points:
            self.points = [p]
            self.cursor_pos = p
            self._press_view = self.canvas.mapFromScene(ev.pos)
            self._update_preview()
        else:
            q = self.second_point(p, ev)
            if not _close(q, self.points[0]):
                self.finish([self.points[0], q])
        return True

    def move(self, ev: ToolEvent) -> bool:
        if not self.points:
            return False
        self.cursor_pos = self.second_point(self.canvas.clamp_to_image(ev.pos), ev)
        self._update_preview()
        return True

    def release(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton or not self.points or self._press_view is None:
            return False
        v = self.canvas.mapFromScene(ev.pos)
        dragged = math.hypot(v.x() - self._press_view.x(), v.y() - self._press_view.y()) > self.DRAG_PX
        self._press_view = None
        if dragged:
            q = self.second_point(self.canvas.clamp_to_image(ev.pos), ev)
            if not _close(q, self.points[0]):
                self.finish([self.points[0], q])
        return True

    def key_press(self, ev: QKeyEvent) -> bool:
        if self.points and ev.key() == Qt.Key.Key_Escape:
            self.cancel()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return bool(self.points) and ev.key() == Qt.Key.Key_Escape


class RectangleTool(_TwoPointTool):
    shape_type = "rectangle"

    def second_point(self, p: QPointF, ev: ToolEvent) -> QPointF:
        if not ev.shift or not self.points:
            return p
        a = self.points[0]
        dx, dy = p.x() - a.x(), p.y() - a.y()
        side = max(abs(dx), abs(dy))
        q = QPointF(a.x() + math.copysign(side, dx or 1), a.y() + math.copysign(side, dy or 1))
        clamped = self.canvas.clamp_to_image(q)
        if clamped != q:  # keep it square inside the image
            side = min(abs(clamped.x() - a.x()), abs(clamped.y() - a.y()))
            q = QPointF(a.x() + math.copysign(side, dx or 1), a.y() + math.copysign(side, dy or 1))
        return q

    def preview_path(self) -> QPainterPath:
        path = QPainterPath()
        if self.points and self.cursor_pos is not None:
            path.addRect(QRectF(self.points[0], self.cursor_pos).normalized())
        return path


class CircleTool(_TwoPointTool):
    shape_type = "circle"

    def preview_path(self) -> QPainterPath:
        path = QPainterPath()
        if self.points and self.cursor_pos is not None:
            c, q = self.points[0], self.cursor_pos
            r = math.hypot(q.x() - c.x(), q.y() - c.y())
            path.addEllipse(c, r, r)
            path.moveTo(c)
            path.lineTo(q)
        return path


class LineTool(_TwoPointTool):
    shape_type = "line"


class PointTool(Tool):
    cursor = Qt.CursorShape.CrossCursor
    creates_shapes = True

    def press(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        p = self.canvas.clamp_to_image(ev.pos)
        _label_and_add(self, Shape(label="", points=[(p.x(), p.y())], shape_type="point"))
        return True


def _close(a: QPointF, b: QPointF) -> bool:
    return abs(a.x() - b.x()) < 1e-9 and abs(a.y() - b.y()) < 1e-9


register_tool("polygon", PolygonTool)
register_tool("rectangle", RectangleTool)
register_tool("circle", CircleTool)
register_tool("line", LineTool)
register_tool("linestrip", LinestripTool)
register_tool("point", PointTool)

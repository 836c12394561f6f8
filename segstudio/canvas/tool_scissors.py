"""Intelligent scissors: click along an object's edge; the path snaps to edges between clicks.

- click: first anchor, then each click fixes the snapped path to it and starts the next one.
- moving the mouse previews the snapped path from the last anchor (one path look-up while the
  pointer stays in the current window, see :class:`segcore.interactive.IntelligentScissors`).
- clicking near the first anchor, Enter or a double-click closes the outline into a polygon
  (simplified by the polygon tolerance; label dialog; one undoable command). An outline that
  crosses itself becomes its valid parts; loops smaller than ``OPTIONS.min_area`` are dropped.
- Backspace removes the last segment; Esc discards.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QPainterPath

from segcore.data.polygons import geometry_to_shapes, shape_to_geometry
from segcore.interactive import IntelligentScissors, drop_small_parts, scissors_polygon
from segcore.io.annotation import Shape

from .smart_base import OPTIONS, SmartTool, ends_drawing, points_path, tool_image
from .tools import ToolEvent, register_tool

_FINISH_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ScissorsTool(SmartTool):
    """The ``scissors`` tool."""

    title = QT_TRANSLATE_NOOP("Tools", "Intelligent scissors")
    keys = (
        (QT_TRANSLATE_NOOP("Tools", "Click"),
         QT_TRANSLATE_NOOP("Tools", "Fix the path snapped to the edge, start the next one")),
        (QT_TRANSLATE_NOOP("Tools", "Click the first point, Enter, double-click"),
         QT_TRANSLATE_NOOP("Tools", "Close the outline into a polygon")),
        (QT_TRANSLATE_NOOP("Tools", "Backspace"),
         QT_TRANSLATE_NOOP("Tools", "Remove the last segment")),
        (QT_TRANSLATE_NOOP("Tools", "Esc"),
         QT_TRANSLATE_NOOP("Tools", "Drop the outline")),
    )

    def __init__(self, canvas):
        super().__init__(canvas)
        self.scissors: IntelligentScissors | None = None
        self._scale = 1.0
        self.anchors: list[QPointF] = []
        self.segments: list[np.ndarray] = []  # held-image pixel paths, one per fixed segment
        self._live: np.ndarray | None = None

    def is_busy(self) -> bool:
        return bool(self.anchors)

    def cancel(self) -> None:
        self.anchors, self.segments, self._live = [], [], None
        super().cancel()

    # ------------------------------------------------------------------ events
    def press(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        p = self.canvas.clamp_to_image(ev.pos)
        if not self.anchors:
            image, scale = tool_image(self.canvas)
            if image is None:
                return True
            self._scale = scale
            self.scissors = IntelligentScissors(image)
            self._add_anchor(p)
            return True
        if self._near_first(p):
            self.segments.append(self._path(self.anchors[0]))
            self.finish()
            return True
        self.segments.append(self._path(p))
        self._add_anchor(p)
        return True

    def move(self, ev: ToolEvent) -> bool:
        if not self.anchors:
            return False
        p = self.canvas.clamp_to_image(ev.pos)
        self._live = self._path(self.anchors[0] if self._near_first(p) else p)
        self._refresh()
        return True

    def double_click(self, ev: ToolEvent) -> bool:
        if len(self.anchors) >= 2:
            self.finish()
            return True
        return False

    def key_press(self, ev: QKeyEvent) -> bool:
        if not self.anchors:
            return False
        if ev.key() == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if ev.key() in _FINISH_KEYS:
            self.finish()
            return True
        if ev.key() == Qt.Key.Key_Backspace:
            self.anchors.pop()
            if self.segments:
                self.segments.pop()
            if not self.anchors:
                self.cancel()
            else:
                self._set_anchor(self.anchors[-1])
                self._live = None
                self._refresh()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return bool(self.anchors) and ev.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Backspace, *_FINISH_KEYS)

    # ------------------------------------------------------------------ work
    def _near_first(self, p: QPointF) -> bool:
        if len(self.anchors) < 2:
            return False
        f = self.anchors[0]
        return math.hypot(f.x() - p.x(), f.y() - p.y()) <= self.canvas.pick_radius()

    def _set_anchor(self, p: QPointF) -> None:
        self.scissors.set_anchor((p.x() * self._scale, p.y() * self._scale))

    def _add_anchor(self, p: QPointF) -> None:
        self.anchors.append(p)
        self._set_anchor(p)
        self._live = None
        self._refresh()

    def _path(self, p: QPointF) -> np.ndarray:
        return self.scissors.path_to((p.x() * self._scale, p.y() * self._scale))

    def _refresh(self) -> None:
        parts = [*self.segments, *([self._live] if self._live is not None else [])]
        pts = np.concatenate(parts) / self._scale if parts else np.zeros((0, 2))
        if not parts and self.anchors:
            pts = np.array([[self.anchors[0].x(), self.anchors[0].y()]])
        self.show_line(points_path(pts) if len(pts) else QPainterPath())

    @ends_drawing
    def finish(self) -> list[int]:
        """Close the outline into a polygon (needs 3 distinct points) and commit it."""
        ring = scissors_polygon(self.segments, tolerance=OPTIONS.polygon_tolerance) / self._scale
        if len(ring) < 3:
            return []
        outline = shape_to_geometry(Shape(label="", points=[(float(x), float(y)) for x, y in ring]))
        shapes = geometry_to_shapes(drop_small_parts(outline, OPTIONS.min_area, keep_largest=True), "")
        return self.commit_new(shapes, QT_TRANSLATE_NOOP("UndoCommand", "Scissors polygon"))


register_tool("scissors", ScissorsTool)

"""Box to polygon: drag a box, GrabCut segments the object and its outline is previewed.

- press-drag-release: the box; the segmentation is previewed (yellow, dashed).
- then drag inside the image: a foreground stroke (the object continues here); Shift+drag: a
  background stroke (this is not the object); each stroke re-runs GrabCut from the current
  result (:class:`segcore.interactive.GrabCutSession`) and updates the preview; strokes are as
  wide as the brush (``OPTIONS.radius``).
- Enter, Space or a double-click: commit (label dialog, one undoable command; several parts
  become several shapes of one label, parts with holes ``mask`` shapes; parts smaller than
  ``OPTIONS.min_area`` are dropped, in the preview too, the largest always stays). Esc: discard.
GrabCut runs on a window around the box shrunk to at most 170 px a side, so a release costs
about a tenth of a second whatever the image size.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QT_TRANSLATE_NOOP, QPointF, QRectF, Qt
from PySide6.QtGui import QKeyEvent, QPainterPath

from segcore.data.polygons import geometry_to_shapes
from segcore.interactive import GrabCutSession

from .smart_base import OPTIONS, SmartTool, ends_drawing, points_path, to_full, tool_image
from .tools import ToolEvent, register_tool

_COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)


class GrabCutTool(SmartTool):
    """The ``grabcut`` tool."""

    title = QT_TRANSLATE_NOOP("Tools", "Box to polygon")
    keys = (
        (QT_TRANSLATE_NOOP("Tools", "Drag"),
         QT_TRANSLATE_NOOP("Tools", "Box around the object; then drag: more of the object")),
        (QT_TRANSLATE_NOOP("Tools", "Shift+drag"),
         QT_TRANSLATE_NOOP("Tools", "Background stroke: this is not the object")),
        (QT_TRANSLATE_NOOP("Tools", "Enter, Space, double-click"),
         QT_TRANSLATE_NOOP("Tools", "Make the outline a shape")),
        (QT_TRANSLATE_NOOP("Tools", "Esc"),
         QT_TRANSLATE_NOOP("Tools", "Drop the outline")),
    )
    DRAG_PX = 4.0

    def __init__(self, canvas):
        super().__init__(canvas)
        self.session: GrabCutSession | None = None
        self._region = None
        self._scale = 1.0
        self._start: QPointF | None = None
        self._stroke: list[QPointF] = []
        self._background = False

    def is_busy(self) -> bool:
        return self.session is not None or self._start is not None

    def cancel(self) -> None:
        self.session = self._region = None
        self._start = None
        self._stroke = []
        super().cancel()

    # ------------------------------------------------------------------ events
    def press(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        p = self.canvas.clamp_to_image(ev.pos)
        if self.session is None:
            self._start = p
            self.show_line(QPainterPath())
        else:
            self._stroke = [p]
            self._background = ev.shift
        return True

    def move(self, ev: ToolEvent) -> bool:
        p = self.canvas.clamp_to_image(ev.pos)
        if self._start is not None:
            path = QPainterPath()
            path.addRect(QRectF(self._start, p).normalized())
            self.show_line(path)
            return True
        if self._stroke:
            self._stroke.append(p)
            self.show_line(points_path([(q.x(), q.y()) for q in self._stroke]))
            return True
        return False

    def release(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        p = self.canvas.clamp_to_image(ev.pos)
        if self._start is not None:
            a, self._start = self._start, None
            va, vb = self.canvas.mapFromScene(a), self.canvas.mapFromScene(p)
            if math.hypot(va.x() - vb.x(), va.y() - vb.y()) <= self.DRAG_PX:
                self.cancel()
                return True
            self._start_session((a.x(), a.y(), p.x(), p.y()))
            return True
        if self._stroke and self.session is not None:
            self._stroke.append(p)
            s = self._scale
            pts = [(q.x() * s, q.y() * s) for q in self._stroke]
            self._stroke = []
            self.show_line(QPainterPath())
            if self._background:
                region = self.session.run(bg_strokes=[pts])
            else:
                region = self.session.run(fg_strokes=[pts])
            self._show(region)
            return True
        return False

    def double_click(self, ev: ToolEvent) -> bool:
        if self.session is not None:
            self.commit()
            return True
        return False

    def key_press(self, ev: QKeyEvent) -> bool:
        if not self.is_busy():
            return False
        if ev.key() == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if ev.key() in _COMMIT_KEYS and self.session is not None:
            self.commit()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return self.is_busy() and ev.key() in (Qt.Key.Key_Escape, *_COMMIT_KEYS)

    # ------------------------------------------------------------------ work
    def _start_session(self, box: tuple[float, float, float, float]) -> None:
        image, scale = tool_image(self.canvas)
        if image is None:
            self.cancel()
            return
        self._scale = scale
        held = [v * scale for v in box]
        try:
            self.session = GrabCutSession(image, held, stroke_radius=max(1.0, OPTIONS.radius * scale))
        except ValueError:  # a box too small to segment
            self.cancel()
            return
        self._show(self.session.run())
        self.show_line(QPainterPath())

    def _show(self, region) -> None:
        self._region = region
        s = self._scale
        geom = region.geometry(tolerance=OPTIONS.polygon_tolerance, min_area=OPTIONS.min_area * s * s,
                               keep_largest=True)
        self.show_area(to_full(geom, s))

    def options_changed(self) -> None:
        if self._region is not None:
            self._show(self._region)

    @ends_drawing
    def commit(self) -> list[int]:
        """Turn the previewed region into shapes (nothing when it is empty)."""
        geom = self.preview_geometry
        if geom is None or geom.is_empty:
            return []
        return self.commit_new(geometry_to_shapes(geom, ""), QT_TRANSLATE_NOOP("UndoCommand", "Box to polygon"))


register_tool("grabcut", GrabCutTool)

"""AI Polygon / AI Mask: click the object, a promptable (SAM-family) model outlines it.

- click: a point on the object; Shift+click or a right click: a point not on the object;
  press-drag-release: a box around the object. The outline is previewed after each prompt.
- Backspace: drop the last point; Enter or Space: commit (label dialog, one undoable command):
  ``ai_polygon`` makes polygons (detail from the smart tools' polygon tolerance, parts smaller
  than their smallest part dropped, the largest always stays), ``ai_mask`` one ``mask`` shape.
  Esc: drop everything.
The model and the image embeddings belong to the window's :class:`segstudio.features.ai_service.AiService`
(``canvas.ai_service``); the image is encoded in the background, and until it is ready the
canvas shows "Preparing the AI model..." and keeps the prompts (the preview follows once ready).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsSimpleTextItem
from shapely.ops import unary_union

from segcore.data.polygons import shape_to_geometry
from segcore.interactive.sam_boxes import region_shapes_scaled

from .smart_base import OPTIONS, SmartTool
from .tools import ToolEvent, register_tool, tool_title

_COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
PREPARING = QT_TRANSLATE_NOOP("Tools", "Preparing the AI model...")


class AiTool(SmartTool):
    """The ``ai_polygon`` tool (``ai_mask`` is :class:`AiMaskTool`)."""

    title = QT_TRANSLATE_NOOP("Tools", "AI Polygon")
    as_mask = False
    keys = (
        (QT_TRANSLATE_NOOP("Tools", "Click"),
         QT_TRANSLATE_NOOP("Tools", "A point on the object")),
        (QT_TRANSLATE_NOOP("Tools", "Shift+click, right click"),
         QT_TRANSLATE_NOOP("Tools", "A point not on the object")),
        (QT_TRANSLATE_NOOP("Tools", "Drag"),
         QT_TRANSLATE_NOOP("Tools", "A box around the object")),
        (QT_TRANSLATE_NOOP("Tools", "Backspace"),
         QT_TRANSLATE_NOOP("Tools", "Drop the last point")),
        (QT_TRANSLATE_NOOP("Tools", "Enter, Space"),
         QT_TRANSLATE_NOOP("Tools", "Make the outline a shape")),
        (QT_TRANSLATE_NOOP("Tools", "Esc"),
         QT_TRANSLATE_NOOP("Tools", "Drop the outline")),
    )
    DRAG_PX = 4.0

    def __init__(self, canvas):
        super().__init__(canvas)
        self.points: list[tuple[float, float]] = []  # full-resolution image pixels
        self.labels: list[int] = []
        self.box: tuple[float, float, float, float] | None = None
        self.shapes: list = []  # what a commit would add (the preview shows them)
        self._region = None
        self._scale = 1.0
        self._start: QPointF | None = None
        self._dragging = False
        self._marks: dict[int, QGraphicsPathItem] | None = None
        self._hint: QGraphicsSimpleTextItem | None = None

    @property
    def service(self):
        return getattr(self.canvas, "ai_service", None)

    # ------------------------------------------------------------------ life cycle
    def activate(self) -> None:
        if self.service is not None:
            self.service.activate()
        self._show_hint()

    def is_busy(self) -> bool:
        return bool(self.points or self.box is not None or self._start is not None)

    def cancel(self) -> None:
        self.points, self.labels, self.box, self.shapes = [], [], None, []
        self._region = self._start = None
        self._dragging = False
        self._marks = self._hint = None
        super().cancel()
        self._show_hint()

    # ------------------------------------------------------------------ events
    def press(self, ev: ToolEvent) -> bool:
        p = self.canvas.clamp_to_image(ev.pos)
        if ev.button == Qt.MouseButton.RightButton:
            self.canvas.suppress_context_menu()
            self._add_point(p, 0)
            return True
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        self._start, self._dragging = p, False
        return True

    def move(self, ev: ToolEvent) -> bool:
        if self._start is None:
            return False
        p = self.canvas.clamp_to_image(ev.pos)
        va, vb = self.canvas.mapFromScene(self._start), self.canvas.mapFromScene(p)
        self._dragging = self._dragging or math.hypot(va.x() - vb.x(), va.y() - vb.y()) > self.DRAG_PX
        if self._dragging:
            path = QPainterPath()
            path.addRect(QRectF(self._start, p).normalized())
            self.show_line(path)
        return True

    def release(self, ev: ToolEvent) -> bool:
        if ev.button == Qt.MouseButton.RightButton:
            return True
        if ev.button != Qt.MouseButton.LeftButton or self._start is None:
            return False
        a, self._start = self._start, None
        p = self.canvas.clamp_to_image(ev.pos)
        if self._dragging:
            self._dragging = False
            self.show_line(QPainterPath())
            r = QRectF(a, p).normalized()
            if r.width() >= 1 and r.height() >= 1:
                self.box = (r.left(), r.top(), r.right(), r.bottom())
                self.update()
            return True
        self._add_point(a, 0 if ev.shift else 1)
        return True

    def key_press(self, ev: QKeyEvent) -> bool:
        if not self.is_busy():
            return False
        if ev.key() == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if ev.key() == Qt.Key.Key_Backspace:
            if self.points:
                self.points.pop()
                self.labels.pop()
            elif self.box is not None:
                self.box = None
            self.update()
            return True
        if ev.key() in _COMMIT_KEYS:
            self.commit()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return self.is_busy() and ev.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Backspace, *_COMMIT_KEYS)

    # ------------------------------------------------------------------ work
    def _add_point(self, p: QPointF, label: int) -> None:
        self.points.append((p.x(), p.y()))
        self.labels.append(label)
        self.update()

    def update(self) -> None:
        """Show the prompts and, once the image is encoded, the object they give."""
        self._show_marks()
        service, doc = self.service, self.canvas.document
        key = service.current_key() if service is not None else None
        emb = service.embedding(key) if key is not None else None
        size = doc.image_size() if doc is not None else None
        self.shapes, self._region = [], None
        if emb is None or not size or not (self.points or self.box is not None):
            self.show_area(None)
            self.show_mask(None)
            self._show_hint()
            return
        self._show_hint()
        s = self._scale = emb.width / size[0]
        box = tuple(v * s for v in self.box) if self.box is not None else None
        self._region = service.predict(emb, [(x * s, y * s) for x, y in self.points], list(self.labels), box)
        self.shapes = region_shapes_scaled(self._region, "", scale=s, as_mask=self.as_mask,
                                           tolerance=OPTIONS.polygon_tolerance, min_area=OPTIONS.min_area)
        if self.as_mask:
            self.show_mask(self._region, s)
        else:
            geoms = [shape_to_geometry(shape) for shape in self.shapes]
            self.show_area(unary_union(geoms) if geoms else None)

    def embedding_ready(self, key: str) -> None:
        """The service finished encoding ``key``: preview the prompts given meanwhile."""
        service = self.service
        if service is not None and key == service.current_key():
            self.update()

    def options_changed(self) -> None:
        if self.is_busy():
            self.update()

    def commit(self) -> list[int]:
        """Turn the previewed object into shapes (nothing while there is none)."""
        shapes = self.shapes
        self.cancel()
        if not shapes:
            return []
        return self.commit_new(shapes, tool_title(type(self)))

    # ------------------------------------------------------------------ preview items
    def _show_marks(self) -> None:
        """Green dots on the object, red dots off it, the box as a line."""
        if self._marks is None:
            self._marks = {}
            for label, colour in ((1, QColor(0, 200, 0)), (0, QColor(220, 0, 0))):
                item = QGraphicsPathItem()
                pen = QPen(QColor(255, 255, 255))
                pen.setCosmetic(True)
                item.setPen(pen)
                item.setBrush(QBrush(colour))
                self._marks[label] = self.add_preview(item)
        r = 4.0 / max(self.canvas.transform().m11(), 1e-6)
        for label, item in self._marks.items():
            path = QPainterPath()
            for (x, y), lab in zip(self.points, self.labels):
                if lab == label:
                    path.addEllipse(QPointF(x, y), r, r)
            item.setPath(path)
        box = QPainterPath()
        if self.box is not None:
            x0, y0, x1, y1 = self.box
            box.addRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.show_line(box)

    def hint_text(self) -> str:
        """What the canvas says about the model ("" once the image is encoded)."""
        service = self.service
        if service is None:
            return QCoreApplication.translate("Tools", "AI tools are not available here")
        key = service.current_key()
        if key is None or service.embedding(key) is not None:
            return ""
        return service.problem or QCoreApplication.translate("Tools", PREPARING)

    def refresh_hint(self) -> None:
        """Show what the canvas should say about the model now."""
        self._show_hint()

    def _show_hint(self) -> None:
        text = self.hint_text() if self.canvas.document is not None else ""
        if not text:
            if self._hint is not None:
                self._hint.setText("")
            return
        if self._hint is None:
            self._hint = QGraphicsSimpleTextItem()
            self._hint.setBrush(QBrush(QColor(255, 220, 0)))
            self._hint.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            self.add_preview(self._hint)
        self._hint.setText(text)
        self._hint.setPos(self.canvas.mapToScene(8, 8))


class AiMaskTool(AiTool):
    """The ``ai_mask`` tool: the same prompts, committed as one ``mask`` shape."""

    title = QT_TRANSLATE_NOOP("Tools", "AI Mask")
    as_mask = True


register_tool("ai_polygon", AiTool)
register_tool("ai_mask", AiMaskTool)

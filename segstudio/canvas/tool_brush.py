"""Brush and eraser: paint onto (or erase from) an area shape with a round brush.

- Brush: the target is the selected area shape (exactly one selected); with none selected a
  stroke makes a new shape (label dialog). Eraser: the selected area shapes, or with none
  selected every visible area shape the stroke touches.
- press-drag-release is one stroke: the result is previewed while dragging and committed on
  release as ONE undoable command; the shape keeps its label, becomes a ``mask`` shape where it
  has holes and is split into several shapes when erasing cuts it apart.
- A circle of the brush's size follows the pointer. The radius is ``OPTIONS.radius`` (the
  window's ``[`` / ``]`` and the toolbar's Radius box change it); Esc abandons a stroke.
- Parts of the result smaller than ``OPTIONS.min_area`` are dropped (a stroke that leaves the
  image and comes back in would leave a sliver; an eraser leaves scraps), see
  :mod:`segcore.interactive.cleanup`.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem
from shapely import union_all

from segcore.data.polygons import shape_to_geometry
from segcore.interactive import brush, brush_shapes, stroke_geometry

from .geometry import is_area
from .smart_base import OPTIONS, SmartTool, ends_drawing
from .tools import ToolEvent, register_tool


def _ring_pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour)
    pen.setCosmetic(True)
    pen.setWidthF(width)
    return pen


class BrushTool(SmartTool):
    """The ``brush`` tool (``erase = True``: the ``eraser``); ``cursor_item`` is the circle that
    shows the brush under the pointer (None until the pointer moved over the canvas)."""

    title = QT_TRANSLATE_NOOP("Tools", "Brush")
    keys = (
        (QT_TRANSLATE_NOOP("Tools", "Drag"),
         QT_TRANSLATE_NOOP("Tools", "Paint onto the selected shape (none selected: a new shape)")),
        (QT_TRANSLATE_NOOP("Tools", "Esc"),
         QT_TRANSLATE_NOOP("Tools", "Abandon the stroke")),
    )
    erase = False

    def __init__(self, canvas):
        super().__init__(canvas)
        self.stroke: list[tuple[float, float]] = []
        self.targets: list[int] = []
        self._base = None
        self.cursor_item: QGraphicsEllipseItem | None = None

    def deactivate(self) -> None:
        if self.cursor_item is not None and self.cursor_item.scene() is not None:
            self.cursor_item.scene().removeItem(self.cursor_item)
        self.cursor_item = None
        super().deactivate()

    def options_changed(self) -> None:
        if self.cursor_item is not None:
            self._place_cursor(self.cursor_item.rect().center())

    def _place_cursor(self, p: QPointF) -> None:
        """Centre the brush circle (image pixels, radius ``OPTIONS.radius``) on ``p``."""
        if self.cursor_item is None:
            item = QGraphicsEllipseItem()
            item.setPen(_ring_pen(QColor(0, 0, 0, 170), 3.0))
            inner = QGraphicsEllipseItem(item)
            inner.setPen(_ring_pen(QColor(255, 255, 255), 1.2))
            item.setZValue(1e9 + 1)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.canvas.scene().addItem(item)
            self.cursor_item = item
        r = OPTIONS.radius
        rect = QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r)
        self.cursor_item.setRect(rect)
        for child in self.cursor_item.childItems():
            child.setRect(rect)

    def is_busy(self) -> bool:
        return bool(self.stroke)

    def cancel(self) -> None:
        self.stroke, self.targets, self._base = [], [], None
        super().cancel()

    def _bounds(self) -> tuple[float, float] | None:
        return self.canvas.image_size()

    def _selected_targets(self) -> list[int]:
        doc = self.canvas.document
        sel = [i for i in doc.selected_indices() if is_area(doc.shapes[i])]
        if not self.erase:
            return sel if len(sel) == 1 else []
        return sel

    def _touched(self, swept) -> list[int]:
        """Visible area shapes the eraser stroke touches (used when nothing is selected)."""
        doc = self.canvas.document
        return [
            i for i, s in enumerate(doc.shapes)
            if is_area(s) and doc.is_visible(i) and shape_to_geometry(s).intersects(swept)
        ]

    # ------------------------------------------------------------------ events
    def press(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        self.targets = self._selected_targets()
        doc = self.canvas.document
        self._base = None
        if self.targets:
            self._base = union_all([shape_to_geometry(doc.shapes[i]) for i in self.targets])
        self.stroke = [(ev.pos.x(), ev.pos.y())]
        self._show_stroke()
        return True

    def move(self, ev: ToolEvent) -> bool:
        self._place_cursor(ev.pos)
        if not self.stroke:
            return False
        p = (ev.pos.x(), ev.pos.y())
        if p != self.stroke[-1]:
            self.stroke.append(p)
            self._show_stroke()
        return True

    def release(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton or not self.stroke:
            return False
        p = (ev.pos.x(), ev.pos.y())
        if p != self.stroke[-1]:
            self.stroke.append(p)
        self.commit()
        return True

    def key_press(self, ev: QKeyEvent) -> bool:
        if self.stroke and ev.key() == Qt.Key.Key_Escape:
            self.cancel()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return bool(self.stroke) and ev.key() == Qt.Key.Key_Escape

    # ------------------------------------------------------------------ work
    def _show_stroke(self) -> None:
        if self.erase and self._base is None:  # no selection: show what will be erased
            self.show_area(stroke_geometry(self.stroke, OPTIONS.radius))
            return
        geom = brush(self._base, self.stroke, OPTIONS.radius, erase=self.erase, bounds=self._bounds())
        self.show_area(geom)

    @ends_drawing
    def commit(self) -> list[int]:
        """Apply the stroke: one ``ReplaceShapes`` (or ``AddShapes`` for a new shape)."""
        doc = self.canvas.document
        stroke, targets = list(self.stroke), list(self.targets)
        if not stroke:
            return []
        radius, bounds, min_area = OPTIONS.radius, self._bounds(), OPTIONS.min_area
        if not targets and not self.erase:
            new = brush_shapes(None, stroke, radius, label="", bounds=bounds, min_area=min_area)
            return self.commit_new(new, QT_TRANSLATE_NOOP("UndoCommand", "Brush")) if new else []
        if self.erase:  # leave shapes the stroke does not touch as they are
            swept = stroke_geometry(stroke, radius)
            if not targets:
                targets = self._touched(swept)
            targets = [i for i in targets if shape_to_geometry(doc.shapes[i]).intersects(swept)]
            if not targets:
                return []
        shapes = [doc.shapes[i] for i in targets]
        if len(shapes) == 1:
            result = brush_shapes(shapes[0], stroke, radius, erase=self.erase, bounds=bounds, min_area=min_area)
        else:  # eraser over several selected shapes: each keeps its own label
            result = [r for s in shapes
                      for r in brush_shapes(s, stroke, radius, erase=True, bounds=bounds, min_area=min_area)]
        self.commit_replace(targets, result, QT_TRANSLATE_NOOP("UndoCommand", "Erase") if self.erase else QT_TRANSLATE_NOOP("UndoCommand", "Brush"))
        return [doc.index_of(s) for s in result]


class EraserTool(BrushTool):
    """The ``eraser`` tool."""

    title = QT_TRANSLATE_NOOP("Tools", "Eraser")
    keys = (
        (QT_TRANSLATE_NOOP("Tools", "Drag"),
         QT_TRANSLATE_NOOP("Tools", "Erase from the selected shapes (none selected: every shape the stroke touches)")),
        (QT_TRANSLATE_NOOP("Tools", "Esc"),
         QT_TRANSLATE_NOOP("Tools", "Abandon the stroke")),
    )
    erase = True


register_tool("brush", BrushTool)
register_tool("eraser", EraserTool)

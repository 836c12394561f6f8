"""Brush and eraser: paint onto (or erase from) an area shape with a round brush.

- Brush: the target is the selected area shape (exactly one selected); with none selected a
  stroke makes a new shape (label dialog). Eraser: the selected area shapes, or with none
  selected every visible area shape the stroke touches.
- press-drag-release is one stroke: the result is previewed while dragging and committed on
  release as ONE undoable command; the shape keeps its label, becomes a ``mask`` shape where it
  has holes and is split into several shapes when erasing cuts it apart.
- ``[`` / ``]`` shrink / grow the radius (``OPTIONS.radius``); Esc abandons a stroke.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from shapely import union_all

from segcore.interactive import brush, brush_shapes, stroke_geometry
from segcore.polygons import shape_to_geometry

from .shape_item import AREA_TYPES
from .smart_base import OPTIONS, SmartTool
from .tools import ToolEvent, register_tool


class BrushTool(SmartTool):
    """The ``brush`` tool (``erase = True``: the ``eraser``)."""

    erase = False

    def __init__(self, canvas):
        super().__init__(canvas)
        self.stroke: list[tuple[float, float]] = []
        self.targets: list[int] = []
        self._base = None

    def is_busy(self) -> bool:
        return bool(self.stroke)

    def cancel(self) -> None:
        self.stroke, self.targets, self._base = [], [], None
        super().cancel()

    def _bounds(self) -> tuple[float, float] | None:
        return self.canvas.image_size()

    def _selected_targets(self) -> list[int]:
        doc = self.canvas.document
        sel = [i for i in doc.selected_indices() if doc.shapes[i].shape_type in AREA_TYPES]
        if not self.erase:
            return sel if len(sel) == 1 else []
        return sel

    def _touched(self, swept) -> list[int]:
        """Visible area shapes the eraser stroke touches (used when nothing is selected)."""
        doc = self.canvas.document
        return [
            i for i, s in enumerate(doc.shapes)
            if s.shape_type in AREA_TYPES and doc.is_visible(i) and shape_to_geometry(s).intersects(swept)
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
        if ev.key() == Qt.Key.Key_BracketLeft:
            OPTIONS.radius = max(1.0, OPTIONS.radius / 1.25)
            return True
        if ev.key() == Qt.Key.Key_BracketRight:
            OPTIONS.radius = min(500.0, OPTIONS.radius * 1.25)
            return True
        if self.stroke and ev.key() == Qt.Key.Key_Escape:
            self.cancel()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return ev.key() in (Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight) or (
            bool(self.stroke) and ev.key() == Qt.Key.Key_Escape
        )

    # ------------------------------------------------------------------ work
    def _show_stroke(self) -> None:
        if self.erase and self._base is None:  # no selection: show what will be erased
            self.show_area(stroke_geometry(self.stroke, OPTIONS.radius))
            return
        geom = brush(self._base, self.stroke, OPTIONS.radius, erase=self.erase, bounds=self._bounds())
        self.show_area(geom)

    def commit(self) -> list[int]:
        """Apply the stroke: one ``ReplaceShapes`` (or ``AddShapes`` for a new shape)."""
        doc = self.canvas.document
        stroke, targets = list(self.stroke), list(self.targets)
        self.cancel()
        if not stroke:
            return []
        radius, bounds = OPTIONS.radius, self._bounds()
        if not targets and not self.erase:
            new = brush_shapes(None, stroke, radius, label="", bounds=bounds)
            return self.commit_new(new, "Brush") if new else []
        if self.erase:  # leave shapes the stroke does not touch as they are
            swept = stroke_geometry(stroke, radius)
            if not targets:
                targets = self._touched(swept)
            targets = [i for i in targets if shape_to_geometry(doc.shapes[i]).intersects(swept)]
            if not targets:
                return []
        shapes = [doc.shapes[i] for i in targets]
        if len(shapes) == 1:
            result = brush_shapes(shapes[0], stroke, radius, erase=self.erase, bounds=bounds)
        else:  # eraser over several selected shapes: each keeps its own label
            result = [r for s in shapes for r in brush_shapes(s, stroke, radius, erase=True, bounds=bounds)]
        self.commit_replace(targets, result, "Erase" if self.erase else "Brush")
        return [doc.index_of(s) for s in result]


class EraserTool(BrushTool):
    """The ``eraser`` tool."""

    erase = True


register_tool("brush", BrushTool)
register_tool("eraser", EraserTool)

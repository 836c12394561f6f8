"""The edit tool (LabelMe's edit mode, Ctrl+J).

- click selects the topmost shape under the cursor; Ctrl+click toggles it in the selection;
  a press on empty canvas starts a rubber band (selects shapes entirely inside it; with Ctrl it
  adds to the selection).
- dragging a shape moves the selection (one undo step per drag, kept inside the image).
- dragging a vertex moves it (pick radius ``Canvas.PICK_PX`` screen pixels at any zoom).
- Alt+click on an edge inserts a vertex there (and drags it while the button is held).
- Alt+Shift+click on a vertex deletes it (a polygon keeps >= 3, a linestrip >= 2 points).
- arrow keys nudge the selection by 5 image pixels (Shift+arrow: 1 pixel), kept inside the
  image; consecutive nudges are one undo step.
- a right press selects the shape under the cursor (unless it is already selected; the
  context menu then acts on it); right-drag copies the selection and moves the copy; one undo
  step.
- double-click on a shape emits ``canvas.shapeDoubleClicked(index)`` (edit its label).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from segcore.io.shape_kinds import kind_of

from .. import undo_commands as cmd
from . import geometry
from .tools import Tool, ToolEvent, register_tool

NUDGE_PX = 5.0
NUDGE_FINE_PX = 1.0
_ARROWS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


class EditTool(Tool):
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, canvas):
        super().__init__(canvas)
        self.mode: str | None = None  # 'vertex', 'move', 'rubber', 'copy-pending', 'copy'
        self.gesture = None
        self.vertex_key: tuple[int, int] | None = None
        self.last: QPointF | None = None
        self.start: QPointF | None = None
        self.rubber_ctrl = False
        self._rubber: QGraphicsRectItem | None = None
        self._copy_source: list[int] = []
        self._macro_open = False

    def cancel(self) -> None:
        if self._macro_open:
            self.canvas.document.undo_stack.endMacro()
            self._macro_open = False
        self.mode = None
        self._rubber = None
        super().cancel()

    # ------------------------------------------------------------------ helpers
    @property
    def doc(self):
        return self.canvas.document

    def _vertex_hit(self, pos: QPointF, r: float) -> tuple[int, int] | None:
        """(shape index, vertex) under the cursor: selected shapes first, then the topmost."""
        doc = self.doc
        candidates = [i for i in reversed(doc.selected_indices()) if doc.is_visible(i)]
        candidates += [i for i in self.canvas.shape_indices_at(pos, r) if i not in candidates]
        for i in candidates:
            s = doc.shapes[i]
            if kind_of(s).pixel_grid:  # a mask's corners are not vertices
                continue
            v = geometry.vertex_at(s, pos, r)
            if v is not None:
                return i, v
        return None

    def _edge_hit(self, pos: QPointF, r: float) -> tuple[int, int, tuple[float, float]] | None:
        doc = self.doc
        candidates = [i for i in reversed(doc.selected_indices()) if doc.is_visible(i)]
        candidates += [i for i in self.canvas.shape_indices_at(pos, r) if i not in candidates]
        for i in candidates:
            hit = geometry.edge_at(doc.shapes[i], pos, r)
            if hit is not None:
                return i, hit[0], hit[1]
        return None

    # ------------------------------------------------------------------ mouse
    def press(self, ev: ToolEvent) -> bool:
        doc = self.doc
        if doc is None:
            return False
        r = self.canvas.pick_radius()
        pos = ev.pos
        self.last = self.start = pos
        if ev.button == Qt.MouseButton.RightButton:
            under = self.canvas.shape_indices_at(pos, r)
            if under:
                i = under[0]
                if i not in doc.selected_indices():  # as LabelMe: the menu acts on this shape
                    doc.set_selection([i])
                self._copy_source = doc.selected_indices()
                self.mode = "copy-pending"
                return True
            return False
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        vhit = self._vertex_hit(pos, r)
        if vhit is not None and ev.alt and ev.shift:
            i, v = vhit
            try:
                doc.push(cmd.RemoveVertex(doc, i, v))
            except ValueError:
                pass  # minimum number of points reached
            return True
        if vhit is not None and not ev.alt:
            i, v = vhit
            if not doc.is_selected(i) and not ev.ctrl:
                doc.set_selection([i])
            self._start_vertex_drag(i, v)
            return True
        if ev.alt and not ev.shift:
            ehit = self._edge_hit(pos, r)
            if ehit is not None:
                i, k, p = ehit
                doc.set_selection([i])
                self.gesture = cmd.new_gesture()
                self._begin_gesture(QT_TRANSLATE_NOOP("UndoCommand", "Add vertex"))  # the insertion and its drag: one undo step
                doc.push(cmd.InsertVertex(doc, i, k, p))
                self._start_vertex_drag(i, k, gesture=self.gesture)
                return True
        under = self.canvas.shape_indices_at(pos, r)
        if under:
            i = under[0]
            sel = doc.selected_indices()
            if ev.ctrl:
                doc.set_selection([j for j in sel if j != i] if i in sel else sel + [i])
                if i in sel:
                    return True
            elif i not in sel:
                doc.set_selection([i])
            self.mode = "move"
            self.gesture = cmd.new_gesture()
            return True
        # empty canvas: rubber band
        self.rubber_ctrl = ev.ctrl
        if not ev.ctrl:
            doc.clear_selection()
        self.mode = "rubber"
        pen = QPen(QColor(0, 160, 255))
        pen.setCosmetic(True)
        pen.setStyle(Qt.PenStyle.DashLine)
        self._rubber = QGraphicsRectItem(QRectF(pos, pos))
        self._rubber.setPen(pen)
        self._rubber.setBrush(QColor(0, 160, 255, 40))
        self.add_preview(self._rubber)
        return True

    def _begin_gesture(self, text: str) -> None:
        """Open an undo macro for this mouse gesture (closed on release): one drag is one
        undo step even when an autosave marks the stack clean half-way."""
        if not self._macro_open:
            self.doc.undo_stack.beginMacro(QCoreApplication.translate("UndoCommand", text))
            self._macro_open = True

    def _start_vertex_drag(self, i: int, v: int, gesture=None) -> None:
        self.mode = "vertex"
        self.vertex_key = (i, v)
        self.gesture = gesture if gesture is not None else cmd.new_gesture()

    def move(self, ev: ToolEvent) -> bool:
        doc = self.doc
        if doc is None:
            return False
        pos = ev.pos
        if self.mode is None:
            self._hover(pos)
            return False
        if self.mode == "vertex" and self.vertex_key is not None:
            p = self.canvas.clamp_to_image(pos)
            i, v = self.vertex_key
            self._begin_gesture(QT_TRANSLATE_NOOP("UndoCommand", "Move vertex"))
            doc.push(cmd.MoveVertex(doc, i, v, (p.x(), p.y()), gesture=self.gesture))
        elif self.mode in ("move", "copy"):
            self._move_selection(pos)
        elif self.mode == "copy-pending":
            v0, v1 = self.canvas.mapFromScene(self.start), self.canvas.mapFromScene(pos)
            if (v1 - v0).manhattanLength() >= 4:
                self._begin_copy()
                self._move_selection(pos)
        elif self.mode == "rubber" and self._rubber is not None:
            self._rubber.setRect(QRectF(self.start, pos).normalized())
        return True

    def _begin_copy(self) -> None:
        doc = self.doc
        copies = [doc.shapes[i].copy() for i in self._copy_source]
        self._begin_gesture(QT_TRANSLATE_NOOP("UndoCommand", "Copy shape(s)"))
        doc.push(cmd.AddShapes(doc, copies))
        doc.select_shapes(copies)
        self.mode = "copy"
        self.gesture = cmd.new_gesture()
        self.canvas.suppress_context_menu()

    def _move_selection(self, pos: QPointF) -> None:
        doc = self.doc
        sel = doc.selected_indices()
        if not sel or self.last is None:
            return
        dx, dy = self._clamp_delta(sel, pos.x() - self.last.x(), pos.y() - self.last.y())
        if any(kind_of(doc.shapes[i]).pixel_grid for i in sel):
            dx, dy = float(round(dx)), float(round(dy))  # whole pixels; the rest carries over
        if dx == 0 and dy == 0:
            return
        self._begin_gesture(QT_TRANSLATE_NOOP("UndoCommand", "Move shape(s)"))
        doc.push(cmd.MoveShapes(doc, sel, dx, dy, gesture=self.gesture))
        self.last = QPointF(self.last.x() + dx, self.last.y() + dy)

    def _clamp_delta(self, sel: list[int], dx: float, dy: float) -> tuple[float, float]:
        """Limit a move so the selection stays inside the image (as LabelMe does)."""
        doc = self.doc
        size = doc.image_size()
        if size is None or not sel:
            return dx, dy
        w, h = size
        xs = [x for i in sel for x, _ in doc.shapes[i].points]
        ys = [y for i in sel for _, y in doc.shapes[i].points]
        dx = max(min(0.0, -min(xs)), min(dx, max(0.0, (w - 1) - max(xs))))
        dy = max(min(0.0, -min(ys)), min(dy, max(0.0, (h - 1) - max(ys))))
        return dx, dy

    def release(self, ev: ToolEvent) -> bool:
        doc = self.doc
        if doc is None or self.mode is None:
            return False
        if self.mode == "rubber" and self._rubber is not None:
            rect = self._rubber.rect()
            inside = self.canvas.shape_indices_in(rect)
            if self.rubber_ctrl:
                inside = sorted(set(inside) | set(doc.selected_indices()))
            doc.set_selection(inside)
        if self._macro_open:
            doc.undo_stack.endMacro()
            self._macro_open = False
        self.mode = None
        self.vertex_key = None
        self._rubber = None
        self.clear_preview()
        return True

    def double_click(self, ev: ToolEvent) -> bool:
        under = self.canvas.shape_indices_at(ev.pos, self.canvas.pick_radius())
        if under:
            self.canvas.shapeDoubleClicked.emit(under[0])
            return True
        return False

    def _hover(self, pos: QPointF) -> None:
        """Highlight what a press would act on; the cursor says what (LabelMe's cursors)."""
        r = self.canvas.pick_radius()
        vhit = self._vertex_hit(pos, r)
        vp = self.canvas.viewport()
        if vhit is not None:
            self.canvas.set_hover(vhit[0], vhit[1])
            vp.setCursor(Qt.CursorShape.PointingHandCursor)
            return
        under = self.canvas.shape_indices_at(pos, r)
        self.canvas.set_hover(under[0] if under else None)
        vp.setCursor(Qt.CursorShape.OpenHandCursor if under else self.cursor)

    # ------------------------------------------------------------------ keys
    def key_press(self, ev: QKeyEvent) -> bool:
        doc = self.doc
        if doc is None:
            return False
        d = _ARROWS.get(ev.key())
        if d is not None and doc.selected_indices():
            step = NUDGE_FINE_PX if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier else NUDGE_PX
            sel = doc.selected_indices()
            dx, dy = self._clamp_delta(sel, d[0] * step, d[1] * step)
            if dx or dy:
                doc.push(cmd.MoveShapes(doc, sel, dx, dy, gesture="nudge"))
            return True
        if ev.key() == Qt.Key.Key_Escape and doc.selected_indices():
            doc.clear_selection()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        doc = self.doc
        return ev.key() in _ARROWS and doc is not None and bool(doc.selected_indices())


register_tool("edit", EditTool)

"""One ``QUndoCommand`` per edit of a :class:`segstudio.document.Document`.

Every command takes the document first and is applied with ``doc.push(cmd)``. Undo and redo
restore exact coordinates: commands store the old and new *values* (point lists, flags...) and
assign them back, they never recompute by subtracting deltas.

Commands
--------
- ``AddShapes(doc, shapes, index=None)``: append (or insert at ``index``) the shape objects.
- ``RemoveShapes(doc, indices)``.
- ``ReplaceShapes(doc, indices, new_shapes, text=...)``: remove ``indices`` and insert
  ``new_shapes`` where the first one was (brush, merge, split, simplify...).
- ``MoveShapes(doc, indices, dx, dy, gesture=None)``: translate (mask shapes by the rounded
  delta, so their bbox stays on whole pixels); consecutive commands with the
  same non-None ``gesture`` and the same shapes merge into one undo step (a drag passes one
  id per drag from :func:`new_gesture`, arrow-key nudges pass ``"nudge"``).
- ``MoveVertex(doc, index, vertex, pos, gesture=None)``: same merging rule (``ValueError`` for
  a mask shape, whose bbox must match its mask image).
- ``InsertVertex(doc, index, vertex, pos)``: insert before position ``vertex``.
- ``RemoveVertex(doc, index, vertex)``: raises ``ValueError`` when a polygon would keep fewer
  than 3 points (linestrip 2) or the type has a fixed point count.
- ``EditShapeProps(doc, indices, label=..., group_id=..., description=..., flags=...)``: only
  the given keyword arguments change.
- ``Reorder(doc, order)`` with a permutation, or ``Reorder.move(doc, indices, to_index)``,
  ``Reorder.raise_(doc, indices)``, ``Reorder.lower(...)``, ``Reorder.to_front(...)``,
  ``Reorder.to_back(...)`` (front = drawn last = end of the list).
- ``AcceptProposals(doc, indices=None, keep_score=False)``: clears ``proposed`` (all
  proposals when ``indices`` is None) and drops ``score`` unless ``keep_score``.
- ``SetImageFlags(doc, flags)``.

Selection: ``AddShapes`` leaves the selection alone (the caller may ``doc.select_shapes``);
``RemoveShapes`` drops removed shapes from it; ``ReplaceShapes`` selects the new shapes (undo
re-selects the old ones). The canvas's edit tool wraps each mouse drag in an undo macro, so a
drag is one undo step.

Proposals (ARCHITECTURE rule 8): a model proposal keeps ``proposed``/``score`` until a person
edits or accepts it. Geometry edits and ``EditShapeProps`` on a proposed shape therefore also
clear ``proposed`` and ``score`` (undo brings them back).

Texts (Edit > Undo <text>): a command translates its text with the context ``"UndoCommand"``;
callers mark theirs with ``QT_TRANSLATE_NOOP("UndoCommand", "...")`` (a text already in the
user's language passes through unchanged).

Writing a new command: subclass :class:`DocCommand` and call the document's
``apply_insert`` / ``apply_remove`` / ``apply_order`` / ``apply_fields(_many)`` in
``redo``/``undo``; or subclass :class:`FieldsCommand` and pass per-shape before/after dicts.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QUndoCommand

from segcore.io.annotation import POINT_COUNTS, Shape
from segcore.io.shape_kinds import kind_of

from .document import Document

_UNSET: Any = object()
_gesture_ids = itertools.count(1)

# ids for QUndoCommand.id() (merging)
_ID_MOVE_SHAPES = 1001
_ID_MOVE_VERTEX = 1002


KIND_NAMES: dict[str, str] = {
    "polygon": QT_TRANSLATE_NOOP("ShapeKinds", "polygon"),
    "rectangle": QT_TRANSLATE_NOOP("ShapeKinds", "rectangle"),
    "oriented_rectangle": QT_TRANSLATE_NOOP("ShapeKinds", "oriented rectangle"),
    "circle": QT_TRANSLATE_NOOP("ShapeKinds", "circle"),
    "line": QT_TRANSLATE_NOOP("ShapeKinds", "line"),
    "linestrip": QT_TRANSLATE_NOOP("ShapeKinds", "line strip"),
    "point": QT_TRANSLATE_NOOP("ShapeKinds", "point"),
    "mask": QT_TRANSLATE_NOOP("ShapeKinds", "mask"),
}


def kind_name(shape_type: str) -> str:
    """A shape kind's name in the user's language ("polygon" -> 多边形); unknown kinds as they are."""
    name = KIND_NAMES.get(shape_type)
    return QCoreApplication.translate("ShapeKinds", name) if name else shape_type


def new_gesture() -> int:
    """A fresh id for one mouse gesture (its move commands merge into one undo step)."""
    return next(_gesture_ids)


def _accept_fields(shape: Shape) -> tuple[dict, dict]:
    """Before/after values that turn a proposal into a person's shape (empty when not one)."""
    if not shape.proposed:
        return {}, {}
    return {"proposed": True, "score": shape.score}, {"proposed": False, "score": None}


class DocCommand(QUndoCommand):
    """Base of the commands: holds its document weakly (``self.doc``), so the
    document -> undo stack -> command -> document chain is not a reference cycle and a closed
    document is freed at once rather than by a later garbage collection."""

    def __init__(self, doc: Document, text: str = ""):
        super().__init__(QCoreApplication.translate("UndoCommand", text) if text else text)
        self._doc = weakref.ref(doc)

    @property
    def doc(self) -> Document:
        return self._doc()


class AddShapes(DocCommand):
    """Add shape objects (appended, or inserted from ``index`` on)."""

    def __init__(self, doc: Document, shapes: Sequence[Shape], index: int | None = None, text: str | None = None):
        n = len(shapes)
        if not text:
            kind = kind_name(shapes[0].shape_type) if n == 1 else ""
            text = (QCoreApplication.translate("UndoCommand", "Add {kind}").format(kind=kind) if n == 1
                    else QCoreApplication.translate("UndoCommand", "Add %n shapes", None, n))
        super().__init__(doc, text)
        shapes = list(shapes)
        start = len(doc) if index is None else max(0, min(index, len(doc)))
        self.items = [(start + k, s) for k, s in enumerate(shapes)]

    def redo(self) -> None:
        self.doc.apply_insert(self.items)

    def undo(self) -> None:
        self.doc.apply_remove(i for i, _ in self.items)


class RemoveShapes(DocCommand):
    """Delete the shapes at ``indices``."""

    def __init__(self, doc: Document, indices: Iterable[int], text: str | None = None):
        idx = sorted(set(indices))
        n = len(idx)
        super().__init__(doc, text or QCoreApplication.translate("UndoCommand", "Delete %n shape(s)", None, n))
        self.indices = idx
        self.removed: list[tuple[int, Shape]] = []

    def redo(self) -> None:
        self.removed = self.doc.apply_remove(self.indices)

    def undo(self) -> None:
        self.doc.apply_insert(self.removed)


class ReplaceShapes(DocCommand):
    """Replace the shapes at ``indices`` by ``new_shapes`` (placed where the first one was)."""

    def __init__(self, doc: Document, indices: Iterable[int], new_shapes: Sequence[Shape], text: str = QT_TRANSLATE_NOOP("UndoCommand", "Replace shapes")):
        super().__init__(doc, text)
        self.indices = sorted(set(indices))
        self.new_shapes = list(new_shapes)
        self.removed: list[tuple[int, Shape]] = []

    def redo(self) -> None:
        self.removed = self.doc.apply_remove(self.indices)
        start = self.indices[0] if self.indices else len(self.doc)
        start = min(start, len(self.doc))
        self._inserted = [(start + k, s) for k, s in enumerate(self.new_shapes)]
        self.doc.apply_insert(self._inserted)
        self.doc.select_shapes(self.new_shapes)

    def undo(self) -> None:
        self.doc.apply_remove(i for i, _ in self._inserted)
        self.doc.apply_insert(self.removed)
        self.doc.select_shapes(s for _, s in self.removed)


class FieldsCommand(DocCommand):
    """Generic: per shape, a dict of attribute values before and after.

    ``changes`` is a list of ``(index, before, after)``. Subclasses fill it in ``__init__``.
    """

    def __init__(self, doc: Document, text: str, changes: list[tuple[int, dict, dict]] | None = None):
        super().__init__(doc, text)
        self.changes: list[tuple[int, dict, dict]] = changes or []

    def redo(self) -> None:
        self.doc.apply_fields_many([(i, after) for i, _, after in self.changes])

    def undo(self) -> None:
        self.doc.apply_fields_many([(i, before) for i, before, _ in self.changes])


def _geometry_change(shape: Shape, new_points: list[tuple[float, float]]) -> tuple[dict, dict]:
    before, after = _accept_fields(shape)
    before["points"] = shape.points
    after["points"] = new_points
    return before, after


class MoveShapes(FieldsCommand):
    """Translate shapes by ``(dx, dy)`` image pixels (mask shapes move their bbox)."""

    def __init__(self, doc: Document, indices: Iterable[int], dx: float, dy: float, gesture: Any = None):
        super().__init__(doc, QT_TRANSLATE_NOOP("UndoCommand", "Move shape(s)"))
        self.gesture = gesture
        self.indices = sorted(set(indices))
        for i in self.indices:
            s = doc.shapes[i]
            if kind_of(s).pixel_grid:  # a mask's bbox stays on whole pixels
                mx, my = float(round(dx)), float(round(dy))
                pts = [(x + mx, y + my) for x, y in s.points]
            else:
                pts = [(x + dx, y + dy) for x, y in s.points]
            self.changes.append((i, *_geometry_change(s, pts)))

    def id(self) -> int:
        return _ID_MOVE_SHAPES if self.gesture is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, MoveShapes) or other.gesture != self.gesture or other.indices != self.indices:
            return False
        # keep the first command's "before" (incl. proposal state); take the latest points
        self.changes = [(i, b, {**a, "points": a2["points"]}) for (i, b, a), (_, _, a2) in
                        zip(self.changes, other.changes)]
        return True


class MoveVertex(FieldsCommand):
    """Move vertex ``vertex`` of shape ``index`` to ``pos``."""

    def __init__(self, doc: Document, index: int, vertex: int, pos: tuple[float, float], gesture: Any = None):
        super().__init__(doc, QT_TRANSLATE_NOOP("UndoCommand", "Move vertex"))
        self.gesture = gesture
        self.key = (index, vertex)
        s = doc.shapes[index]
        if kind_of(s).pixel_grid:
            raise ValueError("a mask shape's bbox follows its mask image; move the whole shape instead")
        pts = list(s.points)
        pts[vertex] = (float(pos[0]), float(pos[1]))
        self.changes.append((index, *_geometry_change(s, pts)))

    def id(self) -> int:
        return _ID_MOVE_VERTEX if self.gesture is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, MoveVertex) or other.gesture != self.gesture or other.key != self.key:
            return False
        i, b, a = self.changes[0]
        self.changes = [(i, b, {**a, "points": other.changes[0][2]["points"]})]
        return True


class InsertVertex(FieldsCommand):
    """Insert a vertex at ``pos`` so that it becomes ``points[vertex]``."""

    def __init__(self, doc: Document, index: int, vertex: int, pos: tuple[float, float]):
        super().__init__(doc, QT_TRANSLATE_NOOP("UndoCommand", "Add vertex"))
        s = doc.shapes[index]
        lo, hi = POINT_COUNTS.get(s.shape_type, (0, None))
        if hi is not None:
            raise ValueError(f"a {s.shape_type} has a fixed number of points")
        pts = list(s.points)
        pts.insert(vertex, (float(pos[0]), float(pos[1])))
        self.changes.append((index, *_geometry_change(s, pts)))


class RemoveVertex(FieldsCommand):
    """Delete ``points[vertex]`` of shape ``index`` (keeps the type's minimum)."""

    def __init__(self, doc: Document, index: int, vertex: int):
        super().__init__(doc, QT_TRANSLATE_NOOP("UndoCommand", "Delete vertex"))
        s = doc.shapes[index]
        lo, hi = POINT_COUNTS.get(s.shape_type, (0, None))
        if hi is not None or len(s.points) <= lo:
            raise ValueError(f"a {s.shape_type} needs at least {lo} points; cannot delete one of {len(s.points)}")
        pts = list(s.points)
        del pts[vertex]
        self.changes.append((index, *_geometry_change(s, pts)))


class EditShapeProps(FieldsCommand):
    """Change label / group_id / description / flags of shapes (only the given ones)."""

    def __init__(self, doc: Document, indices: Iterable[int], *, label: Any = _UNSET, group_id: Any = _UNSET,
                 description: Any = _UNSET, flags: Any = _UNSET, text: str = QT_TRANSLATE_NOOP("UndoCommand", "Edit label")):
        super().__init__(doc, text)
        given = {"label": label, "group_id": group_id, "description": description, "flags": flags}
        new = {k: v for k, v in given.items() if v is not _UNSET}
        for i in sorted(set(indices)):
            s = doc.shapes[i]
            before, after = _accept_fields(s)
            before.update({k: getattr(s, k) for k in new})
            after.update({k: (dict(v) if k == "flags" else v) for k, v in new.items()})
            self.changes.append((i, before, after))


class AcceptProposals(FieldsCommand):
    """Turn model proposals into a person's shapes: ``proposed`` cleared, ``score`` dropped
    (kept when ``keep_score``). ``indices=None`` accepts every proposal."""

    def __init__(self, doc: Document, indices: Iterable[int] | None = None, keep_score: bool = False):
        super().__init__(doc, QT_TRANSLATE_NOOP("UndoCommand", "Accept proposals"))
        idx = range(len(doc)) if indices is None else sorted(set(indices))
        for i in idx:
            s = doc.shapes[i]
            if s.proposed:
                after = {"proposed": False, "score": s.score if keep_score else None}
                self.changes.append((i, {"proposed": True, "score": s.score}, after))


class Reorder(DocCommand):
    """Change drawing order; ``order`` is a permutation (new list = old[i] for i in order)."""

    def __init__(self, doc: Document, order: Sequence[int], text: str = QT_TRANSLATE_NOOP("UndoCommand", "Change order")):
        super().__init__(doc, text)
        self.order = list(order)
        if sorted(self.order) != list(range(len(doc))):
            raise ValueError(f"not a permutation of {len(doc)} shapes")
        self.inverse = [0] * len(self.order)
        for new, old in enumerate(self.order):
            self.inverse[old] = new

    def redo(self) -> None:
        self.doc.apply_order(self.order)

    def undo(self) -> None:
        self.doc.apply_order(self.inverse)

    @classmethod
    def move(cls, doc: Document, indices: Iterable[int], to_index: int) -> Reorder:
        """Move the shapes (kept in their relative order) so the first lands at ``to_index``
        of the resulting list."""
        idx = sorted(set(indices))
        rest = [i for i in range(len(doc)) if i not in set(idx)]
        to_index = max(0, min(to_index, len(rest)))
        return cls(doc, rest[:to_index] + idx + rest[to_index:], QT_TRANSLATE_NOOP("UndoCommand", "Move in drawing order"))

    @classmethod
    def raise_(cls, doc: Document, indices: Iterable[int]) -> Reorder:
        """One step towards the front (drawn later)."""
        order = list(range(len(doc)))
        sel = set(indices)
        for k in range(len(order) - 2, -1, -1):
            if order[k] in sel and order[k + 1] not in sel:
                order[k], order[k + 1] = order[k + 1], order[k]
        return cls(doc, order, QT_TRANSLATE_NOOP("UndoCommand", "Raise"))

    @classmethod
    def lower(cls, doc: Document, indices: Iterable[int]) -> Reorder:
        """One step towards the back (drawn earlier)."""
        order = list(range(len(doc)))
        sel = set(indices)
        for k in range(1, len(order)):
            if order[k] in sel and order[k - 1] not in sel:
                order[k], order[k - 1] = order[k - 1], order[k]
        return cls(doc, order, QT_TRANSLATE_NOOP("UndoCommand", "Lower"))

    @classmethod
    def to_front(cls, doc: Document, indices: Iterable[int]) -> Reorder:
        sel = set(indices)
        return cls.move(doc, sel, len(doc) - len(sel))

    @classmethod
    def to_back(cls, doc: Document, indices: Iterable[int]) -> Reorder:
        return cls.move(doc, indices, 0)


class SetImageFlags(DocCommand):
    """Replace the image-level flags."""

    def __init__(self, doc: Document, flags: dict[str, bool]):
        super().__init__(doc, QT_TRANSLATE_NOOP("UndoCommand", "Image flags"))
        self.before = dict(doc.annotation.flags)
        self.after = dict(flags)

    def redo(self) -> None:
        self.doc.apply_image_flags(self.after)

    def undo(self) -> None:
        self.doc.apply_image_flags(self.before)

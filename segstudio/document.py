"""The open image's annotation: one model that every view observes.

:class:`Document` (a ``QObject``) owns the :class:`segcore.io.annotation.Annotation` of one image,
its image and JSON paths, a ``QUndoStack``, the selection and the display-only visibility.
The canvas, the shape list and the label list observe it through signals; nothing keeps a
second copy of the shapes.

Edits go ONLY through :mod:`segstudio.undo_commands` (``doc.push(AddShapes(doc, [shape]))``). The
``apply_*`` methods below are the primitives those commands call from ``redo``/``undo``; views
and tools never call them directly.

Value rule (what makes :meth:`Document.snapshot` cheap and thread-safe): a command never
mutates a shape's ``points`` list, ``flags`` dict or ``mask`` array in place; it assigns new
objects (``shape.points = new_list``). Shape *objects* keep their identity across edits, so
views may key their items on ``id(shape)``; the canvas notices a geometry change by the
identity of ``shape.points`` (a list mutated in place would not be redrawn).

Signals
-------
- ``shapesChanged()``: the list changed structurally (shapes added, removed, replaced or
  reordered). Views re-sync (the canvas diffs by shape identity, so it is cheap).
- ``shapeChanged(int)``: the shape at that index changed (geometry or properties).
- ``selectionChanged()``, ``visibilityChanged()``, ``imageFlagsChanged()``.
- ``edited()``: after every applied redo/undo (autosave hooks here).
- ``dirtyChanged(bool)``: True when there are unsaved edits (from the undo stack's clean flag).

Visibility (per shape and per label) is display state only and is not written to the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from segcore.io import annotation as sa
from segstudio.label_colours import LabelColours  # re-exported: Document and views share one


class DiskVersion:
    """What the label file held when its document last read or wrote it: the digest of those
    bytes (:func:`segcore.io.annotation.content_digest`), None for a file that did not exist.

    The document owns it; the save thread updates it after each write (one attribute
    assignment), so saves queued one after another each compare with the bytes just written.
    """

    __slots__ = ("digest",)

    def __init__(self, digest: bytes | None = None) -> None:
        self.digest = digest


class Document(QObject):
    """One open image: annotation + paths + undo stack + selection + visibility.

    ``disk`` is the :class:`DiskVersion` of ``json_path``: saves refuse to overwrite a file that
    no longer holds those bytes (another program changed it).
    """

    shapesChanged = Signal()
    shapeChanged = Signal(int)
    selectionChanged = Signal()
    visibilityChanged = Signal()
    imageFlagsChanged = Signal()
    edited = Signal()
    dirtyChanged = Signal(bool)

    def __init__(
        self,
        annotation: sa.Annotation | None = None,
        *,
        image_path: str | Path | None = None,
        json_path: str | Path | None = None,
        colours: LabelColours | None = None,
        parent: QObject | None = None,
        disk_digest: bytes | None = None,
    ):
        super().__init__(parent)
        self.annotation: sa.Annotation = annotation if annotation is not None else sa.Annotation()
        self.image_path: Path | None = Path(image_path) if image_path is not None else None
        self.json_path: Path | None = Path(json_path) if json_path is not None else None
        self.disk = DiskVersion(disk_digest)
        self.colours: LabelColours = colours if colours is not None else LabelColours(parent=self)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._selection: list[sa.Shape] = []
        self._hidden: set[int] = set()  # id(shape)
        self._hidden_labels: set[str] = set()

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(
        cls,
        image_path: str | Path,
        json_path: str | Path | None = None,
        *,
        colours: LabelColours | None = None,
        parent: QObject | None = None,
    ) -> Document:
        """Open ``image_path`` with its label file (``json_path`` or ``<stem>.json``).

        When the label file does not exist an empty annotation is made (image size read from
        the header). Raises :class:`segcore.io.annotation.AnnotationError` for a bad label file.
        The digest of the bytes parsed becomes :attr:`disk`.
        """
        image_path = Path(image_path)
        jp = Path(json_path) if json_path is not None else sa.json_path_for(image_path)
        digest = None
        if jp.exists():
            ann, digest = sa.load_with_digest(jp)
        else:
            w, h = _image_size(image_path)
            ann = sa.new_annotation(image_path, jp, w, h)
        return cls(ann, image_path=image_path, json_path=jp, colours=colours, parent=parent, disk_digest=digest)

    @classmethod
    def from_annotation(
        cls,
        ann: sa.Annotation,
        json_path: str | Path | None = None,
        image_path: str | Path | None = None,
        **kw,
    ) -> Document:
        """Wrap an existing annotation; ``image_path`` defaults to its ``imagePath``."""
        if image_path is None and json_path is not None and ann.image_path:
            image_path = sa.resolve_image_path(ann, json_path)
        return cls(ann, image_path=image_path, json_path=json_path, **kw)

    # ------------------------------------------------------------------ reading
    @property
    def shapes(self) -> list[sa.Shape]:
        """The shapes in drawing (and save) order. Read-only for views."""
        return self.annotation.shapes

    def __len__(self) -> int:
        return len(self.annotation.shapes)

    def index_of(self, shape: sa.Shape) -> int:
        """Index of a shape object (identity), or -1."""
        for i, s in enumerate(self.annotation.shapes):
            if s is shape:
                return i
        return -1

    def image_size(self) -> tuple[int, int] | None:
        """``(width, height)`` from the annotation, or None when unknown."""
        a = self.annotation
        if a.image_width and a.image_height:
            return int(a.image_width), int(a.image_height)
        return None

    def known_labels(self) -> list[str]:
        """Labels used in this document, first-appearance order."""
        return self.annotation.labels()

    def snapshot(self) -> sa.Annotation:
        """A copy safe to serialise in a worker thread while editing goes on.

        Commands never mutate a shape's values in place (the value rule in the module
        docstring), so a shallow copy of each shape's attributes is a consistent snapshot: well
        under a millisecond per 1,000 shapes, taken in the GUI thread before a save.
        """
        a = self.annotation
        snap = sa.Annotation.__new__(sa.Annotation)
        snap.__dict__.update(a.__dict__)
        snap.shapes = [_shallow_copy(s) for s in a.shapes]
        snap.flags = dict(a.flags)
        return snap

    # ------------------------------------------------------------------ undo / dirty
    def _on_clean_changed(self, clean: bool) -> None:
        self.dirtyChanged.emit(not clean)

    def push(self, command: QUndoCommand) -> None:
        """Run ``command`` (its ``redo``) and put it on the undo stack."""
        self.undo_stack.push(command)

    def is_dirty(self) -> bool:
        """True when there are edits since the last :meth:`set_clean`."""
        return not self.undo_stack.isClean()

    def set_clean(self) -> None:
        """Mark the current state as saved."""
        self.undo_stack.setClean()

    def replace_from_disk(self, annotation: sa.Annotation, digest: bytes | None) -> None:
        """Show what the label file holds now (``annotation``, read from bytes of ``digest``):
        edits and undo history are dropped, the document is clean."""
        self.undo_stack.clear()
        self.annotation = annotation
        self.disk = DiskVersion(digest)  # saves queued before this compare with the old one
        self._selection = []
        self._hidden.clear()
        self.undo_stack.setClean()
        self.imageFlagsChanged.emit()
        self.visibilityChanged.emit()
        self._structure_changed(selection_may_change=True)

    # ------------------------------------------------------------------ selection
    def selected_shapes(self) -> list[sa.Shape]:
        """Selected shapes in drawing order."""
        sel = {id(s) for s in self._selection}
        return [s for s in self.annotation.shapes if id(s) in sel]

    def selected_indices(self) -> list[int]:
        """Indices of the selected shapes, ascending."""
        sel = {id(s) for s in self._selection}
        return [i for i, s in enumerate(self.annotation.shapes) if id(s) in sel]

    def is_selected(self, index: int) -> bool:
        s = self.annotation.shapes[index]
        return any(x is s for x in self._selection)

    def set_selection(self, indices: Iterable[int]) -> None:
        """Select exactly ``indices`` (emits ``selectionChanged`` when it changes)."""
        shapes = self.annotation.shapes
        new = [shapes[i] for i in sorted(set(indices)) if 0 <= i < len(shapes)]
        if [id(s) for s in new] != [id(s) for s in self.selected_shapes()]:
            self._selection = new
            self.selectionChanged.emit()

    def select_shapes(self, shapes: Iterable[sa.Shape]) -> None:
        """Select these shape objects."""
        ids = {id(s) for s in shapes}
        self.set_selection(i for i, s in enumerate(self.annotation.shapes) if id(s) in ids)

    def clear_selection(self) -> None:
        self.set_selection(())

    def select_all(self) -> None:
        self.set_selection(i for i in range(len(self)) if self.is_visible(i))

    # ------------------------------------------------------------------ visibility
    def is_visible(self, index: int) -> bool:
        """A shape is shown unless it or its label is hidden."""
        s = self.annotation.shapes[index]
        return id(s) not in self._hidden and s.label not in self._hidden_labels

    def is_shape_hidden(self, index: int) -> bool:
        """The per-shape flag only (ignores label visibility)."""
        return id(self.annotation.shapes[index]) in self._hidden

    def set_shape_visible(self, index: int, visible: bool) -> None:
        key = id(self.annotation.shapes[index])
        if visible == (key not in self._hidden):
            return
        (self._hidden.discard if visible else self._hidden.add)(key)
        self.visibilityChanged.emit()

    def is_label_visible(self, label: str) -> bool:
        return label not in self._hidden_labels

    def set_label_visible(self, label: str, visible: bool) -> None:
        if visible == (label not in self._hidden_labels):
            return
        (self._hidden_labels.discard if visible else self._hidden_labels.add)(label)
        self.visibilityChanged.emit()

    def set_all_visible(self, visible: bool) -> None:
        """Show or hide every shape (LabelMe's T toggles this); clears label hiding."""
        self._hidden_labels.clear()
        self._hidden = set() if visible else {id(s) for s in self.annotation.shapes}
        self.visibilityChanged.emit()

    # ------------------------------------------------------------------ primitives for commands
    def apply_insert(self, items: Sequence[tuple[int, sa.Shape]]) -> None:
        """Insert ``(index, shape)`` pairs; indices are final positions, applied ascending."""
        shapes = self.annotation.shapes
        for i, s in sorted(items, key=lambda t: t[0]):
            shapes.insert(i, s)
        self._structure_changed()

    def apply_remove(self, indices: Iterable[int]) -> list[tuple[int, sa.Shape]]:
        """Remove shapes; returns the ``(index, shape)`` pairs (ascending) for re-insertion."""
        shapes = self.annotation.shapes
        idx = sorted(set(indices))
        removed = [(i, shapes[i]) for i in idx]
        for i in reversed(idx):
            del shapes[i]
        gone = {id(s) for _, s in removed}
        self._selection = [s for s in self._selection if id(s) not in gone]
        self._structure_changed(selection_may_change=True)
        return removed

    def apply_order(self, order: Sequence[int]) -> None:
        """Reorder: new list = ``[old[i] for i in order]`` (a permutation)."""
        shapes = self.annotation.shapes
        if sorted(order) != list(range(len(shapes))):
            raise ValueError(f"not a permutation of {len(shapes)} shapes: {list(order)}")
        shapes[:] = [shapes[i] for i in order]
        self._structure_changed()

    def apply_fields(self, index: int, fields: dict) -> None:
        """Assign shape attributes (``points``, ``label``, ``proposed``...) at ``index``."""
        s = self.annotation.shapes[index]
        for k, v in fields.items():
            setattr(s, k, v)
        self.shapeChanged.emit(index)
        self.edited.emit()

    def apply_fields_many(self, changes: Sequence[tuple[int, dict]]) -> None:
        """:meth:`apply_fields` for several shapes (one ``edited`` signal)."""
        shapes = self.annotation.shapes
        for index, fields in changes:
            for k, v in fields.items():
                setattr(shapes[index], k, v)
        for index, _ in changes:
            self.shapeChanged.emit(index)
        self.edited.emit()

    def apply_image_flags(self, flags: dict[str, bool]) -> None:
        self.annotation.flags = dict(flags)
        self.imageFlagsChanged.emit()
        self.edited.emit()

    def _structure_changed(self, selection_may_change: bool = False) -> None:
        live = {id(s) for s in self.annotation.shapes}
        self._hidden &= live
        self.shapesChanged.emit()
        if selection_may_change:
            self.selectionChanged.emit()
        self.edited.emit()


def _image_size(image_path: Path) -> tuple[int, int]:
    """(width, height) after EXIF orientation (:func:`segcore.io.imageio.image_size`)."""
    from segcore.io.imageio import image_size

    return image_size(image_path)


def _shallow_copy(shape: sa.Shape) -> sa.Shape:
    """``copy.copy(shape)`` without the copy protocol's overhead (under a quarter of the time)."""
    c = sa.Shape.__new__(sa.Shape)
    c.__dict__.update(shape.__dict__)
    return c

"""Edit-menu operations on the open document: copy / paste (also onto another image, and
between windows through the system clipboard as LabelMe shape JSON), duplicate, delete, edit
label. Every change is a command from :mod:`segstudio.undo_commands`.
"""

from __future__ import annotations

import atexit
import json

from PySide6.QtCore import QCoreApplication, QMimeData
from PySide6.QtWidgets import QApplication

from segcore.io import annotation as sa
from segstudio.dialogs.label_dialog import LabelChoice
from segstudio.document import Document
from segstudio.undo_commands import AddShapes, EditShapeProps, RemoveShapes

MIME = "application/x-labelme-shapes+json"


class Clipboard:
    """Shapes copied from any image; survives navigation."""

    def __init__(self) -> None:
        self.shapes: list[sa.Shape] = []

    def copy(self, doc: Document | None) -> int:
        """Copy the selection; returns how many shapes were copied."""
        if doc is None:
            return 0
        shapes = [s.copy() for s in doc.selected_shapes()]
        if shapes:
            self.set_shapes(shapes)
        return len(shapes)

    def set_shapes(self, shapes: list[sa.Shape]) -> None:
        """Put ``shapes`` on the clipboard (ours and the system's)."""
        self.shapes = [s.copy() for s in shapes]
        data = QMimeData()
        text = json.dumps([sa.shape_to_dict(s) for s in shapes])
        data.setData(MIME, text.encode("utf-8"))
        data.setText(text)
        cb = QApplication.clipboard()
        if cb is not None:
            cb.setMimeData(data)
            _release_at_exit()

    def _from_system(self) -> list[sa.Shape] | None:
        cb = QApplication.clipboard()
        data = cb.mimeData() if cb is not None else None
        if data is None or not data.hasFormat(MIME):
            return None
        try:
            items = json.loads(bytes(data.data(MIME).data()).decode("utf-8"))
            return [sa.shape_from_dict(d, "clipboard", i) for i, d in enumerate(items)]
        except (ValueError, sa.AnnotationError):
            return None

    def paste(self, doc: Document | None) -> int:
        """Add copies of the clipboard shapes to ``doc`` and select them."""
        if doc is None:
            return 0
        shapes = self._from_system() or [s.copy() for s in self.shapes]
        if not shapes:
            return 0
        n = len(shapes)
        doc.push(AddShapes(doc, shapes, text=QCoreApplication.translate("UndoCommand", "Paste %n shape(s)", None, n)))
        doc.select_shapes(shapes)
        return len(shapes)


_release_registered = False


def _release_at_exit() -> None:
    """Take our shapes off the system clipboard before Python shuts down.

    The clipboard keeps the QMimeData we created; Qt frees it in a C exit handler, after the
    interpreter is gone, and PySide's wrapper bookkeeping then crashes the process (SIGSEGV
    at exit). An X11 clipboard dies with its owner anyway, so nothing is lost.
    """
    global _release_registered
    if _release_registered:
        return
    _release_registered = True

    def release() -> None:
        cb = QApplication.clipboard() if QApplication.instance() is not None else None
        data = cb.mimeData() if cb is not None else None
        if data is not None and data.hasFormat(MIME):
            cb.clear()

    atexit.register(release)


def duplicate(doc: Document | None) -> int:
    """Duplicate the selection (LabelMe: same place, added on top) and select the copies."""
    if doc is None:
        return 0
    copies = [s.copy() for s in doc.selected_shapes()]
    if copies:
        n = len(copies)
        doc.push(AddShapes(doc, copies, text=QCoreApplication.translate("UndoCommand", "Duplicate %n shape(s)", None, n)))
        doc.select_shapes(copies)
    return len(copies)


def delete_selected(doc: Document | None) -> int:
    """Delete the selected shapes (undoable)."""
    if doc is None:
        return 0
    idx = doc.selected_indices()
    if idx:
        doc.push(RemoveShapes(doc, idx))
    return len(idx)


def current_choice(doc: Document) -> LabelChoice | None:
    """The label dialog's prefill for the selection (its first shape)."""
    shapes = doc.selected_shapes()
    if not shapes:
        return None
    s = shapes[0]
    return LabelChoice(s.label, s.group_id, s.description or "", dict(s.flags))


def apply_choice(doc: Document, choice: LabelChoice, previous: LabelChoice | None) -> None:
    """Apply the dialog's answer to the selection; with several shapes only changed fields."""
    idx = doc.selected_indices()
    if not idx:
        return
    fields: dict = {}
    if len(idx) == 1 or previous is None:
        fields = {"label": choice.label, "group_id": choice.group_id,
                  "description": choice.description, "flags": choice.flags}
    else:
        for key in ("label", "group_id", "description", "flags"):
            if getattr(choice, key) != getattr(previous, key):
                fields[key] = getattr(choice, key)
    if fields:
        doc.push(EditShapeProps(doc, idx, **fields))

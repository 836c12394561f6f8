"""The documents of recently left images, kept with their undo history.

Going back to an image brings its undo/redo stack back, as long as its label file holds exactly
the bytes the document last read or wrote (its :class:`segstudio.document.DiskVersion`, compared by
digest, so neither a coarse file-system clock nor ``cp -p`` can hide a change): a file changed by
another program, even while the image was still open, or deleted, is read again and the kept
history is dropped, so nothing on disk is ever overwritten by a stale copy. Only saved (clean)
documents are kept; the number is bounded.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

from segcore.io import annotation as sa
from segstudio.document import Document


def _unchanged(doc: Document) -> bool:
    """True when ``doc``'s label file still holds the bytes the document last read or wrote."""
    try:
        return doc.json_path is not None and sa.file_digest(doc.json_path) == doc.disk.digest
    except OSError:  # unreadable now: read it again (and report) rather than trust the copy
        return False


def _key(image_path: str | os.PathLike) -> str:
    return os.fspath(Path(image_path))


class KeptDocuments:
    """Least-recently-left documents by image path."""

    def __init__(self, max_documents: int = 16) -> None:
        self.max_documents = max_documents
        self._docs: OrderedDict[str, Document] = OrderedDict()

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, image_path: str | os.PathLike) -> bool:
        return _key(image_path) in self._docs

    def keep(self, doc: Document) -> bool:
        """Keep ``doc`` (just left, its edits on disk). False (and ``doc`` deleted) when it
        cannot be kept: unsaved changes, or saved somewhere other than its image's label file."""
        image = doc.image_path
        if image is None or doc.is_dirty() or doc.json_path != sa.json_path_for(image):
            doc.deleteLater()
            return False
        self.forget(image)
        doc.clear_selection()
        self._docs[_key(image)] = doc
        while len(self._docs) > self.max_documents:
            _, old = self._docs.popitem(last=False)
            old.deleteLater()
        return True

    def take(self, image_path: str | os.PathLike) -> Document | None:
        """The kept document of ``image_path`` when its label file still holds what the document
        last read or wrote, else None (changed elsewhere, or deleted)."""
        doc = self._docs.pop(_key(image_path), None)
        if doc is None:
            return None
        if not _unchanged(doc):
            doc.deleteLater()
            return None
        return doc

    def forget(self, image_path: str | os.PathLike) -> None:
        """Drop what is kept for ``image_path`` (its label file is about to change)."""
        doc = self._docs.pop(_key(image_path), None)
        if doc is not None:
            doc.deleteLater()

    def clear(self) -> None:
        """Drop everything (another folder is opened)."""
        for doc in self._docs.values():
            doc.deleteLater()
        self._docs.clear()

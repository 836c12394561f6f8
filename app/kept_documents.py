"""The documents of recently left images, kept with their undo history.

Going back to an image brings its undo/redo stack back, as long as its label file holds exactly
the bytes we left (compared by digest, so a coarse file-system clock cannot hide a change): a
file changed by another program, or deleted, is read again and the kept history is dropped, so
nothing on disk is ever overwritten by a stale copy. Only saved (clean) documents are kept; the
number is bounded.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from pathlib import Path

from app.document import Document
from segcore import annotation as sa


def content_digest(path: str | os.PathLike) -> bytes | None:
    """A digest of the file's bytes, None when it does not exist or cannot be read."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "blake2b").digest()
    except OSError:
        return None


def _key(image_path: str | os.PathLike) -> str:
    return os.fspath(Path(image_path))


class KeptDocuments:
    """Least-recently-left documents by image path, each with the digest of its label file."""

    def __init__(self, max_documents: int = 16) -> None:
        self.max_documents = max_documents
        self._docs: OrderedDict[str, tuple[Document, bytes | None]] = OrderedDict()

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
        self._docs[_key(image)] = (doc, content_digest(doc.json_path))
        while len(self._docs) > self.max_documents:
            _, (old, _digest) = self._docs.popitem(last=False)
            old.deleteLater()
        return True

    def take(self, image_path: str | os.PathLike) -> Document | None:
        """The kept document of ``image_path`` when its label file is unchanged since, else None."""
        entry = self._docs.pop(_key(image_path), None)
        if entry is None:
            return None
        doc, digest = entry
        if content_digest(doc.json_path) != digest:  # changed elsewhere, or deleted
            doc.deleteLater()
            return None
        return doc

    def forget(self, image_path: str | os.PathLike) -> None:
        """Drop what is kept for ``image_path`` (its label file is about to change)."""
        entry = self._docs.pop(_key(image_path), None)
        if entry is not None:
            entry[0].deleteLater()

    def clear(self) -> None:
        """Drop everything (another folder is opened)."""
        for doc, _digest in self._docs.values():
            doc.deleteLater()
        self._docs.clear()

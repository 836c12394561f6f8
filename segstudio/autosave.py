"""Saving the open document: autosave after every edit (coalesced, off the GUI thread, atomic
through :func:`segcore.io.annotation.save`), Save / Save As, and ``flush`` so that navigating or
quitting never drops an edit.

Saves run in a one-thread pool, so they reach the disk in the order they were asked for and an
older snapshot can never overwrite a newer one. The GUI thread only takes a snapshot
(a shallow copy of each shape's attributes, see :meth:`Document.snapshot`). A failed save keeps the old file (atomic
write) and the user is told: ``failed(path, message)``, a status-bar message and one dialog per
file until a save of it succeeds again.

A label file is never overwritten when it no longer holds the bytes the document last read or
wrote (another program changed it): right before the atomic rename the save thread compares
the file's digest with the document's :class:`segstudio.document.DiskVersion` and refuses with
:class:`segcore.io.annotation.ConflictError`. ``conflict_handler`` (the session's
:class:`segstudio.conflicts.ConflictResolver`) then decides what happens; without one the refusal is
reported as a failed save.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from segcore.data.review import shapes_state
from segcore.io import annotation as sa
from segcore.io.json_writer import iter_labelme
from segstudio.document import DiskVersion, Document
from segstudio.workers import run_in_thread

AUTOSAVE_DELAY_MS = 250
ConflictHandler = Callable[[Document, Path, bool], bool]


def serialise(ann: sa.Annotation, path: Path | None = None) -> bytes:
    """``segcore.io.annotation.dumps(ann)`` as UTF-8, produced a piece (about a shape) at a time.

    Same validation and the same text (a test checks it), but no single C call holds the GIL
    for long: each piece is encoded as it comes, and the tree is freed a shape at a time (freeing
    2,000 polygons' points in one call takes milliseconds, which from this worker thread would
    stall the GUI thread).
    """
    ann.validate(path)
    buf = io.BytesIO()
    tree = sa.to_dict(ann)
    try:
        for chunk in iter_labelme(tree):  # about one piece per shape
            buf.write(chunk.encode("utf-8"))
    except (TypeError, ValueError, RecursionError) as exc:
        raise sa.AnnotationError(path, f"cannot be written as JSON ({exc})") from None
    shapes = tree.get("shapes")
    while isinstance(shapes, list) and shapes:  # free the tree a shape at a time, not in one C call
        shapes.pop()
    return buf.getvalue()


def _generation(doc: Document) -> int:
    return getattr(doc, "_save_generation", 0)


def _bump(doc: Document) -> None:
    doc._save_generation = _generation(doc) + 1


class Saver(QObject):
    """Saves documents; owns the autosave timer and the single save thread."""

    saved = Signal(str)
    imageLabelled = Signal(str)  # image path whose standard <stem>.json was just written
    reviewStateSaved = Signal(str, str)  # that image path, segcore.data.review state of what was written
    failed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, *, autosave: bool = True,
                 delay_ms: int = AUTOSAVE_DELAY_MS) -> None:
        super().__init__(parent)
        self._parent_widget = parent
        self.autosave = autosave
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self._autosave_now)
        self.document: Document | None = None
        self.show_dialogs = True
        self.last_error: str | None = None
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        # doc id -> generation last written successfully (written by the save thread)
        self._written: dict[tuple[int, str], int] = {}
        self._dialog: QMessageBox | None = None
        # (document, label file, blocking) -> True when the conflict was resolved and nothing
        # is left unsaved; blocking is True for the synchronous saves (Ctrl+S, flush).
        self.conflict_handler: ConflictHandler | None = None

    # wiring ---------------------------------------------------------------------
    def attach(self, doc: Document | None) -> None:
        """Watch ``doc`` (the window's current document); its edits trigger autosave."""
        if self.document is not None:
            try:
                self.document.edited.disconnect(self._on_edited)
            except (RuntimeError, TypeError):
                pass
        self.document = doc
        if doc is not None:
            doc.edited.connect(self._on_edited)

    def _on_edited(self) -> None:
        doc = self.document
        if doc is None:
            return
        _bump(doc)
        if self.autosave and doc.json_path is not None:
            self.timer.start()

    def pending(self) -> bool:
        """True while an autosave is scheduled or a save is running."""
        return self.timer.isActive() or self.pool.activeThreadCount() > 0

    # saving ---------------------------------------------------------------------
    def _autosave_now(self) -> None:
        if self.document is not None and self.document.json_path is not None and self.document.is_dirty():
            self.save_async(self.document)

    def _prepare(self, doc: Document, path: Path) -> sa.Annotation:
        """What the save thread writes: the document's snapshot, its image path relative to ``path``."""
        snap = doc.snapshot()
        if doc.image_path is not None:
            snap.image_path = sa.relative_image_path(doc.image_path, path)
        return snap

    def _write(self, capture: sa.Annotation, path: Path, key: tuple[int, str], gen: int,
               version: DiskVersion | None = None, check: bool = True) -> None:
        """Runs in the save thread. With ``version`` (the document's own label file) the file
        must still hold the bytes of ``version.digest`` (when ``check``), and afterwards
        ``version`` holds the digest of what was written.

        Serialising builds ~10^5 small objects; they trigger no garbage collection here, as
        collections run in the GUI thread only (segstudio.main_thread_gc).
        """
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 0.0005))  # hand the GIL back to the GUI thread sooner
        try:
            data = serialise(capture, path)
        finally:
            sys.setswitchinterval(interval)
        def unchanged() -> None:  # right before the rename: the file must still be what we last saw
            if version is not None and check:
                sa.check_unchanged(path, version.digest)

        try:
            sa.atomic_write_bytes(path, data, before_replace=unchanged)
        except OSError as exc:
            raise sa.AnnotationError(
                path, QCoreApplication.translate("Saver", "cannot save ({error}); the previous file is unchanged").format(
                    error=exc.strerror or exc)) from None
        if version is not None:
            version.digest = sa.content_digest(data)
        with self._lock:
            self._written[key] = max(gen, self._written.get(key, -1))

    def save_async(self, doc: Document, path: str | Path | None = None) -> None:
        """Save ``doc`` in the background (to ``path`` or its ``json_path``)."""
        target = Path(path) if path is not None else doc.json_path
        if target is None:
            return
        capture = self._prepare(doc, target)
        gen = _generation(doc)
        key = (id(doc), str(target))
        version = doc.disk if target == doc.json_path else None
        if target == doc.json_path:
            # Until this save is done no state is "saved": undoing back to the state of the
            # previous save must not look clean while the disk is about to hold this one.
            doc.undo_stack.resetClean()

        def done(_r: object) -> None:
            self._on_saved(doc, target, gen)

        def error(exc: BaseException) -> None:
            if isinstance(exc, sa.ConflictError):
                self._on_conflict(doc, target, exc, blocking=False)
            else:
                self._on_failed(target, exc)

        run_in_thread(self._write, capture, target, key, gen, version,
                      on_done=done, on_error=error, pool=self.pool)

    def save_now(self, doc: Document, path: str | Path | None = None, *, check: bool = True) -> bool:
        """Save synchronously (after the queued saves); True on success. ``check=False``
        overwrites whatever the file holds (Save As onto a file the user chose)."""
        self.timer.stop()
        self.pool.waitForDone()
        target = Path(path) if path is not None else doc.json_path
        if target is None:
            return False
        gen = _generation(doc)
        version = doc.disk if target == doc.json_path else None
        try:
            self._write(self._prepare(doc, target), target, (id(doc), str(target)), gen, version, check)
        except sa.ConflictError as exc:
            return self._on_conflict(doc, target, exc, blocking=True)
        except Exception as exc:  # noqa: BLE001 - every failure is shown to the user
            self._on_failed(target, exc)
            return False
        self._on_saved(doc, target, gen)
        return True

    def flush(self, doc: Document | None) -> bool:
        """Make sure every edit of ``doc`` is on disk (autosave on). True when nothing is
        left unsaved; False when the last save failed (the user has been told)."""
        if doc is None or not doc.is_dirty():
            self.timer.stop()
            self.pool.waitForDone()
            return True
        self.timer.stop()
        self.pool.waitForDone()
        if doc.json_path is None:
            return False
        with self._lock:
            written = self._written.get((id(doc), str(doc.json_path)), -1)
        if written >= _generation(doc):
            doc.set_clean()
            return True
        return self.save_now(doc)

    # results ----------------------------------------------------------------------
    def _on_saved(self, doc: Document, path: Path, gen: int) -> None:
        self._warned.discard(str(path))
        self.last_error = None
        try:
            if _generation(doc) == gen and doc.json_path == path:
                doc.set_clean()
        except RuntimeError:  # the document was deleted meanwhile
            pass
        self.saved.emit(str(path))
        image = getattr(doc, "image_path", None)
        if image is not None and sa.json_path_for(image) == path:
            self.imageLabelled.emit(str(image))
            if _generation(doc) == gen:  # the document still holds exactly what was written
                self.reviewStateSaved.emit(str(image), shapes_state(doc.annotation.shapes))

    def _on_conflict(self, doc: Document, path: Path, exc: sa.ConflictError, *, blocking: bool) -> bool:
        if self.conflict_handler is None:
            self._on_failed(path, exc)
            return False
        return self.conflict_handler(doc, path, blocking)

    def _on_failed(self, path: Path, exc: BaseException) -> None:
        message = (str(exc) if isinstance(exc, sa.AnnotationError)
                   else self.tr("{path}: cannot save ({error})").format(path=path, error=exc))
        self.last_error = message
        self.failed.emit(str(path), message)
        if self.show_dialogs and str(path) not in self._warned:
            self._warned.add(str(path))
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Save failed"),
                              f"{message}\n\n" + self.tr("The previous label file was kept unchanged. "
                                                         "Your edits are still open: fix the problem or use Save As."),
                              QMessageBox.StandardButton.Ok, self._parent_widget)
            box.setObjectName("save_failed_dialog")
            box.open()  # not modal-blocking: autosave must never stall the GUI
            self._dialog = box

"""What happens when the user opens, leaves, saves or deletes an image's labels.

:class:`Session` is the controller between the window's widgets and :class:`Document`: it
opens a path (image, LabelMe JSON or folder), moves to the next/previous image, remembers the
zoom and scroll of every image, applies "keep previous annotation", and makes sure leaving an
image or quitting never drops an edit (autosave flush, or Save / Discard / Cancel when autosave
is off). The window only wires actions to these methods.

A label file changed by another program is never overwritten silently: saves refuse (see
:mod:`app.autosave`) and :class:`app.conflicts.ConflictResolver` asks; a clean document is read
again when the window is activated or the image is returned to.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.canvas.image_layer import read_full
from app.undo_commands import AddShapes
from app.conflicts import ConflictResolver
from app.document import Document
from app.kept_documents import KeptDocuments
from app.workers import run_in_thread
from segcore.io import annotation as sa

if TYPE_CHECKING:
    from app.main_window import MainWindow

from segcore.io.imageio import IMAGE_EXTENSIONS, ImageReadError


class Session(QObject):
    """Opening, navigating, saving; owned by the main window."""

    documentChanged = Signal(object)
    imageShown = Signal(str)
    detailShown = Signal(str)  # a huge image's detailed decode replaced its reduced first view

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.document: Document | None = None
        self.view_states: dict[str, tuple] = {}
        self.kept = KeptDocuments()  # recently left images, with their undo history
        self.previous_shapes: list[sa.Shape] = []
        self.shown_path: str | None = None  # the image on the canvas now
        # Answer used instead of asking Save/Discard/Cancel (tests, scripted use).
        self.leave_answer: QMessageBox.StandardButton | None = None
        self.conflicts = ConflictResolver(self)
        window.saver.conflict_handler = self.conflicts.handle
        window.installEventFilter(self)  # activation: was the open label file changed elsewhere?

    # ------------------------------------------------------------------ opening
    def open_path(self, path: str | os.PathLike) -> bool:
        """Open an image, a LabelMe .json or a folder (recursive)."""
        p = Path(path).expanduser()
        if not p.exists():
            self.w.report_error(f"{p}: no such file or folder")
            return False
        if p.is_dir():
            return self.open_dir(p)
        if p.suffix.lower() == ".json":
            try:
                ann = sa.load(p)
            except sa.AnnotationError as exc:
                self.w.report_error(str(exc))
                return False
            image = sa.resolve_image_path(ann, p)
            if not image.exists():
                self.w.report_error(f"{p}: its image {ann.image_path!r} does not exist")
                return False
            self.w.file_dock.model.set_files([str(image)], root=image.parent)
            return self.load_image(str(image), json_path=p)
        if p.suffix.lower() not in IMAGE_EXTENSIONS:
            self.w.report_error(f"{p}: not an image or a LabelMe file")
            return False
        self.w.file_dock.model.set_files([str(p.resolve())], root=p.resolve().parent)
        return self.load_image(str(p.resolve()))

    def open_files(self, paths: list[str | os.PathLike]) -> bool:
        """Open several dropped images as the file list (LabelMe's drop of image files)."""
        images = [str(Path(p).resolve()) for p in paths
                  if Path(p).is_file() and Path(p).suffix.lower() in IMAGE_EXTENSIONS]
        if not images:
            self.w.report_error("None of the dropped files is an image: " + ", ".join(str(p) for p in paths))
            return False
        if not self.leave_current():
            return False
        root = Path(os.path.commonpath(images)) if len(images) > 1 else Path(images[0]).parent
        if root.is_file():
            root = root.parent
        self.w.file_dock.model.set_files(images, root=root)
        self.close_document(force=True)
        return self.load_image(self.w.file_dock.model.paths()[0])

    def open_dir(self, folder: str | os.PathLike) -> bool:
        """List a folder's images (scanned in the background) and open the first."""
        if not self.leave_current():
            return False
        folder = Path(folder).resolve()
        self.w.settings.last_path = str(folder)
        self.close_document(force=True)
        self.kept.clear()
        self.w.reset_known_labels()  # the label list shows this folder's labels only
        self.w.file_dock.model.scan(folder, on_first=lambda first: self.document is None and self.load_image(first))
        self.w.statusBar().showMessage(f"Opening {folder}...", 3000)
        return True

    def load_image(self, image_path: str, json_path: str | os.PathLike | None = None) -> bool:
        """Show ``image_path`` with its labels (after leaving the current image safely)."""
        if self.document is not None and self.document.image_path == Path(image_path):
            return True
        if not self.leave_current():
            return False
        try:
            doc = self._document_for(image_path, json_path)
        except (sa.AnnotationError, ImageReadError, OSError, ValueError) as exc:
            self.w.report_error(str(exc))
            return False
        self._remember_view()
        old = self.document
        if old is not None and old.shapes:
            self.previous_shapes = [s.copy() for s in old.shapes]
        self.document = doc
        self.w.set_document(doc)
        if old is not None:
            self.kept.keep(old)  # clean after leave_current, or dropped
        if self.w.settings.keep_previous and not doc.shapes and self.previous_shapes:
            doc.push(AddShapes(doc, [s.copy() for s in self.previous_shapes], text="Keep previous annotation"))
        self.w.settings.last_path = image_path
        self.w.file_dock.select_path(image_path)
        self.w.label_dock.add_known(doc.known_labels())
        self.shown_path = None
        if self.w.image_cache.get(image_path) is None:
            self.w.canvas.set_image(None)  # never show the new shapes over the old image
        self.w.image_cache.request(image_path, self._image_ready, self._image_failed)
        self._prefetch_neighbours(image_path)
        self.documentChanged.emit(doc)
        return True

    def _document_for(self, image_path: str, json_path: str | os.PathLike | None) -> Document:
        """The document to show: the kept one (with its undo history) when its label file is
        unchanged since we left it, else the file parsed in the background, else read now."""
        if json_path is not None:  # an explicit label file: read it, whatever was kept
            self.kept.forget(image_path)
            return Document.load(image_path, json_path, colours=self.w.colours)
        own_json = sa.json_path_for(image_path)
        kept = self.kept.take(image_path)
        parsed = self.w.annotation_cache.take(own_json)  # taken either way: a kept document needs no parse
        if kept is not None:
            return kept
        if parsed is not None:
            ann, digest = parsed
            return Document(ann, image_path=image_path, json_path=own_json, colours=self.w.colours,
                            disk_digest=digest)
        return Document.load(image_path, colours=self.w.colours)

    def _image_ready(self, path: str, rgb, full_size) -> None:
        doc = self.document
        if doc is None or str(doc.image_path) != path:
            return
        self.w.canvas.set_image(rgb, full_size)
        self.shown_path = path
        state = self.view_states.get(path)
        if state is not None:
            self.w.canvas_view_state_restore(state)
        else:
            self.w.canvas.fit_window()
        problem = _size_problem(doc, full_size)
        labelled = "" if doc.json_path is None or not doc.json_path.exists() else f", {doc.json_path.name}"
        self.w.statusBar().showMessage(problem or f"{Path(path).name}: {full_size[0]}x{full_size[1]}, "
                                       f"{len(doc)} shape(s){labelled}", 10000 if problem else 5000)
        self.imageShown.emit(path)
        if rgb.shape[1] < full_size[0]:  # a reduced first view: fetch the detail in the background
            self.w.statusBar().showMessage("Large image: loading full detail...", 5000)
            run_in_thread(read_full, path, on_done=lambda result: self._detail_ready(path, result),
                          on_error=lambda exc: self._image_failed(path, exc))
        else:
            self.detailShown.emit(path)

    def _detail_ready(self, path: str, result) -> None:
        doc = self.document
        if doc is None or str(doc.image_path) != path:
            return
        rgb, full_size = result
        self.w.canvas.set_image(rgb, full_size)
        self.detailShown.emit(path)

    def _image_failed(self, path: str, exc: BaseException) -> None:
        if self.document is not None and str(self.document.image_path) == path:
            self.w.report_error(str(exc))

    def _prefetch_neighbours(self, path: str) -> None:
        nxt = self.w.file_dock.neighbour(path, 1)
        prv = self.w.file_dock.neighbour(path, -1)
        self.w.image_cache.prefetch([p for p in (nxt, prv) if p])
        model = self.w.file_dock.model
        self.w.annotation_cache.prefetch([str(sa.json_path_for(p)) for p in (nxt, prv)
                                          if p and model.is_labelled(p) and p not in self.kept])

    def _remember_view(self) -> None:
        doc = self.document
        if doc is not None and doc.image_path is not None:
            self.view_states[str(doc.image_path)] = self.w.canvas_view_state()

    # ------------------------------------------------------------------ changes made elsewhere
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.w and event.type() == QEvent.Type.WindowActivate:
            self.check_disk()
        return False

    def check_disk(self) -> None:
        """Read the open label file again, in the background, when another program changed it
        and the document has no unsaved edits (unsaved edits are checked when they are saved)."""
        doc = self.document
        if doc is None or doc.json_path is None or doc.is_dirty():
            return
        path, expected = doc.json_path, doc.disk

        def compare() -> bool:
            return sa.file_digest(path) != expected.digest

        def done(changed: bool) -> None:
            if changed and doc is self.document and doc.disk is expected and not doc.is_dirty():
                self.conflicts.reload(doc, path)

        run_in_thread(compare, on_done=done, on_error=lambda _exc: None)

    # ------------------------------------------------------------------ navigation
    def step(self, delta: int, carry: bool = False) -> bool:
        """Open the image ``delta`` rows away in the (filtered) file list. With ``carry`` the
        current shapes are copied onto it when it has none (LabelMe's Ctrl+Shift+D/A)."""
        doc = self.document
        current = str(doc.image_path) if doc is not None and doc.image_path is not None else None
        target = self.w.file_dock.neighbour(current, delta)
        if target is None:
            return False
        carried = [s.copy() for s in doc.shapes] if carry and doc is not None else []
        if not self.load_image(target):
            return False
        new = self.document
        if carried and new is not None and not new.shapes and not self.w.settings.keep_previous:
            new.push(AddShapes(new, carried, text="Carry shapes over"))
        return True

    def restore_last(self) -> None:
        """Reopen the last file or folder of the previous session, when it still exists."""
        last = self.w.settings.last_path
        if last and Path(last).exists():
            p = Path(last)
            if p.is_file() and p.parent.is_dir() and p.suffix.lower() in IMAGE_EXTENSIONS:
                self.open_path(p)
            elif p.is_dir():
                self.open_dir(p)

    # ------------------------------------------------------------------ leaving / closing
    def leave_current(self) -> bool:
        """Make sure no edit of the open image is lost. False when the user cancelled."""
        doc = self.document
        if doc is None or not doc.is_dirty():
            self.w.saver.flush(doc)
            return True
        if self.w.saver.autosave and self.w.saver.flush(doc):
            self._mark_saved(doc)
            return True
        answer = self._ask_leave(doc)
        if answer == QMessageBox.StandardButton.Save:
            if self.save():
                return True
            return self.save_as() if self.w.saver.last_error else False
        return answer == QMessageBox.StandardButton.Discard

    def _ask_leave(self, doc: Document) -> QMessageBox.StandardButton:
        if self.leave_answer is not None:
            return self.leave_answer
        name = doc.image_path.name if doc.image_path else "this image"
        why = f"\n\nThe last save failed: {self.w.saver.last_error}" if self.w.saver.last_error else ""
        return QMessageBox.question(
            self.w, "Unsaved changes", f"Save the changes to the labels of {name}?{why}",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def close_document(self, force: bool = False) -> bool:
        """Close the open image (Ctrl+W)."""
        if not force and not self.leave_current():
            return False
        self._remember_view()
        old = self.document
        self.document = None
        self.shown_path = None
        self.w.canvas.set_image(None)
        self.w.set_document(None)
        if old is not None:
            old.deleteLater()
        self.documentChanged.emit(None)
        return True

    # ------------------------------------------------------------------ saving
    def save(self) -> bool:
        """Save now (Ctrl+S); waits for the write so the result is known."""
        doc = self.document
        if doc is None:
            return False
        if doc.json_path is None:
            return self.save_as()
        ok = self.w.saver.save_now(doc)
        if ok:
            self._mark_saved(doc)
        return ok

    def save_as(self, path: str | os.PathLike | None = None) -> bool:
        """Save to another label file (Ctrl+Shift+S); later saves go there."""
        doc = self.document
        if doc is None:
            return False
        if path is None:
            start = str(doc.json_path or "")
            path, _ = QFileDialog.getSaveFileName(self.w, "Save labels as", start, "LabelMe JSON (*.json)")
            if not path:
                return False
        target = Path(path)
        if target.suffix.lower() != ".json":
            target = target.with_suffix(".json")
        old = doc.json_path
        doc.json_path = target
        if not self.w.saver.save_now(doc, target, check=False):  # the user chose to overwrite it
            doc.json_path = old
            return False
        if doc.image_path is not None:
            doc.annotation.image_path = sa.relative_image_path(doc.image_path, target)
        self._mark_saved(doc)
        return True

    def _mark_saved(self, doc: Document) -> None:
        if doc.image_path is not None and doc.json_path == sa.json_path_for(doc.image_path):
            self.w.file_dock.model.set_labelled(str(doc.image_path), True)

    def delete_label_file(self, confirm: bool = True) -> bool:
        """Delete the open image's label file (never the image) and show it unlabelled."""
        doc = self.document
        if doc is None or doc.json_path is None:
            return False
        jp = doc.json_path
        self.w.saver.timer.stop()
        self.w.saver.pool.waitForDone()
        if not jp.exists():
            self.w.statusBar().showMessage(f"{jp.name} does not exist", 5000)
            return False
        if confirm and QMessageBox.question(
                self.w, "Delete label file", f"Delete {jp}?\nThe image is kept.") != QMessageBox.StandardButton.Yes:
            return False
        try:
            jp.unlink()
        except OSError as exc:
            self.w.report_error(f"{jp}: cannot delete ({exc.strerror or exc})")
            return False
        image = str(doc.image_path)
        self.close_document(force=True)
        self.w.file_dock.model.set_labelled(image, False)
        self.load_image(image)
        self.w.statusBar().showMessage(f"Deleted {jp.name}", 5000)
        return True


def _size_problem(doc: Document, full_size: tuple[int, int]) -> str | None:
    size = doc.image_size()
    if size is not None and tuple(size) != tuple(full_size):
        return (f"{doc.json_path}: imageWidth/imageHeight {size[0]}x{size[1]} disagree with the image "
                f"({full_size[0]}x{full_size[1]})")
    return None

"""What happens when the user opens, leaves, saves or deletes an image's labels.

:class:`Session` owns the open :class:`Document` and the services around it: the saver
(:class:`segstudio.autosave.Saver`), the image and label-file prefetch caches, the kept documents
(recently left images with their undo history) and the conflict resolver. It opens a path
(image, LabelMe JSON or folder), moves to the next/previous image, remembers the zoom and
scroll of every image, applies "keep previous annotation", and makes sure leaving an image or
quitting never drops an edit (autosave flush, or Save / Discard / Cancel when autosave is off).

The window observes it: ``documentChanged``, ``pixelsReady`` / ``viewRestored`` (what the
canvas shows), ``imageShown``, ``statusMessage``, ``errorOccurred``, ``folderOpened`` and
``labelsSeen``. The session talks to the file list only through :class:`FileList`.

A label file changed by another program is never overwritten silently: saves refuse (see
:mod:`segstudio.autosave`) and :class:`segstudio.conflicts.ConflictResolver` asks; a clean document is read
again when the window is activated or the image is returned to.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from segcore.io import annotation as sa
from segcore.io.imageio import IMAGE_EXTENSIONS, ImageReadError
from segstudio.autosave import Saver
from segstudio.canvas.image_layer import read_full
from segstudio.conflicts import ConflictResolver
from segstudio.document import Document
from segstudio.kept_documents import KeptDocuments
from segstudio.label_colours import LabelColours
from segstudio.prefetch import AnnotationCache, ImageCache
from segstudio.settings import Settings
from segstudio.undo_commands import AddShapes
from segstudio.workers import run_in_thread

LAST_FOLDER = "last_folder"  # settings key: the folder open last (empty: single files were)
LAST_IMAGE = "last_image"  # settings key: the image open last


class FileList(Protocol):
    """What the session needs of the file list (the file list dock provides it)."""

    model: object  # segstudio.docks.file_model.FileListModel

    def select_path(self, path: str | None) -> None: ...

    def neighbour(self, current: str | None, step: int) -> str | None: ...


class Session(QObject):
    """The open document and its services; opening, navigating, saving."""

    documentChanged = Signal(object)
    imageShown = Signal(str)
    detailShown = Signal(str)  # a huge image's detailed decode replaced its reduced first view
    pixelsReady = Signal(object, object)  # rgb (None: show no image), full size
    viewRestored = Signal(object)  # a remembered view state to put back (None: fit the window)
    statusMessage = Signal(str, int)  # text, milliseconds
    errorOccurred = Signal(str)
    folderOpened = Signal(str)  # another folder's images are listed: its labels come with its scan
    labelsSeen = Signal(list)  # labels used by the document just opened

    def __init__(self, files: FileList, settings: Settings, colours: LabelColours,
                 view_state: Callable[[], tuple], parent: QWidget) -> None:
        super().__init__(parent)
        self.files = files
        self.settings = settings
        self.colours = colours
        self._view_state = view_state
        self.document: Document | None = None
        self.saver = Saver(parent, autosave=settings.autosave)
        self.image_cache = ImageCache(self)
        self.annotation_cache = AnnotationCache(self)
        self.view_states: dict[str, tuple] = {}
        self.kept = KeptDocuments()  # recently left images, with their undo history
        self.previous_shapes: list[sa.Shape] = []
        self.shown_path: str | None = None  # the image on the canvas now
        # Answer used instead of asking Save/Discard/Cancel (tests, scripted use).
        self.leave_answer: QMessageBox.StandardButton | None = None
        self.conflicts = ConflictResolver(self)
        self.saver.conflict_handler = self.conflicts.handle
        parent.installEventFilter(self)  # activation: was the open label file changed elsewhere?

    def dialog_parent(self) -> QWidget:
        """The widget the session's questions are shown over (the window)."""
        return self.parent()

    def report_error(self, message: str) -> None:
        """Tell the observers (the window shows it in the status bar and a message box)."""
        self.errorOccurred.emit(message)

    def status(self, message: str, msecs: int) -> None:
        """A passing status message."""
        self.statusMessage.emit(message, msecs)

    # ------------------------------------------------------------------ opening
    def open_path(self, path: str | os.PathLike) -> bool:
        """Open an image, a LabelMe .json or a folder (recursive)."""
        p = Path(path).expanduser()
        if not p.exists():
            self.report_error(self.tr("{path}: no such file or folder").format(path=p))
            return False
        if p.is_dir():
            return self.open_dir(p)
        if p.suffix.lower() == ".json":
            try:
                ann = sa.load(p)
            except sa.AnnotationError as exc:
                self.report_error(str(exc))
                return False
            image = sa.resolve_image_path(ann, p)
            if not image.exists():
                self.report_error(self.tr("{path}: its image {image!r} does not exist").format(path=p, image=ann.image_path))
                return False
            return self._open_single(str(image), json_path=p)
        if p.suffix.lower() not in IMAGE_EXTENSIONS:
            self.report_error(self.tr("{path}: not an image or a LabelMe file").format(path=p))
            return False
        return self._open_single(str(p.resolve()))

    def _open_single(self, image: str, json_path: Path | None = None) -> bool:
        """List one image alone and open it (with ``json_path`` as its labels when given)."""
        self.files.model.set_files([image], root=Path(image).parent)
        self.settings.set_value(LAST_FOLDER, "")
        return self.load_image(image, json_path=json_path)

    def open_files(self, paths: list[str | os.PathLike]) -> bool:
        """Open several dropped images as the file list (LabelMe's drop of image files)."""
        images = [str(Path(p).resolve()) for p in paths
                  if Path(p).is_file() and Path(p).suffix.lower() in IMAGE_EXTENSIONS]
        if not images:
            self.report_error(self.tr("None of the dropped files is an image: {files}").format(
                files=", ".join(str(p) for p in paths)))
            return False
        if not self.leave_current():
            return False
        root = Path(os.path.commonpath(images)) if len(images) > 1 else Path(images[0]).parent
        if root.is_file():
            root = root.parent
        self.files.model.set_files(images, root=root)
        self.settings.set_value(LAST_FOLDER, "")
        self.close_document(force=True)
        return self.load_image(self.files.model.paths()[0])

    def open_dir(self, folder: str | os.PathLike, select: str | os.PathLike | None = None) -> bool:
        """List a folder's images (scanned in the background) and open the first, or
        ``select`` when it is an image of the folder that still exists."""
        if not self.leave_current():
            return False
        folder = Path(folder).resolve()
        self.settings.last_path = str(folder)
        self.settings.set_value(LAST_FOLDER, str(folder))
        wanted = _image_in(select, folder)
        self.close_document(force=True)
        self.kept.clear()
        self.folderOpened.emit(str(folder))  # the label list shows this folder's labels only
        self.files.model.scan(folder, on_first=lambda first: self.document is None
                              and self.load_image(wanted or first))
        self.status(self.tr("Opening {folder}...").format(folder=folder), 3000)
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
            self.report_error(str(exc))
            return False
        self._remember_view()
        old = self.document
        if old is not None and old.shapes:
            self.previous_shapes = [s.copy() for s in old.shapes]
        self.document = doc
        self.saver.attach(doc)
        self.documentChanged.emit(doc)
        if old is not None:
            self.kept.keep(old)  # clean after leave_current, or dropped
        if self.settings.keep_previous and not doc.shapes and self.previous_shapes:
            doc.push(AddShapes(doc, [s.copy() for s in self.previous_shapes], text=QT_TRANSLATE_NOOP("UndoCommand", "Keep previous annotation")))
        self.settings.last_path = image_path
        self.settings.set_value(LAST_IMAGE, image_path)
        self.files.select_path(image_path)
        self.labelsSeen.emit(doc.known_labels())
        self.shown_path = None
        if not self.image_cache.request(image_path, self._image_ready, self._image_failed):
            self.pixelsReady.emit(None, None)  # never show the new shapes over the old image
        self._prefetch_neighbours(image_path)
        return True

    def _document_for(self, image_path: str, json_path: str | os.PathLike | None) -> Document:
        """The document to show: the kept one (with its undo history) when its label file is
        unchanged since we left it, else the file parsed in the background, else read now."""
        if json_path is not None:  # an explicit label file: read it, whatever was kept
            self.kept.forget(image_path)
            return Document.load(image_path, json_path, colours=self.colours)
        own_json = sa.json_path_for(image_path)
        kept = self.kept.take(image_path)
        parsed = self.annotation_cache.take(own_json)  # taken either way: a kept document needs no parse
        if kept is not None:
            return kept
        if parsed is not None:
            ann, digest = parsed
            return Document(ann, image_path=image_path, json_path=own_json, colours=self.colours,
                            disk_digest=digest)
        return Document.load(image_path, colours=self.colours)

    def _image_ready(self, path: str, rgb, full_size) -> None:
        doc = self.document
        if doc is None or str(doc.image_path) != path:
            return
        self.pixelsReady.emit(rgb, full_size)
        self.shown_path = path
        state = self.view_states.get(path)
        self.viewRestored.emit(state)
        problem = _size_problem(doc, full_size)
        labelled = ("" if doc.json_path is None or not doc.json_path.exists()
                    else self.tr(", {file}").format(file=doc.json_path.name))
        summary = self.tr("{name}: {w}x{h}, %n shape(s)", None, len(doc)).format(
            name=Path(path).name, w=full_size[0], h=full_size[1])
        self.status(problem or summary + labelled, 10000 if problem else 5000)
        self.imageShown.emit(path)
        if rgb.shape[1] < full_size[0]:  # a reduced first view: fetch the detail in the background
            self.status(self.tr("Large image: loading full detail..."), 5000)
            run_in_thread(read_full, path, on_done=lambda result: self._detail_ready(path, result),
                          on_error=lambda exc: self._image_failed(path, exc))
        else:
            self.detailShown.emit(path)

    def _detail_ready(self, path: str, result) -> None:
        doc = self.document
        if doc is None or str(doc.image_path) != path:
            return
        rgb, full_size = result
        self.pixelsReady.emit(rgb, full_size)
        self.detailShown.emit(path)

    def _image_failed(self, path: str, exc: BaseException) -> None:
        if self.document is not None and str(self.document.image_path) == path:
            self.report_error(str(exc))

    def _prefetch_neighbours(self, path: str) -> None:
        nxt = self.files.neighbour(path, 1)
        prv = self.files.neighbour(path, -1)
        self.image_cache.prefetch([p for p in (nxt, prv) if p])
        model = self.files.model
        self.annotation_cache.prefetch([str(sa.json_path_for(p)) for p in (nxt, prv)
                                          if p and model.is_labelled(p) and p not in self.kept])

    def _remember_view(self) -> None:
        doc = self.document
        if doc is not None and doc.image_path is not None:
            self.view_states[str(doc.image_path)] = self._view_state()

    # ------------------------------------------------------------------ changes made elsewhere
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.parent() and event.type() == QEvent.Type.WindowActivate:
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
        target = self.files.neighbour(current, delta)
        if target is None:
            return False
        carried = [s.copy() for s in doc.shapes] if carry and doc is not None else []
        if not self.load_image(target):
            return False
        new = self.document
        if carried and new is not None and not new.shapes and not self.settings.keep_previous:
            new.push(AddShapes(new, carried, text=QT_TRANSLATE_NOOP("UndoCommand", "Carry shapes over")))
        return True

    def restore_last(self) -> None:
        """Reopen what the previous session showed, when it still exists: its folder with its
        last image open and selected, or the single image it had open."""
        folder = str(self.settings.value(LAST_FOLDER, "") or "")
        image = str(self.settings.value(LAST_IMAGE, "") or "")
        if folder and Path(folder).is_dir():
            self.open_dir(folder, select=image or None)
            return
        if image and Path(image).is_file():
            self.open_path(image)
            return
        last = self.settings.last_path
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
            self.saver.flush(doc)
            return True
        if self.saver.autosave and self.saver.flush(doc):
            self._mark_saved(doc)
            return True
        answer = self._ask_leave(doc)
        if answer == QMessageBox.StandardButton.Save:
            if self.save():
                return True
            return self.save_as() if self.saver.last_error else False
        return answer == QMessageBox.StandardButton.Discard

    def _ask_leave(self, doc: Document) -> QMessageBox.StandardButton:
        if self.leave_answer is not None:
            return self.leave_answer
        name = doc.image_path.name if doc.image_path else self.tr("this image")
        why = ("\n\n" + self.tr("The last save failed: {error}").format(error=self.saver.last_error)
               if self.saver.last_error else "")
        return QMessageBox.question(
            self.dialog_parent(), self.tr("Unsaved changes"),
            self.tr("Save the changes to the labels of {name}?").format(name=name) + why,
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
        self.pixelsReady.emit(None, None)
        self.saver.attach(None)
        self.documentChanged.emit(None)
        if old is not None:
            old.deleteLater()
        return True

    # ------------------------------------------------------------------ saving
    def save(self) -> bool:
        """Save now (Ctrl+S); waits for the write so the result is known."""
        doc = self.document
        if doc is None:
            return False
        if doc.json_path is None:
            return self.save_as()
        ok = self.saver.save_now(doc)
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
            path, _ = QFileDialog.getSaveFileName(self.dialog_parent(), self.tr("Save labels as"), start,
                                                  "LabelMe JSON (*.json)")
            if not path:
                return False
        target = Path(path)
        if target.suffix.lower() != ".json":
            target = target.with_suffix(".json")
        old = doc.json_path
        doc.json_path = target
        if not self.saver.save_now(doc, target, check=False):  # the user chose to overwrite it
            doc.json_path = old
            return False
        if doc.image_path is not None:
            doc.annotation.image_path = sa.relative_image_path(doc.image_path, target)
        self._mark_saved(doc)
        return True

    def _mark_saved(self, doc: Document) -> None:
        if doc.image_path is not None and doc.json_path == sa.json_path_for(doc.image_path):
            self.files.model.set_labelled(str(doc.image_path), True)

    def delete_label_file(self, confirm: bool = True) -> bool:
        """Delete the open image's label file (never the image) and show it unlabelled."""
        doc = self.document
        if doc is None or doc.json_path is None:
            return False
        jp = doc.json_path
        self.saver.timer.stop()
        self.saver.pool.waitForDone()
        if not jp.exists():
            self.status(self.tr("{name} does not exist").format(name=jp.name), 5000)
            return False
        if confirm and QMessageBox.question(
                self.dialog_parent(), self.tr("Delete label file"),
                self.tr("Delete {path}?\nThe image is kept.").format(path=jp)) != QMessageBox.StandardButton.Yes:
            return False
        try:
            jp.unlink()
        except OSError as exc:
            self.report_error(self.tr("{path}: cannot delete ({error})").format(path=jp, error=exc.strerror or exc))
            return False
        image = str(doc.image_path)
        self.close_document(force=True)
        self.files.model.set_labelled(image, False)
        self.load_image(image)
        self.status(self.tr("Deleted {name}").format(name=jp.name), 5000)
        return True


def _image_in(image: str | os.PathLike | None, folder: Path) -> str | None:
    """``image`` (resolved) when it is an existing image file inside ``folder``, else None."""
    if not image:
        return None
    p = Path(image).resolve()
    if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS and p.is_relative_to(folder):
        return str(p)
    return None


def _size_problem(doc: Document, full_size: tuple[int, int]) -> str | None:
    size = doc.image_size()
    if size is not None and tuple(size) != tuple(full_size):
        return QCoreApplication.translate(
            "Session", "{path}: imageWidth/imageHeight {w}x{h} disagree with the image ({iw}x{ih})").format(
            path=doc.json_path, w=size[0], h=size[1], iw=full_size[0], ih=full_size[1])
    return None

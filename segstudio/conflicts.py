"""What happens when the open image's label file changed on disk under the app (another program
wrote it since the document last read or wrote it).

Nothing is ever overwritten silently. A document without unsaved edits is read again (status
bar: "a.json changed on disk: reloaded"). With unsaved edits the user chooses:

- **Keep mine**: overwrite the file with the open labels;
- **Take theirs**: read the file again, dropping the open edits;
- **Save mine as a copy**: write the open labels to ``a.conflict-<time>.json`` beside it, then
  read the file again.

A label file deleted elsewhere is not a conflict: the next save writes it again, which loses
nothing. The save thread detects conflicts (:meth:`segstudio.autosave.Saver._write`); this module
only decides, in the GUI thread, once the user has answered.
"""

from __future__ import annotations

import enum
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox

from segcore.io import annotation as sa
from segstudio.document import DiskVersion, Document

if TYPE_CHECKING:
    from segstudio.session import Session


class Choice(enum.Enum):
    """The user's answer to a conflict."""

    KEEP_MINE = "keep mine"
    TAKE_THEIRS = "take theirs"
    SAVE_COPY = "save mine as a copy"


_BUTTONS = {Choice.KEEP_MINE: QT_TRANSLATE_NOOP("ConflictResolver", "Keep mine"),
            Choice.TAKE_THEIRS: QT_TRANSLATE_NOOP("ConflictResolver", "Take theirs"),
            Choice.SAVE_COPY: QT_TRANSLATE_NOOP("ConflictResolver", "Save mine as a copy")}


def conflict_copy_path(json_path: Path, now: float | None = None) -> Path:
    """A free name beside ``json_path`` for the user's labels: ``a.conflict-20260102-130405.json``
    (``-2``, ``-3``... appended when taken)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    base = f"{json_path.stem}.conflict-{stamp}"
    candidate = json_path.with_name(base + json_path.suffix)
    n = 2
    while candidate.exists():
        candidate = json_path.with_name(f"{base}-{n}{json_path.suffix}")
        n += 1
    return candidate


class ConflictResolver(QObject):
    """Resolves save conflicts of the session's open document (installed as the saver's
    ``conflict_handler``)."""

    resolved = Signal(str, str)  # label file, the Choice value carried out

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.session = session
        # Answer used instead of asking (tests, scripted use), like Session.leave_answer.
        self.answer: Choice | None = None
        self._box: QMessageBox | None = None

    # ------------------------------------------------------------------ entry points
    def handle(self, doc: Document, path: Path, blocking: bool) -> bool:
        """A save of ``doc`` to ``path`` was refused: the file changed on disk. ``blocking``
        (Ctrl+S, leaving, quitting) asks and resolves before returning; otherwise the prompt
        is shown without blocking. True when nothing of ``doc`` is left unsaved."""
        if doc is not self.session.document or doc.json_path != path:
            return False  # left meanwhile: leaving resolved it synchronously
        try:
            theirs = sa.file_digest(path)
        except OSError as exc:
            self.session.report_error(self.tr("{path}: cannot read the file ({error})").format(
                path=path, error=exc.strerror or exc))
            return False
        if theirs == doc.disk.digest:  # resolved since this save was queued
            if doc.is_dirty() and not blocking:
                self.session.saver.save_async(doc)
            return not doc.is_dirty()
        if not doc.is_dirty():
            return self.reload(doc, path)
        if self.answer is not None:
            return self._apply(doc, path, theirs, self.answer, blocking)
        if blocking:
            return self._apply(doc, path, theirs, self._ask(path, blocking=True), blocking)
        if self._box is None:  # one prompt at a time; saves refused meanwhile wait for its answer
            self._ask(path, blocking=False, then=lambda choice: self._apply(doc, path, theirs, choice, False))
        return False

    def reload(self, doc: Document, path: Path) -> bool:
        """Show what ``path`` holds now in the clean ``doc``; True on success."""
        try:
            ann, digest = sa.load_with_digest(path) if path.exists() else (self._empty(doc, path), None)
        except sa.AnnotationError as exc:
            self.session.report_error(f"{exc}\n\n" + self.tr("The labels shown were kept; nothing was overwritten."))
            return False
        doc.replace_from_disk(ann, digest)
        self.session.status(self.tr("{name} changed on disk: reloaded").format(name=path.name), 10000)
        if doc.image_path is not None and path == sa.json_path_for(doc.image_path):
            self.session.files.model.set_labelled(str(doc.image_path), digest is not None)
        return True

    # ------------------------------------------------------------------ resolution
    def _apply(self, doc: Document, path: Path, theirs: bytes | None, choice: Choice | None,
               blocking: bool) -> bool:
        """Carry out ``choice``; True when nothing of ``doc`` is left unsaved."""
        self._box = None
        if choice is None:  # the prompt was closed: keep the edits open, unsaved
            self.session.status(
                self.tr("{name} changed on disk; your edits are not saved (save to choose again)").format(
                    name=path.name), 15000)
            return False
        saver = self.session.saver
        if choice is Choice.KEEP_MINE:
            doc.disk = DiskVersion(theirs)  # overwrite what was seen when asking, nothing newer
            if blocking:
                ok = saver.save_now(doc)
            else:
                saver.save_async(doc)
                ok = False
        else:
            ok = True
            if choice is Choice.SAVE_COPY:
                copy = conflict_copy_path(path)
                ok = saver.save_now(doc, copy, check=False)
                if ok:
                    self.session.status(self.tr("Your labels were saved as {name}").format(name=copy.name), 15000)
            ok = ok and self.reload(doc, path)
        if ok or choice is Choice.KEEP_MINE:
            self.resolved.emit(str(path), choice.value)
        return ok

    def _ask(self, path: Path, *, blocking: bool, then=None) -> Choice | None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Label file changed on disk"),
                          self.tr("{path} was changed by another program since it was opened or saved here.\n\n"
                                  "Keep mine: overwrite it with the labels shown.\n"
                                  "Take theirs: show the file as it is now (your unsaved edits are dropped).\n"
                                  "Save mine as a copy: write the labels shown beside it, then take theirs."
                                  ).format(path=path),
                          QMessageBox.StandardButton.NoButton, self.session.dialog_parent())
        box.setObjectName("conflict_dialog")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        buttons = {box.addButton(self.tr(_BUTTONS[c]), QMessageBox.ButtonRole.AcceptRole): c for c in Choice}

        def choice_of() -> Choice | None:
            return buttons.get(box.clickedButton())

        if blocking:
            box.exec()
            return choice_of()
        self._box = box
        box.finished.connect(lambda _r: then(choice_of()))
        box.open()  # not blocking: the save thread and the GUI go on
        return None

    @staticmethod
    def _empty(doc: Document, path: Path) -> sa.Annotation:
        size = doc.image_size() or (1, 1)
        image = doc.image_path if doc.image_path is not None else path.with_suffix(".png")
        return sa.new_annotation(image, path, *size)

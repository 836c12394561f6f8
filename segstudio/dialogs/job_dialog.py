"""A dialog with a form, a Run button, a progress bar, Cancel, and a summary at the end.

Subclasses build their form in :meth:`build_form` and return the segcore call from
:meth:`make_call` (``(fn, args, kwargs)``; ``fn`` takes ``progress=``/``cancel=``). The call
runs in a worker thread (:func:`segstudio.workers.run_in_thread`); its report's ``to_text()`` becomes
the summary.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from segstudio.workers import Job, run_in_thread


class PathField(QWidget):
    """A line edit with a Browse... button (a folder, a file to open, or a file to save)."""

    def __init__(self, kind: str = "dir", caption: str = "", file_filter: str = "", parent=None) -> None:
        super().__init__(parent)
        self.kind, self.caption, self.file_filter = kind, caption, file_filter
        self.edit = QLineEdit(self)
        self.button = QPushButton(self.tr("Browse..."), self)
        self.button.clicked.connect(self.browse)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.button)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.edit.setText(text)

    def browse(self) -> None:
        start = self.text()
        if self.kind == "dir":
            chosen = QFileDialog.getExistingDirectory(self, self.caption, start)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, self.caption, start, self.file_filter)
        if chosen:
            self.setText(chosen)


# the engine's progress messages (segcore.formats), translated where shown; others show as they are
PROGRESS_MESSAGES = (QT_TRANSLATE_NOOP("JobDialog", "checking"), QT_TRANSLATE_NOOP("JobDialog", "import"),
                     QT_TRANSLATE_NOOP("JobDialog", "VOC export"), QT_TRANSLATE_NOOP("JobDialog", "COCO export"),
                     QT_TRANSLATE_NOOP("JobDialog", "YOLO export"), QT_TRANSLATE_NOOP("JobDialog", "masks export"))


class JobDialog(QDialog):
    """Form + Run + progress + Cancel + summary. ``finished_report`` fires with the report."""

    finished_report = Signal(object)
    run_text = QT_TRANSLATE_NOOP("JobDialog", "Run")  # translated where shown, in its subclass's context

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 560)
        self.job: Job | None = None
        self.report: Any = None
        self.error: str | None = None
        self.form = QFormLayout()
        self.build_form(self.form)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("", self)
        self.summary = QPlainTextEdit(self)
        self.summary.setReadOnly(True)
        self.summary.setPlaceholderText(self.tr("The summary appears here: images, instances per class, problems."))
        self.buttons = QDialogButtonBox(self)
        self.run_button = self.buttons.addButton(self.tr(self.run_text), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button = self.buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.summary, 1)
        lay.addWidget(self.buttons)

    # -- for subclasses
    def build_form(self, form: QFormLayout) -> None:
        raise NotImplementedError

    def make_call(self) -> tuple[Callable[..., Any], tuple, dict]:
        """The segcore call to run; raise ValueError with a message for a bad form."""
        raise NotImplementedError

    # -- running
    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.finished

    def start(self) -> Job | None:
        """Validate the form and start the job in a worker thread."""
        if self.running:
            return self.job
        try:
            fn, args, kwargs = self.make_call()
        except ValueError as exc:
            self.show_error(str(exc))
            return None
        self.report, self.error = None, None
        self.summary.clear()
        self.progress.setRange(0, 0)  # busy until the first report
        self.status.setText(self.tr("Starting..."))
        self._set_running(True)
        self.job = run_in_thread(fn, *args, with_progress=True, on_done=self._done, on_error=self._failed,
                                 on_progress=self._progress, on_cancelled=self._cancelled, **kwargs)
        return self.job

    def cancel(self) -> None:
        """Ask the running job to stop (files already written stay; nothing else is touched)."""
        if self.running:
            self.job.cancel()
            self.status.setText(self.tr("Cancelling..."))
            self.cancel_button.setEnabled(False)

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)
        for i in range(self.form.rowCount()):
            item = self.form.itemAt(i, QFormLayout.ItemRole.FieldRole)
            if item is not None and item.widget() is not None:
                item.widget().setEnabled(not running)

    def _progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if message in PROGRESS_MESSAGES:
            message = QCoreApplication.translate("JobDialog", message)
        self.status.setText(f"{message} {done}/{total}" if total else message)

    def _done(self, report: Any) -> None:
        self._set_running(False)
        self.report = report
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status.setText(self.tr("Done."))
        self.summary.setPlainText(report.to_text())
        self.finished_report.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        report = getattr(exc, "report", None)
        text = str(exc)
        if report is not None:
            text += "\n\n" + report.to_text()
        self.show_error(text)

    def _cancelled(self) -> None:
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(self.tr("Cancelled. Files written so far were kept; nothing else was touched."))

    def show_error(self, text: str) -> None:
        self.error = text
        self.status.setText(self.tr("Failed: {problem}").format(problem=text.splitlines()[0]))
        self.summary.setPlainText(text)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if self.running:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)


def required_path(field: PathField, what: str, *, must_exist: bool = True) -> Path:
    """The field's path, or ValueError naming ``what`` (already in the UI's language)."""
    text = field.text()
    if not text:
        raise ValueError(QCoreApplication.translate("JobDialog", "choose the {what}").format(what=what))
    p = Path(text)
    if must_exist and not p.exists():
        raise ValueError(QCoreApplication.translate("JobDialog", "{what} {path} does not exist").format(what=what, path=p))
    return p

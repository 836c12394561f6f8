"""A progress dialog with Cancel for one worker job (:func:`segstudio.workers.run_in_thread`).

``JobProgress(parent, title, text, job)`` shows at once; :meth:`JobProgress.update` is the job's
``on_progress``; Cancel cancels the job; :meth:`JobProgress.close` when it has ended.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QProgressDialog, QWidget

from segstudio.workers import Job


class JobProgress:
    """A modeless :class:`QProgressDialog` bound to ``job``."""

    def __init__(self, parent: QWidget, title: str, text: str, job: Job, object_name: str = "") -> None:
        dlg = QProgressDialog(text, QCoreApplication.translate("JobProgress", "Cancel"), 0, 0, parent)
        dlg.setObjectName(object_name)
        dlg.setWindowTitle(title)
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(job.cancel)
        self.dialog: QProgressDialog | None = dlg
        dlg.show()

    def update(self, done: int, total: int, message: str) -> None:
        """Show ``done`` of ``total`` (busy when the total is 0) and the message."""
        dlg = self.dialog
        if dlg is not None:
            dlg.setMaximum(max(total, 0))
            dlg.setValue(min(done, total) if total else 0)
            if message:
                dlg.setLabelText(message)

    def close(self) -> None:
        """Close the dialog (its Cancel no longer reaches the job)."""
        dlg, self.dialog = self.dialog, None
        if dlg is not None:
            dlg.canceled.disconnect()
            dlg.close()
            dlg.deleteLater()

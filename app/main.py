"""Application start-up: ``app.main(argv)`` builds the QApplication and the main window."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Open the annotator (optionally on a file or folder) and run the event loop."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    argv = list(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    window = QMainWindow()
    window.setWindowTitle("SegStudio")
    window.resize(1200, 800)
    window.show()
    return app.exec()

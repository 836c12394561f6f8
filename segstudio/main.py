"""Application start-up: ``python main.py [PATH]`` (a file or a folder, as ``labelme PATH``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options of the annotator."""
    p = argparse.ArgumentParser(prog="segstudio", description="Label images LabelMe-style.")
    p.add_argument("path", nargs="?", help="an image, a LabelMe .json file or a folder to open")
    p.add_argument("--labels", help="a labels file (one label per line) restricting the label choice")
    p.add_argument("--flags", help="comma-separated image-level flags to offer")
    p.add_argument("--config", help="a JSON configuration overriding the defaults (segstudio/resources/default_config.json)")
    p.add_argument("--no-autosave", action="store_true", help="do not save after every edit")
    p.add_argument("--settings", help="an INI file for the settings instead of the user's store")
    p.add_argument("--smoke-test", action="store_true",
                   help="open the window with fresh settings for two seconds, then exit (0 when it worked)")
    return p.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Open the annotator (optionally on a file or folder) and run the event loop."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from segstudio.qt_check import broken_binding_message

    problem = broken_binding_message()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from segstudio.config import load_config
    from segstudio.i18n import SETTING, install_translators
    from segstudio.main_window import MainWindow
    from segstudio.settings import Settings

    try:
        config = load_config(args.config)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.flags:
        config["flags"] = [f.strip() for f in args.flags.split(",") if f.strip()]
    app = application()
    if args.smoke_test and not args.settings:
        args.settings = _fresh_settings_file()
    settings = Settings(args.settings)
    install_translators(app, str(settings.value(SETTING, "") or ""))  # before any text is set (app owns them)
    if args.no_autosave:
        settings.autosave = False
    window = MainWindow(settings=settings, config=config, labels_file=args.labels)
    window.show()
    if args.smoke_test:
        return _smoke_test(app, window)
    if args.path:
        window.open_path(args.path)
    else:
        window.restore_last()
    return app.exec()


def application():
    """The process's QApplication, set up as the annotator runs it (made when there is none):
    its names, and garbage collected in its thread only (segstudio.main_thread_gc)."""
    from PySide6.QtWidgets import QApplication

    from segstudio import main_thread_gc

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("SegStudio")
    app.setOrganizationName("SegStudio")
    main_thread_gc.install(app)
    return app


def _fresh_settings_file() -> str:
    """A settings file in a new temporary folder (the smoke test leaves the user's settings alone)."""
    import tempfile
    from pathlib import Path

    return str(Path(tempfile.mkdtemp(prefix="segstudio-smoke-")) / "settings.ini")


def _smoke_test(app, window) -> int:
    """Run the shown window's event loop for two seconds; 0 when it stayed up with every icon."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QToolBar, QWidgetAction

    def check() -> None:
        missing = [a.objectName() for tb in window.findChildren(QToolBar) for a in tb.actions()
                   if not a.isSeparator() and not isinstance(a, QWidgetAction) and a.icon().isNull()]
        if not window.isVisible() or missing:
            print(f"smoke test failed: window visible={window.isVisible()}, actions without icon: {missing}",
                  file=sys.stderr)
            app.exit(1)
        else:
            print("smoke test passed: the window opened and ran for 2 s")
            app.exit(0)

    QTimer.singleShot(2000, check)
    return app.exec()

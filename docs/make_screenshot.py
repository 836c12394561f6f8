"""Take docs/screenshot.png (or, with ``--language zh_CN``, docs/screenshot_zh_CN.png): the real
window on a folder of LabelMe files, in the given language (run under Xvfb with a window manager;
Chinese needs a CJK font, e.g. Debian's fonts-noto-cjk).

    Xvfb :99 -screen 0 1600x1000x24 & DISPLAY=:99 openbox &
    DISPLAY=:99 python docs/make_screenshot.py /path/to/labelme-folder [out.png or ""] [image name]
    DISPLAY=:99 python docs/make_screenshot.py --language zh_CN /path/to/labelme-folder
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from segstudio.config import load_config
    from segstudio.i18n import install_translators
    from segstudio.main_window import MainWindow
    from segstudio.settings import Settings

    language = "en"
    if "--language" in argv:
        at = argv.index("--language")
        language = argv[at + 1]
        argv = argv[:at] + argv[at + 2:]
    folder = str(Path(argv[0]).resolve())
    default = "screenshot.png" if language.startswith("en") else f"screenshot_{language}.png"
    out = Path(argv[1]) if len(argv) > 1 and argv[1] else REPO / "docs" / default
    wanted = argv[2] if len(argv) > 2 else None
    app = QApplication([sys.argv[0]])
    translators = install_translators(app, language)  # noqa: F841 - they live as long as the app
    settings = Settings(str(Path(tempfile.mkdtemp()) / "settings.ini"))
    window = MainWindow(settings=settings, config=load_config())
    window.resize(1400, 940)
    window.show()
    window.open_path(folder)

    def shoot() -> None:
        doc = window.document
        if doc is not None and len(doc) > 1:
            doc.set_selection([1])
        window.canvas.fit_window()
        from PySide6.QtCore import QPointF
        from PySide6.QtTest import QTest

        vp = window.canvas.mapFromScene(QPointF(200.0, 150.0))
        QTest.mouseMove(window.canvas.viewport(), vp)  # status bar: position, pixel value
        app.processEvents()
        image = window.grab().toImage()
        image.save(str(out), "PNG")
        if out.stat().st_size > 300 * 1024:  # keep the repository light: 256-colour PNG
            from PIL import Image

            with Image.open(out) as im:
                im.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, optimize=True)
        print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
        app.quit()

    def shown(path: str) -> None:
        if wanted and Path(path).name != wanted:
            window.session.load_image(str(Path(folder) / wanted))
        else:
            QTimer.singleShot(800, shoot)

    window.session.imageShown.connect(shown)
    QTimer.singleShot(20000, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Shared helpers for the GUI tests: small image folders and a window with a scripted label
dialog."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from segstudio.dialogs.label_dialog import LabelChoice
from segstudio.main_window import MainWindow
from segstudio.settings import Settings


def make_image(path: Path, size=(120, 90), colour=(10, 200, 30)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    a = np.zeros((size[1], size[0], 3), np.uint8)
    a[:] = colour
    Image.fromarray(a).save(path)
    return path


def make_labelme(image: Path, shapes: list[dict], **top) -> Path:
    w, h = Image.open(image).size
    data = {"version": "5.5.0", "flags": {}, "shapes": shapes, "imagePath": image.name,
            "imageData": None, "imageHeight": h, "imageWidth": w, **top}
    jp = image.with_suffix(".json")
    jp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return jp


def polygon(label: str, pts, **kw) -> dict:
    return {"label": label, "points": [list(p) for p in pts], "group_id": None, "description": "",
            "shape_type": "polygon", "flags": {}, "mask": None, **kw}


def open_window(qtbot, tmp_path: Path, labels=("cat",)) -> MainWindow:
    """A shown window with its settings in tmp_path and a label dialog that answers at once."""
    window = MainWindow(settings=Settings(str(tmp_path / "settings.ini")))
    qtbot.addWidget(window)
    answers = list(labels)
    window.ask_label = lambda choice=None: LabelChoice(answers[0] if answers else "object")
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    return window


def wait_image(qtbot, window: MainWindow, name: str) -> None:
    qtbot.waitUntil(lambda: window.document is not None and window.document.image_path is not None
                    and window.document.image_path.name == name and window.session.shown_path is not None
                    and Path(window.session.shown_path).name == name and not window.canvas.image_layer.is_empty(),
                    timeout=5000)


def click_scene(qtbot, window: MainWindow, x: float, y: float, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    vp = window.canvas.mapFromScene(QPointF(x, y))
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, modifier, vp)

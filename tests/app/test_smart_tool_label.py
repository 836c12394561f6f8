"""A smart tool's result stays painted on the canvas while the label dialog asks its label,
as a drawn polygon does: the user sees what they are naming."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsPixmapItem

from segstudio.canvas.smart_base import OPTIONS
from segstudio.main_window import MainWindow

from .gui_helpers import click_scene, open_window, wait_image

pytestmark = pytest.mark.gui


def _painted(item) -> bool:
    if item.scene() is None or not item.isVisible():
        return False
    if isinstance(item, QGraphicsPathItem):
        return not item.path().isEmpty()
    if isinstance(item, QGraphicsPixmapItem):
        return not item.pixmap().isNull()
    return False


@pytest.mark.parametrize("tool", ["wand", "brush"])
def test_smart_tool_preview_is_painted_while_the_label_dialog_is_open(qtbot, tmp_path, tool):
    img = np.zeros((150, 200, 3), np.uint8)
    img[:] = (40, 90, 200)
    img[40:110, 60:140] = (210, 40, 40)
    Image.fromarray(img).save(tmp_path / "a.png")
    saved = OPTIONS.__dict__.copy()
    w = open_window(qtbot, tmp_path)
    w.ask_label = MainWindow.ask_label.__get__(w)  # the real dialog
    w.open_path(tmp_path / "a.png")
    wait_image(qtbot, w, "a.png")
    w.canvas.set_tool(tool)
    seen = {}

    def inspect():
        dlg = w.label_dialog
        seen["dialog"] = dlg.isVisible()
        seen["painted"] = [it for it in w.canvas.tool._preview if _painted(it)]
        dlg.edit.clear()
        qtbot.keyClicks(dlg.edit, "zebra")
        qtbot.keyClick(dlg.windowHandle(), Qt.Key.Key_Return)

    try:
        if tool == "brush":  # the dab is committed (and its label asked) on release
            QTimer.singleShot(100, inspect)
        click_scene(qtbot, w, 100, 75)  # the wand previews the red region
        if tool == "wand":
            QTimer.singleShot(100, inspect)
            qtbot.keyClick(w.canvas.viewport(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "dialog" in seen, timeout=5000)
    finally:
        OPTIONS.__dict__.update(saved)
    assert seen["dialog"]
    assert seen["painted"]  # the region is on the canvas while its label is asked
    assert [s.label for s in w.document.shapes] == ["zebra"]
    assert not [it for it in w.canvas.tool._preview if it.scene() is not None]  # gone once added

"""The icon set: every toolbar button has an icon, drawn crisp at high DPI, and no two actions share
one (Zoom Out is not a bare line, Undo and Redo differ)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QToolBar, QWidgetAction

from segstudio import icons
from tests.app.gui_helpers import open_window

pytestmark = pytest.mark.gui


def _image(icon: QIcon, side: int = 32, ratio: float = 2.0) -> QImage:
    return icon.pixmap(QSize(side, side), ratio).toImage()


def _ink(image: QImage) -> int:
    """Pixels that are not fully transparent."""
    return sum(1 for y in range(image.height()) for x in range(image.width()) if image.pixelColor(x, y).alpha())


def test_every_toolbar_action_has_an_icon(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    bars = window.findChildren(QToolBar)
    assert {tb.objectName() for tb in bars} >= {"main_toolbar", "smart_tools_toolbar", "model_toolbar"}
    buttons = [(tb, act) for tb in bars for act in tb.actions()
               if not act.isSeparator() and not isinstance(act, QWidgetAction)]
    assert len(buttons) > 20
    missing = [f"{tb.objectName()}: {act.objectName()}" for tb, act in buttons if act.icon().isNull()]
    assert missing == []


def test_icons_are_drawn_at_the_screen_scale(qapp):
    """A 2x screen gets a 2x pixmap with the shape drawn in it, not an upscaled 1x one."""
    image = _image(icons.icon("zoom_out"), 24, 2.0)
    assert (image.width(), image.height()) == (48, 48)
    assert image.devicePixelRatio() == 2.0
    assert _ink(image) > 100


def test_no_two_actions_share_an_icon(qapp):
    drawn: dict[bytes, str] = {}
    for name in icons.ICONS:
        image = _image(icons.icon(name)).convertToFormat(QImage.Format.Format_ARGB32)
        key = bytes(image.constBits())
        assert key not in drawn, f"{name} draws the same icon as {drawn.get(key)}"
        drawn[key] = name


def test_zoom_out_is_more_than_a_line_and_undo_redo_differ(qapp):
    zoom_out = _image(icons.icon("zoom_out"))
    rows = {y for y in range(zoom_out.height()) for x in range(zoom_out.width()) if zoom_out.pixelColor(x, y).alpha()}
    assert len(rows) > zoom_out.height() // 2  # a magnifier, not a single stroke
    undo, redo = _image(icons.icon("undo")), _image(icons.icon("redo"))
    assert undo != redo

"""The Model toolbar fits a 1600 px window: the confidence slider is wide enough to use, and
its value and the Accept button are on the toolbar, not folded into its >> overflow menu; at
1280 px it still shows them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QToolBar, QToolButton

from segstudio.main_window import MainWindow
from segstudio.settings import Settings

pytestmark = pytest.mark.gui


def _window(qtbot, tmp_path, width: int) -> MainWindow:
    window = MainWindow(settings=Settings(str(tmp_path / "settings.ini")))
    qtbot.addWidget(window)
    window.resize(width, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.width() == width, timeout=3000)
    return window


def _on_toolbar(toolbar: QToolBar, widget) -> bool:
    """Shown, and laid out inside the toolbar itself (not in its extension popup)."""
    if widget is None or not widget.isVisible() or widget.parentWidget() is not toolbar:
        return False
    return QRect(0, 0, toolbar.width(), toolbar.height()).contains(widget.geometry())


@pytest.mark.parametrize("width", [1600, 1280])
def test_model_toolbar_fits_without_overflow(qtbot, tmp_path, width):
    window = _window(qtbot, tmp_path, width)
    feature = window.model_feature
    tb = feature.toolbar
    assert tb.isVisible() and tb.objectName() == "model_toolbar"
    qtbot.waitUntil(lambda: feature.slider.isVisible(), timeout=3000)
    assert feature.slider.width() >= 100
    assert _on_toolbar(tb, feature.slider)
    assert _on_toolbar(tb, feature.threshold_label)
    assert feature.threshold_label.text().strip() == "0.50"
    accept = tb.widgetForAction(feature.actions["accept_proposals"])
    assert _on_toolbar(tb, accept)
    assert _on_toolbar(tb, tb.widgetForAction(feature.actions["preannotate_image"]))
    extension = tb.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible()
    # the whole toolbar lies inside the window, below the menu bar
    assert tb.geometry().top() >= window.menuBar().geometry().bottom()
    assert tb.geometry().right() <= window.width()


def test_slider_value_label_follows_the_slider(qtbot, tmp_path):
    window = _window(qtbot, tmp_path, 1600)
    feature = window.model_feature
    feature.slider.setValue(73)
    assert feature.threshold == pytest.approx(0.73)
    assert feature.threshold_label.text().strip() == "0.73"
    assert _on_toolbar(feature.toolbar, feature.threshold_label)

"""The "Model" toolbar: minimum-confidence slider with its value, Pre-annotate, Accept and the
confidence overlay toggle.

It sits on its own row of the top toolbar area (a toolbar break before it), so the wide smart
tools toolbar never squeezes it into its overflow menu; the buttons show short texts (the menu
keeps the full ones) and the slider has a usable minimum width.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QSlider, QToolBar

SLIDER_MIN_WIDTH = 120
SLIDER_MAX_WIDTH = 220


def _value_text(threshold: float) -> str:
    return f"{threshold:.2f}"


class ModelToolbar(QToolBar):
    """Toolbar ``model_toolbar``; ``thresholdChanged(float)`` when the slider moves (0..1)."""

    thresholdChanged = Signal(float)

    def __init__(self, window: QMainWindow, actions: list[QAction], threshold: float) -> None:
        super().__init__(self.tr("Model"), window)
        self.setObjectName("model_toolbar")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        caption = QLabel(" {} ".format(self.tr("Min. conf.")), self)
        caption.setToolTip(self.tr("Minimum confidence of the proposals shown and accepted"))
        self.addWidget(caption)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("confidence_threshold")
        self.slider.setRange(0, 100)
        self.slider.setValue(int(round(threshold * 100)))
        self.slider.setMinimumWidth(SLIDER_MIN_WIDTH)
        self.slider.setMaximumWidth(SLIDER_MAX_WIDTH)
        self.slider.setToolTip(self.tr("Hide proposals whose confidence is below this"))
        self.addWidget(self.slider)
        self.value_label = QLabel(_value_text(threshold), self)
        self.value_label.setObjectName("confidence_threshold_value")
        self.value_label.setMinimumWidth(self.value_label.fontMetrics().horizontalAdvance(" 0.00 "))
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.value_label)
        self.addSeparator()
        for act in actions:
            self.addAction(act)
        self.slider.valueChanged.connect(self._slider_moved)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self)

    def _slider_moved(self, value: int) -> None:
        threshold = value / 100.0
        self.value_label.setText(_value_text(threshold))
        self.thresholdChanged.emit(threshold)

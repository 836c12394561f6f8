"""Brightness / contrast for display only (the file and the image are never changed)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSlider, QWidget


class BrightnessContrastDialog(QDialog):
    """Two sliders (0..300%, 100% = unchanged); ``apply(brightness, contrast)`` on every move."""

    def __init__(self, apply: Callable[[float, float], None], parent: QWidget | None = None,
                 brightness: float = 1.0, contrast: float = 1.0) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Brightness / Contrast"))
        self.setObjectName("brightness_contrast_dialog")
        self._apply = apply
        self.brightness = self._slider(brightness)
        self.contrast = self._slider(contrast)
        self.value_label = QLabel(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Reset | QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.StandardButton.Reset).clicked.connect(self.reset)
        form = QFormLayout(self)
        form.addRow(self.tr("Brightness"), self.brightness)
        form.addRow(self.tr("Contrast"), self.contrast)
        form.addRow(self.value_label)
        form.addRow(buttons)
        self._changed()

    def _slider(self, value: float) -> QSlider:
        s = QSlider(Qt.Orientation.Horizontal, self)
        s.setRange(0, 300)
        s.setValue(round(value * 100))
        s.valueChanged.connect(self._changed)
        return s

    def values(self) -> tuple[float, float]:
        """(brightness, contrast) as factors."""
        return self.brightness.value() / 100.0, self.contrast.value() / 100.0

    def reset(self) -> None:
        """Back to the image as it is."""
        self.brightness.setValue(100)
        self.contrast.setValue(100)

    def _changed(self, *_args) -> None:
        b, c = self.values()
        self.value_label.setText(self.tr("brightness {brightness}, contrast {contrast} (display only)").format(
            brightness=f"{b:.0%}", contrast=f"{c:.0%}"))
        self._apply(b, c)

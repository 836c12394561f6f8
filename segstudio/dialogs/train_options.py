"""The train dialog's "More options" box: resume, early stopping, loss, class weights, backbone
weights (ImageNet / none / a file) and "continue from the current model", set on the run's
:class:`TrainConfig`; the last choices are remembered per folder (:func:`folder_key`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from segcore.training.config import CLASS_WEIGHT_MODES, TrainConfig

LOSSES = [(QT_TRANSLATE_NOOP("TrainOptions", "cross-entropy"), "none"),
          (QT_TRANSLATE_NOOP("TrainOptions", "cross-entropy + Dice"), "dice"),
          (QT_TRANSLATE_NOOP("TrainOptions", "cross-entropy + focal"), "focal"),
          (QT_TRANSLATE_NOOP("TrainOptions", "cross-entropy + Tversky"), "tversky")]
BACKBONES = [(QT_TRANSLATE_NOOP("TrainOptions", "ImageNet (downloaded once)"), "auto"),
             (QT_TRANSLATE_NOOP("TrainOptions", "none (random weights)"), "none"),
             (QT_TRANSLATE_NOOP("TrainOptions", "from a file..."), "file")]
# the class-weight modes as shown (English: the mode names themselves)
CLASS_WEIGHT_TEXTS = {"sqrt": QT_TRANSLATE_NOOP("TrainOptions", "sqrt"),
                      "median": QT_TRANSLATE_NOOP("TrainOptions", "median"),
                      "none": QT_TRANSLATE_NOOP("TrainOptions", "none")}


def folder_key(folder: str | Path) -> str:
    """The settings key holding the last training choices for ``folder``."""
    digest = hashlib.sha1(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return f"train/folders/{digest}"


class TrainOptions(QGroupBox):
    """The extra training options; :meth:`apply` sets them on a :class:`TrainConfig`."""

    def __init__(self, current_model: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("More options"))
        d = TrainConfig()
        form = QFormLayout(self)
        self.resume_check = QCheckBox(self.tr("continue the run in the output folder (resume)"))
        form.addRow(self.tr("Resume"), self.resume_check)
        self.init_check = QCheckBox(self.tr("continue from the current model"))
        self.current_model = current_model if current_model and Path(current_model).is_file() else None
        self.init_check.setEnabled(self.current_model is not None)
        self.init_check.setToolTip(self.current_model or self.tr("load a model (Model menu) to fine-tune it"))
        form.addRow(self.tr("Start from"), self.init_check)
        self.patience_spin = QSpinBox(minimum=0, maximum=1000, value=d.patience)
        self.patience_spin.setSpecialValueText(self.tr("off"))
        self.patience_spin.setToolTip(self.tr("stop after this many epochs without a better validation mIoU"))
        form.addRow(self.tr("Early stopping"), self.patience_spin)
        self.loss_combo = QComboBox()
        for text, value in LOSSES:
            self.loss_combo.addItem(self.tr(text), value)
        self.loss_combo.setCurrentIndex(self.loss_combo.findData(d.extra_loss))
        form.addRow(self.tr("Loss"), self.loss_combo)
        self.weights_combo = QComboBox()
        for mode in CLASS_WEIGHT_MODES:
            self.weights_combo.addItem(self.tr(CLASS_WEIGHT_TEXTS.get(mode, mode)), mode)
        self.weights_combo.setCurrentIndex(self.weights_combo.findData(d.class_weights))
        self.weights_combo.setToolTip(self.tr("how much rare classes weigh in the loss: median-frequency "
                                              "weights (median), their square root (sqrt) or none"))
        form.addRow(self.tr("Class weights"), self.weights_combo)
        self.backbone_combo = QComboBox()
        for text, value in BACKBONES:
            self.backbone_combo.addItem(self.tr(text), value)
        form.addRow(self.tr("Backbone weights"), self.backbone_combo)
        self.backbone_row = QWidget()  # the file, on its own row: the whole path shows
        h = QHBoxLayout(self.backbone_row)
        h.setContentsMargins(0, 0, 0, 0)
        self.backbone_file = QLineEdit()
        self.backbone_file.setPlaceholderText(self.tr("torchvision state dict (.pth)"))
        self.backbone_browse = QPushButton(self.tr("Browse..."))
        h.addWidget(self.backbone_file, 1)
        h.addWidget(self.backbone_browse)
        form.addRow("", self.backbone_row)
        self.backbone_combo.currentIndexChanged.connect(self._backbone_changed)
        self.backbone_browse.clicked.connect(self._browse_backbone)
        self.init_check.toggled.connect(lambda on: self.backbone_combo.setEnabled(not on))
        self._backbone_changed()

    def _backbone_changed(self) -> None:
        is_file = self.backbone_combo.currentData() == "file"
        self.backbone_row.setVisible(is_file)

    def _browse_backbone(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Backbone weights (torchvision state dict)"),
                                              self.backbone_file.text(), self.tr("PyTorch weights (*.pth *.pt)"))
        if path:
            self.backbone_file.setText(path)

    def backbone_weights(self) -> str:
        """auto | none | the chosen file."""
        value = self.backbone_combo.currentData()
        return (self.backbone_file.text().strip() or "auto") if value == "file" else value

    def apply(self, cfg: TrainConfig) -> TrainConfig:
        """Set these choices on ``cfg`` (the dialog's run): each becomes its ``segcore train`` argument."""
        cfg.resume = self.resume_check.isChecked()
        cfg.patience = self.patience_spin.value()
        cfg.extra_loss = self.loss_combo.currentData()
        cfg.class_weights = self.weights_combo.currentData()
        if self.init_check.isChecked() and self.current_model:
            cfg.init_from = self.current_model
        else:
            cfg.backbone_weights = self.backbone_weights()
        return cfg

    # ------------------------------------------------------------------ remembered per folder
    def state(self) -> dict:
        """The choices, as remembered for a folder."""
        return {"resume": self.resume_check.isChecked(), "init_from_current": self.init_check.isChecked(),
                "patience": self.patience_spin.value(), "extra_loss": self.loss_combo.currentData(),
                "class_weights": self.weights_combo.currentData(),
                "backbone": self.backbone_combo.currentData(), "backbone_file": self.backbone_file.text()}

    def restore(self, state: dict) -> None:
        """Apply remembered choices (unknown or missing entries keep the defaults)."""
        self.resume_check.setChecked(bool(state.get("resume", False)))
        self.init_check.setChecked(bool(state.get("init_from_current")) and self.current_model is not None)
        if isinstance(state.get("patience"), int):
            self.patience_spin.setValue(state["patience"])
        i = self.loss_combo.findData(state.get("extra_loss"))
        if i >= 0:
            self.loss_combo.setCurrentIndex(i)
        if state.get("class_weights") in CLASS_WEIGHT_MODES:
            self.weights_combo.setCurrentIndex(self.weights_combo.findData(state["class_weights"]))
        i = self.backbone_combo.findData(state.get("backbone"))
        if i >= 0:
            self.backbone_combo.setCurrentIndex(i)
        self.backbone_file.setText(str(state.get("backbone_file") or ""))

    def save(self, settings, folder: str | Path, extra: dict) -> None:
        """Remember these choices (and the dialog's ``extra`` ones) for ``folder``."""
        settings.set_value(folder_key(folder), json.dumps({**extra, **self.state()}))

    @staticmethod
    def remembered(settings, folder: str | Path) -> dict:
        """The choices last used for ``folder`` ({} when none)."""
        try:
            value = json.loads(str(settings.value(folder_key(folder), "") or "{}"))
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

"""Train > Train on this folder...: settings with sensible defaults, a dataset summary with
warnings, then live progress of the training subprocess (progress bar with ETA, loss and mIoU
curves, per-class IoU table), Stop, and a button making the new model the pre-annotation model.

The run's score is shown as :func:`segcore.training.report.best_miou_notice` words it, from the trainer's
events (the best checkpoint's validation mIoU and epoch): the same text as in the run's report.md.

All the work is in segcore (``training_readiness``, ``segcore train``); this is only the view.
"""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from segcore.training.config import ACCELERATOR_BATCH, CPU_BATCH, DEFAULT_MODEL, TrainConfig
from segcore.training.report import best_miou_notice
from segstudio.dialogs.train_options import TrainOptions
from segstudio.i18n import notice_text
from segstudio.training_process import TrainingProcess, TrainRequest
from segstudio.window_layout import first_size
from segstudio.workers import run_in_thread

DEFAULT_SIZE = (960, 760)  # the dialog on a first opening, shrunk to fit a smaller screen
MODEL_SETTING = "model/checkpoint"  # the model loaded in the Model menu (segstudio.features.model_feature)
REASONS = {  # why a run ended (the trainer's "done" event), as shown
    "completed": QT_TRANSLATE_NOOP("TrainDialog", "completed"),
    "time_budget": QT_TRANSLATE_NOOP("TrainDialog", "time budget used"),
    "early_stopping": QT_TRANSLATE_NOOP("TrainDialog", "early stopping"),
    "stopped": QT_TRANSLATE_NOOP("TrainDialog", "stopped"),
}


def available_devices() -> list[tuple[str, str]]:
    """(device string, description) of the devices training can use, the best first."""
    try:
        import torch
    except ImportError:
        return [("cpu", QCoreApplication.translate("TrainDialog", "CPU"))]
    out = []
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            out.append((f"cuda:{i}", QCoreApplication.translate("TrainDialog", "GPU {index}: {name}").format(
                index=i, name=torch.cuda.get_device_name(i))))
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        out.append(("mps", QCoreApplication.translate("TrainDialog", "Apple GPU (MPS)")))
    out.append(("cpu", QCoreApplication.translate(
        "TrainDialog", "CPU (slow: short runs, small images)")))
    return out


def run_name(model: str) -> str:
    """``MODEL-YYYYmmdd-HHMMSS``: the name of a new run folder."""
    return f"{model}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


def default_run_folder(folder: str | Path, model: str) -> Path:
    """``FOLDER/.segstudio/runs/MODEL-YYYYmmdd-HHMMSS`` (hidden: never scanned as images)."""
    return Path(folder) / ".segstudio" / "runs" / run_name(model)


def _fmt_eta(seconds) -> str:
    if seconds is None or not math.isfinite(seconds):
        return QCoreApplication.translate("TrainDialog", "ETA -")
    seconds = int(seconds)
    return QCoreApplication.translate("TrainDialog", "ETA {time}").format(
        time=f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}")


def best_text(miou: float | None, epoch: int | None) -> str:
    """The run's score (:func:`segcore.training.report.best_miou_notice`) in the UI's language
    (in English the very words of report.md)."""
    return notice_text(best_miou_notice(miou, epoch))


class TrainDialog(QDialog):
    """The training dialog for one folder; ``modelReady(path)`` when the user adopts the model."""

    modelReady = Signal(str)

    def __init__(self, folder: str | Path, parent: QWidget | None = None, *, python: str | None = None,
                 settings=None, current_model: str | None = None):
        super().__init__(parent)
        self.folder = Path(folder)
        self.settings = settings if settings is not None else getattr(parent, "settings", None)
        if current_model is None and self.settings is not None:  # the model loaded in the Model menu
            current_model = str(self.settings.value(MODEL_SETTING, "") or "") or None
        self.current_model = current_model
        self.setWindowTitle(self.tr("Train on {folder}").format(folder=self.folder.name))
        self.process = TrainingProcess(self, python=python)
        self.extra_args: list[str] = []  # extra `segcore train` arguments (tests, power users)
        self.best_checkpoint: str | None = None
        self.readiness: dict | None = None
        self._loss_x: list[float] = []
        self._loss_y: list[float] = []
        self._miou_x: list[float] = []
        self._miou_y: list[float] = []
        self._steps_per_epoch = 1
        self._build()
        self.resize(*first_size(self, DEFAULT_SIZE))  # within the screen it opens on
        self._connect()
        self._restore_choices()
        self._load_summary()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        from segcore.models.registry import MODEL_NAMES

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        settings = QGroupBox(self.tr("Settings"))
        form = QFormLayout(settings)
        self.model_combo = QComboBox()
        self.model_combo.addItems(MODEL_NAMES)
        self.model_combo.setCurrentText(DEFAULT_MODEL)
        form.addRow(self.tr("Model"), self.model_combo)
        budget = QWidget()
        b = QHBoxLayout(budget)
        b.setContentsMargins(0, 0, 0, 0)
        self.minutes_radio = QRadioButton(self.tr("minutes"))
        self.epochs_radio = QRadioButton(self.tr("epochs"))
        self.minutes_radio.setChecked(True)
        self.minutes_spin = QSpinBox(minimum=1, maximum=10000, value=10)
        self.epochs_spin = QSpinBox(minimum=1, maximum=10000, value=50)
        for w in (self.minutes_spin, self.minutes_radio, self.epochs_spin, self.epochs_radio):
            b.addWidget(w)
        form.addRow(self.tr("Time budget"), budget)
        defaults = TrainConfig()
        self.size_spin = QSpinBox(minimum=32, maximum=4096, singleStep=32, value=defaults.base_size)
        self.size_spin.setToolTip(self.tr("images with a longer side are shrunk to it; smaller ones keep their size"))
        form.addRow(self.tr("Image size"), self.size_spin)
        self.batch_spin = QSpinBox(minimum=0, maximum=256, value=defaults.batch_size or 0)
        self.batch_spin.setSpecialValueText(self.tr("Auto"))  # 0: the device's default
        self.batch_spin.setToolTip(self.tr("Auto: {cpu} on the CPU, {gpu} on a GPU").format(
            cpu=CPU_BATCH, gpu=ACCELERATOR_BATCH))
        form.addRow(self.tr("Batch size"), self.batch_spin)
        self.device_combo = QComboBox()
        self.device_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device_combo.setMinimumContentsLength(12)  # long device names show in the list and tooltip
        self.device_combo.currentTextChanged.connect(self.device_combo.setToolTip)
        for dev, text in available_devices():
            self.device_combo.addItem(text, dev)
        form.addRow(self.tr("Device"), self.device_combo)
        top.addWidget(settings, 1)
        self.options = TrainOptions(self.current_model)
        top.addWidget(self.options, 1)

        summary = QGroupBox(self.tr("Dataset"))
        s = QVBoxLayout(summary)
        self.summary_label = QLabel(self.tr("Reading the folder..."))
        self.summary_label.setWordWrap(True)
        self.warnings_label = QLabel("")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet("color: #a05000")
        s.addWidget(self.summary_label)
        s.addWidget(self.warnings_label)
        layout.addLayout(top)
        layout.addWidget(summary)  # full width: warnings can be long
        layout.addLayout(self._build_output_row())

        bar = QHBoxLayout()
        self.progress_bar = QProgressBar(minimum=0, maximum=1000, value=0)
        self.progress_bar.setFormat("%p%")
        self.eta_label = QLabel(_fmt_eta(None))
        self.best_label = QLabel("")
        self.best_label.setObjectName("best_miou")
        self.best_label.setToolTip(self.tr("validation mIoU of the best checkpoint (best.pt), as in the run's report.md"))
        bar.addWidget(self.progress_bar, 1)
        bar.addWidget(self.eta_label)
        bar.addSpacing(16)
        bar.addWidget(self.best_label)
        layout.addLayout(bar)
        self.status_label = QLabel(self.tr("Ready."))
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

        plots = QHBoxLayout()
        self.loss_plot = pg.PlotWidget(title=self.tr("training loss"))
        self.loss_plot.setLabel("bottom", self.tr("epoch"))
        self.loss_curve = self.loss_plot.plot([], [], pen=pg.mkPen((200, 60, 40), width=2))
        self.miou_plot = pg.PlotWidget(title=self.tr("validation mIoU (%)"))
        self.miou_plot.setLabel("bottom", self.tr("epoch"))
        self.miou_curve = self.miou_plot.plot([], [], pen=pg.mkPen((30, 100, 200), width=2), symbol="o",
                                              symbolSize=5)
        for p in (self.loss_plot, self.miou_plot):
            p.setBackground("w")
            p.setMinimumHeight(160)
            plots.addWidget(p, 2)
        self.iou_table = QTableWidget(0, 2)  # beside the curves: one row a class
        self.iou_table.setHorizontalHeaderLabels([self.tr("class"), self.tr("IoU (%)")])
        self.iou_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.iou_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.iou_table.setMinimumWidth(200)
        self.iou_table.verticalHeader().setVisible(False)
        plots.addWidget(self.iou_table, 1)
        layout.addLayout(plots, 1)

        buttons = QHBoxLayout()
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.setDefault(True)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setEnabled(False)
        self.use_button = QPushButton(self.tr("Use as pre-annotation model"))
        self.use_button.setEnabled(False)
        self.close_button = QPushButton(self.tr("Close"))
        for w in (self.start_button, self.stop_button, self.use_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    def _build_output_row(self) -> QHBoxLayout:
        """The run folder, full width (the whole path shows; tooltip too), with Browse..."""
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Output folder")))
        self.out_edit = QLineEdit()
        self.out_edit.setObjectName("output_folder")
        self.out_edit.textChanged.connect(self.out_edit.setToolTip)
        self._default_out = str(default_run_folder(self.folder, DEFAULT_MODEL))
        self.out_edit.setText(self._default_out)
        self.out_edit.setCursorPosition(0)
        row.addWidget(self.out_edit, 1)
        self.browse_button = QPushButton(self.tr("Browse..."))
        self.browse_button.setToolTip(self.tr("Choose the folder the run writes best.pt, last.pt and report.md into"))
        row.addWidget(self.browse_button)
        return row

    def _model_changed(self, model: str) -> None:
        """A new default run name, unless the user chose or typed the output folder."""
        if self.out_edit.text() == self._default_out:
            self._default_out = str(default_run_folder(self.folder, model))
            self.out_edit.setText(self._default_out)
            self.out_edit.setCursorPosition(0)

    def browse_output(self) -> None:
        """Choose the run folder; one that already holds files gets a new run folder inside it."""
        current = Path(self.out_edit.text().strip() or self._default_out)
        start = next((p for p in (current, *current.parents) if p.is_dir()), self.folder)
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Output folder for the run"), str(start))
        if not chosen:
            return
        out = Path(chosen)
        if out.is_dir() and any(out.iterdir()):
            out = out / run_name(self.model_combo.currentText())
        self.out_edit.setText(str(out))
        self.out_edit.setCursorPosition(0)

    def _connect(self) -> None:
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.use_button.clicked.connect(self._use_model)
        self.close_button.clicked.connect(self.close)
        self.browse_button.clicked.connect(self.browse_output)
        self.model_combo.currentTextChanged.connect(self._model_changed)
        p = self.process
        p.event.connect(self._on_event)
        p.started.connect(self._on_start)
        p.step.connect(self._on_step)
        p.epoch.connect(self._on_epoch)
        p.warning.connect(lambda m: self._status(self.tr("Warning: {message}").format(message=m)))
        p.done.connect(self._on_done)
        p.failed.connect(lambda m: self._status(self.tr("Failed: {message}").format(message=m), error=True))
        p.finished.connect(self._on_finished)

    # ------------------------------------------------------------------ dataset summary
    def _load_summary(self) -> None:
        from segcore.training.data import training_readiness

        self._summary_job = run_in_thread(training_readiness, str(self.folder), on_done=self._show_summary,
                                          on_error=lambda e: self.summary_label.setText(
                                              self.tr("Cannot read the folder: {error}").format(error=e)))

    def _show_summary(self, r: dict) -> None:
        self.readiness = r
        classes = ", ".join(f"{n} ({c['instances']})" for n, c in sorted(r["classes"].items())) or self.tr("none")
        sizes = ", ".join(f"{w}x{h}" for w, h in r["sizes"][:3]) + (" ..." if len(r["sizes"]) > 3 else "")
        if r.get("to_review"):
            images = self.tr("{labelled} labelled images, {to_review} with only proposals to review, "
                             "{unlabelled} without labels.")
        else:
            images = self.tr("{labelled} labelled images, {unlabelled} without labels.")
        self.summary_label.setText("\n".join((
            images.format(labelled=r["labelled"], to_review=r.get("to_review"), unlabelled=r["unlabelled"]),
            self.tr("Classes (instances): {classes}").format(classes=classes),
            self.tr("Image sizes: {sizes}").format(sizes=sizes or "-"))))
        self.warnings_label.setText("\n".join(
            "\u26a0 " + notice_text(n) for n in r["notices"]))
        if r["labelled"] == 0 or not r["classes"]:
            self.start_button.setEnabled(False)
            self._status(self.tr("Nothing to train on: label some shapes first."), error=True)

    # ------------------------------------------------------------------ run
    def request(self) -> TrainRequest:
        """The training the current settings describe."""
        by_epochs = self.epochs_radio.isChecked()
        config = TrainConfig(
            folder=str(self.folder), out=self.out_edit.text().strip(), model=self.model_combo.currentText(),
            minutes=None if by_epochs else float(self.minutes_spin.value()),
            epochs=self.epochs_spin.value() if by_epochs else None, base_size=self.size_spin.value(),
            crop_size=min(TrainConfig().crop_size, self.size_spin.value()), batch_size=self.batch_spin.value() or None,
            device=self.device_combo.currentData())
        return TrainRequest(self.options.apply(config), extra=list(self.extra_args))

    def _remember_choices(self) -> None:
        """The choices of this run, remembered for this folder."""
        if self.settings is not None:
            self.options.save(self.settings, self.folder, {
                "model": self.model_combo.currentText(), "by_epochs": self.epochs_radio.isChecked(),
                "minutes": self.minutes_spin.value(), "epochs": self.epochs_spin.value(),
                "size": self.size_spin.value(), "batch": self.batch_spin.value()})

    def _restore_choices(self) -> None:
        if self.settings is None:
            return
        state = TrainOptions.remembered(self.settings, self.folder)
        if not state:
            return
        if state.get("model") in [self.model_combo.itemText(i) for i in range(self.model_combo.count())]:
            self.model_combo.setCurrentText(state["model"])
        (self.epochs_radio if state.get("by_epochs") else self.minutes_radio).setChecked(True)
        for spin, key in ((self.minutes_spin, "minutes"), (self.epochs_spin, "epochs"), (self.size_spin, "size"),
                          (self.batch_spin, "batch")):
            if isinstance(state.get(key), int):
                spin.setValue(state[key])
        self.options.restore(state)

    def start(self) -> None:
        if self.process.is_running():
            return
        req = self.request()
        if not req.out:
            self._status(self.tr("Choose an output folder for the run (Browse...)."), error=True)
            return
        self._loss_x, self._loss_y, self._miou_x, self._miou_y = [], [], [], []
        self.loss_curve.setData([], [])
        self.miou_curve.setData([], [])
        self.progress_bar.setValue(0)
        self.best_label.setText("")
        self.best_checkpoint = None
        self.use_button.setEnabled(False)
        self._remember_choices()
        try:
            self.process.start(req)
        except (OSError, RuntimeError) as exc:
            self._status(self.tr("Cannot start: {error}").format(error=exc), error=True)
            return
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self._status(self.tr("Starting {model} (loading data, rasterising labels)...").format(model=req.config.model))

    def stop(self) -> None:
        self.stop_button.setEnabled(False)
        self._status(self.tr("Stopping after the current step (the best model is kept)..."))
        self.process.stop()

    def _status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b00020" if error else "")

    def _on_event(self, e: dict) -> None:
        """Weights fetched before training starts: the bar shows the download."""
        if e.get("event") == "download":
            p = e.get("progress")
            if p is not None:
                self.progress_bar.setValue(int(round(1000 * p)))
            done = f"{100 * p:.0f}%" if p is not None else f"{(e.get('bytes') or 0) / 1e6:.1f} MB"
            self._status(self.tr("Downloading ImageNet backbone weights ({what}): {done}").format(what=e.get("what"), done=done))
        elif e.get("event") == "backbone_weights":
            self._status(str(e.get("message")))

    def _on_start(self, e: dict) -> None:
        self._steps_per_epoch = max(1, int(e.get("steps_per_epoch") or 1))
        names = [n for n in e.get("classes", [])]
        self.iou_table.setRowCount(len(names))
        for i, n in enumerate(names):
            self.iou_table.setItem(i, 0, QTableWidgetItem(n))
            self.iou_table.setItem(i, 1, QTableWidgetItem("-"))
        self._status(self.tr("Training {model} on {device}: {train} training / {val} validation images.").format(
            model=e.get("model"), device=e.get("device"), train=e.get("train_images"), val=e.get("val_images")))

    def _set_progress(self, e: dict) -> None:
        p = e.get("progress")
        if p is not None:
            self.progress_bar.setValue(int(round(1000 * p)))
        self.eta_label.setText(_fmt_eta(e.get("eta_s")))

    def _on_step(self, e: dict) -> None:
        self._set_progress(e)
        if e.get("loss") is not None:
            self._loss_x.append(e["epoch"] - 1 + e["step"] / max(1, e["steps"]))
            self._loss_y.append(float(e["loss"]))
            self.loss_curve.setData(self._loss_x, self._loss_y)

    def _on_epoch(self, e: dict) -> None:
        self._set_progress(e)
        val = e.get("val") or {}
        if val.get("miou") is not None:
            self._miou_x.append(e["epoch"])
            self._miou_y.append(100 * val["miou"])
            self.miou_curve.setData(self._miou_x, self._miou_y)
        for i, v in enumerate(val.get("iou") or []):
            if i < self.iou_table.rowCount():
                self.iou_table.setItem(i, 1, QTableWidgetItem("-" if v is None else f"{100 * v:.1f}"))
        miou = val.get("miou")
        best = best_text(e.get("best_miou"), e.get("best_epoch"))
        self.best_label.setText(best)
        loss = f"{e.get('train_loss') or 0:.4f}"
        if miou is None:  # validation runs as often as keeps it under a tenth of the run
            self._status(self.tr("Epoch {epoch}: loss {loss} (not validated this epoch); {best}").format(
                epoch=e["epoch"], loss=loss, best=best))
        else:
            self._status(self.tr("Epoch {epoch}: loss {loss}, val mIoU {miou}; {best}").format(
                epoch=e["epoch"], loss=loss, miou=f"{100 * miou:.2f}%", best=best))

    def _on_done(self, e: dict) -> None:
        self.best_checkpoint = e.get("best_checkpoint")
        if e.get("reason") == "completed":
            self.progress_bar.setValue(1000)
        best = best_text(e.get("best_miou"), e.get("best_epoch"))
        self.best_label.setText(best)
        self._status(self.tr("Finished ({reason}): {best}; model: {model}").format(
            reason=self._reason(e.get("reason")), best=best, model=self.best_checkpoint))

    def _reason(self, reason) -> str:
        """Why the run ended, in the UI's language (an unknown reason as the trainer says it)."""
        return self.tr(REASONS[reason]) if reason in REASONS else str(reason)

    def _on_finished(self, code: int) -> None:
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.use_button.setEnabled(bool(self.best_checkpoint) and Path(self.best_checkpoint).exists())

    def _use_model(self) -> None:
        if self.best_checkpoint:
            self.modelReady.emit(self.best_checkpoint)
            self._status(self.tr("{model} is now the pre-annotation model.").format(model=self.best_checkpoint))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self.process.is_running():
            self.process.stop()
        super().closeEvent(event)

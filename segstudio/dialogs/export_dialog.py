"""File > Export dataset...: format, split, classes and output folder; runs the format's exporter
(:data:`segcore.formats.exporters.EXPORTERS`: VOC, COCO, YOLO, index masks) in a worker with
a progress bar and Cancel and ends with the summary (images, instances per class, every
problem and skipped shape with its file and reason). The engine writes the export to a
temporary folder and replaces the output folder's content only once it is complete, so a
failed or cancelled export leaves it as it was; the summary says so."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox

from segstudio.dialogs.job_dialog import JobDialog, PathField, required_path

FORMATS = {"voc": QT_TRANSLATE_NOOP("ExportDialog", "Pascal VOC segmentation (PNG masks)"),
           "coco": QT_TRANSLATE_NOOP("ExportDialog", "COCO instances (JSON)"),
           "yolo": QT_TRANSLATE_NOOP("ExportDialog", "YOLO segmentation (Ultralytics)"),
           "masks": QT_TRANSLATE_NOOP("ExportDialog", "Index-mask PNGs (flat folders)")}


class ExportDialog(JobDialog):
    """The export form. ``workers`` (None = every core) is the process count passed on."""

    run_text = QT_TRANSLATE_NOOP("ExportDialog", "Export")

    def __init__(self, folder: str | Path | None = None, labels_file: str | None = None, parent=None) -> None:
        self.workers: int | None = None
        super().__init__(QCoreApplication.translate("ExportDialog", "Export dataset"), parent)
        if folder:
            self.source.setText(str(folder))
            self.out.setText(str(Path(folder).parent / f"{Path(folder).name}_export"))
        if labels_file:
            self.labels.setText(str(labels_file))

    def build_form(self, form: QFormLayout) -> None:
        self.source = PathField("dir", self.tr("Labelled folder"), parent=self)
        self.format_combo = QComboBox(self)
        for key, text in FORMATS.items():
            self.format_combo.addItem(self.tr(text), key)
        self.labels = PathField("file", self.tr("Class list (labels.txt)"), self.tr("Text files (*.txt);;All files (*)"), self)
        self.labels.edit.setPlaceholderText(self.tr("empty: the labels used, in natural order"))
        self.val_spin = QDoubleSpinBox(self)
        self.val_spin.setRange(0.0, 0.9)
        self.val_spin.setSingleStep(0.05)
        self.val_spin.setValue(0.2)
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setRange(0, 1_000_000)
        self.flags_check = QCheckBox(self.tr("Split by the image flags train / val / test"), self)
        self.flags_check.toggled.connect(lambda on: (self.val_spin.setEnabled(not on), self.seed_spin.setEnabled(not on)))
        self.out = PathField("dir", self.tr("Output folder"), parent=self)
        self.overlays_check = QCheckBox(self.tr("Also write overlay images to look at (VOC)"), self)
        self.colour_check = QCheckBox(self.tr("Also write colour PNGs (index masks)"), self)
        self.overwrite_check = QCheckBox(self.tr(
            "Replace the export in a non-empty output folder, once the new one is complete "
            "(other files there are kept)"), self)
        self.strict_check = QCheckBox(self.tr("Strict: any problem stops the export before anything is written"), self)
        self.format_combo.currentIndexChanged.connect(lambda _i: self._format_changed())
        form.addRow(self.tr("Folder:"), self.source)
        form.addRow(self.tr("Format:"), self.format_combo)
        form.addRow(self.tr("Classes:"), self.labels)
        form.addRow(self.tr("Validation share:"), self.val_spin)
        form.addRow(self.tr("Split seed:"), self.seed_spin)
        form.addRow("", self.flags_check)
        form.addRow(self.tr("Output folder:"), self.out)
        form.addRow("", self.overlays_check)
        form.addRow("", self.colour_check)
        form.addRow("", self.overwrite_check)
        form.addRow("", self.strict_check)
        self._format_changed()

    def _format_changed(self) -> None:
        fmt = self.format_combo.currentData()
        self.overlays_check.setEnabled(fmt == "voc")
        self.colour_check.setEnabled(fmt == "masks")

    def _done(self, report) -> None:
        super()._done(report)
        if report.left_out:
            self.status.setText(self.tr("Done: {images} of {labelled} labelled images exported; "
                                        "{left_out} left out (see the problems below).").format(
                images=report.images, labelled=report.labelled, left_out=report.left_out))

    def _cancelled(self) -> None:
        super()._cancelled()
        self.status.setText(self.tr("Cancelled: nothing was written; the output folder is as it was."))

    def make_call(self):
        source = required_path(self.source, self.tr("labelled folder"))
        out = required_path(self.out, self.tr("output folder"), must_exist=False)
        if out.resolve() == source.resolve():
            raise ValueError(self.tr("the output folder must not be the labelled folder"))
        classes = self.labels.text() or None
        if classes is not None and not Path(classes).is_file():
            raise ValueError(self.tr("class list {path} does not exist").format(path=classes))
        from segcore.formats.exporters import exporter

        fmt = self.format_combo.currentData()
        fn = exporter(fmt)
        kwargs = {
            "classes": classes, "val_ratio": self.val_spin.value(), "seed": self.seed_spin.value(),
            "split_from_flags": self.flags_check.isChecked(), "overlays": self.overlays_check.isChecked(),
            "overwrite": self.overwrite_check.isChecked(), "strict": self.strict_check.isChecked(),
            "workers": self.workers,
        }
        if fmt == "masks":
            kwargs["colour"] = self.colour_check.isChecked()
        return fn, (source, out), kwargs

"""File > Import...: COCO instances, a VOC folder, a folder of index masks, a YOLO dataset or CVAT
for images XML into LabelMe JSON
next to the images (:mod:`segcore.formats.importers`), in a worker with progress, Cancel and a
summary. The summary is the engine's report, word for word what ``segcore import`` prints; the
status line says "Done" only when everything asked for was written, else how much was."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox

from segstudio.dialogs.job_dialog import JobDialog, PathField, required_path

SOURCES = {
    "coco": QT_TRANSLATE_NOOP("ImportDialog", "COCO instances JSON"),
    "voc": QT_TRANSLATE_NOOP("ImportDialog", "Pascal VOC folder (SegmentationClass / SegmentationObject)"),
    "masks": QT_TRANSLATE_NOOP("ImportDialog", "Folder of index-mask PNGs + class list"),
    "yolo": QT_TRANSLATE_NOOP("ImportDialog", "YOLO dataset (segmentation or detection)"),
    "cvat": QT_TRANSLATE_NOOP("ImportDialog", "CVAT for images 1.1 XML"),
}


class ImportDialog(JobDialog):
    """The import form; ``folder`` (after a run) is where the LabelMe files were written."""

    run_text = QT_TRANSLATE_NOOP("ImportDialog", "Import")

    def __init__(self, parent=None) -> None:
        self.workers: int | None = None
        super().__init__(QCoreApplication.translate("ImportDialog", "Import annotations"), parent)
        self._update_fields()

    def build_form(self, form: QFormLayout) -> None:
        self.kind_combo = QComboBox(self)
        for key, text in SOURCES.items():
            self.kind_combo.addItem(self.tr(text), key)
        self.coco_json = PathField("file", self.tr("COCO instances JSON"), self.tr("JSON (*.json);;All files (*)"), self)
        self.images = PathField("dir", self.tr("Images folder"), parent=self)
        self.voc_root = PathField("dir", self.tr("VOC folder"), parent=self)
        self.masks = PathField("dir", self.tr("Index masks folder"), parent=self)
        self.yolo_root = PathField("dir", self.tr("YOLO dataset folder"), parent=self)
        self.cvat_xml = PathField("file", self.tr("CVAT annotations XML"), self.tr("XML (*.xml);;All files (*)"), self)
        self.labels = PathField("file", self.tr("Class list"), self.tr("Text files (*.txt);;All files (*)"), self)
        self.labels.edit.setPlaceholderText(self.tr("one name a line; index = pixel value"))
        self.ignore_check = QCheckBox(self.tr("Pixel value meaning ignore:"), self)
        self.ignore_spin = QSpinBox(self)
        self.ignore_spin.setRange(0, 65535)
        self.ignore_spin.setValue(255)
        self.tolerance = QDoubleSpinBox(self)
        self.tolerance.setRange(0.0, 20.0)
        self.tolerance.setSingleStep(0.5)
        self.tolerance.setValue(1.0)
        self.tolerance.setSuffix(self.tr(" px"))
        self.tolerance.setToolTip(self.tr("Polygon simplification; 0 keeps every pixel (lossless)"))
        self.overwrite_check = QCheckBox(self.tr("Replace existing LabelMe files"), self)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._update_fields())
        form.addRow(self.tr("Import:"), self.kind_combo)
        form.addRow(self.tr("COCO JSON:"), self.coco_json)
        form.addRow(self.tr("Images folder:"), self.images)
        form.addRow(self.tr("VOC folder:"), self.voc_root)
        form.addRow(self.tr("Masks folder:"), self.masks)
        form.addRow(self.tr("YOLO dataset:"), self.yolo_root)
        form.addRow(self.tr("CVAT XML:"), self.cvat_xml)
        form.addRow(self.tr("Class list:"), self.labels)
        form.addRow(self.ignore_check, self.ignore_spin)
        form.addRow(self.tr("Tolerance:"), self.tolerance)
        form.addRow("", self.overwrite_check)

    def _update_fields(self) -> None:
        kind = self.kind_combo.currentData()
        visible = {
            self.coco_json: kind == "coco", self.images: kind in ("coco", "masks", "cvat"),
            self.voc_root: kind == "voc", self.masks: kind == "masks", self.labels: kind in ("voc", "masks", "yolo"),
            self.yolo_root: kind == "yolo", self.cvat_xml: kind == "cvat",
            self.ignore_check: kind == "masks", self.ignore_spin: kind == "masks",
        }
        for widget, on in visible.items():
            widget.setVisible(on)
            label = self.form.labelForField(widget)
            if label is not None:
                label.setVisible(on)

    def _done(self, report) -> None:
        super()._done(report)
        if report.complete:
            self.status.setText(self.tr("Done: {counts}.").format(counts=report.counts()))
        else:
            self.status.setText(self.tr("Not everything was imported: {counts}. The problems are listed below.").format(
                counts=report.counts()))

    @property
    def folder(self):
        """The folder the LabelMe files go to (images folder or the VOC JPEGImages)."""
        kind = self.kind_combo.currentData()
        if kind == "voc":
            return required_path(self.voc_root, self.tr("VOC folder")) / "JPEGImages"
        if kind == "yolo":
            return required_path(self.yolo_root, self.tr("YOLO dataset folder"))
        return required_path(self.images, self.tr("images folder"))

    def make_call(self):
        from segcore.formats import importers

        kind = self.kind_combo.currentData()
        common = {"tolerance": self.tolerance.value(), "overwrite": self.overwrite_check.isChecked(),
                  "workers": self.workers}
        if kind == "coco":
            src = required_path(self.coco_json, self.tr("COCO JSON file"))
            return importers.import_coco, (src, required_path(self.images, self.tr("images folder"))), common
        if kind == "cvat":
            src = required_path(self.cvat_xml, self.tr("CVAT XML file"))
            return importers.import_cvat, (src, required_path(self.images, self.tr("images folder"))), common
        if kind == "yolo":
            names = self.labels.text() or None
            return importers.import_yolo, (self.folder,), {"class_names": names, **common}
        if kind == "voc":
            names = self.labels.text() or None
            return importers.import_voc, (required_path(self.voc_root, self.tr("VOC folder")),), {"class_names": names, **common}
        labels = required_path(self.labels, self.tr("class list"))
        ignore = self.ignore_spin.value() if self.ignore_check.isChecked() else None
        args = (required_path(self.images, self.tr("images folder")), required_path(self.masks, self.tr("masks folder")), labels)
        return importers.import_index_masks, args, {"ignore_value": ignore, **common}

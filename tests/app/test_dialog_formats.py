"""The export and import dialogs offer YOLO, index masks and CVAT, and run them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from segcore.io.annotation import Shape, load
from segstudio.dialogs.export_dialog import ExportDialog
from segstudio.dialogs.import_dialog import ImportDialog
from tests.segcore.export_fixtures import write_image, write_labelme

pytestmark = pytest.mark.gui

TRI = [Shape("cat", [(2.0, 2.0), (30.0, 2.0), (15.0, 25.0)]),
       Shape("dog", [(35.0, 20.0), (60.0, 45.0)], shape_type="rectangle")]


def _run(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None or dialog.error is not None, timeout=20000)
    assert dialog.error is None, dialog.summary.toPlainText()


def test_export_dialog_writes_yolo_and_masks_then_imports_yolo(qtbot, tmp_path):
    data = tmp_path / "data"
    write_labelme(data, "a", TRI)
    dialog = ExportDialog(data)
    qtbot.addWidget(dialog)
    dialog.workers = 1
    dialog.val_spin.setValue(0.0)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("masks"))
    assert dialog.colour_check.isEnabled() and not dialog.overlays_check.isEnabled()
    dialog.colour_check.setChecked(True)
    dialog.out.setText(str(tmp_path / "masks"))
    _run(qtbot, dialog)
    assert (tmp_path / "masks" / "colour" / "a.png").is_file() and "masks export" in dialog.summary.toPlainText()
    dialog.report = None
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("yolo"))
    assert not dialog.colour_check.isEnabled()
    dialog.out.setText(str(tmp_path / "yolo"))
    _run(qtbot, dialog)
    assert (tmp_path / "yolo" / "labels" / "train" / "a.txt").read_text().count("\n") == 2

    imp = ImportDialog()
    qtbot.addWidget(imp)
    imp.workers = 1
    imp.kind_combo.setCurrentIndex(imp.kind_combo.findData("yolo"))
    assert imp.yolo_root.isVisibleTo(imp) and not imp.images.isVisibleTo(imp)
    imp.yolo_root.setText(str(tmp_path / "yolo"))
    _run(qtbot, imp)
    assert "wrote 1 of 1 images" in imp.summary.toPlainText()
    shapes = load(tmp_path / "yolo" / "images" / "train" / "a.json").shapes
    assert [s.label for s in shapes] == ["cat", "dog"]


def test_import_dialog_reads_cvat(qtbot, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    write_image(images / "a.png", 64, 48)
    xml = tmp_path / "annotations.xml"
    xml.write_text('<annotations><version>1.1</version><image id="0" name="a.png" width="64" height="48">'
                   '<box label="car" occluded="0" xtl="1" ytl="2" xbr="10" ybr="12" z_order="0"/></image>'
                   "</annotations>")
    imp = ImportDialog()
    qtbot.addWidget(imp)
    imp.workers = 1
    imp.kind_combo.setCurrentIndex(imp.kind_combo.findData("cvat"))
    assert imp.cvat_xml.isVisibleTo(imp) and imp.images.isVisibleTo(imp)
    imp.cvat_xml.setText(str(xml))
    imp.images.setText(str(images))
    _run(qtbot, imp)
    assert load(images / "a.json").shapes[0].shape_type == "rectangle"

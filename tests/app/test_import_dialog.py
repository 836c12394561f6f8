"""File > Import...: the dialog shows the engine's own summary, says when not everything was
imported, and never writes outside the images folder."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from segstudio.dialogs.import_dialog import ImportDialog
from tests.segcore.export_fixtures import write_image

pytestmark = pytest.mark.gui

TRI = [2, 2, 30, 2, 15, 25]


def _run(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None or dialog.error is not None, timeout=20000)


def test_import_dialog_reports_refused_images_like_the_cli(qtbot, tmp_path):
    images, other = tmp_path / "project" / "images", tmp_path / "other_project"
    images.mkdir(parents=True)
    other.mkdir()
    write_image(images / "a.png")
    write_image(other / "victim.png")
    (other / "victim.json").write_text('{"keep": true}')
    src = tmp_path / "instances.json"
    src.write_text(json.dumps({
        "images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48},
                   {"id": 2, "file_name": "../../other_project/victim.png", "width": 64, "height": 48}],
        "categories": [{"id": 1, "name": "cat"}],
        "annotations": [{"id": 10, "image_id": 1, "category_id": 1, "segmentation": [TRI]},
                        {"id": 11, "image_id": 2, "category_id": 1, "segmentation": [TRI]}],
    }))
    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    dialog.workers = 1
    dialog.show()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("coco"))
    dialog.coco_json.setText(str(src))
    dialog.images.setText(str(images))
    dialog.overwrite_check.setChecked(True)
    _run(qtbot, dialog)
    assert dialog.error is None
    text = dialog.summary.toPlainText()
    assert text == dialog.report.to_text()
    assert "wrote 1 of 2 images" in text and "1 refused" in text
    assert "victim.png" in text and "outside the images folder" in text
    assert dialog.status.text().startswith("Not everything was imported: wrote 1 of 2 images")
    assert (other / "victim.json").read_text() == '{"keep": true}'
    assert (images / "a.json").is_file()
    # run again without overwrite: nothing written, and the status says so
    dialog.overwrite_check.setChecked(False)
    _run(qtbot, dialog)
    assert "wrote 0 of 2 images" in dialog.summary.toPlainText() and "1 kept" in dialog.summary.toPlainText()
    assert dialog.status.text().startswith("Not everything was imported")


def test_import_dialog_says_done_when_everything_was_written(qtbot, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    write_image(images / "a.png")
    src = tmp_path / "instances.json"
    src.write_text(json.dumps({
        "images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48}],
        "categories": [{"id": 1, "name": "cat"}],
        "annotations": [{"id": 10, "image_id": 1, "category_id": 1, "segmentation": [TRI], "iscrowd": 0}],
    }))
    dialog = ImportDialog()
    qtbot.addWidget(dialog)
    dialog.workers = 1
    dialog.show()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("coco"))
    dialog.coco_json.setText(str(src))
    dialog.images.setText(str(images))
    _run(qtbot, dialog)
    assert dialog.status.text() == "Done: wrote 1 of 1 images."
    assert "cat: 1" in dialog.summary.toPlainText()

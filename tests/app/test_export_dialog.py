"""File > Export dataset... and File > Import...: the dialogs run segcore in a worker with a
progress bar, Cancel and a summary."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from segcore.io.annotation import Shape, load
from tests.app.gui_helpers import open_window
from tests.segcore.export_fixtures import bad_folder, write_labelme

pytestmark = pytest.mark.gui

TRI = [Shape("cat", [(2.0, 2.0), (30.0, 2.0), (15.0, 25.0)]),
       Shape("dog", [(35.0, 20.0), (60.0, 45.0)], shape_type="rectangle")]


def _folder(root, n=3):
    for i in range(n):
        write_labelme(root, f"im{i}", TRI, seed=i)
    return root


def _export_dialog(qtbot, window):
    window.menus["file"].setVisible(False)
    assert window.export_action in window.menus["file"].actions()
    window.export_action.trigger()
    dialog = window._export_dialog
    qtbot.waitExposed(dialog)
    dialog.workers = 1
    return dialog


def test_menu_export_voc_runs_and_summarises(qtbot, tmp_path):
    data = _folder(tmp_path / "data")
    window = open_window(qtbot, tmp_path)
    window.session.open_dir(data)
    dialog = _export_dialog(qtbot, window)
    assert dialog.source.text() == str(data)
    out = tmp_path / "voc_out"
    dialog.out.setText(str(out))
    dialog.val_spin.setValue(0.34)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None or dialog.error is not None, timeout=20000)
    assert dialog.error is None
    text = dialog.summary.toPlainText()
    assert "3 images" in text and "cat: 3" in text and "dog: 3" in text
    assert dialog.progress.value() == dialog.progress.maximum()
    assert dialog.run_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert sorted(p.name for p in (out / "SegmentationClass").iterdir()) == ["im0.png", "im1.png", "im2.png"]
    cm = np.array(Image.open(out / "SegmentationClass" / "im0.png"))
    assert cm[5, 15] == 1 and cm[30, 45] == 2
    # COCO into the same folder is refused unless the overwrite box is ticked
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("coco"))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error is not None, timeout=20000)
    assert "not empty" in dialog.summary.toPlainText()
    dialog.overwrite_check.setChecked(True)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.format == "COCO", timeout=20000)
    assert (out / "annotations" / "instances_train.json").is_file()


def test_cancel_stops_the_export(qtbot, tmp_path, monkeypatch):
    import segcore.formats.voc as voc

    slow_job = voc._voc_job

    def slow(job):
        time.sleep(0.1)
        return slow_job(job)

    monkeypatch.setattr(voc, "_voc_job", slow)
    data = _folder(tmp_path / "data", n=20)
    window = open_window(qtbot, tmp_path)
    window.session.open_dir(data)
    dialog = _export_dialog(qtbot, window)
    out = tmp_path / "out"
    dialog.out.setText(str(out))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert dialog.cancel_button.isEnabled() and not dialog.run_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 1, timeout=10000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.job.finished, timeout=10000)
    assert "Cancelled" in dialog.status.text() and dialog.report is None
    assert "nothing was written" in dialog.status.text()
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []
    assert dialog.run_button.isEnabled()


def test_full_disk_says_it_failed_and_keeps_the_earlier_export(qtbot, tmp_path, monkeypatch):
    import errno
    import os

    from segcore.formats import files
    from segcore.formats.voc import export_voc

    data = _folder(tmp_path / "data", n=4)
    out = tmp_path / "out"
    export_voc(data, out, workers=1)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real, count = files.write_file, []

    def write(path, payload):
        if len(count) >= 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        count.append(path)
        real(path, payload)

    monkeypatch.setattr(files, "write_file", write)
    window = open_window(qtbot, tmp_path)
    window.session.open_dir(data)
    dialog = _export_dialog(qtbot, window)
    dialog.out.setText(str(out))
    dialog.overwrite_check.setChecked(True)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error is not None or dialog.report is not None, timeout=20000)
    assert dialog.report is None
    text = dialog.summary.toPlainText()
    assert "failed after 1 of 4 images" in text and "No space left on device" in text
    assert "still holds the earlier export" in text and dialog.status.text().startswith("Failed")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_an_image_that_does_not_decode_is_left_out_and_named(qtbot, tmp_path):
    data = _folder(tmp_path / "data", n=3)
    broken = data / "im1.jpg"
    broken.write_bytes(broken.read_bytes()[:300])
    window = open_window(qtbot, tmp_path)
    window.session.open_dir(data)
    dialog = _export_dialog(qtbot, window)
    dialog.out.setText(str(tmp_path / "out"))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error is not None or dialog.report is not None, timeout=20000)
    assert "2 of 3 labelled images exported" in dialog.status.text()
    assert "im1.jpg" in dialog.summary.toPlainText() and "truncated" in dialog.summary.toPlainText()
    assert sorted(p.name for p in (tmp_path / "out" / "JPEGImages").iterdir()) == ["im0.jpg", "im2.jpg"]


def test_strict_export_shows_every_problem_and_writes_nothing(qtbot, tmp_path):
    from segstudio.dialogs.export_dialog import ExportDialog

    bad_folder(tmp_path / "bad")
    labels = tmp_path / "labels.txt"
    labels.write_text("_background_\ncat\ndog\n")
    dialog = ExportDialog(tmp_path / "bad", str(labels))
    qtbot.addWidget(dialog)
    dialog.workers = 1
    dialog.show()
    dialog.strict_check.setChecked(True)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error is not None, timeout=20000)
    text = dialog.summary.toPlainText()
    assert "unknown.json: shape 1" in text and "zebra" in text and "corrupt.json" in text
    assert not (tmp_path / "bad_export").exists()
    # an empty output folder field is refused before anything runs
    dialog.out.setText("")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert "output folder" in dialog.status.text() and dialog.job.finished


def test_menu_import_voc_writes_labelme_files(qtbot, tmp_path):
    from segcore.formats.voc import export_voc

    data = _folder(tmp_path / "data", n=2)
    voc = tmp_path / "voc"
    export_voc(data, voc, workers=1)
    window = open_window(qtbot, tmp_path)
    window.import_action.trigger()
    dialog = window._import_dialog
    qtbot.waitExposed(dialog)
    dialog.workers = 1
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("voc"))
    assert dialog.voc_root.isVisible() and not dialog.coco_json.isVisible()
    dialog.voc_root.setText(str(voc))
    dialog.tolerance.setValue(0.0)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None or dialog.error is not None, timeout=20000)
    assert dialog.error is None and "2 images" in dialog.summary.toPlainText()
    ann = load(voc / "JPEGImages" / "im0.json")
    assert sorted({s.label for s in ann.shapes}) == ["cat", "dog"]

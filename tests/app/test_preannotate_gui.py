"""The Model menu driven like a user: load a checkpoint from a few training steps, pre-annotate
the open image (worker + progress), filter proposals with the slider, accept them with one key,
undo; pre-annotate the other unlabelled images of the folder; the confidence overlay."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QPushButton

from segcore.io import annotation as sa
from segstudio.features.model_feature import ACCEPT_KEY
from tests.box_model import train_box_unet

from .gui_helpers import make_labelme, open_window, polygon, wait_image

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A tiny U-Net trained a few steps (plain torch loop) to call bright rectangles 'box'."""
    return train_box_unet(tmp_path_factory.mktemp("ck") / "boxes.pt", ["_background_", "box"])


def _image(path, boxes):
    a = np.zeros((90, 120, 3), np.uint8)
    for x0, y0, x1, y1 in boxes:
        a[y0:y1, x0:x1] = 255
    Image.fromarray(a).save(path)
    return path


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "imgs"
    root.mkdir()
    _image(root / "im1.png", [(10, 10, 50, 40), (70, 50, 110, 80)])
    _image(root / "im2.png", [(20, 20, 60, 60)])
    _image(root / "im3.png", [(5, 5, 30, 30)])
    make_labelme(root / "im3.png", [polygon("dog", [(1, 1), (8, 1), (8, 8)])])  # a person's work
    return root


def _load_model(qtbot, w, checkpoint):
    feature = w.model_feature
    assert not feature.actions["preannotate_image"].isEnabled()
    feature.load_checkpoint(str(checkpoint))
    qtbot.waitUntil(lambda: feature.predictor is not None, timeout=20000)
    text = feature.status.text()
    assert "unet" in text and "2 classes" in text and "box" in text and "cpu" in text
    assert feature.actions["preannotate_image"].isEnabled()
    return feature


def test_preannotate_accept_and_undo(qtbot, tmp_path, folder, checkpoint):
    w = open_window(qtbot, tmp_path)
    w.saver.timer.setInterval(60_000)
    w.open_path(folder / "im1.png")
    wait_image(qtbot, w, "im1.png")
    feature = _load_model(qtbot, w, checkpoint)
    doc = w.document
    mine = sa.Shape("note", [(2.0, 85.0), (20.0, 85.0), (10.0, 88.0)])
    from segstudio.undo_commands import AddShapes

    doc.push(AddShapes(doc, [mine]))

    assert feature.actions["preannotate_image"] in w.menus["model"].actions()
    feature.actions["preannotate_image"].trigger()
    assert feature.progress_dialog is not None and feature.progress_dialog.isVisible()
    qtbot.waitUntil(lambda: any(s.proposed for s in doc.shapes), timeout=20000)
    assert feature.progress_dialog is None
    proposals = [s for s in doc.shapes if s.proposed]
    assert doc.shapes[0] is mine
    assert [s.label for s in proposals] == ["box", "box"]
    assert all(0.5 < s.score <= 1.0 for s in proposals)
    # listed with their score (the shape list reads the document)
    model = w.shape_dock.model
    rows = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert rows[0] == "note" and all(r.startswith("box  [proposed 0.") for r in rows[1:])
    xs = sorted(min(x for x, _ in s.points) for s in proposals)
    assert abs(xs[0] - 10) <= 2 and abs(xs[1] - 70) <= 2

    # the slider filters live
    feature.slider.setValue(100)
    assert all(not doc.is_visible(i) for i, s in enumerate(doc.shapes) if s.proposed)
    assert doc.is_visible(0)
    feature.slider.setValue(10)
    assert all(doc.is_visible(i) for i in range(len(doc)))

    # the overlay shows where the model is unsure
    feature.actions["confidence_overlay"].setChecked(True)
    assert feature.overlay.item is not None and feature.overlay.item.isVisible()
    assert feature.overlay.item.scene() is w.canvas.scene()

    # one key accepts every proposal; undo brings the proposals back
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)
    qtbot.keyClick(w, getattr(Qt.Key, f"Key_{ACCEPT_KEY}"))
    assert len(doc.shapes) == 3 and not any(s.proposed for s in doc.shapes)
    assert all(s.score is None for s in doc.shapes)
    assert model.data(model.index(1, 0)) == "box"
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s.proposed for s in doc.shapes] == [False, True, True]
    assert doc.shapes[0] is mine
    # pre-annotating again replaces the proposals (no pile-up), in one undo step
    feature.actions["preannotate_image"].trigger()
    qtbot.waitUntil(lambda: feature.job.finished, timeout=20000)
    assert [s.proposed for s in doc.shapes] == [False, True, True]
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s.proposed for s in doc.shapes] == [False, True, True]  # the previous proposals


def test_threshold_discards_low_proposals_on_accept(qtbot, tmp_path, folder, checkpoint):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder / "im1.png")
    wait_image(qtbot, w, "im1.png")
    feature = _load_model(qtbot, w, checkpoint)
    feature.actions["preannotate_image"].trigger()
    qtbot.waitUntil(lambda: any(s.proposed for s in w.document.shapes), timeout=20000)
    scores = sorted(s.score for s in w.document.shapes)
    feature.slider.setValue(int(scores[0] * 100) + 1)  # the weakest proposal is now below
    kept = [s for s in w.document.shapes if s.score >= feature.threshold]
    assert feature.threshold == pytest.approx((int(scores[0] * 100) + 1) / 100)
    feature.accept()
    assert w.document.shapes == [s for s in kept] and len(kept) < 2
    assert not any(s.proposed for s in w.document.shapes)
    w.document.undo_stack.undo()
    assert len(w.document.shapes) == 2 and all(s.proposed for s in w.document.shapes)


def test_preannotate_all_unlabelled_then_cancel(qtbot, tmp_path, folder, checkpoint):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    qtbot.waitUntil(lambda: w.file_dock.model.rowCount() == 3, timeout=5000)
    feature = _load_model(qtbot, w, checkpoint)
    before = (folder / "im3.json").read_bytes()
    feature.actions["preannotate_all"].trigger()
    qtbot.waitUntil(lambda: (folder / "im2.json").exists() and any(s.proposed for s in w.document.shapes),
                    timeout=30000)
    im2 = sa.load(folder / "im2.json")
    assert [s.label for s in im2.shapes] == ["box"] and im2.shapes[0].proposed
    assert (folder / "im3.json").read_bytes() == before  # a person's file is not touched
    assert w.file_dock.model.is_labelled(str(folder / "im2.png"))
    qtbot.waitUntil(lambda: feature.job.finished, timeout=20000)
    # Cancel (the dialog's button) stops a run and applies nothing
    n = len(w.document.shapes)
    original = feature.predictor.predict

    def slow_predict(image, cancel=None, **kw):  # a model that takes until the user cancels
        while not cancel.cancelled:
            time.sleep(0.01)
        return original(image, cancel=cancel, **kw)

    feature.predictor.predict = slow_predict
    job = feature.preannotate_image()
    assert not feature.actions["preannotate_image"].isEnabled()
    button = feature.progress_dialog.findChild(QPushButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: job.finished, timeout=20000)
    assert job.token.cancelled and feature.progress_dialog is None
    assert len(w.document.shapes) == n
    assert feature.actions["preannotate_image"].isEnabled()


def test_bad_checkpoint_is_reported(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    (tmp_path / "notes.pt").write_text("not a model")
    errors = []
    w.report_error = errors.append
    w.model_feature.load_checkpoint(str(tmp_path / "notes.pt"))
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert "notes.pt" in errors[0] and "text file" in errors[0]
    assert w.model_feature.predictor is None and w.model_feature.status.text() == "No model"


def _new_window(qtbot, tmp_path):
    """A window on ``tmp_path/settings.ini`` (as the next start of the app would make it)."""
    from segstudio.main_window import MainWindow
    from segstudio.settings import Settings

    window = MainWindow(settings=Settings(str(tmp_path / "settings.ini")))
    qtbot.addWidget(window)
    return window


def test_model_is_reloaded_at_the_next_start(qtbot, tmp_path, checkpoint):
    w = open_window(qtbot, tmp_path)
    w.model_feature.load_checkpoint(str(checkpoint))
    qtbot.waitUntil(lambda: w.model_feature.predictor is not None, timeout=20000)
    assert checkpoint.name in w.model_feature.status.text()
    w.close()

    w2 = _new_window(qtbot, tmp_path)
    feature = w2.model_feature
    # loaded in a worker: the window is up before the model is
    assert feature.predictor is None and feature.job is not None
    assert checkpoint.name in feature.status.text()  # "Loading boxes.pt..."
    qtbot.waitUntil(lambda: feature.predictor is not None, timeout=20000)
    assert checkpoint.name in feature.status.text() and "unet" in feature.status.text()
    assert checkpoint.name in w2.statusBar().currentMessage()
    w2.show()
    w2.open_path(_image(tmp_path / "fresh.png", [(10, 10, 50, 40)]))
    wait_image(qtbot, w2, "fresh.png")
    assert feature.actions["preannotate_image"].isEnabled()


@pytest.mark.parametrize("damage", ["deleted", "broken"])
def test_lost_model_is_named_in_the_status_bar_at_start(qtbot, tmp_path, checkpoint, damage):
    model = tmp_path / "my_model.pt"
    model.write_bytes(checkpoint.read_bytes())
    w = open_window(qtbot, tmp_path)
    w.model_feature.load_checkpoint(str(model))
    qtbot.waitUntil(lambda: w.model_feature.predictor is not None, timeout=20000)
    w.close()
    if damage == "deleted":
        model.unlink()
    else:
        model.write_text("not a model")

    w2 = _new_window(qtbot, tmp_path)
    errors = []
    w2.report_error = errors.append  # a message box at start-up would be wrong
    w2.show()
    feature = w2.model_feature
    qtbot.waitUntil(lambda: feature.job is not None and feature.job.finished, timeout=20000)
    message = w2.statusBar().currentMessage()
    assert str(model) in message and ("no such file" in message if damage == "deleted" else "text file" in message)
    assert not errors and w2.findChild(QMessageBox, "error_dialog") is None
    assert feature.predictor is None and feature.status.text() == "No model"
    assert not feature.actions["preannotate_image"].isEnabled()
    assert feature.actions["load_checkpoint"].isEnabled()
    w2.close()
    # forgotten: the start after that is quiet
    w3 = _new_window(qtbot, tmp_path)
    assert w3.model_feature.job is None and w3.model_feature.status.text() == "No model"


def test_engine_menu_follows_the_setting_and_the_status_shows_the_engine(qtbot, tmp_path, checkpoint):
    pytest.importorskip("onnxruntime")
    model = tmp_path / "m" / "boxes.pt"
    model.parent.mkdir()
    model.write_bytes(checkpoint.read_bytes())
    w = open_window(qtbot, tmp_path)
    feature = w.model_feature
    assert feature.engine == "auto" and feature.engine_actions["auto"].isChecked()
    labels = [a.text() for a in w.findChild(QMenu, "menu_model_engine").actions()]
    assert labels == ["Auto", "PyTorch", "ONNX Runtime"]
    feature.load_checkpoint(str(model))
    qtbot.waitUntil(lambda: feature.predictor is not None, timeout=30000)
    assert "ONNX Runtime" in feature.status.text() and model.with_suffix(".onnx").is_file()
    feature.engine_actions["torch"].trigger()  # the user picks PyTorch: the model is loaded again on it
    qtbot.waitUntil(lambda: feature.predictor.engine == "torch", timeout=30000)
    assert "PyTorch" in feature.status.text() and feature.engine_actions["torch"].isChecked()
    w.close()
    w2 = _new_window(qtbot, tmp_path)  # remembered at the next start
    assert w2.model_feature.engine == "torch" and w2.model_feature.engine_actions["torch"].isChecked()
    qtbot.waitUntil(lambda: w2.model_feature.predictor is not None, timeout=30000)
    assert w2.model_feature.predictor.engine == "torch" and "PyTorch" in w2.model_feature.status.text()


def test_load_accepts_an_onnx_export(qtbot, tmp_path, folder, checkpoint):
    pytest.importorskip("onnxruntime")
    from segcore.inference.onnx_export import export_onnx

    out, _, _ = export_onnx(checkpoint, tmp_path / "exported.onnx", check=False)
    w = open_window(qtbot, tmp_path)
    w.open_path(folder / "im2.png")
    wait_image(qtbot, w, "im2.png")
    feature = w.model_feature
    feature.load_checkpoint(str(out))
    qtbot.waitUntil(lambda: feature.predictor is not None, timeout=30000)
    text = feature.status.text()
    assert "exported.onnx" in text and "ONNX Runtime" in text and "box" in text
    feature.actions["preannotate_image"].trigger()
    qtbot.waitUntil(lambda: any(s.proposed for s in w.document.shapes), timeout=20000)
    assert [s.label for s in w.document.shapes] == ["box"]
    # a foreign or broken .onnx is refused, naming the file
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x08\x07garbage")
    errors = []
    w.report_error = errors.append
    feature.load_checkpoint(str(junk))
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert "junk.onnx" in errors[0] and "not a readable ONNX model" in errors[0]


def test_pytorch_runs_and_says_why_without_onnxruntime(qtbot, tmp_path, checkpoint, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if not installed
    w = open_window(qtbot, tmp_path)
    feature = w.model_feature
    feature.load_checkpoint(str(checkpoint))
    qtbot.waitUntil(lambda: feature.predictor is not None, timeout=30000)
    assert "PyTorch" in feature.status.text()
    assert "onnxruntime is not installed" in feature.status.toolTip()
    assert "onnxruntime is not installed" in w.statusBar().currentMessage()

"""The training dialog runs `segcore train` in a subprocess: the progress bar and the curves
move, the per-class table fills, Stop ends a run keeping its best model, and the model it
produced pre-annotates an image."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.segcore.train_helpers import make_dataset

pytestmark = [pytest.mark.gui, pytest.mark.slow]

TINY = ["--model-arg", "depth=2", "--model-arg", "base_channels=8", "--warmup-steps", "0", "--workers", "0",
        "--lr", "0.01", "--val-ratio", "0.25", "--no-augment", "--bn-recalib-batches", "2"]


@pytest.fixture
def dialog(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("SEGCORE_CACHE", str(tmp_path / "cache"))
    from segstudio.dialogs.train_dialog import TrainDialog

    data = make_dataset(tmp_path / "data", n=16)
    (tmp_path / "data" / "unlabelled.png").write_bytes((data / "img_000.png").read_bytes())
    dlg = TrainDialog(data)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.readiness is not None, timeout=20000)
    dlg.model_combo.setCurrentText("unet")
    dlg.size_spin.setValue(48)
    dlg.batch_spin.setValue(4)
    dlg.device_combo.setCurrentIndex(dlg.device_combo.findData("cpu"))
    dlg.extra_args = list(TINY)
    return dlg


def test_dialog_trains_shows_progress_and_the_model_preannotates(qtbot, dialog, tmp_path):
    # dataset summary with warnings
    assert dialog.readiness["labelled"] == 16 and dialog.readiness["unlabelled"] == 1
    assert "1 images have no annotation" in dialog.warnings_label.text()
    assert "disc (16)" in dialog.summary_label.text()

    dialog.epochs_radio.setChecked(True)
    dialog.epochs_spin.setValue(6)
    dialog.out_edit.setText(str(tmp_path / "run"))
    values = []
    dialog.process.step.connect(lambda e: values.append(dialog.progress_bar.value()))
    with qtbot.waitSignal(dialog.process.finished, timeout=180000) as finished:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        assert not dialog.start_button.isEnabled() and dialog.stop_button.isEnabled()
    assert finished.args == [0], dialog.process.stderr_tail()[-2000:]
    assert values and values[-1] == 1000 and values[0] < values[-1]  # the bar moved
    xs, ys = dialog.loss_curve.getData()
    assert len(xs) >= 6 and ys[-1] < ys[0]  # the loss curve moved down
    mx, my = dialog.miou_curve.getData()
    # a point per validated epoch: the first and the last always, others as the cadence allows
    assert list(mx)[0] == 1 and list(mx)[-1] == 6 and list(mx) == sorted(set(mx))
    assert dialog.iou_table.rowCount() == 3 and dialog.iou_table.item(1, 0).text() == "disc"
    assert dialog.iou_table.item(1, 1).text() != "-"
    assert dialog.progress_bar.value() == 1000
    assert dialog.use_button.isEnabled()

    adopted = []
    dialog.modelReady.connect(adopted.append)
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert adopted == [str(tmp_path / "run" / "best.pt")]

    # the model pre-annotates an unlabelled image: proposed shapes, saved atomically
    from segcore.inference.preannotate import preannotate_file
    from segcore.inference.predict import Predictor
    from segcore.io.imageio import read_image

    image = tmp_path / "data" / "unlabelled.png"
    predictor = Predictor(adopted[0], device="cpu")
    shapes = predictor.predict_shapes(read_image(image))
    assert shapes and all(s.proposed for s in shapes)
    assert {s.label for s in shapes} <= {"disc", "square"}
    preannotate_file(predictor, image)
    saved = json.loads(image.with_suffix(".json").read_text())
    assert saved["shapes"] and all(s.get("proposed") for s in saved["shapes"])


def test_stop_ends_the_run_and_keeps_the_best_model(qtbot, dialog, tmp_path):
    dialog.epochs_radio.setChecked(True)
    dialog.epochs_spin.setValue(500)
    out = tmp_path / "long"
    dialog.out_edit.setText(str(out))
    done = []
    dialog.process.done.connect(done.append)
    with qtbot.waitSignal(dialog.process.epoch, timeout=120000):
        dialog.start()
    with qtbot.waitSignal(dialog.process.finished, timeout=120000) as finished:
        qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    assert finished.args == [0]
    assert done and done[-1]["reason"] == "stopped" and done[-1]["epochs"] < 500
    assert Path(done[-1]["best_checkpoint"]).exists() and (out / "last.pt").exists()
    assert dialog.start_button.isEnabled() and dialog.use_button.isEnabled()


def test_train_menu_opens_the_dialog_for_the_open_folder(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("SEGCORE_CACHE", str(tmp_path / "cache"))
    from segstudio.features import train_feature
    from tests.app.gui_helpers import open_window

    data = make_dataset(tmp_path / "data", n=2)
    window = open_window(qtbot, tmp_path)
    if not hasattr(window, "train_action"):  # not in FEATURES in this checkout: install it here
        train_feature.install(window)
    assert "Train on this &folder..." in [a.text() for a in window.menus["train"].actions()]
    window.open_path(data)
    qtbot.waitUntil(lambda: window.file_dock.model.root == data.resolve(), timeout=10000)
    window.train_action.trigger()
    dlg = window._train_dialog
    qtbot.addWidget(dlg)
    assert dlg.folder == data.resolve()
    qtbot.waitUntil(lambda: dlg.readiness is not None, timeout=20000)
    assert "only 2 labelled images" in dlg.warnings_label.text()
    # adopting a model goes to the model feature when there is one, else into the settings
    best = tmp_path / "best.pt"
    calls = []
    feature = getattr(window, "model_feature", None)
    if feature is not None:
        monkeypatch.setattr(feature, "load_checkpoint", lambda p: calls.append(p))
    dlg.modelReady.emit(str(best))
    if feature is not None:
        assert calls == [str(best)]
    else:
        assert window.settings.value("model/checkpoint") == str(best)
    dlg.close()


def test_output_folder_is_shown_whole_and_chosen_with_browse(qtbot, dialog, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    edit = dialog.out_edit
    qtbot.waitUntil(lambda: edit.width() > 100, timeout=3000)
    default = edit.text()
    assert edit.toolTip() == default
    dialog.model_combo.setCurrentText("lraspp_mobilenet_v3_large")  # the default run name follows the model
    assert Path(edit.text()).name.startswith("lraspp_mobilenet_v3_large-") and edit.toolTip() == edit.text()
    dialog.model_combo.setCurrentText("unet")
    default = edit.text()
    assert edit.width() >= edit.fontMetrics().horizontalAdvance(default) + 8  # the whole default path fits
    # Browse: an empty folder is used as it is
    chosen = tmp_path / "my runs" / "first"
    chosen.mkdir(parents=True)
    asked = []

    def pick(parent, caption, start, *args):
        asked.append(start)
        return str(chosen)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", pick)
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert asked and edit.text() == str(chosen) and edit.toolTip() == str(chosen)
    dialog.model_combo.setCurrentText("segnet_vgg16")  # another model keeps the chosen folder
    assert dialog.model_combo.currentText() == "segnet_vgg16" and edit.text() == str(chosen)
    assert dialog.request().out == str(chosen)
    # a folder that already holds files gets a new run folder inside it (nothing is overwritten)
    (chosen / "best.pt").write_bytes(b"an earlier run")
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert Path(edit.text()).parent == chosen and Path(edit.text()).name.startswith("segnet_vgg16-")
    # Cancel in the folder dialog changes nothing
    before = edit.text()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert edit.text() == before


def test_dialog_and_report_give_the_same_best_miou(qtbot, dialog, tmp_path, monkeypatch):
    """A two-epoch run into a folder chosen with Browse: the dialog's score is the report's, word
    for word, and it is the best checkpoint's validation mIoU."""
    from PySide6.QtWidgets import QFileDialog

    from segcore.checkpoint import load_checkpoint
    from segcore.training.report import best_miou_text

    out = tmp_path / "chosen"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    dialog.epochs_radio.setChecked(True)
    dialog.epochs_spin.setValue(2)
    with qtbot.waitSignal(dialog.process.finished, timeout=180000) as finished:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert finished.args == [0], dialog.process.stderr_tail()[-2000:]
    assert (out / "best.pt").is_file() and (out / "report.md").is_file()  # the run wrote where chosen
    shown = dialog.best_label.text()
    assert shown.startswith("best val mIoU ") and "(epoch " in shown
    assert shown in (out / "report.md").read_text()
    assert shown in dialog.status_label.text()
    meta = load_checkpoint(out / "best.pt", build=False).meta["metrics"]
    assert shown == best_miou_text(meta["miou"], meta["epoch"])


def _options_dialog(qtbot, folder, settings, current_model):
    from segstudio.dialogs.train_dialog import TrainDialog

    dlg = TrainDialog(folder, settings=settings, current_model=current_model)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_more_options_map_to_the_command_line_and_are_remembered_per_folder(qtbot, tmp_path, monkeypatch):
    """Resume, early stopping, loss, class weights, backbone weights and 'continue from the current
    model' become `segcore train` arguments; the next dialog for the same folder starts with them."""
    from PySide6.QtWidgets import QFileDialog

    from segstudio.settings import Settings

    settings = Settings(str(tmp_path / "settings.ini"))
    data = make_dataset(tmp_path / "data", n=2)
    other = make_dataset(tmp_path / "other", n=2)
    current = tmp_path / "current.pt"
    current.write_bytes(b"a model")
    dlg = _options_dialog(qtbot, data, settings, str(current))
    o = dlg.options
    args = dlg.request().arguments()
    assert not any(a.startswith(("--backbone-weights", "--init-from", "--patience", "--resume")) for a in args)

    qtbot.mouseClick(o.resume_check, Qt.MouseButton.LeftButton)
    o.patience_spin.setValue(4)
    assert o.loss_combo.currentData() == "dice"  # the default, as on the command line
    o.loss_combo.setCurrentIndex(o.loss_combo.findData("none"))
    o.weights_combo.setCurrentText("median")
    o.backbone_combo.setCurrentIndex(o.backbone_combo.findData("file"))
    weights = tmp_path / "r50.pth"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(weights), ""))
    qtbot.mouseClick(o.backbone_browse, Qt.MouseButton.LeftButton)
    args = dlg.request().arguments()
    for flag in ("--resume", "--patience=4", "--extra-loss=none", "--class-weights=median",
                 f"--backbone-weights={weights}"):
        assert flag in args, (flag, args)

    qtbot.mouseClick(o.init_check, Qt.MouseButton.LeftButton)  # continue from the current model
    args = dlg.request().arguments()
    assert f"--init-from={current}" in args and not any(a.startswith("--backbone-weights") for a in args)
    o.backbone_combo.setCurrentIndex(o.backbone_combo.findData("none"))
    dlg.model_combo.setCurrentText("unet")
    started = []
    monkeypatch.setattr(dlg.process, "start", started.append)
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
    assert started and f"--init-from={current}" in started[0].arguments()
    dlg.close()

    again = _options_dialog(qtbot, data, settings, str(current))
    o2 = again.options
    assert again.model_combo.currentText() == "unet"
    assert o2.resume_check.isChecked() and o2.init_check.isChecked() and o2.patience_spin.value() == 4
    assert o2.loss_combo.currentData() == "none" and o2.weights_combo.currentText() == "median"
    assert o2.backbone_combo.currentData() == "none"
    assert f"--init-from={current}" in again.request().arguments()

    fresh = _options_dialog(qtbot, other, settings, str(current))  # another folder: the defaults
    assert not fresh.options.resume_check.isChecked() and fresh.options.patience_spin.value() == 0
    assert fresh.options.loss_combo.currentData() == "dice"
    assert fresh.options.backbone_combo.currentData() == "auto"
    assert not any(a.startswith(("--backbone-weights", "--init-from")) for a in fresh.request().arguments())


def test_continue_from_current_model_needs_a_model(qtbot, tmp_path):
    from segstudio.settings import Settings

    data = make_dataset(tmp_path / "data", n=2)
    dlg = _options_dialog(qtbot, data, Settings(str(tmp_path / "s.ini")), None)
    assert not dlg.options.init_check.isEnabled()
    dlg2 = _options_dialog(qtbot, data, Settings(str(tmp_path / "s.ini")), str(tmp_path / "gone.pt"))
    assert not dlg2.options.init_check.isEnabled()  # a model file that is gone cannot be continued


def test_download_progress_shows_on_the_bar(qtbot, tmp_path):
    from segstudio.settings import Settings

    dlg = _options_dialog(qtbot, make_dataset(tmp_path / "data", n=2), Settings(str(tmp_path / "s.ini")), None)
    dlg.process.event.emit({"event": "download", "what": "resnet50-0676ba61.pth", "bytes": 5, "total": 10,
                            "progress": 0.5})
    assert dlg.progress_bar.value() == 500 and "50%" in dlg.status_label.text()


def test_an_epoch_without_validation_says_so(qtbot, tmp_path):
    from segstudio.settings import Settings

    dlg = _options_dialog(qtbot, make_dataset(tmp_path / "data", n=2), Settings(str(tmp_path / "s.ini")), None)
    epoch = {"event": "epoch", "train_loss": 0.5, "best_miou": 0.4, "best_epoch": 1, "is_best": False,
             "progress": 0.2, "eta_s": 60}
    dlg.process.epoch.emit({**epoch, "epoch": 2, "val": None})
    assert dlg.status_label.text().startswith("Epoch 2: loss 0.5000 (not validated this epoch); best val mIoU ")
    assert dlg.miou_curve.getData()[0] is None or len(dlg.miou_curve.getData()[0]) == 0
    dlg.process.epoch.emit({**epoch, "epoch": 3, "val": {"miou": 0.45, "iou": [0.4, 0.5]}, "best_miou": 0.45,
                            "best_epoch": 3, "is_best": True})
    assert dlg.status_label.text().startswith("Epoch 3: loss 0.5000, val mIoU 45.00%; best val mIoU 45.00%")
    assert list(dlg.miou_curve.getData()[0]) == [3]

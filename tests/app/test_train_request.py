"""The GUI's training request is derived from TrainConfig: every field survives the trip
request -> `segcore train` arguments -> the config the command line builds."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings

from segstudio.training_process import TrainRequest
from tests.segcore.train_helpers import make_dataset, parse_train_argv, train_configs


def _command_line_config(request: TrainRequest):
    args = request.arguments()
    assert args[:3] == ["-m", "segcore", "train"] and "--progress-json" in args
    return parse_train_argv([a for a in args[3:] if a != "--progress-json"])


@settings(max_examples=100, deadline=None)
@given(cfg=train_configs())
def test_every_config_field_round_trips_through_the_request(cfg):
    assert _command_line_config(TrainRequest(cfg)) == cfg


@pytest.mark.gui
def test_the_dialog_settings_reach_the_command_line(qtbot, tmp_path):
    from segstudio.dialogs.train_dialog import TrainDialog

    data = make_dataset(tmp_path / "data", n=2)
    dlg = TrainDialog(data)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.readiness is not None, timeout=20000)
    assert dlg.batch_spin.text() == "Auto" and dlg.request().config.batch_size is None
    assert not any(a.startswith("--batch-size") for a in dlg.request().arguments())  # the device decides
    dlg.model_combo.setCurrentText("unet")
    dlg.epochs_radio.setChecked(True)
    dlg.epochs_spin.setValue(7)
    dlg.size_spin.setValue(256)
    dlg.batch_spin.setValue(3)
    dlg.device_combo.setCurrentIndex(dlg.device_combo.findData("cpu"))
    dlg.out_edit.setText(str(tmp_path / "run"))
    dlg.extra_args = ["--lr", "0.05"]
    request = dlg.request()
    cfg = _command_line_config(request)
    assert (cfg.folder, cfg.out, cfg.model) == (str(data), str(tmp_path / "run"), "unet")
    assert (cfg.epochs, cfg.minutes, cfg.base_size, cfg.crop_size, cfg.batch_size, cfg.device) == (
        7, None, 256, 256, 3, "cpu")
    assert cfg.lr == 0.05  # extra arguments come last and win
    assert cfg == dataclasses.replace(request.config, lr=0.05)

    dlg.minutes_radio.setChecked(True)
    dlg.minutes_spin.setValue(12)
    cfg = _command_line_config(dlg.request())
    assert (cfg.minutes, cfg.epochs) == (12.0, None)

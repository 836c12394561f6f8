"""CLI: ``segcore train`` (--progress-json), ``eval`` and ``export-onnx`` end to end."""

from __future__ import annotations

import importlib.util
import json

import pytest
from hypothesis import given, settings

from segcore.cli import main
from tests.segcore.train_helpers import make_dataset, train_configs


@pytest.mark.slow
def test_train_progress_json_then_eval_and_export_onnx(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SEGCORE_CACHE", str(tmp_path / "cache"))
    data = make_dataset(tmp_path / "data", n=8)
    out = tmp_path / "runs" / "tiny"
    rc = main(["train", str(data), "--out", str(out), "--model", "unet", "--model-arg", "depth=2",
               "--model-arg", "base_channels=8", "--epochs", "2", "--batch-size", "4", "--base-size", "48",
               "--crop-size", "32", "--warmup-steps", "0", "--workers", "0", "--progress-json"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    lines = [ln for ln in captured.out.splitlines() if ln.strip()]
    events = [json.loads(ln) for ln in lines]  # every stdout line is one JSON object
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done"
    assert [e["epoch"] for e in events if e["event"] == "epoch"] == [1, 2]
    assert all(0 <= e["progress"] <= 1 for e in events if e["event"] == "step")
    done = events[-1]
    assert done["reason"] == "completed" and done["best_checkpoint"] == str(out / "best.pt")

    rc = main(["eval", str(out / "best.pt"), str(data), "--json", str(tmp_path / "m.json")])
    text = capsys.readouterr().out
    assert rc == 0
    assert "8 images" in text and "disc" in text and "mIoU" in text
    saved = json.loads((tmp_path / "m.json").read_text())
    assert len(saved["iou"]) == 3 and saved["images"] == 8

    if importlib.util.find_spec("onnx") is None:
        pytest.skip("onnx not installed")
    rc = main(["export-onnx", str(out / "best.pt"), "--out", str(tmp_path / "m.onnx")])
    text = capsys.readouterr().out
    assert rc == 0 and (tmp_path / "m.onnx").stat().st_size > 1000
    if importlib.util.find_spec("onnxruntime") is not None:
        assert "onnxruntime check" in text


def test_train_errors_exit_nonzero_with_a_message(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["train", str(empty), "--out", str(tmp_path / "o"), "--progress-json"]) == 2
    event = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert event["event"] == "error" and "no labelled images" in event["message"]
    assert main(["train", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "nope.pt"), str(empty)]) == 2
    assert "nope.pt" in capsys.readouterr().err


def test_every_config_field_has_a_flag_the_parser_knows():
    import dataclasses

    from segcore.commands.train import FLAGS
    from segcore.training.config import TrainConfig
    from tests.segcore.train_helpers import train_parser

    fields = [f.name for f in dataclasses.fields(TrainConfig)]
    missing = [f for f in fields if f not in FLAGS]
    assert not missing, f"TrainConfig fields without a flag in segcore/commands/train.py FLAGS: {missing}"
    assert set(FLAGS) == set(fields)
    known = {s for a in train_parser()._actions for s in a.option_strings} | {"folder"}
    assert set(FLAGS.values()) <= known


@settings(max_examples=150, deadline=None)
@given(cfg=train_configs())
def test_a_config_written_as_arguments_parses_back_to_itself(cfg):
    from segcore.commands.train import config_argv
    from tests.segcore.train_helpers import parse_train_argv

    assert parse_train_argv(config_argv(cfg)) == cfg


def test_the_defaults_and_a_time_budget_need_few_arguments():
    from segcore.commands.train import config_argv
    from segcore.training.config import TrainConfig

    assert config_argv(TrainConfig(folder="data", out="runs/a")) == ["data", "--out=runs/a"]
    cfg = TrainConfig(folder="data", out="o", minutes=5.0, epochs=None, amp=False, base_size=None)
    assert config_argv(cfg) == ["data", "--out=o", "--minutes=5.0", "--base-size=0", "--no-amp"]
    with pytest.raises(ValueError, match="epochs or a time budget"):
        config_argv(TrainConfig(folder="data", epochs=None))


def test_model_arguments_read_json_and_python_booleans():
    from segcore.commands.train import _kv

    assert _kv("aux=false") == ("aux", False) and _kv("aux=False") == ("aux", False)
    assert _kv("aux=True") == ("aux", True) and _kv("depth=3") == ("depth", 3)
    assert _kv("encoder=resnet18") == ("encoder", "resnet18")

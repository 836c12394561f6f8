"""Checkpoint values are checked against one schema on load: a wrong or hostile value is refused
with a message naming the file and the field, before any model is built or anything downloaded."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segcore.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from segcore.checkpoint_schema import SchemaError, validate_meta
from segcore.models.registry import build_model

NAMES = ["_background_", "cat"]
KWARGS = {"base_channels": 4, "depth": 2}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict:
    """The raw dict of a valid tiny U-Net checkpoint."""
    path = tmp_path_factory.mktemp("ck") / "good.pt"
    torch.manual_seed(0)
    save_checkpoint(path, build_model("unet", 2, **KWARGS), arch="unet", arch_kwargs=KWARGS,
                    class_names=NAMES, input_policy={"divisor": 4})
    return torch.load(path, weights_only=True)


def _tampered(tmp_path, good: dict, **changes) -> str:
    data = dict(good)
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            data[outer] = {**data[outer], inner: value}
        else:
            data[key] = value
    path = tmp_path / "bad.pt"
    torch.save(data, path)
    return str(path)


@pytest.mark.parametrize(("change", "field"), [
    ({"mean": "abc"}, "mean"),
    ({"mean": [0.5, float("nan"), 0.5]}, "mean"),
    ({"std": [0, 0, 0]}, "std"),
    ({"std": [0.2, 0.2]}, "std"),
    ({"class_names": "abc"}, "class_names"),
    ({"class_names": ["_background_", "cat", "cat"]}, "class_names"),
    ({"class_names": ["_background_", ""]}, "class_names"),
    ({"colours": [[0, 0, 0], [300, 0, 0]]}, "colours"),
    ({"arch": "resnet9000"}, "arch"),
    ({"arch_kwargs.base_channels": 200000}, "arch_kwargs.base_channels"),
    ({"arch_kwargs.depth": "x"}, "arch_kwargs.depth"),
    ({"arch_kwargs.output_stride": 16}, "output_stride"),
    ({"input_policy.divisor": "x"}, "input_policy.divisor"),
    ({"input_policy.tile_size": -5}, "input_policy.tile_size"),
    ({"input_policy": [1, 2]}, "input_policy"),
    ({"state_dict": {"w": "not a tensor"}}, "state_dict"),
])
def test_wrong_values_are_refused_naming_file_and_field(tmp_path, good, change, field):
    path = _tampered(tmp_path, good, **change)
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert path in message and field in message


def test_loading_never_downloads(tmp_path, good, monkeypatch):
    """arch_kwargs.pretrained_backbone is ignored: the weights come from the file."""
    def no_network(*_a, **_k):
        raise AssertionError("loading a checkpoint tried to download weights")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", no_network)
    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    torch.manual_seed(0)
    model = build_model("unet", 2, encoder="resnet18")
    path = tmp_path / "enc.pt"
    save_checkpoint(path, model, arch="unet", arch_kwargs={"encoder": "resnet18"}, class_names=NAMES)
    data = torch.load(path, weights_only=True)
    data["arch_kwargs"]["pretrained_backbone"] = True
    torch.save(data, path)
    ck = load_checkpoint(path)
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(ck.model(x), model.eval()(x))


def test_save_refuses_what_load_would_refuse(tmp_path):
    with pytest.raises(ValueError, match="base_channels"):
        save_checkpoint(tmp_path / "x.pt", build_model("unet", 2, **KWARGS), arch="unet",
                        arch_kwargs={"base_channels": 100000}, class_names=NAMES)
    assert not (tmp_path / "x.pt").exists()


def test_predict_cli_names_the_file_and_exits_non_zero(tmp_path, good):
    """std [0, 0, 0] used to run on NaN input and write proposals with exit status 0."""
    path = _tampered(tmp_path, good, std=[0, 0, 0])
    image = tmp_path / "img" / "a.png"
    image.parent.mkdir()
    cv2.imwrite(str(image), np.full((16, 16, 3), 90, np.uint8))
    run = subprocess.run([sys.executable, "-m", "segcore", "predict", str(path), str(image.parent)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "bad.pt" in run.stderr + run.stdout and "std" in run.stderr + run.stdout
    assert "Traceback" not in run.stderr
    assert not (image.parent / "a.json").exists()


_values = st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9), st.floats(allow_nan=True),
                    st.text(max_size=5), st.lists(st.integers(-5, 300), max_size=4))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["mean", "std", "class_names", "colours", "arch", "arch_kwargs", "input_policy",
                              "metrics"]),
       value=st.one_of(_values, st.dictionaries(st.sampled_from(["divisor", "depth", "base_channels", "x"]),
                                                _values, max_size=3)))
def test_validate_meta_either_normalises_or_names_the_field(good, field, value):
    meta = {k: v for k, v in good.items() if k != "state_dict"}
    meta[field] = value
    try:
        out = validate_meta(meta)
    except SchemaError as exc:
        assert field in str(exc) or field == "arch_kwargs" and "arch_kwargs" in str(exc)
        return
    assert len(out["mean"]) == 3 and all(s > 0 for s in out["std"])
    assert all(isinstance(n, str) for n in out["class_names"])
    if out["arch_kwargs"].get("base_channels") is not None:
        assert out["arch_kwargs"]["base_channels"] <= 512

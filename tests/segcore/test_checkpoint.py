"""Checkpoints: exact round trip for every architecture; foreign files refused with a reason."""

from __future__ import annotations

import pickle
from collections import OrderedDict

import pytest
import torch

from segcore.checkpoint import CheckpointError, load_checkpoint, read_checkpoint_dict, save_checkpoint
from segcore.models.registry import MODEL_NAMES, build_model

SMALL = {"unet": {"base_channels": 8, "depth": 3}, "fcn8s_vgg16": {"fc_channels": 64}}
NAMES = ["_background_", "cat", "dog"]


def _trained_a_little(name: str) -> torch.nn.Module:
    """A model whose weights and BN statistics differ from any fresh build."""
    torch.manual_seed(1)
    model = build_model(name, len(NAMES), **SMALL.get(name, {}))
    with torch.no_grad():
        for i, m in enumerate(model.modules()):
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.fill_(0.01 * (i % 7))
                m.running_var.fill_(1.0 + 0.1 * (i % 5))
                m.num_batches_tracked.fill_(i)
    return model.eval()


@pytest.mark.slow
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_round_trip_reproduces_outputs_exactly(tmp_path, name):
    model = _trained_a_little(name)
    path = tmp_path / f"{name}.pt"
    rng = torch.get_rng_state()
    save_checkpoint(path, model, arch=name, arch_kwargs=SMALL.get(name, {}), class_names=NAMES,
                    mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25), input_policy={"divisor": 32},
                    metrics={"miou": 0.5}, training_state={"epoch": 3, "rng": rng})
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        expected = model(x)
        ck = load_checkpoint(path)
        got = ck.model(x)
    assert not ck.model.training
    assert torch.equal(expected, got)
    assert ck.meta["arch"] == name and ck.class_names == NAMES
    assert ck.meta["mean"] == [0.5, 0.5, 0.5] and ck.meta["metrics"] == {"miou": 0.5}
    assert ck.meta["colours"][1] == [128, 0, 0]  # VOC palette by default
    assert ck.training_state["epoch"] == 3 and torch.equal(ck.training_state["rng"], rng)


def test_round_trip_unet_quick(tmp_path):
    """The same exactness check at tier-1 speed (the full list above is marked slow)."""
    model = _trained_a_little("unet")
    save_checkpoint(tmp_path / "u.pt", model, arch="unet", arch_kwargs=SMALL["unet"], class_names=NAMES)
    x = torch.randn(2, 3, 40, 56)
    with torch.no_grad():
        assert torch.equal(model(x), load_checkpoint(tmp_path / "u.pt").model(x))
    ck = load_checkpoint(tmp_path / "u.pt", build=False)
    assert ck.model is None and ck.meta["arch_kwargs"] == SMALL["unet"]


def test_file_loads_with_weights_only(tmp_path):
    save_checkpoint(tmp_path / "u.pt", build_model("unet", 2, base_channels=4, depth=1), arch="unet",
                    arch_kwargs={"base_channels": 4, "depth": 1}, class_names=["_background_", "a"])
    data = torch.load(tmp_path / "u.pt", weights_only=True)
    assert data["format"] == "segstudio-checkpoint" and data["format_version"] == 1


class Thing:
    pass


@pytest.mark.parametrize("kind, make, expected", [
    ("pickle", lambda p: p.write_bytes(pickle.dumps(Thing())), "pickle of Python objects"),
    ("model", lambda p: torch.save(torch.nn.Conv2d(1, 1, 1), p), "pickle of Python objects"),
    ("state_dict", lambda p: torch.save(OrderedDict(w=torch.zeros(2)), p), "plain state_dict"),
    ("dict", lambda p: torch.save({"epoch": 1, "model": {}}, p), "without the segstudio format marker"),
    ("text", lambda p: p.write_text("hello, I am not a model\n"), "text file"),
    ("short text", lambda p: p.write_text("not a model"), "text file"),
    ("empty", lambda p: p.write_bytes(b""), "not a"),
    ("random", lambda p: p.write_bytes(bytes(range(256)) * 4), "not a"),
])
def test_foreign_files_are_refused(tmp_path, kind, make, expected):
    path = tmp_path / f"{kind}.pt"
    make(path)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_missing_newer_and_mismatched(tmp_path):
    with pytest.raises(CheckpointError, match="no such file"):
        load_checkpoint(tmp_path / "nope.pt")
    good = tmp_path / "u.pt"
    save_checkpoint(good, build_model("unet", 2, base_channels=4, depth=1), arch="unet",
                    arch_kwargs={"base_channels": 4, "depth": 1}, class_names=["_background_", "a"])
    data = read_checkpoint_dict(good)
    torch.save({**data, "format_version": 99}, tmp_path / "new.pt")
    with pytest.raises(CheckpointError, match="newer segstudio"):
        load_checkpoint(tmp_path / "new.pt")
    torch.save({**data, "arch_kwargs": {"base_channels": 8, "depth": 1}}, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match="weights do not fit unet"):
        load_checkpoint(tmp_path / "bad.pt")
    torch.save({**data, "arch": "transformer9000"}, tmp_path / "arch.pt")
    with pytest.raises(CheckpointError, match="transformer9000"):
        load_checkpoint(tmp_path / "arch.pt")


def test_save_refuses_bad_metadata_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "u.pt"
    path.write_bytes(b"old")
    model = build_model("unet", 2, base_channels=4, depth=1)
    with pytest.raises(TypeError, match="training_state"):
        save_checkpoint(path, model, arch="unet", class_names=["_background_", "a"], training_state={"x": object()})
    with pytest.raises(ValueError, match="distinct"):
        save_checkpoint(path, model, arch="unet", class_names=["a", "a"])
    assert path.read_bytes() == b"old"

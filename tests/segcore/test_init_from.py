"""--init-from CHECKPOINT: classes matched by name (kept rows, fresh rows for new classes,
removed ones dropped), every other weight taken over, the parent recorded in the new checkpoint."""

from __future__ import annotations

import torch

from segcore.checkpoint import load_checkpoint, save_checkpoint
from segcore.models.registry import build_model
from segcore.training.config import TrainConfig
from segcore.training.init_from import build_start_model, class_axes, file_sha256

PARENT = ["_background_", "cat", "dog"]
CHILD = ["_background_", "dog", "cow", "bird"]  # cat renamed cow, bird added
TINY = {"depth": 2, "base_channels": 8}


def _parent(tmp_path, arch="unet", kwargs=TINY):
    torch.manual_seed(3)
    model = build_model(arch, len(PARENT), **kwargs)
    path = tmp_path / "parent.pt"
    save_checkpoint(path, model, arch=arch, arch_kwargs=kwargs, class_names=PARENT)
    return path, model.state_dict()


def _start(path, model="deeplabv3plus_mobilenet_v3_large", kwargs=None):
    cfg = TrainConfig(model=model, model_kwargs=dict(kwargs or {}), init_from=str(path), backbone_weights="none")
    messages: list = []
    torch.manual_seed(4)
    model, parent = build_start_model(cfg, CHILD, emit=messages.append, warn=messages.append)
    return cfg, model, parent, messages


def test_matching_head_rows_are_kept_and_new_classes_start_fresh(tmp_path):
    path, old = _parent(tmp_path)
    cfg, model, parent, messages = _start(path)
    assert cfg.model == "unet" and cfg.model_kwargs == TINY  # the checkpoint's architecture
    new = model.state_dict()
    w_old, w_new = old["head.weight"], new["head.weight"]
    assert w_new.shape[0] == 4
    assert torch.equal(w_new[0], w_old[0]) and torch.equal(old["head.bias"][0], new["head.bias"][0])
    assert torch.equal(w_new[1], w_old[2]) and torch.equal(new["head.bias"][1], old["head.bias"][2])  # dog
    for fresh in (2, 3):  # cow and bird: not the removed cat's rows
        assert not torch.equal(w_new[fresh], w_old[1])
    for key, value in new.items():
        if not key.startswith("head."):
            assert torch.equal(value, old[key]), key
    assert parent == {"path": str(path.absolute()), "sha256": file_sha256(path), "created": parent["created"]}
    assert parent["created"]
    assert any("cow, bird" in m for m in messages if isinstance(m, str))
    assert any("dropped cat" in m for m in messages if isinstance(m, str))


def test_every_classifier_of_a_two_head_model_is_matched(tmp_path):
    path, old = _parent(tmp_path, "lraspp_mobilenet_v3_large", {})
    _, model, _, _ = _start(path, "lraspp_mobilenet_v3_large")
    axes = class_axes("lraspp_mobilenet_v3_large", {}, len(CHILD))
    assert set(axes) == {"net.classifier.low_classifier.weight", "net.classifier.low_classifier.bias",
                         "net.classifier.high_classifier.weight", "net.classifier.high_classifier.bias"}
    new = model.state_dict()
    for key in axes:
        assert torch.equal(new[key][1], old[key][2]) and torch.equal(new[key][0], old[key][0])


def test_fcn8s_upsampling_layers_keep_both_class_axes(tmp_path):
    kwargs = {"fc_channels": 16}
    path, old = _parent(tmp_path, "fcn8s_vgg16", kwargs)
    _, model, _, _ = _start(path, "fcn8s_vgg16", kwargs)
    up = model.state_dict()["up8.weight"]  # (classes, classes, k, k)
    assert up.shape[:2] == (4, 4)
    assert torch.equal(up[1, 1], old["up8.weight"][2, 2]) and torch.equal(up[0, 1], old["up8.weight"][0, 2])


def test_parent_is_recorded_in_the_checkpoint(tmp_path):
    path, _ = _parent(tmp_path)
    _, model, parent, _ = _start(path)
    child = tmp_path / "child.pt"
    save_checkpoint(child, model, arch="unet", arch_kwargs=TINY, class_names=CHILD, parent=parent)
    meta = load_checkpoint(child).meta
    assert meta["parent"]["path"] == str(path.absolute())
    assert meta["parent"]["sha256"] == file_sha256(path)


def test_a_run_with_init_from_records_its_parent(tmp_path):
    """Through `segcore train --init-from`: the run trains and best.pt names its parent."""
    from segcore.cli import main
    from tests.segcore.train_helpers import make_dataset

    data = make_dataset(tmp_path / "data", n=6, size=32)
    torch.manual_seed(5)
    parent_path = tmp_path / "parent.pt"
    save_checkpoint(parent_path, build_model("unet", 3, **TINY), arch="unet", arch_kwargs=TINY,
                    class_names=["_background_", "square", "cat"])
    out = tmp_path / "run"
    rc = main(["train", str(data), "--out", str(out), "--init-from", str(parent_path), "--epochs", "1",
               "--batch-size", "2", "--workers", "0", "--cache-dir", str(tmp_path / "cache")])
    assert rc == 0
    meta = load_checkpoint(out / "best.pt").meta
    assert meta["arch"] == "unet" and meta["arch_kwargs"] == TINY
    assert meta["parent"]["path"] == str(parent_path.absolute())
    assert meta["parent"]["sha256"] == file_sha256(parent_path)
    assert "disc" in meta["class_names"] and "cat" not in meta["class_names"]


def test_fine_tuning_keeps_the_parent_s_aux_head_choice_without_a_warning(tmp_path):
    """A child of the default model (recorded with its aux head) and of one saved without it: the
    child trains the parent's layout, the aux rows matched like the main head's, and a person who
    named no model argument sees no warning about it."""
    name = "deeplabv3plus_mobilenet_v3_large"
    for kwargs in ({"aux": True}, {}):
        path, old = _parent(tmp_path, name, kwargs)
        cfg, model, _, messages = _start(path, name)
        assert cfg.model_kwargs == kwargs and (model.aux is not None) == bool(kwargs)
        assert not any("as the checkpoint holds it" in m for m in messages if isinstance(m, str))
        if kwargs:
            assert torch.equal(model.state_dict()["aux.2.weight"][1], old["aux.2.weight"][2])  # dog
    _, _, _, messages = _start(path, name, {"aux": True})  # asked for a head the parent lacks
    assert any("as the checkpoint holds it" in m for m in messages if isinstance(m, str))

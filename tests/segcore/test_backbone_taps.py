"""DeepLab v3+ taps its backbones with torchvision's IntermediateLayerGetter; checkpoints saved
under the earlier key names (``backbone.stem.N`` / ``backbone.features.N``, frozen in
data/deeplabv3plus_keys_v1.json) still load, weights unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from segcore.checkpoint import load_checkpoint, save_checkpoint
from segcore.models.backbones import LowHighTaps
from segcore.models.registry import build_model

OLD_KEYS = json.loads((Path(__file__).parent / "data" / "deeplabv3plus_keys_v1.json").read_text())


def _old_layout(state: dict, name: str) -> dict:
    """``state`` with its backbone keys spelled as the earlier layout spelled them."""
    new_keys = [k for k in state if k.startswith("backbone.")]
    assert len(new_keys) == len(OLD_KEYS[name])
    renamed = dict(zip(new_keys, OLD_KEYS[name]))
    return {renamed.get(k, k): v for k, v in state.items()}


@pytest.mark.parametrize("name", sorted(OLD_KEYS))
def test_weights_saved_under_the_old_backbone_keys_load_unchanged(name):
    torch.manual_seed(0)
    model = build_model(name, 3)
    assert isinstance(model.backbone, LowHighTaps)
    state = model.state_dict()
    old = _old_layout(state, name)
    assert set(old) != set(state)  # the names did change
    fresh = build_model(name, 3)
    fresh.load_state_dict(old, strict=True)
    for key, value in fresh.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_an_old_checkpoint_of_the_default_model_loads(tmp_path):
    name = "deeplabv3plus_mobilenet_v3_large"
    torch.manual_seed(1)
    model = build_model(name, 2).eval()
    path = tmp_path / "old.pt"
    save_checkpoint(path, model, arch=name, class_names=["_background_", "thing"])
    data = torch.load(path, map_location="cpu", weights_only=True)
    data["state_dict"] = _old_layout(data["state_dict"], name)
    torch.save(data, path)
    loaded = load_checkpoint(path).model.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))


def _block_outputs(taps, x):
    """Every block's output of a tapped MobileNetV3 stack, in order."""
    outs, y = [], x
    for block in taps.values():
        y = block(y)
        outs.append(y)
    return outs


def test_the_taps_are_the_stride_4_block_and_the_last_block():
    model = build_model("deeplabv3plus_mobilenet_v3_large", 2).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        feats = model.backbone(x)
        outs = _block_outputs(model.backbone, x)
    assert set(feats) == {"low", "high"}  # no middle tap without an auxiliary head
    low, high = feats["low"], feats["high"]
    assert low.shape[-1] == 64 // 4 and high.shape[-1] == 64 // 16
    assert any(torch.equal(low, o) for o in outs[:-1]) and torch.equal(high, outs[-1])


def test_the_auxiliary_head_reads_the_end_of_the_stride_16_stage():
    model = build_model("deeplabv3plus_mobilenet_v3_large", 2, aux=True).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        mid = model.backbone(x)["mid"]
        outs = _block_outputs(model.backbone, x)
    assert mid.shape[1:] == (112, 64 // 16, 64 // 16)
    assert torch.equal(mid, outs[12]) and outs[13].shape[1] == 160  # the next block starts the last stage
    resnet = build_model("deeplabv3plus_resnet50", 2, aux=True).eval()
    with torch.no_grad():
        assert resnet.backbone(x)["mid"].shape[1:] == (1024, 64 // 16, 64 // 16)  # layer3

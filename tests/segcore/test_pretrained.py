"""--backbone-weights auto|none|FILE: a torchvision state dict on disk loads into the backbone,
a file that does not fit is refused naming the key, and auto falls back (saying so) offline."""

from __future__ import annotations

import argparse
import urllib.request

import pytest
import torch
from torchvision import models as tvm

from segcore.cli import main
from segcore.commands import train as train_cmd
from segcore.models import pretrained
from segcore.training.config import TrainingError
from segcore.training.init_from import build_start_model
from tests.segcore.train_helpers import make_dataset

NAMES = ["_background_", "square", "disc"]


def _config(*argv: str):
    p = argparse.ArgumentParser()
    train_cmd.add_arguments(p)
    return train_cmd.config_from_args(p.parse_args(["folder", *argv]))


def _build(cfg, messages=None):
    messages = [] if messages is None else messages
    model, _ = build_start_model(cfg, NAMES, emit=messages.append, warn=lambda m: messages.append({"warning": m}))
    return model


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """An empty torch hub cache."""
    old = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    yield tmp_path / "hub"
    torch.hub.set_dir(old)


def _mobilenet_file(tmp_path):
    torch.manual_seed(1)
    state = tvm.mobilenet_v3_large(weights=None).state_dict()
    path = tmp_path / "mnv3.pth"
    torch.save(state, path)
    return path, state


def test_file_loads_into_deeplabv3plus_mobilenet_backbone(tmp_path):
    path, state = _mobilenet_file(tmp_path)
    model = _build(_config("--backbone-weights", str(path)))
    own = model.backbone.state_dict()  # the feature stack, tapped (keys "N...")
    checked = 0
    for key, value in state.items():
        if key.startswith("features."):
            assert torch.equal(own[key.removeprefix("features.")], value), key
            checked += 1
    assert checked == len(own)


def test_file_loads_into_torchvision_lraspp_and_resnet_unet(tmp_path):
    path, state = _mobilenet_file(tmp_path)
    model = _build(_config("--model", "lraspp_mobilenet_v3_large", "--backbone-weights", str(path)))
    own = model.net.backbone.state_dict()
    assert own and all(torch.equal(v, state[f"features.{k}"]) for k, v in own.items())

    torch.manual_seed(2)
    rstate = tvm.resnet18(weights=None).state_dict()
    rpath = tmp_path / "r18.pth"
    torch.save({k: v for k, v in rstate.items() if not k.startswith("fc.")}, rpath)  # without the classifier
    unet = _build(_config("--model", "unet", "--model-arg", 'encoder="resnet18"', "--backbone-weights", str(rpath)))
    assert torch.equal(unet.stem[0].weight, rstate["conv1.weight"])
    assert torch.equal(unet.layers[3][1].bn2.running_var, rstate["layer4.1.bn2.running_var"])


def test_mismatched_file_is_refused_naming_the_first_key(tmp_path, capsys):
    state = tvm.mobilenet_v3_large(weights=None).state_dict()
    state["features.4.block.1.0.weight"] = torch.zeros(3, 1, 5, 5)
    bad = tmp_path / "bad.pth"
    torch.save(state, bad)
    with pytest.raises(pretrained.BackboneWeightsError, match=r"features\.4\.block\.1\.0\.weight.*\(3, 1, 5, 5\)"):
        _build(_config("--backbone-weights", str(bad)))
    resnet = tmp_path / "resnet.pth"
    torch.save(tvm.resnet18(weights=None).state_dict(), resnet)
    with pytest.raises(pretrained.BackboneWeightsError, match="'conv1.weight' is not part of a torchvision mobilenet"):
        _build(_config("--backbone-weights", str(resnet)))
    # through the command line: exit 1, the file and the key named
    data = make_dataset(tmp_path / "data", n=4, size=32)
    rc = main(["train", str(data), "--out", str(tmp_path / "run"), "--backbone-weights", str(bad), "--epochs", "1",
               "--cache-dir", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    assert rc == 1
    assert str(bad) in err and "features.4.block.1.0.weight" in err


def test_not_a_state_dict_is_refused(tmp_path):
    junk = tmp_path / "junk.pth"
    junk.write_text("hello")
    with pytest.raises(pretrained.BackboneWeightsError, match="junk.pth: not a readable"):
        _build(_config("--backbone-weights", str(junk)))
    with pytest.raises(pretrained.BackboneWeightsError, match="no such file"):
        _build(_config("--backbone-weights", str(tmp_path / "missing.pth")))


def test_auto_offline_falls_back_and_says_how_to_supply_the_file(hub, monkeypatch):
    def offline(url, dest, progress=None, timeout=pretrained.CONNECT_TIMEOUT_S):
        raise OSError("no route to host")

    monkeypatch.setattr(pretrained, "download", offline)
    messages = []
    model = _build(_config(), messages)  # default: auto
    warnings = [m["warning"] for m in messages if "warning" in m]
    assert len(warnings) == 1
    assert "random weights" in warnings[0] and "--backbone-weights FILE" in warnings[0]
    assert weights_url_in(warnings[0])
    assert model is not None and not any(hub.rglob("*.pth"))


def weights_url_in(text: str) -> bool:
    return pretrained.weights_url("mobilenet_v3_large") in text


def test_download_uses_a_short_connect_timeout_and_reports_progress(hub, monkeypatch):
    """The fetch never waits long for a server; a fetched file lands in torch's cache and is reused."""
    seen = {}

    def refuse(url, timeout=None):
        seen["timeout"] = timeout
        raise OSError("network unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    weights, message = pretrained.resolve("auto", "lraspp_mobilenet_v3_large")
    assert weights is None and "could not be downloaded" in message
    assert seen["timeout"] is not None and seen["timeout"] <= 5

    # a file already in the cache (as after a first download) is used without the network
    state = tvm.mobilenet_v3_large(weights=None).state_dict()
    dest = pretrained.cache_path("mobilenet_v3_large")
    dest.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, dest)
    weights, message = pretrained.resolve("auto", "lraspp_mobilenet_v3_large")
    assert message is None and torch.equal(weights["features.0.0.weight"], state["features.0.0.weight"])


def test_none_and_models_without_a_backbone():
    assert pretrained.resolve("none", "deeplabv3plus_resnet50") == (None, None)
    assert pretrained.resolve("auto", "unet") == (None, None)
    assert pretrained.backbone_of("unet", {"encoder": "resnet34"}) == "resnet34"
    assert pretrained.backbone_of("segnet_vgg16") == "vgg16_bn"
    assert pretrained.backbone_of("pspnet_resnet50") == "resnet50"


def test_old_flag_is_an_alias_of_auto():
    assert _config("--pretrained-backbone").backbone_weights == "auto"
    assert _config("--backbone-weights", "none").backbone_weights == "none"


def test_init_from_a_missing_checkpoint_says_so(tmp_path):
    with pytest.raises(TrainingError, match="--init-from.*no such file"):
        _build(_config("--init-from", str(tmp_path / "nope.pt")))


def test_auto_fetches_once_with_progress_then_reuses_the_cache(hub, monkeypatch):
    """A served file lands in torch's cache (progress events on the way, its sha256 prefix
    checked) and the next run reads it without the network."""
    import hashlib
    import io

    state = tvm.mobilenet_v3_large(weights=None).state_dict()
    buf = io.BytesIO()
    torch.save(state, buf)
    payload = buf.getvalue()
    url = pretrained.weights_url("mobilenet_v3_large")
    name = f"mobilenet_v3_large-{hashlib.sha256(payload).hexdigest()[:8]}.pth"
    monkeypatch.setattr(pretrained, "weights_url", lambda backbone: url.rsplit("/", 1)[0] + "/" + name)
    calls = []

    class Response(io.BytesIO):
        headers = {"Content-Length": str(len(payload))}

    def serve(u, timeout=None):
        calls.append(u)
        return Response(payload)

    monkeypatch.setattr(urllib.request, "urlopen", serve)
    events = []
    weights, message = pretrained.resolve("auto", "deeplabv3plus_mobilenet_v3_large", progress=events.append)
    assert message is None and len(calls) == 1
    assert torch.equal(weights["features.3.block.0.0.weight"], state["features.3.block.0.0.weight"])
    assert events and events[-1]["event"] == "download" and events[-1]["progress"] == 1.0
    assert (hub / "checkpoints" / name).is_file()
    pretrained.resolve("auto", "lraspp_mobilenet_v3_large")
    assert len(calls) == 1  # reused

    # a damaged download is refused and leaves nothing in the cache
    (hub / "checkpoints" / name).unlink()
    monkeypatch.setattr(urllib.request, "urlopen", lambda u, timeout=None: Response(payload[:-10] + b"0" * 10))
    weights, message = pretrained.resolve("auto", "lraspp_mobilenet_v3_large")
    assert weights is None and "damaged" in message and not any((hub / "checkpoints").iterdir())

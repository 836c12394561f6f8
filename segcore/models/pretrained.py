"""ImageNet backbone weights for training: ``auto`` (fetched once into torch's cache), ``none``,
or a torchvision state dict FILE on disk.

``auto`` downloads torchvision's ImageNet file for the architecture's backbone into the torch
hub cache (``torch.hub.get_dir()/checkpoints``, where torchvision keeps it too) with a short
connect timeout, reporting progress; offline it gives up within seconds and says how to supply
the file. A FILE is loaded with ``weights_only=True`` and its keys and shapes are checked
against the backbone; the first key that does not fit is named.

The checked state dict is handed to :func:`segcore.models.registry.build_model` as
``pretrained_backbone``; each builder loads it into its torchvision backbone.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

import torch

CONNECT_TIMEOUT_S = 3.0
HEAD_PREFIXES = ("fc.", "classifier.")  # the ImageNet classifier: optional in a FILE
SOURCES = ("auto", "none")

# torchvision backbone -> (builder name, weights enum name)
TORCHVISION = {
    "resnet18": ("resnet18", "ResNet18_Weights"),
    "resnet34": ("resnet34", "ResNet34_Weights"),
    "resnet50": ("resnet50", "ResNet50_Weights"),
    "resnet101": ("resnet101", "ResNet101_Weights"),
    "mobilenet_v3_large": ("mobilenet_v3_large", "MobileNet_V3_Large_Weights"),
    "vgg16": ("vgg16", "VGG16_Weights"),
    "vgg16_bn": ("vgg16_bn", "VGG16_BN_Weights"),
}

Progress = Callable[[dict], None]


class BackboneWeightsError(ValueError):
    """A backbone weights FILE that cannot be used; the message names the file and the key."""


def backbone_of(model: str, model_kwargs: dict | None = None) -> str | None:
    """The torchvision backbone architecture ``model`` is built on (None: no ImageNet backbone)."""
    kw = model_kwargs or {}
    if model == "unet":
        enc = kw.get("encoder")
        return str(enc) if enc in TORCHVISION else None
    if model == "fcn8s_vgg16":
        return "vgg16"
    if model == "segnet_vgg16":
        return "vgg16_bn"
    for name in ("resnet101", "resnet50", "mobilenet_v3_large"):
        if model.endswith(name):
            return name
    return None


def weights_url(backbone: str) -> str:
    """The URL torchvision downloads the ImageNet weights of ``backbone`` from."""
    from torchvision import models as tvm

    return getattr(tvm, TORCHVISION[backbone][1]).IMAGENET1K_V1.url


def cache_path(backbone: str) -> Path:
    """Where ``auto`` keeps the file (torch's hub cache, shared with torchvision)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / Path(weights_url(backbone)).name


def reference_shapes(backbone: str) -> dict[str, tuple[int, ...]]:
    """Key -> shape of the randomly initialised torchvision ``backbone``."""
    from torchvision import models as tvm

    net = getattr(tvm, TORCHVISION[backbone][0])(weights=None)
    return {k: tuple(v.shape) for k, v in net.state_dict().items()}


def first_misfit(state: dict, backbone: str) -> str | None:
    """Why ``state`` does not fit ``backbone`` (naming the first key that does not fit), or None."""
    ref = reference_shapes(backbone)
    for key, value in state.items():
        if key not in ref:
            return f"key {key!r} is not part of a torchvision {backbone}"
        if not isinstance(value, torch.Tensor):
            return f"key {key!r} holds a {type(value).__name__}, not a tensor"
        if tuple(value.shape) != ref[key]:
            return (f"key {key!r} has shape {tuple(value.shape)} but the {backbone} backbone needs "
                    f"{ref[key]}")
    for key in ref:
        if key not in state and not key.startswith(HEAD_PREFIXES) and not key.endswith("num_batches_tracked"):
            return f"key {key!r} of the {backbone} backbone is missing"
    return None


def read_state_file(path: str | os.PathLike) -> dict:
    """A state dict from ``path`` (``weights_only``); a ``{"state_dict": ...}`` or
    ``{"model": ...}`` wrapper is unwrapped. Raises :class:`BackboneWeightsError`."""
    p = Path(path)
    if not p.is_file():
        raise BackboneWeightsError(f"{p}: no such file (--backbone-weights takes auto, none or a file)")
    try:
        data = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - a foreign file can fail the unpickler in any way
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BackboneWeightsError(f"{p}: not a readable torchvision state dict ({first})") from None
    if isinstance(data, dict) and len(data) == 1 and next(iter(data)) in ("state_dict", "model"):
        data = next(iter(data.values()))
    if not isinstance(data, dict) or not data:
        raise BackboneWeightsError(f"{p}: holds a {type(data).__name__}, not a state dict of tensors")
    return data


def load_backbone_file(path: str | os.PathLike, backbone: str) -> dict:
    """The state dict in ``path``, checked against ``backbone``; :class:`BackboneWeightsError` otherwise."""
    state = read_state_file(path)
    why = first_misfit(state, backbone)
    if why:
        raise BackboneWeightsError(f"{path}: does not fit the {backbone} backbone: {why}")
    return state


def download(url: str, dest: Path, progress: Progress | None = None, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fetch ``url`` into ``dest`` (atomically; the sha256 prefix in torchvision file names is
    checked), calling ``progress`` with download events. Raises OSError on any failure."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - a fixed https URL
        total = int(resp.headers.get("Content-Length") or 0)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                done, last = 0, None
                while chunk := resp.read(1 << 20):
                    f.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    pct = int(100 * done / total) if total else done >> 20  # per cent, or MB
                    if progress is not None and pct != last:
                        last = pct
                        progress({"event": "download", "what": dest.name, "bytes": done, "total": total,
                                  "progress": done / total if total else None})
            stem = dest.name.rsplit(".", 1)[0]
            expected = stem.rsplit("-", 1)[-1] if "-" in stem else ""
            if expected and not digest.hexdigest().startswith(expected):
                raise OSError(f"the downloaded file is damaged (sha256 does not start with {expected})")
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def resolve(source: str | None, model: str, model_kwargs: dict | None = None, *,
            progress: Progress | None = None) -> tuple[dict | None, str | None]:
    """The backbone state dict ``source`` (auto | none | FILE) gives for ``model``, and a message
    for the user (None when there is nothing to say). ``auto`` never fails: offline it returns
    no weights and a message saying how to supply them. A bad FILE raises
    :class:`BackboneWeightsError`."""
    backbone = backbone_of(model, model_kwargs)
    src = (source or "none").strip()
    if src.lower() == "none":
        return None, None
    if backbone is None:
        if src.lower() == "auto":
            return None, None
        return None, f"{model} has no ImageNet backbone: --backbone-weights {src} is not used"
    if src.lower() != "auto":
        return load_backbone_file(src, backbone), f"{backbone} backbone weights from {src}"
    dest = cache_path(backbone)
    if not dest.is_file():
        url = weights_url(backbone)
        try:
            download(url, dest, progress)
        except Exception as exc:  # noqa: BLE001 - offline, proxy, damaged: training goes on without
            reason = getattr(exc, "reason", None) or exc
            return None, (f"ImageNet weights for the {backbone} backbone could not be downloaded ({reason}): "
                          f"training starts from random weights. To use them, download {url} on a connected "
                          f"machine and pass --backbone-weights FILE (or copy it to {dest})")
    try:
        return load_backbone_file(dest, backbone), None
    except BackboneWeightsError as exc:
        return None, f"{exc}; training starts from random backbone weights (delete the file to fetch it again)"

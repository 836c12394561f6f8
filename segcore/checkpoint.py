"""One self-describing checkpoint file: format version, architecture and its arguments, class
names and colours, normalisation, input-size policy, training metrics and the weights.

The file is a ``torch.save`` of a plain dict (tensors, str, int, float, bool, None, lists and
dicts only) so it loads with ``torch.load(..., weights_only=True)``: nothing in it can run code.
Keys (format 1)::

    format: "segstudio-checkpoint"   format_version: 1
    arch: registry name               arch_kwargs: {...}   (build_model(arch, len(class_names), **arch_kwargs))
    class_names: [str]  (index = class id; 0 = "_background_")
    colours: [[r, g, b]] per class    mean, std: per-channel, on RGB scaled to 0..1
    input_policy: {"divisor": 32, "tile_size": 1024, "overlap": 128, "resize_long_side": None}
                  (all optional: the size the model was trained at and how to feed it)
    metrics: {...} (e.g. best val mIoU)   training_state: {...} | None (optimizer, epoch, RNG...)
    state_dict: the model weights         created: ISO time   torch_version: str
    parent: {"path", "sha256", "created"} (optional: the checkpoint training started from)

Anything else is refused with a :class:`CheckpointError` saying what the file is not.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from segcore.checkpoint_schema import SchemaError, validate_meta, validate_state_dict
from segcore.io.annotation import atomic_write_bytes

FORMAT = "segstudio-checkpoint"
FORMAT_VERSION = 1
DEFAULT_MEAN = (0.485, 0.456, 0.406)
DEFAULT_STD = (0.229, 0.224, 0.225)


class CheckpointError(ValueError):
    """A file that is not a usable segstudio checkpoint; the message names the file and why."""

    def __init__(self, path: str | os.PathLike | None, reason: str):
        self.path = Path(path) if path is not None else None
        self.reason = reason
        super().__init__(f"{self.path if self.path is not None else '<checkpoint>'}: {reason}")


@dataclass
class LoadedCheckpoint:
    """A loaded checkpoint: ``model`` (eval mode, or None when ``build=False``), ``meta`` and
    ``training_state`` (None when absent)."""

    model: nn.Module | None
    meta: dict[str, Any]
    training_state: dict[str, Any] | None = None
    path: Path | None = None

    @property
    def class_names(self) -> list[str]:
        return list(self.meta["class_names"])

    @property
    def arch(self) -> str:
        return str(self.meta["arch"])


def _check_plain(value: Any, where: str) -> None:
    """Raise TypeError unless ``value`` is made of types ``weights_only`` loading accepts."""
    if value is None or type(value) in (bool, int, float, str) or isinstance(value, torch.Tensor):
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if type(k) not in (str, int):
                raise TypeError(f"{where}: key {k!r} must be str or int")
            _check_plain(v, f"{where}[{k!r}]")
        return
    raise TypeError(f"{where}: {type(value).__name__} is not allowed in a checkpoint "
                    "(only tensors, numbers, strings, None, lists and dicts)")


def _plain_numbers(values: Any, n: int, what: str) -> list[float]:
    vals = [float(v) for v in values]
    if len(vals) != n or not all(math.isfinite(v) for v in vals):
        raise ValueError(f"{what} must be {n} finite numbers, got {values!r}")
    return vals


def save_checkpoint(path: str | os.PathLike, model: nn.Module, *, arch: str, arch_kwargs: dict[str, Any] | None = None,
                    class_names: list[str], colours: list[tuple[int, int, int]] | None = None,
                    mean: tuple[float, ...] = DEFAULT_MEAN, std: tuple[float, ...] = DEFAULT_STD,
                    input_policy: dict[str, Any] | None = None, metrics: dict[str, Any] | None = None,
                    training_state: dict[str, Any] | None = None, parent: dict[str, Any] | None = None) -> None:
    """Write ``model`` and its description to ``path`` atomically (the old file survives a failure).
    ``parent``: the checkpoint training started from (``{"path", "sha256", "created"}``)."""
    from segcore.io.palette import voc_palette
    from segcore.models.registry import MODEL_NAMES

    if arch not in MODEL_NAMES:
        raise ValueError(f"unknown architecture {arch!r}; choose one of: {', '.join(MODEL_NAMES)}")
    names = [str(n) for n in class_names]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"class_names must be a non-empty list of distinct names, got {class_names!r}")
    if colours is None:
        colours = [tuple(int(c) for c in row) for row in voc_palette(len(names))]
    cols = [[int(c) for c in row] for row in colours]
    if len(cols) != len(names) or any(len(c) != 3 or not all(0 <= v <= 255 for v in c) for c in cols):
        raise ValueError("colours must hold one [r, g, b] (0..255) per class")
    meta: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "arch": arch,
        "arch_kwargs": dict(arch_kwargs or {}),
        "class_names": names,
        "colours": cols,
        "mean": _plain_numbers(mean, 3, "mean"),
        "std": _plain_numbers(std, 3, "std"),
        "input_policy": dict(input_policy or {}),
        "metrics": dict(metrics or {}),
        "training_state": training_state,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "torch_version": str(torch.__version__),
    }
    if parent:
        meta["parent"] = dict(parent)
    meta = validate_meta(meta)  # the same schema the loader checks: never write what it would refuse
    for key in ("arch_kwargs", "input_policy", "metrics", "training_state", "parent"):
        _check_plain(meta.get(key), key)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    buf = io.BytesIO()
    torch.save({**meta, "state_dict": state}, buf)
    try:  # never write a file that our own loader would refuse
        torch.load(io.BytesIO(buf.getbuffer()), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise TypeError(f"checkpoint metadata holds a type weights_only loading refuses: {exc}") from None
    atomic_write_bytes(path, buf.getvalue())


def _describe_foreign(data: Any) -> str:
    """What a loaded object that is not our checkpoint looks like, for the error message."""
    if isinstance(data, dict):
        if data and all(isinstance(v, torch.Tensor) for v in data.values()):
            return ("it is a plain state_dict (weights only, no architecture or class names); "
                    "segstudio needs a checkpoint saved by segstudio training")
        keys = ", ".join(sorted(map(str, data))[:8])
        return f"it is a dict without the segstudio format marker (keys: {keys})"
    return f"it holds a {type(data).__name__}, not a segstudio checkpoint dict"


def read_checkpoint_dict(path: str | os.PathLike) -> dict[str, Any]:
    """Load and validate the raw checkpoint dict (no model built); raises :class:`CheckpointError`."""
    p = Path(path)
    if not p.exists():
        raise CheckpointError(p, "no such file")
    if p.is_dir():
        raise CheckpointError(p, "is a folder, not a checkpoint file")
    try:
        with open(p, "rb") as f:
            head = f.read(4)
    except OSError as exc:
        raise CheckpointError(p, f"cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise CheckpointError(p, "is an empty file, not a checkpoint (an interrupted copy or download?)")
    try:
        with warnings.catch_warnings():  # torch warns about foreign pickle protocols
            warnings.simplefilter("ignore")
            data = torch.load(p, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if (head.startswith(b"PK") or head[:1] == b"\x80") and "eights" in str(exc):  # "Weights only ..."
            raise CheckpointError(p, "is not a segstudio checkpoint: it is a pickle of Python objects "
                                     "(e.g. a whole model), which is refused because loading it could run code") from None
        raise CheckpointError(p, f"is not a segstudio checkpoint: not a PyTorch file ({_kind(head)})") from None
    except Exception as exc:  # noqa: BLE001 - a foreign file can fail the unpickler in any way
        raise CheckpointError(p, f"is not a segstudio checkpoint: not a readable PyTorch file ({_kind(head)}; "
                                 f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(p, f"is not a segstudio checkpoint: {_describe_foreign(data)}")
    version = data.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(p, f"was written by a newer segstudio (format {version!r}; this one reads "
                                 f"up to {FORMAT_VERSION}): update segstudio")
    missing = [k for k in ("arch", "class_names", "mean", "std", "state_dict") if k not in data]
    if missing:
        raise CheckpointError(p, f"is a damaged segstudio checkpoint: missing {', '.join(missing)}")
    try:
        state = data["state_dict"]
        validate_state_dict(state)
        data = validate_meta(data)
    except SchemaError as exc:
        raise CheckpointError(p, f"is a damaged segstudio checkpoint: {exc}") from None
    data["state_dict"] = state
    return data


def _kind(head: bytes) -> str:
    if head.startswith(b"PK"):
        return "a zip archive"
    if head[:1] == b"\x80":
        return "a Python pickle"
    if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "looks like a text file"
    return "unknown binary content"


def load_checkpoint(path: str | os.PathLike, *, device: str | torch.device = "cpu", build: bool = True) -> LoadedCheckpoint:
    """Read ``path`` safely (``weights_only=True``) and rebuild the model in eval mode on ``device``."""
    from segcore.models.registry import build_model

    p = Path(path)
    data = read_checkpoint_dict(p)
    state = data.pop("state_dict")
    training_state = data.pop("training_state", None)
    meta = data
    model = None
    if build:
        try:  # never pretrained: the weights come from the file, and loading never downloads
            model = build_model(meta["arch"], len(meta["class_names"]), pretrained_backbone=False,
                                **meta["arch_kwargs"])
        except (ValueError, TypeError) as exc:
            raise CheckpointError(p, f"cannot rebuild {meta['arch']}: {exc}") from None
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            first = str(exc).splitlines()[:3]
            raise CheckpointError(p, f"weights do not fit {meta['arch']} {meta['arch_kwargs']}: {' '.join(first)}") from None
        model.to(device).eval()
    return LoadedCheckpoint(model=model, meta=meta, training_state=training_state, path=p)

"""Where a training run's weights start: ImageNet backbone weights (``--backbone-weights``), or
one of our checkpoints (``--init-from``), classes matched by name.

With ``--init-from`` every tensor of the parent is kept, except along the class axis of the
final classifier layers (found by building the architecture with one class more and seeing which
tensors change shape, so auxiliary heads and FCN's score/upsampling layers are included): there
a class the parent knows keeps its rows, a new class keeps the fresh initialisation, and a class
the folder no longer has is dropped. The parent (path, sha256, created) goes into the new
checkpoint's ``parent`` field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from segcore.training.config import TrainConfig, TrainingError


def file_sha256(path: str | Path) -> str:
    """The sha256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def parent_record(path: str | Path, meta: dict) -> dict:
    """The ``parent`` entry of a checkpoint trained from ``path`` (whose description is ``meta``)."""
    return {"path": str(Path(path).absolute()), "sha256": file_sha256(path), "created": meta.get("created")}


def class_axes(name: str, kwargs: dict, num_classes: int) -> dict[str, list[int]]:
    """Key -> the axes of that tensor that run over the classes, for architecture ``name``."""
    from segcore.models.registry import build_model

    a = build_model(name, num_classes, **kwargs).state_dict()
    b = build_model(name, num_classes + 1, **kwargs).state_dict()
    out = {}
    for key, t in a.items():
        axes = [d for d, (x, y) in enumerate(zip(t.shape, b[key].shape, strict=True)) if x != y]
        if axes:
            out[key] = axes
    return out


def _copy_classes(fresh: torch.Tensor, old: torch.Tensor, axes: list[int], new_idx: list[int],
                  old_idx: list[int]) -> torch.Tensor:
    """``fresh`` with the entries at ``new_idx`` (on every class axis) taken from ``old`` at ``old_idx``."""
    if not new_idx:
        return fresh
    ni, oi = torch.tensor(new_idx), torch.tensor(old_idx)
    src = old
    for d in axes:
        src = src.index_select(d, oi)
    return _place(fresh.clone(), src, axes, ni)


def _place(dst: torch.Tensor, src: torch.Tensor, axes: list[int], idx: torch.Tensor) -> torch.Tensor:
    if len(axes) == 1:
        return dst.index_copy(axes[0], idx, src)
    inner = _place(dst.index_select(axes[0], idx), src, axes[1:], idx)
    return dst.index_copy(axes[0], idx, inner)


def transfer(model: nn.Module, name: str, kwargs: dict, class_names: list[str], parent_state: dict,
             parent_classes: list[str]) -> list[str]:
    """Load ``parent_state`` (trained on ``parent_classes``) into ``model`` (for ``class_names``),
    classes matched by name; returns the class names that start fresh."""
    axes = class_axes(name, kwargs, len(class_names))
    own = model.state_dict()
    pairs = [(i, parent_classes.index(c)) for i, c in enumerate(class_names) if c in parent_classes]
    new_idx, old_idx = [p[0] for p in pairs], [p[1] for p in pairs]
    merged = {}
    for key, fresh in own.items():
        old = parent_state.get(key)
        if old is None:
            raise TrainingError(f"--init-from: the checkpoint has no weights for {key}")
        if key in axes:
            merged[key] = _copy_classes(fresh, old.to(fresh.dtype), axes[key], new_idx, old_idx)
        elif old.shape != fresh.shape:
            raise TrainingError(f"--init-from: {key} is {tuple(old.shape)} in the checkpoint but the model "
                                f"needs {tuple(fresh.shape)}")
        else:
            merged[key] = old
    model.load_state_dict(merged)
    return [c for c in class_names if c not in parent_classes]


def build_start_model(cfg: TrainConfig, class_names: list[str], *, emit: Callable[[dict], None],
                      warn: Callable[[str], None], resuming: bool = False) -> tuple[nn.Module, dict | None]:
    """The model a run starts from, and its parent record (``--init-from``) or None.

    Resuming builds a plain model (its weights come from ``last.pt``). ``--init-from`` takes the
    checkpoint's architecture. Otherwise the backbone weights follow ``cfg.backbone_weights``.
    """
    from segcore.models.pretrained import resolve
    from segcore.models.registry import build_model

    parent = None
    if cfg.init_from:
        from segcore.checkpoint import CheckpointError, read_checkpoint_dict

        try:
            meta = read_checkpoint_dict(cfg.init_from)
        except CheckpointError as exc:
            raise TrainingError(f"--init-from: {exc}") from None
        state, parent_classes = meta.pop("state_dict"), list(meta["class_names"])
        arch, kwargs = meta["arch"], dict(meta["arch_kwargs"])
        if arch != cfg.model or any(k not in kwargs or kwargs[k] != v for k, v in cfg.model_kwargs.items()):
            warn(f"--init-from: training {arch} {kwargs or ''} as the checkpoint holds it".replace(" ''", ""))
        cfg.model, cfg.model_kwargs = arch, kwargs
        parent = parent_record(cfg.init_from, meta)
        if resuming:
            return build_model(cfg.model, len(class_names), **cfg.model_kwargs), parent
        model = build_model(cfg.model, len(class_names), **cfg.model_kwargs)
        fresh = transfer(model, arch, kwargs, class_names, state, parent_classes)
        dropped = [c for c in parent_classes if c not in class_names]
        emit({"event": "init_from", "path": parent["path"], "new_classes": fresh, "dropped_classes": dropped})
        if fresh or dropped:
            warn(f"--init-from {Path(cfg.init_from).name}: new classes {', '.join(fresh) or 'none'}; "
                 f"dropped {', '.join(dropped) or 'none'}")
        return model, parent
    if resuming:
        return build_model(cfg.model, len(class_names), **cfg.model_kwargs), None
    weights, message = resolve(cfg.backbone_weights, cfg.model, cfg.model_kwargs, progress=emit)
    if message and weights is None:
        warn(message)
    elif message:
        emit({"event": "backbone_weights", "message": message})
    return build_model(cfg.model, len(class_names), pretrained_backbone=weights or False, **cfg.model_kwargs), None

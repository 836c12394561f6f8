"""The checkpoint schema: every field of a checkpoint's description, its type and its bounds.

:func:`validate_meta` is used both when a checkpoint is written and when one is read, so a file
whose values are wrong (``mean: "abc"``, ``std: [0, 0, 0]``, ``class_names: "abc"``,
``base_channels: 200000``) is refused with one message naming the field, before any model is
built or any tensor is allocated. The result is a normalised copy (lists of floats, ints ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

MAX_CLASSES = 1000
MAX_SIDE = 16384


class SchemaError(ValueError):
    """A checkpoint field with a wrong type or an out-of-bounds value; the message names the field."""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int_in(lo: int, hi: int, *, optional: bool = False) -> Callable[[str, Any], Any]:
    def check(where: str, v: Any) -> Any:
        if v is None and optional:
            return None
        if not _is_int(v) or not lo <= v <= hi:
            raise SchemaError(f"{where} must be an integer from {lo} to {hi}{' or null' if optional else ''}, got {v!r}")
        return int(v)
    return check


def _one_of(*choices: Any) -> Callable[[str, Any], Any]:
    def check(where: str, v: Any) -> Any:
        if any(type(v) is type(c) and v == c for c in choices):
            return v
        raise SchemaError(f"{where} must be one of {', '.join(map(repr, choices))}, got {v!r}")
    return check


def _bool(where: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise SchemaError(f"{where} must be true or false, got {v!r}")
    return v


# Every keyword argument an architecture can take, with its bounds (see models.registry).
ARCH_KWARGS: dict[str, Callable[[str, Any], Any]] = {
    "encoder": _one_of(None, "resnet18", "resnet34", "resnet50", "resnet101"),
    "depth": _int_in(1, 6),
    "base_channels": _int_in(1, 512),
    "in_channels": _int_in(1, 4),
    "output_stride": _one_of(8, 16),
    "head_channels": _int_in(8, 1024),
    "aux_loss": _bool,
    "fc_channels": _int_in(1, 8192),
    "aux": _bool,
}

# input_policy keys: how inputs are sized for the model.
INPUT_POLICY: dict[str, Callable[[str, Any], Any]] = {
    "divisor": _int_in(1, 1024),
    "tile_size": _int_in(32, MAX_SIDE, optional=True),
    "overlap": _int_in(0, MAX_SIDE // 2, optional=True),
    "resize_long_side": _int_in(8, MAX_SIDE, optional=True),
    "crop_size": _int_in(8, MAX_SIDE, optional=True),
}


def _numbers(where: str, v: Any, lo: float, hi: float) -> list[float]:
    if not isinstance(v, (list, tuple)) or len(v) != 3:
        raise SchemaError(f"{where} must be a list of 3 numbers (one per RGB channel), got {v!r}")
    out = []
    for x in v:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or not lo <= x <= hi:
            raise SchemaError(f"{where} must hold 3 finite numbers from {lo:g} to {hi:g}, got {v!r}")
        out.append(float(x))
    return out


def _class_names(v: Any) -> list[str]:
    if not isinstance(v, (list, tuple)) or not v or not all(isinstance(n, str) and n.strip() for n in v):
        raise SchemaError(f"class_names must be a non-empty list of non-empty strings, got {v!r:.200}")
    if len(v) > MAX_CLASSES:
        raise SchemaError(f"class_names holds {len(v)} names; at most {MAX_CLASSES} are supported")
    if len(set(v)) != len(v):
        dup = sorted({n for n in v if list(v).count(n) > 1})
        raise SchemaError(f"class_names must be distinct; repeated: {', '.join(dup)}")
    return [str(n) for n in v]


def _colours(v: Any, n: int) -> list[list[int]] | None:
    if v is None:
        return None
    ok = isinstance(v, (list, tuple)) and len(v) == n and all(
        isinstance(c, (list, tuple)) and len(c) == 3 and all(_is_int(x) and 0 <= x <= 255 for x in c) for c in v)
    if not ok:
        raise SchemaError(f"colours must hold one [r, g, b] (integers 0..255) per class ({n}), got {v!r:.200}")
    return [[int(x) for x in c] for c in v]


def _table(where: str, v: Any, table: dict[str, Callable[[str, Any], Any]], *, drop: tuple[str, ...] = ()) -> dict:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise SchemaError(f"{where} must be a dict, got {type(v).__name__}")
    out = {}
    for key, value in v.items():
        if key in drop:
            continue
        check = table.get(key)
        if check is None:
            raise SchemaError(f"{where} has an unknown key {key!r} (known: {', '.join(table)})")
        out[key] = check(f"{where}.{key}", value)
    return out


def validate_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """A normalised copy of a checkpoint's description; raises :class:`SchemaError` naming the
    first field that is wrong. Keys not described here (metrics, created, ...) pass through.

    ``arch_kwargs.pretrained_backbone`` is dropped: the weights come from the file, and reading
    a checkpoint never downloads anything.
    """
    from segcore.models.registry import MODEL_NAMES, allowed_kwargs

    out = dict(meta)
    arch = meta.get("arch")
    if not isinstance(arch, str) or arch not in MODEL_NAMES:
        raise SchemaError(f"arch {arch!r} is not an architecture this segstudio knows ({', '.join(MODEL_NAMES)})")
    names = _class_names(meta.get("class_names"))
    out["class_names"] = names
    out["colours"] = _colours(meta.get("colours"), len(names))
    out["mean"] = _numbers("mean", meta.get("mean"), -10.0, 10.0)
    std = _numbers("std", meta.get("std"), 1e-6, 1e3)
    out["std"] = std
    kwargs = _table("arch_kwargs", meta.get("arch_kwargs"), ARCH_KWARGS, drop=("pretrained_backbone",))
    wrong = sorted(set(kwargs) - set(allowed_kwargs(arch)))
    if wrong:
        raise SchemaError(f"arch_kwargs {', '.join(wrong)} do not apply to {arch} "
                          f"(it takes: {', '.join(allowed_kwargs(arch)) or 'nothing'})")
    out["arch_kwargs"] = kwargs
    out["input_policy"] = _table("input_policy", meta.get("input_policy"), INPUT_POLICY)
    for key in ("metrics", "training_state"):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            raise SchemaError(f"{key} must be a dict, got {type(meta[key]).__name__}")
    out["metrics"] = dict(meta.get("metrics") or {})
    parent = meta.get("parent")
    if parent is not None and (not isinstance(parent, dict) or not isinstance(parent.get("path"), str)
                               or not isinstance(parent.get("sha256"), str)):
        raise SchemaError(f"parent must be a dict with a path and a sha256, got {parent!r:.200}")
    return out


def validate_state_dict(state: Any) -> None:
    """Refuse weights that are not a mapping of names to tensors."""
    import torch

    if not isinstance(state, dict) or not state:
        raise SchemaError(f"state_dict must be a non-empty dict of tensors, got {type(state).__name__}")
    bad = [str(k) for k, v in state.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise SchemaError(f"state_dict entries that are not named tensors: {', '.join(bad[:5])}")

"""One LabelMe shape: the :class:`Shape` type, its validation, and its JSON dict (lossless).

Part of :mod:`segcore.io.annotation` (which re-exports everything public here); see there for
the round-trip rules. Kept Qt-free like the rest of segcore.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import math
import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from segcore.io.mask_png import mask_png
from segcore.io.shape_kinds import KINDS

SHAPE_TYPES = tuple(KINDS)
"""Every LabelMe shape type (the names of :data:`segcore.io.shape_kinds.KINDS`)."""
POINT_COUNTS: dict[str, tuple[int, int | None]] = {n: (k.min_points, k.max_points) for n, k in KINDS.items()}
"""shape_type -> (minimum points, maximum points or None)."""


class _Absent:
    """Marks a key the source file did not have."""

    def __repr__(self) -> str:
        return "<absent>"

    def __copy__(self) -> _Absent:
        return self

    def __deepcopy__(self, memo: dict) -> _Absent:
        return self

    def __reduce__(self) -> str:
        return "_ABSENT"  # pickles as the module-level singleton


_ABSENT: Any = _Absent()
# Known shape keys with the value they mean when a file lacks them; others go to ``extra``.
_SHAPE_DEFAULTS: dict[str, Any] = {
    "group_id": None,
    "description": "",
    "shape_type": "polygon",
    "flags": {},
    "mask": None,
    "score": None,
    "proposed": False,
}
# Written only when set (model proposals); LabelMe keeps them as unknown shape keys.
_SHAPE_OPTIONAL = ("score", "proposed")
_SHAPE_ATTR = {
    "group_id": "group_id",
    "description": "description",
    "shape_type": "shape_type",
    "flags": "flags",
    "mask": "mask",
    "score": "score",
    "proposed": "proposed",
}
class AnnotationError(ValueError):
    """A LabelMe file (or shape in it) that cannot be read or written.

    ``path`` is the file, ``shape_index`` the 0-based index of the offending shape (or None),
    ``reason`` what is wrong. ``str(error)`` names all three.
    """

    def __init__(self, path: str | os.PathLike | None, reason: str, shape_index: int | None = None):
        self.path = Path(path) if path is not None else None
        self.reason = reason
        self.shape_index = shape_index
        where = str(self.path) if self.path is not None else "<annotation>"
        if shape_index is not None:
            where += f": shape {shape_index}"
        super().__init__(f"{where}: {reason}")


def _mask_token(mask: np.ndarray | None) -> Any:
    if mask is None:
        return None
    m = np.asarray(mask, dtype=bool)
    return (m.shape, hashlib.blake2b(np.packbits(m).tobytes(), digest_size=16).hexdigest())


def _token(value: Any) -> Any:
    """A snapshot of a field's value to tell later whether it was edited."""
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


def _is_number(v: Any) -> bool:
    t = type(v)
    if t is float or t is int:
        return True
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _is_finite(v: Any) -> bool:
    """A finite number that fits a float (JSON allows 1e999 and 10**400)."""
    try:
        return _is_number(v) and math.isfinite(v)
    except OverflowError:
        return False


@dataclass(eq=False)
class Shape:
    """One LabelMe shape.

    ``points`` are ``(x, y)`` pairs in image pixels (floats; integers read from a file stay
    integers). ``mask`` (only for ``mask`` shapes) is a 2-D bool array covering the bbox given
    by ``points``. ``score`` and ``proposed`` mark a model's proposal (kept in the JSON as extra
    shape keys, which LabelMe preserves). ``extra`` holds unknown keys, written back unchanged.
    ``key_order`` and ``source`` remember the file's key order and spelling; they are not part of
    equality.
    """

    label: str
    points: list[tuple[float, float]]
    shape_type: str = "polygon"
    group_id: int | None = None
    description: str | None = ""
    flags: dict[str, bool] = field(default_factory=dict)
    mask: np.ndarray | None = None
    score: float | None = None
    proposed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    key_order: tuple[str, ...] = field(default=(), repr=False)
    # known key -> (raw value in the file or _ABSENT, snapshot of the value as loaded)
    source: dict[str, tuple[Any, Any]] = field(default_factory=dict, repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Shape):
            return NotImplemented
        if (self.mask is None) != (other.mask is None):
            return False
        if self.mask is not None and not np.array_equal(self.mask, other.mask):
            return False
        return (
            self.label == other.label
            and [tuple(p) for p in self.points] == [tuple(p) for p in other.points]
            and self.shape_type == other.shape_type
            and self.group_id == other.group_id
            and self.description == other.description
            and self.flags == other.flags
            and self.score == other.score
            and bool(self.proposed) == bool(other.proposed)
            and self.extra == other.extra
        )

    def copy(self) -> Shape:
        """A deep copy (points, flags, mask and extra are not shared)."""
        return Shape(
            label=self.label,
            points=[(x, y) for x, y in self.points],
            shape_type=self.shape_type,
            group_id=self.group_id,
            description=self.description,
            flags=copy.deepcopy(self.flags),
            mask=None if self.mask is None else self.mask.copy(),
            score=self.score,
            proposed=self.proposed,
            extra=copy.deepcopy(self.extra),
            key_order=self.key_order,
            source=copy.deepcopy(self.source),
        )

    def validate(self, path: str | os.PathLike | None = None, index: int | None = None) -> None:
        """Raise :class:`AnnotationError` if the shape is malformed."""

        def fail(reason: str) -> None:
            raise AnnotationError(path, reason, index)

        if not isinstance(self.label, str):
            fail(f"label must be a string, got {self.label!r}")
        kind = KINDS.get(self.shape_type) if isinstance(self.shape_type, str) else None
        if kind is None:
            fail(f"unknown shape_type {self.shape_type!r} (known: {', '.join(SHAPE_TYPES)})")
        try:
            n = len(self.points)
        except TypeError:
            fail(f"points must be a list of [x, y], got {type(self.points).__name__}")
        count_problem = kind.point_count_problem(n)
        if count_problem is not None:
            fail(count_problem)
        for i, p in enumerate(self.points):
            if type(p) is tuple and len(p) == 2:  # fast path: finite plain floats
                x, y = p
                if type(x) is float and type(y) is float and x - x == 0.0 and y - y == 0.0:
                    continue
            if not isinstance(p, (tuple, list, np.ndarray)) or len(p) != 2:
                fail(f"point {i} must be [x, y], got {p!r}")
            for v in p:
                if not _is_number(v):
                    fail(f"point {i}: a coordinate must be a number, got {v!r:.80}")
                if not _is_finite(v):
                    fail(f"point {i}: non-finite or out-of-range coordinate ({str(p[0])[:40]}, {str(p[1])[:40]})")
        if self.group_id is not None and (
            isinstance(self.group_id, (bool, np.bool_)) or not isinstance(self.group_id, numbers.Integral)
        ):
            fail(f"group_id must be an integer or null, got {self.group_id!r}")
        if self.description is not None and not isinstance(self.description, str):
            fail(f"description must be a string or null, got {self.description!r}")
        if not isinstance(self.flags, dict) or not all(isinstance(k, str) for k in self.flags):
            fail(f"flags must be an object with string keys, got {self.flags!r}")
        if self.score is not None and not _is_finite(self.score):
            fail(f"score must be a finite number or null, got {self.score!r:.80}")
        if not isinstance(self.proposed, (bool, np.bool_)):
            fail(f"proposed must be true or false, got {self.proposed!r}")
        if not isinstance(self.extra, dict):
            fail("extra must be a dict")
        if self.mask is not None:
            m = np.asarray(self.mask)
            if m.ndim != 2 or m.size == 0:
                fail(f"mask must be a non-empty 2-D array, got shape {m.shape}")
        problem = kind.problem(self)
        if problem is not None:
            fail(problem)


# ----------------------------------------------------------------------------- masks


def decode_mask(text: str) -> np.ndarray:
    """Decode LabelMe's base64 PNG mask crop into a bool array (any non-zero pixel is set)."""
    from PIL import Image

    data = base64.b64decode(text, validate=False)
    with Image.open(io.BytesIO(data)) as im:
        if im.format != "PNG":
            raise ValueError(f"a {im.format} image, not a PNG")
        arr = np.asarray(im.convert("L"))
    return arr > 0


def encode_mask(mask: np.ndarray) -> str:
    """Encode a bool array in LabelMe's format: base64 of a mode "L" 0/1 PNG (written by
    :func:`segcore.io.mask_png.mask_png`, ~4x faster than PIL's encoder: the same pixels in
    other, smaller bytes than LabelMe's own files; a mask read from a file is written back as
    read, see :func:`shape_to_dict`)."""
    m = np.asarray(mask, dtype=bool)
    if m.ndim == 2 and m.size:
        return base64.b64encode(mask_png(m)).decode("ascii")
    from PIL import Image  # what PIL makes of other arrays (or its error)

    buf = io.BytesIO()
    Image.fromarray(m.astype(np.uint8)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def preencode_mask(shape: Shape) -> None:
    """Encode a new ``mask`` shape's pixels now (on a worker thread, say) into the text its file
    will hold, so that saving writes that text rather than encoding the mask then. The text is
    kept as the shape's spelling with the token of the pixels it encodes: a mask edited
    afterwards no longer matches its token and is encoded afresh when saved. Shapes without a
    mask, or whose mask already has a spelling (read from a file), are left as they are."""
    if shape.mask is None or "mask" in shape.source:
        return
    shape.source["mask"] = (encode_mask(shape.mask), _mask_token(shape.mask))


# ----------------------------------------------------------------------------- parsing


def _as_point(value: Any, path: Any, index: int | None, i: int) -> tuple[float, float]:
    if type(value) is list and len(value) == 2:
        x, y = value
        if type(x) is float and type(y) is float:  # fast path (finiteness: Shape.validate)
            return x, y
    if not isinstance(value, list) or len(value) != 2:
        raise AnnotationError(path, f"point {i} must be [x, y], got {value!r:.80}", index)
    for v in value:
        if not _is_number(v):
            raise AnnotationError(path, f"point {i}: a coordinate must be a number, got {v!r:.80}", index)
    x, y = value
    return x, y


def shape_from_dict(d: Any, path: str | os.PathLike | None = None, index: int | None = None) -> Shape:
    """Build a :class:`Shape` from one entry of a LabelMe ``shapes`` list."""
    if not isinstance(d, dict):
        raise AnnotationError(path, f"a shape must be an object, got {type(d).__name__}", index)
    for key in ("label", "points"):
        if key not in d:
            raise AnnotationError(path, f"shape has no {key}", index)
    label = d["label"]
    if not isinstance(label, str):
        raise AnnotationError(path, f"label must be a string, got {label!r:.80}", index)
    raw_points = d["points"]
    if not isinstance(raw_points, list):
        raise AnnotationError(path, f"points must be a list, got {type(raw_points).__name__}", index)
    points = [_as_point(p, path, index, i) for i, p in enumerate(raw_points)]
    values = {k: d.get(k, default) for k, default in _SHAPE_DEFAULTS.items()}
    if values["shape_type"] is None:
        values["shape_type"] = "polygon"
    if not isinstance(values["shape_type"], str):
        raise AnnotationError(path, f"shape_type must be a string, got {values['shape_type']!r:.80}", index)
    if values["flags"] is None:
        values["flags"] = {}
    if not isinstance(values["flags"], dict):
        raise AnnotationError(path, f"flags must be an object, got {values['flags']!r:.80}", index)
    if values["proposed"] is None:
        values["proposed"] = False
    mask_text = values["mask"]
    mask = None
    if mask_text is not None:
        if not isinstance(mask_text, str):
            raise AnnotationError(path, "mask must be a base64 PNG string", index)
        try:
            mask = decode_mask(mask_text)
        except Exception as exc:  # noqa: BLE001 - any decoding failure means a bad mask
            raise AnnotationError(path, f"mask is not a readable base64 PNG ({exc})", index) from None
    shape = Shape(
        label=label,
        points=points,
        shape_type=values["shape_type"],
        group_id=values["group_id"],
        description=values["description"],
        flags=dict(values["flags"]),
        mask=mask,
        score=values["score"],
        proposed=values["proposed"],
        extra={k: v for k, v in d.items() if k not in _SHAPE_DEFAULTS and k not in ("label", "points")},
        key_order=tuple(d.keys()),
    )
    shape.validate(path, index)
    shape.source = {
        k: (d.get(k, _ABSENT), _shape_token(shape, k)) for k in _SHAPE_DEFAULTS
    }
    return shape


def _shape_token(shape: Shape, key: str) -> Any:
    if key == "mask":
        return _mask_token(shape.mask)
    return _token(getattr(shape, _SHAPE_ATTR[key]))


# ----------------------------------------------------------------------------- writing

def _coord_out(v: Any) -> int | float:
    t = type(v)
    if t is float or t is int:
        return v
    return int(v) if isinstance(v, numbers.Integral) else float(v)


def _ordered(key_order: tuple[str, ...], values: dict[str, Any], canonical: tuple[str, ...]) -> dict[str, Any]:
    """``values`` in the file's key order, then new known keys in LabelMe's order, then the rest."""
    out: dict[str, Any] = {}
    for key in (*key_order, *canonical, *values):
        if key in values and key not in out:
            out[key] = values[key]
    return out


_SHAPE_ORDER = ("label", "points", *_SHAPE_DEFAULTS)

def shape_to_dict(shape: Shape) -> dict[str, Any]:
    """The LabelMe dict of one shape (file's key order; new shapes in LabelMe's order)."""
    values: dict[str, Any] = {
        "label": shape.label,
        "points": [[_coord_out(x), _coord_out(y)] for x, y in shape.points],
    }
    for key, default in _SHAPE_DEFAULTS.items():
        raw = shape.source.get(key)
        if raw is not None and _shape_token(shape, key) == raw[1]:
            if raw[0] is not _ABSENT:  # unchanged: written back as the file spelled it
                values[key] = raw[0]
            continue
        value = getattr(shape, _SHAPE_ATTR[key])
        if key in _SHAPE_OPTIONAL and value == default and (raw is None or raw[0] is _ABSENT):
            continue
        if key == "mask":
            value = None if value is None else encode_mask(value)
        elif key == "flags":
            value = dict(value)
        elif key == "group_id" and value is not None:
            value = int(value)
        elif key == "score" and value is not None:
            value = _coord_out(value)
        elif key == "proposed":
            value = bool(value)
        values[key] = value
    for key, value in shape.extra.items():
        values.setdefault(key, value)
    return _ordered(shape.key_order, values, _SHAPE_ORDER)

"""LabelMe JSON annotations: the :class:`Shape` and :class:`Annotation` types, lossless I/O.

Reading accepts every LabelMe version from 3 to 7 (no ``shape_type`` means polygon, no
``description``, old ``lineColor``/``fillColor`` keys); unknown keys at the top level and in
shapes are kept and written back in their place. Saving is atomic: a temporary file in the same
folder, fsync, rename. Every problem raises :class:`AnnotationError` naming the file, the shape
index and what is wrong.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SHAPE_TYPES = (
    "polygon",
    "rectangle",
    "circle",
    "line",
    "linestrip",
    "point",
    "oriented_rectangle",
    "mask",
)
# shape_type -> (minimum points, maximum points or None)
POINT_COUNTS: dict[str, tuple[int, int | None]] = {
    "polygon": (3, None),
    "rectangle": (2, 2),
    "circle": (2, 2),
    "line": (2, 2),
    "linestrip": (2, None),
    "point": (1, 1),
    "oriented_rectangle": (4, 4),
    "mask": (2, 2),
}
DEFAULT_VERSION = "5.5.0"
# Keys this module interprets; everything else is carried in ``extra``.
_TOP_KEYS = ("version", "flags", "shapes", "imagePath", "imageData", "imageHeight", "imageWidth")
_SHAPE_KEYS = (
    "label",
    "points",
    "group_id",
    "description",
    "shape_type",
    "flags",
    "mask",
    "score",
    "proposed",
)
_MISSING = object()


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


@dataclass(eq=False)
class Shape:
    """One LabelMe shape.

    ``points`` are ``(x, y)`` float pairs in image pixels. ``mask`` (only for ``mask`` shapes)
    is a 2-D bool array covering the bbox given by ``points``. ``score`` and ``proposed`` mark
    a model's proposal (kept in the JSON as extra shape keys, which LabelMe preserves).
    ``extra`` holds unknown keys in file order, written back unchanged.
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
    # Keys whose absence in the source file must be preserved (e.g. old files lack
    # ``description``); not part of equality.
    absent_keys: frozenset[str] = field(default_factory=frozenset, repr=False)

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
            and self.proposed == other.proposed
            and self.extra == other.extra
        )

    def copy(self) -> Shape:
        """A deep copy (points, flags, mask and extra are not shared)."""
        return Shape(
            label=self.label,
            points=[(float(x), float(y)) for x, y in self.points],
            shape_type=self.shape_type,
            group_id=self.group_id,
            description=self.description,
            flags=dict(self.flags),
            mask=None if self.mask is None else self.mask.copy(),
            score=self.score,
            proposed=self.proposed,
            extra=json.loads(json.dumps(self.extra)),
            absent_keys=self.absent_keys,
        )

    def validate(self, path: str | os.PathLike | None = None, index: int | None = None) -> None:
        """Raise :class:`AnnotationError` if the shape is malformed."""
        if not isinstance(self.label, str):
            raise AnnotationError(path, f"label must be a string, got {self.label!r}", index)
        if self.shape_type not in SHAPE_TYPES:
            raise AnnotationError(path, f"unknown shape_type {self.shape_type!r}", index)
        lo, hi = POINT_COUNTS[self.shape_type]
        n = len(self.points)
        if n < lo or (hi is not None and n > hi):
            want = f"{lo}" if hi == lo else (f"at least {lo}" if hi is None else f"{lo}..{hi}")
            raise AnnotationError(
                path, f"{self.shape_type} needs {want} points, got {n}", index
            )
        for x, y in self.points:
            if not (math.isfinite(x) and math.isfinite(y)):
                raise AnnotationError(path, f"non-finite coordinate ({x}, {y})", index)
        if self.shape_type == "mask":
            if self.mask is None or self.mask.ndim != 2:
                raise AnnotationError(path, "mask shape without a 2-D mask image", index)
        if self.group_id is not None and (
            isinstance(self.group_id, bool) or not isinstance(self.group_id, int)
        ):
            raise AnnotationError(path, f"group_id must be an integer or null, got {self.group_id!r}", index)


@dataclass(eq=False)
class Annotation:
    """One LabelMe file: image-level data plus the shapes in drawing order."""

    shapes: list[Shape] = field(default_factory=list)
    image_path: str = ""
    image_height: int | None = None
    image_width: int | None = None
    image_data: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    version: str = DEFAULT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)
    # Position of each top-level key in the source file, so unknown keys are written back in
    # place; not part of equality.
    key_order: tuple[str, ...] = field(default=(), repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Annotation):
            return NotImplemented
        return (
            self.shapes == other.shapes
            and self.image_path == other.image_path
            and self.image_height == other.image_height
            and self.image_width == other.image_width
            and self.image_data == other.image_data
            and self.flags == other.flags
            and self.version == other.version
            and self.extra == other.extra
        )

    def copy(self) -> Annotation:
        """A deep copy."""
        return Annotation(
            shapes=[s.copy() for s in self.shapes],
            image_path=self.image_path,
            image_height=self.image_height,
            image_width=self.image_width,
            image_data=self.image_data,
            flags=dict(self.flags),
            version=self.version,
            extra=json.loads(json.dumps(self.extra)),
            key_order=self.key_order,
        )

    def labels(self) -> list[str]:
        """Labels of the shapes, in first-appearance order, without duplicates."""
        return list(dict.fromkeys(s.label for s in self.shapes))


# ----------------------------------------------------------------------------- masks


def decode_mask(text: str) -> np.ndarray:
    """Decode LabelMe's base64 PNG mask crop into a bool array."""
    from PIL import Image

    data = base64.b64decode(text, validate=False)
    with Image.open(io.BytesIO(data)) as im:
        arr = np.asarray(im.convert("L"))
    return arr > 0


def encode_mask(mask: np.ndarray) -> str:
    """Encode a bool array as LabelMe does: base64 of a mode "1"/"L" 0/1 PNG."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(mask, dtype=bool).astype(np.uint8)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


# ----------------------------------------------------------------------------- parsing


def _as_point(value: Any, path: Any, index: int) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise AnnotationError(path, f"a point must be [x, y], got {value!r}", index)
    x, y = value
    for v in (x, y):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise AnnotationError(path, f"a coordinate must be a number, got {v!r}", index)
    return float(x), float(y)


def shape_from_dict(d: Any, path: str | os.PathLike | None = None, index: int | None = None) -> Shape:
    """Build a :class:`Shape` from one entry of a LabelMe ``shapes`` list."""
    if not isinstance(d, dict):
        raise AnnotationError(path, f"a shape must be an object, got {type(d).__name__}", index)
    if "label" not in d:
        raise AnnotationError(path, "shape has no label", index)
    if "points" not in d:
        raise AnnotationError(path, "shape has no points", index)
    label = d["label"]
    if not isinstance(label, str):
        raise AnnotationError(path, f"label must be a string, got {label!r}", index)
    raw_points = d["points"]
    if not isinstance(raw_points, list):
        raise AnnotationError(path, f"points must be a list, got {type(raw_points).__name__}", index)
    points = [_as_point(p, path, index) for p in raw_points]
    shape_type = d.get("shape_type")
    if shape_type is None:
        shape_type = "polygon"
    if not isinstance(shape_type, str):
        raise AnnotationError(path, f"shape_type must be a string, got {shape_type!r}", index)
    flags = d.get("flags") or {}
    if not isinstance(flags, dict):
        raise AnnotationError(path, f"flags must be an object, got {flags!r}", index)
    group_id = d.get("group_id")
    description = d.get("description", "")
    if description is not None and not isinstance(description, str):
        raise AnnotationError(path, f"description must be a string, got {description!r}", index)
    mask = None
    mask_text = d.get("mask")
    if mask_text is not None:
        if not isinstance(mask_text, str):
            raise AnnotationError(path, "mask must be a base64 PNG string", index)
        try:
            mask = decode_mask(mask_text)
        except Exception as exc:  # noqa: BLE001 - any decoding failure is a bad mask
            raise AnnotationError(path, f"mask is not a readable base64 PNG ({exc})", index) from None
    score = d.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
        raise AnnotationError(path, f"score must be a number, got {score!r}", index)
    absent = frozenset(k for k in ("group_id", "description", "shape_type", "flags", "mask") if k not in d)
    shape = Shape(
        label=label,
        points=points,
        shape_type=shape_type,
        group_id=group_id,
        description=description,
        flags=dict(flags),
        mask=mask,
        score=None if score is None else float(score),
        proposed=bool(d.get("proposed", False)),
        extra={k: v for k, v in d.items() if k not in _SHAPE_KEYS},
        absent_keys=absent,
    )
    shape.validate(path, index)
    if shape.shape_type == "mask":
        _check_mask_size(shape, path, index)
    return shape


def _check_mask_size(shape: Shape, path: Any, index: int | None) -> None:
    (x1, y1), (x2, y2) = shape.points
    assert shape.mask is not None
    h, w = shape.mask.shape
    want_w, want_h = round(abs(x2 - x1)) + 1, round(abs(y2 - y1)) + 1
    if (h, w) != (want_h, want_w) and (h, w) != (want_h - 1, want_w - 1):
        raise AnnotationError(
            path, f"mask image is {w}x{h} but its bbox needs {want_w}x{want_h}", index
        )


def from_dict(data: Any, path: str | os.PathLike | None = None) -> Annotation:
    """Build an :class:`Annotation` from parsed LabelMe JSON."""
    if not isinstance(data, dict):
        raise AnnotationError(path, f"top level must be an object, got {type(data).__name__}")
    shapes_raw = data.get("shapes", [])
    if shapes_raw is None:
        shapes_raw = []
    if not isinstance(shapes_raw, list):
        raise AnnotationError(path, "shapes must be a list")
    shapes = [shape_from_dict(s, path, i) for i, s in enumerate(shapes_raw)]
    image_path = data.get("imagePath", "")
    if image_path is None:
        image_path = ""
    if not isinstance(image_path, str):
        raise AnnotationError(path, f"imagePath must be a string, got {image_path!r}")
    size = {}
    for key in ("imageHeight", "imageWidth"):
        v = data.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v <= 0):
            if isinstance(v, float) and v.is_integer() and v > 0:
                v = int(v)
            else:
                raise AnnotationError(path, f"{key} must be a positive integer, got {v!r}")
        size[key] = v
    image_data = data.get("imageData")
    if image_data is not None and not isinstance(image_data, str):
        raise AnnotationError(path, "imageData must be a base64 string or null")
    flags = data.get("flags") or {}
    if not isinstance(flags, dict):
        raise AnnotationError(path, f"flags must be an object, got {flags!r}")
    version = data.get("version", DEFAULT_VERSION)
    return Annotation(
        shapes=shapes,
        image_path=image_path.replace("\\", "/"),
        image_height=size["imageHeight"],
        image_width=size["imageWidth"],
        image_data=image_data,
        flags=dict(flags),
        version=str(version),
        extra={k: v for k, v in data.items() if k not in _TOP_KEYS},
        key_order=tuple(data.keys()),
    )


def loads(text: str | bytes, path: str | os.PathLike | None = None) -> Annotation:
    """Parse LabelMe JSON text; ``path`` is only used in error messages."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AnnotationError(path, f"not valid JSON ({exc})") from None
    except RecursionError:
        raise AnnotationError(path, "not valid JSON (nested too deeply)") from None
    return from_dict(data, path)


def load(path: str | os.PathLike) -> Annotation:
    """Read a LabelMe JSON file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise AnnotationError(p, f"cannot read the file ({exc.strerror or exc})") from None
    return loads(raw, p)


# ----------------------------------------------------------------------------- writing


def shape_to_dict(shape: Shape) -> dict[str, Any]:
    """The LabelMe dict of one shape (known keys in LabelMe's order, then unknown ones)."""
    d: dict[str, Any] = {"label": shape.label, "points": [[x, y] for x, y in shape.points]}
    known: dict[str, Any] = {
        "group_id": shape.group_id,
        "description": shape.description,
        "shape_type": shape.shape_type,
        "flags": dict(shape.flags),
        "mask": None if shape.mask is None else encode_mask(shape.mask),
    }
    for key, value in known.items():
        if key in shape.absent_keys and (value is None or value == {} or value == ""
                                         or (key == "shape_type" and value == "polygon")):
            continue
        d[key] = value
    if shape.score is not None:
        d["score"] = shape.score
    if shape.proposed:
        d["proposed"] = True
    d.update(shape.extra)
    return d


def to_dict(ann: Annotation) -> dict[str, Any]:
    """The LabelMe dict of an annotation, with unknown top-level keys in their original place."""
    known: dict[str, Any] = {
        "version": ann.version,
        "flags": dict(ann.flags),
        "shapes": [shape_to_dict(s) for s in ann.shapes],
        "imagePath": ann.image_path,
        "imageData": ann.image_data,
        "imageHeight": ann.image_height,
        "imageWidth": ann.image_width,
    }
    out: dict[str, Any] = {}
    for key in ann.key_order:
        if key in known:
            out[key] = known.pop(key)
        elif key in ann.extra:
            out[key] = ann.extra[key]
    out.update(known)
    for key, value in ann.extra.items():
        out.setdefault(key, value)
    return out


def dumps(ann: Annotation) -> str:
    """LabelMe JSON text: UTF-8 characters kept, indent 2."""
    return dumps_checked(ann, None)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same folder, fsync, rename.

    On any failure the previous file (if any) is left untouched and the temp file removed.
    """
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if p.exists():
            try:
                os.chmod(tmp, p.stat().st_mode & 0o7777)
            except OSError:
                pass
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(p.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def save(ann: Annotation, path: str | os.PathLike) -> None:
    """Write ``ann`` to ``path`` atomically; raises :class:`AnnotationError` on failure."""
    p = Path(path)
    text = dumps_checked(ann, p)
    try:
        atomic_write_bytes(p, text.encode("utf-8"))
    except OSError as exc:
        raise AnnotationError(p, f"cannot save ({exc.strerror or exc}); the previous file is unchanged") from None


def dumps_checked(ann: Annotation, path: str | os.PathLike | None) -> str:
    """:func:`dumps`, with validation errors naming ``path``."""
    for i, s in enumerate(ann.shapes):
        s.validate(path, i)
    return json.dumps(to_dict(ann), ensure_ascii=False, indent=2) + "\n"


# ----------------------------------------------------------------------------- paths


def json_path_for(image_path: str | os.PathLike) -> Path:
    """The label file LabelMe pairs with an image: same folder, same stem, ``.json``."""
    return Path(image_path).with_suffix(".json")


def relative_image_path(image_path: str | os.PathLike, json_path: str | os.PathLike) -> str:
    """``imagePath`` as LabelMe writes it: relative to the JSON's folder, forward slashes
    (absolute only when no relative path exists, e.g. across drives)."""
    image_path = Path(os.path.abspath(image_path))
    folder = Path(os.path.abspath(json_path)).parent
    try:
        rel = os.path.relpath(image_path, folder)
    except ValueError:
        return image_path.as_posix()
    return Path(rel).as_posix()


def resolve_image_path(ann: Annotation, json_path: str | os.PathLike) -> Path:
    """The image file an annotation refers to (its ``imagePath`` relative to the JSON)."""
    return (Path(json_path).parent / ann.image_path.replace("\\", "/")).resolve()


def new_annotation(image_path: str | os.PathLike, json_path: str | os.PathLike, width: int, height: int) -> Annotation:
    """An empty annotation for an image, as a new LabelMe file would hold it."""
    return Annotation(
        image_path=relative_image_path(image_path, json_path),
        image_width=int(width),
        image_height=int(height),
    )

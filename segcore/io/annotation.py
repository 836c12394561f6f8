"""LabelMe JSON annotations: the :class:`Shape` and :class:`Annotation` types, lossless I/O.

Reading accepts every LabelMe version from 3 to 7 (no ``shape_type`` means polygon, no
``description``, old ``lineColor``/``fillColor``/``line_color`` keys); unknown keys at the top
level and in shapes are kept and written back in their place. A key the file lacked (or held as
``null``, or spelled differently, e.g. ``338.0`` for an int or ``dir\\a.jpg`` for a path) is
written back exactly as it was unless the value was changed, so an unedited file saves
byte-identical to what LabelMe itself writes (``json.dump(..., ensure_ascii=False, indent=2)``,
no trailing newline). Integer coordinates stay integers.

Saving is atomic: a temporary file in the same folder, fsync, rename. Every problem raises
:class:`AnnotationError` naming the file, the shape index and what is wrong.

The shape type and its dict live in :mod:`segcore.io.shape`, the atomic write in
:mod:`segcore.io.atomic`; everything public is re-exported here, so import from this module.
"""

from __future__ import annotations

import copy
import hashlib
import json
import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import numpy as np

from segcore.io.atomic import atomic_write_bytes
from segcore.io.json_writer import dumps_labelme
from segcore.io.shape import (
    _ABSENT,
    POINT_COUNTS,
    SHAPE_TYPES,
    AnnotationError,
    Shape,
    _ordered,
    _token,
    decode_mask,
    encode_mask,
    shape_from_dict,
    shape_to_dict,
)

__all__ = [
    "DEFAULT_VERSION",
    "POINT_COUNTS",
    "SHAPE_TYPES",
    "Annotation",
    "AnnotationError",
    "ConflictError",
    "Shape",
    "atomic_write_bytes",
    "check_unchanged",
    "content_digest",
    "decode_mask",
    "dumps",
    "dumps_checked",
    "encode_mask",
    "file_digest",
    "from_dict",
    "json_path_for",
    "load",
    "load_with_digest",
    "loads",
    "new_annotation",
    "relative_image_path",
    "resolve_image_path",
    "save",
    "shape_from_dict",
    "shape_to_dict",
    "to_dict",
]

DEFAULT_VERSION = "5.5.0"

# Known keys with the value they mean when the file lacks them. Everything else goes to ``extra``.
_TOP_DEFAULTS: dict[str, Any] = {
    "version": DEFAULT_VERSION,
    "flags": {},
    "shapes": [],
    "imagePath": "",
    "imageData": None,
    "imageHeight": None,
    "imageWidth": None,
}
_TOP_ATTR = {
    "version": "version",
    "flags": "flags",
    "imagePath": "image_path",
    "imageData": "image_data",
    "imageHeight": "image_height",
    "imageWidth": "image_width",
}


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
    # The file's key order and spelling of known keys (see Shape); not part of equality.
    key_order: tuple[str, ...] = field(default=(), repr=False)
    source: dict[str, tuple[Any, Any]] = field(default_factory=dict, repr=False)

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
            flags=copy.deepcopy(self.flags),
            version=self.version,
            extra=copy.deepcopy(self.extra),
            key_order=self.key_order,
            source=copy.deepcopy(self.source),
        )

    def labels(self) -> list[str]:
        """Labels of the shapes, in first-appearance order, without duplicates."""
        return list(dict.fromkeys(s.label for s in self.shapes))

    def validate(self, path: str | os.PathLike | None = None, *, shapes: bool = True) -> None:
        """Raise :class:`AnnotationError` if the annotation (and, with ``shapes``, any shape)
        is malformed."""
        if not isinstance(self.image_path, str):
            raise AnnotationError(path, f"imagePath must be a string, got {self.image_path!r}")
        for key, v in (("imageHeight", self.image_height), ("imageWidth", self.image_width)):
            if v is not None and (isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral) or v <= 0):
                raise AnnotationError(path, f"{key} must be a positive integer or null, got {v!r}")
        if self.image_data is not None and not isinstance(self.image_data, str):
            raise AnnotationError(path, "imageData must be a base64 string or null")
        if not isinstance(self.flags, dict) or not all(isinstance(k, str) for k in self.flags):
            raise AnnotationError(path, f"flags must be an object with string keys, got {self.flags!r}")
        if not isinstance(self.version, str):
            raise AnnotationError(path, f"version must be a string, got {self.version!r}")
        if not isinstance(self.extra, dict):
            raise AnnotationError(path, "extra must be a dict")
        if not isinstance(self.shapes, list):
            raise AnnotationError(path, "shapes must be a list")
        for i, s in enumerate(self.shapes):
            if not isinstance(s, Shape):
                raise AnnotationError(path, f"not a Shape: {type(s).__name__}", i)
            if shapes:
                s.validate(path, i)


# ----------------------------------------------------------------------------- parsing

def _positive_int(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer() and v > 0:
        return int(v)
    return v


def from_dict(data: Any, path: str | os.PathLike | None = None) -> Annotation:
    """Build an :class:`Annotation` from parsed LabelMe JSON."""
    if not isinstance(data, dict):
        raise AnnotationError(path, f"top level must be an object, got {type(data).__name__}")
    values = {k: data.get(k, default) for k, default in _TOP_DEFAULTS.items()}
    shapes_raw = values["shapes"] if values["shapes"] is not None else []
    if not isinstance(shapes_raw, list):
        raise AnnotationError(path, f"shapes must be a list, got {type(shapes_raw).__name__}")
    shapes = [shape_from_dict(s, path, i) for i, s in enumerate(shapes_raw)]
    image_path = values["imagePath"] if values["imagePath"] is not None else ""
    if not isinstance(image_path, str):
        raise AnnotationError(path, f"imagePath must be a string, got {image_path!r:.80}")
    flags = values["flags"] if values["flags"] is not None else {}
    if not isinstance(flags, dict):
        raise AnnotationError(path, f"flags must be an object, got {flags!r:.80}")
    version = values["version"]
    if version is None or isinstance(version, (dict, list)):
        raise AnnotationError(path, f"version must be a string, got {version!r:.80}")
    ann = Annotation(
        shapes=shapes,
        image_path=image_path.replace("\\", "/"),
        image_height=_positive_int(values["imageHeight"]),
        image_width=_positive_int(values["imageWidth"]),
        image_data=values["imageData"],
        flags=dict(flags),
        version=str(version),
        extra={k: v for k, v in data.items() if k not in _TOP_DEFAULTS},
        key_order=tuple(data.keys()),
    )
    ann.validate(path, shapes=False)  # each shape was validated as it was read
    ann.source = {k: (data.get(k, _ABSENT), _token(getattr(ann, a))) for k, a in _TOP_ATTR.items()}
    ann.source["shapes"] = (data.get("shapes", _ABSENT), None)
    return ann


def loads(text: str | bytes, path: str | os.PathLike | None = None) -> Annotation:
    """Parse LabelMe JSON text; ``path`` is only used in error messages."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise AnnotationError(path, f"expected JSON text, got {type(text).__name__}")
    try:
        data = json.loads(text)
    except RecursionError:
        raise AnnotationError(path, "not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many int digits
        raise AnnotationError(path, f"not valid JSON ({exc})") from None
    return from_dict(data, path)


def load(path: str | os.PathLike) -> Annotation:
    """Read a LabelMe JSON file."""
    return load_with_digest(path)[0]


def load_with_digest(path: str | os.PathLike) -> tuple[Annotation, bytes]:
    """Read a LabelMe JSON file once: the annotation and the :func:`content_digest` of the exact
    bytes parsed (what :func:`check_unchanged` later compares the file with)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise AnnotationError(p, f"cannot read the file ({exc.strerror or exc})") from None
    return loads(raw, p), content_digest(raw)


# ----------------------------------------------------------------------------- changes on disk


class ConflictError(AnnotationError):
    """The file no longer holds the bytes it was last read or written with: another program
    changed it, so writing now would lose that program's work."""


def content_digest(data: bytes) -> bytes:
    """The digest that identifies a label file's content (BLAKE2b of its bytes)."""
    return hashlib.blake2b(data).digest()


def file_digest(path: str | os.PathLike) -> bytes | None:
    """:func:`content_digest` of the file at ``path``; None when it does not exist. Other read
    errors raise :class:`OSError`."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "blake2b").digest()
    except (FileNotFoundError, NotADirectoryError):
        return None


def check_unchanged(path: str | os.PathLike, expected: bytes | None) -> None:
    """Raise :class:`ConflictError` unless ``path`` still holds the bytes of digest ``expected``
    (None: the file did not exist). A file deleted since is not a conflict: writing it again
    loses nothing."""
    p = Path(path)
    try:
        current = file_digest(p)
    except OSError as exc:
        raise AnnotationError(p, f"cannot read the file to check it ({exc.strerror or exc})") from None
    if current is not None and current != expected:
        what = "was created" if expected is None else "changed"
        raise ConflictError(p, f"{what} on disk since it was last read or saved here (by another program?); "
                               "it was not overwritten")


# ----------------------------------------------------------------------------- writing


_TOP_ORDER = tuple(_TOP_DEFAULTS)


def to_dict(ann: Annotation) -> dict[str, Any]:
    """The LabelMe dict of an annotation, with unknown top-level keys in their original place."""
    values: dict[str, Any] = {}
    for key, attr in _TOP_ATTR.items():
        raw = ann.source.get(key)
        value = getattr(ann, attr)
        if raw is not None and _token(value) == raw[1]:
            if raw[0] is not _ABSENT:
                values[key] = raw[0]
            continue
        if key in ("imageHeight", "imageWidth") and value is not None:
            value = int(value)
        values[key] = dict(value) if key == "flags" else value
    raw_shapes = ann.source["shapes"][0] if "shapes" in ann.source else []
    if ann.shapes or isinstance(raw_shapes, list):
        values["shapes"] = [shape_to_dict(s) for s in ann.shapes]
    elif raw_shapes is None:
        values["shapes"] = None  # the file said null and there are still no shapes
    for key, value in ann.extra.items():
        values.setdefault(key, value)
    return _ordered(ann.key_order, values, _TOP_ORDER)


def dumps_checked(ann: Annotation, path: str | os.PathLike | None) -> str:
    """:func:`dumps`, with validation errors naming ``path``."""
    if not isinstance(ann, Annotation):
        raise AnnotationError(path, f"not an Annotation: {type(ann).__name__}")
    ann.validate(path)
    try:
        return dumps_labelme(to_dict(ann))
    except (TypeError, ValueError, RecursionError) as exc:
        raise AnnotationError(path, f"cannot be written as JSON ({exc})") from None


def dumps(ann: Annotation) -> str:
    """LabelMe JSON text exactly as LabelMe writes it: UTF-8 characters kept, indent 2, no
    trailing newline."""
    return dumps_checked(ann, None)


def save(ann: Annotation, path: str | os.PathLike) -> None:
    """Write ``ann`` to ``path`` atomically; raises :class:`AnnotationError` on failure (the
    previous file is then unchanged)."""
    p = Path(path)
    text = dumps_checked(ann, p)
    try:
        atomic_write_bytes(p, text.encode("utf-8"))
    except OSError as exc:
        raise AnnotationError(p, f"cannot save ({exc.strerror or exc}); the previous file is unchanged") from None


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
    """The image file an annotation refers to (its ``imagePath`` relative to the JSON).

    When that file does not exist but one with the same name lies next to the JSON (a folder
    moved, or an absolute path from another machine such as ``C:\\data\\a.jpg``), that one is
    returned; otherwise the path as written (which may not exist).
    """
    folder = Path(json_path).parent
    written = ann.image_path.replace("\\", "/")
    primary = (folder / written).resolve()
    if not primary.exists() and written:
        beside = folder / PureWindowsPath(written).name
        if beside.is_file():
            return beside.resolve()
    return primary


def new_annotation(image_path: str | os.PathLike, json_path: str | os.PathLike, width: int, height: int) -> Annotation:
    """An empty annotation for an image, as a new LabelMe file would hold it."""
    return Annotation(
        image_path=relative_image_path(image_path, json_path),
        image_width=int(width),
        image_height=int(height),
    )

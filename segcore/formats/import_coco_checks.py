"""Reading a COCO instances file strictly: the document, its ids and sizes, polygons and RLE.

Nothing here trusts the file: every value is checked for its type and range, and a bad one
raises :class:`BadEntry` with a message that the importer prefixes with the image and
annotation it belongs to. RLE is parsed and decoded here (compressed strings too), so a
malformed count never reaches a C decoder.

Polygon coordinates are kept as they are (the exporters write LabelMe points unchanged too). A
point may lie up to one pixel beyond the image's border (a polygon along the right or bottom
edge, a click that slipped past it), as ``info`` and the exports accept; one further out
refuses the annotation.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from segcore.data.shape_checks import BORDER_TOLERANCE
from segcore.formats.common import ExportError

EDGE_SLACK = BORDER_TOLERANCE
"""How far (pixels) a polygon point may lie beyond the image's border (the ``[0, w] x [0, h]``
canvas): the border tolerance ``info`` and the exports use."""

MAX_RLE_DIGITS = 13
"""Longest number in a compressed RLE string (5 bits a character: 65 bits)."""


class BadEntry(ValueError):
    """One entry of a COCO file that cannot be imported; the message says why and ``kind``
    is the problem kind (:data:`segcore.data.dataset.PROBLEM_KINDS`) it is reported as."""

    def __init__(self, message: str, kind: str = "corrupt_json"):
        super().__init__(message)
        self.kind = kind



def json_kind(value: object) -> str:
    """What a JSON value is, in words: 'a number', 'a string', 'a list', 'null' ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return f"a number ({value!r})"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), f"a {type(value).__name__}")

def read_document(src: Path) -> dict[str, Any]:
    """The parsed COCO file with ``images`` and ``categories`` lists (``annotations`` a list,
    empty when absent). Raises :class:`ExportError` naming ``src`` when it is not one."""
    try:
        doc = json.loads(src.read_bytes())
    except OSError as exc:
        raise ExportError(f"{src}: cannot read the COCO file ({exc.strerror or exc})") from None
    except RecursionError:
        raise ExportError(f"{src}: not a COCO instances file (nested too deeply)") from None
    except ValueError as exc:
        raise ExportError(f"{src}: not a COCO instances file (not valid JSON: {exc})") from None
    if not isinstance(doc, dict):
        raise ExportError(f"{src}: not a COCO instances file (the top level is {json_kind(doc)}, "
                          "not an object)")
    for key in ("images", "categories"):
        if not isinstance(doc.get(key), list):
            got = "missing" if key not in doc else f"a {type(doc[key]).__name__}"
            raise ExportError(f"{src}: not a COCO instances file (its {key!r} list is {got})")
    if doc.get("annotations") is None:
        doc["annotations"] = []
    if not isinstance(doc["annotations"], list):
        raise ExportError(f"{src}: not a COCO instances file (its 'annotations' is a "
                          f"{type(doc['annotations']).__name__}, not a list)")
    return doc


def show(value: Any) -> str:
    """A short printable form of a value from the file (ids in messages)."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def integer(value: Any, what: str, *, minimum: int | None = None) -> int:
    """``value`` as an int (a whole float such as 3.0 too), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        got = "missing" if value is None else f"{show(value)} ({type(value).__name__})"
        raise BadEntry(f"{what} must be an integer, got {got}")
    if isinstance(value, float):
        if not value.is_integer():
            raise BadEntry(f"{what} must be an integer, got {show(value)}")
        value = int(value)
    if minimum is not None and value < minimum:
        raise BadEntry(f"{what} must be at least {minimum}, got {value}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadEntry(f"a polygon coordinate is not a number: {show(value)}")
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    if not math.isfinite(v):
        raise BadEntry(f"a polygon coordinate is not a finite number: {show(value)}")
    return v


def read_polygons(seg: list, width: int, height: int) -> list[list[tuple[float, float]]]:
    """The polygons of a COCO polygon segmentation as LabelMe points, each checked (at least
    3 points, finite numbers, inside the image up to :data:`EDGE_SLACK`)."""
    if not seg:
        raise BadEntry("the segmentation has no polygon")
    polygons = []
    for k, poly in enumerate(seg):
        if not isinstance(poly, list):
            raise BadEntry(f"polygon {k} must be a list [x1, y1, x2, y2, ...], got {show(poly)}")
        if len(poly) < 6 or len(poly) % 2:
            raise BadEntry(f"polygon {k}: a polygon needs at least 3 x,y pairs, got {len(poly)} numbers")
        values = [_number(v) for v in poly]
        points = []
        for x, y in zip(values[0::2], values[1::2]):
            if not (-EDGE_SLACK <= x <= width + EDGE_SLACK and -EDGE_SLACK <= y <= height + EDGE_SLACK):
                raise BadEntry(f"polygon {k}: point ({x:g}, {y:g}) lies outside the {width}x{height} image",
                               "degenerate_shape")
            points.append((x, y))
        polygons.append(points)
    return polygons


def rle_counts_from_string(text: str) -> list[int]:
    """The run lengths of a compressed COCO RLE string (the format pycocotools writes: 5 bits a
    character from '0', a continuation bit, and deltas from the count two back)."""
    counts: list[int] = []
    p, n = 0, len(text)
    while p < n:
        x = k = 0
        more = True
        while more:
            if p >= n:
                raise BadEntry("the RLE counts string ends in the middle of a number")
            c = ord(text[p]) - 48
            if not 0 <= c < 64:
                raise BadEntry(f"the RLE counts string holds {text[p]!r}, not a COCO RLE character")
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if k > MAX_RLE_DIGITS:
                raise BadEntry("the RLE counts string holds a number too long to be a run length")
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def read_rle(seg: dict, width: int, height: int) -> list[int]:
    """The run lengths of an RLE segmentation (``counts`` a list or a compressed string),
    checked: ``size`` is this image's, no run is negative, the runs cover the image exactly
    and some pixel is set."""
    size = seg.get("size")
    if not isinstance(size, list) or len(size) != 2:
        raise BadEntry(f"the RLE 'size' must be [height, width], got {show(size)}")
    h, w = (integer(v, "the RLE 'size'", minimum=1) for v in size)
    if (w, h) != (width, height):
        raise BadEntry(f"the RLE size is {w}x{h} (width x height) but the image is {width}x{height}",
                       "size_mismatch")
    raw = seg.get("counts")
    if isinstance(raw, str):
        counts = rle_counts_from_string(raw)
    elif isinstance(raw, list):
        counts = [integer(v, "an RLE count") for v in raw]
    else:
        raise BadEntry(f"the RLE 'counts' must be a list or a string, got {show(raw)}")
    if any(c < 0 for c in counts):
        raise BadEntry("the RLE counts hold a negative run length")
    total = sum(counts)
    if total != w * h:
        raise BadEntry(f"the RLE runs cover {total} pixels but the {w}x{h} image has {w * h}")
    if not any(counts[1::2]):
        raise BadEntry("the RLE mask is empty (no pixel set)", "degenerate_shape")
    return counts


def rle_decode(counts: list[int], height: int, width: int) -> np.ndarray:
    """The (height, width) bool mask of checked run lengths (column-major, from a 0-run)."""
    values = np.arange(len(counts)) % 2 == 1
    flat = np.repeat(values, np.asarray(counts, dtype=np.int64))
    return np.ascontiguousarray(flat.reshape(width, height).T)

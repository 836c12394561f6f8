"""LabelMe JSON text, fast: exactly ``json.dumps(tree, ensure_ascii=False, indent=2)``.

With ``indent`` set, CPython's ``json`` leaves its C encoder for the pure-Python one, which
costs ~5 us per value: most of a label file's time goes to its points, a few numbers each.
This writer walks the known layout itself (the top-level object, its ``shapes`` list, each
shape's keys) and writes a shape's ``points`` (a list of ``[x, y]`` number pairs) with the C
encoder, re-indenting its compact text; every other non-empty list or object goes through
``json.dumps`` and is re-indented to its depth (JSON strings hold no raw newline, so a newline
in its text is always layout). Scalars are spelled as ``json`` spells them, non-finite floats
included (``NaN``, ``Infinity``, ``-Infinity``). The text is the same, character for character,
as the indented ``json.dumps``, and so are its errors (TypeError, ValueError, RecursionError).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

__all__ = ["dumps_labelme", "iter_labelme"]

_INDENT = "  "
_INF = float("inf")
_NUMBER = (float, int)
_encode_str = json.encoder.encode_basestring  # the C function when available, as json uses
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # the C encoder


def _float(v: float) -> str:
    if v != v:
        return "NaN"
    if v == _INF:
        return "Infinity"
    if v == -_INF:
        return "-Infinity"
    return float.__repr__(v)


def _value(v: Any, depth: int) -> str:
    """``v`` as the indented ``json.dumps`` writes it at ``depth`` levels of nesting."""
    t = type(v)
    if t is str:
        return _encode_str(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    if t is float:
        return _float(v)
    if (t is dict or t is list) and not v:
        return "{}" if t is dict else "[]"
    text = json.dumps(v, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + _INDENT * depth) if depth else text


def _is_pairs(points: Any) -> bool:
    """A non-empty list of ``[x, y]`` lists of plain ints and floats (not bools)."""
    return (type(points) is list and bool(points)
            and all(type(p) is list and len(p) == 2 and type(p[0]) in _NUMBER and type(p[1]) in _NUMBER
                    for p in points))


def _points(points: list, depth: int) -> str:
    """A list of number pairs as the indented ``json.dumps`` writes it at ``depth``: its compact
    C-encoded text (numbers hold no ``[``, ``]`` or ``,``) with the layout put in."""
    outer = "\n" + _INDENT * depth
    item = outer + _INDENT
    number = item + _INDENT
    inner = _compact(points)[2:-2].replace("],[", "\0").replace(",", "," + number)
    return "[" + item + "[" + number + inner.replace("\0", item + "]," + item + "[" + number) + item + "]" + outer + "]"


def _object(d: dict, depth: int, special: Any = None) -> Iterator[str]:
    """An object with string keys at ``depth``, one chunk per member; ``special(key, value,
    depth)`` may write a member's value (None: the default way)."""
    pad = "\n" + _INDENT * (depth + 1)
    sep = "{" + pad
    for key, value in d.items():
        text = special(key, value, depth + 1) if special is not None else None
        yield sep + _encode_str(key) + ": " + (_value(value, depth + 1) if text is None else text)
        sep = "," + pad
    yield "\n" + _INDENT * depth + "}"


def _shape_member(key: str, value: Any, depth: int) -> str | None:
    return _points(value, depth) if key == "points" and _is_pairs(value) else None


def _has_str_keys(d: Any) -> bool:
    return type(d) is dict and bool(d) and all(type(k) is str for k in d)


def _shapes(shapes: list, depth: int) -> Iterator[str]:
    pad = "\n" + _INDENT * (depth + 1)
    sep = "[" + pad
    for shape in shapes:
        if _has_str_keys(shape):
            yield sep + "".join(_object(shape, depth + 1, _shape_member))
        else:
            yield sep + _value(shape, depth + 1)
        sep = "," + pad
    yield "\n" + _INDENT * depth + "]"


def iter_labelme(tree: Any) -> Iterator[str]:
    """The text of :func:`dumps_labelme` in pieces (about one per shape): a writer in a worker
    thread holds the GIL for one piece at a time, never for the whole file."""
    if not _has_str_keys(tree):
        yield _value(tree, 0)
        return
    pad = "\n" + _INDENT
    sep = "{" + pad
    for key, value in tree.items():
        if key == "shapes" and type(value) is list and value:
            yield sep + '"shapes": '
            yield from _shapes(value, 1)
        else:
            yield sep + _encode_str(key) + ": " + _value(value, 1)
        sep = "," + pad
    yield "\n}"


def dumps_labelme(tree: Any) -> str:
    """``json.dumps(tree, ensure_ascii=False, indent=2)``, ~5x faster on LabelMe files."""
    return "".join(iter_labelme(tree))

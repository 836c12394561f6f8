"""Shapes -> pixels: class maps, instance maps and per-shape masks (LabelMe conventions).

One rasteriser for export, training and evaluation, so a label means the same pixels
everywhere. The pixel rules are LabelMe's (``/work/shared/FORMATS.md``): shapes are painted in
list order (later overwrites earlier); polygons and rectangles are filled including their
outline pixels (PIL ``ImageDraw.polygon(fill, outline)``); circles are filled discs; lines and
linestrips are 10 px wide; points are discs of radius 5; ``mask`` shapes paste their bbox crop,
clipped to the image; ``oriented_rectangle`` is a 4-point polygon (PIL fills polygons by the
even-odd rule: a self-crossing "bow-tie" paints both its triangles). What each shape paints
comes from the table of kinds (:mod:`segcore.io.shape_kinds`). Which shapes are labels at all
(degenerate ones are not) is decided by :mod:`segcore.data.shape_checks`, for every caller.

Speed: LabelMe draws every shape on a new full-size image and boolean-assigns it. Here every
shape is drawn straight onto ONE image with ``fill = class id`` — the very same PIL calls, so
the same pixels. Per-shape and per-instance masks are drawn on an image reaching only to the
far corner of their bbox, then cut to the bbox.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from segcore.io.annotation import Shape
from segcore.io.palette import IGNORE_INDEX, voc_palette
from segcore.io.shape_kinds import Paint, kind_of

IGNORE_LABEL = "__ignore__"
BACKGROUND_LABEL = "_background_"
IGNORE_INSTANCE = -1
# Beyond this radius PIL's ellipse gets very slow (seconds at 1e6 px); such a circle is filled
# with a distance test instead (the same everywhere: it does not depend on the image size).
_HUGE_RADIUS = 262144.0


class UnknownLabelError(ValueError):
    """A shape label that is not in the class list (``.label``, ``.path``, ``.shape_index``)."""

    def __init__(self, label: str, path: str | os.PathLike | None = None, shape_index: int | None = None):
        self.label = label
        self.path = Path(path) if path is not None else None
        self.shape_index = shape_index
        where = f"{self.path}: " if self.path is not None else ""
        if shape_index is not None:
            where += f"shape {shape_index}: "
        super().__init__(f"{where}unknown label {label!r} (not in the class list)")


class ClassListError(ValueError):
    """A labels file that cannot be used as a class list (``.path``, ``.reason``)."""

    def __init__(self, path: str | os.PathLike | None, reason: str):
        self.path = Path(path) if path is not None else None
        self.reason = reason
        super().__init__(f"{self.path if self.path is not None else '<classes>'}: {reason}")


def natural_key(s: str) -> tuple:
    """Sort key that orders embedded numbers by value ("img2" < "img10"), case-insensitive."""
    parts = [p for p in re.split(r"(\d+)", s) if p != ""]
    folded = tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in parts)
    return folded, s


class ClassList:
    """Class names in id order: ``names[0] == "_background_"``, ids 1..N follow.

    ``has_ignore`` tells whether the source listed ``__ignore__``; an ``__ignore__`` shape
    always maps to :data:`IGNORE_INDEX` whatever the list says.
    """

    def __init__(self, names: Sequence[str], has_ignore: bool = False):
        names = list(names)
        if not names or names[0] != BACKGROUND_LABEL:
            raise ClassListError(None, f"the first class must be {BACKGROUND_LABEL!r}, got {names[:1]}")
        seen: set[str] = set()
        for n in names:
            if not isinstance(n, str) or not n:
                raise ClassListError(None, f"class names must be non-empty strings, got {n!r}")
            if n == IGNORE_LABEL:
                raise ClassListError(None, f"{IGNORE_LABEL!r} is not a class; pass has_ignore=True")
            if n in seen:
                raise ClassListError(None, f"class {n!r} is listed twice")
            seen.add(n)
        self.names: list[str] = names
        self.has_ignore = bool(has_ignore)
        self._ids = {n: i for i, n in enumerate(names)}

    @classmethod
    def from_names(cls, names: Iterable[str]) -> ClassList:
        """From names in id order; ``_background_`` is put first if missing, ``__ignore__`` noted."""
        names = [n for n in names]
        has_ignore = IGNORE_LABEL in names
        names = [n for n in names if n != IGNORE_LABEL]
        if BACKGROUND_LABEL in names:
            if names[0] != BACKGROUND_LABEL:
                raise ClassListError(None, f"{BACKGROUND_LABEL!r} must come first (it is id 0)")
        else:
            names.insert(0, BACKGROUND_LABEL)
        return cls(names, has_ignore)

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> ClassList:
        """Read a labels.txt (one name a line; optional ``__ignore__``, then ``_background_``)."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise ClassListError(p, f"cannot read the labels file ({reason})") from None
        names = [line.strip() for line in text.splitlines()]
        names = [n for n in names if n]
        if not names:
            raise ClassListError(p, "the labels file lists no class")
        try:
            return cls.from_names(names)
        except ClassListError as exc:
            raise ClassListError(p, exc.reason) from None

    @classmethod
    def collect(cls, labels: Iterable[str]) -> ClassList:
        """Background first, then the distinct labels in natural order; ``__ignore__`` noted.
        An empty label cannot be a class: it is left out (its shapes are then unknown labels,
        reported with their file and shape index by the callers)."""
        distinct = {lb for lb in labels if isinstance(lb, str) and lb}
        has_ignore = IGNORE_LABEL in distinct
        distinct -= {IGNORE_LABEL, BACKGROUND_LABEL}
        return cls([BACKGROUND_LABEL, *sorted(distinct, key=natural_key)], has_ignore)

    def id_of(self, label: str) -> int:
        """Class id of ``label`` (:data:`IGNORE_INDEX` for ``__ignore__``)."""
        if label == IGNORE_LABEL:
            return IGNORE_INDEX
        try:
            return self._ids[label]
        except KeyError:
            raise UnknownLabelError(label) from None

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, label: object) -> bool:
        return label == IGNORE_LABEL or label in self._ids

    def __iter__(self):
        return iter(self.names)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClassList):
            return NotImplemented
        return self.names == other.names and self.has_ignore == other.has_ignore

    def __repr__(self) -> str:
        return f"ClassList({self.names!r}, has_ignore={self.has_ignore})"

    def colours(self) -> np.ndarray:
        """``(n, 3)`` uint8 VOC colours, one per class id."""
        return voc_palette(len(self.names))

    def to_lines(self) -> list[str]:
        """The labels.txt lines (``__ignore__`` first when present)."""
        return ([IGNORE_LABEL] if self.has_ignore else []) + list(self.names)


# ----------------------------------------------------------------------------- one shape


def shape_extent(shape: Shape) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` bounding every pixel the shape may paint (before clipping)."""
    return kind_of(shape).extent(shape)


def _crop_box(shape: Shape, height: int, width: int, margin: int = 2) -> tuple[int, int, int, int] | None:
    """Integer pixel box ``(x0, y0, x1, y1)`` (exclusive end) inside the image, or None."""
    ex0, ey0, ex1, ey1 = shape_extent(shape)
    x0 = max(0, math.floor(ex0) - margin)
    y0 = max(0, math.floor(ey0) - margin)
    x1 = min(width, math.ceil(ex1) + margin + 1)
    y1 = min(height, math.ceil(ey1) + margin + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def shape_box(shape: Shape, height: int, width: int) -> tuple[int, int, int, int] | None:
    """The pixel box ``(x0, y0, x1, y1)`` (exclusive end, inside the image) holding every pixel
    the shape paints, as :func:`shape_crop` cuts it; None when it lies outside the image."""
    return _crop_box(shape, height, width)


def _paint(image: Image.Image, draw: ImageDraw.ImageDraw, shape: Shape, ink: int) -> None:
    """Paint one shape with value ``ink`` in image coordinates, as LabelMe does (a degenerate
    polygon still paints its outline; which shapes are labels is :mod:`segcore.data.shape_checks`'s
    call).

    Never shifted: PIL's polygon edges are float sums, so a translated shape can gain or lose
    an edge pixel. Crops are drawn on an image anchored at (0, 0) and cut afterwards (PIL's
    clipping at the far edges does not change the pixels inside).
    """
    op = kind_of(shape).paint(shape)
    _PAINTERS[op.op](image, draw, op, ink)


def _paint_polygon(image: Image.Image, draw: ImageDraw.ImageDraw, op: Paint, ink: int) -> None:
    draw.polygon(list(op.points), fill=ink, outline=ink)


def _paint_rectangle(image: Image.Image, draw: ImageDraw.ImageDraw, op: Paint, ink: int) -> None:
    (x1, y1), (x2, y2) = op.points
    draw.rectangle([x1, y1, x2, y2], fill=ink, outline=ink)


def _paint_disc(image: Image.Image, draw: ImageDraw.ImageDraw, op: Paint, ink: int) -> None:
    (cx, cy), r = op.points[0], op.radius
    if r > _HUGE_RADIUS:
        _paint_huge_disc(image, cx, cy, r, ink)
    else:
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=ink, outline=ink)


def _paint_line(image: Image.Image, draw: ImageDraw.ImageDraw, op: Paint, ink: int) -> None:
    draw.line(list(op.points), fill=ink, width=op.width)


def _paint_mask(image: Image.Image, draw: ImageDraw.ImageDraw, op: Paint, ink: int) -> None:
    crop = op.mask
    if crop is None or crop.size == 0:
        return
    (x0, y0), = op.points
    h, w = crop.shape
    image.paste(ink, (x0, y0, x0 + w, y0 + h), Image.fromarray(crop))


def _paint_huge_disc(image: Image.Image, cx: float, cy: float, r: float, ink: int) -> None:
    ys, xs = np.ogrid[: image.height, : image.width]
    inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
    if inside.any():
        image.paste(ink, (0, 0, image.width, image.height), Image.fromarray(inside))


_PAINTERS = {"polygon": _paint_polygon, "rectangle": _paint_rectangle, "disc": _paint_disc,
             "line": _paint_line, "mask": _paint_mask}
"""One painter per :class:`segcore.io.shape_kinds.Paint` operation."""


def shape_mask(shape: Shape, height: int, width: int) -> np.ndarray:
    """Bool ``(height, width)`` mask of one shape, exactly as LabelMe rasterises it."""
    out = np.zeros((height, width), dtype=bool)
    crop = shape_crop(shape, height, width)
    if crop is not None:
        m, x0, y0 = crop
        out[y0 : y0 + m.shape[0], x0 : x0 + m.shape[1]] = m
    return out


def unreviewed_mask(shapes: Sequence[Shape], height: int, width: int) -> np.ndarray | None:
    """Pixels covered by unreviewed model proposals (``proposed`` shapes), or None when there
    are none. Training, evaluation and export treat those pixels that no person labelled as
    ignore: neither the proposal's class nor background."""
    proposed = [s for s in shapes if s.proposed]
    if not proposed:
        return None
    out = np.zeros((height, width), dtype=bool)
    for s in proposed:
        crop = shape_crop(s, height, width)
        if crop is not None:
            m, x0, y0 = crop
            out[y0 : y0 + m.shape[0], x0 : x0 + m.shape[1]] |= m
    return out


def shape_crop(shape: Shape, height: int, width: int) -> tuple[np.ndarray, int, int] | None:
    """The shape's pixels on a small crop: ``(bool mask, x0, y0)``, or None when it paints
    nothing inside the image (it lies entirely outside)."""
    shape.validate()
    box = _crop_box(shape, height, width)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    img = Image.new("L", (x1, y1), 0)
    _paint(img, ImageDraw.Draw(img), shape, 1)
    m = np.array(img.crop((x0, y0, x1, y1)), dtype=bool)
    if not m.any():
        return None
    return m, x0, y0


# ----------------------------------------------------------------------------- whole images


def _class_id(classes: ClassList, shape: Shape, skip_unknown: bool, path, index: int) -> int | None:
    try:
        return classes.id_of(shape.label)
    except UnknownLabelError:
        if skip_unknown:
            return None
        raise UnknownLabelError(shape.label, path, index) from None


def _check_size(height: int, width: int) -> None:
    if int(height) <= 0 or int(width) <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")


def class_map(shapes: Sequence[Shape], height: int, width: int, classes: ClassList, *,
              skip_unknown: bool = False, path: str | os.PathLike | None = None) -> np.ndarray:
    """uint8 ``(height, width)`` class ids: 0 background, 255 ignore, later shapes on top.

    An unknown label raises :class:`UnknownLabelError` (naming ``path`` and the shape index)
    unless ``skip_unknown`` is set, in which case the shape is left out.
    """
    _check_size(height, width)
    if len(classes) > IGNORE_INDEX:
        raise ValueError(f"{len(classes)} classes do not fit a uint8 class map (at most 255)")
    img = Image.new("L", (int(width), int(height)), 0)
    draw = ImageDraw.Draw(img)
    for i, s in enumerate(shapes):
        s.validate(path, i)
        cid = _class_id(classes, s, skip_unknown, path, i)
        if cid is not None:
            _paint(img, draw, s, cid)
    return np.array(img, dtype=np.uint8)


@dataclass
class Instance:
    """One object: shapes sharing ``(label, group_id)`` (a null group_id stands alone)."""

    id: int
    class_id: int
    label: str
    group_id: int | None
    shape_indices: list[int] = field(default_factory=list)


def instances_of(shapes: Sequence[Shape], classes: ClassList, *, skip_unknown: bool = False,
                 path: str | os.PathLike | None = None) -> list[Instance]:
    """Group shapes into instances, ids 1..K in order of first appearance.

    ``__ignore__`` and ``_background_`` shapes form no instance.
    """
    out: list[Instance] = []
    by_key: dict[tuple[str, int], Instance] = {}
    for i, s in enumerate(shapes):
        cid = _class_id(classes, s, skip_unknown, path, i)
        if cid is None or cid in (0, IGNORE_INDEX):
            continue
        inst = by_key.get((s.label, s.group_id)) if s.group_id is not None else None
        if inst is None:
            inst = Instance(len(out) + 1, cid, s.label, s.group_id)
            out.append(inst)
            if s.group_id is not None:
                by_key[(s.label, s.group_id)] = inst
        inst.shape_indices.append(i)
    return out


def instance_map(shapes: Sequence[Shape], height: int, width: int, classes: ClassList, *,
                 skip_unknown: bool = False, path: str | os.PathLike | None = None,
                 ) -> tuple[np.ndarray, list[Instance]]:
    """int32 ``(height, width)`` instance ids (0 background, -1 ignore) and the instances.

    Painted in list order like :func:`class_map`; a ``_background_`` shape paints 0.
    """
    _check_size(height, width)
    instances = instances_of(shapes, classes, skip_unknown=skip_unknown, path=path)
    ink_of = {i: inst.id for inst in instances for i in inst.shape_indices}
    img = Image.new("I", (int(width), int(height)), 0)
    draw = ImageDraw.Draw(img)
    for i, s in enumerate(shapes):
        s.validate(path, i)
        if i in ink_of:
            ink = ink_of[i]
        elif s.label == IGNORE_LABEL:
            ink = IGNORE_INSTANCE
        elif s.label == BACKGROUND_LABEL:
            ink = 0
        else:  # an unknown label left out
            continue
        _paint(img, draw, s, ink)
    return np.array(img, dtype=np.int32), instances


def instance_crops(shapes: Sequence[Shape], height: int, width: int, classes: ClassList, *,
                   skip_unknown: bool = False, path: str | os.PathLike | None = None,
                   ) -> list[tuple[Instance, np.ndarray, tuple[int, int]]]:
    """Each instance's own union mask on a crop: ``(instance, bool crop, (x0, y0))``.

    Not cut by shapes drawn over it (COCO area/bbox). An instance entirely outside the image
    gets an empty ``(0, 0)`` crop.
    """
    _check_size(height, width)
    out = []
    for inst in instances_of(shapes, classes, skip_unknown=skip_unknown, path=path):
        members = [shapes[i] for i in inst.shape_indices]
        for i, s in zip(inst.shape_indices, members):
            s.validate(path, i)
        boxes = [b for b in (_crop_box(s, height, width) for s in members) if b is not None]
        if not boxes:
            out.append((inst, np.zeros((0, 0), dtype=bool), (0, 0)))
            continue
        x0 = min(b[0] for b in boxes)
        y0 = min(b[1] for b in boxes)
        x1 = max(b[2] for b in boxes)
        y1 = max(b[3] for b in boxes)
        img = Image.new("L", (x1, y1), 0)
        draw = ImageDraw.Draw(img)
        for s in members:
            _paint(img, draw, s, 1)
        out.append((inst, np.array(img.crop((x0, y0, x1, y1)), dtype=bool), (x0, y0)))
    return out


def instance_masks(shapes: Sequence[Shape], height: int, width: int, classes: ClassList, *,
                   skip_unknown: bool = False, path: str | os.PathLike | None = None,
                   ) -> list[tuple[Instance, np.ndarray]]:
    """Each instance's own full-size union mask (see :func:`instance_crops`)."""
    out = []
    for inst, crop, (x0, y0) in instance_crops(shapes, height, width, classes,
                                               skip_unknown=skip_unknown, path=path):
        full = np.zeros((height, width), dtype=bool)
        full[y0 : y0 + crop.shape[0], x0 : x0 + crop.shape[1]] = crop
        out.append((inst, full))
    return out

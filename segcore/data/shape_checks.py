"""The one rule for what is wrong with a shape on its image, used by ``info`` (through
:func:`segcore.data.dataset.summarize`) and by the VOC and COCO exports, so both name the same
shapes with the same words.

A shape is *left out* (of an export) when it marks no region: its kind says it is degenerate
(points on one line, zero width, zero radius, an empty mask: :mod:`segcore.io.shape_kinds`) or
it paints no pixel of the image (entirely outside it). Everything else paints at least one pixel
(LabelMe fills polygons with their outline), self-crossing polygons included, and is kept. A
shape partly outside the image is *reported* and kept, clipped to the image. Training, evaluation and ``info``'s pixel counts
leave out the same shapes (:func:`ground_truth_map`), and the canvas gives a degenerate shape no
inside (the kind's check, :mod:`segcore.io.shape_kinds`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from segcore.data.rasterize import IGNORE_INDEX, ClassList, class_map, shape_crop, unreviewed_mask
from segcore.io.annotation import Shape
from segcore.io.shape_kinds import KINDS, kind_of

POLYGON_TYPES = frozenset(n for n, k in KINDS.items() if k.polygon_form)
"""Shapes a COCO export writes as polygons (and that must cover at least one pixel centre)."""
BORDER_TOLERANCE = 1.0
"""How far (in pixels) a point may lie past the image border before the shape counts as
reaching outside the image."""


@dataclass(frozen=True)
class ShapeIssue:
    """What is wrong with one shape; ``left_out``: exports skip it (else it is kept, clipped)."""

    message: str
    left_out: bool


def zero_area_reason(shape: Shape) -> str | None:
    """Why a shape has no area or length at all (points on one line, an empty mask...), or None:
    the kind's own check (:meth:`segcore.io.shape_kinds.ShapeKind.degenerate`)."""
    return kind_of(shape).degenerate(shape)


def outside(shape: Shape, width: int, height: int) -> str | None:
    """``"partly"`` / ``"entirely"`` when the shape's extent reaches outside the image, else
    None. The image is the ``[0, w] x [0, h]`` canvas an annotator clicks on, widened by
    :data:`BORDER_TOLERANCE` on every side: a point put on the border, or a click that slipped
    past it by less than a pixel (LabelMe's own example has those), is inside. A bounding-box
    test: ``"partly"`` may still paint no pixel of the image (see :func:`shape_issue`)."""
    lo, hi_w, hi_h = -BORDER_TOLERANCE, width + BORDER_TOLERANCE, height + BORDER_TOLERANCE
    x0, y0, x1, y1 = kind_of(shape).bounds(shape)
    xs, ys = (x0, x1), (y0, y1)
    if max(xs) < lo or max(ys) < lo or min(xs) > hi_w or min(ys) > hi_h:
        return "entirely"
    if min(xs) < lo or min(ys) < lo or max(xs) > hi_w or max(ys) > hi_h:
        return "partly"
    return None


def degenerate_reason(shape: Shape, height: int, width: int) -> str | None:
    """Why a shape marks no region of the image (zero area, empty, entirely outside), or None:
    the ``left_out`` issues of :func:`shape_issue`."""
    issue = shape_issue(shape, width, height)
    return issue.message if issue is not None and issue.left_out else None


def shape_issue(shape: Shape, width: int, height: int) -> ShapeIssue | None:
    """What is wrong with ``shape`` on a ``width`` x ``height`` image, or None (rules in the
    module docstring). Cheap for shapes well inside the image: only shapes reaching outside
    are rasterised (on their own box)."""
    reason = zero_area_reason(shape)
    if reason is not None:
        return ShapeIssue(reason, True)
    t = shape.shape_type
    where = outside(shape, width, height)
    if where is not None and not _vertex_inside(shape, width, height) and shape_crop(shape, height, width) is None:
        return ShapeIssue(f"{t} lies entirely outside the {width}x{height} image", True)
    if where is not None:
        return ShapeIssue(f"{t} lies partly outside the {width}x{height} image (clipped)", False)
    return None


def _vertex_inside(shape: Shape, width: int, height: int) -> bool:
    """Whether a polygon has a vertex at least a pixel inside the image: its outline paints
    that vertex's pixel, so it paints the image (known without rasterising it)."""
    op = kind_of(shape).paint(shape)
    return op.op == "polygon" and any(1 <= x <= width - 2 and 1 <= y <= height - 2 for x, y in op.points)


def marks_region(shape: Shape, width: int, height: int) -> bool:
    """True unless :func:`shape_issue` leaves the shape out (it marks no region of the image)."""
    issue = shape_issue(shape, width, height)
    return issue is None or not issue.left_out


def ground_truth_map(shapes: Sequence[Shape], height: int, width: int, classes: ClassList, *,
                     skip_unknown: bool = False, path: str | os.PathLike | None = None) -> np.ndarray:
    """The class map training, evaluation and ``info`` count: the shapes a person made that mark
    a region (what the exports keep), painted in order; pixels covered only by unreviewed model
    proposals are :data:`IGNORE_INDEX`. Unknown labels as :func:`segcore.data.rasterize.class_map`."""
    kept = [s for s in shapes if not s.proposed and marks_region(s, width, height)]
    lm = class_map(kept, height, width, classes, skip_unknown=skip_unknown, path=path)
    unsure = unreviewed_mask(shapes, height, width)
    if unsure is not None:
        lm[unsure & (lm == 0)] = IGNORE_INDEX
    return lm

"""Brush, eraser and polygon operations on shapes (shapely geometry underneath).

A brush stroke is the polyline of the pointer positions buffered by the brush radius; painting
unions it with the shape's area, erasing subtracts it. Results go back to LabelMe shapes through
:mod:`segcore.data.polygons`: one ``polygon`` per part, a ``mask`` shape where a part has holes, all
with the label, group id, description and flags of the shape they came from. A shape edited by a
person is no longer a model proposal (``proposed``/``score`` are cleared).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from segcore.data.polygons import geometry_to_shapes, shape_to_geometry
from segcore.interactive.cleanup import drop_small_parts
from segcore.interactive.region import RegionMask
from segcore.io.annotation import Shape

Point = tuple[float, float]


def stroke_geometry(stroke_xy: Sequence[Point], radius: float) -> BaseGeometry:
    """The area swept by a round brush of ``radius`` along the polyline ``stroke_xy``."""
    if radius <= 0:
        raise ValueError(f"brush radius must be positive, got {radius}")
    pts = np.asarray(stroke_xy, dtype=float).reshape(-1, 2)
    if not len(pts):
        raise ValueError("a brush stroke needs at least one point")
    if not np.isfinite(pts).all():
        raise ValueError("brush stroke has non-finite coordinates")
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
    pts = pts[keep]
    line = shapely.Point(pts[0]) if len(pts) == 1 else shapely.LineString(pts)
    return line.buffer(radius, quad_segs=8)


def _area(geom: BaseGeometry | None, min_area: float) -> BaseGeometry:
    """Valid polygonal part of ``geom`` with parts/holes below ``min_area`` removed."""
    if geom is None or geom.is_empty:
        return Polygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys = []
    for part in getattr(geom, "geoms", [geom]):
        if isinstance(part, Polygon):
            polys.append(part)
        elif hasattr(part, "geoms"):
            polys.extend(p for p in part.geoms if isinstance(p, Polygon))
    out = []
    for p in polys:
        if p.area < max(min_area, 1e-9):
            continue
        holes = [h for h in p.interiors if Polygon(h).area >= min_area]
        out.append(Polygon(p.exterior, holes))
    if not out:
        return Polygon()
    return out[0] if len(out) == 1 else shapely.MultiPolygon(out)


def brush(
    geom: BaseGeometry | None,
    stroke_xy: Sequence[Point],
    radius: float,
    *,
    erase: bool = False,
    bounds: tuple[float, float] | None = None,
    min_area: float = 1.0,
) -> BaseGeometry:
    """Paint (union) or erase (difference) one stroke on ``geom`` (None = nothing yet).

    ``bounds`` ``(width, height)`` clips the result to the image; parts and holes smaller than
    ``min_area`` square pixels are dropped. The result may be empty or a MultiPolygon.
    """
    swept = stroke_geometry(stroke_xy, radius)
    base = Polygon() if geom is None else geom
    out = base.difference(swept) if erase else base.union(swept)
    if bounds is not None:
        # pixel centres run 0..w-1; the outline pixels belong to the shape
        out = out.intersection(box(0, 0, bounds[0] - 1, bounds[1] - 1))
    return _area(out, min_area)


def _carry(template: Shape | None, shapes: list[Shape]) -> list[Shape]:
    if template is not None:
        for s in shapes:
            s.description = template.description
            s.flags = dict(template.flags)
            s.extra = dict(template.extra)
    return shapes


def _to_shapes(
    geom: BaseGeometry, template: Shape | None, label: str, tolerance: float,
    min_area: float = 0.0, keep_largest: bool = False,
) -> list[Shape]:
    if tolerance > 0 and not geom.is_empty:
        geom = _area(geom.simplify(tolerance, preserve_topology=True), 0.0)
    group_id = template.group_id if template is not None else None
    geom = shapely.set_precision(geom, 0.01) if not geom.is_empty else geom
    if min_area > 0:
        geom = drop_small_parts(geom, min_area, keep_largest=keep_largest)
    return _carry(template, geometry_to_shapes(geom, label, group_id=group_id))


def brush_shapes(
    shape: Shape | None,
    stroke_xy: Sequence[Point],
    radius: float,
    *,
    erase: bool = False,
    label: str | None = None,
    bounds: tuple[float, float] | None = None,
    tolerance: float = 0.25,
    min_area: float = 0.0,
) -> list[Shape]:
    """Apply a brush/eraser stroke to ``shape`` and return the resulting shapes.

    With ``shape`` None the stroke makes a new shape labelled ``label``. Erasing can return
    several shapes (the shape was cut in two) or none (all erased). Parts of the result with
    less than ``min_area`` square pixels are dropped (a stroke that leaves the image and comes
    back leaves a sliver; an eraser leaves scraps); painting keeps the largest part whatever
    its size (see :mod:`segcore.interactive.cleanup`).
    """
    if shape is None and label is None:
        raise ValueError("brush on no shape needs a label for the new shape")
    geom = None if shape is None else shape_to_geometry(shape)
    out = brush(geom, stroke_xy, radius, erase=erase, bounds=bounds)
    label = shape.label if shape is not None else label
    return _to_shapes(out, shape, label, tolerance, min_area=min_area, keep_largest=not erase)


def merge(shapes: Sequence[Shape], *, tolerance: float = 0.0) -> list[Shape]:
    """Union of area shapes that share one label; keeps the first shape's properties.

    Shapes that do not touch stay separate shapes (the union is a MultiPolygon).
    """
    if not shapes:
        raise ValueError("merge needs at least one shape")
    labels = {s.label for s in shapes}
    if len(labels) > 1:
        raise ValueError(f"merge needs shapes of one label, got {sorted(labels)}")
    union = shapely.union_all([shape_to_geometry(s) for s in shapes])
    return _to_shapes(_area(union, 0.0), shapes[0], shapes[0].label, tolerance)


def subtract(a: Shape, b: Shape, *, tolerance: float = 0.0) -> list[Shape]:
    """``a`` minus the area of ``b`` (a's label and properties); may be several shapes or none."""
    diff = shape_to_geometry(a).difference(shape_to_geometry(b))
    return _to_shapes(_area(diff, 1.0), a, a.label, tolerance)


def simplify(shape: Shape, tolerance: float) -> list[Shape]:
    """``shape`` with its outline simplified (Douglas-Peucker, ``tolerance`` pixels, topology kept)."""
    if tolerance < 0:
        raise ValueError(f"simplify tolerance must be >= 0, got {tolerance}")
    return _to_shapes(shape_to_geometry(shape), shape, shape.label, tolerance)


def region_shapes(
    region: RegionMask,
    label: str,
    *,
    tolerance: float = 1.0,
    min_area: float = 0.0,
    group_id: int | None = None,
) -> list[Shape]:
    """Shapes for a tool's region mask (GrabCut, magic wand): polygons, ``mask`` where holes."""
    geom = region.geometry(tolerance=tolerance, min_area=min_area)
    return geometry_to_shapes(geom, label, group_id=group_id)

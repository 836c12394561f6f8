"""Masks <-> polygons: contours with holes, simplification, validity.

Conventions (LabelMe's, see FORMATS.md): polygon vertices lie on pixel centres (integer
coordinates) and a polygon covers its outline pixels, so the exterior ring of a component runs
through the centres of its boundary pixels. A hole ring runs through the centres of the *hole's*
boundary pixels, so "exterior filled minus holes filled" reproduces the component exactly before
simplification. Rings that cannot be valid polygons (one-pixel-wide spurs, single pixels) are
dropped from the geometry. :func:`mask_to_shapes` (and :func:`segcore.data.trace.label_map_to_shapes`) turn a
component into ``polygon`` shapes, or into one ``mask`` shape of its pixels when it has holes,
when its polygons re-rasterise to IoU < :data:`MIN_IOU`, or (``exact=True``) when any pixel
differs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import cv2
import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from segcore.io.annotation import Shape
from segcore.io.shape_kinds import CircleKind, even_odd_region, kind_of

__all__ = [
    "mask_to_polygons",
    "polygon_to_shape",
    "shape_to_geometry",
    "geometry_to_shapes",
    "geometry_mask",
    "mask_to_shapes",
    "components",
]

DEFAULT_MIN_AREA = 0.0
MIN_IOU = 0.98
"""Per-component IoU floor of simplified polygons (see :func:`_fit`)."""


# ----------------------------------------------------------------------------- components


def components(mask: np.ndarray, min_area: float = 0.0) -> Iterator[tuple[int, int, np.ndarray]]:
    """Yield ``(x0, y0, crop)`` per 8-connected component of ``mask`` with at least
    ``min_area`` pixels; ``crop`` is the component's bool mask over its bounding box."""
    m = np.ascontiguousarray(np.asarray(mask, dtype=bool), dtype=np.uint8)
    if m.ndim != 2:
        raise ValueError(f"mask must be 2-D, got shape {m.shape}")
    if not m.any():
        return
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8, ltype=cv2.CV_32S)
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < min_area or area == 0:
            continue
        yield x, y, labels[y : y + h, x : x + w] == i


def contour_rings(crop: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Exterior and hole rings (pixel-centre coordinates in crop space) of one component."""
    pad = np.pad(crop, 1).astype(np.uint8)
    ext, _ = cv2.findContours(pad, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [c.reshape(-1, 2) - 1 for c in ext], _padded_hole_rings(pad)


def hole_rings(crop: np.ndarray) -> list[np.ndarray]:
    """The hole rings of :func:`contour_rings` alone."""
    return _padded_hole_rings(np.pad(crop, 1).astype(np.uint8))


def _padded_hole_rings(pad: np.ndarray) -> list[np.ndarray]:
    """Hole rings of a 0/1 uint8 crop padded with one background pixel all round."""
    inv = (pad == 0).astype(np.uint8)
    n, lab = cv2.connectedComponents(inv, connectivity=4)
    if n <= 2:  # nothing besides the outside region
        return []
    hole_mask = ((lab != lab[0, 0]) & (inv > 0)).astype(np.uint8)
    hc, _ = cv2.findContours(hole_mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [c.reshape(-1, 2) - 1 for c in hc]


def ring_polygon(ring: np.ndarray) -> BaseGeometry | None:
    """A valid polygonal geometry from a ring, or None when it has no area."""
    if len(ring) < 3:
        return None
    poly = Polygon(ring.astype(np.float64))
    if not poly.is_valid:
        poly = valid_geometry(poly)
    poly = polygonal_parts(poly)
    if poly is None or poly.area <= 0:
        return None
    return poly


def valid_geometry(geom: BaseGeometry) -> BaseGeometry:
    """A valid polygonal version of ``geom``: GEOS's "structure" method (areas kept, collapsed
    zero-width parts dropped), about ten times faster than the default on pinched rings."""
    return shapely.make_valid(geom, method="structure", keep_collapsed=False)


def polygonal_parts(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Keep only the polygonal parts of ``geom`` (None when there are none)."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    if not parts:
        return None
    return shapely.union_all(parts)


def explode_polygons(geom: BaseGeometry | None) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    out: list[Polygon] = []
    for g in getattr(geom, "geoms", []):
        out.extend(explode_polygons(g))
    return out


def _simplify(poly: Polygon, tolerance: float) -> list[Polygon]:
    if tolerance > 0:
        poly = poly.simplify(tolerance, preserve_topology=True)
        if not poly.is_valid:
            poly = polygonal_parts(valid_geometry(poly))
    return [p for p in explode_polygons(poly) if p.area > 0 and len(p.exterior.coords) >= 4]


def _rebuild(polys: list[Polygon], crop: np.ndarray, x0: int, y0: int) -> np.ndarray:
    h, w = crop.shape
    out = np.zeros_like(crop)
    for p in polys:
        out |= geometry_mask(p, h, w, offset=(x0, y0))
    return out


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def _component_geometry(crop: np.ndarray, x0: int, y0: int) -> BaseGeometry | None:
    """The unsimplified polygonal geometry of one component (image coordinates)."""
    exteriors, holes = contour_rings(crop)
    hole_rings = [r + (x0, y0) for r in holes if len(r) >= 3]
    if len(exteriors) == 1 and len(exteriors[0]) >= 3:  # the usual case: build it directly
        poly = Polygon(exteriors[0] + (x0, y0), hole_rings)
        if poly.is_valid and poly.area > 0:
            return poly
    outer = [g for g in (ring_polygon(r + (x0, y0)) for r in exteriors) if g is not None]
    if not outer:
        return None
    geom = outer[0] if len(outer) == 1 else shapely.union_all(outer)
    hole_geoms = [g for g in (ring_polygon(r) for r in hole_rings) if g is not None]
    if hole_geoms:
        geom = polygonal_parts(geom.difference(hole_geoms[0] if len(hole_geoms) == 1 else shapely.union_all(hole_geoms)))
    return geom


def _fit(crop: np.ndarray, x0: int, y0: int, tolerance: float, min_iou: float = MIN_IOU,
         raster: bool = False) -> tuple[list[Polygon], np.ndarray | None]:
    """Valid polygons of one component, and (when checked or ``raster``) their re-rasterised
    crop. The simplification tolerance is a maximum: where the simplified polygons
    re-rasterise to IoU < ``min_iou`` with the component (thin poles, small blobs) the
    tolerance is halved, then dropped, for this component only."""
    parts = [orient(p, 1.0) for p in explode_polygons(_component_geometry(crop, x0, y0))]
    tol = float(tolerance)
    while True:
        result: list[Polygon] = []
        for p in parts:
            result.extend(_simplify(p, tol))
        if tol <= 0 or min_iou <= 0:
            return result, (_rebuild(result, crop, x0, y0) if raster else None)
        rebuilt = _rebuild(result, crop, x0, y0)
        if _iou(rebuilt, crop) >= min_iou:
            return result, rebuilt
        tol = 0.0 if tol <= 0.25 else tol / 2


def _component_polygons(crop: np.ndarray, x0: int, y0: int, tolerance: float,
                        min_iou: float = MIN_IOU) -> list[Polygon]:
    """Valid polygons of one component (see :func:`_fit`)."""
    return _fit(crop, x0, y0, tolerance, min_iou)[0]


def mask_to_polygons(mask: np.ndarray, *, tolerance: float = 1.0, min_area: float = DEFAULT_MIN_AREA) -> list[Polygon]:
    """Polygons (with holes as interiors) of the 8-connected components of a bool mask.

    Coordinates are image pixels with vertices on pixel centres; ``tolerance`` is the
    Douglas-Peucker simplification tolerance in pixels (0 keeps every corner); components with
    fewer than ``min_area`` pixels are dropped. Every polygon is valid (shapely).
    """
    out: list[Polygon] = []
    for x0, y0, crop in components(mask, min_area):
        out.extend(_component_polygons(crop, x0, y0, tolerance))
    return out


# ----------------------------------------------------------------------------- rasterising


def _ring_points(coords: Iterable[tuple[float, float]], ox: float, oy: float) -> list[tuple[float, float]]:
    pts = [(float(x) - ox, float(y) - oy) for x, y in coords]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    return pts


def geometry_mask(geom: BaseGeometry, height: int, width: int, *, offset: tuple[float, float] = (0, 0)) -> np.ndarray:
    """Rasterise a polygonal geometry with the polygon conventions: each exterior filled
    (outline included) minus each hole filled (outline included). ``offset`` (x, y) is
    subtracted from the coordinates first (to rasterise into a crop).

    One :func:`segcore.data.rasterize.class_map` call paints every ring (exteriors as the shape,
    holes as background), polygons largest first so an island inside another's hole stays.
    """
    from segcore.data.rasterize import BACKGROUND_LABEL, ClassList, class_map

    ox, oy = offset
    shapes: list[Shape] = []
    for poly in sorted(explode_polygons(polygonal_parts(geom)), key=lambda p: -Polygon(p.exterior).area):
        ext = _ring_points(poly.exterior.coords, ox, oy)
        if len(ext) < 3:
            continue
        shapes.append(Shape("area", ext))
        for hole in poly.interiors:
            pts = _ring_points(hole.coords, ox, oy)
            if len(pts) >= 3:
                shapes.append(Shape(BACKGROUND_LABEL, pts))
    if not shapes:
        return np.zeros((height, width), dtype=bool)
    return class_map(shapes, height, width, ClassList([BACKGROUND_LABEL, "area"])) == 1


# ----------------------------------------------------------------------------- shapes


def mask_shape(crop: np.ndarray, x0: int, y0: int, label: str, **kw) -> Shape:
    h, w = crop.shape
    return Shape(
        label=label,
        points=[(float(x0), float(y0)), (float(x0 + w - 1), float(y0 + h - 1))],
        shape_type="mask",
        mask=crop.copy(),
        **kw,
    )


def shape_kwargs(group_id: int | None, score: float | None, proposed: bool) -> dict:
    return {"group_id": group_id, "score": score, "proposed": proposed}


def polygon_to_shape(
    poly: Polygon, label: str, *, score: float | None = None, proposed: bool = False,
    group_id: int | None = None,
) -> Shape:
    """A ``polygon`` shape for a polygon without holes, else a ``mask`` shape cropped to its
    (integer) bounding box."""
    kw = shape_kwargs(group_id, score, proposed)
    if not poly.interiors:
        pts = [(float(x), float(y)) for x, y in list(poly.exterior.coords)[:-1]]
        return Shape(label=label, points=pts, shape_type="polygon", **kw)
    minx, miny, maxx, maxy = poly.bounds
    x0, y0 = math.floor(minx), math.floor(miny)
    x1, y1 = math.ceil(maxx), math.ceil(maxy)
    crop = geometry_mask(poly, y1 - y0 + 1, x1 - x0 + 1, offset=(x0, y0))
    return mask_shape(crop, x0, y0, label, **kw)


def geometry_to_shapes(geom: BaseGeometry, label: str, **kw) -> list[Shape]:
    """One shape per polygon of ``geom`` (MultiPolygon -> several); non-areas are ignored."""
    return [polygon_to_shape(p, label, **kw) for p in explode_polygons(polygonal_parts(geom)) if p.area > 0]


def _ring_geometry(shape: Shape) -> BaseGeometry:
    """A polygon-form shape's ring; a self-crossing one split into the parts the rasteriser
    fills by the even-odd rule (a bow-tie: its two triangles)."""
    poly = even_odd_region(kind_of(shape).polygon(shape) or [])
    if isinstance(poly, Polygon) and poly.is_valid:
        return poly
    return polygonal_parts(valid_geometry(poly)) or Polygon()


def _circle_geometry(shape: Shape) -> BaseGeometry:
    (cx, cy) = shape.points[0]
    return shapely.Point(cx, cy).buffer(CircleKind.radius(shape), quad_segs=16)


def _mask_geometry(shape: Shape) -> BaseGeometry:
    if shape.mask is None:
        return Polygon()
    x0, y0, _, _ = kind_of(shape).bounds(shape)
    polys = mask_to_polygons(shape.mask, tolerance=0.0)
    geom = shapely.union_all(polys) if polys else Polygon()
    return shapely.affinity.translate(geom, x0, y0)


_GEOMETRY = {"circle": _circle_geometry, "mask": _mask_geometry}
"""Area kinds without a polygon form, by kind name; the others are their polygon ring."""


def shape_to_geometry(shape: Shape) -> BaseGeometry:
    """The area a shape covers as a shapely geometry (polygon, rectangle, circle, mask,
    oriented_rectangle); other shape types (points, lines) raise ``ValueError``."""
    kind = kind_of(shape)
    if not kind.has_area:
        raise ValueError(f"a {kind.name} shape has no area")
    return _GEOMETRY.get(kind.name, _ring_geometry)(shape)


def component_shapes(
    crop: np.ndarray, x0: int, y0: int, label: str, tolerance: float, exact: bool,
    offset: tuple[int, int], kw: dict,
) -> list[Shape]:
    """Shapes for one component: its polygons, or one ``mask`` shape when the polygons do not
    reproduce it well enough (IoU < MIN_IOU, e.g. one-pixel-wide parts) or, with ``exact``,
    not pixel for pixel."""
    ox, oy = offset
    polys, rebuilt = _fit(crop, x0, y0, tolerance, raster=True)
    if exact:
        bad = not np.array_equal(rebuilt, crop)
    else:
        bad = _iou(rebuilt, crop) < MIN_IOU
    if bad or not polys or any(p.interiors for p in polys):  # a hole needs a mask: take the pixels
        return [mask_shape(crop, x0 + ox, y0 + oy, label, **kw)]
    if ox or oy:
        polys = [shapely.affinity.translate(p, ox, oy) for p in polys]
    return [polygon_to_shape(p, label, **kw) for p in polys]


def mask_to_shapes(
    mask: np.ndarray, label: str, *, tolerance: float = 1.0, min_area: float = DEFAULT_MIN_AREA,
    exact: bool = False, group_id: int | None = None, score: float | None = None,
    proposed: bool = False, offset: tuple[int, int] = (0, 0),
) -> list[Shape]:
    """Shapes covering the components of ``mask``: ``polygon`` shapes where a polygon holds the
    component, ``mask`` shapes for components with holes and for those whose polygons
    re-rasterise to IoU < MIN_IOU (thin parts). With ``exact=True`` any differing pixel makes a
    ``mask`` shape (use with ``tolerance=0`` for a lossless import: few mask shapes).
    ``offset`` (x, y) shifts the result (when ``mask`` is a crop of a larger image)."""
    kw = shape_kwargs(group_id, score, proposed)
    shapes: list[Shape] = []
    for x0, y0, crop in components(mask, min_area):
        shapes.extend(component_shapes(crop, x0, y0, label, tolerance, exact, offset, kw))
    return shapes

"""The table of LabelMe shape kinds: every rule that depends on a shape's ``shape_type``.

One small class per kind (polygon, rectangle, circle, line, linestrip, point, mask,
oriented_rectangle). Modules ask the table instead of comparing ``shape_type`` strings::

    from segcore.io.shape_kinds import KINDS, kind_of

    kind = kind_of(shape)                 # the kind of a Shape (ValueError for an unknown type)
    kind.name                             # "polygon", ...
    kind.min_points, kind.max_points      # point-count rule (max None: no limit)
    kind.point_count_problem(n)           # message for a wrong count, or None
    kind.has_area                         # marks a region (False: point, line, linestrip)
    kind.closed                           # its outline is a closed ring
    kind.editable_edges                   # a vertex may be inserted on an edge (polygon, linestrip)
    kind.pixel_grid                       # geometry is a pixel crop: no vertex edits, whole-pixel moves
    kind.bounds(shape)                    # (x0, y0, x1, y1) of its geometry (a circle's disc, a mask's pixels)
    kind.extent(shape)                    # (x0, y0, x1, y1) of every pixel it may paint
    kind.outline(shape)                   # outline vertices, (N, 2) float array (closed: first repeated)
    kind.polygon_form                     # has a polygon form (polygon, rectangle, oriented_rectangle)
    kind.polygon(shape)                   # its polygon form [(x, y), ...] (None: no polygon form)
    kind.degenerate(shape)                # why it marks no region (the message), or None
    kind.paint(shape)                     # what the rasteriser paints: a Paint record
    kind.problem(shape)                   # a kind-specific defect of a valid-looking shape, or None

Pixels come only from :mod:`segcore.data.rasterize`, which paints the :class:`Paint` records
with LabelMe's PIL calls (FORMATS.md): polygons filled with their outline (PIL's even-odd fill,
so a self-crossing "bow-tie" paints both triangles), rectangles min..max inclusive, discs,
10 px lines, points as discs of radius 5, masks pasted at their bbox. A degenerate shape (its
points on one line, a zero radius, an empty mask...) marks no region: info, the exports and
training leave it out (:mod:`segcore.data.shape_checks`) and the canvas gives it no inside.

Qt-free; no import of :mod:`segcore.io.shape` (which builds on this table).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np


class Shape(Protocol):
    """What the kinds read of a :class:`segcore.io.shape.Shape` (which builds on this module)."""

    shape_type: str
    points: Any
    mask: np.ndarray | None


LINE_WIDTH = 10
"""Width in pixels of a painted line or linestrip."""
POINT_RADIUS = 5
"""Radius in pixels of a painted point."""

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Paint:
    """What the rasteriser draws for one shape.

    ``op``: ``"polygon"`` (``points``, filled with outline), ``"rectangle"`` (``points`` = two
    sorted corners, inclusive), ``"disc"`` (``points`` = centre; ``radius``), ``"line"``
    (``points``; ``width``), ``"mask"`` (``points`` = top-left pixel; ``mask`` = bool crop).
    """

    op: str
    points: tuple[tuple[float, float], ...]
    radius: float = 0.0
    width: int = 0
    mask: np.ndarray | None = None


def collinear(points) -> bool:
    """True when all points lie on one line (or coincide): they enclose no area.

    Not the shoelace area: that is 0 for a symmetric bow-tie too, which encloses two triangles.
    """
    a = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(a) == 0:
        return True
    a = a - a[0]
    d = a[int(np.argmax(np.hypot(a[:, 0], a[:, 1])))]
    scale = float(np.hypot(*d))
    if scale == 0.0:
        return True
    u, v = a / scale, d / scale  # unit scale: huge coordinates do not overflow
    cross = u[:, 0] * v[1] - u[:, 1] * v[0]
    return bool(np.all(np.abs(cross) <= 1e-9))


def even_odd_region(points):
    """The region a ring through ``points`` fills by the even-odd rule (PIL's and the canvas's
    fill), as a valid shapely geometry: the polygon itself when the ring is simple, else the
    symmetric difference of the fan triangles ``(p0, pi, pi+1)`` (a point lies in the region
    when it lies in an odd number of them), so a bow-tie gives its two triangles and edges that
    run back over each other cancel out."""
    import shapely
    from shapely.geometry import LinearRing, Polygon

    a = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(a) < 3 or collinear(a):
        return Polygon()
    if LinearRing(_unit(a)).is_simple:
        return Polygon(a)
    region = Polygon()
    for i in range(1, len(a) - 1):
        tri = Polygon([a[0], a[i], a[i + 1]])
        if tri.area > 0:
            region = shapely.symmetric_difference(region, tri)
    return shapely.make_valid(region)


def encloses_area(points) -> bool:
    """True when a ring through ``points`` encloses area by the even-odd rule: not when its
    points lie on one line, nor when its edges only run back over each other (``A, B, A, C``)."""
    a = _unit(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    return even_odd_region(a).area > 1e-12


def _unit(a: np.ndarray) -> np.ndarray:
    """``a`` moved to start at the origin and scaled to unit size (huge coordinates do not
    overflow the geometry predicates)."""
    if not len(a):
        return a
    a = a - a[0]
    scale = float(np.abs(a).max())
    return a / scale if scale > 0 else a


def _floats(shape: Shape) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in shape.points]


def _point_bounds(points) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


class ShapeKind:
    """Rules of one shape type; subclasses override what differs."""

    name: ClassVar[str] = ""
    min_points: ClassVar[int] = 1
    max_points: ClassVar[int | None] = None
    has_area: ClassVar[bool] = True
    closed: ClassVar[bool] = True
    editable_edges: ClassVar[bool] = False
    polygon_form: ClassVar[bool] = False
    pixel_grid: ClassVar[bool] = False

    def point_count_problem(self, n: int) -> str | None:
        """Why ``n`` points do not make this kind, or None."""
        lo, hi = self.min_points, self.max_points
        if lo <= n and (hi is None or n <= hi):
            return None
        want = f"{lo}" if hi == lo else (f"at least {lo}" if hi is None else f"{lo}..{hi}")
        return f"{self.name} needs {want} points, got {n}"

    def bounds(self, shape: Shape) -> Box:
        """``(x0, y0, x1, y1)`` of the shape's geometry (its points)."""
        return _point_bounds(shape.points)

    def extent(self, shape: Shape) -> Box:
        """``(x0, y0, x1, y1)`` bounding every pixel the shape may paint (before clipping)."""
        return self.bounds(shape)

    def outline(self, shape: Shape) -> np.ndarray:
        """``(N, 2)`` float64 vertices of the drawn outline (closed rings repeat the first)."""
        pts = np.asarray(shape.points, dtype=np.float64).reshape(-1, 2)
        return np.vstack([pts, pts[:1]]) if self.closed and len(pts) else pts

    def polygon(self, shape: Shape) -> list[tuple[float, float]] | None:
        """The shape as a polygon ring (first point not repeated), or None (no polygon form)."""
        return None

    def degenerate(self, shape: Shape) -> str | None:
        """Why the shape marks no region at all (the message), or None."""
        return None

    def paint(self, shape: Shape) -> Paint:
        """What the rasteriser paints for the shape (LabelMe's PIL call)."""
        raise NotImplementedError

    def problem(self, shape: Shape) -> str | None:
        """A defect particular to this kind (beyond the point count), or None."""
        return None


class PolygonKind(ShapeKind):
    name = "polygon"
    min_points = 3
    editable_edges = True
    polygon_form = True

    def polygon(self, shape: Shape) -> list[tuple[float, float]] | None:
        return _floats(shape)

    def degenerate(self, shape: Shape) -> str | None:
        if collinear(shape.points):
            return f"{self.name} has zero area (its points lie on one line)"
        if not encloses_area(shape.points):
            return f"{self.name} has zero area (its edges only run back over each other)"
        return None

    def paint(self, shape: Shape) -> Paint:
        return Paint("polygon", tuple(_floats(shape)))


class OrientedRectangleKind(PolygonKind):
    name = "oriented_rectangle"
    min_points = 4
    max_points = 4
    editable_edges = False


class RectangleKind(ShapeKind):
    name = "rectangle"
    min_points = 2
    max_points = 2
    polygon_form = True

    def outline(self, shape: Shape) -> np.ndarray:
        (x1, y1), (x2, y2) = shape.points[:2]
        return np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]], np.float64)

    def polygon(self, shape: Shape) -> list[tuple[float, float]] | None:
        x1, y1, x2, y2 = self.bounds(shape)
        return [(float(x1), float(y1)), (float(x2), float(y1)), (float(x2), float(y2)), (float(x1), float(y2))]

    def degenerate(self, shape: Shape) -> str | None:
        (xa, ya), (xb, yb) = shape.points[:2]
        if xa == xb or ya == yb:
            return "rectangle has zero width or height"
        return None

    def paint(self, shape: Shape) -> Paint:
        x1, y1, x2, y2 = self.bounds(shape)
        return Paint("rectangle", ((float(x1), float(y1)), (float(x2), float(y2))))


class CircleKind(ShapeKind):
    name = "circle"
    min_points = 2
    max_points = 2

    @staticmethod
    def radius(shape: Shape) -> float:
        """Distance from the centre (first point) to the second point."""
        (cx, cy), (px, py) = shape.points[:2]
        return math.hypot(px - cx, py - cy)

    def bounds(self, shape: Shape) -> Box:
        (cx, cy) = shape.points[0]
        r = self.radius(shape)
        return cx - r, cy - r, cx + r, cy + r

    def outline(self, shape: Shape) -> np.ndarray:
        (cx, cy) = shape.points[0]
        r = self.radius(shape)
        t = np.linspace(0.0, 2 * math.pi, 65)
        return np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)])

    def degenerate(self, shape: Shape) -> str | None:
        return "circle has zero radius" if tuple(shape.points[0]) == tuple(shape.points[1]) else None

    def paint(self, shape: Shape) -> Paint:
        (cx, cy) = shape.points[0]
        return Paint("disc", ((float(cx), float(cy)),), radius=self.radius(shape))


class LineKind(ShapeKind):
    name = "line"
    min_points = 2
    max_points = 2
    has_area = False
    closed = False

    def extent(self, shape: Shape) -> Box:
        x0, y0, x1, y1 = self.bounds(shape)
        m = LINE_WIDTH / 2 + 1
        return x0 - m, y0 - m, x1 + m, y1 + m

    def degenerate(self, shape: Shape) -> str | None:
        if len({tuple(p) for p in shape.points}) == 1:
            return f"{self.name} has zero length"
        return None

    def paint(self, shape: Shape) -> Paint:
        return Paint("line", tuple(_floats(shape)), width=LINE_WIDTH)


class LinestripKind(LineKind):
    name = "linestrip"
    max_points = None
    editable_edges = True


class PointKind(ShapeKind):
    name = "point"
    min_points = 1
    max_points = 1
    has_area = False
    closed = False

    def extent(self, shape: Shape) -> Box:
        (cx, cy), = shape.points
        return cx - POINT_RADIUS, cy - POINT_RADIUS, cx + POINT_RADIUS, cy + POINT_RADIUS

    def paint(self, shape: Shape) -> Paint:
        (cx, cy), = _floats(shape)
        return Paint("disc", ((cx, cy),), radius=float(POINT_RADIUS))


class MaskKind(ShapeKind):
    """A bool pixel crop (``shape.mask``) whose top-left pixel is the first point; the two
    points are the crop's corner pixels (LabelMe writes ``[[x1, y1], [x2, y2]]``)."""

    name = "mask"
    min_points = 2
    max_points = 2
    pixel_grid = True

    def bounds(self, shape: Shape) -> Box:
        x0, y0 = self._origin(shape)
        h, w = shape.mask.shape if shape.mask is not None else (0, 0)
        return x0, y0, x0 + w - 1, y0 + h - 1

    def outline(self, shape: Shape) -> np.ndarray:
        return RectangleKind.outline(self, shape)

    @staticmethod
    def _origin(shape: Shape) -> tuple[int, int]:
        (x1, y1), (x2, y2) = shape.points[:2]
        return int(min(x1, x2)), int(min(y1, y2))

    def degenerate(self, shape: Shape) -> str | None:
        return "mask is empty" if shape.mask is None or not np.asarray(shape.mask).any() else None

    def paint(self, shape: Shape) -> Paint:
        crop = None if shape.mask is None else np.ascontiguousarray(shape.mask, dtype=bool)
        return Paint("mask", (self._origin(shape),), mask=crop)

    def problem(self, shape: Shape) -> str | None:
        """No mask image, or one whose size does not fit the bbox: (y2-y1+1, x2-x1+1) for
        integer corners, one pixel of slack per side for float corners (LabelMe truncates)."""
        if shape.mask is None:
            return "mask shape without a mask image"
        (x1, y1), (x2, y2) = shape.points[:2]
        h, w = np.asarray(shape.mask).shape
        want_w, want_h = abs(x2 - x1) + 1, abs(y2 - y1) + 1
        if abs(h - want_h) > 1 or abs(w - want_w) > 1:
            return (f"mask image is {w}x{h} but its bbox ({x1}, {y1})-({x2}, {y2}) needs "
                    f"{round(want_w)}x{round(want_h)}")
        return None


KINDS: dict[str, ShapeKind] = {
    k.name: k
    for k in (PolygonKind(), RectangleKind(), CircleKind(), LineKind(), LinestripKind(), PointKind(),
              OrientedRectangleKind(), MaskKind())
}
"""Every LabelMe shape type, by name, in LabelMe's order."""

AREA_KINDS: frozenset[str] = frozenset(n for n, k in KINDS.items() if k.has_area)
"""Names of the kinds that mark a region."""


def kind_of(shape: Shape) -> ShapeKind:
    """The kind of ``shape`` (``ValueError`` naming the known types for an unknown one)."""
    try:
        return KINDS[shape.shape_type]
    except (KeyError, TypeError):
        raise ValueError(f"unknown shape_type {shape.shape_type!r} (known: {', '.join(KINDS)})") from None


def degenerate(shape: Shape) -> str | None:
    """Why ``shape`` marks no region at all (``kind_of(shape).degenerate``), or None."""
    return kind_of(shape).degenerate(shape)

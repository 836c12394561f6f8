"""Objects as YOLO segmentation lines: pixel masks <-> one bridged ring of normalised points.

A YOLO segmentation line holds one polygon per object. An object of several parts, or with
holes, is written as Ultralytics' own converters write multi-part COCO polygons: the rings are
joined into one by zero-width bridges (an edge ``a -> b`` to the next ring and, after that ring,
the same edge back ``b -> a``). Rings follow the pixel conventions of FORMATS.md: an exterior
runs through the centres of its boundary pixels, a hole ring through the centres of the hole's
boundary pixels, and a part is "exterior filled minus holes filled" (outlines included).

Reading undoes the bridges (every edge whose reverse follows it is a bridge, nested like
brackets) and tells holes from parts by nesting: a ring inside an odd number of others is a
hole.
"""

from __future__ import annotations

import functools
import itertools
import math

import cv2
import numpy as np
import shapely
from PIL import Image, ImageDraw
from shapely.geometry import Polygon

Ring = list[tuple[float, float]]

SNAP = 0.01
"""A read coordinate this close (in pixels) to a whole number is that number (written
coordinates carry enough digits to land within it)."""


# ----------------------------------------------------------------------------- pixels -> rings


def mask_ring_arrays(crop: np.ndarray, x0: int, y0: int) -> list[tuple[np.ndarray, bool]]:
    """``(ring, is_hole)`` for every part and hole of a bool ``crop`` placed at ``(x0, y0)``,
    each ring an ``(n, 2)`` int array in image coordinates: the parts' exteriors (outer borders
    of the 8-connected parts) followed by the holes (outer borders of the 4-connected background
    regions that do not reach the edge of the crop)."""
    pad = np.zeros((crop.shape[0] + 2, crop.shape[1] + 2), dtype=np.uint8)
    pad[1:-1, 1:-1] = crop
    off = np.array([x0 - 1, y0 - 1], dtype=np.int64)
    parts, found = _outer_borders(pad)
    parts.sort(key=len, reverse=True)  # a part of three vertices or more first, where there is one
    out = [(c.reshape(-1, 2).astype(np.int64) + off, False) for c in parts]
    if len(parts) < found:  # some border is a hole's
        background = 1 - pad
        cv2.floodFill(background, None, (0, 0), 2, flags=4)  # the background reaching the edge
        holes = background == 1  # the rest of it
        if holes.any():
            out += [(c.reshape(-1, 2).astype(np.int64) + off, True) for c in _outer_borders(holes.view(np.uint8))[0]]
    return out


def _outer_borders(mask: np.ndarray) -> tuple[list[np.ndarray], int]:
    """The outer borders of the 8-connected regions of a uint8 ``mask`` (islands in holes
    included) and how many borders were found in all (holes' borders too)."""
    contours, hier = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None:
        return [], 0
    return [c for c, h in zip(contours, hier.reshape(-1, 4)) if h[3] == -1], len(contours)


def lattice_points(ring: np.ndarray) -> int:
    """The whole-pixel points inside or on a simple polygon with whole-pixel vertices (Pick's
    theorem: area + boundary points / 2 + 1), i.e. the pixels it covers filled with its outline."""
    a = np.asarray(ring, dtype=np.int64)
    b = np.concatenate([a[1:], a[:1]])  # each vertex's successor
    twice_area = abs(int(np.dot(a[:, 0], b[:, 1]) - np.dot(a[:, 1], b[:, 0])))
    boundary = int(np.gcd(np.abs(b[:, 0] - a[:, 0]), np.abs(b[:, 1] - a[:, 1])).sum())
    return (twice_area + boundary) // 2 + 1


def rings_valid(objects: list[list[tuple[np.ndarray, bool]]]) -> list[bool]:
    """For each object's traced rings (:func:`mask_ring_arrays`): whether every ring of three
    vertices or more is a valid simple polygon. One shapely call for every object of an image."""
    rings = [(k, r) for k, traced in enumerate(objects) for r, _ in traced if len(r) >= 3]
    out = np.ones(len(objects), dtype=bool)
    if rings:
        coords = np.concatenate([r for _, r in rings]).astype(np.float64)
        idx = np.repeat(np.arange(len(rings)), [len(r) for _, r in rings])
        ok = shapely.is_valid(shapely.polygons(shapely.linearrings(coords, indices=idx)))
        np.logical_and.at(out, np.array([k for k, _ in rings]), ok)
    return out.tolist()


def exact_by_construction(rings: list[tuple[np.ndarray, bool]], pixels: int, valid: bool | None = None) -> bool:
    """Whether traced rings are known to read back as exactly their ``pixels`` pixels without
    drawing them: every ring a valid simple polygon (one ring fills exactly the pixels on and
    inside it) and the parts' covered pixels less the holes' add up to ``pixels``. A component
    never covers fewer than its pixels that way and the sum reaches ``pixels`` only when no hole
    covers a pixel of its own part (two parts touching at a corner inside a hole do) and no
    two holes overlap; parts of different components are nested or apart (they cannot cross
    without touching), so drawing largest first keeps each. A ring of one or two vertices (a
    one-pixel part or hole, a straight one-pixel-wide run) is a point or a line, counted the
    same way. ``valid``: :func:`rings_valid` of these rings when already known."""
    if not rings or len(rings[0][0]) < 3 or not all(len(r) for r, _ in rings):
        return False
    if valid is None:
        valid = rings_valid([rings])[0]
    if not valid:
        return False
    return sum(-lattice_points(r) if hole else lattice_points(r) for r, hole in rings) == pixels


def run_rectangles(crop: np.ndarray, x0: int, y0: int) -> list[Ring]:
    """The pixels of a bool ``crop`` placed at ``(x0, y0)`` as disjoint rectangles (row runs,
    merged down while a run repeats), each a 4-vertex ring through its corner pixels' centres:
    filled with its outline, each is exactly its pixels."""
    out: list[Ring] = []
    openrun: dict[tuple[int, int], int] = {}  # (start, end) -> first row
    padded = np.zeros((crop.shape[0] + 1, crop.shape[1] + 2), dtype=np.int8)
    padded[:-1, 1:-1] = crop
    for y in range(padded.shape[0]):
        d = np.diff(padded[y])
        runs = set(zip(np.flatnonzero(d == 1).tolist(), (np.flatnonzero(d == -1) - 1).tolist()))
        for run in [r for r in openrun if r not in runs]:
            top = openrun.pop(run)
            xa, xb, ya, yb = x0 + run[0], x0 + run[1], y0 + top, y0 + y - 1
            out.append(_dedupe([(float(xa), float(ya)), (float(xb), float(ya)), (float(xb), float(yb)),
                                (float(xa), float(yb))]))  # a one-row or one-pixel run: fewer vertices
        for run in runs:
            openrun.setdefault(run, y)
    return out


def simple_rings(rings: list[Ring]) -> bool:
    """Whether every ring is a valid simple polygon with area (no spur, no self-touching)."""
    if any(len(r) < 3 for r in rings):
        return False
    return all(Polygon(r).is_valid for r in rings)


def ring_area(ring: Ring) -> float:
    if len(ring) < 3:
        return 0.0
    a = np.asarray(ring, dtype=np.float64)
    b = np.concatenate([a[1:], a[:1]])
    return abs(float(np.dot(a[:, 0], b[:, 1]) - np.dot(a[:, 1], b[:, 0]))) / 2


def rings_crop(rings: list[tuple[Ring, bool]], width: int, height: int) -> tuple[np.ndarray, int, int] | None:
    """The pixels of an object's rings (largest first; holes clear, parts fill, outlines
    included) as ``(bool crop, x0, y0)`` clipped to the image, or None when none is inside.
    Drawn at image coordinates, as :mod:`segcore.data.rasterize` draws polygons."""
    arrays = [np.asarray(ring, dtype=np.float64).reshape(-1, 2) for ring, _ in rings]
    pts = np.concatenate(arrays)
    if not len(pts):
        return None
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    x0, y0 = max(0, math.floor(lo[0]) - 1), max(0, math.floor(lo[1]) - 1)
    x1, y1 = min(width, math.ceil(hi[0]) + 2), min(height, math.ceil(hi[1]) + 2)
    if x1 <= x0 or y1 <= y0:
        return None
    # whole-pixel points are drawn on a canvas over the crop only (shifting them by whole pixels
    # is exact); others at image coordinates
    shift = np.array([x0, y0], dtype=np.float64) if bool((pts == np.round(pts)).all()) else np.zeros(2)
    ox, oy = int(shift[0]), int(shift[1])
    img = Image.new("L", (x1 - ox, y1 - oy), 0)
    draw = ImageDraw.Draw(img)
    order = range(len(rings)) if len(rings) == 1 else sorted(range(len(rings)), key=lambda k: -ring_area(arrays[k]))
    for k in order:
        ink = 0 if rings[k][1] else 1
        flat = (arrays[k] - shift).ravel().tolist()  # x, y, x, y, ...
        if len(arrays[k]) >= 3:
            draw.polygon(flat, fill=ink, outline=ink)
        elif len(arrays[k]) == 2:
            draw.line(flat, fill=ink)
        else:
            draw.point(flat, fill=ink)
    m = np.asarray(img, dtype=bool)[y0 - oy :, x0 - ox :]
    return (m, x0, y0) if m.any() else None


# ----------------------------------------------------------------------------- bridges


def _nearest(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """Indices ``(i, j)`` of a close pair of vertices ``a[i]``, ``b[j]`` (exact nearest for
    small rings; on a subsample of ``a`` for very long ones)."""
    step = max(1, (len(a) * len(b)) // 2_000_000)
    sub = a[::step]
    d2 = (sub[:, 0, None] - b[None, :, 0]) ** 2 + (sub[:, 1, None] - b[None, :, 1]) ** 2
    i, j = np.unravel_index(int(np.argmin(d2)), d2.shape)
    return int(i) * step, int(j)


def bridge_points(rings: list[np.ndarray]) -> np.ndarray:
    """:func:`bridge` on ``(n, 2)`` arrays, as one ``(m, 2)`` array."""
    out = np.asarray(rings[0]).reshape(-1, 2)
    if len(out) < 3:  # at least three vertices per line; a spur stays a spur
        out = np.concatenate([np.repeat(out[:1], 3 - len(out), axis=0), out])
    for ring in rings[1:]:
        ring = np.asarray(ring).reshape(-1, 2)
        if not len(ring):
            continue
        i, j = _nearest(out.astype(np.float64), ring.astype(np.float64))
        while i + 1 < len(out) and (out[i + 1] == out[i]).all():  # past a joined ring's doubled first vertex
            i += 1
        loop = np.concatenate([ring[j : j + 1], ring[j:], ring[:j], ring[j : j + 1]])  # closed explicitly
        out = np.concatenate([out[: i + 1], loop, out[i:]])
    return out


def bridge(rings: list[Ring]) -> Ring:
    """One ring holding every ring: each joined to the ones before it by a zero-width bridge
    between their closest vertices (the first ring should be an exterior). A joined ring
    starts with its first vertex twice, so a reader can tell it from a spur even when it has
    fewer than three vertices."""
    if len(rings) == 1 and len(rings[0]) >= 3:
        return [(float(x), float(y)) for x, y in rings[0]]
    pts = bridge_points([np.asarray(r, dtype=np.float64).reshape(-1, 2) for r in rings if len(r)] or [np.zeros((0, 2))])
    return [(float(x), float(y)) for x, y in pts.tolist()]


def _dedupe(ring: Ring) -> Ring:
    """The ring without repeated consecutive points (nor a last point equal to the first)."""
    out: Ring = [p for p, _ in itertools.groupby(ring)]
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def unbridge(points: Ring) -> list[Ring]:
    """Split a bridged ring back into its rings (see the module docstring). A loop that never
    comes back to its first point by an edge of its own is a spur (``a -> b -> a``, a part one
    pixel wide), not a ring: it comes out as the open line ``[a, b, ...]`` it traces, without
    area, so nesting gives it the side of the ring it left (:func:`holes_by_nesting`). A ring
    joined by :func:`bridge` starts with its first vertex twice; the edge to any other loop
    is kept as a line (a spur that leads to a ring, or another tool's bridge)."""
    n = len(points)
    if n < 3:
        return [list(points)]
    points = list(points)
    reverse_later, events = _edge_events(points)
    stack: list[tuple[Ring, tuple, list[bool]]] = [([], points[0], [True, False])]  # points, first, [closed, marked]
    opens: list[tuple] = []
    rings: list[Ring] = []
    done = 0
    for k in events:  # any other edge only adds its start to the loop it is on
        stack[-1][0].extend(points[done:k])
        done = k + 1
        a, b = points[k], points[(k + 1) % n]
        pts, first, state = stack[-1]
        if not pts and a == b == first:  # a joined ring starts with its first vertex twice
            state[1] = True
        pts.append(a)
        if opens and opens[-1] == (b, a):
            stack.pop()
            opens.pop()
            closed, marked = state
            if not closed:  # a spur: the open line from the ring it left
                rings.append(_dedupe([b, *pts]))
                continue
            rings.append(_dedupe(pts))
            if not marked:  # not a bridge this format writes: the edge to it is drawn too
                rings.append([b, pts[0]])
        elif reverse_later[k]:
            opens.append((a, b))
            stack.append(([], b, [False, False]))
        elif b == first:  # back at its first point by an edge of its own
            state[0] = True
    stack[-1][0].extend(points[done:])
    while len(stack) > 1:  # unbalanced: fold what is open back into its parent
        inner = stack.pop()[0]
        stack[-1][0].extend(inner)
    return [_dedupe(stack[0][0])] + rings


def _edge_events(points: Ring) -> tuple[np.ndarray, list[int]]:
    """For the edges ``k -> k + 1`` of a closed ring: whether the reverse edge comes later, and
    the edges :func:`unbridge` must look at (an edge whose reverse comes before or after it,
    a zero-length edge, an edge ending where a loop may start); the rest only continue a loop."""
    n = len(points)
    index = {p: i for i, p in enumerate(dict.fromkeys(points))}  # numbered in order of first use
    v = np.fromiter(map(index.__getitem__, points), dtype=np.int64, count=n)
    w = np.roll(v, -1)
    keys, rev, order = v * len(index) + w, w * len(index) + v, np.arange(n)
    uniq, inv = np.unique(keys, return_inverse=True)
    last = np.full(len(uniq), -1)
    np.maximum.at(last, inv, order)
    first = np.full(len(uniq), n)
    np.minimum.at(first, inv, order)
    pos = np.minimum(np.searchsorted(uniq, rev), len(uniq) - 1)
    found = uniq[pos] == rev
    reverse_later = found & (last[pos] > order) & (v != w)
    starts = np.concatenate([v[:1], w[reverse_later]])
    events = reverse_later | (found & (first[pos] < order)) | (v == w) | np.isin(w, starts)
    return reverse_later, np.flatnonzero(events).tolist()


def holes_by_nesting(rings: list[Ring]) -> list[tuple[Ring, bool]]:
    """``(ring, is_hole)``: a ring whose first vertex lies strictly inside an odd number of the
    other rings (with area) is a hole. Rings may be lists of points or ``(n, 2)`` arrays."""
    arrays = [np.asarray(r, dtype=np.float64).reshape(-1, 2) for r in rings]
    contours = [a.astype(np.float32).reshape(-1, 1, 2) if ring_area(a) > 0 else None for a in arrays]
    out = []
    for k, ring in enumerate(rings):
        depth = 0
        first = (float(ring[0][0]), float(ring[0][1]))
        for m, c in enumerate(contours):
            if m != k and c is not None and cv2.pointPolygonTest(c, first, False) > 0:
                depth += 1
        out.append((ring, depth % 2 == 1))
    return out


# ----------------------------------------------------------------------------- text


def coordinate_digits(width: int, height: int) -> int:
    """Decimals for normalised coordinates that land within :data:`SNAP` of the pixel."""
    return max(6, math.ceil(math.log10(max(width, height, 1))) + 3)


def format_line(class_index: int, ring: Ring, width: int, height: int) -> str:
    """``class x1 y1 ... xn yn`` with coordinates normalised to the image."""
    d = coordinate_digits(width, height)
    coords = " ".join(f"{x / width:.{d}f} {y / height:.{d}f}" for x, y in ring)
    return f"{class_index} {coords}"


class CoordinateText:
    """:func:`format_line` for one image size, with the text of every whole-pixel coordinate
    made once (traced outlines have only those)."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        d = coordinate_digits(width, height)
        self._xs = np.array([f"{x / width:.{d}f}" for x in range(width + 1)], dtype=object)
        self._ys = np.array([f"{y / height:.{d}f}" for y in range(height + 1)], dtype=object)
        self._d = d

    def _x(self, v: float) -> str:
        i = int(v)
        return self._xs[i] if i == v and 0 <= i <= self.width else f"{v / self.width:.{self._d}f}"

    def _y(self, v: float) -> str:
        i = int(v)
        return self._ys[i] if i == v and 0 <= i <= self.height else f"{v / self.height:.{self._d}f}"

    def line(self, class_index: int, ring: Ring) -> str:
        """``class x1 y1 ... xn yn`` with coordinates normalised to the image."""
        a = np.asarray(ring).reshape(-1, 2)
        ai = a if a.dtype.kind == "i" else a.astype(np.int64)
        if (ai is a or (ai == a).all()) and (ai >= 0).all() and (ai[:, 0] <= self.width).all() and (ai[:, 1] <= self.height).all():
            out = np.empty(2 * len(a), dtype=object)
            out[0::2] = self._xs[ai[:, 0]]
            out[1::2] = self._ys[ai[:, 1]]
            return f"{class_index} " + " ".join(out.tolist())
        return f"{class_index} " + " ".join(f"{self._x(x)} {self._y(y)}" for x, y in ring)


@functools.lru_cache(maxsize=4)
def coordinate_text(width: int, height: int) -> CoordinateText:
    """The :class:`CoordinateText` of an image size (made once per size and process)."""
    return CoordinateText(width, height)


def denormalise(values: list[float], width: int, height: int) -> Ring:
    """Pixel points from normalised ``x y x y ...`` values (snapped to whole pixels within
    :data:`SNAP`)."""
    def snap(v: float) -> float:
        r = round(v)
        return float(r) if abs(v - r) <= SNAP else v

    return [(snap(values[k] * width), snap(values[k + 1] * height)) for k in range(0, len(values) - 1, 2)]

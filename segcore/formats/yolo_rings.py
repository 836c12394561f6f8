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

import math

import cv2
import numpy as np
from PIL import Image, ImageDraw

from segcore.data.polygons import components, contour_rings

Ring = list[tuple[float, float]]

SNAP = 0.01
"""A read coordinate this close (in pixels) to a whole number is that number (written
coordinates carry enough digits to land within it)."""


# ----------------------------------------------------------------------------- pixels -> rings


def mask_rings(crop: np.ndarray, x0: int, y0: int) -> list[tuple[Ring, bool]]:
    """``(ring, is_hole)`` for every part and hole of a bool ``crop`` placed at ``(x0, y0)``,
    in image coordinates: each part's exterior followed by its holes."""
    out: list[tuple[Ring, bool]] = []
    for cx, cy, comp in components(crop):
        exteriors, holes = contour_rings(comp)
        ox, oy = x0 + cx, y0 + cy
        for ring in exteriors:
            out.append(([(float(x + ox), float(y + oy)) for x, y in ring.tolist()], False))
        for ring in holes:
            out.append(([(float(x + ox), float(y + oy)) for x, y in ring.tolist()], True))
    return out


def ring_area(ring: Ring) -> float:
    if len(ring) < 3:
        return 0.0
    a = np.asarray(ring, dtype=np.float64)
    return abs(float(np.dot(a[:, 0], np.roll(a[:, 1], -1)) - np.dot(a[:, 1], np.roll(a[:, 0], -1)))) / 2


def rings_crop(rings: list[tuple[Ring, bool]], width: int, height: int) -> tuple[np.ndarray, int, int] | None:
    """The pixels of an object's rings (largest first; holes clear, parts fill, outlines
    included) as ``(bool crop, x0, y0)`` clipped to the image, or None when none is inside.
    Drawn at image coordinates, as :mod:`segcore.data.rasterize` draws polygons."""
    pts = [p for ring, _ in rings for p in ring]
    if not pts:
        return None
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, y0 = max(0, math.floor(min(xs)) - 1), max(0, math.floor(min(ys)) - 1)
    x1, y1 = min(width, math.ceil(max(xs)) + 2), min(height, math.ceil(max(ys)) + 2)
    if x1 <= x0 or y1 <= y0:
        return None
    img = Image.new("L", (x1, y1), 0)
    draw = ImageDraw.Draw(img)
    for ring, hole in sorted(rings, key=lambda r: -ring_area(r[0])):
        ink = 0 if hole else 1
        if len(ring) >= 3:
            draw.polygon(ring, fill=ink, outline=ink)
        elif len(ring) == 2:
            draw.line(ring, fill=ink)
        else:
            draw.point(ring, fill=ink)
    m = np.array(img.crop((x0, y0, x1, y1)), dtype=bool)
    return (m, x0, y0) if m.any() else None


# ----------------------------------------------------------------------------- bridges


def _nearest(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """Indices ``(i, j)`` of a close pair of vertices ``a[i]``, ``b[j]`` (exact nearest for
    small rings; on a subsample of ``a`` for very long ones)."""
    step = max(1, (len(a) * len(b)) // 2_000_000)
    sub = a[::step]
    d2 = ((sub[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    i, j = np.unravel_index(int(np.argmin(d2)), d2.shape)
    return int(i) * step, int(j)


def bridge(rings: list[Ring]) -> Ring:
    """One ring holding every ring: each joined to the ones before it by a zero-width bridge
    between their closest vertices (the first ring should be an exterior). A joined ring
    starts with its first vertex twice, so a reader can tell it from a spur even when it has
    fewer than three vertices."""
    out = list(rings[0])
    for ring in rings[1:]:
        if not ring:
            continue
        i, j = _nearest(np.asarray(out, dtype=np.float64), np.asarray(ring, dtype=np.float64))
        loop = [ring[j], *ring[j:], *ring[:j], ring[j]]  # the repeated first point closes it explicitly
        out = out[: i + 1] + loop + out[i:]
    return out


def _dedupe(ring: Ring) -> Ring:
    out: Ring = []
    for p in ring:
        if not out or out[-1] != p:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def unbridge(points: Ring) -> list[Ring]:
    """Split a bridged ring back into its rings (see the module docstring). A loop that never
    comes back to its first point by an edge of its own is a spur (``a -> b -> a``, a part one
    pixel wide), not a ring: it comes out as the open line ``[a, b, ...]`` it traces, without
    area, so nesting gives it the side of the ring it left (:func:`holes_by_nesting`)."""
    n = len(points)
    if n < 3:
        return [list(points)]
    edges = [(points[k], points[(k + 1) % n]) for k in range(n)]
    later: dict[tuple, int] = {}
    reverse_later = [False] * n
    for k in range(n - 1, -1, -1):
        a, b = edges[k]
        reverse_later[k] = a != b and later.get((b, a), 0) > 0
        later[(a, b)] = later.get((a, b), 0) + 1
    stack: list[tuple[Ring, tuple, list[bool]]] = [([], points[0], [True])]  # (points, first, closed)
    opens: list[tuple] = []
    rings: list[Ring] = []
    for k, (a, b) in enumerate(edges):
        pts, first, closed = stack[-1]
        pts.append(a)
        if opens and opens[-1] == (b, a):
            stack.pop()
            opens.pop()
            rings.append(_dedupe(pts) if closed[0] else _dedupe([b, *pts]))
        elif reverse_later[k]:
            opens.append((a, b))
            stack.append(([], b, [False]))
        elif b == first:  # back at its first point by an edge of its own (or a repeated vertex)
            closed[0] = True
    while len(stack) > 1:  # unbalanced: fold what is open back into its parent
        inner = stack.pop()[0]
        stack[-1][0].extend(inner)
    return [_dedupe(stack[0][0])] + rings


def holes_by_nesting(rings: list[Ring]) -> list[tuple[Ring, bool]]:
    """``(ring, is_hole)``: a ring whose first vertex lies strictly inside an odd number of the
    other rings (with area) is a hole."""
    contours = [np.asarray(r, dtype=np.float32).reshape(-1, 1, 2) if ring_area(r) > 0 else None for r in rings]
    out = []
    for k, ring in enumerate(rings):
        depth = 0
        for m, c in enumerate(contours):
            if m != k and c is not None and cv2.pointPolygonTest(c, ring[0], False) > 0:
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


def denormalise(values: list[float], width: int, height: int) -> Ring:
    """Pixel points from normalised ``x y x y ...`` values (snapped to whole pixels within
    :data:`SNAP`)."""
    def snap(v: float) -> float:
        r = round(v)
        return float(r) if abs(v - r) <= SNAP else v

    return [(snap(values[k] * width), snap(values[k + 1] * height)) for k in range(0, len(values) - 1, 2)]

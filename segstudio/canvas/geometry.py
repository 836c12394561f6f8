"""Shape geometry for the canvas: outlines as Qt paths or numpy polylines, and hit tests.

All functions take a :class:`segcore.io.annotation.Shape` and work in image (scene) pixels.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath, QPainterPathStroker, QPolygonF

from segcore.io.annotation import Shape
from segcore.io.shape_kinds import KINDS, CircleKind, kind_of

POINT_PICK_PX = 4.0


def _rect_path(shape: Shape, pts: list[QPointF]) -> QPainterPath:
    path = QPainterPath()
    path.addRect(QRectF(pts[0], pts[1]).normalized())
    return path


def _circle_path(shape: Shape, pts: list[QPointF]) -> QPainterPath:
    path = QPainterPath()
    r = CircleKind.radius(shape)
    path.addEllipse(pts[0], r, r)
    return path


def _point_path(shape: Shape, pts: list[QPointF]) -> QPainterPath:
    path = QPainterPath()
    path.moveTo(pts[0])
    path.lineTo(pts[0])
    return path


def _open_path(shape: Shape, pts: list[QPointF]) -> QPainterPath:
    path = QPainterPath()
    path.addPolygon(QPolygonF(pts))
    return path


def _ring_path(shape: Shape, pts: list[QPointF]) -> QPainterPath:
    if len(pts) > 16:  # many vertices: built in C++ from numpy
        path = polylines_path([polyline(shape)])
    else:
        path = QPainterPath()
        path.addPolygon(QPolygonF(pts))
    path.closeSubpath()
    return path


def _near_point(shape: Shape, pos: QPointF, radius: float) -> bool:
    x, y = shape.points[0]
    return math.hypot(x - pos.x(), y - pos.y()) <= radius


def _near_circle(shape: Shape, pos: QPointF, radius: float) -> bool:
    (cx, cy) = shape.points[0]
    return math.hypot(pos.x() - cx, pos.y() - cy) <= CircleKind.radius(shape) + radius


def _in_box(shape: Shape, pos: QPointF, radius: float) -> bool:
    return True  # the bbox test (with the radius margin) already passed


@dataclass(frozen=True)
class CanvasKind:
    """How the canvas draws and picks one shape kind (the engine's rules: :data:`KINDS`).

    ``path`` builds the outline; ``pick`` is a kind's own hit test (None: inside the outline's
    area or near the outline); ``batched``: drawn by the shape layer's batches (polylines and
    dots); ``dot``: drawn as a screen-sized dot; ``pixels``: draws its mask crop as an image."""

    path: Callable[[Shape, list[QPointF]], QPainterPath]
    pick: Callable[[Shape, QPointF, float], bool] | None = None
    batched: bool = True
    dot: bool = False
    pixels: bool = False


CANVAS_KINDS: dict[str, CanvasKind] = {
    "polygon": CanvasKind(_ring_path),
    "oriented_rectangle": CanvasKind(_ring_path),
    "rectangle": CanvasKind(_rect_path, _in_box),
    "line": CanvasKind(_open_path),
    "linestrip": CanvasKind(_open_path),
    "point": CanvasKind(_point_path, _near_point, dot=True),
    "circle": CanvasKind(_circle_path, _near_circle, batched=False),
    "mask": CanvasKind(_rect_path, _in_box, batched=False, pixels=True),
}
"""One record per shape kind: the only place the canvas chooses by kind."""
assert set(CANVAS_KINDS) == set(KINDS), "every shape kind needs its canvas record"

AREA_TYPES = tuple(n for n, k in KINDS.items() if k.has_area)
"""Names of the kinds that mark a region."""
BATCHED_TYPES = tuple(n for n, k in CANVAS_KINDS.items() if k.batched)
"""Names of the kinds the shape layer draws in batches."""


def canvas_kind(shape: Shape) -> CanvasKind:
    """The canvas record of ``shape``'s kind."""
    return CANVAS_KINDS[kind_of(shape).name]


def is_area(shape: Shape) -> bool:
    """True for the kinds that mark a region (polygons, rectangles, circles, masks)."""
    return kind_of(shape).has_area


def has_inside(shape: Shape) -> bool:
    """True when the shape has an inside to click on and to fill: an area kind that is not
    degenerate (the engine's rule: a polygon whose points lie on one line has none)."""
    kind = kind_of(shape)
    return kind.has_area and kind.degenerate(shape) is None


def shape_path(shape: Shape) -> QPainterPath:
    """The outline of ``shape`` (closed for areas, open for line/linestrip). The path's
    odd-even fill is the area the rasteriser fills (a bow-tie: both triangles)."""
    pts = [QPointF(float(x), float(y)) for x, y in shape.points]
    if not pts:
        return QPainterPath()
    return canvas_kind(shape).path(shape, pts)


def polyline(shape: Shape) -> np.ndarray:
    """``(N, 2)`` float64 vertices of the drawn outline (closed shapes repeat the first)."""
    return kind_of(shape).outline(shape)


def bbox(shape: Shape) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` of the outline (a circle's full extent)."""
    return kind_of(shape).bounds(shape)


def polylines_path(parts: list[np.ndarray]) -> QPainterPath:
    """One ``QPainterPath`` holding every polyline of ``parts`` (built in C++ from a byte
    buffer in QPainterPath's stream format: far faster than adding points from Python)."""
    parts = [p for p in parts if len(p)]
    path = QPainterPath()
    if not parts:
        return path
    xy = np.concatenate(parts)
    n = len(xy)
    arr = np.empty(n, dtype=[("t", ">i4"), ("x", ">f8"), ("y", ">f8")])
    arr["t"] = 1  # LineToElement
    starts = np.cumsum([0] + [len(p) for p in parts[:-1]])
    arr["t"][starts] = 0  # MoveToElement
    arr["x"] = xy[:, 0]
    arr["y"] = xy[:, 1]
    buf = struct.pack(">i", n) + arr.tobytes() + struct.pack(">ii", 0, 0)  # cStart, fill rule
    stream = QDataStream(QByteArray(buf))
    stream >> path
    return path


def decimate(xy: np.ndarray, stride: int, keep: int = 8) -> np.ndarray:
    """Every ``stride``-th vertex (the last one kept, at least ``keep`` vertices)."""
    n = len(xy)
    if stride <= 1 or n <= keep:
        return xy
    stride = min(stride, max(1, (n - 1) // keep))
    if stride <= 1:
        return xy
    out = xy[::stride]
    if (n - 1) % stride:
        out = np.vstack([out, xy[-1:]])
    return out


def vertex_at(shape: Shape, pos: QPointF, radius: float) -> int | None:
    """Index of the nearest vertex within ``radius``, or None."""
    if not shape.points:
        return None
    pts = np.asarray(shape.points, dtype=np.float64).reshape(-1, 2)
    d = np.hypot(pts[:, 0] - pos.x(), pts[:, 1] - pos.y())
    k = int(np.argmin(d))
    return k if d[k] <= radius else None


def edge_at(shape: Shape, pos: QPointF, radius: float) -> tuple[int, tuple[float, float]] | None:
    """``(insert index, projected point)`` on the nearest edge within ``radius`` (kinds with
    editable edges: polygons and linestrips), or None."""
    kind = kind_of(shape)
    if not kind.editable_edges or len(shape.points) < 2:
        return None
    a = np.asarray(shape.points, dtype=np.float64).reshape(-1, 2)
    b = np.roll(a, -1, axis=0)
    if not kind.closed:
        a, b = a[:-1], b[:-1]
    p = np.array([pos.x(), pos.y()])
    d = b - a
    ll = (d * d).sum(axis=1)
    u = np.clip(((p - a) * d).sum(axis=1) / np.where(ll == 0, 1.0, ll), 0.0, 1.0)
    q = a + u[:, None] * d
    dist = np.hypot(q[:, 0] - p[0], q[:, 1] - p[1])
    k = int(np.argmin(dist))
    if dist[k] > radius:
        return None
    return k + 1, (float(q[k, 0]), float(q[k, 1]))


def hit(shape: Shape, pos: QPointF, radius: float) -> bool:
    """True when ``pos`` is inside an area shape or within ``radius`` of its outline. A
    degenerate shape has no inside (:func:`has_inside`): only its outline is picked."""
    x0, y0, x1, y1 = bbox(shape)
    px, py = pos.x(), pos.y()
    if px < x0 - radius or px > x1 + radius or py < y0 - radius or py > y1 + radius:
        return False
    pick = canvas_kind(shape).pick
    if pick is not None:
        return pick(shape, pos, radius)
    path = shape_path(shape)
    if has_inside(shape) and path.contains(pos):
        return True
    stroker = QPainterPathStroker()
    stroker.setWidth(2 * radius)
    stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
    stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return stroker.createStroke(path).contains(pos)

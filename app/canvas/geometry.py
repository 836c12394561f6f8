"""Shape geometry for the canvas: outlines as Qt paths or numpy polylines, and hit tests.

All functions take a :class:`segcore.io.annotation.Shape` and work in image (scene) pixels.
"""

from __future__ import annotations

import math
import struct

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath, QPainterPathStroker, QPolygonF

from segcore.io.annotation import Shape

AREA_TYPES = ("polygon", "rectangle", "circle", "oriented_rectangle", "mask")
# types drawn as plain polylines (batched by the shape layer)
POLYLINE_TYPES = ("polygon", "rectangle", "oriented_rectangle", "line", "linestrip")
BATCHED_TYPES = (*POLYLINE_TYPES, "point")  # what the shape layer can draw in batches
POINT_PICK_PX = 4.0


def shape_path(shape: Shape) -> QPainterPath:
    """The outline of ``shape`` (closed for areas, open for line/linestrip)."""
    pts = [QPointF(float(x), float(y)) for x, y in shape.points]
    path = QPainterPath()
    t = shape.shape_type
    if not pts:
        return path
    if t in ("rectangle", "mask") and len(pts) >= 2:
        path.addRect(QRectF(pts[0], pts[1]).normalized())
    elif t == "circle" and len(pts) >= 2:
        r = math.hypot(pts[1].x() - pts[0].x(), pts[1].y() - pts[0].y())
        path.addEllipse(pts[0], r, r)
    elif t == "point":
        path.moveTo(pts[0])
        path.lineTo(pts[0])
    elif t in ("line", "linestrip"):
        path.addPolygon(QPolygonF(pts))
    elif len(pts) > 16:  # polygon with many vertices: built in C++ from numpy
        path = polylines_path([polyline(shape)])
        path.closeSubpath()
    else:  # polygon, oriented_rectangle
        path.addPolygon(QPolygonF(pts))
        path.closeSubpath()
    return path


def polyline(shape: Shape) -> np.ndarray:
    """``(N, 2)`` float64 vertices of the drawn outline (closed shapes repeat the first)."""
    pts = np.asarray(shape.points, dtype=np.float64).reshape(-1, 2)
    t = shape.shape_type
    if t in ("rectangle", "mask") and len(pts) >= 2:
        (x1, y1), (x2, y2) = pts[0], pts[1]
        return np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]], np.float64)
    if t in ("polygon", "oriented_rectangle") and len(pts):
        return np.vstack([pts, pts[:1]])
    return pts


def bbox(shape: Shape) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` of the outline (a circle's full extent)."""
    pts = shape.points
    if shape.shape_type == "circle" and len(pts) >= 2:
        (cx, cy), (px, py) = pts[0], pts[1]
        r = math.hypot(px - cx, py - cy)
        return cx - r, cy - r, cx + r, cy + r
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


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
    """``(insert index, projected point)`` on the nearest edge within ``radius`` (polygons and
    linestrips only), or None."""
    if shape.shape_type not in ("polygon", "linestrip") or len(shape.points) < 2:
        return None
    a = np.asarray(shape.points, dtype=np.float64).reshape(-1, 2)
    b = np.roll(a, -1, axis=0)
    if shape.shape_type == "linestrip":
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
    """True when ``pos`` is inside an area shape or within ``radius`` of its outline."""
    x0, y0, x1, y1 = bbox(shape)
    px, py = pos.x(), pos.y()
    if px < x0 - radius or px > x1 + radius or py < y0 - radius or py > y1 + radius:
        return False
    t = shape.shape_type
    if t == "point":
        x, y = shape.points[0]
        return math.hypot(x - px, y - py) <= radius
    if t == "circle":
        (cx, cy), (qx, qy) = shape.points[:2]
        return math.hypot(px - cx, py - cy) <= math.hypot(qx - cx, qy - cy) + radius
    if t in ("rectangle", "mask"):
        return True  # inside the bbox test above (with the radius margin)
    path = shape_path(shape)
    if t in AREA_TYPES and path.contains(pos):
        return True
    stroker = QPainterPathStroker()
    stroker.setWidth(2 * radius)
    stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
    stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return stroker.createStroke(path).contains(pos)

"""Intelligent scissors: the path between two clicks snaps to image edges.

OpenCV's :class:`cv2.segmentation.IntelligentScissorsMB` computes a shortest-path map from the
anchor over a whole picture, which costs about as much as the picture's size. So the map is
built lazily on a window around the anchor and the pointer only: the bounding box of the two
points grown by half their distance (at least ``margin``, at least ``window`` pixels a side),
so an edge may bulge out of the straight line between the clicks. While the pointer stays
inside that window a new preview costs one path look-up; leaving it rebuilds a window a
quarter larger than needed. A window longer than ``max_side`` is shrunk to it (coarser, still
fast); the path is then re-densified and its ends pinned to the exact clicks.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Point = tuple[float, float]


class IntelligentScissors:
    """Live-wire segments on ``image`` ((H, W, 3) or (H, W) uint8).

    ``roi`` ``(x0, y0, x1, y1)`` limits every search to that part of the image; by default the
    whole image may be used but each map covers only a window around the anchor.
    """

    def __init__(
        self,
        image: np.ndarray,
        roi: Sequence[int] | None = None,
        *,
        window: int = 64,
        max_side: int = 480,
        margin: int = 24,
        canny: tuple[float, float] = (32.0, 100.0),
        gradient_limit: float = 200.0,
    ) -> None:
        if image.ndim not in (2, 3) or image.dtype != np.uint8:
            raise ValueError(f"expected an (H, W[, 3]) uint8 image, got {image.shape} {image.dtype}")
        if image.ndim == 3:
            image = image[:, :, :3]
        self.image = image
        h, w = image.shape[:2]
        if roi is None:
            roi = (0, 0, w, h)
        rx0, ry0, rx1, ry1 = (int(v) for v in roi)
        self.bounds = (max(0, rx0), max(0, ry0), min(w, rx1), min(h, ry1))
        if self.bounds[2] - self.bounds[0] < 2 or self.bounds[3] - self.bounds[1] < 2:
            raise ValueError(f"scissors region {tuple(roi)} is empty inside a {w}x{h} image")
        self.window, self.max_side, self.margin = int(window), int(max_side), int(margin)
        self._canny, self._limit = canny, gradient_limit
        self.anchor: tuple[int, int] | None = None
        self._tool: cv2.segmentation.IntelligentScissorsMB | None = None
        self._win: tuple[int, int, int, int] = (0, 0, 0, 0)
        self._scale = 1.0

    # -------------------------------------------------------------- public
    def set_anchor(self, pt: Point) -> None:
        """Start a new segment at ``pt`` (image pixels); the map is built by :meth:`path_to`."""
        self.anchor = self._clip(pt)
        self._tool = None

    def path_to(self, pt: Point) -> np.ndarray:
        """The edge-following path from the anchor to ``pt``: ``(N, 2)`` int ``(x, y)`` points.

        The first point is the anchor, the last one ``pt`` (clipped to the region).
        """
        if self.anchor is None:
            raise RuntimeError("IntelligentScissors.path_to called before set_anchor")
        target = self._clip(pt)
        if target == self.anchor:
            return np.array([self.anchor], dtype=np.int64)
        if self._tool is None or not self._inside(target):
            self._build(self._window_for(target, grow=1.0 if self._tool is None else 1.25))
        x0, y0 = self._win[:2]
        s = self._scale
        local = (int(round((target[0] - x0) * s)), int(round((target[1] - y0) * s)))
        local = (min(local[0], self._size[0] - 1), min(local[1], self._size[1] - 1))
        contour = self._tool.getContour(local).reshape(-1, 2)
        pts = np.round(contour / s).astype(np.int64) + (x0, y0)
        # pin both ends to the exact clicks; a shrunk window's path gets re-densified
        pts = np.concatenate([[self.anchor], pts, [target]]).astype(np.int64)
        return _densify(_dedupe(pts))

    # -------------------------------------------------------------- internals
    def _clip(self, pt: Point) -> tuple[int, int]:
        bx0, by0, bx1, by1 = self.bounds
        return (
            int(np.clip(round(float(pt[0])), bx0, bx1 - 1)),
            int(np.clip(round(float(pt[1])), by0, by1 - 1)),
        )

    @property
    def scale(self) -> float:
        """Scale of the current map (1.0 = full resolution, less when the window was shrunk)."""
        return self._scale

    def _window_for(self, target: tuple[int, int], grow: float) -> tuple[int, int, int, int]:
        (ax, ay), (tx, ty) = self.anchor, target
        pad = grow * max(self.margin, 0.5 * max(abs(tx - ax), abs(ty - ay)))
        cx, cy = (ax + tx) / 2, (ay + ty) / 2
        hw = max(self.window / 2, abs(tx - ax) / 2 + pad)
        hh = max(self.window / 2, abs(ty - ay) / 2 + pad)
        return int(cx - hw), int(cy - hh), int(np.ceil(cx + hw)) + 1, int(np.ceil(cy + hh)) + 1

    def _inside(self, p: tuple[int, int]) -> bool:
        x0, y0, x1, y1 = self._win
        bx0, by0, bx1, by1 = self.bounds
        # a point near a window edge that is not the region's edge would be cut off
        mx0 = 0 if x0 == bx0 else 4
        my0 = 0 if y0 == by0 else 4
        mx1 = 0 if x1 == bx1 else 4
        my1 = 0 if y1 == by1 else 4
        return x0 + mx0 <= p[0] < x1 - mx1 and y0 + my0 <= p[1] < y1 - my1 and self._scale == 1.0

    def _build(self, win: tuple[int, int, int, int]) -> None:
        bx0, by0, bx1, by1 = self.bounds
        x0, y0 = max(bx0, win[0]), max(by0, win[1])
        x1, y1 = min(bx1, win[2]), min(by1, win[3])
        crop = np.ascontiguousarray(self.image[y0:y1, x0:x1])
        side = max(x1 - x0, y1 - y0)
        self._scale = min(1.0, self.max_side / side)
        if self._scale < 1.0:
            size = (max(2, round((x1 - x0) * self._scale)), max(2, round((y1 - y0) * self._scale)))
            crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        tool = cv2.segmentation.IntelligentScissorsMB()
        tool.setEdgeFeatureCannyParameters(*self._canny)
        tool.setGradientMagnitudeMaxLimit(self._limit)
        tool.applyImage(crop)
        ax, ay = self.anchor
        s = self._scale
        local = (
            min(int(round((ax - x0) * s)), crop.shape[1] - 1),
            min(int(round((ay - y0) * s)), crop.shape[0] - 1),
        )
        tool.buildMap(local)
        self._tool, self._win, self._size = tool, (x0, y0, x1, y1), (crop.shape[1], crop.shape[0])


def _densify(pts: np.ndarray) -> np.ndarray:
    """Insert points so that consecutive points are at most 1 px apart (Chebyshev)."""
    out = [pts[0]]
    for a, b in zip(pts[:-1], pts[1:]):
        n = int(np.abs(b - a).max())
        for k in range(1, n + 1):
            out.append(np.round(a + (b - a) * k / n).astype(np.int64))
    return np.array(out, dtype=np.int64)


def _dedupe(pts: np.ndarray) -> np.ndarray:
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
    return pts[keep]


def scissors_polygon(segments: Sequence[np.ndarray], *, tolerance: float = 0.0) -> np.ndarray:
    """Join consecutive scissors paths into one closed ring ``(N, 2)`` float, first not repeated.

    ``tolerance`` > 0 simplifies it (Douglas-Peucker, pixels) so the polygon keeps few vertices.
    """
    parts = [np.asarray(s, dtype=np.int64).reshape(-1, 2) for s in segments if len(s)]
    if not parts:
        return np.zeros((0, 2))
    ring = _dedupe(np.concatenate(parts))
    if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
        ring = ring[:-1]
    if tolerance > 0 and len(ring) > 3:
        ring = cv2.approxPolyDP(ring.reshape(-1, 1, 2).astype(np.int32), tolerance, True).reshape(-1, 2)
    return ring.astype(float)

"""Box to polygon: OpenCV GrabCut on a downscaled region of interest around the user's box.

The box plus a margin (background samples for the colour model) is cut out of the image and
shrunk so its longer side is at most ``max_side`` pixels; GrabCut runs there (outside the box is
background, inside "probably foreground", the user's strokes definite foreground/background),
and the result is upsampled smoothly to the region, cleaned (largest components kept, pin holes
filled) and returned as a :class:`RegionMask`. The cost depends on ``max_side`` only, not on the
image or box size.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from segcore.interactive.region import RegionMask, fill_small_holes, keep_components

Stroke = Sequence[tuple[float, float]]
DEFAULT_MAX_SIDE = 170


def _as_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"expected an (H, W, 3) image, got shape {image.shape}")
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    return image[:, :, :3]


def normalise_box(box: Sequence[float], width: int, height: int) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)`` from two corners in any order, clipped, exclusive right/bottom."""
    if len(box) != 4:
        raise ValueError(f"a box is (x0, y0, x1, y1), got {box!r}")
    xa, ya, xb, yb = (float(v) for v in box)
    if not all(np.isfinite([xa, ya, xb, yb])):
        raise ValueError(f"box has non-finite coordinates: {box!r}")
    x0 = int(np.clip(np.floor(min(xa, xb)), 0, width))
    x1 = int(np.clip(np.floor(max(xa, xb)) + 1, 0, width))
    y0 = int(np.clip(np.floor(min(ya, yb)), 0, height))
    y1 = int(np.clip(np.floor(max(ya, yb)) + 1, 0, height))
    if x1 - x0 < 4 or y1 - y0 < 4:
        raise ValueError(f"box {box!r} is too small (needs at least 4x4 pixels inside the image)")
    return x0, y0, x1, y1


class GrabCutSession:
    """One box being segmented: the region, its downscaled copy, GrabCut's labelling and models.

    :meth:`run` segments with the strokes given so far; later calls add strokes and refine from
    the current labelling and colour models (``GC_EVAL``), which is cheaper than starting over
    and keeps what the user already fixed. Strokes outside the region (box plus ``margin``, plus
    the ``include`` points) are clipped to it.
    """

    def __init__(
        self,
        image: np.ndarray,
        box: Sequence[float],
        *,
        include: Sequence[Stroke] = (),
        stroke_radius: float = 3.0,
        iterations: int = 3,
        max_side: int = DEFAULT_MAX_SIDE,
        margin: float = 0.15,
        keep_ratio: float = 0.2,
        hole_ratio: float = 0.01,
        seed: int | None = 0,
    ) -> None:
        image = _as_rgb(image)
        h, w = image.shape[:2]
        self.box = normalise_box(box, w, h)
        bx0, by0, bx1, by1 = self.box
        pad = max(8, int(round(margin * max(bx1 - bx0, by1 - by0))))
        for stroke in include:  # the region must also hold these points (e.g. the strokes)
            pts = np.asarray(stroke, dtype=float).reshape(-1, 2)
            if len(pts):
                bx0, by0 = min(bx0, int(pts[:, 0].min()) - 2), min(by0, int(pts[:, 1].min()) - 2)
                bx1, by1 = max(bx1, int(pts[:, 0].max()) + 3), max(by1, int(pts[:, 1].max()) + 3)
        self.x0, self.y0 = max(0, bx0 - pad), max(0, by0 - pad)
        x1, y1 = min(w, bx1 + pad), min(h, by1 + pad)
        roi = np.ascontiguousarray(image[self.y0 : y1, self.x0 : x1])
        self.roi_size = (roi.shape[1], roi.shape[0])
        rw, rh = self.roi_size
        scale = min(1.0, max_side / max(rh, rw))
        sw, sh = max(1, round(rw * scale)), max(1, round(rh * scale))
        self.small = cv2.resize(roi, (sw, sh), interpolation=cv2.INTER_AREA) if scale < 1 else roi
        self.sx, self.sy = sw / rw, sh / rh
        # outside the box: background; the box: "probably foreground"
        ix0, iy0, ix1, iy1 = self.box
        self.gc = np.full((sh, sw), cv2.GC_BGD, np.uint8)
        r0 = (int(np.floor((ix0 - self.x0) * self.sx)), int(np.floor((iy0 - self.y0) * self.sy)))
        r1 = (int(np.ceil((ix1 - self.x0) * self.sx)), int(np.ceil((iy1 - self.y0) * self.sy)))
        self.gc[r0[1] : r1[1], r0[0] : r1[0]] = cv2.GC_PR_FGD
        if not (self.gc == cv2.GC_BGD).any():
            # GrabCut needs samples of both; a box covering the whole image has no background
            self.gc[0, :] = self.gc[-1, :] = cv2.GC_PR_BGD
            self.gc[:, 0] = self.gc[:, -1] = cv2.GC_PR_BGD
        self.fg_seed = np.zeros((sh, sw), np.uint8)
        self.stroke_radius, self.iterations, self.seed = stroke_radius, iterations, seed
        self.keep_ratio, self.hole_ratio = keep_ratio, hole_ratio
        self._models: tuple[np.ndarray, np.ndarray] | None = None

    def add_strokes(self, fg_strokes: Sequence[Stroke] = (), bg_strokes: Sequence[Stroke] = ()) -> None:
        """Paint definite foreground/background polylines (image points) into the labelling."""
        thick = max(1, int(round(2 * self.stroke_radius * min(self.sx, self.sy))))
        for strokes, value in ((bg_strokes, cv2.GC_BGD), (fg_strokes, cv2.GC_FGD)):
            for stroke in strokes:
                pts = np.asarray(stroke, dtype=float).reshape(-1, 2)
                if not len(pts):
                    continue
                pts = np.round((pts - (self.x0, self.y0)) * (self.sx, self.sy)).astype(np.int32)
                _paint(self.gc, pts, value, thick)
                _paint(self.fg_seed, pts, int(value == cv2.GC_FGD), thick)

    def run(
        self, fg_strokes: Sequence[Stroke] = (), bg_strokes: Sequence[Stroke] = (), iterations: int | None = None
    ) -> RegionMask:
        """Add the strokes, (re)segment and return the cleaned region mask."""
        self.add_strokes(fg_strokes, bg_strokes)
        fg_any = ((self.gc == cv2.GC_PR_FGD) | (self.gc == cv2.GC_FGD)).any()
        bg_any = ((self.gc == cv2.GC_PR_BGD) | (self.gc == cv2.GC_BGD)).any()
        if fg_any and bg_any:
            n = max(1, int(self.iterations if iterations is None else iterations))
            if self._models is None:
                if self.seed is not None:
                    cv2.setRNGSeed(int(self.seed))
                bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
                cv2.grabCut(self.small, self.gc, None, bgd, fgd, n, cv2.GC_INIT_WITH_MASK)
                self._models = (bgd, fgd)
            else:
                cv2.grabCut(self.small, self.gc, None, *self._models, n, cv2.GC_EVAL)
        return self._region()

    def _region(self) -> RegionMask:
        fg = ((self.gc == cv2.GC_FGD) | (self.gc == cv2.GC_PR_FGD)).astype(np.float32)
        if self.small.shape[:2] != (self.roi_size[1], self.roi_size[0]):
            fg = cv2.resize(fg, self.roi_size, interpolation=cv2.INTER_LINEAR)
            seeds = cv2.resize(self.fg_seed, self.roi_size, interpolation=cv2.INTER_NEAREST) > 0
        else:
            seeds = self.fg_seed > 0
        mask = fg > 0.5
        if mask.any():
            mask = keep_components(mask, min_ratio=self.keep_ratio, keep_seeds=seeds)
            mask = fill_small_holes(mask, self.hole_ratio * np.count_nonzero(mask))
        return RegionMask(mask, self.x0, self.y0)


def grabcut_region(
    image: np.ndarray,
    box: Sequence[float],
    *,
    fg_strokes: Sequence[Stroke] = (),
    bg_strokes: Sequence[Stroke] = (),
    stroke_radius: float = 3.0,
    iterations: int = 3,
    max_side: int = DEFAULT_MAX_SIDE,
    margin: float = 0.15,
    keep_ratio: float = 0.2,
    hole_ratio: float = 0.01,
    seed: int | None = 0,
) -> RegionMask:
    """Segment the object inside ``box`` (image pixels, two corners) and return its region mask.

    ``fg_strokes``/``bg_strokes`` are polylines (lists of ``(x, y)`` image points) painted with
    ``stroke_radius`` as definite foreground/background; strokes may leave the box. ``margin``
    is the fraction of the box size added on each side as background context. Components
    smaller than ``keep_ratio`` of the largest are dropped unless a foreground stroke touches
    them; holes smaller than ``hole_ratio`` of the object area are filled. GrabCut's colour
    models start from k-means, so ``seed`` (OpenCV's global RNG) makes a result repeatable;
    ``None`` leaves the RNG alone. One-shot form of :class:`GrabCutSession`.
    """
    session = GrabCutSession(
        image, box, include=(*fg_strokes, *bg_strokes), stroke_radius=stroke_radius,
        iterations=iterations, max_side=max_side, margin=margin, keep_ratio=keep_ratio,
        hole_ratio=hole_ratio, seed=seed,
    )
    return session.run(fg_strokes, bg_strokes)


def _paint(canvas: np.ndarray, pts: np.ndarray, value: int, thickness: int) -> None:
    if len(pts) == 1:
        cv2.circle(canvas, tuple(int(v) for v in pts[0]), max(1, thickness // 2), int(value), -1)
    else:
        cv2.polylines(canvas, [pts.reshape(-1, 1, 2)], False, int(value), thickness)


def grabcut_box(
    image: np.ndarray,
    box: Sequence[float],
    *,
    fg_strokes: Sequence[Stroke] = (),
    bg_strokes: Sequence[Stroke] = (),
    iterations: int = 3,
    max_side: int = DEFAULT_MAX_SIDE,
    **kwargs: float,
) -> np.ndarray:
    """Like :func:`grabcut_region` but returns the full-size ``(H, W)`` bool mask."""
    region = grabcut_region(
        image,
        box,
        fg_strokes=fg_strokes,
        bg_strokes=bg_strokes,
        iterations=iterations,
        max_side=max_side,
        **kwargs,
    )
    return region.full(image.shape[0], image.shape[1])

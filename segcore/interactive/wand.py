"""Magic wand: the connected region around a click whose colour is close to the clicked colour.

Tolerance is a *fixed range* around the seed pixel (``cv2.FLOODFILL_FIXED_RANGE``): a pixel
joins when every channel differs from the seed pixel's channel by at most ``tolerance``
(0..255), and it is 4- or 8-connected to the seed through such pixels. A fixed range was chosen
over OpenCV's default floating range (neighbour-to-neighbour differences) because a floating
range leaks through smooth gradients into the whole image; a fixed range is predictable (the
same click gives the same region whatever path the fill took) and is what users know from
image editors.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from segcore.interactive.region import RegionMask


def magic_wand_region(
    image: np.ndarray,
    seed_xy: Sequence[float],
    tolerance: float,
    *,
    connectivity: int = 8,
    roi: Sequence[int] | None = None,
) -> RegionMask:
    """Flood-fill from ``seed_xy`` (image pixels) and return the filled region as a crop.

    ``roi`` ``(x0, y0, x1, y1)`` limits the fill to a window (default: the whole image).
    """
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")
    if not 0 <= tolerance <= 255:
        raise ValueError(f"tolerance must be within 0..255, got {tolerance}")
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError(f"expected an (H, W[, C]) uint8 image, got {image.shape} {image.dtype}")
    if image.ndim == 3:
        image = image[:, :, :3]
    h, w = image.shape[:2]
    x0, y0, x1, y1 = (0, 0, w, h) if roi is None else (int(v) for v in roi)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    sx, sy = int(round(float(seed_xy[0]))), int(round(float(seed_xy[1])))
    if not (x0 <= sx < x1 and y0 <= sy < y1):
        raise ValueError(f"seed ({seed_xy[0]}, {seed_xy[1]}) is outside the image/region {w}x{h}")
    view = image[y0:y1, x0:x1]
    if not view.flags.c_contiguous:
        view = np.ascontiguousarray(view)
    mask = np.zeros((y1 - y0 + 2, x1 - x0 + 2), np.uint8)
    t = float(tolerance)
    diff = (t, t, t) if view.ndim == 3 else t
    flags = connectivity | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (1 << 8)
    _, _, _, rect = cv2.floodFill(view, mask, (sx - x0, sy - y0), 0, diff, diff, flags)
    rx, ry, rw, rh = rect
    crop = mask[1 + ry : 1 + ry + rh, 1 + rx : 1 + rx + rw].astype(bool)
    return RegionMask(crop, x0 + rx, y0 + ry)


def magic_wand(
    image: np.ndarray,
    seed_xy: Sequence[float],
    tolerance: float,
    *,
    connectivity: int = 8,
    roi: Sequence[int] | None = None,
) -> np.ndarray:
    """The full-size ``(H, W)`` bool mask of :func:`magic_wand_region`."""
    region = magic_wand_region(image, seed_xy, tolerance, connectivity=connectivity, roi=roi)
    return region.full(image.shape[0], image.shape[1])

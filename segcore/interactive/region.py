"""A mask that covers only a region of interest of a (possibly huge) image.

Interactive tools work on a window around the user's gesture, never the whole image: the
result is a :class:`RegionMask` (a bool crop plus its offset) that turns into a full-size mask
or into shapely geometry in image coordinates only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import shapely
from shapely import affinity
from shapely.geometry.base import BaseGeometry

from segcore.data.polygons import mask_to_polygons
from segcore.interactive.cleanup import drop_small_components, drop_small_parts


@dataclass
class RegionMask:
    """``mask`` (bool, h x w) placed with its top-left pixel at ``(x0, y0)`` of the image."""

    mask: np.ndarray
    x0: int = 0
    y0: int = 0

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)`` exclusive bounds of the crop in image pixels."""
        h, w = self.mask.shape
        return self.x0, self.y0, self.x0 + w, self.y0 + h

    def area(self) -> int:
        """Number of selected pixels."""
        return int(np.count_nonzero(self.mask))

    def full(self, height: int, width: int) -> np.ndarray:
        """The mask pasted into a ``(height, width)`` bool array (clipped to it)."""
        out = np.zeros((height, width), dtype=bool)
        x0, y0, x1, y1 = self.bbox
        cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
        if cx1 > cx0 and cy1 > cy0:
            out[cy0:cy1, cx0:cx1] = self.mask[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
        return out

    def combine(self, other: RegionMask, op: str) -> RegionMask:
        """``self`` union (``"add"``) or minus (``"subtract"``) ``other``, on their joint bbox."""
        if op not in ("add", "subtract"):
            raise ValueError(f"op must be 'add' or 'subtract', got {op!r}")
        if op == "subtract":
            out = self.mask.copy()
            ax0, ay0, ax1, ay1 = self.bbox
            bx0, by0, bx1, by1 = other.bbox
            ix0, iy0, ix1, iy1 = max(ax0, bx0), max(ay0, by0), min(ax1, bx1), min(ay1, by1)
            if ix1 > ix0 and iy1 > iy0:
                cut = other.mask[iy0 - by0 : iy1 - by0, ix0 - bx0 : ix1 - bx0]
                out[iy0 - ay0 : iy1 - ay0, ix0 - ax0 : ix1 - ax0] &= ~cut
            return RegionMask(out, self.x0, self.y0)
        x0, y0 = min(self.x0, other.x0), min(self.y0, other.y0)
        x1, y1 = max(self.bbox[2], other.bbox[2]), max(self.bbox[3], other.bbox[3])
        out = np.zeros((y1 - y0, x1 - x0), dtype=bool)
        for r in (self, other):
            h, w = r.mask.shape
            out[r.y0 - y0 : r.y0 - y0 + h, r.x0 - x0 : r.x0 - x0 + w] |= r.mask
        return RegionMask(out, x0, y0)

    def without_small_components(self, min_area: float, *, keep_largest: bool = False) -> RegionMask:
        """This region less its connected components of fewer than ``min_area`` pixels (see
        :func:`segcore.interactive.cleanup.drop_small_components`)."""
        return RegionMask(drop_small_components(self.mask, min_area, keep_largest=keep_largest), self.x0, self.y0)

    def geometry(
        self, *, tolerance: float = 1.0, min_area: float = 0.0, max_pixels: int | None = None,
        keep_largest: bool = False,
    ) -> BaseGeometry:
        """The selected pixels as a (Multi)Polygon in image coordinates (vertices on pixel centres).

        Goes through :func:`segcore.data.polygons.mask_to_polygons` (one polygon per 8-connected
        component, holes kept); empty geometry when nothing is selected. Components of fewer
        than ``min_area`` pixels, and traced polygons of less than ``min_area`` square pixels
        (specks joined by one pixel corner come out of tracing as polygons of their own), are
        dropped; ``keep_largest`` keeps the largest whatever its size (see
        :mod:`segcore.interactive.cleanup`). With ``max_pixels``, a crop larger than that is
        traced on a shrunk copy (area-averaged, so the outline moves by under one shrunk pixel)
        and scaled back: a preview of a huge region stays fast.
        """
        mask, f = self.mask, 1.0
        if max_pixels is not None and mask.size > max_pixels:
            f = float(np.sqrt(max_pixels / mask.size))
            h, w = mask.shape
            size = (max(1, round(w * f)), max(1, round(h * f)))
            mask = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) >= 0.5
        if min_area > 0:
            mask = drop_small_components(mask, min_area * f * f, keep_largest=keep_largest)
        polys = mask_to_polygons(mask, tolerance=tolerance)
        if not polys:
            return shapely.Polygon()
        geom = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
        if min_area > 0:
            geom = drop_small_parts(geom, min_area * f * f, keep_largest=keep_largest)
            if geom.is_empty:
                return geom
        if f != 1.0:  # pixel centre i of the shrunk crop covers full pixels (i+0.5)/f - 0.5
            sx, sy = self.mask.shape[1] / mask.shape[1], self.mask.shape[0] / mask.shape[0]
            geom = affinity.affine_transform(geom, [sx, 0, 0, sy, (sx - 1) / 2, (sy - 1) / 2])
            # outline through shrunk boundary-pixel centres = full-res block centres, which lie
            # (s - 1) / 2 px inside the full-res boundary-pixel centres: grow by that much
            geom = geom.buffer((min(sx, sy) - 1) / 2, join_style="mitre")
        if self.x0 or self.y0:
            geom = affinity.translate(geom, self.x0, self.y0)
        return geom


def keep_components(
    mask: np.ndarray, *, min_ratio: float = 0.2, keep_seeds: np.ndarray | None = None
) -> np.ndarray:
    """Keep the largest 8-connected component and those at least ``min_ratio`` of its area.

    Components that contain a pixel of ``keep_seeds`` (bool, same shape) are kept too.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 2:
        return mask.astype(bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(n, dtype=bool)
    keep[1:] = areas >= max(1, areas.max() * min_ratio)
    if keep_seeds is not None and keep_seeds.any():
        keep[np.unique(labels[keep_seeds])] = True
        keep[0] = False
    return keep[labels]


def fill_small_holes(mask: np.ndarray, max_hole_area: float) -> np.ndarray:
    """Fill background components not touching the border with fewer than ``max_hole_area`` px."""
    if max_hole_area <= 0:
        return mask
    inv = (~mask).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=4)
    if n <= 1:
        return mask
    h, w = mask.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    inner = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)
    fill = inner & (stats[:, cv2.CC_STAT_AREA] < max_hole_area)
    fill[0] = False
    return mask | fill[labels]

"""Which parts of a smart tool's result are kept: the rule against debris.

A tool's raw result can carry debris: specks of the clicked colour joined to the region by a
single pixel corner (traced, they become separate 3-point polygons), islands GrabCut leaves
around an object, a sliver where a brush stroke left the image and came back in. Parts with
less than ``min_area`` (square image pixels) are dropped when the result is committed.

``keep_largest=True`` keeps the largest part whatever its size: what a person picked with a
wand click or painted with a dab stays, only what came along with it goes (the eraser does not
use it: a scrap the eraser leaves behind goes too).

- :func:`drop_small_components`: the rule on a bool mask (connected components, pixel counts).
- :func:`drop_small_parts`: the rule on polygonal geometry (polygon areas), for what tracing or
  geometry operations split off.
"""

from __future__ import annotations

import cv2
import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

DEFAULT_MIN_AREA = 30.0
"""Smallest part (square image pixels) a smart tool commits, unless it is the only one."""


def drop_small_components(
    mask: np.ndarray, min_area: float, *, keep_largest: bool = False, connectivity: int = 8
) -> np.ndarray:
    """``mask`` without its connected components of fewer than ``min_area`` pixels.

    Components with at least ``min_area`` pixels are returned untouched; with ``keep_largest``
    the largest component is kept too (so a non-empty mask stays non-empty).
    """
    m = np.asarray(mask, dtype=bool)
    if m.ndim != 2:
        raise ValueError(f"mask must be 2-D, got shape {m.shape}")
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")
    if min_area <= 1 or not m.any():
        return m.copy()
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m.astype(np.uint8), connectivity=connectivity)
    areas = stats[:, cv2.CC_STAT_AREA]
    keep = areas >= min_area
    keep[0] = False
    if keep_largest and n > 1:
        keep[1 + int(np.argmax(areas[1:]))] = True
    return keep[labels]


def _polygons(geom: BaseGeometry | None) -> list[Polygon]:
    """The non-empty polygons of ``geom``, collections and multi-parts opened up."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for part in geom.geoms for p in _polygons(part)]
    return []


def drop_small_parts(geom: BaseGeometry | None, min_area: float, *, keep_largest: bool = False) -> BaseGeometry:
    """The polygons of ``geom`` with an area of at least ``min_area`` (their holes kept).

    Non-polygonal parts (lines, points) are dropped. With ``keep_largest`` the largest polygon
    is kept too. Returns a Polygon (possibly empty) or a MultiPolygon.
    """
    polys = _polygons(geom)
    kept = [p for p in polys if p.area >= min_area and p.area > 0]
    if keep_largest and polys and not kept:
        largest = max(polys, key=lambda p: p.area)
        kept = [largest] if largest.area > 0 else []
    if not kept:
        return Polygon()
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)

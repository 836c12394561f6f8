"""Label map -> shapes, fast: the hot path of pre-annotation (:func:`segcore.data.polygons.label_map_to_shapes`).

Per class, whole-image work is one ``cv2.connectedComponentsWithStats`` and one
``cv2.findContours(RETR_CCOMP)`` (each outer contour is one 8-connected component, its children
are the component's holes). Per component the work stays on its bounding-box crop:
Douglas-Peucker on the traced ring (``cv2.approxPolyDP``), the re-rasterised IoU check with the
very pixel rules of :mod:`segcore.data.rasterize` (PIL, drawn at image coordinates so the check
sees exactly what :func:`segcore.data.rasterize.shape_mask` will paint), the mean confidence
(``cv2.mean`` under the component mask). The validity of a class's simplified rings is checked
in one vectorised shapely call.

The guarantees are those of the reference per-component path in :mod:`segcore.data.polygons`
(``component_shapes``): a component whose simplified ring is invalid, degenerate or
re-rasterises to IoU < :data:`segcore.data.polygons.MIN_IOU` is handed to that path (tolerance
halving, make_valid, a ``mask`` shape as the last resort); a component with a hole of positive
area becomes a ``mask`` shape of its pixels, as there.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np
import shapely
from PIL import Image, ImageDraw
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from segcore.data.polygons import (
    DEFAULT_MIN_AREA,
    MIN_IOU,
    component_shapes,
    contour_rings,
    explode_polygons,
    mask_shape,
    polygonal_parts,
    ring_polygon,
    shape_kwargs,
    valid_geometry,
)
from segcore.io.annotation import Shape

__all__ = ["class_shapes"]


def _has_real_hole(crop: np.ndarray, x0: int, y0: int, hole_borders: list[np.ndarray]) -> bool:
    """Whether a component (bool ``crop`` at ``(x0, y0)``) has a hole whose ring has positive
    area -- the reference path's test (its hole rings run through the hole pixels' centres, so
    a one-pixel-thin hole has no area and is no hole there). Each hole lies inside the bounding
    box of its border (``hole_borders``: RETR_CCOMP's child contours), so the test runs on
    that small window; any enclosed region found there is a hole of the component."""

    for border in hole_borders:
        bx, by, bw, bh = cv2.boundingRect(border)
        _, holes = contour_rings(crop[by - y0 : by - y0 + bh, bx - x0 : bx - x0 + bw])
        if any(ring_polygon(r) is not None for r in holes if len(r) >= 3):
            return True
    return False


def _traced_parts(contours: list[np.ndarray]) -> list[list[Polygon] | None]:
    """Each traced outer contour as the reference path's unsimplified parts: one valid polygon
    (counter-clockwise in shapely's sense, as ``orient(p, 1.0)``), or, for a pinched ring, the
    polygons of its ``make_valid`` (one-pixel-wide bridges dropped). None where the geometry has
    no area or a part has a hole (the reference path decides those). GEOS's work is vectorised
    over the class's contours."""

    out: list[list[Polygon] | None] = [None] * len(contours)
    lens = np.array([len(c) for c in contours])
    idx = np.flatnonzero(lens >= 3)
    if len(idx) == 0:
        return out
    xy = np.concatenate([contours[k] for k in idx.tolist()]).reshape(-1, 2).astype(np.float64)
    n = lens[idx]
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    nxt = np.arange(1, len(xy) + 1)
    nxt[starts + n - 1] = starts  # each ring's last vertex wraps to its first
    signed2 = np.add.reduceat(xy[:, 0] * xy[nxt, 1] - xy[:, 1] * xy[nxt, 0], starts)
    # clockwise rings are reversed keeping their first vertex (as shapely's orient does)
    order = np.arange(len(xy))
    for r in np.flatnonzero(signed2 < 0).tolist():
        s0, e0 = starts[r], starts[r] + n[r]
        order[s0 + 1 : e0] = order[s0 + 1 : e0][::-1]
    ok_ring = signed2 != 0  # a zero-area ring makes no polygon
    if not ok_ring.any():
        return out
    ring_id = np.repeat(np.arange(len(idx)), n)
    keep = ok_ring[ring_id]
    renumber = np.cumsum(ok_ring) - 1
    polys = shapely.polygons(shapely.linearrings(xy[order][keep], indices=renumber[ring_id[keep]]))
    idx = idx[ok_ring].tolist()
    for k, poly, ok in zip(idx, polys, shapely.is_valid(polys)):
        if ok:
            out[k] = [poly]
            continue
        parts = [orient(p, 1.0) for p in explode_polygons(polygonal_parts(valid_geometry(poly))) if p.area > 0]
        if parts and not any(p.interiors for p in parts):
            out[k] = parts
    return out


def _draw_iou(rings: list[np.ndarray], crop: np.ndarray, x0: int, y0: int) -> float:
    """IoU of the polygons ``rings`` (image coordinates, each filled with its outline as
    :mod:`segcore.data.rasterize` paints it, PIL) with the component ``crop`` at ``(x0, y0)``. Drawn
    shifted into the crop, as the reference path's check does: the vertices are integers, so
    PIL's edge sums come out the same as at image coordinates."""
    h, w = crop.shape
    img = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(img)
    for ring in rings:
        draw.polygon((ring - (x0, y0)).ravel().tolist(), fill=1, outline=1)
    drawn = np.asarray(img, dtype=bool)
    inter = np.count_nonzero(drawn & crop)
    union = np.count_nonzero(drawn) + np.count_nonzero(crop) - inter
    return 1.0 if union == 0 else inter / union


def _fit_all(parts: dict[int, list[Polygon]], crops: dict[int, tuple[np.ndarray, int, int]],
             tolerance: float, min_iou: float) -> tuple[dict[int, list[np.ndarray]], list[int], list[int]]:
    """The reference path's tolerance schedule for many components at once: simplify every
    pending component's parts at ``tol`` (one vectorised GEOS call), keep those whose polygons
    re-rasterise to IoU >= ``min_iou``, halve ``tol`` for the rest, then drop it (0: the traced
    rings themselves). Returns (component -> accepted rings without closing vertex,
    components whose simplification went invalid or empty -- for the reference path --,
    components short of ``min_iou`` even unsimplified -- mask shapes)."""
    done: dict[int, list[np.ndarray]] = {}
    odd: list[int] = []
    pending = sorted(parts)
    tol = float(tolerance)
    while pending:
        flat = [p for j in pending for p in parts[j]]
        owner = np.repeat(np.arange(len(pending)), [len(parts[j]) for j in pending])
        geoms = np.array(flat, dtype=object)
        if tol > 0 and min_iou > 0:
            geoms = shapely.simplify(geoms, tol, preserve_topology=True)
        good = (shapely.is_valid(geoms) & (shapely.area(geoms) > 0)
                & (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0))
        coords, which = shapely.get_coordinates(geoms, return_index=True)
        bounds = np.searchsorted(which, np.arange(len(geoms) + 1))
        rings_of: dict[int, list[np.ndarray]] = {}
        bad_owner = set(owner[~good].tolist())
        for g in range(len(geoms)):
            ring = coords[bounds[g] : bounds[g + 1] - 1]
            if len(ring) < 3:
                bad_owner.add(int(owner[g]))
            rings_of.setdefault(int(owner[g]), []).append(ring)
        still: list[int] = []
        for o, j in enumerate(pending):
            if o in bad_owner:
                odd.append(j)
                continue
            crop, x0, y0 = crops[j]
            if min_iou <= 0 or _draw_iou(rings_of[o], crop, x0, y0) >= min_iou:
                done[j] = rings_of[o]
            else:
                still.append(j)
        if tol <= 0 or min_iou <= 0:
            return done, odd, still
        pending = still
        tol = 0.0 if tol <= 0.25 else tol / 2
    return done, odd, []


def class_shapes(
    mask: np.ndarray, label: str, *, confidence: np.ndarray | None = None, tolerance: float = 1.0,
    min_area: float = 0.0, proposed: bool = False,
) -> list[Shape]:
    """Shapes for the 8-connected components of one class's ``mask`` (bool or 0/1 uint8, H x W)
    with at least ``min_area`` pixels, in component (raster) order, as the reference path
    gives them: ``polygon`` shapes at the largest tolerance (``tolerance``, halved, 0) whose
    polygons re-rasterise to IoU >= MIN_IOU with the component, else one ``mask`` shape; a
    ``mask`` shape where the component has a hole. ``score`` is the mean ``confidence`` over
    the component when given."""

    m = np.ascontiguousarray(mask, dtype=np.uint8)
    # labels only: OpenCV's statistics pass costs ~4x the labelling; the outer borders give
    # each component's bounding box, its crop gives its area
    n, labels = cv2.connectedComponents(m, connectivity=8, ltype=cv2.CV_32S)
    if n <= 1:
        return []
    contours, hierarchy = cv2.findContours(m, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    hier = hierarchy.reshape(-1, 4)  # next, previous, first child, parent
    floor = max(float(min_area), 1.0)
    outer: dict[int, int] = {}  # component id -> index of its outer border (one per component)
    crops: dict[int, tuple[np.ndarray, int, int]] = {}
    for k in np.flatnonzero(hier[:, 3] == -1).tolist():
        c = contours[k]
        x0, y0, w, h = cv2.boundingRect(c)
        if w * h < floor:
            continue
        i = int(labels[c[0, 0, 1], c[0, 0, 0]])
        crop = labels[y0 : y0 + h, x0 : x0 + w] == i
        if np.count_nonzero(crop) >= floor:
            outer[i] = k
            crops[i] = (crop, x0, y0)
    comp_ids = sorted(outer)  # label order: the reference path's (raster) order

    kws: dict[int, dict] = {}
    holed: set[int] = set()
    for i in comp_ids:
        crop, x0, y0 = crops[i]
        score = None
        if confidence is not None:
            h, w = crop.shape
            score = float(cv2.mean(confidence[y0 : y0 + h, x0 : x0 + w], mask=crop.view(np.uint8))[0])
        kws[i] = shape_kwargs(None, score, proposed)
        child = int(hier[outer[i], 2])
        if child != -1:  # hole borders: the outer border's children, linked by "next"
            borders = []
            while child != -1:
                borders.append(contours[child])
                child = int(hier[child, 0])
            if _has_real_hole(crop, x0, y0, borders):
                holed.add(i)
    traceable = [i for i in comp_ids if i not in holed]
    traced = dict(zip(traceable, _traced_parts([contours[outer[i]] for i in traceable])))
    parts = {i: p for i, p in traced.items() if p is not None}
    done, odd, coarse = _fit_all(parts, crops, tolerance, MIN_IOU)
    odd_set = set(odd) | {i for i, p in traced.items() if p is None}
    masked = holed | set(coarse)

    shapes: list[Shape] = []
    for i in comp_ids:
        crop, x0, y0 = crops[i]
        if i in masked:  # a hole, or no polygon holds it: the pixels
            shapes.append(mask_shape(crop, x0, y0, label, **kws[i]))
        elif i in odd_set:  # the reference path decides
            shapes.extend(component_shapes(crop, x0, y0, label, tolerance, False, (0, 0), kws[i]))
        else:
            for ring in done[i]:
                pts = [(x, y) for x, y in ring.tolist()]
                shapes.append(Shape(label=label, points=pts, shape_type="polygon", **kws[i]))
    return shapes


def label_map_to_shapes(
    label_map: np.ndarray, class_names: list[str], *, confidence: np.ndarray | None = None,
    tolerance: float = 1.0, min_area: float = DEFAULT_MIN_AREA, skip: Iterable[int] = (0, 255),
    proposed: bool = False,
) -> list[Shape]:
    """Shapes for every class present in ``label_map`` (class id = index into ``class_names``),
    one per connected component (see :func:`mask_to_shapes`), holes kept; ``score`` = mean
    ``confidence`` over the component when ``confidence`` (H, W) is given. Ids in ``skip``
    (background, ignore) are left out. Traced a class at a time by
    :func:`class_shapes`: the same shapes as the per-component path of
    :func:`mask_to_shapes`, ~4x faster (the pre-annotation hot path)."""
    lm = np.asarray(label_map)
    if lm.ndim != 2:
        raise ValueError(f"label map must be 2-D, got shape {lm.shape}")
    if confidence is not None:
        confidence = np.asarray(confidence)
        if confidence.shape != lm.shape:
            raise ValueError(f"confidence shape {confidence.shape} differs from label map {lm.shape}")
        # one contiguous float array up front: cv2.mean reads its crops
        confidence = np.ascontiguousarray(confidence, dtype=np.float64 if confidence.dtype == np.float64 else np.float32)
    skip_set = {int(s) for s in skip}
    if lm.dtype == np.uint8:  # a histogram is ~10x faster than np.unique's sort
        present = np.flatnonzero(np.bincount(lm.ravel(), minlength=256)).tolist()
    else:
        present = [int(c) for c in np.unique(lm)]
    shapes: list[Shape] = []
    for cid in present:
        if cid in skip_set:
            continue
        if not 0 <= cid < len(class_names):
            raise ValueError(f"label map holds class id {cid} but only {len(class_names)} class names")
        shapes.extend(class_shapes(lm == cid, class_names[cid], confidence=confidence, tolerance=tolerance,
                                   min_area=min_area, proposed=proposed))
    return shapes

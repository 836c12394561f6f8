"""Label map -> shapes, fast: the hot path of pre-annotation (:func:`segcore.data.polygons.label_map_to_shapes`).

Per class, whole-image work is one ``cv2.findContours(RETR_CCOMP)`` (each outer contour is one
8-connected component, its children are the component's holes); a component's pixels come from
its filled outline, less the filled outlines of the components sitting in its holes. Per
component the work stays on its bounding-box crop: Douglas-Peucker on the traced ring
(``shapely.simplify``, vectorised per class), the re-rasterised IoU check with the
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

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

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
    explode_polygons,
    hole_rings,
    mask_shape,
    polygonal_parts,
    ring_polygon,
    shape_kwargs,
    valid_geometry,
)
from segcore.io.annotation import Shape
from segcore.io.shape import preencode_mask

__all__ = ["class_shapes", "label_map_to_shapes"]

MAX_THREADS = 4
PARALLEL_PIXELS = 1 << 18
"""Label maps of at least this many pixels have their classes traced in parallel threads."""


def _component_crop(sub: np.ndarray, border: np.ndarray, x0: int, y0: int, inside: Iterable[np.ndarray] = ()) -> np.ndarray:
    """The pixels (bool, bounding-box crop ``sub`` of the class mask at ``(x0, y0)``) of the
    component whose outer ``border`` starts the trace: the class pixels within its filled
    outline (drawn through the border pixels), less the other components sitting in its
    holes. Those are among the outer borders ``inside`` (the others whose bounding box lies
    within this one's): one whose first pixel falls within the outline lies in a hole, and its
    own filled outline (with whatever sits in its holes) is taken out. No outline reaches a
    pixel of another component (two components never touch, not even at a corner), so this
    is exactly the border's 8-connected component."""
    h, w = sub.shape
    filled = np.zeros((h, w), np.uint8)
    cv2.drawContours(filled, [border], 0, 1, thickness=cv2.FILLED, offset=(-x0, -y0))
    for other in inside:
        if filled[other[0, 0, 1] - y0, other[0, 0, 0] - x0]:
            cv2.drawContours(filled, [other], 0, 0, thickness=cv2.FILLED, offset=(-x0, -y0))
    return filled.astype(bool) & (sub != 0)


def _label_order(crop: np.ndarray, x0: int, y0: int, top: int) -> tuple[int, int]:
    """Where ``cv2.connectedComponents`` numbers a component (bool ``crop`` at ``(x0, y0)``, its
    first row ``top``): its labelling scans 2x2 blocks, row pair by row pair, so a component's
    label follows its first block (a 2x2 block never holds two 8-connected components)."""
    pair = top // 2
    rows = crop[max(2 * pair - y0, 0) : 2 * pair + 2 - y0]
    return pair, (x0 + int(np.flatnonzero(rows.any(axis=0))[0])) // 2


def _has_real_hole(crop: np.ndarray, x0: int, y0: int, hole_borders: list[np.ndarray]) -> bool:
    """Whether a component (bool ``crop`` at ``(x0, y0)``) has a hole whose ring has positive
    area -- the reference path's test (its hole rings run through the hole pixels' centres, so
    a one-pixel-thin hole has no area and is no hole there). Each hole lies inside the bounding
    box of its border (``hole_borders``: RETR_CCOMP's child contours), so the test runs on
    that small window; any enclosed region found there is a hole of the component."""

    for border in hole_borders:
        bx, by, bw, bh = cv2.boundingRect(border)
        holes = hole_rings(crop[by - y0 : by - y0 + bh, bx - x0 : bx - x0 + bw])
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


ATLAS_PIXELS = 1 << 22
"""Pixels of one scratch image the IoU checks draw into (bounds their memory)."""


def _draw_ious(items: list[tuple[list[np.ndarray], np.ndarray, int, int]]) -> list[float]:
    """IoU of each item's polygons ``rings`` (image coordinates, each filled with its outline
    as :mod:`segcore.data.rasterize` paints it, PIL) with its component ``crop`` at ``(x0, y0)``.

    The crops are laid side by side on shared scratch images (shelves of up to
    :data:`ATLAS_PIXELS`), each item's polygons drawn into its own slot: a polygon whose
    vertices are among its traced ring's never leaves the ring's bounding box, so slots do not
    bleed into each other, and the shifts are integers, so PIL's edge sums come out the same as
    at image coordinates (the reference path draws each component on its own crop)."""
    out: list[float] = []
    start = 0
    while start < len(items):
        width = max(1024, max(c.shape[1] for _, c, _, _ in items[start:]))
        slots: list[tuple[int, int]] = []
        x = y = shelf = 0
        end = start
        while end < len(items):
            h, w = items[end][1].shape
            if x + w > width:
                x, y, shelf = 0, y + shelf + 1, 0
            if slots and (y + h) * width > ATLAS_PIXELS:
                break
            slots.append((x, y))
            x, shelf = x + w + 1, max(shelf, h)
            end += 1
        img = Image.new("L", (width, y + shelf), 0)
        draw = ImageDraw.Draw(img)
        for (ax, ay), (rings, _crop, x0, y0) in zip(slots, items[start:end]):
            for ring in rings:
                draw.polygon((ring - (x0 - ax, y0 - ay)).ravel().tolist(), fill=1, outline=1)
        atlas = np.asarray(img)  # 0/1 uint8: no conversion pass over the whole atlas
        for (ax, ay), (_rings, crop, _x0, _y0) in zip(slots, items[start:end]):
            h, w = crop.shape
            drawn = atlas[ay : ay + h, ax : ax + w]
            inter = np.count_nonzero(drawn & crop)
            union = np.count_nonzero(drawn) + np.count_nonzero(crop) - inter
            out.append(1.0 if union == 0 else inter / union)
        start = end
    return out


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
        checked = [(o, j) for o, j in enumerate(pending) if o not in bad_owner]
        odd.extend(j for o, j in enumerate(pending) if o in bad_owner)
        ious = _draw_ious([(rings_of[o], *crops[j]) for o, j in checked]) if min_iou > 0 else [1.0] * len(checked)
        for (o, j), iou in zip(checked, ious):
            if iou >= min_iou:
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
    # No labelling pass over the whole image: each outer border (RETR_CCOMP's top level) is one
    # 8-connected component, and its pixels come from its own bounding box (see _component_crop)
    contours, hierarchy = cv2.findContours(m, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    hier = hierarchy.reshape(-1, 4)  # next, previous, first child, parent
    floor = max(float(min_area), 1.0)
    outer: dict[tuple[int, int], int] = {}  # component (first pixel y, x) -> index of its outer border
    crops: dict[tuple[int, int], tuple[np.ndarray, int, int]] = {}
    tops = np.flatnonzero(hier[:, 3] == -1)
    rects = np.array([cv2.boundingRect(contours[k]) for k in tops.tolist()]).reshape(-1, 4)
    lo, hi = rects[:, :2], rects[:, :2] + rects[:, 2:]
    for n, k in enumerate(tops.tolist()):
        c = contours[k]
        x0, y0, w, h = rects[n].tolist()
        if w * h < floor:
            continue
        inside: list[np.ndarray] = []
        if int(hier[k, 2]) != -1:  # it has holes: other components may sit in them
            within = (lo >= lo[n]).all(axis=1) & (hi <= hi[n]).all(axis=1)
            within[n] = False
            inside = [contours[j] for j in tops[within].tolist()]
        crop = _component_crop(m[y0 : y0 + h, x0 : x0 + w], c, x0, y0, inside)
        if np.count_nonzero(crop) >= floor:
            key = _label_order(crop, x0, y0, int(c[0, 0, 1]))
            outer[key] = k
            crops[key] = (crop, x0, y0)
    comp_ids = sorted(outer)  # cv2.connectedComponents' label order: the reference path's order

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
    if lm.dtype == np.uint8:  # OpenCV's histogram: ~3x faster than np.bincount, ~30x than np.unique
        hist = cv2.calcHist([np.ascontiguousarray(lm)], [0], None, [256], [0, 256]).ravel()
        present = np.flatnonzero(hist).tolist()
        pixels = dict(zip(present, hist[present].tolist()))
    else:
        present, counts = np.unique(lm, return_counts=True)
        present = [int(c) for c in present]
        pixels = dict(zip(present, counts.tolist()))
    todo = [cid for cid in present if cid not in skip_set]
    for cid in todo:
        if not 0 <= cid < len(class_names):
            raise ValueError(f"label map holds class id {cid} but only {len(class_names)} class names")

    def one(cid: int) -> list[Shape]:
        shapes = class_shapes(lm == cid, class_names[cid], confidence=confidence, tolerance=tolerance,
                              min_area=min_area, proposed=proposed)
        for s in shapes:  # the PNG text a save will write, made here where the classes run in parallel
            preencode_mask(s)
        return shapes

    workers = min(len(todo), os.cpu_count() or 1, MAX_THREADS)
    if workers < 2 or lm.size < PARALLEL_PIXELS:
        return [s for cid in todo for s in one(cid)]
    # OpenCV, GEOS (shapely's vectorised calls) and numpy release the GIL: classes traced in
    # threads use the cores the model's forward has just left idle. Largest classes first
    # (their work grows with their pixels), so no thread is left with a big class at the end
    # while the others idle; the shapes still come in class order
    order = sorted(todo, key=lambda cid: -pixels[cid])
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trace") as pool:
        found = dict(zip(order, pool.map(one, order)))
    return [s for cid in todo for s in found[cid]]

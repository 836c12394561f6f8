"""segcore.interactive.cleanup: the rule of which parts of a smart tool's result are kept
(properties over random masks and geometry), and the tools' results that go through it."""

from __future__ import annotations

import cv2
import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segcore.data.polygons import shape_to_geometry
from segcore.interactive import (
    RegionMask,
    brush_shapes,
    drop_small_components,
    drop_small_parts,
    magic_wand_region,
)
from segcore.io.annotation import Shape


def _components(mask: np.ndarray, connectivity: int = 8) -> list[np.ndarray]:
    n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=connectivity)
    return [labels == i for i in range(1, n)]


masks = arrays(np.bool_, st.tuples(st.integers(1, 24), st.integers(1, 24)))


@settings(max_examples=150, deadline=None)
@given(mask=masks, min_area=st.integers(0, 40), keep_largest=st.booleans(), connectivity=st.sampled_from([4, 8]))
def test_drop_small_components_keeps_exactly_the_big_components(mask, min_area, keep_largest, connectivity):
    out = drop_small_components(mask, min_area, keep_largest=keep_largest, connectivity=connectivity)
    assert out.dtype == bool and out.shape == mask.shape
    assert not (out & ~mask).any()  # nothing added
    comps = _components(mask, connectivity)
    largest = max((c.sum() for c in comps), default=0)
    for comp in comps:
        big = comp.sum() >= min_area
        if big:
            assert out[comp].all()  # big components untouched
        elif not (keep_largest and comp.sum() == largest):
            assert not out[comp].any()  # small ones gone
    kept = _components(out, connectivity)
    small_kept = [c for c in kept if c.sum() < min_area]
    assert len(small_kept) <= (1 if keep_largest else 0)
    if keep_largest and mask.any():
        assert out.any() and all(c.sum() == largest for c in small_kept)


boxes = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(1, 12), st.integers(1, 12)), min_size=0, max_size=6
)


@settings(max_examples=150, deadline=None)
@given(rects=boxes, min_area=st.floats(0, 80), keep_largest=st.booleans())
def test_drop_small_parts_keeps_exactly_the_big_polygons(rects, min_area, keep_largest):
    geom = shapely.union_all([shapely.box(x, y, x + w, y + h) for x, y, w, h in rects]) if rects else shapely.Polygon()
    parts = [p for p in shapely.get_parts(geom) if not p.is_empty]
    out = drop_small_parts(geom, min_area, keep_largest=keep_largest)
    kept = [p for p in shapely.get_parts(out) if not p.is_empty]
    assert all(isinstance(p, shapely.Polygon) for p in kept)
    big = [p for p in parts if p.area >= min_area]
    for p in big:  # big parts untouched
        assert any(k.equals(p) for k in kept)
    small_kept = [k for k in kept if k.area < min_area]
    if keep_largest and parts:
        assert kept and len(small_kept) <= 1
        assert all(k.area == max(p.area for p in parts) for k in small_kept)
    else:
        assert small_kept == []
    assert len(kept) == len(big) + len(small_kept)


def test_drop_small_parts_ignores_lines_and_points():
    geom = shapely.GeometryCollection([shapely.box(0, 0, 10, 10), shapely.LineString([(20, 0), (30, 0)]),
                                       shapely.Point(40, 40)])
    assert drop_small_parts(geom, 5).equals(shapely.box(0, 0, 10, 10))
    assert drop_small_parts(shapely.box(0, 0, 2, 2), 5).is_empty
    assert drop_small_parts(shapely.box(0, 0, 2, 2), 5, keep_largest=True).equals(shapely.box(0, 0, 2, 2))
    assert drop_small_parts(None, 5).is_empty


def _region_with_corner_specks():
    """A colour block with specks of its colour joined to it by single pixel corners: traced,
    each speck is a polygon of its own."""
    img = np.full((150, 200, 3), 200, np.uint8)
    c = (90, 140, 220)
    img[20:100, 30:150] = c
    img[100:102, 150:152] = c  # a 2x2 speck at a corner
    img[100, 29] = img[101, 28] = img[101, 27] = img[102, 27] = c
    img[60, 150] = img[61, 151] = img[61, 152] = img[62, 152] = c
    img[50:53, 153:155] = c
    img[53, 152] = img[54, 151] = img[55, 150] = c
    return img


def test_region_geometry_drops_traced_specks():
    region = magic_wand_region(_region_with_corner_specks(), (60, 60), 10)
    raw = region.geometry(tolerance=1.0)
    assert len(shapely.get_parts(raw)) > 1  # what tracing alone gives
    clean = region.geometry(tolerance=1.0, min_area=30)
    assert isinstance(clean, shapely.Polygon) and clean.area == max(p.area for p in shapely.get_parts(raw))
    shrunk = region.geometry(tolerance=1.0, min_area=30, max_pixels=region.mask.size // 4)
    assert isinstance(shrunk, shapely.Polygon)
    tiny = RegionMask(np.ones((3, 3), bool), 5, 5)
    assert tiny.geometry(min_area=30).is_empty
    assert tiny.geometry(min_area=30, keep_largest=True).area == 4
    assert np.array_equal(tiny.without_small_components(30, keep_largest=True).mask, tiny.mask)
    assert not tiny.without_small_components(30).mask.any()


def test_brush_stroke_leaving_the_image_leaves_no_sliver():
    stroke = [(40, 30), (40, -20), (3, -20), (-6, 2)]  # out at the top, back in at the corner
    raw = brush_shapes(None, stroke, 8, label="a", bounds=(200, 150))
    assert len(raw) == 2 and min(shape_to_geometry(s).area for s in raw) < 30
    shapes = brush_shapes(None, stroke, 8, label="a", bounds=(200, 150), min_area=30)
    assert len(shapes) == 1 and shape_to_geometry(shapes[0]).area > 500
    dab = brush_shapes(None, [(50, 50)], 1.5, label="a", min_area=30)  # smaller, but all there is
    assert len(dab) == 1


def test_eraser_drops_the_scraps_it_leaves():
    shape = Shape("a", [(10.0, 10.0), (60.0, 10.0), (60.0, 30.0), (10.0, 30.0)])
    # erases x 21..59: leaves the left part and a 1 px strip on the right
    raw = brush_shapes(shape, [(40, 0), (40, 60)], 19, erase=True)
    assert len(raw) == 2
    cut = brush_shapes(shape, [(40, 0), (40, 60)], 19, erase=True, min_area=30)
    assert len(cut) == 1 and shape_to_geometry(cut[0]).bounds[2] <= 21.5
    everything = brush_shapes(shape, [(5, 30), (65, 30)], 30, erase=True, min_area=30)
    assert everything == []

"""segcore.polygons: components with holes, simplification, validity, re-rasterisation."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from shapely.geometry import MultiPolygon, Polygon, box

from segcore import polygons as P
from segcore.annotation import Shape
from segcore.rasterize import ClassList, class_map, shape_mask


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    u = np.count_nonzero(a | b)
    return 1.0 if u == 0 else np.count_nonzero(a & b) / u


def _ring_image() -> np.ndarray:
    m = np.zeros((40, 50), dtype=bool)
    m[5:30, 8:40] = True
    m[12:20, 15:25] = False  # a hole
    return m


def test_square_with_hole_gives_one_polygon_with_interior():
    m = _ring_image()
    polys = P.mask_to_polygons(m, tolerance=0)
    assert len(polys) == 1
    poly = polys[0]
    assert poly.is_valid and len(poly.interiors) == 1
    # vertices on pixel centres: the exterior runs through the outer boundary pixels
    xs, ys = poly.exterior.xy
    assert min(xs) == 8 and max(xs) == 39 and min(ys) == 5 and max(ys) == 29
    assert np.array_equal(P.geometry_mask(poly, *m.shape), m)


def test_hole_becomes_mask_shape_that_rasterises_exactly():
    m = _ring_image()
    (poly,) = P.mask_to_polygons(m, tolerance=1.0)
    shape = P.polygon_to_shape(poly, "cat", score=0.5, proposed=True)
    assert shape.shape_type == "mask" and shape.score == 0.5 and shape.proposed
    shape.validate()
    assert np.array_equal(shape_mask(shape, *m.shape), m)
    (via_shapes,) = P.mask_to_shapes(m, "cat", tolerance=2.0)  # a hole: the pixels, exactly
    assert via_shapes.shape_type == "mask" and np.array_equal(shape_mask(via_shapes, *m.shape), m)


def test_polygon_without_hole_is_polygon_shape_reproducing_component():
    m = np.zeros((30, 30), dtype=bool)
    m[3:20, 4:9] = True
    m[15:25, 4:28] = True  # an L
    (poly,) = P.mask_to_polygons(m, tolerance=0)
    shape = P.polygon_to_shape(poly, "x")
    assert shape.shape_type == "polygon"
    assert all(float(x).is_integer() and float(y).is_integer() for x, y in shape.points)
    assert np.array_equal(shape_mask(shape, 30, 30), m)
    (simple,) = P.mask_to_polygons(m, tolerance=1.0)
    assert len(simple.exterior.coords) <= len(poly.exterior.coords)
    assert _iou(shape_mask(P.polygon_to_shape(simple, "x"), 30, 30), m) >= 0.98


def test_eight_connected_components_and_min_area():
    m = np.zeros((20, 20), dtype=bool)
    m[2:6, 2:6] = True
    m[6:10, 6:10] = True  # touches the first only diagonally: same component
    m[15:17, 15:17] = True  # a small separate blob of 4 px
    comps = list(P.components(m))
    assert len(comps) == 2
    assert sorted(int(c.sum()) for _, _, c in comps) == [4, 32]
    assert len(list(P.components(m, min_area=5))) == 1
    polys = P.mask_to_polygons(m, tolerance=0, min_area=5)
    assert all(p.is_valid for p in polys)
    assert sum(p.area for p in polys) > 0
    assert P.mask_to_polygons(np.zeros((4, 4), bool)) == []


def test_mask_to_shapes_exact_falls_back_to_mask_for_thin_parts():
    m = np.zeros((20, 20), dtype=bool)
    m[2:12, 2:12] = True
    m[12:18, 6] = True  # one-pixel-wide spur: no valid polygon holds it
    m[15, 15] = True  # a single pixel
    shapes = P.mask_to_shapes(m, "a", tolerance=0, exact=True, group_id=3)
    rebuilt = np.zeros_like(m)
    for s in shapes:
        assert s.group_id == 3
        rebuilt |= shape_mask(s, 20, 20)
    assert np.array_equal(rebuilt, m)
    assert {s.shape_type for s in shapes} == {"mask"}  # the spur forced a mask shape


def test_shape_to_geometry_and_back():
    rect = Shape("r", [(10.0, 20.0), (2.0, 4.0)], shape_type="rectangle")
    assert P.shape_to_geometry(rect).equals(box(2, 4, 10, 20))
    circ = P.shape_to_geometry(Shape("c", [(10.0, 10.0), (13.0, 14.0)], shape_type="circle"))
    assert abs(circ.area - np.pi * 25) < 0.5
    m = np.zeros((6, 7), dtype=bool)
    m[1:5, 1:6] = True
    ms = Shape("m", [(100.0, 50.0), (106.0, 55.0)], shape_type="mask", mask=m)
    g = P.shape_to_geometry(ms)
    assert g.bounds == (101.0, 51.0, 105.0, 54.0)
    with pytest.raises(ValueError):
        P.shape_to_geometry(Shape("l", [(0.0, 0.0), (5.0, 5.0)], shape_type="line"))
    multi = MultiPolygon([box(0, 0, 5, 5), box(10, 10, 12, 14)])
    shapes = P.geometry_to_shapes(multi, "z", group_id=1)
    assert len(shapes) == 2 and all(s.shape_type == "polygon" and s.group_id == 1 for s in shapes)
    bow = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # self-intersecting
    assert P.shape_to_geometry(Shape("b", list(bow.exterior.coords)[:-1])).is_valid


def test_label_map_to_shapes_scores_and_skip():
    lm = np.zeros((30, 30), dtype=np.uint8)
    lm[2:10, 2:10] = 1
    lm[15:25, 15:28] = 2
    lm[0:3, 25:30] = 255
    conf = np.full(lm.shape, 0.5, np.float32)
    conf[15:25, 15:28] = 0.9
    shapes = P.label_map_to_shapes(lm, ["_background_", "cat", "dog"], confidence=conf)
    assert sorted(s.label for s in shapes) == ["cat", "dog"]
    by = {s.label: s for s in shapes}
    assert by["cat"].score == pytest.approx(0.5) and by["dog"].score == pytest.approx(0.9)
    with pytest.raises(ValueError, match="class id 2"):
        P.label_map_to_shapes(lm, ["_background_", "cat"])


def test_labelme_example_class_maps_polygons_iou(labelme_example):
    """Every component of LabelMe's expected class maps: polygons at tolerance 1 re-rasterise
    to IoU >= 0.98 with it."""
    worst = 1.0
    for png in sorted((labelme_example / "expected_voc" / "SegmentationClass").glob("*.png")):
        lm = np.array(Image.open(png))
        for cid in np.unique(lm):
            if cid == 0:
                continue
            for _x0, _y0, crop in P.components(lm == cid, min_area=20):
                polys = P.mask_to_polygons(crop, tolerance=1.0)
                assert all(p.is_valid for p in polys)
                rebuilt = np.zeros_like(crop)
                for p in polys:
                    rebuilt |= P.geometry_mask(p, *crop.shape)
                worst = min(worst, _iou(rebuilt, crop))
    assert worst >= 0.98, worst


def test_camvid_masks_shapes_iou_and_exact_import(camvid):
    names = ["_background_"] + [f"c{i}" for i in range(1, 13)]
    files = sorted((camvid / "trainannot").glob("*.png"))[::30]
    assert files
    for f in files:
        lm = np.array(Image.open(f))
        lm[lm == 0] = 12  # class 0 (sky) becomes a real class
        h, w = lm.shape
        # the shapes of each component reproduce it (IoU >= 0.98)
        for cid in np.unique(lm):
            for _x0, _y0, crop in P.components(lm == cid):
                rebuilt = np.zeros_like(crop)
                for s in P.mask_to_shapes(crop, names[cid], tolerance=1.0):
                    rebuilt |= shape_mask(s, *crop.shape)
                assert _iou(rebuilt, crop) >= 0.98, (f.name, cid)
        shapes = P.label_map_to_shapes(lm, names, tolerance=1.0, skip=())
        assert {s.label for s in shapes} == {names[c] for c in np.unique(lm)}
        polys = P.mask_to_polygons(lm == 12, tolerance=1.0)
        assert all(p.is_valid for p in polys)
        exact = []
        for cid in np.unique(lm):
            exact += P.mask_to_shapes(lm == cid, names[cid], tolerance=0, exact=True)
        assert np.array_equal(class_map(exact, h, w, ClassList(names)), lm)

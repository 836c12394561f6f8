"""segcore.data.polygons: components with holes, simplification, validity, re-rasterisation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from shapely.geometry import MultiPolygon, Polygon, box

from segcore.data import polygons as P
from segcore.data import trace as T
from segcore.data.rasterize import ClassList, class_map, shape_mask
from segcore.io.annotation import Shape


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
    shapes = T.label_map_to_shapes(lm, ["_background_", "cat", "dog"], confidence=conf)
    assert sorted(s.label for s in shapes) == ["cat", "dog"]
    by = {s.label: s for s in shapes}
    assert by["cat"].score == pytest.approx(0.5) and by["dog"].score == pytest.approx(0.9)
    with pytest.raises(ValueError, match="class id 2"):
        T.label_map_to_shapes(lm, ["_background_", "cat"])


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
        shapes = T.label_map_to_shapes(lm, names, tolerance=1.0, skip=())
        assert {s.label for s in shapes} == {names[c] for c in np.unique(lm)}
        polys = P.mask_to_polygons(lm == 12, tolerance=1.0)
        assert all(p.is_valid for p in polys)
        exact = []
        for cid in np.unique(lm):
            exact += P.mask_to_shapes(lm == cid, names[cid], tolerance=0, exact=True)
        assert np.array_equal(class_map(exact, h, w, ClassList(names)), lm)


# ----------------------------------------------------------------------------- label maps, fast path


def _reference_label_map_shapes(lm, names, conf=None, tolerance=1.0, min_area=0.0, skip=(0, 255)):
    """The straightforward per-component path: one bool mask per class, one crop per
    component, the per-component fit (tolerance halving, IoU check) and a numpy mean score."""
    out = []
    for cid in np.unique(lm).tolist():
        if cid in skip:
            continue
        for x0, y0, crop in P.components(lm == cid, min_area):
            score = None
            if conf is not None:
                h, w = crop.shape
                score = float(conf[y0 : y0 + h, x0 : x0 + w][crop].mean())
            kw = P.shape_kwargs(None, score, True)
            out += P.component_shapes(crop, x0, y0, names[cid], tolerance, False, (0, 0), kw)
    return out


def _assert_same_shapes(fast, ref):
    assert len(fast) == len(ref)
    for a, b in zip(fast, ref):
        assert (a.label, a.shape_type, a.proposed) == (b.label, b.shape_type, b.proposed)
        assert [tuple(p) for p in a.points] == [tuple(p) for p in b.points]
        if a.shape_type == "mask":
            assert np.array_equal(a.mask, b.mask)
        if b.score is None:
            assert a.score is None
        else:
            assert a.score == pytest.approx(b.score, abs=1e-5)


def _random_label_map(seed: int) -> np.ndarray:
    """Blobs of 4 classes with holes, islands in holes, one-pixel spurs, bridges, specks and
    ignore pixels, touching the borders."""
    import cv2

    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(20, 70)), int(rng.integers(20, 90))
    lm = np.zeros((h, w), np.uint8)
    for _ in range(int(rng.integers(1, 9))):
        c = int(rng.integers(1, 5))
        cx, cy = int(rng.integers(-5, w + 5)), int(rng.integers(-5, h + 5))
        ax, ay = int(rng.integers(1, 25)), int(rng.integers(1, 20))
        kind = rng.integers(0, 4)
        if kind == 0:
            cv2.ellipse(lm, (cx, cy), (ax, ay), float(rng.uniform(0, 180)), 0, 360, c, -1)
        elif kind == 1:
            cv2.rectangle(lm, (cx - ax, cy - ay), (cx + ax, cy + ay), c, -1)
        elif kind == 2:  # a ring: hole, maybe with an island of the same class
            cv2.ellipse(lm, (cx, cy), (ax + 4, ay + 4), 0.0, 0, 360, c, -1)
            cv2.ellipse(lm, (cx, cy), (ax, ay), 0.0, 0, 360, int(rng.integers(0, 5)), -1)
            if rng.random() < 0.5:
                cv2.circle(lm, (cx, cy), max(1, min(ax, ay) // 3), c, -1)
        else:  # one-pixel lines: spurs and bridges
            pts = rng.integers(0, max(h, w), (int(rng.integers(2, 5)), 2)).astype(np.int32)
            cv2.polylines(lm, [pts], False, c, 1)
    specks = rng.random((h, w)) < 0.01
    lm[specks] = rng.integers(0, 5, int(specks.sum()))
    if rng.random() < 0.3:
        lm[rng.random((h, w)) < 0.02] = 255
    return lm


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), tolerance=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
       min_area=st.sampled_from([0, 1, 6, 30]))
def test_label_map_fast_path_agrees_with_per_component_reference(seed, tolerance, min_area):
    lm = _random_label_map(seed)
    conf = np.random.default_rng(seed + 1).random(lm.shape).astype(np.float32)
    names = ["_background_", "a", "b", "c", "d"]
    fast = T.label_map_to_shapes(lm, names, confidence=conf, tolerance=tolerance, min_area=min_area,
                                 proposed=True)
    _assert_same_shapes(fast, _reference_label_map_shapes(lm, names, conf, tolerance, min_area))


def _component_ious(lm: np.ndarray, shapes, names, min_area: float) -> list[float]:
    """Per kept component: IoU of the union of its shapes (as rasterize paints them) with it."""
    import cv2

    h, w = lm.shape
    ious = []
    for cid in np.unique(lm).tolist():
        n, labels, stats, _ = cv2.connectedComponentsWithStats((lm == cid).astype(np.uint8), connectivity=8)
        union = {}
        for s in shapes:
            if s.label != names[cid]:
                continue
            m = shape_mask(s, h, w)
            comp = int(np.bincount(labels[m & (lm == cid)], minlength=n)[1:].argmax()) + 1
            union[comp] = union.get(comp, np.zeros((h, w), bool)) | m
        for i in range(1, n):
            if stats[i, cv2.CC_STAT_AREA] >= max(min_area, 1):
                ious.append(_iou(union.get(i, np.zeros((h, w), bool)), labels == i))
    return ious


def test_label_map_shapes_on_real_masks_iou_validity_holes_scores(camvid):
    """CamVid class maps (sky made a class): every component of at least min_area pixels gets
    shapes that re-rasterise to IoU >= 0.98 with it at tolerance 1; polygons are valid; holes
    give exact mask shapes; the score is the component's mean confidence; the fast path gives
    the per-component reference's shapes."""
    names = ["_background_"] + [f"c{i}" for i in range(1, 13)]
    files = sorted((camvid / "trainannot").glob("*.png"))[5::60]
    assert files
    n_mask = 0
    for f in files:
        lm = np.array(Image.open(f))
        lm[lm == 0] = 12
        conf = np.random.default_rng(0).random(lm.shape).astype(np.float32)
        shapes = T.label_map_to_shapes(lm, names, confidence=conf, tolerance=1.0, min_area=16, skip=(),
                                       proposed=True)
        _assert_same_shapes(shapes, _reference_label_map_shapes(lm, names, conf, 1.0, 16, skip=()))
        ious = _component_ious(lm, shapes, names, 16)
        assert ious and min(ious) >= 0.98, (f.name, min(ious))
        for s in shapes:
            m = shape_mask(s, *lm.shape)
            assert s.proposed and np.count_nonzero(m) >= 1  # (a pinched component: several polygons)
            if s.shape_type == "polygon":
                assert Polygon(s.points).is_valid
            else:  # a mask shape holds exactly its component: the score is the mean over it
                n_mask += 1
                assert np.array_equal(m, m & (lm == names.index(s.label)))
                assert s.score == pytest.approx(float(conf[m].mean()), abs=1e-5)
    assert n_mask > 0  # street scenes have holes (and thin parts): some mask shapes


def test_label_map_to_shapes_edge_cases():
    full = np.full((7, 9), 3, np.int32)  # one class everywhere, int32 ids (no histogram path)
    (s,) = T.label_map_to_shapes(full, ["bg", "a", "b", "c"], confidence=np.ones((7, 9), np.float16))
    assert s.shape_type == "polygon" and sorted(s.points) == [(0.0, 0.0), (0.0, 6.0), (8.0, 0.0), (8.0, 6.0)]
    assert s.score == pytest.approx(1.0)
    assert T.label_map_to_shapes(np.zeros((1, 1), np.uint8), ["bg"]) == []
    speck = np.zeros((10, 10), np.uint8)
    speck[4, 4] = 1
    assert T.label_map_to_shapes(speck, ["bg", "a"], min_area=2) == []
    (one,) = T.label_map_to_shapes(speck, ["bg", "a"])  # a single pixel: its mask
    assert one.shape_type == "mask" and np.array_equal(shape_mask(one, 10, 10), speck == 1)
    with pytest.raises(ValueError, match="2-D"):
        T.label_map_to_shapes(np.zeros((2, 3, 3), np.uint8), ["bg"])
    with pytest.raises(ValueError, match="confidence shape"):
        T.label_map_to_shapes(speck, ["bg", "a"], confidence=np.zeros((3, 3), np.float32))


def test_every_class_present_in_a_uint8_label_map_is_traced_even_one_pixel_or_a_strided_view():
    lm = np.zeros((40, 60), np.uint8)
    lm[3, 5] = 7  # one pixel: a mask shape of it
    lm[10:30, 10:50] = 2
    lm[0, 59] = 255  # ignore
    names = [f"c{i}" for i in range(8)]
    shapes = T.label_map_to_shapes(lm, names, min_area=0)
    assert sorted({s.label for s in shapes}) == ["c2", "c7"]
    wide = np.zeros((40, 120), np.uint8)
    wide[:, ::2] = lm
    assert T.label_map_to_shapes(wide[:, ::2], names, min_area=0) == shapes


def test_components_nested_in_holes_of_components_come_out_whole_and_apart():
    """Rings in the holes of rings (same class), islands touching a ring's hole only at a corner
    (then one component with it), islands of other classes: the fast path agrees with the
    per-component reference, component by component."""
    import cv2

    lm = np.zeros((90, 120), np.uint8)
    for r, c in ((40, 1), (34, 0), (28, 1), (22, 0), (16, 1), (10, 0), (5, 1)):
        cv2.circle(lm, (45, 45), r, c, -1)
    lm[5:12, 90:110] = 1
    lm[8:10, 95:105] = 0  # a hole whose island touches it at a corner only
    lm[7, 94] = 1
    lm[9, 99] = 2  # another class in a hole
    lm[60:85, 80:115] = 1
    lm[65:80, 85:110] = 0
    lm[70:75, 90:105] = 1  # an island inside, its bounding box within the ring's
    lm[40:50, 40:50] = 2
    conf = np.random.default_rng(0).random(lm.shape).astype(np.float32)
    names = ["_background_", "a", "b"]
    for tolerance in (0.0, 1.0):
        fast = T.label_map_to_shapes(lm, names, confidence=conf, tolerance=tolerance, min_area=0, proposed=True)
        _assert_same_shapes(fast, _reference_label_map_shapes(lm, names, conf, tolerance, 0))
    assert sum(s.label == "a" for s in fast) >= 6

"""Tests of segcore.data.rasterize: shape types, order, ignore, instances, clipping, LabelMe parity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from segcore.data.rasterize import (
    IGNORE_INDEX,
    ClassList,
    ClassListError,
    UnknownLabelError,
    class_map,
    instance_crops,
    instance_map,
    instance_masks,
    shape_crop,
    shape_mask,
    unreviewed_mask,
)
from segcore.io import annotation
from segcore.io.annotation import AnnotationError, Shape

CLASSES = ClassList.from_names(["_background_", "a", "b", "c"])


def poly(label, pts, **kw):
    return Shape(label=label, points=[tuple(map(float, p)) for p in pts], **kw)


def rect(label, p, q, **kw):
    return Shape(label=label, points=[tuple(map(float, p)), tuple(map(float, q))], shape_type="rectangle", **kw)


def labelme_reference(shapes, h, w, classes):
    """LabelMe's own approach, written independently: a new full-size image per shape."""
    out = np.zeros((h, w), dtype=np.int32)
    for s in shapes:
        im = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(im)
        xy = [tuple(p) for p in s.points]
        if s.shape_type == "polygon":
            d.polygon(xy, fill=1, outline=1)
        elif s.shape_type == "rectangle":
            (x1, y1), (x2, y2) = xy
            d.rectangle([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)], fill=1, outline=1)
        elif s.shape_type == "circle":
            (cx, cy), (px, py) = xy
            r = math.hypot(cx - px, cy - py)
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=1, outline=1)
        elif s.shape_type in ("line", "linestrip"):
            d.line(xy, fill=1, width=10)
        elif s.shape_type == "point":
            (cx, cy), = xy
            d.ellipse([cx - 5, cy - 5, cx + 5, cy + 5], fill=1, outline=1)
        elif s.shape_type == "oriented_rectangle":
            d.polygon(xy, fill=1, outline=1)
        m = np.array(im, dtype=bool)
        if s.shape_type == "mask":  # paste the crop at its bbox, pixel by pixel, clipped
            x0, y0 = int(s.points[0][0]), int(s.points[0][1])
            for (r, c) in zip(*np.nonzero(s.mask)):
                if 0 <= y0 + r < h and 0 <= x0 + c < w:
                    m[y0 + r, x0 + c] = True
        out[m] = -1 if s.label == "__ignore__" else classes.id_of(s.label)
    out[out == -1] = 255
    return out.astype(np.uint8)


# ----------------------------------------------------------------------------- shape types


def test_rectangle_covers_corners_inclusive():
    m = shape_mask(rect("a", (2, 3), (5, 4)), 10, 10)
    ys, xs = np.nonzero(m)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (2, 5, 3, 4)
    assert m.sum() == 4 * 2


def test_polygon_includes_outline_pixels():
    # A degenerate (zero-area) polygon still paints its outline, as PIL fill+outline does.
    m = shape_mask(poly("a", [(1, 1), (8, 1), (4, 1)]), 5, 10)
    assert m[1, 1:9].all() and m.sum() == 8
    tri = shape_mask(poly("a", [(0, 0), (9, 0), (0, 9)]), 10, 10)
    assert tri[0, :].all() and tri[:, 0].all()
    assert tri.sum() >= 55  # the 45-pixel interior plus the whole outline


def test_circle_is_a_filled_disc():
    s = Shape("a", [(20.0, 20.0), (28.0, 20.0)], shape_type="circle")
    m = shape_mask(s, 40, 40)
    assert m[20, 20] and m[20, 12] and m[20, 28] and m[12, 20] and m[28, 20]
    assert not m[20, 30] and not m[13, 13]
    assert abs(m.sum() - math.pi * 64) < 0.15 * math.pi * 64


def test_line_and_linestrip_are_10_px_wide():
    s = Shape("a", [(10.0, 20.0), (50.0, 20.0)], shape_type="line")
    m = shape_mask(s, 40, 60)
    col = m[:, 30]
    assert col.sum() in (10, 11)
    assert m[20, 10:51].all()
    ls = Shape("a", [(10.0, 5.0), (10.0, 35.0), (50.0, 35.0)], shape_type="linestrip")
    ml = shape_mask(ls, 50, 60)
    assert ml[20, :].sum() in (10, 11) and ml[:, 30].sum() in (10, 11)


def test_point_is_a_disc_of_radius_5():
    m = shape_mask(Shape("a", [(15.0, 15.0)], shape_type="point"), 30, 30)
    ys, xs = np.nonzero(m)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (10, 20, 10, 20)
    assert m[15, 15] and not m[10, 10]


def test_oriented_rectangle_is_its_polygon():
    pts = [(10.0, 2.0), (18.0, 10.0), (10.0, 18.0), (2.0, 10.0)]
    a = shape_mask(Shape("a", pts, shape_type="oriented_rectangle"), 20, 20)
    b = shape_mask(Shape("a", pts), 20, 20)
    assert np.array_equal(a, b) and a.sum() > 100


def test_mask_shape_is_pasted_and_clipped():
    crop = np.zeros((4, 6), dtype=bool)
    crop[1:3, 2:5] = True
    s = Shape("a", [(3.0, 2.0), (8.0, 5.0)], shape_type="mask", mask=crop)
    m = shape_mask(s, 10, 10)
    assert m.sum() == 6 and m[3:5, 5:8].all()
    # Partly outside on the right and bottom: clipped, not wrapped or shifted.
    s2 = Shape("a", [(7.0, 8.0), (12.0, 11.0)], shape_type="mask", mask=crop)
    m2 = shape_mask(s2, 10, 10)
    assert m2.sum() == 1 and m2[9, 9]
    # Partly outside on the left and top.
    s3 = Shape("a", [(-3.0, -2.0), (2.0, 1.0)], shape_type="mask", mask=crop)
    m3 = shape_mask(s3, 10, 10)
    assert m3.sum() == 2 and m3[0, 0] and m3[0, 1]


def test_cropped_masks_are_not_shifted_drawings():
    # Drawing this polygon shifted by one pixel and shifting back changes one edge pixel in
    # PIL (float edge sums); crops must give exactly the full-image pixels.
    s = Shape("a", [(3.0, 0.0), (3.0, 0.0), (3.0, 8.0), (126.0, 62.0)], shape_type="oriented_rectangle")
    ref = labelme_reference([s], 100, 100, CLASSES) == 1
    assert np.array_equal(shape_mask(s, 100, 100), ref)
    (_, full), = instance_masks([s], 100, 100, CLASSES)
    assert np.array_equal(full, ref)


def test_every_shape_type_agrees_with_labelme_reference():
    shapes = [
        poly("a", [(3.3, 4.7), (40.2, 8.9), (30.5, 33.1), (7.7, 25.4)]),
        rect("b", (45.6, 30.2), (20.1, 5.5)),
        Shape("c", [(30.3, 30.7), (36.9, 41.2)], shape_type="circle"),
        Shape("a", [(0.5, 45.5), (55.2, 2.4)], shape_type="line"),
        Shape("b", [(5.5, 5.5), (25.2, 40.4), (50.1, 12.2)], shape_type="linestrip"),
        Shape("__ignore__", [(44.4, 44.6)], shape_type="point"),
    ]
    assert np.array_equal(class_map(shapes, 50, 60, CLASSES), labelme_reference(shapes, 50, 60, CLASSES))


# ----------------------------------------------------------------------------- order, ignore, instances


def test_later_shapes_overwrite_earlier():
    big, small = rect("a", (0, 0), (9, 9)), rect("b", (3, 3), (5, 5))
    m = class_map([big, small], 10, 10, CLASSES)
    assert m[4, 4] == 2 and m[0, 0] == 1 and (m == 2).sum() == 9
    m2 = class_map([small, big], 10, 10, CLASSES)
    assert (m2 == 1).all()


def test_ignore_paints_255_and_minus_1():
    shapes = [rect("a", (0, 0), (9, 9)), rect("__ignore__", (0, 0), (4, 9)), rect("b", (0, 0), (1, 1))]
    cm = class_map(shapes, 10, 10, CLASSES)
    assert cm[5, 2] == IGNORE_INDEX and cm[5, 7] == 1 and cm[0, 0] == 2
    im, inst = instance_map(shapes, 10, 10, CLASSES)
    assert [i.label for i in inst] == ["a", "b"]
    assert im[5, 2] == -1 and im[5, 7] == 1 and im[0, 0] == 2 and im.dtype == np.int32


def test_instances_group_by_label_and_group_id():
    shapes = [
        rect("a", (0, 0), (1, 1), group_id=0),
        rect("a", (5, 5), (6, 6), group_id=0),  # same instance as shape 0
        rect("b", (0, 5), (1, 6), group_id=0),  # same group, other label: other instance
        rect("a", (8, 8), (9, 9)),  # null group: its own instance
        rect("a", (8, 0), (9, 1)),  # and another
    ]
    im, inst = instance_map(shapes, 10, 10, CLASSES)
    assert [(i.id, i.label, i.group_id, i.shape_indices) for i in inst] == [
        (1, "a", 0, [0, 1]), (2, "b", 0, [2]), (3, "a", None, [3]), (4, "a", None, [4])]
    assert im[0, 0] == im[5, 5] == 1 and im[5, 0] == 2 and im[9, 9] == 3 and im[0, 9] == 4
    assert [i.class_id for i in inst] == [1, 2, 1, 1]


def test_instance_masks_are_not_cut_by_later_shapes():
    shapes = [rect("a", (0, 0), (9, 9)), rect("b", (2, 2), (4, 4))]
    masks = instance_masks(shapes, 12, 12, CLASSES)
    assert [m.sum() for _, m in masks] == [100, 9]
    im, _ = instance_map(shapes, 12, 12, CLASSES)
    assert (im == 1).sum() == 91


def test_more_than_255_instances():
    shapes = [rect("a", (x * 3, y * 3), (x * 3 + 1, y * 3 + 1)) for y in range(20) for x in range(20)]
    im, inst = instance_map(shapes, 60, 60, CLASSES)
    assert len(inst) == 400 and im.max() == 400
    assert np.array_equal(np.unique(im), np.arange(401))


def test_unknown_label_raises_or_is_skipped():
    shapes = [rect("a", (0, 0), (3, 3)), rect("zebra", (2, 2), (5, 5))]
    with pytest.raises(UnknownLabelError) as err:
        class_map(shapes, 8, 8, CLASSES, path="x.json")
    assert err.value.label == "zebra" and "zebra" in str(err.value) and "x.json" in str(err.value)
    assert "shape 1" in str(err.value)
    m = class_map(shapes, 8, 8, CLASSES, skip_unknown=True)
    assert m[3, 3] == 1 and m[5, 5] == 0
    im, inst = instance_map(shapes, 8, 8, CLASSES, skip_unknown=True)
    assert len(inst) == 1 and im[5, 5] == 0


def test_malformed_shape_is_a_typed_error():
    bad = Shape("a", [(0.0, 0.0), (1.0, 1.0)])  # a 2-point polygon
    with pytest.raises(AnnotationError):
        class_map([bad], 5, 5, CLASSES)


# ----------------------------------------------------------------------------- clipping


def test_shape_outside_the_image_paints_nothing():
    s = poly("a", [(-50, -50), (-10, -40), (-30, -5)])
    assert shape_crop(s, 20, 20) is None
    assert not shape_mask(s, 20, 20).any()
    (inst, crop, _), = instance_crops([s], 20, 20, CLASSES)
    assert crop.size == 0 and inst.id == 1
    far = rect("a", (100, 100), (120, 130))
    assert not class_map([far], 20, 20, CLASSES).any()


def test_shape_partly_outside_is_clipped():
    s = rect("a", (-5, -5), (4, 4))
    m = shape_mask(s, 10, 10)
    assert m.sum() == 25 and m[:5, :5].all()
    big = Shape("a", [(5.0, 5.0), (5.0, 1e7)], shape_type="circle")  # huge: exact fallback
    assert shape_mask(big, 10, 10).all()


# ----------------------------------------------------------------------------- class lists


def test_class_list_from_file_and_collect(tmp_path):
    p = tmp_path / "labels.txt"
    p.write_text("__ignore__\n_background_\ncat\n\ndog\n", encoding="utf-8")
    cl = ClassList.from_file(p)
    assert cl.names == ["_background_", "cat", "dog"] and cl.has_ignore and len(cl) == 3
    assert cl.id_of("dog") == 2 and cl.id_of("__ignore__") == 255 and "cat" in cl
    assert cl.colours().shape == (3, 3) and tuple(cl.colours()[1]) == (128, 0, 0)
    col = ClassList.collect(["img10", "img2", "__ignore__", "B", "a", "img2"])
    assert col.names == ["_background_", "a", "B", "img2", "img10"] and col.has_ignore
    p.write_text("cat\ncat\n", encoding="utf-8")
    with pytest.raises(ClassListError, match="twice"):
        ClassList.from_file(p)
    with pytest.raises(ClassListError, match="labels.txt"):
        ClassList.from_file(tmp_path / "nope" / "labels.txt")


# ----------------------------------------------------------------------------- LabelMe's example


def test_agrees_with_labelme_voc_export(labelme_example):
    classes = ClassList.from_file(labelme_example / "labels.txt")
    jsons = sorted((labelme_example / "data_annotated").glob("*.json"))
    assert len(jsons) == 3
    for j in jsons:
        ann = annotation.load(j)
        ours = class_map(ann.shapes, ann.image_height, ann.image_width, classes, path=j)
        png = Image.open(labelme_example / "expected_voc" / "SegmentationClass" / f"{j.stem}.png")
        assert png.mode == "P"
        expected = np.array(png)
        assert ours.shape == expected.shape
        assert (ours == expected).mean() >= 0.999, j.name
        assert set(np.unique(ours)) == set(np.unique(expected)), j.name


# ----------------------------------------------------------------------------- properties

coord = st.floats(min_value=-40, max_value=140, allow_nan=False, width=32)
inner = st.floats(min_value=0, max_value=99, allow_nan=False, width=32)
point = st.tuples(coord, coord)


@settings(max_examples=60, deadline=None)
@given(x1=coord, y1=coord, x2=coord, y2=coord)
def test_rectangle_corner_order_does_not_matter(x1, y1, x2, y2):
    masks = [shape_mask(Shape("a", [p, q], shape_type="rectangle"), 100, 100)
             for p, q in [((x1, y1), (x2, y2)), ((x2, y2), (x1, y1)), ((x1, y2), (x2, y1)), ((x2, y1), (x1, y2))]]
    for m in masks[1:]:
        assert np.array_equal(m, masks[0])


shape_strategy = st.one_of(
    st.lists(point, min_size=3, max_size=8).map(lambda p: Shape("a", p)),
    st.tuples(point, point).map(lambda p: Shape("a", list(p), shape_type="rectangle")),
    st.tuples(point, st.tuples(st.floats(-30, 30, width=32), st.floats(-30, 30, width=32))).map(
        lambda c: Shape("a", [c[0], (c[0][0] + c[1][0], c[0][1] + c[1][1])], shape_type="circle")),
    st.lists(point, min_size=2, max_size=5).map(lambda p: Shape("a", p, shape_type="linestrip")),
    point.map(lambda p: Shape("a", [p], shape_type="point")),
    st.lists(point, min_size=4, max_size=4).map(lambda p: Shape("a", p, shape_type="oriented_rectangle")),
    st.tuples(st.integers(-20, 110), st.integers(-20, 110), st.integers(1, 30), st.integers(1, 30),
              st.integers(0, 2**32 - 1)).map(lambda t: mask_shape(*t)),
)


def mask_shape(x: int, y: int, w: int, h: int, seed: int) -> Shape:
    crop = np.random.default_rng(seed).random((h, w)) < 0.5
    return Shape("a", [(float(x), float(y)), (float(x + w - 1), float(y + h - 1))], shape_type="mask", mask=crop)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=shape_strategy)
def test_cropped_drawing_equals_full_image_drawing(shape):
    ref = labelme_reference([shape], 100, 100, CLASSES) == 1
    assert np.array_equal(shape_mask(shape, 100, 100), ref)
    (_, full), = instance_masks([shape], 100, 100, CLASSES)
    assert np.array_equal(full, ref)


@settings(max_examples=60, deadline=None)
@given(pts=st.lists(st.tuples(inner, inner), min_size=3, max_size=8))
def test_shape_inside_paints_only_inside_its_bbox(pts):
    m = shape_mask(Shape("a", pts), 100, 100)
    ys, xs = np.nonzero(m)
    assert len(xs) > 0
    xs_in = [p[0] for p in pts]
    ys_in = [p[1] for p in pts]
    assert xs.min() >= math.floor(min(xs_in)) and xs.max() <= math.ceil(max(xs_in))
    assert ys.min() >= math.floor(min(ys_in)) and ys.max() <= math.ceil(max(ys_in))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes=st.lists(st.tuples(shape_strategy, st.sampled_from(["a", "b", "c", "__ignore__"]),
                                 st.sampled_from([None, 0, 1])), min_size=1, max_size=6))
def test_maps_agree_with_reference_and_each_other(shapes):
    shapes = [Shape(label, s.points, shape_type=s.shape_type, group_id=g, mask=s.mask) for s, label, g in shapes]
    cm = class_map(shapes, 100, 100, CLASSES)
    assert np.array_equal(cm, labelme_reference(shapes, 100, 100, CLASSES))
    im, inst = instance_map(shapes, 100, 100, CLASSES)
    assert np.array_equal(im == -1, cm == IGNORE_INDEX)
    assert np.array_equal(im == 0, cm == 0)
    masks = dict((i.id, m) for i, m in instance_masks(shapes, 100, 100, CLASSES))
    for i in inst:
        visible = im == i.id
        assert (cm[visible] == i.class_id).all()
        assert not (visible & ~masks[i.id]).any()  # what shows of an instance is its own mask


def test_unreviewed_mask_is_the_union_of_proposals_only():
    person = rect("cat", (0, 0), (4, 4))
    a = rect("dog", (2, 2), (6, 6), proposed=True, score=0.8)
    b = poly("dog", [(10, 1), (14, 1), (12, 5)], proposed=True, score=0.4)
    assert unreviewed_mask([person], 10, 16) is None
    got = unreviewed_mask([person, a, b], 10, 16)
    assert got is not None and got.dtype == bool and got.shape == (10, 16)
    assert np.array_equal(got, shape_mask(a, 10, 16) | shape_mask(b, 10, 16))
    assert not (got & shape_mask(person, 10, 16) & ~shape_mask(a, 10, 16)).any()

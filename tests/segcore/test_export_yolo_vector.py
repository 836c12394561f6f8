"""YOLO export's shortcuts: a polygon nothing is drawn over is written as its own vertices, and
the validity of every traced ring of an image is asked in one call. Each gives what the traced
path gives: the same pixels read back by the importer, the same exactness answer."""

from __future__ import annotations

import cv2
import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segcore.data.rasterize import ClassList, class_map
from segcore.formats.import_yolo import line_shapes
from segcore.formats.voc import object_map
from segcore.formats.yolo import _visible_crop, object_lines, object_outline, unreached, vector_line
from segcore.formats.yolo_rings import (
    coordinate_text,
    denormalise,
    exact_by_construction,
    mask_ring_arrays,
    rings_valid,
)
from segcore.io.annotation import Shape
from tests.segcore.test_export_yolo import a_mask, round_trip

W, H = 40, 32
CLASSES = ClassList.from_names(["cat", "dog"])
NAMES = ["cat", "dog"]

# whole pixels, halves, and numbers an import snaps to the nearest whole pixel (within 0.01)
frac = st.sampled_from([0.0, 0.004, 0.008, 0.25, 0.5, 0.75, 0.992, 0.996])
xs = st.builds(lambda i, f: min(i + f, W - 1.0), st.integers(0, W - 1), frac)
ys = st.builds(lambda i, f: min(i + f, H - 1.0), st.integers(0, H - 1), frac)


@st.composite
def a_polygon(draw, label: str = "cat") -> Shape:
    pts = [(draw(xs), draw(ys)) for _ in range(draw(st.integers(3, 8)))]
    return Shape(label, pts)


def read_back(lines: list[str]) -> np.ndarray:
    """The class map an import draws from YOLO lines (each line's shapes in order)."""
    shapes = [s for ln in lines for s in line_shapes(ln, NAMES, W, H, 1)]
    return class_map(shapes, H, W, CLASSES)


def traced_lines(shapes: list[Shape], k: int, imap: np.ndarray, inst_id: int) -> list[str]:
    """The general path's lines for instance ``inst_id`` (shape ``k``): its visible pixels traced."""
    visible = _visible_crop(imap, inst_id, [shapes[k]])
    assert visible is not None
    outlines, _ = object_outline(*visible, W, H)
    text = coordinate_text(W, H)
    return [text.line(0, o) for o in outlines]


@settings(max_examples=150, deadline=None)
@given(st.lists(a_polygon("dog"), max_size=3), a_polygon("cat"))
def test_a_polygon_written_as_its_vertices_reads_back_as_the_traced_pixels(under, top):
    """The last polygon is drawn over by nothing: when written as its vertices, the importer
    reads that line back as one polygon with exactly the pixels the traced line gives."""
    shapes = [*under, top]
    assert unreached(shapes)[-1]
    imap, instances = object_map(shapes, H, W, CLASSES)
    inst = instances[-1]
    line = vector_line(top, inst.id, imap, 0)
    if line is None:
        return
    back = line_shapes(line, NAMES, W, H, 1)
    assert len(back) == 1 and back[0].shape_type == "polygon" and len(back[0].points) == len(top.points)
    want = read_back(traced_lines(shapes, len(shapes) - 1, imap, inst.id))
    got = read_back([line])
    assert np.array_equal(got, want), np.argwhere(got != want)[:10]
    assert np.array_equal(got == 1, imap == inst.id)


def test_an_isolated_polygon_is_its_own_vertices_and_a_covered_one_is_traced():
    lone = Shape("cat", [(2.25, 3.5), (12.75, 4.0), (9.5, 14.25), (3.0, 11.0)])
    under = Shape("dog", [(20.0, 2.0), (36.0, 2.0), (36.0, 20.0), (20.0, 20.0)])
    over = Shape("cat", [(26.0, 10.0), (38.0, 10.0), (38.0, 28.0), (26.0, 28.0)])
    lines, counts, notes = object_lines([lone, under, over], H, W, CLASSES)
    assert counts == {"cat": 2, "dog": 1} and not notes
    first = [float(v) for v in lines[0].split()[1:]]
    assert first == [v for x, y in lone.points for v in (x / W, y / H)]  # the vertices themselves
    traced = denormalise([float(v) for v in lines[1].split()[1:]], W, H)  # cut by ``over``: traced
    assert all(x == int(x) and y == int(y) for x, y in traced) and len(traced) != len(under.points)
    assert np.array_equal(read_back(lines), class_map([lone, under, over], H, W, CLASSES))


def test_a_polygon_crossing_the_border_or_reached_by_a_later_shape_is_traced():
    border = Shape("cat", [(-3.5, 2.0), (10.0, 2.0), (10.0, 9.0)])
    reached = Shape("cat", [(14.0, 2.0), (24.0, 2.0), (24.0, 12.0)])
    later = Shape("dog", [(23.0, 11.0), (30.0, 11.0), (30.0, 20.0)])
    shapes = [border, reached, later]
    assert unreached(shapes).tolist() == [True, False, True]
    imap, instances = object_map(shapes, H, W, CLASSES)
    assert vector_line(border, instances[0].id, imap, 0) is None
    lines, _, _ = object_lines(shapes, H, W, CLASSES)
    assert np.array_equal(read_back(lines), class_map(shapes, H, W, CLASSES))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(a_polygon("cat"), a_polygon("dog")), min_size=1, max_size=5))
def test_float_polygons_round_trip_through_yolo(tmp_path, shapes):
    """LabelMe -> YOLO -> LabelMe keeps every class pixel with vertices between pixels too
    (isolated polygons go the vertex way, the rest are traced)."""
    before, after = round_trip(tmp_path, shapes)
    assert np.array_equal(before, after), np.argwhere(before != after)[:10]


@settings(max_examples=100, deadline=None)
@given(st.lists(a_mask(), min_size=1, max_size=4))
def test_rings_valid_for_many_objects_at_once_is_each_objects_answer(masks):
    traced = [mask_ring_arrays(m, 0, 0) for m in masks if m.any()]
    got = rings_valid(traced)
    for rings, ok in zip(traced, got):
        each = all(shapely.is_valid(shapely.Polygon(r.astype(np.float64))) for r, _ in rings if len(r) >= 3)
        assert ok == each
    for m, rings, ok in zip([m for m in masks if m.any()], traced, got):
        assert exact_by_construction(rings, int(m.sum()), ok) == exact_by_construction(rings, int(m.sum()))


@settings(max_examples=200, deadline=None)
@given(a_mask())
def test_hole_rings_are_the_borders_of_the_background_regions_that_miss_the_edge(mask):
    """The holes traced are the 4-connected background regions that do not reach the crop's
    edge, as a labelling of the background finds them."""
    pad = np.zeros((mask.shape[0] + 2, mask.shape[1] + 2), dtype=np.uint8)
    pad[1:-1, 1:-1] = mask
    n, lab = cv2.connectedComponents(1 - pad, connectivity=4)
    holes = ((lab != lab[0, 0]) & (pad == 0)).astype(np.uint8)
    contours, hier = cv2.findContours(holes, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    want = [] if hier is None else [c.reshape(-1, 2) - 1 for c, h in zip(contours, hier.reshape(-1, 4)) if h[3] == -1]
    got = [r for r, hole in mask_ring_arrays(mask, 0, 0) if hole]
    assert sorted(map(lambda r: r.tolist(), got)) == sorted(map(lambda r: r.tolist(), want))

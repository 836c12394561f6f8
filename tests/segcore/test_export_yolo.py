"""YOLO segmentation export: the Ultralytics layout, bridged parts and holes, and the round
trip LabelMe -> YOLO -> LabelMe keeping every class pixel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segcore.cli import main
from segcore.data.dataset import scan
from segcore.data.rasterize import ClassList, class_map
from segcore.formats.common import check_item
from segcore.formats.import_yolo import import_yolo, line_shapes, yaml_names
from segcore.formats.yolo import export_yolo, is_area, object_outline
from segcore.formats.yolo_rings import (
    CoordinateText,
    bridge,
    denormalise,
    exact_by_construction,
    holes_by_nesting,
    mask_ring_arrays,
    ring_area,
    unbridge,
)
from segcore.io.annotation import Shape, load
from tests.segcore.export_fixtures import rich_shapes, write_labelme

W, H = 40, 32
CLASSES = ClassList.from_names(["cat", "dog"])


def holed_mask() -> np.ndarray:
    m = np.ones((12, 14), dtype=bool)
    m[3:8, 4:9] = False
    m[5, 6] = True  # an island in the hole
    return m


coord = st.integers(0, W - 1)
rows = st.integers(0, H - 1)
label = st.sampled_from(["cat", "dog"])
group = st.sampled_from([None, 1, 2])


@st.composite
def a_shape(draw) -> Shape:
    kind = draw(st.sampled_from(["polygon", "rectangle", "mask", "circle"]))
    lb, gid = draw(label), draw(group)
    if kind == "polygon":
        pts = [(float(draw(coord)), float(draw(rows))) for _ in range(draw(st.integers(3, 6)))]
        return Shape(lb, pts, group_id=gid)
    if kind == "rectangle":
        return Shape(lb, [(float(draw(coord)), float(draw(rows))), (float(draw(coord)), float(draw(rows)))],
                     shape_type="rectangle", group_id=gid)
    if kind == "circle":
        cx, cy = draw(coord), draw(rows)
        return Shape(lb, [(float(cx), float(cy)), (float(cx + draw(st.integers(1, 8))), float(cy))],
                     shape_type="circle", group_id=gid)
    x0, y0 = draw(st.integers(0, W - 14)), draw(st.integers(0, H - 12))
    return Shape(lb, [(float(x0), float(y0)), (float(x0 + 13), float(y0 + 11))], shape_type="mask",
                 mask=holed_mask(), group_id=gid)


def area_map(shapes: list[Shape]) -> np.ndarray:
    return class_map([s for s in shapes if is_area(s) and s.label != "__ignore__"], H, W, CLASSES)


def round_trip(tmp_path, shapes: list[Shape]) -> tuple[np.ndarray, np.ndarray]:
    src, out = tmp_path / "src", tmp_path / "out"
    write_labelme(src, "a", shapes, w=W, h=H, suffix=".png")
    export_yolo(src, out, classes=CLASSES, val_ratio=0.0, workers=1, overwrite=True)
    rep = import_yolo(out, workers=1, overwrite=True)
    assert rep.complete, rep.to_text()
    back = load(out / "images" / "train" / "a.json")
    kept = check_item(scan(src)[0], CLASSES).shapes  # what the export rule keeps (no zero-area shapes)
    return area_map(kept), class_map(back.shapes, H, W, CLASSES)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(a_shape(), min_size=1, max_size=6))
def test_labelme_yolo_labelme_keeps_every_class_pixel(tmp_path, shapes):
    before, after = round_trip(tmp_path, shapes)
    assert np.array_equal(before, after), np.argwhere(before != after)[:10]


def test_holes_and_parts_are_one_bridged_line_per_object(tmp_path):
    shapes = [Shape("cat", [(2.0, 2.0), (15.0, 13.0)], shape_type="mask", mask=holed_mask()),
              Shape("dog", [(20.0, 2.0), (26.0, 2.0), (23.0, 8.0)], group_id=4),
              Shape("dog", [(30.0, 20.0), (38.0, 20.0), (34.0, 30.0)], group_id=4)]
    src, out = tmp_path / "src", tmp_path / "out"
    write_labelme(src, "a", shapes, w=W, h=H)
    rep = export_yolo(src, out, classes=CLASSES, val_ratio=0.0, workers=1)
    assert rep.instances == {"cat": 1, "dog": 1} and not rep.skipped
    lines = (out / "labels" / "train" / "a.txt").read_text().splitlines()
    assert [ln.split()[0] for ln in lines] == ["0", "1"]  # one line per object
    cat_rings = holes_by_nesting(unbridge(denormalise([float(v) for v in lines[0].split()[1:]], W, H)))
    assert sorted(hole for _, hole in cat_rings) == [False, False, True]  # outline, island, hole
    dog_rings = unbridge(denormalise([float(v) for v in lines[1].split()[1:]], W, H))
    assert len([r for r in dog_rings if ring_area(r) > 0]) == 2  # two parts (and maybe one-pixel tips)
    for ln in lines:
        vals = [float(v) for v in ln.split()[1:]]
        assert len(vals) % 2 == 0 and len(vals) >= 6 and all(0.0 <= v <= 1.0 for v in vals)
    assert yaml_names((out / "data.yaml").read_text()) == ["cat", "dog"]
    assert (out / "images" / "train" / "a.jpg").is_file()
    before, after = round_trip(tmp_path / "again", shapes)
    assert np.array_equal(before, after)


def test_rich_shapes_round_trip_and_notes(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    write_labelme(src, "a", rich_shapes(), w=64, h=48)
    rep = export_yolo(src, out, val_ratio=0.0, workers=1)
    notes = " ".join(str(s) for s in rep.skipped)
    assert "a point is not an area" in notes and "__ignore__" in notes
    import_yolo(out, workers=1)
    cl = ClassList.from_names(["cat", "dog"])
    keep = [s for s in rich_shapes() if is_area(s) and s.label != "__ignore__"]
    back = load(out / "images" / "train" / "a.json").shapes
    assert np.array_equal(class_map(keep, 48, 64, cl), class_map(back, 48, 64, cl))


def mask_rings(crop: np.ndarray, x0: int, y0: int) -> list:
    """:func:`mask_ring_arrays` with each ring a list of ``(x, y)`` float points."""
    return [([(float(x), float(y)) for x, y in r.tolist()], hole) for r, hole in mask_ring_arrays(crop, x0, y0)]


def test_bridge_and_unbridge_are_inverse():
    m = np.zeros((20, 30), dtype=bool)
    m[2:18, 2:12] = True
    m[6:10, 5:9] = False
    m[3:9, 20:28] = True
    rings = mask_rings(m, 0, 0)
    split = holes_by_nesting(unbridge(bridge([r for r, _ in rings])))
    assert sorted((rotated(r), h) for r, h in split) == sorted((rotated(r), h) for r, h in rings)


def rotated(ring: list) -> tuple:
    """The ring starting at its smallest vertex (a ring read back may start anywhere)."""
    k = ring.index(min(ring))
    return tuple(ring[k:] + ring[:k])


def test_splits_and_data_yaml(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    write_labelme(src, "a", [Shape("cat", [(1.0, 1.0), (9.0, 9.0)], shape_type="rectangle")],
                  flags={"val": True})
    write_labelme(src, "b", [Shape("dog", [(1.0, 1.0), (9.0, 9.0)], shape_type="rectangle")],
                  flags={"test": True})
    write_labelme(src, "c", [])
    rep = export_yolo(src, out, split_from_flags=True, workers=1)
    assert rep.splits == {"train": 1, "val": 1, "test": 1}
    text = (out / "data.yaml").read_text()
    assert "train: images/train" in text and "val: images/val" in text and "test: images/test" in text
    assert f'path: "{out.resolve()}"' in text
    assert (out / "labels" / "train" / "c.txt").read_text() == ""  # a background image


def test_ultralytics_accepts_the_export(tmp_path):
    pytest.importorskip("ultralytics")
    from ultralytics.data.dataset import YOLODataset
    from ultralytics.data.utils import check_det_dataset

    src, out = tmp_path / "src", tmp_path / "out"
    for k in range(4):
        write_labelme(src, f"im{k}", rich_shapes(), w=64, h=48, seed=k)
    export_yolo(src, out, val_ratio=0.5, workers=1)
    data = check_det_dataset(str(out / "data.yaml"))
    assert data["nc"] == 2 and list(data["names"].values()) == ["cat", "dog"]
    ds = YOLODataset(img_path=data["train"], data=data, task="segment", augment=False)
    labels = ds.get_labels()
    assert labels and all(len(lb["segments"]) == len(lb["cls"]) for lb in labels)


def test_cli_export_yolo(tmp_path, capsys):
    src = tmp_path / "src"
    write_labelme(src, "a", rich_shapes(), w=64, h=48)
    assert main(["export", str(src), "--format", "yolo", "--out", str(tmp_path / "o"), "--quiet",
                 "--workers", "1"]) == 0
    assert "YOLO export" in capsys.readouterr().out
    assert main(["export", str(src), "--format", "yolo", "--out", str(tmp_path / "o"), "--quiet"]) == 1


@st.composite
def a_mask(draw) -> np.ndarray:
    h, w = draw(st.integers(1, 14)), draw(st.integers(1, 14))
    cells = draw(st.lists(st.booleans(), min_size=h * w, max_size=h * w))
    return np.array(cells, dtype=bool).reshape(h, w)


@settings(max_examples=300, deadline=None)
@given(a_mask(), st.integers(0, 3), st.integers(0, 3))
def test_every_outline_reads_back_as_its_pixels(mask, x0, y0):
    """Whether an outline is taken as exact by construction or checked by reading it back,
    the importer draws exactly the object's pixels from its line(s)."""
    if not mask.any():
        return
    h, w = mask.shape
    width, height = w + x0 + 2, h + y0 + 1
    outlines, _ = object_outline(mask, x0, y0, width, height)
    text = CoordinateText(width, height)
    shapes = [s for o in outlines for s in line_shapes(text.line(0, o), ["cat"], width, height, 1)]
    want = np.zeros((height, width), dtype=bool)
    want[y0 : y0 + h, x0 : x0 + w] = mask
    got = class_map(shapes, height, width, ClassList.from_names(["cat"])) == 1
    assert np.array_equal(got, want), np.argwhere(got != want)[:10]


def test_rings_are_exact_by_counting_unless_a_hole_covers_its_own_part():
    holed = holed_mask()
    assert exact_by_construction(mask_ring_arrays(holed, 0, 0), int(holed.sum()))
    corner = np.ones((7, 7), dtype=bool)
    corner[1:6, 1:6] = False
    corner[2:4, 2:4] = True  # a part in the hole touching the frame only at a corner
    corner[1, 1] = True
    assert not exact_by_construction(mask_ring_arrays(corner, 0, 0), int(corner.sum()))

"""COCO export: pycocotools reads it, COCOeval AP 1.0, polygons/RLE, area+bbox, round trip."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from segcore.data.rasterize import ClassList, instance_crops
from segcore.formats.coco import export_coco
from segcore.formats.common import ExportError
from segcore.formats.importers import import_coco
from segcore.io.annotation import Shape
from tests.segcore.export_fixtures import bad_folder, rich_shapes, write_labelme

pycoco = pytest.importorskip("pycocotools.coco")
COCO = pycoco.COCO


def _quiet_coco(path) -> COCO:
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    u = np.count_nonzero(a | b)
    return 1.0 if u == 0 else np.count_nonzero(a & b) / u


def test_labelme_example_loads_and_evaluates_to_ap_1(labelme_example, tmp_path):
    from pycocotools.cocoeval import COCOeval

    out = tmp_path / "coco"
    report = export_coco(labelme_example / "data_annotated", out, classes=labelme_example / "labels.txt",
                         val_ratio=0, workers=1)
    assert report.images == 3 and report.splits == {"train": 3, "val": 0}
    gt = _quiet_coco(out / "annotations" / "instances_train.json")
    assert len(gt.getImgIds()) == 3 and len(gt.getAnnIds()) == sum(report.instances.values())
    cats = {c["name"] for c in gt.loadCats(gt.getCatIds())}
    assert "person" in cats and "_background_" not in cats and "__ignore__" not in cats
    dets = gt.loadAnns(gt.getAnnIds())
    for d in dets:
        d["score"] = 1.0
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(dets)
        ev = COCOeval(gt, dt, "segm")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)
    for im in gt.loadImgs(gt.getImgIds()):
        assert (out / "images" / im["file_name"]).read_bytes() == \
            (labelme_example / "data_annotated" / im["file_name"]).read_bytes()
    _quiet_coco(out / "annotations" / "instances_val.json")  # an empty split still loads


def test_segmentation_kinds_area_bbox_and_skipped_points(tmp_path):
    src = tmp_path / "src"
    shapes = rich_shapes()
    jp = write_labelme(src, "a", shapes)
    classes = ClassList.from_names(["_background_", "cat", "dog"])
    out = tmp_path / "coco"
    report = export_coco(src, out, classes=classes, val_ratio=0, workers=1)
    doc = json.loads((out / "annotations" / "instances_train.json").read_text())
    anns = doc["annotations"]
    # grouped cat (2 polygons), dog rectangle, dog circle, cat mask; point and line skipped
    assert len(anns) == 4
    skipped = {(s.path, s.shape_index) for s in report.skipped}
    assert (jp, 5) in skipped and (jp, 6) in skipped
    assert any("not an area" in str(s) for s in report.skipped)
    grouped, rect, circle, mask = anns
    assert isinstance(grouped["segmentation"], list) and len(grouped["segmentation"]) == 2
    assert rect["segmentation"] == [[40.0, 20.0, 60.0, 20.0, 60.0, 40.0, 40.0, 40.0]]
    assert isinstance(circle["segmentation"], dict) and isinstance(mask["segmentation"], dict)
    coco = _quiet_coco(out / "annotations" / "instances_train.json")
    area_shapes = [s for s in shapes if s.shape_type not in ("point", "line")]
    crops = instance_crops(area_shapes, 48, 64, classes)
    assert len(crops) == 4
    for ann, (inst, crop, (x0, y0)) in zip(anns, crops):
        assert ann["category_id"] == inst.class_id
        assert ann["area"] == crop.sum()
        ys, xs = np.nonzero(crop)
        assert ann["bbox"] == [x0 + xs.min(), y0 + ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
        if isinstance(ann["segmentation"], dict):  # RLE is exactly the instance's own mask
            full = np.zeros((48, 64), bool)
            full[y0:y0 + crop.shape[0], x0:x0 + crop.shape[1]] = crop
            assert np.array_equal(coco.annToMask(ann).astype(bool), full)
    # the mask with a hole keeps its hole
    hole = coco.annToMask(mask)
    assert hole[2 + 5, 44 + 5] == 0 and hole[2, 44] == 1


def _masks(coco: COCO) -> list[tuple[int, int, np.ndarray]]:
    out = []
    for img_id in sorted(coco.getImgIds()):
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=[img_id])):
            out.append((img_id, ann["category_id"], coco.annToMask(ann).astype(bool)))
    return out


def test_round_trip_labelme_coco_labelme_coco(labelme_example, tmp_path):
    import shutil

    src = tmp_path / "src"
    shutil.copytree(labelme_example / "data_annotated", src)
    write_labelme(src, "rich", rich_shapes())
    classes = ClassList.from_file(labelme_example / "labels.txt")  # has cat and dog
    first = tmp_path / "c1"
    export_coco(src, first, classes=classes, val_ratio=0, workers=1)
    rep = import_coco(first / "annotations" / "instances_train.json", first / "images", tolerance=0, workers=1)
    assert rep.images == 4 and not rep.problems
    second = tmp_path / "c2"
    export_coco(first / "images", second, classes=classes, val_ratio=0, workers=1)
    a = _masks(_quiet_coco(first / "annotations" / "instances_train.json"))
    b = _masks(_quiet_coco(second / "annotations" / "instances_train.json"))
    assert len(a) == len(b) > 10
    for (ia, ca, ma), (ib, cb, mb) in zip(a, b):
        assert (ia, ca) == (ib, cb)
        assert _iou(ma, mb) >= 0.999


def test_strict_and_bad_inputs(tmp_path):
    src = tmp_path / "src"
    bad_folder(src)
    with pytest.raises(ExportError):
        export_coco(src, tmp_path / "strict", classes=["_background_", "cat", "dog"], strict=True, workers=1)
    assert not (tmp_path / "strict").exists()
    report = export_coco(src, tmp_path / "out", classes=["_background_", "cat", "dog"], val_ratio=0, workers=1)
    assert report.images == 4
    kinds = {(p.path.name, p.kind) for p in report.problems}
    assert {("unknown.json", "unknown_label"), ("zero.json", "degenerate_shape"),
            ("corrupt.json", "corrupt_json"), ("missing.json", "missing_image")} <= kinds
    doc = json.loads((tmp_path / "out" / "annotations" / "instances_train.json").read_text())
    assert len(doc["images"]) == 4 and len(doc["annotations"]) == 4  # good, unknown, zero, outside: 1 each


def test_overlapping_instances_keep_their_own_area(tmp_path):
    src = tmp_path / "src"
    write_labelme(src, "o", [Shape("cat", [(0.0, 0.0), (30.0, 30.0)], shape_type="rectangle"),
                             Shape("dog", [(10.0, 10.0), (20.0, 20.0)], shape_type="rectangle")])
    export_coco(src, tmp_path / "c", val_ratio=0, workers=1)
    doc = json.loads((tmp_path / "c" / "annotations" / "instances_train.json").read_text())
    assert [a["area"] for a in doc["annotations"]] == [31 * 31, 11 * 11]

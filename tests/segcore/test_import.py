"""Importers: VOC round trip gives identical PNGs, index masks (CamVid), COCO polygons/RLE."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from segcore.data.rasterize import ClassList, class_map
from segcore.formats.common import ExportError
from segcore.formats.importers import import_coco, import_index_masks, import_voc
from segcore.formats.voc import export_voc
from segcore.io.annotation import load
from tests.segcore.export_fixtures import rich_shapes, write_image, write_labelme


def test_labelme_voc_import_voc_gives_identical_pngs(labelme_example, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(labelme_example / "data_annotated", src)
    write_labelme(src, "rich", rich_shapes())
    labels = labelme_example / "labels.txt"
    first = tmp_path / "voc1"
    export_voc(src, first, classes=labels, workers=1)
    report = import_voc(first, tolerance=0, workers=1)
    assert report.images == 4 and not report.problems
    ann = load(first / "JPEGImages" / "2011_000003.json")
    assert {s.label for s in ann.shapes} >= {"person", "__ignore__"}
    assert any(s.shape_type == "polygon" for s in ann.shapes)
    assert all(s.group_id is not None for s in ann.shapes if s.label != "__ignore__")
    second = tmp_path / "voc2"
    export_voc(first / "JPEGImages", second, classes=labels, workers=1)
    for png in sorted((first / "SegmentationClass").glob("*.png")):
        for sub in ("SegmentationClass", "SegmentationObject"):
            a = np.array(Image.open(first / sub / png.name))
            b = np.array(Image.open(second / sub / png.name))
            assert np.array_equal(a, b), (sub, png.name)
    # existing label files are left alone unless overwrite
    again = import_voc(first, tolerance=0, workers=1)
    assert again.images == 0 and len(again.skipped) == 4 and "exists" in again.to_text()
    assert import_voc(first, tolerance=1.0, overwrite=True, workers=1).images == 4


def test_camvid_index_masks_import_lossless(camvid, tmp_path):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    for png in sorted((camvid / "train").glob("*.png"))[:3]:
        shutil.copy(png, images / png.name)
        shutil.copy(camvid / "trainannot" / png.name, masks / png.name)
    names = (camvid / "class_names.txt").read_text().split()
    report = import_index_masks(images, masks, camvid / "class_names.txt", ignore_value=11, tolerance=0, workers=2)
    assert report.images == 3 and not report.problems
    classes = ClassList.from_names(["_background_", *names])
    for png in sorted(images.glob("*.png")):
        ann = load(png.with_suffix(".json"))
        truth = np.array(Image.open(masks / png.name)).astype(np.int64)
        expected = np.where(truth == 11, 255, truth + 1)  # "Sky" (0) is a class, not background
        got = class_map(ann.shapes, ann.image_height, ann.image_width, classes)
        assert np.array_equal(got, expected)
        assert sum(s.shape_type == "polygon" for s in ann.shapes) > 0


def test_index_masks_bad_values_and_missing_masks(tmp_path):
    images, masks = tmp_path / "im", tmp_path / "m"
    images.mkdir()
    masks.mkdir()
    write_image(images / "a.png", 20, 10)
    write_image(images / "b.png", 20, 10)
    m = np.zeros((10, 20), np.uint8)
    m[2:6, 3:9] = 1
    m[7:9, 10:15] = 9  # not a class id
    Image.fromarray(m).save(masks / "a.png")
    report = import_index_masks(images, masks, ["_background_", "cat"], tolerance=1.0, workers=1)
    assert report.images == 1
    assert any("values [9]" in p.message for p in report.problems)
    assert any("no mask b.png" in str(s) for s in report.skipped)
    ann = load(images / "a.json")
    assert [s.label for s in ann.shapes] == ["cat"]


def test_coco_import_polygons_rle_and_problems(tmp_path):
    from pycocotools import mask as mask_utils

    root = tmp_path / "imgs"
    root.mkdir()
    write_image(root / "one.jpg", 40, 30)
    write_image(root / "two.jpg", 40, 30)
    m = np.zeros((30, 40), np.uint8)
    m[5:20, 5:25] = 1
    m[10:14, 10:14] = 0  # a hole
    rle = mask_utils.encode(np.asfortranarray(m))
    doc = {
        "images": [{"id": 7, "file_name": "one.jpg", "width": 40, "height": 30},
                   {"id": 8, "file_name": "gone.jpg", "width": 40, "height": 30},
                   {"id": 9, "file_name": "two.jpg", "width": 40, "height": 30}],
        "categories": [{"id": 3, "name": "cat"}, {"id": 4, "name": "dog"}],
        "annotations": [
            {"id": 1, "image_id": 7, "category_id": 3, "segmentation": [[1, 1, 10, 1, 5, 8], [30, 20, 38, 20, 34, 28]]},
            {"id": 2, "image_id": 7, "category_id": 4, "segmentation": {"size": [30, 40], "counts": rle["counts"].decode()}},
            {"id": 3, "image_id": 9, "category_id": 4, "segmentation": [[1, 2]]},
            {"id": 4, "image_id": 8, "category_id": 3, "segmentation": [[1, 1, 10, 1, 5, 8]]},
        ],
    }
    src = tmp_path / "inst.json"
    src.write_text(json.dumps(doc))
    report = import_coco(src, root, tolerance=1.0, workers=1)
    assert report.images == 1 and report.requested == 3 and report.refused == 2 and not report.complete
    assert any("annotation 3" in p.message for p in report.problems)
    assert not (root / "two.json").exists()  # an image with a bad annotation gets no label file
    assert any(p.kind == "missing_image" for p in report.problems)
    ann = load(root / "one.json")
    cats = [s for s in ann.shapes if s.label == "cat"]
    assert len(cats) == 2 and cats[0].group_id == cats[1].group_id is not None
    dogs = [s for s in ann.shapes if s.label == "dog"]
    assert dogs and dogs[0].shape_type == "mask"  # the hole needs a mask shape
    got = class_map(dogs, 30, 40, ClassList.from_names(["_background_", "dog"]))
    assert ((got == 1) == m.astype(bool)).mean() > 0.98
    with pytest.raises(ExportError, match="not a COCO"):
        (tmp_path / "bad.json").write_text("[1, 2")
        import_coco(tmp_path / "bad.json", root)

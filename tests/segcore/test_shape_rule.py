"""One rule for bad shapes: `info` and both exports name the same shapes with the same words,
and no export writes an annotation that covers 0 pixels (smart-tool slivers are kept: LabelMe
paints them, and COCO gets them as RLE)."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from segcore.cli import main
from segcore.formats.coco import clip_polygon, coco_pixels, coco_polygon
from segcore.io.annotation import Shape
from tests.segcore.export_fixtures import write_labelme

pycoco = pytest.importorskip("pycocotools.coco")

BIG = Shape("cat", [(4.0, 4.0), (40.0, 4.0), (30.0, 30.0)])
PARTLY = Shape("dog", [(50.0, 20.0), (90.0, 20.0), (55.0, 40.0)])  # 64 wide: reaches x=90
SLIVERS = [  # what a wand or a brush stroke can leave: area > 0, yet no pixel centre inside
    Shape("cat", [(10.0, 40.0), (11.0, 40.0), (10.0, 41.0)]),
    Shape("cat", [(20.1, 40.1), (20.9, 40.1), (20.5, 40.2)]),
    Shape("dog", [(30.2, 40.2), (30.4, 40.2), (30.4, 40.4), (30.2, 40.4)], shape_type="polygon"),
]
FLAT = Shape("cat", [(2.0, 30.0), (6.0, 34.0), (10.0, 38.0)])  # points on one line: no region


def _folder(root):
    write_labelme(root, "a", [BIG, PARTLY])
    write_labelme(root, "b", [BIG, *SLIVERS, FLAT], seed=1)
    grouped = [Shape("dog", BIG.points, group_id=7), Shape("dog", SLIVERS[0].points, group_id=7),
               Shape("cat", SLIVERS[1].points, group_id=8), Shape("cat", SLIVERS[2].points, group_id=8)]
    write_labelme(root, "c", grouped, seed=2)
    return root


def _shape_lines(text: str) -> set[str]:
    """The "<file>: shape <i>: <message>" lines, without any prefix before the file name."""
    found = set()
    for line in text.splitlines():
        if ": shape " in line and ".json" in line:
            found.add(line[line.index("/"):].strip())
    return found


def test_info_and_exports_name_the_same_shapes_the_same_way(tmp_path, capsys):
    root = _folder(tmp_path / "data")
    assert main(["info", str(root)]) == 0
    info = _shape_lines(capsys.readouterr().out)
    expected = {
        f"{root / 'a.json'}: shape 1: polygon lies partly outside the 64x48 image (clipped)",
        f"{root / 'b.json'}: shape 4: polygon has zero area (its points lie on one line)",
    }
    assert info == expected
    for fmt in ("voc", "coco"):
        rc = main(["export", str(root), "--format", fmt, "--out", str(tmp_path / fmt), "--quiet", "--workers", "1",
                   "--json"])
        assert rc == 0
        report = json.loads(capsys.readouterr().out)
        assert set(report["problems"]) == expected, fmt


def test_coco_export_never_writes_an_annotation_without_pixels(tmp_path, capsys):
    root = _folder(tmp_path / "data")
    out = tmp_path / "coco"
    assert main(["export", str(root), "--format", "coco", "--out", str(out), "--quiet", "--workers", "1",
                 "--val", "0"]) == 0
    text = capsys.readouterr().out
    assert "b.json: shape 4" in text and "zero area" in text
    with contextlib.redirect_stdout(io.StringIO()):
        coco = pycoco.COCO(str(out / "annotations" / "instances_train.json"))
    anns = coco.loadAnns(coco.getAnnIds())
    assert len(anns) == 8  # a: cat, dog; b: cat and the three slivers; c: the groups 7 and 8
    slivers = [a for a in anns if a["image_id"] == 2 and a["area"] < 10]
    assert len(slivers) == 3 and all(isinstance(a["segmentation"], dict) for a in slivers)  # RLE
    for ann in anns:
        assert ann["area"] > 0
        assert coco.annToMask(ann).sum() > 0, ann
        for poly in ann["segmentation"] if isinstance(ann["segmentation"], list) else []:
            img = coco.imgs[ann["image_id"]]
            assert coco_pixels(Shape("x", list(zip(poly[0::2], poly[1::2]))), img["width"], img["height"]) > 0


def test_voc_export_paints_slivers_and_counts_only_instances_with_pixels(tmp_path, capsys):
    root = _folder(tmp_path / "data")
    out = tmp_path / "voc"
    assert main(["export", str(root), "--format", "voc", "--out", str(out), "--quiet", "--workers", "1",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    total = 0
    for stem in ("a", "b", "c"):
        obj = np.array(Image.open(out / "SegmentationObject" / f"{stem}.png"))
        ids = set(np.unique(obj).tolist()) - {0, 255}
        total += len(ids)
        assert ids == set(range(1, len(ids) + 1))
    assert total == sum(report["instances"].values()) == 8
    cls = np.array(Image.open(out / "SegmentationClass" / "b.png"))
    assert cls[40, 10] == 1 and (cls[39:42, 19:23] == 1).any() and cls[40, 30] == 2  # slivers: their outline
    assert cls[34, 6] == 0  # the flat polygon marks no region


def test_voc_instance_hidden_under_later_shapes_is_not_counted(tmp_path, capsys):
    root = tmp_path / "data"
    small = Shape("dog", [(10.0, 10.0), (14.0, 10.0), (12.0, 14.0)])
    write_labelme(root, "a", [small, Shape("cat", [(2.0, 2.0), (40.0, 2.0), (20.0, 40.0)])])
    assert main(["export", str(root), "--format", "voc", "--out", str(tmp_path / "voc"), "--quiet",
                 "--workers", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["instances"] == {"cat": 1}
    assert any("a.json: shape 0" in s and "covered" in s for s in report["skipped"])


coord = st.floats(min_value=-5.0, max_value=70.0, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(coord, coord), min_size=3, max_size=6))
def test_every_polygon_the_coco_export_writes_covers_pixels_for_a_reader(points):
    from pycocotools import mask as mask_utils

    written = coco_polygon(Shape("cat", points), 64, 48)
    if written is not None:  # else the shape is written as RLE of its LabelMe pixels
        assert mask_utils.area(mask_utils.frPyObjects([written], 48, 64)).sum() > 0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(-40.0, 110.0), st.floats(-40.0, 90.0)), min_size=3, max_size=7))
def test_clipping_to_the_image_keeps_the_pixels_a_coco_reader_sees(points):
    from pycocotools import mask as mask_utils

    coords = [v for p in points for v in p]
    clipped = clip_polygon(coords, 0, 0, 64, 48)
    assert all(0 <= x <= 64 for x in clipped[0::2]) and all(0 <= y <= 48 for y in clipped[1::2])

    def raster(c):  # on a canvas holding the whole polygon (no reader-side clipping), then cropped
        if len(c) < 6:
            return np.zeros((48, 64), np.uint8)
        moved = [v + 50 for v in c]
        return mask_utils.decode(mask_utils.frPyObjects([moved], 200, 220))[50:98, 50:114, 0]

    ys, xs = np.nonzero(raster(coords) != raster(clipped))
    # pixels may differ only where an edge passes (the reader rounds each edge on its own)
    pts = np.asarray(points, dtype=float)
    a, b = pts, np.roll(pts, -1, axis=0)
    for x, y in zip(xs, ys):
        for c in ((x, y), (x + 0.5, y + 0.5)):  # either pixel-centre convention
            ab, ap = b - a, np.asarray(c) - a
            t = np.clip((ap * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-12), 0, 1)
            if (np.hypot(*(ap - t[:, None] * ab).T) <= 1.5).any():
                break
        else:
            raise AssertionError(f"pixel {(x, y)} differs away from every edge")


def test_a_shape_reaching_far_outside_is_reported_and_exported_clipped(tmp_path, capsys):
    root = tmp_path / "data"
    far = Shape("cat", [(2.0, 2.0), (1e300, 2.0), (2.0, 1e300)])  # a real triangle, not a line
    write_labelme(root, "a", [far])
    assert main(["info", str(root)]) == 0
    assert f"{root / 'a.json'}: shape 0: polygon lies partly outside the 64x48 image (clipped)" in capsys.readouterr().out
    out = tmp_path / "coco"
    assert main(["export", str(root), "--format", "coco", "--out", str(out), "--quiet", "--workers", "1",
                 "--val", "0"]) == 0
    doc = json.loads((out / "annotations" / "instances_train.json").read_text())
    (poly,) = doc["annotations"][0]["segmentation"]
    assert all(0 <= x <= 64 for x in poly[0::2]) and all(0 <= y <= 48 for y in poly[1::2])
    with contextlib.redirect_stdout(io.StringIO()):
        coco = pycoco.COCO(str(out / "annotations" / "instances_train.json"))
    assert coco.annToMask(coco.loadAnns(coco.getAnnIds())[0]).sum() > 2000

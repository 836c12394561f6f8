"""VOC export: LabelMe parity, torchvision reads it, layout, splits, bad inputs, safety."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from segcore.data.rasterize import ClassList, class_map
from segcore.formats.common import ExportError
from segcore.formats.voc import export_voc
from segcore.io.annotation import Shape, load
from segcore.io.palette import voc_palette
from segcore.progress import Cancelled, CancelToken
from tests.segcore.export_fixtures import bad_folder, rich_shapes, write_labelme


def test_labelme_example_matches_expected_voc(labelme_example, tmp_path):
    out = tmp_path / "voc"
    report = export_voc(labelme_example / "data_annotated", out, classes=labelme_example / "labels.txt",
                        workers=1, overlays=True)
    assert report.images == 3 and report.instances["person"] > 0
    expected = labelme_example / "expected_voc" / "SegmentationClass"
    for png in sorted(expected.glob("*.png")):
        ours = Image.open(out / "SegmentationClass" / png.name)
        assert ours.mode == "P"
        assert np.array_equal(np.array(ours.getpalette()[:3 * 21]).reshape(-1, 3), voc_palette(21))
        a, b = np.array(ours), np.array(Image.open(png))
        assert a.shape == b.shape
        assert (a == b).mean() >= 0.999, png.name
        # JPEG copied byte for byte, overlay written
        src = labelme_example / "data_annotated" / f"{png.stem}.jpg"
        assert (out / "JPEGImages" / f"{png.stem}.jpg").read_bytes() == src.read_bytes()
        assert (out / "SegmentationClassVisualization" / f"{png.stem}.jpg").is_file()
    names = (out / "class_names.txt").read_text().split("\n")[:-1]
    assert names == (labelme_example / "expected_voc" / "class_names.txt").read_text().split("\n")[: len(names)]
    sets = out / "ImageSets" / "Segmentation"
    train, val, trainval = ((sets / f"{n}.txt").read_text().split() for n in ("train", "val", "trainval"))
    assert sorted(trainval) == sorted(train + val) == ["2011_000003", "2011_000006", "2011_000025"]
    # two example polygons end less than a pixel past the border: a click on the edge, not a
    # problem (as `info` says of the same folder)
    assert report.problems == []


@pytest.mark.slow
def test_torchvision_reads_export_and_masks_equal_class_maps(tmp_path):
    torchvision = pytest.importorskip("torchvision")
    src = tmp_path / "src"
    for i in range(4):
        write_labelme(src, f"img{i}", rich_shapes(), seed=i, suffix=".png" if i == 3 else ".jpg")
    root = tmp_path / "tv"
    voc = root / "VOCdevkit" / "VOC2012"
    classes = ClassList.from_names(["_background_", "cat", "dog"])
    report = export_voc(src, voc, classes=classes, val_ratio=0.5, workers=1)
    assert report.images == 4
    seen = 0
    for split in ("train", "val"):
        ds = torchvision.datasets.VOCSegmentation(str(root), year="2012", image_set=split, download=False)
        stems = (voc / "ImageSets" / "Segmentation" / f"{split}.txt").read_text().split()
        assert len(ds) == len(stems) > 0
        for k, stem in enumerate(stems):
            img, target = ds[k]
            ann = load(src / f"{stem}.json")
            expected = class_map(ann.shapes, 48, 64, classes)
            assert np.array_equal(np.array(target), expected)
            assert img.size == (64, 48)
            seen += 1
    assert seen == 4
    # the PNG source was encoded once as JPEG
    assert Image.open(voc / "JPEGImages" / "img3.jpg").format == "JPEG"
    obj = np.array(Image.open(voc / "SegmentationObject" / "img0.png"))
    assert set(np.unique(obj)) <= {0, 1, 2, 3, 4, 5, 6, 255} and obj.max() > 0


def test_bad_inputs_are_reported_and_the_rest_exports(tmp_path):
    src = tmp_path / "src"
    paths = bad_folder(src)
    out = tmp_path / "out"
    report = export_voc(src, out, classes=["_background_", "cat", "dog"], val_ratio=0, workers=1)
    by_kind = {(p.path.name, p.kind, p.shape_index) for p in report.problems}
    assert ("unknown.json", "unknown_label", 1) in by_kind
    assert ("zero.json", "degenerate_shape", 0) in by_kind
    assert ("outside.json", "degenerate_shape", 0) in by_kind
    assert any(p.path == paths["corrupt"] and p.kind == "corrupt_json" for p in report.problems)
    assert any(p.path == paths["missing"] and p.kind == "missing_image" for p in report.problems)
    text = report.to_text()
    assert "zebra" in text and "unknown.json: shape 1" in text and "corrupt.json" in text
    exported = sorted(p.stem for p in (out / "SegmentationClass").glob("*.png"))
    assert exported == ["good", "outside", "unknown", "zero"]
    # the good shape of "unknown" is there, the unknown one is not
    cm = np.array(Image.open(out / "SegmentationClass" / "unknown.png"))
    assert cm[5, 5] == 1 and cm[15, 15] == 0
    # the partly-outside polygon is clipped, not dropped
    assert (np.array(Image.open(out / "SegmentationClass" / "outside.png")) == 2).any()


def test_strict_writes_nothing_and_out_safety(tmp_path):
    src = tmp_path / "src"
    bad_folder(src)
    out = tmp_path / "out"
    with pytest.raises(ExportError) as info:
        export_voc(src, out, classes=["_background_", "cat", "dog"], strict=True, workers=1)
    assert info.value.report is not None and len(info.value.report.problems) >= 5
    assert not out.exists()
    # a non-empty folder is refused; with overwrite, a file we did not write survives
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    good = tmp_path / "good"
    write_labelme(good, "a", [Shape("cat", [(2.0, 2.0), (20.0, 2.0), (10.0, 15.0)])])
    with pytest.raises(ExportError, match="not empty"):
        export_voc(good, out, workers=1)
    report = export_voc(good, out, overwrite=True, workers=1)
    assert report.images == 1 and (out / "mine.txt").read_text() == "keep me"
    assert report.classes == ["_background_", "cat"]


def test_splits_stable_and_from_flags(tmp_path):
    src = tmp_path / "src"
    tri = [Shape("cat", [(2.0, 2.0), (20.0, 2.0), (10.0, 15.0)])]
    for i in range(12):
        write_labelme(src, f"im{i}", tri, seed=i)
    a = export_voc(src, tmp_path / "a", val_ratio=0.3, seed=1, workers=1)
    for i in range(12, 20):
        write_labelme(src, f"im{i}", tri, seed=i)
    export_voc(src, tmp_path / "b", val_ratio=0.3, seed=1, workers=1)
    sets_a = {n: set((tmp_path / "a/ImageSets/Segmentation" / f"{n}.txt").read_text().split()) for n in ("train", "val")}
    sets_b = {n: set((tmp_path / "b/ImageSets/Segmentation" / f"{n}.txt").read_text().split()) for n in ("train", "val")}
    assert sets_a["val"] and sets_a["train"] and a.splits["val"] == len(sets_a["val"])
    assert sets_a["val"] <= sets_b["val"] and sets_a["train"] <= sets_b["train"]
    flags = tmp_path / "flags"
    write_labelme(flags, "x", tri, flags={"val": True, "train": False})
    write_labelme(flags, "y", tri, flags={"val": False})
    write_labelme(flags, "z", tri, flags={"test": True})
    r = export_voc(flags, tmp_path / "c", split_from_flags=True, workers=1)
    sets = tmp_path / "c/ImageSets/Segmentation"
    assert (sets / "val.txt").read_text().split() == ["x"]
    assert (sets / "train.txt").read_text().split() == ["y"]
    assert (sets / "test.txt").read_text().split() == ["z"]
    assert r.splits == {"train": 1, "val": 1, "test": 1}


def test_process_pool_output_equals_serial_and_cancel(labelme_example, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(labelme_example / "data_annotated", src)
    labels = labelme_example / "labels.txt"
    export_voc(src, tmp_path / "one", classes=labels, workers=1)
    export_voc(src, tmp_path / "two", classes=labels, workers=2)
    for sub in ("SegmentationClass", "SegmentationObject", "JPEGImages"):
        for f in (tmp_path / "one" / sub).iterdir():
            assert f.read_bytes() == (tmp_path / "two" / sub / f.name).read_bytes()
    token = CancelToken()
    seen = []

    def progress(done, total, msg):
        seen.append(done)
        if done >= 1:
            token.cancel()

    with pytest.raises(Cancelled):
        export_voc(src, tmp_path / "three", classes=labels, workers=1, progress=progress, cancel=token)
    # a cancelled export leaves nothing: no output folder, no temporary folder beside it
    assert not (tmp_path / "three").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_rotated_jpeg_reencoded_and_subfolder_stems(tmp_path):
    from segcore.io.annotation import Annotation, save

    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    write_labelme(src / "a", "x", [Shape("cat", [(2.0, 2.0), (20.0, 2.0), (10.0, 15.0)])])
    write_labelme(src / "b", "x", [Shape("cat", [(2.0, 2.0), (20.0, 2.0), (10.0, 15.0)])], seed=3)
    # a JPEG stored 64x48 with EXIF orientation 6 (shown rotated: 48x64)
    rot = src / "rot.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.full((48, 64, 3), 90, np.uint8)).save(rot, exif=exif)
    save(Annotation(shapes=[Shape("cat", [(1.0, 1.0), (40.0, 1.0), (20.0, 60.0)])], image_path="rot.jpg",
                    image_width=48, image_height=64), src / "rot.json")
    out = tmp_path / "out"
    report = export_voc(src, out, workers=1)
    assert report.images == 3 and not report.problems
    assert sorted(p.stem for p in (out / "SegmentationClass").glob("*.png")) == ["a_x", "b_x", "rot"]
    exported = out / "JPEGImages" / "rot.jpg"
    assert exported.read_bytes() != rot.read_bytes()
    with Image.open(exported) as im:
        assert im.size == (48, 64) and im.getexif().get(0x0112, 1) == 1
    assert Image.open(out / "SegmentationClass" / "rot.png").size == (48, 64)
    assert (out / "JPEGImages" / "a_x.jpg").read_bytes() == (src / "a" / "x.jpg").read_bytes()


def test_unreadable_image_is_reported_and_others_export(tmp_path):
    src = tmp_path / "src"
    tri = [Shape("cat", [(2.0, 2.0), (20.0, 2.0), (10.0, 15.0)])]
    write_labelme(src, "fine", tri)
    write_labelme(src, "broken", tri, suffix=".png")
    data = (src / "broken.png").read_bytes()
    (src / "broken.png").write_bytes(data[: len(data) // 3])  # header intact, pixels truncated
    out = tmp_path / "out"
    report = export_voc(src, out, workers=1)
    assert report.images == 1
    assert any(p.kind == "unreadable_image" and p.path.name == "broken.png" for p in report.problems)
    assert not (out / "SegmentationClass" / "broken.png").exists()
    assert (out / "SegmentationClass" / "fine.png").exists()

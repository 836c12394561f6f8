"""Tests of segcore.data.dataset: scanning, pairing, problems, class statistics, splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from segcore.data.dataset import (
    DatasetError,
    Item,
    natural_key,
    scan,
    split_items,
    split_of,
    summarize,
)
from segcore.data.rasterize import ClassList
from segcore.io import annotation
from segcore.io.annotation import Annotation, Shape
from segcore.progress import Cancelled, CancelToken


def make_image(path: Path, w: int = 10, h: int = 8) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((h, w, 3), dtype=np.uint8)).save(path)
    return path


def make_json(path: Path, image_path: str, shapes: list[Shape], w: int = 10, h: int = 8) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    annotation.save(Annotation(shapes=shapes, image_path=image_path, image_width=w, image_height=h), path)
    return path


def rect(label: str, p, q, **kw) -> Shape:
    return Shape(label, [tuple(map(float, p)), tuple(map(float, q))], shape_type="rectangle", **kw)


def test_natural_key_orders_numbers_by_value():
    names = ["img10", "img2", "Img1", "img2b", "a/img3", "img"]
    assert sorted(names, key=natural_key) == ["a/img3", "img", "Img1", "img2", "img2b", "img10"]


def test_scan_is_recursive_natural_and_skips_hidden(tmp_path):
    for rel in ["img10.png", "img2.jpg", "sub/img1.png", ".hidden/x.png", "sub/.cache/y.png", "notes.txt"]:
        if rel.endswith("txt"):
            (tmp_path / rel).write_text("x")
        else:
            make_image(tmp_path / rel)
    make_json(tmp_path / "img2.json", "img2.jpg", [])
    items = scan(tmp_path)
    assert [it.key for it in items] == ["img2", "img10", "sub/img1"]
    assert items[0] == Item(tmp_path / "img2.jpg", tmp_path / "img2.json", "img2")
    assert items[1].json is None


def test_scan_follows_image_path_when_no_same_stem_image(tmp_path):
    root = tmp_path / "root"
    make_image(tmp_path / "elsewhere" / "photo.png")
    make_json(root / "labels" / "photo.json", "../../elsewhere/photo.png", [])
    make_image(root / "img7.png")
    make_json(root / "renamed.json", "img7.png", [])
    items = scan(root)
    by_key = {it.key: it for it in items}
    assert by_key["img7"].json == root / "renamed.json"
    assert by_key["labels/photo"].image == (tmp_path / "elsewhere" / "photo.png").resolve()
    assert by_key["labels/photo"].json == root / "labels" / "photo.json"


def test_scan_rejects_missing_folder_and_files(tmp_path):
    with pytest.raises(DatasetError, match="no such folder"):
        scan(tmp_path / "absent")
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(DatasetError, match="not a folder"):
        scan(f)


def test_summary_counts_classes_instances_and_pixels(tmp_path):
    make_image(tmp_path / "a.png")
    make_json(tmp_path / "a.json", "a.png", [
        rect("cat", (0, 0), (4, 4)),               # 25 px
        rect("dog", (5, 0), (9, 1), group_id=1),   # 10 px
        rect("dog", (5, 6), (9, 7), group_id=1),   # 10 px, same instance
        rect("__ignore__", (0, 6), (1, 7)),        # 4 px
    ])
    make_image(tmp_path / "b.png")
    make_json(tmp_path / "b.json", "b.png", [rect("dog", (0, 0), (1, 1)), rect("dog", (3, 3), (4, 4))])
    make_image(tmp_path / "c.png")  # unlabelled
    calls = []
    s = summarize(tmp_path, progress=lambda done, total, msg: calls.append((done, total)))
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)
    assert s.classes.names == ["_background_", "cat", "dog"] and s.classes.has_ignore
    assert (s.labelled, s.unlabelled, s.broken) == (2, 1, 0)
    st_ = s.class_stats
    assert (st_["cat"].images, st_["cat"].instances, st_["cat"].pixels) == (1, 1, 25)
    assert (st_["dog"].images, st_["dog"].instances, st_["dog"].pixels) == (2, 3, 28)
    assert st_["__ignore__"].pixels == 4
    assert st_["_background_"].pixels == 2 * 80 - 25 - 28 - 4
    assert s.total_pixels == 160 and s.problems == []
    js = s.to_json()
    assert js["class_stats"]["cat"]["pixels"] == 25 and js["images"] == 3
    assert js["items"][0]["labels"] == ["cat", "dog", "__ignore__"]


def test_summary_reports_every_problem_with_its_file(tmp_path):
    make_image(tmp_path / "ok.png")
    make_json(tmp_path / "ok.json", "ok.png", [rect("cat", (0, 0), (3, 3))])
    make_image(tmp_path / "corrupt.png")
    (tmp_path / "corrupt.json").write_text('{"shapes": [', encoding="utf-8")
    make_json(tmp_path / "lost.json", "lost.png", [rect("cat", (0, 0), (3, 3))])
    make_image(tmp_path / "big.png", w=12)
    make_json(tmp_path / "big.json", "big.png", [rect("cat", (0, 0), (3, 3))], w=10)
    make_image(tmp_path / "shapes.png")
    make_json(tmp_path / "shapes.json", "shapes.png", [
        Shape("cat", [(1.0, 1.0), (3.0, 3.0), (5.0, 5.0)]),       # zero area
        rect("cat", (50, 50), (60, 60)),                         # outside
        rect("zebra", (0, 0), (2, 2)),                           # unknown label
        rect("cat", (2, 2), (2, 6)),                             # zero width
        Shape("cat", [(6.0, 0.0), (8.0, 2.0), (8.0, 0.0), (6.0, 2.0)]),  # bow-tie: not degenerate
    ])
    (tmp_path / "bad.png").write_bytes(b"not an image")
    make_json(tmp_path / "bad.json", "bad.png", [], w=10, h=8)
    make_image(tmp_path / "twin.png")
    make_json(tmp_path / "other.json", "twin.png", [])
    (tmp_path / "twin.json").write_text(annotation.dumps(Annotation(image_path="twin.png", image_width=10,
                                                                    image_height=8)), encoding="utf-8")
    s = summarize(tmp_path, ClassList.from_names(["_background_", "cat"]))
    found = {(p.path.name, p.kind, p.shape_index) for p in s.problems}
    assert found == {
        ("corrupt.json", "corrupt_json", None),
        ("lost.json", "missing_image", None),
        ("big.json", "size_mismatch", None),
        ("shapes.json", "degenerate_shape", 0),
        ("shapes.json", "degenerate_shape", 1),
        ("shapes.json", "unknown_label", 2),
        ("shapes.json", "degenerate_shape", 3),
        ("bad.png", "unreadable_image", None),
        ("other.json", "orphan_json", None),
    }
    texts = {str(p) for p in s.problems}
    assert any(t.startswith(str(tmp_path / "shapes.json") + ": shape 2: ") and "zebra" in t for t in texts)
    assert any("12x8" in t and "10x8" in t for t in texts)
    # The rest is still summarised; unknown labels stay out of the counts.
    assert s.broken == 1 and s.labelled == 5
    # ok + big (at its real 12x8) + the 7-pixel bow-tie; the zero-area polygon and the
    # zero-width rectangle mark no region: no pixel, as in training and the exports
    assert s.class_stats["cat"].pixels == 16 + 16 + 7
    assert "zebra" not in s.class_stats


def test_summary_can_be_cancelled(tmp_path):
    make_image(tmp_path / "a.png")
    make_json(tmp_path / "a.json", "a.png", [rect("cat", (0, 0), (4, 4))])
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        summarize(tmp_path, cancel=token)


def test_split_is_stable_when_images_are_added():
    keys = [f"img{i}" for i in range(400)]
    before = {k: split_of(k, 0.2) for k in keys}
    more = keys + [f"new/img{i}" for i in range(400)]
    after = {k: split_of(k, 0.2) for k in more}
    assert all(after[k] == before[k] for k in keys)
    frac = sum(v == "val" for v in after.values()) / len(after)
    assert 0.15 < frac < 0.25
    assert any(split_of(k, 0.2, seed=1) != before[k] for k in keys)
    with pytest.raises(ValueError):
        split_of("x", 1.5)


@settings(max_examples=40, deadline=None)
@given(keys=st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=30, unique=True),
       ratio=st.floats(0.01, 0.99), seed=st.integers(0, 5))
def test_split_items_partitions_and_never_leaves_a_side_empty(keys, ratio, seed):
    items = [Item(Path(k + ".png"), None, k) for k in keys]
    out = split_items(items, ratio, seed)
    assert sorted(out["train"] + out["val"], key=lambda it: it.key) == sorted(items, key=lambda it: it.key)
    assert out["train"] and out["val"]
    assert split_items(items, ratio, seed) == out


def test_summary_pixels_match_labelme_export(labelme_example):
    classes = ClassList.from_file(labelme_example / "labels.txt")
    s = summarize(labelme_example / "data_annotated", classes)
    assert [it.key for it in s.items] == ["2011_000003", "2011_000006", "2011_000025"]
    assert s.problems == [] and s.labelled == 3
    counts = np.zeros(256, dtype=np.int64)
    for png in sorted((labelme_example / "expected_voc" / "SegmentationClass").glob("*.png")):
        counts += np.bincount(np.array(Image.open(png)).ravel(), minlength=256)
    assert s.total_pixels == counts.sum()
    for cid, name in enumerate(classes.names):
        assert abs(s.class_stats[name].pixels - counts[cid]) <= 0.001 * counts.sum(), name
    assert abs(s.class_stats["__ignore__"].pixels - counts[255]) <= 0.001 * counts.sum()
    assert s.class_stats["person"].images == 2 and s.class_stats["sofa"].instances == 4


def test_size_check_uses_the_exif_oriented_size(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees: a 10x8 stored image is shown 8x10
    for stem in ("good", "raw"):
        Image.fromarray(np.zeros((8, 10, 3), dtype=np.uint8)).save(tmp_path / f"{stem}.jpg", exif=exif)
    make_json(tmp_path / "good.json", "good.jpg", [rect("cat", (0, 0), (7, 9))], w=8, h=10)
    make_json(tmp_path / "raw.json", "raw.jpg", [rect("cat", (0, 0), (1, 1))], w=10, h=8)
    s = summarize(tmp_path)
    assert [(p.path.name, p.kind) for p in s.problems] == [("raw.json", "size_mismatch")]
    assert "EXIF" in s.problems[0].message
    assert s.class_stats["cat"].pixels == 80 + 4 and s.total_pixels == 160

"""Hostile and broken import input: paths that leave the images folder, malformed COCO entries,
RLE that does not fit its image, crowd regions, and the exit status of ``import``. Every
refused image is named with its annotation, nothing is written for it, and nothing outside the
images folder is ever touched."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segcore.cli import main
from segcore.formats.importers import import_coco, import_index_masks
from segcore.io.annotation import load
from tests.segcore.export_fixtures import write_image

mask_utils = pytest.importorskip("pycocotools.mask")

SENTINEL = '{"another project": "its own label file"}'
TRI = [2, 2, 30, 2, 15, 25]


def rle(mask: np.ndarray) -> dict:
    """Compressed COCO RLE of a bool mask, encoded by pycocotools."""
    r = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(r["size"][0]), int(r["size"][1])], "counts": r["counts"].decode("ascii")}


def coco(tmp_path: Path, images: list, annotations: list, categories=None) -> Path:
    src = tmp_path / "instances.json"
    src.write_text(json.dumps({"images": images, "annotations": annotations,
                               "categories": categories or [{"id": 1, "name": "cat"}]}))
    return src


def entry(image_id, file_name, w=64, h=48) -> dict:
    return {"id": image_id, "file_name": file_name, "width": w, "height": h}


def ann(ann_id, image_id, segmentation, **kw) -> dict:
    return {"id": ann_id, "image_id": image_id, "category_id": 1, "segmentation": segmentation, **kw}


@pytest.fixture
def project(tmp_path):
    """``project/images`` with a.png and b.png (64x48), and ``other_project`` beside it holding
    a label file that must never change."""
    images = tmp_path / "project" / "images"
    other = tmp_path / "other_project"
    images.mkdir(parents=True)
    other.mkdir()
    write_image(images / "a.png")
    write_image(images / "b.png")
    write_image(other / "victim.png")
    (other / "victim.json").write_text(SENTINEL)
    return images, other


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------- paths (item 2)


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlinked_folder", "new_file_outside"])
def test_coco_file_name_outside_the_images_folder_is_refused(tmp_path, project, kind):
    images, other = project
    name = {
        "dotdot": "../../other_project/victim.png",
        "absolute": str(other / "victim.png"),
        "symlinked_folder": "link/victim.png",
        "new_file_outside": "../elsewhere.png",
    }[kind]
    if kind == "symlinked_folder":
        (images / "link").symlink_to(other, target_is_directory=True)
    if kind == "new_file_outside":
        write_image(images.parent / "elsewhere.png")
    before, before_project = snapshot(other), snapshot(images.parent)
    src = coco(tmp_path, [entry(1, "a.png"), entry(2, name)], [ann(10, 1, [TRI]), ann(11, 2, [TRI])])
    report = import_coco(src, images, overwrite=True, workers=1)
    assert snapshot(other) == before
    after = snapshot(images.parent)
    assert {k for k in after if k not in before_project} == {"images/a.json"}
    assert report.images == 1 and report.requested == 2
    msg = next(p.message for p in report.problems)
    assert name in msg and "outside the images folder" in msg and "image 2" in msg


def test_coco_label_file_symlinked_outside_is_refused(tmp_path, project):
    images, other = project
    (images / "b.json").symlink_to(other / "victim.json")
    src = coco(tmp_path, [entry(1, "a.png"), entry(2, "b.png")], [ann(10, 1, [TRI]), ann(11, 2, [TRI])])
    report = import_coco(src, images, overwrite=True, workers=1)
    assert (other / "victim.json").read_text() == SENTINEL
    assert report.images == 1 and any("b.json" in str(p) and "outside" in str(p) for p in report.problems)


def test_image_symlinked_outside_is_refused(tmp_path, project):
    images, other = project
    (images / "c.png").symlink_to(other / "victim.png")
    src = coco(tmp_path, [entry(1, "c.png")], [ann(10, 1, [TRI])])
    report = import_coco(src, images, workers=1)
    assert report.images == 0 and not (images / "c.json").exists()
    assert "outside the images folder" in str(report.problems[0])


def test_mask_import_never_follows_a_label_file_link_outside(tmp_path, project):
    images, other = project
    masks = tmp_path / "masks"
    masks.mkdir()
    m = np.zeros((48, 64), np.uint8)
    m[5:20, 5:30] = 1
    Image.fromarray(m).save(masks / "a.png")
    Image.fromarray(m).save(masks / "b.png")
    (images / "b.json").symlink_to(other / "victim.json")
    report = import_index_masks(images, masks, ["_background_", "cat"], overwrite=True, workers=1)
    assert (other / "victim.json").read_text() == SENTINEL
    assert report.images == 1 and (images / "a.json").is_file()
    assert any("outside the images folder" in str(p) for p in report.problems)


# ----------------------------------------------------------------------------- COCO entries (item 4)


def test_image_entry_without_file_name_or_width_is_named_not_a_traceback(tmp_path, project):
    images, _ = project
    src = coco(tmp_path, [entry(1, "a.png"), {"id": 2, "width": 64, "height": 48},
                          {"id": 3, "file_name": "b.png", "height": 48}],
               [ann(10, 1, [TRI]), ann(11, 2, [TRI]), ann(12, 3, [TRI])])
    report = import_coco(src, images, workers=1)
    assert report.images == 1 and (images / "a.json").is_file() and not (images / "b.json").exists()
    text = report.to_text()
    assert "image 2" in text and "file_name" in text
    assert "image 3" in text and "width" in text


def test_negative_rle_run_is_refused_and_other_images_still_import(tmp_path, project):
    images, _ = project
    bad = {"size": [48, 64], "counts": [100, -5, 48 * 64 - 95]}
    src = coco(tmp_path, [entry(1, "a.png"), entry(2, "b.png")], [ann(10, 1, [TRI]), ann(11, 2, bad)])
    report = import_coco(src, images, workers=1)
    assert report.images == 1 and not (images / "b.json").exists()
    assert any("annotation 11" in p.message and "negative" in p.message for p in report.problems)


def test_duplicate_image_ids_refuse_both_images(tmp_path, project):
    images, _ = project
    src = coco(tmp_path, [entry(1, "a.png"), entry(1, "b.png")], [ann(10, 1, [TRI])])
    report = import_coco(src, images, workers=1)
    assert report.images == 0 and not list(images.glob("*.json"))
    assert any("image 1" in p.message and "2 times" in p.message for p in report.problems)


def test_rle_size_that_differs_from_the_image_is_refused(tmp_path, project):
    images, _ = project
    m = np.zeros((480, 640), bool)
    m[100:300, 200:500] = True
    src = coco(tmp_path, [entry(1, "a.png")], [ann(10, 1, rle(m))])
    report = import_coco(src, images, workers=1)
    assert report.images == 0 and not (images / "a.json").exists()
    assert any("annotation 10" in p.message and "640x480" in p.message and "64x48" in p.message
               for p in report.problems)


def test_coco_size_is_checked_against_the_real_image(tmp_path, project):
    images, _ = project
    src = coco(tmp_path, [entry(1, "a.png", w=640, h=480)], [ann(10, 1, [TRI])])
    report = import_coco(src, images, workers=1)
    assert report.images == 0 and not (images / "a.json").exists()
    assert any("640x480" in p.message and "64x48" in p.message for p in report.problems)


@pytest.mark.parametrize("segmentation, words", [
    ([], "no polygon"),
    ([[]], "at least 3"),
    ([[1e308, 1, 10, 1, 5, 8]], "outside the 64x48 image"),
    ([[1, 1, float("nan"), 1, 5, 8]], "not a finite number"),
    ([[1, 1, 5, 5, 9, 9]], "zero area"),
    ({"size": [48, 64], "counts": [48 * 64]}, "empty"),
    ({"size": [48, 64], "counts": [10, 10]}, "3072"),
    ({"size": [48, 64], "counts": "!!not rle"}, "RLE"),
    ("polygon", "segmentation"),
])
def test_bad_segmentation_refuses_its_image(tmp_path, project, segmentation, words):
    images, _ = project
    src = coco(tmp_path, [entry(1, "a.png"), entry(2, "b.png")],
               [ann(10, 1, [TRI]), ann(11, 2, [TRI]), ann(12, 2, segmentation)])
    report = import_coco(src, images, workers=1)
    assert report.images == 1 and (images / "a.json").is_file() and not (images / "b.json").exists()
    msg = " ".join(p.message for p in report.problems)
    assert "annotation 12" in msg and "b.png" in msg and words in msg


def test_crowd_regions_import_as_ignore(tmp_path, project):
    images, _ = project
    m = np.zeros((48, 64), bool)
    m[10:30, 20:50] = True
    crowd = mask_utils.frPyObjects  # uncompressed RLE, as COCO writes crowd regions
    r = {"size": [48, 64], "counts": _runs(m)}
    assert mask_utils.decode(crowd(r, 48, 64)).astype(bool).sum() == m.sum()
    src = coco(tmp_path, [entry(1, "a.png")], [ann(10, 1, [TRI]), ann(11, 1, r, iscrowd=1)])
    report = import_coco(src, images, tolerance=0, workers=1)
    assert report.images == 1 and not report.problems
    shapes = load(images / "a.json").shapes
    assert [s.label for s in shapes] == ["cat", "__ignore__"]
    assert "crowd" in shapes[1].description and "cat" in shapes[1].description
    assert report.instances["cat"] == 1


def _runs(mask: np.ndarray) -> list[int]:
    """Uncompressed (column-major) RLE counts of a bool mask, starting with a 0-run."""
    flat = mask.T.ravel().astype(np.int8)
    edges = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], edges, [flat.size]])
    runs = [int(v) for v in np.diff(bounds)]
    return ([0] + runs) if flat[0] else runs


def test_two_entries_for_one_label_file_refuse_both(tmp_path, project):
    images, _ = project
    write_image(images / "a.jpg")
    src = coco(tmp_path, [entry(1, "a.png"), entry(2, "a.jpg")], [ann(10, 1, [TRI]), ann(11, 2, [TRI])])
    report = import_coco(src, images, workers=1)
    assert report.images == 0 and not (images / "a.json").exists()
    assert any("a.json" in p.message for p in report.problems)


# ----------------------------------------------------------------------------- exit status (item 3)


def test_import_cli_exits_nonzero_and_says_how_much_was_done(tmp_path, project, capsys):
    images, _ = project
    src = coco(tmp_path, [entry(1, "a.png"), entry(2, "../../other_project/victim.png")],
               [ann(10, 1, [TRI]), ann(11, 2, [TRI])])
    rc = main(["import", "coco", str(src), "--images", str(images), "--quiet", "--workers", "1"])
    out = capsys.readouterr().out
    assert rc == 1 and "wrote 1 of 2 images" in out and "1 refused" in out and "victim.png" in out
    # nothing at all could be written: still non-zero, never "0 images" and 0
    rc = main(["import", "coco", str(src), "--images", str(images), "--quiet", "--workers", "1"])
    out = capsys.readouterr().out
    assert rc == 1 and "wrote 0 of 2 images" in out and "a.json" in out and "exists" in out
    # everything imported: 0
    (images / "a.json").unlink()
    ok = coco(tmp_path, [entry(1, "a.png")], [ann(10, 1, [TRI])])
    assert main(["import", "coco", str(ok), "--images", str(images), "--quiet", "--workers", "1"]) == 0
    assert "wrote 1 of 1 images" in capsys.readouterr().out


def test_import_cli_json_report_has_the_counts(tmp_path, project, capsys):
    images, _ = project
    src = coco(tmp_path, [entry(1, "a.png"), entry(2, "b.png")], [ann(10, 1, [TRI]), ann(11, 2, [])])
    rc = main(["import", "coco", str(src), "--images", str(images), "--quiet", "--workers", "1", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1 and doc["images"] == 1 and doc["requested"] == 2 and doc["refused"] == 1
    assert doc["complete"] is False


def test_import_of_a_file_that_is_not_coco_exits_2(tmp_path, project, capsys):
    images, _ = project
    bad = tmp_path / "bad.json"
    bad.write_text('{"images": "nope", "categories": []}')
    rc = main(["import", "coco", str(bad), "--images", str(images), "--quiet"])
    assert rc == 2 and "bad.json" in capsys.readouterr().err


# ----------------------------------------------------------------------------- RLE decoding


def test_rle_import_is_pixel_exact_for_pycocotools_encodings(tmp_path, project):
    """The importer's own RLE reader (it never hands a count to a C decoder unchecked) gives
    the very pixels pycocotools encoded, compressed or not."""
    from segcore.data.rasterize import ClassList, class_map

    images, _ = project
    rng = np.random.default_rng(3)
    masks = []
    for k in range(6):
        m = rng.random((48, 64)) < (0.05 + 0.15 * k)  # scattered pixels: many runs, long numbers
        m[k, :] = True
        masks.append(m)
    anns = [ann(10 + k, 1, rle(m) if k % 2 else {"size": [48, 64], "counts": _runs(m)}) for k, m in enumerate(masks)]
    src = coco(tmp_path, [entry(1, "a.png")], anns, [{"id": 1, "name": "cat"}])
    for k in range(len(masks)):
        doc = json.loads(src.read_text())
        doc["annotations"] = [anns[k]]
        src.write_text(json.dumps(doc))
        seg = anns[k]["segmentation"]
        coded = mask_utils.frPyObjects(seg, 48, 64) if isinstance(seg["counts"], list) else \
            {"size": seg["size"], "counts": seg["counts"].encode("ascii")}
        assert np.array_equal(mask_utils.decode(coded).astype(bool), masks[k])  # what pycocotools reads
        report = import_coco(src, images, tolerance=0, overwrite=True, workers=1)
        assert report.complete, report.to_text()
        shapes = load(images / "a.json").shapes
        got = class_map(shapes, 48, 64, ClassList.from_names(["_background_", "cat"])) == 1
        assert np.array_equal(got, masks[k])


def test_import_with_nothing_to_import_exits_1(tmp_path, project, capsys):
    images, _ = project
    masks = tmp_path / "masks"  # a masks folder whose names match no image: a wrong folder?
    masks.mkdir()
    Image.fromarray(np.ones((48, 64), np.uint8)).save(masks / "zzz.png")
    names = tmp_path / "names.txt"
    names.write_text("_background_\ncat\n")
    rc = main(["import", "masks", str(images), "--masks", str(masks), "--labels", str(names), "--quiet",
               "--workers", "1"])
    out = capsys.readouterr().out
    assert rc == 1 and "wrote 0 of 0 images (nothing to import)" in out and "no mask a.png" in out

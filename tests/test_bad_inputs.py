"""Bad inputs through the real CLI: every case ends with a clear message naming the file and
the problem, an exit code instead of a traceback, and no file the user made is changed."""

from __future__ import annotations

import builtins
import json
import os
import struct
import zlib
from pathlib import Path

import pytest

from segcore.cli import main
from tests.e2e_data import make_folder, snapshot

TINY = ["--model", "unet", "--model-arg", "depth=2", "--model-arg", "base_channels=8", "--epochs", "1",
        "--batch-size", "4", "--base-size", "64", "--crop-size", "64", "--warmup-steps", "0", "--workers", "0"]


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; a Python exception escaping it is a failure (a bare traceback)."""
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse
        rc = exc.code
    except BaseException as exc:  # noqa: BLE001
        out, err = capsys.readouterr()
        pytest.fail(f"`{' '.join(map(str, argv))}` crashed with {exc!r}\n{err}")
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, err
    return rc, out, err


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG file whose header claims ``width`` x ``height`` (nothing that size is stored)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGCORE_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def bad_folder(tmp_path) -> Path:
    """8 good labelled images plus: a corrupt JSON, a JSON whose image is missing, an image whose
    header claims 30000 x 30000 pixels, a JSON whose size disagrees with its image, a shape with
    an empty label and a JSON without imageWidth/imageHeight (the image gives the size)."""
    root = make_folder(tmp_path / "data", labelled=14, unlabelled=0)
    (root / "img_08.json").write_text('{"version": "5.4.1", "shapes": [{"label": "car", ')
    (root / "img_09.png").unlink()
    (root / "img_10.png").write_bytes(png_claiming(30000, 30000))
    big = json.loads((root / "img_10.json").read_text())
    big["imageWidth"] = big["imageHeight"] = 30000
    (root / "img_10.json").write_text(json.dumps(big))
    wrong = json.loads((root / "img_11.json").read_text())
    wrong["imageWidth"] = 128
    (root / "img_11.json").write_text(json.dumps(wrong))
    blank = json.loads((root / "img_12.json").read_text())
    blank["shapes"][0]["label"] = ""
    (root / "img_12.json").write_text(json.dumps(blank))
    sizeless = json.loads((root / "img_13.json").read_text())
    del sizeless["imageWidth"], sizeless["imageHeight"]
    (root / "img_13.json").write_text(json.dumps(sizeless))
    return root


@pytest.fixture
def checkpoint(tmp_path) -> Path:
    """A real (untrained) tiny U-Net checkpoint for the folder's classes."""
    from segcore.checkpoint import save_checkpoint
    from segcore.models.registry import build_model

    names = ["_background_", "car", "person", "tree"]
    kw = {"depth": 2, "base_channels": 8}
    path = tmp_path / "model.pt"
    save_checkpoint(path, build_model("unet", len(names), **kw), arch="unet", arch_kwargs=kw, class_names=names,
                    mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                    input_policy={"resize_long_side": 64, "crop_size": 64})
    return path


BAD = {  # file -> what its message must say
    "img_08.json": "not valid JSON",
    "img_09.json": "img_09.png",
    "img_10.png": "30000x30000",
    "img_11.json": "128x64",
    "img_12.json": "label ''",
}


def _names_each(text: str, root: Path) -> None:
    for name, words in BAD.items():
        lines = [ln for ln in text.splitlines() if name in ln]
        assert lines, f"{name} is not named in:\n{text}"
        assert any(words in ln for ln in lines), f"{name}: expected {words!r} in {lines}"


def test_info_export_train_report_each_bad_file_and_use_the_rest(bad_folder, cache, capsys, tmp_path):
    before = snapshot(bad_folder)
    rc, out, err = cli(capsys, "info", bad_folder)
    assert rc == 0
    _names_each(out, bad_folder)
    assert "img_10.png" in out and "limit" in out  # too many pixels to ever be read

    rc, out, err = cli(capsys, "export", bad_folder, "--format", "voc", "--out", tmp_path / "voc", "--workers", "1",
                       "--quiet")
    assert rc == 0
    _names_each(out + err, bad_folder)
    exported = sorted(p.stem for p in (tmp_path / "voc" / "SegmentationClass").glob("*.png"))
    # a size mismatch or a missing size uses the image's size; only the empty-label shape is left out
    assert exported == [f"img_{i:02d}" for i in [*range(8), 11, 12, 13]]

    rc, out, err = cli(capsys, "export", bad_folder, "--format", "coco", "--out", tmp_path / "coco", "--strict",
                       "--workers", "1", "--quiet")
    assert rc != 0 and "img_08.json" in out + err
    assert not (tmp_path / "coco").exists() or not any((tmp_path / "coco").rglob("*.json"))

    rc, out, err = cli(capsys, "train", bad_folder, "--out", tmp_path / "run", *TINY)
    assert rc == 0, err
    _names_each(err, bad_folder)
    assert "img_13" not in err and "weak model" not in err  # 9 usable images: img_00..07 and img_13
    assert (tmp_path / "run" / "best.pt").is_file()
    assert snapshot(bad_folder) == before


@pytest.mark.parametrize("make", ["empty", "no_labels", "no_shapes"])
def test_nothing_to_learn_from(make, cache, capsys, tmp_path):
    root = tmp_path / "data"
    if make == "empty":
        root.mkdir()
    elif make == "no_labels":
        make_folder(root, labelled=0, unlabelled=3)
    else:
        make_folder(root, labelled=3, unlabelled=0)
        for p in root.glob("*.json"):
            data = json.loads(p.read_text())
            data["shapes"] = []
            p.write_text(json.dumps(data))
    before = snapshot(root)
    rc, out, err = cli(capsys, "info", root)
    assert rc == 0 and str(root) in out
    if make == "empty":
        assert "no images" in (out + err).lower()
    rc, out, err = cli(capsys, "export", root, "--format", "voc", "--out", tmp_path / "voc", "--quiet")
    if make == "no_shapes":  # negative images are a valid VOC export (all background)
        assert rc == 0
    else:
        assert rc != 0 and str(root) in err and "nothing to export" in err
        assert not (tmp_path / "voc").exists()
    rc, out, err = cli(capsys, "train", root, "--out", tmp_path / "run", *TINY)
    assert rc == 2 and str(root) in err
    assert {"empty": "no images found", "no_labels": "no labelled images", "no_shapes": "only one class"}[make] in err
    assert not (tmp_path / "run" / "best.pt").exists()
    assert snapshot(root) == before


@pytest.mark.slow
@pytest.mark.parametrize("classes", [("car",), ("car", "person", "tree")])
def test_single_class_and_rare_class_train_and_export(classes, cache, capsys, tmp_path):
    root = make_folder(tmp_path / "data", labelled=6, unlabelled=0, classes=classes)
    if len(classes) > 1:  # 'tree' appears in one image only
        for p in sorted(root.glob("*.json"))[1:]:
            data = json.loads(p.read_text())
            data["shapes"] = [s for s in data["shapes"] if s["label"] != "tree"]
            p.write_text(json.dumps(data))
    rc, out, err = cli(capsys, "export", root, "--format", "coco", "--out", tmp_path / "coco", "--quiet")
    assert rc == 0
    rc, out, err = cli(capsys, "train", root, "--out", tmp_path / "run", *TINY)
    assert rc == 0, err
    if len(classes) > 1:
        assert "'tree'" in err and "1 instance" in err  # the user is told the rare class is weak
    meta = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert meta


@pytest.mark.parametrize("kind", ["foreign_dict", "state_dict", "text", "missing", "empty"])
def test_foreign_checkpoints_are_refused_by_name(kind, cache, capsys, tmp_path):
    import torch

    root = make_folder(tmp_path / "data", labelled=2, unlabelled=1)
    ck = tmp_path / f"{kind}.pt"
    if kind == "foreign_dict":
        torch.save({"epoch": 3, "weights": torch.zeros(2)}, ck)
    elif kind == "state_dict":
        torch.save(torch.nn.Conv2d(3, 4, 3).state_dict(), ck)
    elif kind == "text":
        ck.write_text("this is not a model\n")
    elif kind == "empty":
        ck.write_bytes(b"")
    before = snapshot(root)
    for argv in (["predict", ck, root, "--quiet"], ["eval", ck, root], ["export-onnx", ck, "--out", tmp_path / "m.onnx"]):
        rc, out, err = cli(capsys, *argv)
        assert rc == 2, (argv, out, err)
        assert ck.name in err
        expected = {"missing": "no such file", "empty": "empty file"}.get(kind, "not a segstudio checkpoint")
        assert expected in err
    assert snapshot(root) == before
    assert not (tmp_path / "m.onnx").exists()


def test_predict_leaves_broken_and_huge_files_alone(bad_folder, checkpoint, cache, capsys):
    before = snapshot(bad_folder)
    rc, out, err = cli(capsys, "predict", checkpoint, bad_folder / "img_08.png", bad_folder / "img_10.png",
                       bad_folder / "img_00.png", "--quiet")
    assert rc == 1  # some images failed, the others were written
    assert "img_08.json" in err and "img_10.png" in err and "limit" in err
    after = snapshot(bad_folder)
    for name in ("img_08.json", "img_10.json", "img_10.png", "img_08.png"):
        assert after[name] == before[name], f"{name} changed"
    people = [s for s in json.loads(after["img_00.json"])["shapes"] if not s.get("proposed")]
    assert people == json.loads(before["img_00.json"])["shapes"]


@pytest.mark.parametrize("option", [("--tile-size", "0"), ("--batch-size", "0")])
def test_predict_refuses_unusable_numbers(option, checkpoint, cache, capsys, tmp_path):
    root = make_folder(tmp_path / "data", labelled=1, unlabelled=1)
    before = snapshot(root)
    rc, out, err = cli(capsys, "predict", checkpoint, root, "--quiet", *option)
    assert rc == 2 and option[0] in err
    assert snapshot(root) == before


def test_missing_paths_are_named(cache, capsys, tmp_path, checkpoint):
    nowhere = tmp_path / "no_such_folder"
    for argv in (["info", nowhere], ["export", nowhere, "--format", "coco", "--out", tmp_path / "o"],
                 ["train", nowhere, "--out", tmp_path / "r"], ["predict", checkpoint, nowhere],
                 ["eval", checkpoint, nowhere], ["import", "coco", tmp_path / "nope.json", "--images", tmp_path],
                 ["export", tmp_path, "--format", "voc", "--out", tmp_path / "o", "--labels", tmp_path / "l.txt"]):
        rc, out, err = cli(capsys, *argv)
        assert rc not in (0, None), argv
        assert "no_such_folder" in err or "nope.json" in err or "l.txt" in err, (argv, err)
    assert not (tmp_path / "o").exists() and not (tmp_path / "r").exists()


@pytest.fixture
def read_only(monkeypatch):
    """Make folders read-only for this process even as root: writes below them raise
    PermissionError the way the OS would (open/os.open for writing, mkdir, rename)."""
    frozen: list[Path] = []

    def blocked(path) -> bool:
        try:
            p = Path(os.path.abspath(os.fspath(path)))
        except TypeError:
            return False
        return any(p == f or f in p.parents for f in frozen)

    def deny(path):
        raise PermissionError(13, "Permission denied", os.fspath(path))

    real_open, real_os_open, real_mkdir = builtins.open, os.open, os.mkdir
    real_replace, real_rename = os.replace, os.rename

    def fake_open(file, mode="r", *a, **k):
        if isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax+") and blocked(file):
            deny(file)
        return real_open(file, mode, *a, **k)

    def fake_os_open(path, flags, *a, **k):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and blocked(path):
            deny(path)
        return real_os_open(path, flags, *a, **k)

    def fake_mkdir(path, *a, **k):
        if blocked(path) and not os.path.isdir(path):
            deny(path)
        return real_mkdir(path, *a, **k)

    def fake_move(real):
        def move(src, dst, *a, **k):
            if blocked(dst) or blocked(src):
                deny(dst)
            return real(src, dst, *a, **k)
        return move

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    monkeypatch.setattr(os, "replace", fake_move(real_replace))
    monkeypatch.setattr(os, "rename", fake_move(real_rename))
    return frozen


def test_unwritable_outputs_say_so(read_only, checkpoint, cache, capsys, tmp_path):
    root = make_folder(tmp_path / "data", labelled=4, unlabelled=1)
    ro = tmp_path / "readonly"
    ro.mkdir()
    read_only += [ro.resolve(), root.resolve()]
    before = snapshot(root)
    cases = [
        ["export", root, "--format", "voc", "--out", ro / "voc", "--workers", "1", "--quiet"],
        ["export", root, "--format", "coco", "--out", ro / "coco", "--workers", "1", "--quiet"],
        ["eval", checkpoint, root, "--json", ro / "metrics.json"],
        ["export-onnx", checkpoint, "--out", ro / "m.onnx", "--no-check"],
        ["train", root, "--out", ro / "run", *TINY],
    ]
    for argv in cases:
        rc, out, err = cli(capsys, *argv)
        assert rc not in (0, None), (argv, out, err)
        assert "readonly" in err and "ermission denied" in err, (argv, err)
    rc, out, err = cli(capsys, "predict", checkpoint, root, "--quiet")  # labels beside read-only images
    assert rc == 1 and "img_04" in err and "ermission denied" in err
    assert snapshot(root) == before
    assert list(ro.iterdir()) == []


def test_truncated_images_with_a_good_header_are_named_and_skipped(checkpoint, cache, capsys, tmp_path):
    """A PNG and a real JPEG cut short: their headers read, their pixels do not. info names
    them, export leaves them out (not copied byte for byte), train and eval go on without them."""
    import cv2

    root = make_folder(tmp_path / "data", labelled=5, unlabelled=0)
    broken = root / "img_01.png"
    broken.write_bytes(broken.read_bytes()[:200])
    cut_jpeg = root / "img_02.jpg"
    cv2.imwrite(str(cut_jpeg), cv2.imread(str(root / "img_02.png")), [cv2.IMWRITE_JPEG_QUALITY, 95])
    (root / "img_02.png").unlink()
    cut_jpeg.write_bytes(cut_jpeg.read_bytes()[:-400])  # the tail, with its end marker, is gone
    before = snapshot(root)

    rc, out, err = cli(capsys, "info", root)
    assert rc == 0 and "No problems found" not in out
    for name in ("img_01.png", "img_02.jpg"):
        assert any(name in ln and "[unreadable_image]" in ln and "truncated" in ln for ln in out.splitlines()), out

    for fmt, images in (("voc", "JPEGImages"), ("coco", "images")):
        rc, out, err = cli(capsys, "export", root, "--format", fmt, "--out", tmp_path / fmt, "--quiet",
                           "--workers", "1")
        assert rc == 0 and "3 of 5 labelled images" in out, out
        assert "img_01.png" in out and "img_02.jpg" in out and "truncated" in out
        assert sorted(p.stem for p in (tmp_path / fmt / images).iterdir()) == ["img_00", "img_03", "img_04"]
    rc, out, err = cli(capsys, "export", root, "--format", "voc", "--out", tmp_path / "strict", "--quiet",
                       "--workers", "1", "--strict")
    assert rc == 1 and "img_02.jpg" in err and not (tmp_path / "strict").exists()

    rc, out, err = cli(capsys, "train", root, "--out", tmp_path / "run", *TINY)
    assert rc == 0, err
    for name in ("img_01.png", "img_02.jpg"):
        assert any(name in ln and "truncated" in ln for ln in err.splitlines()), err
    assert (tmp_path / "run" / "best.pt").is_file()
    rc, out, err = cli(capsys, "eval", checkpoint, root)
    assert rc == 0 and "3 images" in out and "img_01.png" in err and "img_02.jpg" in err
    rc, out, err = cli(capsys, "predict", checkpoint, broken, "--quiet")
    assert rc == 1 and "img_01.png" in err and "truncated" in err
    assert snapshot(root) == before


def test_a_new_training_run_never_replaces_an_earlier_model(cache, capsys, tmp_path):
    root = make_folder(tmp_path / "data", labelled=4, unlabelled=0)
    run = tmp_path / "run"
    run.mkdir()
    (run / "best.pt").write_bytes(b"an earlier model")
    for extra in ([], ["--progress-json"]):
        rc, out, err = cli(capsys, "train", root, "--out", run, *TINY, *extra)
        assert rc == 2 and "already holds a trained model" in out + err and "--overwrite" in out + err
    if out.strip():
        assert json.loads(out.strip().splitlines()[-1])["event"] == "error"
    assert (run / "best.pt").read_bytes() == b"an earlier model"
    assert sorted(p.name for p in run.iterdir()) == ["best.pt"]


def test_coco_import_names_each_bad_reference(cache, capsys, tmp_path):
    root = make_folder(tmp_path / "data", labelled=0, unlabelled=1)
    doc = {"images": [{"id": 1, "file_name": "img_00.png", "width": 64, "height": 64}],
           "categories": [{"id": 1, "name": "car"}],
           "annotations": [{"id": 7, "image_id": 1, "category_id": 9, "segmentation": [[1, 1, 9, 1, 9, 9]]},
                           {"id": 8, "image_id": 4, "category_id": 1, "segmentation": [[1, 1, 9, 1, 9, 9]]},
                           {"id": 9, "category_id": 1}, 5]}
    src = tmp_path / "instances.json"
    src.write_text(json.dumps(doc))
    rc, out, err = cli(capsys, "import", "coco", src, "--images", root, "--quiet")
    assert rc == 1, out + err  # not everything could be imported
    assert "wrote 0 of 1 images" in out, out
    for words in ("annotation 7: category_id 9", "annotation 8: image_id 4",
                  "annotation 9: its image_id must be an integer", "annotations entry #3 is a number (5)"):
        assert words in out, out
    del doc["categories"]
    src.write_text(json.dumps(doc))
    rc, out, err = cli(capsys, "import", "coco", src, "--images", root, "--quiet")
    assert rc == 2 and "instances.json" in err and "'categories'" in err
    assert not list(root.glob("*.json"))


def test_bad_split_files_are_named(cache, capsys, tmp_path):
    root = make_folder(tmp_path / "data", labelled=3, unlabelled=0)
    wrong = tmp_path / "split.json"
    wrong.write_text('{"val": 3}')
    for split, words in ((tmp_path / "nosplit.txt", "cannot read the split file"), (wrong, "must be a list")):
        rc, out, err = cli(capsys, "train", root, "--out", tmp_path / "run", "--split-file", split, *TINY)
        assert rc == 2 and split.name in err and words in err, err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("option", [["--epochs", "0"], ["--minutes", "0"], ["--crop-size", "-5"], ["--batch-size", "0"],
                                    ["--val-ratio", "1.5"]])
def test_unusable_training_numbers_are_refused_up_front(option, cache, capsys, tmp_path):
    root = make_folder(tmp_path / "data", labelled=2, unlabelled=0)
    rc, out, err = cli(capsys, "train", root, "--out", tmp_path / "run", "--workers", "0", *option)
    assert rc == 2 and option[0] in err and option[1].lstrip("-") in err
    assert not (tmp_path / "run").exists()


def test_export_into_the_labelled_folder_itself_is_refused(cache, capsys, tmp_path):
    root = make_folder(tmp_path / "data", labelled=2, unlabelled=0)
    before = snapshot(root)
    for fmt in ("voc", "coco"):
        rc, out, err = cli(capsys, "export", root, "--format", fmt, "--out", root, "--overwrite", "--quiet")
        assert rc != 0 and "labelled folder itself" in err
    assert snapshot(root) == before

"""The product end to end through the real CLI (``segcore.cli.main``), on a generated folder of
12 small images (10 with LabelMe JSON, 3 classes, 2 unlabelled):
info -> export VOC and COCO -> train a tiny U-Net -> predict -> eval -> export-onnx.
Every step must exit 0 and leave readable outputs; nothing a person drew may change."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segcore.cli import main
from tests.e2e_data import CLASSES, make_folder, snapshot

pytestmark = pytest.mark.slow

TINY_UNET = ["--model", "unet", "--model-arg", "depth=2", "--model-arg", "base_channels=8",
             "--epochs", "1", "--batch-size", "4", "--base-size", "64", "--crop-size", "64",
             "--warmup-steps", "0", "--workers", "0"]


def _run(capsys, *argv: str) -> tuple[str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert rc == 0, f"{argv[0]} exited {rc}\nstdout:\n{out}\nstderr:\n{err}"
    return out, err


def _person_shapes(json_path: Path) -> list[dict]:
    return [s for s in json.loads(json_path.read_text())["shapes"] if not s.get("proposed")]


def test_folder_to_model_to_proposals(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SEGCORE_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    data = make_folder(tmp_path / "data", labelled=10, unlabelled=2)
    before = snapshot(data)

    # info: counts and classes
    out, _ = _run(capsys, "info", str(data))
    assert "12 (10 labelled, 2 unlabelled)" in out and "No problems found." in out
    for name in CLASSES:
        assert name in out
    out, _ = _run(capsys, "info", str(data), "--json")
    summary = json.loads(out)
    assert summary["labelled"] == 10 and summary["unlabelled"] == 2

    # export VOC: class PNGs readable, split lists cover the labelled images, class ids right
    voc = tmp_path / "voc"
    _run(capsys, "export", str(data), "--format", "voc", "--out", str(voc), "--workers", "1", "--quiet")
    assert (voc / "class_names.txt").read_text().split() == ["_background_", *CLASSES]
    sets = voc / "ImageSets" / "Segmentation"
    trainval = sets.joinpath("trainval.txt").read_text().split()
    assert sorted(trainval) == [f"img_{i:02d}" for i in range(10)]
    assert sorted(sets.joinpath("train.txt").read_text().split()
                  + sets.joinpath("val.txt").read_text().split()) == sorted(trainval)
    for key in trainval:
        with Image.open(voc / "SegmentationClass" / f"{key}.png") as im:
            assert im.mode == "P" and im.size == (64, 64)
            cls = np.asarray(im)
        shapes = json.loads((data / f"{key}.json").read_text())["shapes"]
        (x0, y0), (x1, y1) = shapes[1]["points"]  # the person rectangle (drawn after the car)
        cx, cy = int((x0 + x1) / 2), int((y0 + y1) / 2)
        assert cls[cy, cx] in (2, 3)  # person, or the tree drawn over it
        assert set(np.unique(cls)) <= {0, 1, 2, 3}

    # export COCO: pycocotools reads both splits, 30 instances in all
    coco_out = tmp_path / "coco"
    _run(capsys, "export", str(data), "--format", "coco", "--out", str(coco_out), "--workers", "1", "--quiet")
    from pycocotools.coco import COCO

    n_images = n_anns = 0
    for split in ("train", "val"):
        path = coco_out / "annotations" / f"instances_{split}.json"
        if path.exists():
            c = COCO(str(path))
            n_images += len(c.getImgIds())
            n_anns += len(c.getAnnIds())
            assert sorted(cat["name"] for cat in c.loadCats(c.getCatIds())) == sorted(CLASSES)
    capsys.readouterr()
    assert (n_images, n_anns) == (10, 30)

    # train a tiny U-Net for one epoch
    run_dir = tmp_path / "runs" / "tiny"
    _run(capsys, "train", str(data), "--out", str(run_dir), *TINY_UNET)
    best = run_dir / "best.pt"
    assert best.is_file() and (run_dir / "last.pt").is_file()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics  # readable JSON
    assert (run_dir / "report.md").read_text().strip()
    assert snapshot(data) == before  # training wrote nothing into the user's folder

    # predict: proposals added beside every image, person shapes untouched, images untouched
    originals = {p.name: _person_shapes(p) for p in data.glob("*.json")}
    for _ in range(2):  # a second run replaces the first run's proposals instead of adding to them
        out, _ = _run(capsys, "predict", str(best), str(data), "--quiet")
        assert "12 label files written" in out
    for name, shapes in originals.items():
        assert _person_shapes(data / name) == shapes, f"{name}: a person's shapes changed"
    for p in sorted(data.glob("*.png")):
        assert p.read_bytes() == before[p.name], f"{p.name} was modified"
    for i in (10, 11):
        made = json.loads((data / f"img_{i:02d}.json").read_text())
        assert made["imagePath"] == f"img_{i:02d}.png" and (made["imageWidth"], made["imageHeight"]) == (64, 64)
        assert all(s["proposed"] is True and 0 <= s["score"] <= 1 and s["label"] in CLASSES for s in made["shapes"])
    counts = []
    for _ in range(2):
        _run(capsys, "predict", str(best), str(data / "img_00.png"), "--quiet")
        counts.append(len(json.loads((data / "img_00.json").read_text())["shapes"]))
    assert counts[0] == counts[1]

    # eval: images with nothing but unreviewed model proposals are not ground truth
    _run(capsys, "eval", str(best), str(data), "--json", str(tmp_path / "eval.json"))
    result = json.loads((tmp_path / "eval.json").read_text())
    assert result["images"] == 10
    assert len(result["iou"]) == 4 and 0 <= result["miou"] <= 1
    # nor counted by info
    out, _ = _run(capsys, "info", str(data), "--json")
    after = json.loads(out)
    assert after["proposed"] > 0
    assert {k: v["instances"] for k, v in after["class_stats"].items() if k in CLASSES} == dict.fromkeys(CLASSES, 10)
    # nor are they exported as labels: the same 10 images, the same class maps where a person labelled
    voc2 = tmp_path / "voc_after_predict"
    out, _ = _run(capsys, "export", str(data), "--format", "voc", "--out", str(voc2), "--workers", "1", "--quiet")
    assert "unreviewed model proposal" in out
    assert sorted(voc2.joinpath("ImageSets", "Segmentation", "trainval.txt").read_text().split()) == sorted(trainval)
    for key in trainval:
        with Image.open(voc / "SegmentationClass" / f"{key}.png") as a, \
                Image.open(voc2 / "SegmentationClass" / f"{key}.png") as b:
            first, again = np.asarray(a), np.asarray(b)
        assert np.array_equal(again[again != 255], first[again != 255])
        assert set(np.unique(first[again == 255])) <= {0}  # only unlabelled pixels became 'ignore'

    # export-onnx, checked by onnxruntime where installed
    if importlib.util.find_spec("onnx") is None:
        pytest.skip("onnx is not installed: export-onnx not exercised")
    onnx_path = tmp_path / "model.onnx"
    out, _ = _run(capsys, "export-onnx", str(best), "--out", str(onnx_path))
    import onnx

    onnx.checker.check_model(onnx.load(str(onnx_path)))
    if importlib.util.find_spec("onnxruntime") is not None:
        assert "onnxruntime check" in out

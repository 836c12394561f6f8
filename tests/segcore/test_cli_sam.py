"""Tests of ``python -m segcore sam FOLDER --boxes-to-polygons`` with a tiny model (no weights)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segcore.cli import main
from segcore.data.rasterize import shape_mask
from segcore.io import annotation as sa

from .test_promptable import tiny, two_squares  # noqa: F401 - the fixture


def rect(label: str, a, b, **kw) -> dict:
    return {"label": label, "points": [list(a), list(b)], "group_id": kw.get("group_id"), "description": "d",
            "shape_type": "rectangle", "flags": {"x": True}}


def labelled(folder: Path, name: str, shapes: list[dict], image: np.ndarray | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    image = two_squares() if image is None else image
    Image.fromarray(image).save(folder / f"{name}.png")
    jp = folder / f"{name}.json"
    jp.write_text(json.dumps({"version": "5.5.0", "flags": {}, "shapes": shapes, "imagePath": f"{name}.png",
                              "imageData": None, "imageHeight": image.shape[0], "imageWidth": image.shape[1]}))
    return jp


def test_boxes_become_polygons_beside_the_boxes(tiny, tmp_path, capsys):  # noqa: F811
    jp = labelled(tmp_path / "data", "a", [rect("red", (5, 5), (34, 33)), rect("blue", (75, 58), (36, 31))])
    labelled(tmp_path / "data", "b", [])  # no boxes: left alone
    before_b = (tmp_path / "data" / "b.json").read_bytes()
    assert main(["sam", str(tmp_path / "data"), "--boxes-to-polygons", "--model", "tiny", "-q"]) == 0
    assert "2 of 2 boxes outlined (2 shapes, boxes kept), 1 label files written, 0 failed" in capsys.readouterr().out
    shapes = sa.load(jp).shapes
    assert [(s.label, s.shape_type) for s in shapes] == [("red", "rectangle"), ("red", "polygon"),
                                                          ("blue", "rectangle"), ("blue", "polygon")]
    red = shape_mask(shapes[1], 60, 80)
    assert abs(int(red.sum()) - 400) <= 40 and red[10:30, 10:30].mean() > 0.9
    assert shapes[1].description == "d" and shapes[1].flags == {"x": True}
    assert (tmp_path / "data" / "b.json").read_bytes() == before_b


def test_replace_and_mask_and_a_box_that_gives_nothing(tiny, tmp_path, capsys):  # noqa: F811
    jp = labelled(tmp_path, "a", [rect("red", (5, 5), (34, 33)), rect("none", (72, 2), (79, 8))])
    assert main(["sam", str(tmp_path), "--boxes-to-polygons", "--model", "tiny", "--replace", "--mask", "-q"]) == 0
    captured = capsys.readouterr()
    assert "1 of 2 boxes outlined (1 shapes, boxes replaced)" in captured.out
    assert "nothing found in box none (72, 2, 79, 8); it was kept" in captured.err
    shapes = sa.load(jp).shapes
    assert [(s.label, s.shape_type) for s in shapes] == [("red", "mask"), ("none", "rectangle")]
    assert int(shape_mask(shapes[0], 60, 80)[10:30, 10:30].sum()) == 400


@pytest.mark.parametrize("argv, problem", [
    (["--model", "tiny"], "choose an operation"),
    (["--boxes-to-polygons", "--model", "nope"], "unknown promptable model 'nope'"),
])
def test_bad_usage_exits_2_with_a_reason(tiny, tmp_path, capsys, argv, problem):  # noqa: F811
    labelled(tmp_path, "a", [rect("red", (5, 5), (34, 33))])
    assert main(["sam", str(tmp_path), *argv, "-q"]) == 2
    assert problem in capsys.readouterr().err


def test_missing_weights_without_network_say_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    labelled(tmp_path / "data", "a", [rect("red", (5, 5), (34, 33))])
    assert main(["sam", str(tmp_path / "data"), "--boxes-to-polygons", "--no-download", "-q"]) == 2
    assert "efficientsam:10m: weights not downloaded (efficient_sam_vitt_encoder.onnx" in capsys.readouterr().err
    # a mirror nobody answers: a clear message at once, nothing left in the cache
    assert main(["sam", str(tmp_path / "data"), "--boxes-to-polygons", "--mirror", "http://127.0.0.1:9", "-q"]) == 2
    err = capsys.readouterr().err
    assert "efficientsam:10m: cannot download efficient_sam_vitt_encoder.onnx" in err and "local model file" in err
    cache = tmp_path / "home" / ".cache" / "osam"
    assert not cache.exists() or not [p for p in cache.rglob("*") if p.is_file()]


def test_a_broken_file_is_named_and_the_others_written(tiny, tmp_path, capsys):  # noqa: F811
    good = labelled(tmp_path, "a", [rect("red", (5, 5), (34, 33))])
    bad = labelled(tmp_path, "b", [rect("red", (5, 5), (34, 33))])
    (tmp_path / "b.png").write_bytes(b"not an image")
    assert main(["sam", str(tmp_path), "--boxes-to-polygons", "--model", "tiny", "-q"]) == 1
    assert f"error: {bad}" in capsys.readouterr().err
    assert len(sa.load(good).shapes) == 2

"""``python -m segcore predict``: writes proposals beside images, keeps people's shapes,
--only-unlabelled, clear errors for bad checkpoints and files."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from segcore.cli import main
from segcore.io.annotation import Annotation, Shape, load, save
from tests.box_model import train_box_unet

NAMES = ["_background_", "thing"]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A tiny U-Net trained for a few steps (plain torch loop) to call bright rectangles 'thing'."""
    return train_box_unet(tmp_path_factory.mktemp("ck") / "model.pt", NAMES)


def _image(path, bright=True):
    img = np.zeros((64, 96, 3), np.uint8)
    if bright:
        img[16:48, 24:72] = 255
    Image.fromarray(img).save(path)


@pytest.fixture
def images(tmp_path):
    d = tmp_path / "imgs"
    (d / "sub").mkdir(parents=True)
    _image(d / "a.png")
    _image(d / "sub" / "b.jpg")
    _image(d / "c.png")
    mine = Shape("thing", [(1.0, 1.0), (9.0, 1.0), (9.0, 9.0)], description="mine")
    save(Annotation(shapes=[mine], image_path="c.png", image_width=96, image_height=64), d / "c.json")
    return d


def test_predict_folder_writes_proposals_and_keeps_people_shapes(checkpoint, images, capsys):
    before_c = load(images / "c.json")
    assert main(["predict", str(checkpoint), str(images), "-q"]) == 0
    out = capsys.readouterr()
    assert "3 label files written" in out.out and "unet" in out.err
    a = json.loads((images / "a.json").read_text())
    assert a["imagePath"] == "a.png" and (a["imageWidth"], a["imageHeight"]) == (96, 64)
    assert len(a["shapes"]) == 1 and a["shapes"][0]["label"] == "thing" and a["shapes"][0]["proposed"] is True
    xs, ys = zip(*a["shapes"][0]["points"])
    assert abs(min(xs) - 24) <= 2 and abs(max(xs) - 71) <= 2 and abs(min(ys) - 16) <= 2 and abs(max(ys) - 47) <= 2
    assert (images / "sub" / "b.json").exists()
    c = load(images / "c.json")
    assert c.shapes[0] == before_c.shapes[0] and len(c.shapes) == 2 and c.shapes[1].proposed


def test_only_unlabelled_and_min_score(checkpoint, images, capsys):
    before = (images / "c.json").read_bytes()
    assert main(["predict", str(checkpoint), str(images), "--only-unlabelled", "-q"]) == 0
    assert (images / "c.json").read_bytes() == before
    assert "2 label files written" in capsys.readouterr().out
    assert main(["predict", str(checkpoint), str(images / "a.png"), "--min-score", "1.0", "-q"]) == 0
    assert load(images / "a.json").shapes == []  # the earlier proposal was replaced by nothing


def test_bad_inputs_give_clear_errors(checkpoint, images, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not a model")
    assert main(["predict", str(tmp_path / "notes.txt"), str(images), "-q"]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert main(["predict", str(checkpoint), str(tmp_path / "missing"), "-q"]) == 2
    assert "missing: no such file or folder" in capsys.readouterr().err
    (images / "a.json").write_text("{broken")
    assert main(["predict", str(checkpoint), str(images), "-q"]) == 1
    err = capsys.readouterr()
    assert "a.json: not touched" in err.err and "2 label files written" in err.out
    assert (images / "a.json").read_text() == "{broken"
    assert main(["predict", str(checkpoint), str(images), "--min-score", "2", "-q"]) == 2


@pytest.mark.slow
def test_module_entry_point(checkpoint, images):
    r = subprocess.run([sys.executable, "-m", "segcore", "predict", str(checkpoint), str(images / "a.png")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "1 label files written" in r.stdout


def test_engine_option_picks_the_engine(checkpoint, images, capsys):
    pytest.importorskip("onnxruntime")
    assert main(["predict", str(checkpoint), str(images / "a.png"), "--engine", "torch", "-q"]) == 0
    torch_json = load(images / "a.json")
    assert "PyTorch" in capsys.readouterr().err
    assert main(["predict", str(checkpoint), str(images / "a.png"), "--engine", "onnxruntime", "-q"]) == 0
    err = capsys.readouterr().err
    assert "ONNX Runtime" in err and "note:" not in err
    assert checkpoint.with_suffix(".onnx").is_file()
    ort_json = load(images / "a.json")
    assert [s.label for s in ort_json.shapes] == [s.label for s in torch_json.shapes] == ["thing"]
    with pytest.raises(SystemExit):
        main(["predict", str(checkpoint), str(images), "--engine", "tensorflow"])
    assert "invalid choice" in capsys.readouterr().err

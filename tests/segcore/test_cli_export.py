"""``python -m segcore export`` / ``import``: arguments, exit codes, progress, safety."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from PIL import Image

from segcore.cli import main
from segcore.io.annotation import Shape
from tests.segcore.export_fixtures import bad_folder, write_labelme

TRI = [Shape("cat", [(2.0, 2.0), (20.0, 2.0), (10.0, 15.0)])]


def test_export_voc_and_coco_cli(labelme_example, tmp_path, capsys):
    src = labelme_example / "data_annotated"
    labels = labelme_example / "labels.txt"
    out = tmp_path / "voc"
    rc = main(["export", str(src), "--format", "voc", "--out", str(out), "--labels", str(labels),
               "--val", "0.34", "--workers", "1"])
    captured = capsys.readouterr()
    assert rc == 0
    assert "3 images" in captured.out and "person: 7" in captured.out
    assert "3/3" in captured.err  # the progress bar
    assert len(list((out / "SegmentationClass").glob("*.png"))) == 3
    # a non-empty OUT is refused, nothing changes
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    assert main(["export", str(src), "--format", "voc", "--out", str(out), "--workers", "1"]) == 1
    assert "not empty" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    rc = main(["export", str(src), "--format", "coco", "--out", str(tmp_path / "coco"), "--labels", str(labels),
               "--json", "--quiet", "--workers", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["images"] == 3 and doc["format"] == "COCO"
    assert (tmp_path / "coco" / "annotations" / "instances_train.json").is_file()


def test_strict_cli_writes_nothing(tmp_path, capsys):
    src = tmp_path / "src"
    bad_folder(src)
    labels = tmp_path / "labels.txt"
    labels.write_text("_background_\ncat\ndog\n")
    out = tmp_path / "out"
    rc = main(["export", str(src), "--format", "voc", "--out", str(out), "--labels", str(labels),
               "--strict", "--quiet", "--workers", "1"])
    err = capsys.readouterr().err
    assert rc == 1 and not out.exists()
    assert "unknown.json: shape 1" in err and "zebra" in err
    rc = main(["export", str(src), "--format", "voc", "--out", str(out), "--labels", str(labels), "--quiet",
               "--workers", "1"])
    assert rc == 0 and "zero.json: shape 0" in capsys.readouterr().out


def test_import_cli_masks_voc_coco(tmp_path, capsys):
    src = tmp_path / "src"
    write_labelme(src, "a", TRI)
    assert main(["export", str(src), "--format", "voc", "--out", str(tmp_path / "voc"), "--quiet",
                 "--workers", "1"]) == 0
    assert main(["import", "voc", str(tmp_path / "voc"), "--tolerance", "0", "--quiet", "--workers", "1"]) == 0
    assert (tmp_path / "voc" / "JPEGImages" / "a.json").is_file()
    assert main(["export", str(src), "--format", "coco", "--out", str(tmp_path / "coco"), "--quiet", "--val", "0",
                 "--workers", "1"]) == 0
    coco = tmp_path / "coco"
    assert main(["import", "coco", str(coco / "annotations" / "instances_train.json"), "--quiet"]) == 2
    assert "--images" in capsys.readouterr().err
    assert main(["import", "coco", str(coco / "annotations" / "instances_train.json"), "--images",
                 str(coco / "images"), "--quiet", "--workers", "1"]) == 0
    assert (coco / "images" / "a.json").is_file()
    masks, images = tmp_path / "m", tmp_path / "i"
    masks.mkdir()
    images.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(images / "x.png")
    m = np.zeros((8, 8), np.uint8)
    m[2:6, 2:6] = 2
    Image.fromarray(m).save(masks / "x.png")
    names = tmp_path / "names.txt"
    names.write_text("_background_\ncat\ndog\n")
    capsys.readouterr()
    assert main(["import", "masks", str(images), "--masks", str(masks), "--labels", str(names), "--quiet",
                 "--workers", "1"]) == 0
    assert "dog: 1" in capsys.readouterr().out
    assert main(["import", "masks", str(images), "--quiet"]) == 2


def test_module_entry_point_runs_export(tmp_path):
    src = tmp_path / "src"
    write_labelme(src, "a", TRI)
    write_labelme(src, "b", TRI, seed=1)
    proc = subprocess.run([sys.executable, "-m", "segcore", "export", str(src), "--format", "voc", "--out",
                           str(tmp_path / "o"), "--workers", "2"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "2 images" in proc.stdout

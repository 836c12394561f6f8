"""YOLO datasets into LabelMe JSON: segmentation lines (bridged parts and holes), detection
boxes, class names from data.yaml / classes.txt, bad lines, hostile paths, exit codes."""

from __future__ import annotations

import os

import numpy as np
import pytest

from segcore.cli import main
from segcore.data.rasterize import ClassList, class_map
from segcore.formats.import_yolo import import_yolo, yaml_names
from segcore.io.annotation import load
from tests.segcore.export_fixtures import write_image


def dataset(tmp_path, lines: list[str], yaml: str = "names:\n  0: car\n  1: 'road sign'\n"):
    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    write_image(root / "images" / "train" / "a.jpg", 100, 50)
    (root / "labels" / "train" / "a.txt").write_text("\n".join(lines) + "\n")
    (root / "data.yaml").write_text(yaml)
    return root


def test_yaml_names_forms():
    assert yaml_names("names: [car, 'road sign', \"x, y\"]\n") == ["car", "road sign", "x, y"]
    assert yaml_names("path: .\nnames:\n  - car\n  - bus\nnc: 2\n") == ["car", "bus"]
    assert yaml_names("names:\n  0: car\n  1: \"bus\"\ntrain: x\n") == ["car", "bus"]
    assert yaml_names("train: x\n") is None


def test_boxes_and_polygons(tmp_path):
    root = dataset(tmp_path, ["0 0.5 0.5 0.2 0.4", "1 0.1 0.1 0.3 0.1 0.2 0.5"])
    rep = import_yolo(root, workers=1)
    assert rep.complete, rep.to_text()
    shapes = load(root / "images" / "train" / "a.json").shapes
    assert [(s.label, s.shape_type) for s in shapes] == [("car", "rectangle"), ("road sign", "polygon")]
    assert shapes[0].points == [(40, 15), (60, 35)]
    assert shapes[1].points == [(10, 5), (30, 5), (20, 25)]


def test_a_line_from_another_tool_with_a_bridged_hole(tmp_path):
    # an outer square and a hole, joined as Ultralytics' converters join COCO parts
    outer = [(10, 10), (90, 10), (90, 40), (10, 40)]
    hole = [(40, 20), (40, 30), (60, 30), (60, 20)]
    ring = [outer[0], *hole, hole[0], *outer]
    line = "0 " + " ".join(f"{x / 100} {y / 50}" for x, y in ring)
    root = dataset(tmp_path, [line])
    import_yolo(root, workers=1)
    (shape,) = load(root / "images" / "train" / "a.json").shapes
    assert shape.shape_type == "mask"
    m = class_map([shape], 50, 100, ClassList.from_names(["car"]))
    assert m[25, 50] == 0 and m[15, 20] == 1 and m[35, 80] == 1
    assert m[10, 30] == 1 and m[5, 30] == 0  # no bridge painted outside


@pytest.mark.parametrize("line, what", [("5 0.1 0.1 0.2 0.2", "class index 5"), ("0 0.1 0.1 0.2", "3 numbers"),
                                        ("0 0.1 x 0.2 0.2", "not a number"), ("car 0.1 0.1 0.2 0.2", "whole")])
def test_bad_lines_refuse_the_image(tmp_path, line, what):
    root = dataset(tmp_path, ["0 0.5 0.5 0.2 0.4", line])
    rep = import_yolo(root, workers=1)
    assert rep.refused == 1 and not (root / "images" / "train" / "a.json").exists()
    assert "line 2" in str(rep.problems[0]) and what in str(rep.problems[0]) and "a.txt" in str(rep.problems[0])
    assert main(["import", "yolo", str(root), "--quiet", "--workers", "1"]) == 1


def test_cli_exit_codes_and_kept_files(tmp_path):
    root = dataset(tmp_path, ["0 0.5 0.5 0.2 0.4"])
    assert main(["import", "yolo", str(root), "--quiet", "--workers", "1"]) == 0
    assert main(["import", "yolo", str(root), "--quiet", "--workers", "1"]) == 1  # kept, not overwritten
    assert main(["import", "yolo", str(root), "--quiet", "--workers", "1", "--overwrite"]) == 0
    assert main(["import", "yolo", str(tmp_path / "nope"), "--quiet"]) == 2


def test_side_by_side_layout_with_classes_txt(tmp_path):
    root = tmp_path / "flat"
    root.mkdir()
    write_image(root / "a.png", 100, 50)
    (root / "a.txt").write_text("1 0.5 0.5 1 1\n")
    (root / "classes.txt").write_text("cat\ndog\n")
    rep = import_yolo(root, workers=1)
    assert rep.complete and load(root / "a.json").shapes[0].label == "dog"


def test_a_linked_image_leading_outside_is_refused(tmp_path):
    root = dataset(tmp_path, ["0 0.5 0.5 0.2 0.4"])
    outside = tmp_path / "outside"
    outside.mkdir()
    write_image(outside / "b.jpg", 100, 50)
    os.symlink(outside / "b.jpg", root / "images" / "train" / "b.jpg")
    (root / "labels" / "train" / "b.txt").write_text("0 0.5 0.5 0.2 0.4\n")
    rep = import_yolo(root, workers=1)
    assert rep.images == 1 and rep.refused == 1
    assert not (outside / "b.json").exists() and not (root / "images" / "train" / "b.json").exists()
    assert "outside the images folder" in str(rep.problems[0])
    assert np.all(np.isfinite(load(root / "images" / "train" / "a.json").shapes[0].points))

"""Tests of ``python -m segcore info``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from segcore.cli import main


def test_info_lists_the_example_images_and_classes(labelme_example, capsys):
    folder = labelme_example / "data_annotated"
    assert main(["info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Images: 3 (3 labelled, 0 unlabelled)" in out
    for key in ("2011_000003", "2011_000006", "2011_000025"):
        assert key in out
    for cls in ("person", "bottle", "chair", "sofa", "bus", "car", "__ignore__"):
        assert cls in out
    assert "No problems found." in out


def test_info_with_labels_file_shows_every_class(labelme_example, capsys):
    folder = labelme_example / "data_annotated"
    assert main(["info", str(folder), "--labels", str(labelme_example / "labels.txt")]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1].isalpha()}
    assert rows["aeroplane"][1:4] == ["1", "0", "0"]  # listed, id 1, no image, no instance
    assert rows["person"][1:4] == ["15", "2", "7"]


def test_info_reports_corrupt_json_and_missing_image_and_summarises_the_rest(labelme_example, tmp_path, capsys):
    folder = tmp_path / "data"
    shutil.copytree(labelme_example / "data_annotated", folder)
    (folder / "2011_000003.json").write_text('{"shapes": [{"label": ', encoding="utf-8")
    (folder / "2011_000025.jpg").unlink()
    assert main(["info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Images: 2 (1 labelled, 0 unlabelled, 1 with an unreadable label file)" in out
    problems = out.split("Problems (2):")[1]
    assert "[corrupt_json]" in problems and str(folder / "2011_000003.json") in problems
    assert "[missing_image]" in problems and str(folder / "2011_000025.json") in problems
    # The readable image is still summarised: its classes and counts are there.
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1].isalpha()}
    assert rows["sofa"][2:4] == ["1", "4"] and rows["chair"][2:4] == ["1", "1"]
    assert "bus" not in rows

    assert main(["info", str(folder), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kinds = {(p["kind"], p["path"]) for p in data["problems"]}
    assert kinds == {("corrupt_json", str(folder / "2011_000003.json")),
                     ("missing_image", str(folder / "2011_000025.json"))}
    assert data["images"] == 2 and data["class_stats"]["person"]["instances"] == 4


def test_info_fails_clearly_on_a_missing_folder(tmp_path, capsys):
    assert main(["info", str(tmp_path / "absent")]) == 2
    err = capsys.readouterr().err
    assert "absent" in err and "no such folder" in err
    assert main(["info", str(tmp_path), "--labels", str(tmp_path / "labels.txt")]) == 2
    assert "labels.txt" in capsys.readouterr().err


def test_info_runs_as_a_module(labelme_example):
    folder = labelme_example / "data_annotated"
    proc = subprocess.run([sys.executable, "-m", "segcore", "info", str(folder), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["images"] == 3 and [it["key"] for it in data["items"]] == [
        "2011_000003", "2011_000006", "2011_000025"]
    assert data["problems"] == []


def test_info_names_a_truncated_jpeg_whose_header_reads(labelme_example, tmp_path, capsys):
    """A real JPEG cut short keeps a valid header; info decodes enough of it to say so."""
    import cv2

    folder = tmp_path / "data"
    shutil.copytree(labelme_example / "data_annotated", folder)
    photo = folder / "2011_000006.jpg"
    cv2.imwrite(str(photo), cv2.imread(str(photo)), [cv2.IMWRITE_JPEG_QUALITY, 90])
    photo.write_bytes(photo.read_bytes()[: photo.stat().st_size * 2 // 3])
    assert main(["info", str(folder), "--json"]) == 0
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["path"], p["kind"]) for p in problems] == [(str(photo), "unreadable_image")]
    assert "truncated" in problems[0]["message"]
    # --no-image-check trusts the JSON and reads no image
    assert main(["info", str(folder), "--no-image-check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["problems"] == []

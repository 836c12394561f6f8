"""The file list: lazy scan in batches, natural sort, review states (no labels / proposals to
review / reviewed) with their filter, name filter, count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from segcore.data.review import NONE, PROPOSALS, REVIEWED
from segstudio.docks.file_list import FileListDock, FileListModel, iter_image_batches

pytestmark = pytest.mark.gui


def _touch_images(root: Path, names: list[str]) -> None:
    for n in names:
        p = root / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")


def _label_file(image: Path, *proposed: bool | None) -> None:
    """A LabelMe file beside ``image`` with one triangle per value (True: a scored proposal,
    False or None: a person's shape)."""
    shapes = [{"label": "car", "points": [[1, 1], [9, 1], [9, 9]], "shape_type": "polygon",
               **({} if p is None else {"proposed": p, "score": 0.6 if p else None})} for p in proposed]
    image.with_suffix(".json").write_text(json.dumps({"version": "5.5.0", "flags": {}, "shapes": shapes,
                                                      "imagePath": image.name, "imageData": None,
                                                      "imageHeight": 10, "imageWidth": 10}), encoding="utf-8")


def test_scan_natural_sort_recursive_and_labelled(qtbot, tmp_path):
    _touch_images(tmp_path, ["img10.jpg", "img2.png", "img1.JPG", "sub/a.jpg", ".hidden/x.jpg", "notes.txt"])
    _label_file(tmp_path / "img2.png", None)
    dock = FileListDock()
    qtbot.addWidget(dock)
    firsts = []
    dock.model.scan(tmp_path, on_first=firsts.append)
    qtbot.waitUntil(lambda: not dock.model.scanning, timeout=5000)
    names = [dock.model.display_name(p) for p in dock.model.paths()]
    assert names == ["img1.JPG", "img2.png", "img10.jpg", "sub/a.jpg"]
    assert firsts and firsts[0] in dock.model.paths()
    checks = [dock.model.index(r).data(Qt.ItemDataRole.CheckStateRole) for r in range(4)]
    assert checks == [Qt.CheckState.Unchecked, Qt.CheckState.Checked, Qt.CheckState.Unchecked,
                      Qt.CheckState.Unchecked]
    assert dock.count.text() == "4 images: 1 reviewed, 0 to review, 3 unlabelled"


def test_filter_count_and_navigation(qtbot, tmp_path):
    _touch_images(tmp_path, [f"cat_{i}.jpg" for i in range(5)] + [f"dog_{i}.jpg" for i in range(3)])
    dock = FileListDock()
    qtbot.addWidget(dock)
    dock.model.scan(tmp_path)
    qtbot.waitUntil(lambda: not dock.model.scanning, timeout=5000)
    qtbot.keyClicks(dock.filter, "DOG")
    assert dock.proxy.rowCount() == 3
    assert dock.count.text().startswith("3 of 8 images")
    paths = dock.visible_paths()
    assert dock.neighbour(paths[0], 1) == paths[1]
    assert dock.neighbour(paths[-1], 1) is None
    assert dock.neighbour(paths[0], -1) is None
    # an image hidden by the filter navigates to the first visible one
    assert dock.neighbour(str(tmp_path / "cat_0.jpg"), 1) == paths[0]


def test_batches_merge_and_mark(qtbot, tmp_path):
    model = FileListModel()
    model._root = tmp_path
    model.add_batch([(str(tmp_path / "b10.jpg"), False), (str(tmp_path / "b2.jpg"), False)])
    model.add_batch([(str(tmp_path / "b1.jpg"), True), (str(tmp_path / "b3.jpg"), PROPOSALS)])
    assert [Path(p).name for p in model.paths()] == ["b1.jpg", "b2.jpg", "b3.jpg", "b10.jpg"]
    with qtbot.waitSignal(model.dataChanged):
        model.set_state(tmp_path / "b3.jpg", REVIEWED)
    assert model.state_counts() == {NONE: 2, PROPOSALS: 0, REVIEWED: 2}
    with qtbot.waitSignal(model.dataChanged):
        model.set_labelled(tmp_path / "b1.jpg", False)  # its label file was deleted
    assert model.state_of(tmp_path / "b1.jpg") == NONE and not model.is_labelled(tmp_path / "b1.jpg")


def _states_folder(root: Path) -> list[str]:
    """Two images with no labels (one with an empty file), two holding proposals (one also a
    person's shape), two reviewed (one a proposal accepted: ``proposed: false``)."""
    _touch_images(root, ["a.png", "b.png", "c.png", "d.png", "e.png", "f.png"])
    root.joinpath("b.json").write_text(json.dumps({"shapes": [], "imagePath": "b.png"}), encoding="utf-8")
    _label_file(root / "c.png", True, True)
    _label_file(root / "d.png", None, True)
    _label_file(root / "e.png", None)
    _label_file(root / "f.png", False)
    return [str(root / n) for n in ("a.png", "b.png", "c.png", "d.png", "e.png", "f.png")]


def test_review_states_are_shown_and_counted(qtbot, tmp_path):
    paths = _states_folder(tmp_path)
    dock = FileListDock()
    qtbot.addWidget(dock)
    dock.model.scan(tmp_path)
    qtbot.waitUntil(lambda: not dock.model.scanning, timeout=5000)
    m = dock.model
    assert [m.state_of(p) for p in paths] == [NONE, NONE, PROPOSALS, PROPOSALS, REVIEWED, REVIEWED]
    checks = [m.index(r).data(Qt.ItemDataRole.CheckStateRole) for r in range(6)]
    assert checks == [Qt.CheckState.Unchecked] * 2 + [Qt.CheckState.PartiallyChecked] * 2 + [Qt.CheckState.Checked] * 2
    tips = [m.index(r).data(Qt.ItemDataRole.ToolTipRole).splitlines()[1] for r in range(6)]
    assert tips == ["No labels"] * 2 + ["Proposals to review"] * 2 + ["Reviewed"] * 2
    icons = [m.index(r).data(Qt.ItemDataRole.DecorationRole).pixmap(10, 10).toImage().pixelColor(5, 5)
             for r in range(6)]
    assert [c.alpha() > 0 for c in icons] == [False, False, True, True, False, False]  # the "to review" dot
    assert dock.count.text() == "6 images: 2 reviewed, 2 to review, 2 unlabelled"


def test_review_state_filter(qtbot, tmp_path):
    paths = _states_folder(tmp_path)
    dock = FileListDock()
    qtbot.addWidget(dock)
    dock.show()
    dock.model.scan(tmp_path)
    qtbot.waitUntil(lambda: not dock.model.scanning, timeout=5000)
    combo = dock.state_filter
    assert [combo.itemText(i) for i in range(combo.count())] == ["All", "No labels", "To review", "Reviewed"]
    shown = []
    for _ in range(3):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        shown.append([Path(p).name for p in dock.visible_paths()])
    assert shown == [["a.png", "b.png"], ["c.png", "d.png"], ["e.png", "f.png"]]
    assert dock.count.text().startswith("2 of 6 images:")
    qtbot.keyClick(combo, Qt.Key.Key_Up)  # "To review", then one is reviewed: it leaves the list
    dock.model.set_state(paths[2], REVIEWED)
    assert [Path(p).name for p in dock.visible_paths()] == ["d.png"]
    assert dock.count.text() == "1 of 6 images: 3 reviewed, 1 to review, 2 unlabelled"
    # next from the image that left the list is the next one still to review
    assert dock.neighbour(paths[2], 1) == paths[3] and dock.neighbour(paths[2], -1) is None
    qtbot.keyClicks(dock.filter, "zzz")  # both filters apply
    assert dock.visible_paths() == []
    dock.filter.clear()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    assert len(dock.visible_paths()) == 6


def test_states_read_again_after_a_label_file_is_written(qtbot, tmp_path):
    """``set_labelled(path, True)`` reads the written file again in a worker; a state set
    meanwhile (a newer save) wins over that late read."""
    paths = _states_folder(tmp_path)
    model = FileListModel()
    model.scan(tmp_path)
    qtbot.waitUntil(lambda: not model.scanning, timeout=5000)
    _label_file(Path(paths[0]), True)
    with qtbot.waitSignal(model.stateChanged, timeout=5000):
        model.set_labelled(paths[0], True)
    assert model.state_of(paths[0]) == PROPOSALS
    _label_file(Path(paths[1]), None)
    job = model.refresh_states([paths[1]])
    model.set_state(paths[1], PROPOSALS)  # newer than what the worker reads
    qtbot.waitUntil(lambda: job.finished, timeout=5000)
    assert model.state_of(paths[1]) == PROPOSALS


def test_large_folder_arrives_in_batches(tmp_path):
    _touch_images(tmp_path, [f"d{j}/i{i}.jpg" for j in range(20) for i in range(100)])
    batches = list(iter_image_batches(tmp_path, batch_seconds=0.0))
    assert sum(len(b) for b in batches) == 2000
    assert len(batches) > 1

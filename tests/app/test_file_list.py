"""The file list: lazy scan in batches, natural sort, labelled check marks, filter, count."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.docks.file_list import FileListDock, FileListModel, iter_image_batches

pytestmark = pytest.mark.gui


def _touch_images(root: Path, names: list[str]) -> None:
    for n in names:
        p = root / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")


def test_scan_natural_sort_recursive_and_labelled(qtbot, tmp_path):
    _touch_images(tmp_path, ["img10.jpg", "img2.png", "img1.JPG", "sub/a.jpg", ".hidden/x.jpg", "notes.txt"])
    (tmp_path / "img2.json").write_text("{}")
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
    assert "4 images, 1 labelled" in dock.count.text()


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
    model.add_batch([(str(tmp_path / "b1.jpg"), True), (str(tmp_path / "b3.jpg"), False)])
    assert [Path(p).name for p in model.paths()] == ["b1.jpg", "b2.jpg", "b3.jpg", "b10.jpg"]
    with qtbot.waitSignal(model.dataChanged):
        model.set_labelled(tmp_path / "b3.jpg", True)
    assert model.labelled_count() == 2


def test_large_folder_arrives_in_batches(tmp_path):
    _touch_images(tmp_path, [f"d{j}/i{i}.jpg" for j in range(20) for i in range(100)])
    batches = list(iter_image_batches(tmp_path, batch_seconds=0.0))
    assert sum(len(b) for b in batches) == 2000
    assert len(batches) > 1

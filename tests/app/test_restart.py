"""Starting again without a path reopens the last folder (every image in the list) with the
last image open and selected; the file list counts "1 image", "3 images"."""

from __future__ import annotations

import pytest

from segstudio.docks.file_model import FileListModel

from .gui_helpers import make_image, open_window, wait_image

pytestmark = pytest.mark.gui


def _selected(window) -> list[str]:
    view = window.file_dock.view
    return [i.data(FileListModel.PathRole) for i in view.selectionModel().selectedIndexes()]


def test_restart_reopens_the_folder_with_the_last_image_selected(qtbot, tmp_path):
    root = tmp_path / "imgs"
    for i in (1, 2, 10):
        make_image(root / f"im{i}.png")
    w = open_window(qtbot, tmp_path)
    w.open_path(root)
    wait_image(qtbot, w, "im1.png")
    w.session.step(1)
    wait_image(qtbot, w, "im2.png")
    w.close()

    w2 = open_window(qtbot, tmp_path)  # the same settings file
    w2.restore_last()
    wait_image(qtbot, w2, "im2.png")
    qtbot.waitUntil(lambda: not w2.file_dock.model.scanning, timeout=5000)
    assert w2.file_dock.model.rowCount() == 3
    assert w2.file_dock.model.root == root.resolve()
    assert _selected(w2) == [str(root.resolve() / "im2.png")]
    assert w2.file_dock.count.text().startswith("3 images:")


def test_restart_after_opening_one_image_opens_that_image(qtbot, tmp_path):
    img = make_image(tmp_path / "one" / "a.png")
    make_image(tmp_path / "one" / "b.png")
    w = open_window(qtbot, tmp_path)
    w.open_path(img)
    wait_image(qtbot, w, "a.png")
    w.close()
    w2 = open_window(qtbot, tmp_path)
    w2.restore_last()
    wait_image(qtbot, w2, "a.png")
    assert w2.file_dock.model.rowCount() == 1
    assert w2.file_dock.count.text().startswith("1 image:")

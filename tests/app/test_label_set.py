"""One label set, observed by the label list dock, the label dialog and the colour map."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from segcore.io.palette import voc_colour
from segstudio.label_colours import LabelColours
from segstudio.label_set import LabelSet

from .gui_helpers import make_image, make_labelme, open_window, polygon, wait_image

pytestmark = pytest.mark.gui


def _dialog_labels(w) -> list[str]:
    return [w.label_dialog.list.item(i).text() for i in range(w.label_dialog.list.count())]


def _dock_rows(w) -> dict[str, str]:
    lst = w.label_dock.list
    return {lst.item(i).data(Qt.ItemDataRole.UserRole): lst.item(i).text() for i in range(lst.count())}


def test_a_new_label_reaches_dock_dialog_and_colours(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    w.labels.add(["zebra"])
    qtbot.waitUntil(lambda: "zebra" in w.label_dock.labels(), timeout=2000)
    assert "zebra" in _dialog_labels(w)
    assert _dock_rows(w)["zebra"].startswith(f"{w.colours.index_of('zebra')}: zebra")


def test_a_labels_file_restricts_dock_dialog_and_colours(qtbot, tmp_path):
    img = make_image(tmp_path / "imgs" / "a.png")
    make_labelme(img, [polygon("horse", [(1, 1), (20, 1), (10, 20)])])
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\ndog\ncat\n", encoding="utf-8")
    w = open_window(qtbot, tmp_path)
    w.set_labels_file(str(labels))
    w.open_path(tmp_path / "imgs")
    wait_image(qtbot, w, "a.png")
    assert w.labels.restriction == ["dog", "cat"]
    assert _dialog_labels(w) == ["dog", "cat"]  # the dialog offers the file's labels only
    assert (w.colours.index_of("dog"), w.colours.index_of("cat")) == (1, 2)
    assert w.colours.rgb("cat") == voc_colour(2)
    qtbot.waitUntil(lambda: w.label_dock.labels()[:2] == ["dog", "cat"], timeout=2000)
    assert _dock_rows(w)["cat"].startswith("2: cat")


def test_a_new_folder_forgets_the_previous_folders_labels_but_keeps_the_file_and_configured(qtbot):
    colours = LabelColours()
    labels = LabelSet(colours, configured=["tree"])
    seen = []
    labels.changed.connect(lambda: seen.append(labels.names()))
    labels.restrict(["dog", "cat"])
    labels.add(["horse", "dog"])
    assert labels.names() == ["dog", "cat", "tree", "horse"]
    labels.new_folder()
    assert labels.names() == ["dog", "cat", "tree"]
    assert seen[-1] == ["dog", "cat", "tree"] and len(seen) == 3
    labels.add(["dog"])  # nothing new: no change signalled
    assert len(seen) == 3

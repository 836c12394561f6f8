"""Shape list (order, visibility, drag to reorder, selection both ways, double-click edit,
proposal score), label list (VOC colours, ids, counts, hide a label) and image flags."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from segcore.io.palette import label_colour
from segstudio.dialogs.label_dialog import LabelChoice

from .gui_helpers import make_image, make_labelme, open_window, polygon, wait_image

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    img = make_image(tmp_path / "a.png")
    make_labelme(img, [polygon("cat", [(5, 5), (50, 5), (30, 40)]),
                       polygon("dog", [(60, 60), (90, 60), (70, 80)]),
                       polygon("cat", [(10, 60), (30, 60), (20, 80)], score=0.87, proposed=True)],
                 flags={"blurry": False})
    w = open_window(qtbot, tmp_path)
    w.open_path(img)
    wait_image(qtbot, w, "a.png")
    return w


def _rows(w):
    m = w.shape_dock.model
    return [m.index(r).data() for r in range(m.rowCount())]


def test_shape_list_rows_visibility_and_score(qtbot, window):
    w = window
    assert _rows(w) == ["cat", "dog", "cat  [proposed 0.87]"]
    m = w.shape_dock.model
    m.setData(m.index(1), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not w.document.is_visible(1)
    assert m.index(1).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked


def test_drag_reorder_is_undoable(qtbot, window):
    w = window
    m = w.shape_dock.model
    data = m.mimeData([m.index(0)])
    m.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())  # drop row 0 at the end
    assert _rows(w) == ["dog", "cat  [proposed 0.87]", "cat"]
    assert [s.label for s in w.document.shapes] == ["dog", "cat", "cat"]
    w.act_undo()
    assert _rows(w) == ["cat", "dog", "cat  [proposed 0.87]"]


def test_selection_follows_both_ways_and_double_click_edits(qtbot, window):
    w = window
    view = w.shape_dock.view
    rect = view.visualRect(w.shape_dock.model.index(1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.document.selected_indices() == [1]
    w.document.set_selection([0, 2])
    assert sorted(i.row() for i in view.selectionModel().selectedRows()) == [0, 2]
    w.document.set_selection([1])
    w.ask_label = lambda choice=None: LabelChoice("wolf")
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.document.shapes[1].label == "wolf"


def test_label_list_colours_counts_and_hiding(qtbot, window):
    w = window
    dock = w.label_dock
    dock.refresh()
    texts = {dock.list.item(i).data(Qt.ItemDataRole.UserRole): dock.list.item(i) for i in range(dock.list.count())}
    cat = texts["cat"]
    cid = w.colours.index_of("cat")
    assert cat.text() == f"{cid}: cat  (1 +1 proposed)"  # the proposal is not counted as a label
    assert w.colours.rgb("cat") == label_colour("cat")  # no labels file: the colour of the name
    icon_colour = QColor(cat.icon().pixmap(14, 14).toImage().pixel(7, 7))
    assert (icon_colour.red(), icon_colour.green(), icon_colour.blue()) == label_colour("cat")
    cat.setCheckState(Qt.CheckState.Unchecked)
    assert not w.document.is_visible(0) and not w.document.is_visible(2) and w.document.is_visible(1)


def test_labels_file_gives_class_ids(qtbot, tmp_path):
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\ndog\ncat\n")
    img = make_image(tmp_path / "b.png")
    make_labelme(img, [polygon("cat", [(5, 5), (50, 5), (30, 40)])])
    w = open_window(qtbot, tmp_path)
    w.set_labels_file(str(labels))
    w.open_path(img)
    wait_image(qtbot, w, "b.png")
    assert w.colours.index_of("dog") == 1 and w.colours.index_of("cat") == 2
    assert w.label_dialog.problem() is not None  # empty text
    w.label_dialog.edit.setText("zebra")
    assert "labels file" in w.label_dialog.problem()


def test_image_flags_are_undoable(qtbot, window):
    w = window
    lst = w.flags_dock.list
    assert lst.count() == 1 and lst.item(0).text() == "blurry"
    lst.item(0).setCheckState(Qt.CheckState.Checked)
    assert w.document.annotation.flags == {"blurry": True}
    w.act_undo()
    assert w.document.annotation.flags == {"blurry": False}
    assert lst.item(0).checkState() == Qt.CheckState.Unchecked

"""Label colours: a function of the label's name (or of its place in a labels file), the same in
every view, folder and run; the label list shows the open folder's labels only."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from segcore.io.annotation import Shape
from segcore.io.palette import IGNORE_COLOUR, label_colour, voc_colour
from segstudio.label_colours import LabelColours
from segstudio.main_window import MainWindow
from segstudio.settings import Settings
from segstudio.undo_commands import AddShapes
from segstudio.workers import active_jobs
from tests.app.gui_helpers import make_image, make_labelme, open_window, polygon, wait_image

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _no_job_left(qtbot):
    """Each test ends once the folder label collection it started has answered."""
    yield
    qtbot.waitUntil(lambda: active_jobs() == 0, timeout=5000)

TRI = [(5, 5), (50, 5), (30, 40)]
TRI2 = [(60, 50), (100, 50), (80, 80)]


def test_colour_is_a_function_of_the_name(qtbot):
    c = LabelColours()
    person = c.rgb("person")
    assert person == label_colour("person")
    c.index_of("car")
    c.set_class_ids(["_background_", "car", "person"])  # a folder where "car" sorts first
    assert c.rgb("person") == person and c.index_of("person") == 2 and c.index_of("car") == 1
    assert LabelColours().rgb("person") == person  # another window, another folder
    assert c.colour("person").getRgb()[:3] == person
    assert c.rgb("_background_") == (0, 0, 0) and c.rgb("__ignore__") == IGNORE_COLOUR
    assert c.index_of("__ignore__") == 255
    assert c.index_of("zebra") == 3  # a label met later: the next free id, colour from its name
    assert c.rgb("zebra") == label_colour("zebra")


def test_label_colour_is_the_same_in_every_process():
    code = "from segcore.io.palette import label_colour; print(label_colour('person'), label_colour('sky'))"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert outs == {f"{label_colour('person')} {label_colour('sky')}\n"}


def test_label_colours_are_distinct_and_readable():
    names = ["person", "car", "road", "sky", "tree", "building", "cat", "dog", "bicycle", "pole"]
    colours = [label_colour(n) for n in names]
    assert len(set(colours)) == len(colours)
    assert all(max(c) >= 170 for c in colours)  # none near the background's black


def test_labels_file_order_gives_ids_and_voc_colours(qtbot):
    c = LabelColours(["_background_", "dog", "cat"])
    assert c.has_labels_file()
    assert c.index_of("dog") == 1 and c.index_of("cat") == 2
    assert c.rgb("dog") == voc_colour(1) and c.rgb("cat") == voc_colour(2)
    assert c.rgb("zebra") == label_colour("zebra") and c.index_of("zebra") == 3
    got = []
    c.changed.connect(lambda: got.append(1))
    c.set_class_ids(["_background_", "cat", "ant"])  # the file's ids come first
    assert c.index_of("dog") == 1 and c.index_of("cat") == 2 and c.index_of("ant") == 3 and got == [1]
    c.set_names([])
    assert not c.has_labels_file() and c.rgb("dog") == label_colour("dog")


def _label_rows(window: MainWindow) -> list[str]:
    window.label_dock.refresh()
    return window.label_dock.labels()


def test_person_keeps_its_colour_when_car_is_added_across_restarts(qtbot, tmp_path):
    img = make_image(tmp_path / "imgs" / "a.png")
    make_labelme(img, [polygon("person", TRI)])
    w = open_window(qtbot, tmp_path, labels=("car",))
    w.open_path(img.parent)
    wait_image(qtbot, w, "a.png")
    qtbot.waitUntil(lambda: "person" in _label_rows(w), timeout=5000)
    before = w.colours.rgb("person")
    w.document.set_selection([0])
    assert w.canvas.item_at_index(0).colour.getRgb()[:3] == before
    w.document.push(AddShapes(w.document, [Shape(label="car", points=TRI2, shape_type="polygon")]))
    assert w.colours.rgb("person") == before
    assert w.session.save()  # the folder now holds "car" (sorts first) and "person"
    w.close()

    w2 = MainWindow(settings=Settings(str(tmp_path / "settings2.ini")))  # a second start
    qtbot.addWidget(w2)
    w2.open_path(img.parent)
    wait_image(qtbot, w2, "a.png")
    qtbot.waitUntil(lambda: w2.colours.index_of("car") == 1, timeout=5000)  # the folder's class ids came
    assert w2.colours.index_of("person") == 2  # the export's ids: car sorts first now
    assert w2.colours.rgb("person") == before
    w2.document.set_selection([0])
    assert w2.canvas.item_at_index(0).colour.getRgb()[:3] == before


def _swatch_rgb(window: MainWindow, row: int) -> tuple[int, int, int]:
    model = window.shape_dock.model
    pm = model.data(model.index(row), Qt.ItemDataRole.DecorationRole)
    c = QColor(pm.toImage().pixel(pm.width() // 2, pm.height() // 2))
    return c.red(), c.green(), c.blue()


def test_shape_list_swatch_matches_the_canvas_and_follows_a_labels_file(qtbot, tmp_path):
    img = make_image(tmp_path / "a.png")
    make_labelme(img, [polygon("cat", TRI), polygon("dog", TRI2)])
    w = open_window(qtbot, tmp_path)
    w.open_path(img)
    wait_image(qtbot, w, "a.png")
    for row in (0, 1):
        w.document.set_selection([row])
        assert _swatch_rgb(w, row) == w.canvas.item_at_index(row).colour.getRgb()[:3]
    labels = tmp_path / "labels.txt"
    labels.write_text("__ignore__\n_background_\ndog\ncat\n", encoding="utf-8")
    with qtbot.waitSignal(w.shape_dock.model.dataChanged, timeout=1000):  # the list repaints its swatches
        w.set_labels_file(str(labels))
    for row, voc_id in ((0, 2), (1, 1)):
        w.document.set_selection([row])
        assert _swatch_rgb(w, row) == w.canvas.item_at_index(row).colour.getRgb()[:3] == voc_colour(voc_id)


def test_opening_another_folder_forgets_the_previous_folders_labels(qtbot, tmp_path):
    a = make_image(tmp_path / "A" / "a.png")
    make_labelme(a, [polygon("person", TRI)])
    b = make_image(tmp_path / "B" / "b.png")
    make_labelme(b, [polygon("tree", TRI), polygon("person", TRI2)])
    c = make_image(tmp_path / "C" / "c.png")
    make_labelme(c, [polygon("sky", TRI)])
    w = open_window(qtbot, tmp_path)
    w.labels.set_configured(["road"])  # configured labels stay known in every folder
    w.open_path(a.parent)
    wait_image(qtbot, w, "a.png")
    qtbot.waitUntil(lambda: "person" in _label_rows(w), timeout=5000)
    person = w.colours.rgb("person")
    w.open_path(c.parent)
    wait_image(qtbot, w, "c.png")
    qtbot.waitUntil(lambda: "sky" in _label_rows(w), timeout=5000)
    assert sorted(_label_rows(w)) == ["road", "sky"]
    w.open_path(b.parent)
    wait_image(qtbot, w, "b.png")
    qtbot.waitUntil(lambda: {"person", "tree"} <= set(_label_rows(w)), timeout=5000)
    assert sorted(_label_rows(w)) == ["person", "road", "tree"]
    assert w.colours.rgb("person") == person
    offered = [w.label_dialog.list.item(i).text() for i in range(w.label_dialog.list.count())]
    assert "sky" not in offered and "tree" in offered

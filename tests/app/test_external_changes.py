"""Label files changed by another program while the app has them open: never overwritten
silently. A clean document is read again; unsaved edits bring up the conflict prompt (keep mine,
take theirs, save mine as a copy)."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from segcore.io import annotation as sa
from segstudio.conflicts import Choice

from .gui_helpers import click_scene, make_image, make_labelme, open_window, polygon, wait_image

pytestmark = pytest.mark.gui


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "imgs"
    for name in ("a", "b"):
        make_image(root / f"{name}.png")
    make_labelme(root / "a.png", [polygon("cat", [(5, 5), (50, 5), (30, 40)])])
    return root


def _script_adds_shape(json_path, label="horse", keep_time=False):
    """What another program does: read the label file, add a shape, write it back."""
    before = os.stat(json_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    data["shapes"].append(polygon(label, [(60, 60), (90, 60), (75, 85)]))
    json_path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    if keep_time:
        os.utime(json_path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _draw_triangle(qtbot, w, at=(10, 10)):
    x, y = at
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    for px, py in [(x, y), (x + 40, y + 2), (x + 20, y + 30)]:
        click_scene(qtbot, w, px, py)
    qtbot.keyClick(w.canvas.viewport(), Qt.Key.Key_Return)


def _labels_on_disk(path):
    return [s.label for s in sa.load(path).shapes]


def _open_a(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path, labels=("dog",))
    w.open_path(folder)
    wait_image(qtbot, w, "a.png")
    return w


def test_script_edit_while_open_is_shown_after_d_a_and_survives_drawing(qtbot, tmp_path, folder):
    w = _open_a(qtbot, tmp_path, folder)
    _script_adds_shape(folder / "a.json")
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "b.png")
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "a.png")
    assert [s.label for s in w.document.shapes] == ["cat", "horse"]  # the file as it is now
    _draw_triangle(qtbot, w)
    qtbot.waitUntil(lambda: not w.document.is_dirty(), timeout=5000)  # autosaved
    assert _labels_on_disk(folder / "a.json") == ["cat", "horse", "dog"]


def test_edit_elsewhere_under_unsaved_edits_asks_and_keeps_theirs(qtbot, tmp_path, folder):
    w = _open_a(qtbot, tmp_path, folder)
    w.saver.timer.setInterval(60_000)  # the drawing stays unsaved until the script has written
    _draw_triangle(qtbot, w)
    assert w.document.is_dirty()
    _script_adds_shape(folder / "a.json")
    w.session.conflicts.answer = Choice.TAKE_THEIRS
    with qtbot.waitSignal(w.session.conflicts.resolved, timeout=5000) as blocker:
        w.saver.timer.setInterval(10)
        w.saver.timer.start()
    assert blocker.args == [str(folder / "a.json"), Choice.TAKE_THEIRS.value]
    assert _labels_on_disk(folder / "a.json") == ["cat", "horse"]  # the script's shape survives
    assert [s.label for s in w.document.shapes] == ["cat", "horse"] and not w.document.is_dirty()
    _draw_triangle(qtbot, w, at=(20, 20))  # later edits save normally on top of theirs
    qtbot.waitUntil(lambda: _labels_on_disk(folder / "a.json") == ["cat", "horse", "dog"], timeout=5000)


def test_conflict_prompt_offers_three_choices(qtbot, tmp_path, folder):
    w = _open_a(qtbot, tmp_path, folder)
    w.saver.timer.setInterval(60_000)
    _draw_triangle(qtbot, w)
    _script_adds_shape(folder / "a.json")
    w.saver.timer.setInterval(10)
    w.saver.timer.start()
    qtbot.waitUntil(lambda: w.findChild(QMessageBox, "conflict_dialog") is not None
                    and w.findChild(QMessageBox, "conflict_dialog").isVisible(), timeout=5000)
    box = w.findChild(QMessageBox, "conflict_dialog")
    assert "a.json" in box.text() and "another program" in box.text()
    assert {b.text() for b in box.buttons()} == {"Keep mine", "Take theirs", "Save mine as a copy"}
    assert _labels_on_disk(folder / "a.json") == ["cat", "horse"]  # nothing written while asking
    keep = next(b for b in box.buttons() if b.text() == "Keep mine")
    with qtbot.waitSignal(w.session.conflicts.resolved, timeout=5000):
        qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _labels_on_disk(folder / "a.json") == ["cat", "dog"], timeout=5000)
    qtbot.waitUntil(lambda: not w.document.is_dirty(), timeout=5000)


def test_save_mine_as_a_copy_then_take_theirs(qtbot, tmp_path, folder):
    w = _open_a(qtbot, tmp_path, folder)
    w.saver.timer.setInterval(60_000)
    _draw_triangle(qtbot, w)
    _script_adds_shape(folder / "a.json")
    w.session.conflicts.answer = Choice.SAVE_COPY
    with qtbot.waitSignal(w.session.conflicts.resolved, timeout=5000):
        w.saver.timer.setInterval(10)
        w.saver.timer.start()
    copies = sorted(folder.glob("a.conflict-*.json"))
    assert len(copies) == 1
    mine = sa.load(copies[0])
    assert [s.label for s in mine.shapes] == ["cat", "dog"]
    assert sa.resolve_image_path(mine, copies[0]) == (folder / "a.png").resolve()
    assert _labels_on_disk(folder / "a.json") == ["cat", "horse"]
    assert [s.label for s in w.document.shapes] == ["cat", "horse"] and not w.document.is_dirty()


def test_same_size_edit_that_kept_its_time_is_seen_on_return(qtbot, tmp_path, folder):
    w = _open_a(qtbot, tmp_path, folder)
    w.session.kept.max_documents = 0  # a.png comes back from the prefetched label file
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "b.png")
    qtbot.waitUntil(lambda: w.annotation_cache.holds(folder / "a.json"), timeout=5000)  # a.json prefetched
    jp = folder / "a.json"
    before = os.stat(jp)
    jp.write_text(jp.read_text(encoding="utf-8").replace('"cat"', '"cow"'), encoding="utf-8")  # cp -p
    os.utime(jp, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(jp).st_size == before.st_size
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "a.png")
    assert [s.label for s in w.document.shapes] == ["cow"]
    _draw_triangle(qtbot, w)
    qtbot.waitUntil(lambda: not w.document.is_dirty(), timeout=5000)
    assert _labels_on_disk(jp) == ["cow", "dog"]


def test_clean_document_is_read_again_when_the_window_is_activated(qtbot, tmp_path, folder):
    w = _open_a(qtbot, tmp_path, folder)
    _script_adds_shape(folder / "a.json")
    QApplication.sendEvent(w, QEvent(QEvent.Type.WindowActivate))
    qtbot.waitUntil(lambda: [s.label for s in w.document.shapes] == ["cat", "horse"], timeout=5000)
    assert not w.document.is_dirty()
    assert "a.json changed on disk: reloaded" in w.statusBar().currentMessage()
    assert _labels_on_disk(folder / "a.json") == ["cat", "horse"]


def test_ctrl_s_and_leaving_check_the_file_too(qtbot, tmp_path, folder):
    w = _open_a(qtbot, tmp_path, folder)
    w.saver.timer.setInterval(60_000)
    _draw_triangle(qtbot, w)
    _script_adds_shape(folder / "a.json")
    w.session.conflicts.answer = Choice.TAKE_THEIRS
    qtbot.keyClick(w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert _labels_on_disk(folder / "a.json") == ["cat", "horse"]
    assert [s.label for s in w.document.shapes] == ["cat", "horse"]
    _draw_triangle(qtbot, w, at=(20, 20))
    _script_adds_shape(folder / "a.json", label="zebra")
    w.session.conflicts.answer = Choice.SAVE_COPY
    qtbot.keyClick(w, Qt.Key.Key_D)  # leaving flushes the pending autosave synchronously
    wait_image(qtbot, w, "b.png")
    assert _labels_on_disk(folder / "a.json") == ["cat", "horse", "zebra"]
    copies = sorted(folder.glob("a.conflict-*.json"))
    assert [[s.label for s in sa.load(c).shapes] for c in copies] == [["cat", "horse", "dog"]]
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "a.png")
    assert [s.label for s in w.document.shapes] == ["cat", "horse", "zebra"]


def test_ctrl_s_with_nothing_unsaved_reads_theirs_instead_of_overwriting(qtbot, tmp_path, folder):
    w = _open_a(qtbot, tmp_path, folder)
    _script_adds_shape(folder / "a.json")
    qtbot.keyClick(w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert _labels_on_disk(folder / "a.json") == ["cat", "horse"]
    assert [s.label for s in w.document.shapes] == ["cat", "horse"] and not w.document.is_dirty()
    assert w.findChild(QMessageBox, "conflict_dialog") is None  # nothing to ask


def test_an_image_replaced_by_another_program_is_decoded_again_on_return(qtbot, tmp_path, folder):
    w = _open_a(qtbot, tmp_path, folder)
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "b.png")
    assert w.image_cache.get(folder / "a.png") is not None  # a's pixels are still cached
    make_image(folder / "a.png", size=(100, 80), colour=(200, 20, 20))  # cropped and recoloured elsewhere
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "a.png")
    shown = w.canvas.image_layer.levels[0]
    assert shown.shape[:2] == (80, 100) and tuple(shown[0, 0, :3]) == (200, 20, 20)
    st = os.stat(folder / "a.png")
    assert w.image_cache.stamp(folder / "a.png") == (st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino)


def test_an_image_copied_over_with_its_time_and_size_kept_is_decoded_again(qtbot, tmp_path, folder):
    """``cp -p`` of a same-size file: the modification time and the size stay as they were."""
    w = _open_a(qtbot, tmp_path, folder)
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "b.png")
    before = os.stat(folder / "a.png")
    # the same bytes in another order: a PNG of the same size, in another colour
    other = make_image(tmp_path / "elsewhere" / "a.png", colour=(200, 10, 30))
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    shutil.copyfile(other, folder / "a.png")
    os.utime(folder / "a.png", ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(folder / "a.png")
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "a.png")
    assert tuple(w.canvas.image_layer.levels[0][0, 0, :3]) == (200, 10, 30)

"""The main window driven like a user: open a folder, draw, navigate with D/A, copy/paste to
another image, keep previous annotation, per-image zoom, quitting flushes, drop files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from segcore.io import annotation as sa
from segstudio.main import parse_args

from .gui_helpers import click_scene, make_image, make_labelme, open_window, polygon, wait_image

pytestmark = pytest.mark.gui


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "imgs"
    for i in (1, 2, 10):
        make_image(root / f"im{i}.png")
    make_labelme(root / "im2.png", [polygon("dog", [(5, 5), (50, 5), (30, 40)])])
    return root


def test_menus_and_open_folder(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    assert set(w.menus) == {"file", "edit", "view", "model", "train", "tools", "help"}
    assert w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    assert w.file_dock.model.rowCount() == 3
    assert w.file_dock.count.text() == "3 images: 1 reviewed, 0 to review, 2 unlabelled"
    assert "im1.png" in w.windowTitle()
    assert not w.isWindowModified()


def test_draw_polygon_autosaves_and_title_shows_state(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.saver.timer.setInterval(60_000)  # keep the edit pending to see the title
    w.open_path(folder / "im1.png")
    wait_image(qtbot, w, "im1.png")
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert w.canvas.tool_name == "polygon" and w.actions["create_polygon"].isChecked()
    for x, y in [(10, 10), (60, 12), (40, 50)]:
        click_scene(qtbot, w, x, y)
    qtbot.keyClick(w.canvas.viewport(), Qt.Key.Key_Return)
    assert [s.label for s in w.document.shapes] == ["cat"]
    assert w.isWindowModified()
    w.saver.timer.setInterval(10)
    w.saver.timer.start()
    qtbot.waitUntil(lambda: not w.isWindowModified(), timeout=5000)
    ann = sa.load(folder / "im1.json")
    assert ann.shapes[0].shape_type == "polygon" and len(ann.shapes[0].points) == 3
    assert ann.shapes[0].points[0] == pytest.approx((10, 10), abs=1.0)
    assert w.file_dock.model.is_labelled(str(folder / "im1.png"))


def test_next_prev_keys_and_zoom_memory(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    qtbot.keyClick(w, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # 1:1
    qtbot.keyClick(w, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    zoom1 = w.canvas.zoom()
    assert zoom1 == pytest.approx(1.1)
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im2.png")
    assert [s.label for s in w.document.shapes] == ["dog"]
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im10.png")
    qtbot.keyClick(w, Qt.Key.Key_D)  # at the end: stays
    assert w.document.image_path.name == "im10.png"
    qtbot.keyClick(w, Qt.Key.Key_A)
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "im1.png")
    assert w.canvas.zoom() == pytest.approx(zoom1)  # remembered per image


def test_copy_paste_onto_another_image_and_duplicate(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    w.session.load_image(str(folder / "im2.png"))
    wait_image(qtbot, w, "im2.png")
    w.document.set_selection([0])
    qtbot.keyClick(w, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # duplicate here
    assert [s.label for s in w.document.shapes] == ["dog", "dog"]
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im10.png")
    qtbot.keyClick(w, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [s.label for s in w.document.shapes] == ["dog"]
    assert w.document.shapes[0].points == [(5.0, 5.0), (50.0, 5.0), (30.0, 40.0)]
    assert w.document.selected_indices() == [0]
    w.close()
    assert len(sa.load(folder / "im2.json").shapes) == 2  # navigating flushed
    assert len(sa.load(folder / "im10.json").shapes) == 1  # quitting flushed


def test_keep_previous_annotation(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    qtbot.keyClick(w, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert w.settings.keep_previous
    w.session.load_image(str(folder / "im2.png"))
    wait_image(qtbot, w, "im2.png")
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im10.png")
    assert [s.label for s in w.document.shapes] == ["dog"]  # carried over
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(w.document) == 0


def test_autosave_off_asks_before_leaving(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.actions["autosave"].setChecked(False)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    w.clipboard.set_shapes([sa.Shape("cat", [(1, 1), (9, 1), (5, 8)])])
    w.act_paste()
    w.session.leave_answer = QMessageBox.StandardButton.Cancel
    qtbot.keyClick(w, Qt.Key.Key_D)
    assert w.document.image_path.name == "im1.png"  # cancelled: stays
    w.session.leave_answer = QMessageBox.StandardButton.Save
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im2.png")
    assert [s.label for s in sa.load(folder / "im1.json").shapes] == ["cat"]
    w.clipboard.set_shapes([sa.Shape("cow", [(1, 1), (9, 1), (5, 8)])])
    w.act_paste()
    w.session.leave_answer = QMessageBox.StandardButton.Discard
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im10.png")
    assert [s.label for s in sa.load(folder / "im2.json").shapes] == ["dog"]


def test_delete_label_file_keeps_image(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder / "im2.png")
    wait_image(qtbot, w, "im2.png")
    assert w.session.delete_label_file(confirm=False)
    assert not (folder / "im2.json").exists() and (folder / "im2.png").exists()
    assert len(w.document) == 0 and w.document.image_path.name == "im2.png"
    assert not w.file_dock.model.is_labelled(str(folder / "im2.png"))


def test_toggle_all_shapes_and_status_bar(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder / "im2.png")
    wait_image(qtbot, w, "im2.png")
    qtbot.keyClick(w, Qt.Key.Key_T)
    assert not w.document.is_visible(0)
    qtbot.keyClick(w, Qt.Key.Key_T)
    assert w.document.is_visible(0)
    vp = w.canvas.mapFromScene(QPointF(20.5, 30.5))
    qtbot.mouseMove(w.canvas.viewport(), vp)
    qtbot.waitUntil(lambda: "x=" in w.pos_label.text(), timeout=2000)
    assert w.pixel_label.text() == "RGB 10, 200, 30"
    assert w.zoom_label.text().endswith("%")


def test_open_json_drop_and_bad_input(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    assert w.open_path(folder / "im2.json")
    wait_image(qtbot, w, "im2.png")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(folder))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    w.dropEvent(drop)
    qtbot.waitUntil(lambda: w.file_dock.model.rowCount() == 3, timeout=5000)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(folder / n)) for n in ("im10.png", "im2.png", "im2.json")])
    w.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                           Qt.KeyboardModifier.NoModifier))
    assert [Path(p).name for p in w.file_dock.model.paths()] == ["im2.png", "im10.png"]
    wait_image(qtbot, w, "im2.png")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert not w.open_path(bad)
    assert "bad.json" in w.statusBar().currentMessage() and "not valid JSON" in w.statusBar().currentMessage()


def test_layout_and_last_folder_come_back(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    w.file_dock.hide()
    w.close()
    w2 = open_window(qtbot, tmp_path)
    assert w2.file_dock.isHidden()
    w2.restore_last()
    wait_image(qtbot, w2, "im1.png")


def test_command_line():
    assert parse_args(["some/folder"]).path == "some/folder"
    args = parse_args(["--labels", "l.txt", "--no-autosave", "x.jpg"])
    assert args.labels == "l.txt" and args.no_autosave and args.path == "x.jpg"


def test_carry_shapes_to_next_image(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    w.session.load_image(str(folder / "im2.png"))
    wait_image(qtbot, w, "im2.png")
    qtbot.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_image(qtbot, w, "im10.png")
    assert [s.label for s in w.document.shapes] == ["dog"]
    qtbot.keyClick(w, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_image(qtbot, w, "im2.png")
    assert [s.label for s in w.document.shapes] == ["dog"]  # has shapes: nothing added


def test_brightness_contrast_is_display_only(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder / "im2.png")
    wait_image(qtbot, w, "im2.png")
    before = (folder / "im2.png").read_bytes(), (folder / "im2.json").read_bytes()
    qtbot.keyClick(w, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = w._bc_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.brightness.setValue(150)
    assert w.canvas.image_layer.brightness == pytest.approx(1.5)
    dialog.reset()
    assert w.canvas.image_layer.brightness == pytest.approx(1.0)
    w.actions["crosshair"].setChecked(True)
    assert not w.document.is_dirty()
    w.close()
    assert ((folder / "im2.png").read_bytes(), (folder / "im2.json").read_bytes()) == before


def test_exif_rotated_jpeg_and_16bit_tiff_open(qtbot, tmp_path):
    import numpy as np
    from PIL import Image

    rot = tmp_path / "rot.jpg"
    im = Image.fromarray(np.full((40, 100, 3), 120, np.uint8))  # stored 100 wide, 40 high
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    im.save(rot, exif=exif.tobytes())
    tif = tmp_path / "deep.tif"
    Image.fromarray(np.arange(50 * 70, dtype=np.uint16).reshape(50, 70) * 18).save(tif)
    w = open_window(qtbot, tmp_path)
    w.open_path(rot)
    wait_image(qtbot, w, "rot.jpg")
    assert w.canvas.image_layer.full_size == (40, 100)
    assert w.document.image_size() == (40, 100)
    w.open_path(tif)
    wait_image(qtbot, w, "deep.tif")
    assert w.canvas.image_layer.full_size == (70, 50)
    assert w.canvas.pixel_at(69, 49) != w.canvas.pixel_at(0, 0)  # not a flat (clipped) image


def test_unreadable_image_is_reported(qtbot, tmp_path, folder):
    bad = folder / "broken.png"
    bad.write_bytes(b"not a png at all")
    w = open_window(qtbot, tmp_path)
    w.open_path(folder / "im1.png")
    wait_image(qtbot, w, "im1.png")
    assert not w.session.load_image(str(bad))
    assert "broken.png" in w.statusBar().currentMessage()
    assert w.document.image_path.name == "im1.png"  # still on the readable image


def test_neighbours_are_prefetched(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    qtbot.waitUntil(lambda: w.image_cache.get(str(folder / "im2.png")) is not None, timeout=5000)
    rgb, size = w.image_cache.get(str(folder / "im2.png"))
    assert size == (120, 90) and rgb.shape == (90, 120, 3)


def test_label_files_are_prefetched_but_never_stale(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.session.kept.max_documents = 0  # no image left is kept: every visit reads its file
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    jp = str(folder / "im2.json")
    qtbot.waitUntil(lambda: jp in w.annotation_cache._cache, timeout=5000)
    # the file changes on disk after the prefetch (another program, or our own save)
    make_labelme(folder / "im2.png", [polygon("fresh", [(1, 1), (9, 1), (5, 8)])])
    os.utime(jp, ns=(1, 1))
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im2.png")
    assert [s.label for s in w.document.shapes] == ["fresh"]  # read again, not the stale parse
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "im1.png")
    qtbot.waitUntil(lambda: jp in w.annotation_cache._cache, timeout=5000)
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im2.png")
    assert [s.label for s in w.document.shapes] == ["fresh"]  # from the prefetch this time
    assert jp not in w.annotation_cache._cache  # handed over, not shared


def test_empty_folder_says_so(qtbot, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    w = open_window(qtbot, tmp_path)
    w.open_path(empty)
    qtbot.waitUntil(lambda: "No images" in w.statusBar().currentMessage(), timeout=5000)
    assert w.document is None


def test_real_label_dialog_after_drawing(qtbot, tmp_path, folder):
    from PySide6.QtCore import QTimer

    from segstudio.main_window import MainWindow

    w = open_window(qtbot, tmp_path)
    w.ask_label = MainWindow.ask_label.__get__(w)  # the real dialog, not the test's shortcut
    w.open_path(folder / "im1.png")
    wait_image(qtbot, w, "im1.png")
    w.actions["create_rectangle"].trigger()

    def answer():
        dlg = w.label_dialog
        assert dlg.isVisible()
        dlg.edit.clear()
        qtbot.keyClicks(dlg.edit, "zebra")
        qtbot.keyClicks(dlg.group_edit, "7")
        qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)

    QTimer.singleShot(100, answer)
    click_scene(qtbot, w, 10, 10)
    click_scene(qtbot, w, 50, 40)
    assert [(s.label, s.group_id, s.shape_type) for s in w.document.shapes] == [("zebra", 7, "rectangle")]
    qtbot.waitUntil(lambda: "zebra" in w.label_dock.labels(), timeout=2000)
    QTimer.singleShot(100, lambda: qtbot.keyClick(w.label_dialog.edit, Qt.Key.Key_Escape))
    click_scene(qtbot, w, 60, 10)
    click_scene(qtbot, w, 90, 40)
    assert len(w.document) == 1  # cancelled: the second rectangle is dropped


def _draw_on_im1_then_open_im2(qtbot, tmp_path, folder):
    """A window that drew a triangle on im1 (autosaved), then went on to im2 with D."""
    w = open_window(qtbot, tmp_path)
    w.saver.timer.setInterval(10)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    for x, y in [(10, 10), (60, 12), (40, 50)]:
        click_scene(qtbot, w, x, y)
    qtbot.keyClick(w.canvas.viewport(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not w.isWindowModified(), timeout=5000)  # autosaved
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im2.png")
    return w


def test_going_back_to_an_image_brings_its_undo_history_back(qtbot, tmp_path, folder):
    w = _draw_on_im1_then_open_im2(qtbot, tmp_path, folder)
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "im1.png")
    assert [s.label for s in w.document.shapes] == ["cat"]
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the drawing made before leaving
    assert w.document.shapes == []
    qtbot.waitUntil(lambda: sa.load(folder / "im1.json").shapes == [], timeout=5000)  # and autosaved
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [s.label for s in w.document.shapes] == ["cat"]
    qtbot.waitUntil(lambda: len(sa.load(folder / "im1.json").shapes) == 1, timeout=5000)


def test_a_label_file_changed_elsewhere_is_read_again_and_never_overwritten(qtbot, tmp_path, folder):
    w = _draw_on_im1_then_open_im2(qtbot, tmp_path, folder)
    # LabelMe (or a script) rewrites im1.json while we look at im2, within the same clock tick
    before = os.stat(folder / "im1.json")
    make_labelme(folder / "im1.png", [polygon("horse", [(1, 1), (30, 1), (15, 20)])])
    os.utime(folder / "im1.json", ns=(before.st_atime_ns, before.st_mtime_ns))
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "im1.png")
    assert [s.label for s in w.document.shapes] == ["horse"]  # the file as it is now
    assert w.document.undo_stack.count() == 0  # the stale history is gone
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s.label for s in sa.load(folder / "im1.json").shapes] == ["horse"]


def test_changes_discarded_on_leaving_are_not_kept(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.actions["autosave"].setChecked(False)
    w.open_path(folder)
    wait_image(qtbot, w, "im1.png")
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im2.png")
    qtbot.keyClick(w, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all
    qtbot.keyClick(w.canvas.viewport(), Qt.Key.Key_Delete)
    assert w.document.shapes == [] and w.isWindowModified()
    w.session.leave_answer = QMessageBox.StandardButton.Discard
    qtbot.keyClick(w, Qt.Key.Key_D)
    wait_image(qtbot, w, "im10.png")
    assert "im2.png" not in w.session.kept
    qtbot.keyClick(w, Qt.Key.Key_A)
    wait_image(qtbot, w, "im2.png")
    assert [s.label for s in w.document.shapes] == ["dog"] and w.document.undo_stack.count() == 0


def _edit_with_autosave_off(qtbot, tmp_path, folder):
    """A window with autosave off and an unsaved triangle drawn on im2 (title shows *)."""
    w = open_window(qtbot, tmp_path)
    w.actions["autosave"].setChecked(False)
    w.open_path(folder / "im2.png")
    wait_image(qtbot, w, "im2.png")
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    for x, y in [(60, 10), (100, 12), (80, 50)]:
        click_scene(qtbot, w, x, y)
    qtbot.keyClick(w.canvas.viewport(), Qt.Key.Key_Return)
    assert w.isWindowModified() and "[*]" in w.windowTitle()
    return w


def test_discard_on_closing_the_window_never_writes(qtbot, tmp_path, folder):
    before = (folder / "im2.json").read_bytes()
    w = _edit_with_autosave_off(qtbot, tmp_path, folder)
    w.session.leave_answer = QMessageBox.StandardButton.Cancel
    assert not w.close()
    assert w.isVisible() and len(w.document) == 2  # cancelled: the window and the edit stay
    w.session.leave_answer = QMessageBox.StandardButton.Discard
    assert w.close()
    assert (folder / "im2.json").read_bytes() == before
    assert not (folder / "im1.json").exists()


def test_save_on_closing_the_window_writes(qtbot, tmp_path, folder):
    w = _edit_with_autosave_off(qtbot, tmp_path, folder)
    w.session.leave_answer = QMessageBox.StandardButton.Save
    assert w.close()
    assert [s.label for s in sa.load(folder / "im2.json").shapes] == ["dog", "cat"]


def test_scroll_bars_only_when_the_image_does_not_fit(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder / "im1.png")
    wait_image(qtbot, w, "im1.png")
    bars = (w.canvas.horizontalScrollBar(), w.canvas.verticalScrollBar())
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not any(b.isVisible() for b in bars), timeout=2000)
    shown = w.canvas.mapFromScene(QPointF(0, 0)), w.canvas.mapFromScene(QPointF(120, 90))
    assert w.canvas.viewport().rect().adjusted(-1, -1, 1, 1).contains(shown[0])  # the whole image in view
    assert w.canvas.viewport().rect().adjusted(-1, -1, 1, 1).contains(shown[1])
    w.canvas.set_zoom(3 * w.canvas.zoom())  # larger than the window: scroll bars to reach the rest
    qtbot.waitUntil(lambda: all(b.isVisible() for b in bars), timeout=2000)
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not any(b.isVisible() for b in bars), timeout=2000)
    w.resize(700, 500)  # still fitted after a resize
    qtbot.waitUntil(lambda: w.canvas.viewport().width() < 600, timeout=2000)
    assert not any(b.isVisible() for b in bars)

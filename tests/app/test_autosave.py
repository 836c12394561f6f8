"""Autosave: writes after an edit (off the GUI thread, coalesced), a failed save keeps the old
file and tells the user, flushing before leaving never drops an edit."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox, QWidget

from segcore.io import annotation as sa
from segstudio.autosave import Saver
from segstudio.document import Document
from segstudio.undo_commands import AddShapes, MoveVertex

pytestmark = pytest.mark.gui


def _image(tmp_path, name="img.png", size=(64, 48)):
    p = tmp_path / name
    Image.fromarray(np.zeros((size[1], size[0], 3), np.uint8)).save(p)
    return p


def _tri(label="cat", dx=0.0):
    return sa.Shape(label, [(1.0 + dx, 1.0), (20.0 + dx, 2.0), (10.0 + dx, 15.0)])


@pytest.fixture
def saver(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    s = Saver(parent, delay_ms=20)
    yield s
    s.pool.waitForDone()


def test_autosave_writes_after_edit(qtbot, tmp_path, saver):
    img = _image(tmp_path)
    doc = Document.load(img)
    saver.attach(doc)
    assert not doc.json_path.exists()
    doc.push(AddShapes(doc, [_tri()]))
    assert doc.is_dirty()
    with qtbot.waitSignal(saver.saved, timeout=5000):
        pass
    assert not doc.is_dirty()
    ann = sa.load(doc.json_path)
    assert [s.points for s in ann.shapes] == [[(1.0, 1.0), (20.0, 2.0), (10.0, 15.0)]]
    assert ann.image_path == "img.png"
    assert (ann.image_width, ann.image_height) == (64, 48)


def test_burst_of_edits_is_coalesced_and_last_state_wins(qtbot, tmp_path, saver):
    img = _image(tmp_path)
    doc = Document.load(img)
    saver.attach(doc)
    saves = []
    saver.saved.connect(saves.append)
    doc.push(AddShapes(doc, [_tri()]))
    for k in range(20):
        doc.push(MoveVertex(doc, 0, 0, (2.0 + k, 3.0)))
    qtbot.waitUntil(lambda: not doc.is_dirty(), timeout=5000)
    assert len(saves) <= 2
    assert sa.load(doc.json_path).shapes[0].points[0] == (21.0, 3.0)
    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: not doc.is_dirty(), timeout=5000)
    assert sa.load(doc.json_path).shapes[0].points[0] == (20.0, 3.0)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user for read-only folders")
def test_failed_save_keeps_old_file_and_tells_user(qtbot, tmp_path, saver):
    img = _image(tmp_path)
    doc = Document.load(img)
    doc.push(AddShapes(doc, [_tri()]))
    assert saver.save_now(doc)
    before = doc.json_path.read_bytes()
    saver.attach(doc)
    failures = []
    saver.failed.connect(lambda p, m: failures.append((p, m)))
    os.chmod(tmp_path, 0o555)  # read-only folder: the temp file cannot be created
    try:
        doc.push(AddShapes(doc, [_tri("dog", 5)]))
        qtbot.waitUntil(lambda: bool(failures), timeout=5000)
        assert doc.json_path.read_bytes() == before  # old file intact
        assert doc.is_dirty()  # the edit is still there, unsaved
        assert str(doc.json_path) in failures[0][1] and "cannot save" in failures[0][1]
        box = saver.parent().findChild(QMessageBox, "save_failed_dialog")
        assert box is not None and box.isVisible() and "previous label file was kept" in box.text()
        assert not saver.flush(doc)  # leaving now would lose the edit: flush says so
        assert [f.name for f in tmp_path.iterdir() if f.name.endswith(".tmp")] == []
    finally:
        os.chmod(tmp_path, 0o755)
    assert saver.flush(doc)  # the folder is writable again: the edit reaches the disk
    assert [s.label for s in sa.load(doc.json_path).shapes] == ["cat", "dog"]


def test_flush_before_leaving_writes_pending_edit(qtbot, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    saver = Saver(parent, delay_ms=60_000)  # the timer would never fire during the test
    img = _image(tmp_path)
    doc = Document.load(img)
    saver.attach(doc)
    doc.push(AddShapes(doc, [_tri()]))
    assert saver.pending()
    assert saver.flush(doc)
    assert not saver.pending() and not doc.is_dirty()
    assert len(sa.load(doc.json_path).shapes) == 1


def test_autosave_off_does_not_write(qtbot, tmp_path, saver):
    saver.autosave = False
    doc = Document.load(_image(tmp_path))
    saver.attach(doc)
    doc.push(AddShapes(doc, [_tri()]))
    qtbot.wait(100)
    assert not doc.json_path.exists() and doc.is_dirty()


def test_full_disk_keeps_old_file_and_tells_user(qtbot, tmp_path, saver, monkeypatch):
    import errno

    img = _image(tmp_path)
    doc = Document.load(img)
    doc.push(AddShapes(doc, [_tri()]))
    assert saver.save_now(doc)
    before = doc.json_path.read_bytes()
    saver.attach(doc)
    failures = []
    saver.failed.connect(lambda p, m: failures.append(m))
    real_fsync = os.fsync

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)  # the real atomic write fails half-way
    doc.push(AddShapes(doc, [_tri("dog", 5)]))
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert doc.json_path.read_bytes() == before
    assert "No space left" in failures[0] and str(doc.json_path) in failures[0]
    assert [f.name for f in tmp_path.iterdir() if f.name.endswith(".tmp")] == []
    assert doc.is_dirty()
    box = saver.parent().findChild(QMessageBox, "save_failed_dialog")
    assert box is not None and box.isVisible()
    assert not saver.flush(doc)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert saver.flush(doc)
    assert [s.label for s in sa.load(doc.json_path).shapes] == ["cat", "dog"]


def test_streamed_serialisation_is_segcore_text(tmp_path):
    from segstudio.autosave import serialise

    ann = sa.Annotation(shapes=[_tri("chat é"), sa.Shape("box", [(1.5, 2.0), (7.0, 9.25)], "rectangle", group_id=2,
                                                       flags={"x": True}, score=0.5, proposed=True)],
                        image_path="a.png", image_width=10, image_height=12, flags={"f": False})
    assert serialise(ann) == sa.dumps(ann).encode("utf-8")
    with pytest.raises(sa.AnnotationError, match="bad.json"):
        serialise(sa.Annotation(shapes=[sa.Shape("x", [(1.0, 1.0)])]), tmp_path / "bad.json")


def _changed_elsewhere(path):
    """Another program adds a shape to the label file."""
    ann = sa.load(path)
    ann.shapes.append(_tri("horse", 30))
    sa.save(ann, path)


def test_autosave_never_overwrites_a_file_changed_elsewhere(qtbot, tmp_path, saver):
    img = _image(tmp_path)
    doc = Document.load(img)
    doc.push(AddShapes(doc, [_tri()]))
    assert saver.save_now(doc)
    saver.attach(doc)
    _changed_elsewhere(doc.json_path)
    theirs = doc.json_path.read_bytes()
    failures = []
    saver.failed.connect(lambda p, m: failures.append(m))
    doc.push(AddShapes(doc, [_tri("dog", 5)]))
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert doc.json_path.read_bytes() == theirs  # the other program's shape is still there
    assert "changed on disk" in failures[0] and str(doc.json_path) in failures[0]
    assert doc.is_dirty()
    assert not saver.save_now(doc)  # Ctrl+S checks too
    assert not saver.flush(doc)  # and so does leaving
    assert doc.json_path.read_bytes() == theirs


def test_synchronous_saves_hand_conflicts_to_the_handler(qtbot, tmp_path, saver):
    doc = Document.load(_image(tmp_path))
    doc.push(AddShapes(doc, [_tri()]))
    assert saver.save_now(doc)
    _changed_elsewhere(doc.json_path)
    asked = []
    saver.conflict_handler = lambda d, p, blocking: asked.append((d, p, blocking)) or False
    doc.push(AddShapes(doc, [_tri("dog", 5)]))
    assert not saver.save_now(doc)
    assert asked == [(doc, doc.json_path, True)]
    assert [s.label for s in sa.load(doc.json_path).shapes] == ["cat", "horse"]


def test_a_label_file_created_elsewhere_is_not_overwritten(qtbot, tmp_path, saver):
    doc = Document.load(_image(tmp_path))  # no label file yet
    sa.save(sa.Annotation(shapes=[_tri("horse")], image_path="img.png", image_width=64, image_height=48),
            doc.json_path)
    doc.push(AddShapes(doc, [_tri()]))
    assert not saver.save_now(doc)
    assert [s.label for s in sa.load(doc.json_path).shapes] == ["horse"]


def test_a_label_file_deleted_elsewhere_is_written_again(qtbot, tmp_path, saver):
    doc = Document.load(_image(tmp_path))
    doc.push(AddShapes(doc, [_tri()]))
    assert saver.save_now(doc)
    doc.json_path.unlink()
    doc.push(AddShapes(doc, [_tri("dog", 5)]))
    assert saver.save_now(doc)  # nothing on disk to lose
    assert [s.label for s in sa.load(doc.json_path).shapes] == ["cat", "dog"]


def test_queued_saves_compare_with_the_bytes_just_written(qtbot, tmp_path, saver):
    saver.autosave = False  # the saves below are the only ones
    doc = Document.load(_image(tmp_path))
    saver.attach(doc)
    failures = []
    saver.failed.connect(lambda p, m: failures.append(m))
    for k in range(5):  # each queued before the previous one has written
        doc.push(AddShapes(doc, [_tri(f"s{k}", k)]))
        saver.save_async(doc)
    qtbot.waitUntil(lambda: not doc.is_dirty(), timeout=5000)
    assert failures == []
    assert [s.label for s in sa.load(doc.json_path).shapes] == [f"s{k}" for k in range(5)]
    assert doc.disk.digest == sa.file_digest(doc.json_path)
    doc.push(AddShapes(doc, [_tri("last")]))
    assert saver.save_now(doc)


def test_a_change_made_while_the_save_is_writing_is_not_overwritten(qtbot, tmp_path, saver, monkeypatch):
    doc = Document.load(_image(tmp_path))
    doc.push(AddShapes(doc, [_tri()]))
    assert saver.save_now(doc)
    real_fsync = os.fsync
    raced = []

    def other_program_writes_meanwhile(fd):  # while our temp file reaches the disk
        if not raced:
            raced.append(True)
            _changed_elsewhere(doc.json_path)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", other_program_writes_meanwhile)
    doc.push(AddShapes(doc, [_tri("dog", 5)]))
    assert not saver.save_now(doc)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert [s.label for s in sa.load(doc.json_path).shapes] == ["cat", "horse"]
    assert [f.name for f in tmp_path.iterdir() if f.name.endswith(".tmp")] == []


def test_undoing_to_the_saved_state_while_a_save_runs_is_saved_too(qtbot, tmp_path, saver):
    doc = Document.load(_image(tmp_path))
    saver.attach(doc)
    doc.push(AddShapes(doc, [_tri()]))
    qtbot.waitUntil(lambda: not doc.is_dirty() and not saver.pending(), timeout=5000)  # "cat" saved
    doc.push(AddShapes(doc, [_tri("dog", 5)]))
    saver.timer.stop()
    saver.save_async(doc)  # writes cat + dog in the background
    doc.undo_stack.undo()  # back to the saved state before that save is done
    assert doc.is_dirty()  # the disk is about to hold cat + dog, not what is shown
    qtbot.waitUntil(lambda: not doc.is_dirty() and not saver.pending(), timeout=5000)
    assert [s.label for s in sa.load(doc.json_path).shapes] == ["cat"]

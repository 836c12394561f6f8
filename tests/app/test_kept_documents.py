"""KeptDocuments: only saved documents of their own label file are kept, the oldest go first,
and a label file that changed in any byte is never answered with the kept copy."""

from __future__ import annotations

import pytest

from segcore.io import annotation as sa
from segstudio.document import Document
from segstudio.kept_documents import KeptDocuments
from segstudio.undo_commands import AddShapes

from .gui_helpers import make_image, make_labelme, polygon

pytestmark = pytest.mark.gui


def _doc(tmp_path, name: str) -> Document:
    image = make_image(tmp_path / f"{name}.png")
    make_labelme(image, [polygon("cat", [(1, 1), (9, 1), (5, 8)])])
    return Document.load(str(image))


def test_bounded_oldest_first_and_only_clean_own_file(qtbot, tmp_path):
    kept = KeptDocuments(max_documents=2)
    a, b, c = (_doc(tmp_path, n) for n in "abc")
    for d in (a, b, c):
        assert kept.keep(d)
    assert len(kept) == 2 and str(a.image_path) not in kept and str(c.image_path) in kept
    dirty = _doc(tmp_path, "d")
    dirty.push(AddShapes(dirty, [sa.Shape("dog", [(0, 0), (5, 0), (0, 5)])]))
    assert not kept.keep(dirty)
    elsewhere = _doc(tmp_path, "e")
    elsewhere.json_path = tmp_path / "other.json"
    assert not kept.keep(elsewhere)
    assert kept.take(c.image_path) is c and kept.take(c.image_path) is None  # handed over once


def test_a_changed_or_deleted_file_is_not_answered(qtbot, tmp_path):
    kept = KeptDocuments()
    a, b = _doc(tmp_path, "a"), _doc(tmp_path, "b")
    kept.keep(a)
    kept.keep(b)
    text = a.json_path.read_text()
    a.json_path.write_text(text.replace('"cat"', '"cow"'))  # same size, new bytes
    b.json_path.unlink()
    assert kept.take(a.image_path) is None and kept.take(b.image_path) is None
    assert len(kept) == 0


def test_a_file_changed_while_its_image_was_still_open_is_not_answered(qtbot, tmp_path):
    kept = KeptDocuments()
    a = _doc(tmp_path, "a")
    text = a.json_path.read_text()
    a.json_path.write_text(text.replace('"cat"', '"cow"'))  # before the image is left
    assert kept.keep(a)
    assert kept.take(a.image_path) is None

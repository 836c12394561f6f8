"""The session owns the open document and its services; the window observes it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .gui_helpers import make_image, open_window, wait_image

SESSION = Path(__file__).resolve().parents[2] / "segstudio" / "session.py"
MAX_WINDOW_REACHES = 5


def _window_reaches(source: str) -> list[int]:
    """Lines of ``self.w.<anything>`` in ``source``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                and node.value.attr == "w" and isinstance(node.value.value, ast.Name)
                and node.value.value.id == "self"):
            lines.append(node.lineno)
    return lines


def test_the_counter_finds_window_reaches():
    assert _window_reaches("class S:\n    def f(self):\n        self.w.canvas.set_image(None)\n") == [3]


def test_session_does_not_reach_into_the_window():
    reaches = _window_reaches(SESSION.read_text(encoding="utf-8"))
    assert len(reaches) <= MAX_WINDOW_REACHES, f"segstudio/session.py reaches into the window on lines {reaches}"


@pytest.mark.gui
def test_window_document_follows_the_session(qtbot, tmp_path):
    img = make_image(tmp_path / "a.png")
    w = open_window(qtbot, tmp_path)
    assert w.document is None
    w.open_path(img)
    wait_image(qtbot, w, "a.png")
    assert w.document is w.session.document
    assert w.canvas.document is w.session.document and w.saver is w.session.saver
    with pytest.raises(AttributeError):
        w.document = None  # read-only: the session owns it
    w.session.close_document()
    assert w.document is None and w.canvas.document is None

"""File > Open Dir starts in the last folder (never an image's name), and File > Open Recent
lists the last files and folders, across restarts, with missing ones removed and a Clear item."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QFileDialog

from segstudio.recent_files import MAX_RECENT, start_folder, with_recent

from .gui_helpers import make_image, open_window, wait_image

pytestmark = pytest.mark.gui


@pytest.fixture
def folders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b & c"
    make_image(a / "one.png")
    make_image(a / "two.png")
    make_image(b / "three.png")
    return a, b


def entries(w) -> list[str]:
    """What File > Open Recent shows, as the user opens it."""
    w.recent.menu.aboutToShow.emit()
    return [a.data() for a in w.recent.menu.actions() if a.data()]


def pick(w, path) -> None:
    w.recent.menu.aboutToShow.emit()
    [act] = [a for a in w.recent.menu.actions() if a.data() == str(path)]
    act.trigger()


def test_open_dir_starts_in_the_folder_of_the_last_image(qtbot, tmp_path, folders, monkeypatch):
    a, b = folders
    w = open_window(qtbot, tmp_path)
    w.open_path(a / "two.png")
    wait_image(qtbot, w, "two.png")
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda parent, title, start: asked.append(start) or str(b))
    w.actions["open_dir"].trigger()
    assert asked == [str(a)]  # the folder, not the image's file name
    wait_image(qtbot, w, "three.png")
    w.settings.last_path = str(b / "gone" / "x.png")  # its folder was removed since
    w.actions["open_dir"].trigger()
    assert asked[-1] == str(b)


def test_open_recent_lists_files_and_folders_most_recent_first_across_restarts(qtbot, tmp_path, folders):
    a, b = folders
    w = open_window(qtbot, tmp_path)
    assert entries(w) == []
    assert not w.findChild(type(w.actions["open"]), "action_clear_recent").isEnabled()
    w.open_path(a)
    wait_image(qtbot, w, "one.png")
    w.open_path(b / "three.png")
    wait_image(qtbot, w, "three.png")
    w.open_path(a)  # again: moves to the top, listed once
    wait_image(qtbot, w, "one.png")
    assert entries(w) == [str(a), str(b / "three.png")]
    assert "b && c" in w.recent.menu.actions()[1].text()  # shown with its "&", not as a mnemonic
    w.close()
    w = open_window(qtbot, tmp_path)
    assert entries(w) == [str(a), str(b / "three.png")]
    pick(w, b / "three.png")
    wait_image(qtbot, w, "three.png")
    assert entries(w)[0] == str(b / "three.png")


def test_a_missing_recent_entry_is_removed_with_a_message(qtbot, tmp_path, folders):
    a, b = folders
    w = open_window(qtbot, tmp_path)
    w.open_path(b)
    wait_image(qtbot, w, "three.png")
    w.open_path(a)
    wait_image(qtbot, w, "one.png")
    shutil.rmtree(b)
    pick(w, b)
    assert entries(w) == [str(a)]
    assert str(b) in w.statusBar().currentMessage() and "no longer exists" in w.statusBar().currentMessage()
    assert w.document.image_path.name == "one.png"


def test_clear_empties_open_recent(qtbot, tmp_path, folders):
    a, _b = folders
    w = open_window(qtbot, tmp_path)
    w.open_path(a)
    wait_image(qtbot, w, "one.png")
    w.recent.menu.aboutToShow.emit()
    clear = w.findChild(type(w.actions["open"]), "action_clear_recent")
    assert clear.isEnabled()
    clear.trigger()
    assert entries(w) == [] and w.settings.recent_paths == []


@given(st.lists(st.sampled_from([f"/p{i}" for i in range(15)]), max_size=40))
def test_recent_list_keeps_the_last_distinct_paths_most_recent_first(opened):
    paths: list[str] = []
    for p in opened:
        paths = with_recent(paths, p)
    expected = list(dict.fromkeys(reversed(opened)))[:MAX_RECENT]
    assert paths == expected


def test_start_folder(tmp_path):
    image = make_image(tmp_path / "f" / "im.png")
    assert start_folder(str(image)) == str(tmp_path / "f")
    assert start_folder(str(tmp_path / "f")) == str(tmp_path / "f")
    assert start_folder(str(tmp_path / "gone" / "deeper" / "x.png")) == str(tmp_path)
    assert start_folder("") == str(Path.home())

"""Shared fixtures: the ``../shared`` data folder (skipped with a reason where it is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEGSTUDIO_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ``../shared``; skips the calling test when it is not there."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent: the shared datasets live beside the repository (CI has them)")
    return p


@pytest.fixture(autouse=True)
def gui_thread_gc(request):
    """GUI tests run as the application does: garbage is collected in the GUI thread only
    (segstudio.main_thread_gc), so no worker thread frees a window left by an earlier test."""
    if not {"qapp", "qtbot"} & set(request.fixturenames):
        yield None
        return
    from segstudio.main_thread_gc import MainThreadCollector

    collector = MainThreadCollector(request.getfixturevalue("qapp"))
    collector.start()
    try:
        yield collector
    finally:
        collector.stop()  # collects this test's garbage here, in the GUI thread
        collector.deleteLater()


@pytest.fixture
def labelme_example() -> Path:
    """``../shared/datasets/labelme-voc-example`` (data_annotated/, expected_voc/, labels.txt)."""
    return shared_path("datasets", "labelme-voc-example")


@pytest.fixture
def camvid() -> Path:
    """``../shared/datasets/camvid`` (train/, trainannot/, val/, ..., class_names.txt)."""
    return shared_path("datasets", "camvid")

"""Garbage holding Qt widgets is freed in the GUI thread, never by a worker thread."""

from __future__ import annotations

import gc
import threading

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QLabel

from segstudio.main_thread_gc import MainThreadCollector


class _Where(QObject):
    """Records the thread each watched widget is destroyed in."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def destroyed_in(self, *_args) -> None:
        self.threads.append(threading.current_thread().name)


class _Dialog(QDialog):
    """A dialog class of Python's, as the product's windows and dialogs are (PySide hands the
    destruction of a plain QDialog freed in another thread to the GUI thread, not a subclass's)."""


def _garbage_then_allocations_in_a_worker(where: _Where) -> tuple[QLabel, list]:
    """A closed dialog that only a reference cycle keeps (its label, returned, tells when it is
    gone), then a worker thread allocating enough container objects to pass every collection
    threshold. The GUI thread allocates next to nothing in between: only the worker can trigger
    a collection. Returns the label and what the worker allocated (kept)."""
    go, kept = threading.Event(), []

    def allocate() -> None:
        go.wait()
        t0, t1, _t2 = gc.get_threshold()
        kept.extend([i] for i in range(50 * t0 * t1))

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    if gc.isenabled():
        gc.collect()  # nothing older is pending: the worker's first collection finds the dialog
    dialog = _Dialog()
    label = QLabel("x", dialog)
    dialog.itself = dialog  # the cycle
    label.destroyed.connect(where.destroyed_in, Qt.ConnectionType.DirectConnection)
    del dialog
    go.set()
    worker.join()
    return label, kept


def test_a_widget_in_garbage_is_destroyed_by_the_gui_thread_s_timer(qtbot, gui_thread_gc):
    collector = gui_thread_gc
    assert collector.running and not gc.isenabled()
    where = _Where()
    label, _kept = _garbage_then_allocations_in_a_worker(where)
    assert shiboken6.isValid(label), "a worker thread freed the widget"
    assert where.threads == []

    qtbot.waitUntil(lambda: not shiboken6.isValid(label), timeout=3000)  # the next tick collects it
    assert where.threads == [threading.main_thread().name]


def test_without_it_a_worker_thread_frees_the_widget(qtbot, gui_thread_gc):
    """What the collector prevents: the same garbage freed by the thread that allocates."""
    gui_thread_gc.stop()  # collects what is pending, the automatic collector is back
    assert gc.isenabled()
    where = _Where()
    label, _kept = _garbage_then_allocations_in_a_worker(where)
    assert not shiboken6.isValid(label)
    assert where.threads == ["worker"]


def test_stopping_collects_here_and_hands_collection_back(qtbot, gui_thread_gc):
    gui_thread_gc.stop()
    collector = MainThreadCollector()
    collector.start()
    assert not gc.isenabled() and collector.running
    where = _Where()
    dialog = _Dialog()
    label = QLabel("x", dialog)
    dialog.itself = dialog
    label.destroyed.connect(where.destroyed_in, Qt.ConnectionType.DirectConnection)
    del dialog
    collector.stop()
    assert gc.isenabled() and not collector.running
    assert not shiboken6.isValid(label)
    assert where.threads == [threading.main_thread().name]

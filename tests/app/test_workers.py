"""Background jobs: results, errors and progress arrive in the GUI thread; cancel stops a job
at its next check (segcore.progress convention)."""

from __future__ import annotations

import threading
import time

import pytest

from segstudio.workers import active_jobs, run_in_thread

pytestmark = pytest.mark.gui


def test_result_progress_and_partial_arrive_in_gui_thread(qtbot):
    gui = threading.get_ident()
    seen = {"done": None, "progress": [], "partial": [], "threads": set()}

    def work(n, progress, cancel, partial):
        for i in range(n):
            cancel.raise_if_cancelled()
            progress(i + 1, n, f"step {i}")
            partial([i])
        return threading.get_ident()

    def on_progress(d, t, m):
        seen["progress"].append((d, t, m))
        seen["threads"].add(threading.get_ident())

    def on_partial(v):
        seen["partial"].extend(v)
        seen["threads"].add(threading.get_ident())

    job = run_in_thread(work, 3, with_progress=True, on_progress=on_progress, on_partial=on_partial,
                        on_done=lambda r: seen.update(done=r))
    qtbot.waitUntil(lambda: seen["done"] is not None, timeout=5000)
    assert seen["done"] != gui  # ran in a pool thread
    assert seen["threads"] == {gui}  # delivered in the GUI thread
    assert seen["progress"][-1] == (3, 3, "step 2") and seen["partial"] == [0, 1, 2]
    assert job.finished


def test_error_and_cancel(qtbot):
    errors, cancelled, done = [], [], []
    run_in_thread(lambda: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ZeroDivisionError)

    started = threading.Event()

    def slow(progress, cancel):
        started.set()
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.005)

    job = run_in_thread(slow, with_progress=True, on_done=done.append,
                        on_cancelled=lambda: cancelled.append(True))
    assert started.wait(5)
    job.cancel()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert done == [] and job.finished
    qtbot.waitUntil(lambda: active_jobs() == 0, timeout=5000)

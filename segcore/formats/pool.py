"""The process pool the exporters and importers run their per-image jobs in."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from segcore.progress import CancelToken, ProgressCallback, check_cancel, report


def default_workers() -> int:
    """Worker processes to use: every core the process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def run_jobs(fn: Callable[[Any], Any], jobs: Sequence[Any], *, workers: int | None = None,
             progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
             desc: str = "") -> list[Any]:
    """Run ``fn(job)`` for every job (in a process pool when ``workers`` > 1) and return the
    results in job order. Progress after each job; cancel checked between jobs."""
    n = len(jobs)
    workers = default_workers() if workers is None else max(1, int(workers))
    workers = min(workers, max(1, n))
    results: list[Any] = [None] * n
    report(progress, 0, n, desc)
    if workers == 1 or n <= 1:
        for i, job in enumerate(jobs):
            check_cancel(cancel)
            results[i] = fn(job)
            report(progress, i + 1, n, desc)
        return results
    ctx = multiprocessing.get_context(_start_method())
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending: dict[Future, int] = {}
        it = iter(enumerate(jobs))
        window = workers * 4
        done_count = 0
        try:
            for i, job in _take(it, window):
                pending[pool.submit(fn, job)] = i
            while pending:
                check_cancel(cancel)
                finished, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in finished:
                    results[pending.pop(fut)] = fut.result()
                    done_count += 1
                    report(progress, done_count, n, desc)
                for i, job in _take(it, window - len(pending)):
                    pending[pool.submit(fn, job)] = i
        except BaseException:
            for fut in pending:
                fut.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def _start_method() -> str:
    """``fork`` (fast start) from a single-threaded process on Linux; ``spawn`` otherwise,
    e.g. from the GUI's worker thread, where forking a multi-threaded process is unsafe."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _take(it: Iterable, k: int) -> list:
    out = []
    for _ in range(max(0, k)):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out

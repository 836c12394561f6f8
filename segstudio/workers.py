"""Run segcore calls off the GUI thread: QThreadPool jobs with progress, cancel and results.

``run_in_thread(fn, *args, on_done=..., on_error=..., on_progress=...)`` runs ``fn`` in the
global pool and delivers its result, exception or progress to the callbacks *in the GUI
thread* (queued signals through a relay QObject that lives there). When ``fn`` accepts
``progress=`` / ``cancel=`` keywords (the :mod:`segcore.progress` convention) pass
``with_progress=True`` and they are supplied. With ``on_partial`` the function gets a
``partial(value)`` keyword to hand intermediate results (batches) to the GUI thread.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from segcore.progress import Cancelled, CancelToken

_ACTIVE: set[Job] = set()


class _Relay(QObject):
    """Lives in the GUI thread; its signals cross from the worker thread as queued calls."""

    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)
    partial = Signal(object)

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.done.connect(self._on_done)
        self.failed.connect(self._on_failed)
        self.progressed.connect(self._on_progress)
        self.partial.connect(self._on_partial)

    @Slot(object)
    def _on_done(self, result: object) -> None:
        job = self.job
        try:
            if job.on_done is not None and not job.token.cancelled:
                job.on_done(result)
        finally:
            job.finished = True
            _ACTIVE.discard(job)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        job = self.job
        try:
            if isinstance(exc, Cancelled):
                if job.on_cancelled is not None:
                    job.on_cancelled()
            elif job.on_error is not None:
                job.on_error(exc)
            else:
                print("".join(traceback.format_exception(exc)))  # noqa: T201 - last resort
        finally:
            job.finished = True
            _ACTIVE.discard(job)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if self.job.on_progress is not None and not self.job.token.cancelled:
            self.job.on_progress(done, total, message)


    @Slot(object)
    def _on_partial(self, value: object) -> None:
        if self.job.on_partial is not None and not self.job.token.cancelled:
            self.job.on_partial(value)


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        job = self.job
        relay = job.relay
        try:
            job.token.raise_if_cancelled()
            kwargs = dict(job.kwargs)
            if job.with_progress:
                kwargs["progress"] = lambda d, t, m="": relay.progressed.emit(int(d), int(t), str(m))
                kwargs["cancel"] = job.token
            if job.on_partial is not None:
                kwargs["partial"] = relay.partial.emit
            result = job.fn(*job.args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - delivered to on_error in the GUI thread
            outcome, signal = exc, relay.failed
        else:
            outcome, signal = result, relay.done
        try:
            signal.emit(outcome)
        except RuntimeError:  # the relay is gone (the application is quitting): nobody to tell
            pass


class Job:
    """A handle on one background call: ``cancel()``, ``token``, ``finished``."""

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict, *,
                 on_done: Callable[[Any], None] | None, on_error: Callable[[BaseException], None] | None,
                 on_progress: Callable[[int, int, str], None] | None,
                 on_cancelled: Callable[[], None] | None, with_progress: bool,
                 on_partial: Callable[[Any], None] | None = None) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.on_done, self.on_error, self.on_progress = on_done, on_error, on_progress
        self.on_cancelled = on_cancelled
        self.on_partial = on_partial
        self.with_progress = with_progress
        self.token = CancelToken()
        self.finished = False
        self.relay = _Relay(self)

    def cancel(self) -> None:
        """Ask the job to stop; ``on_done`` will not be called after this."""
        self.token.cancel()


def run_in_thread(fn: Callable[..., Any], *args: Any,
                  on_done: Callable[[Any], None] | None = None,
                  on_error: Callable[[BaseException], None] | None = None,
                  on_progress: Callable[[int, int, str], None] | None = None,
                  on_cancelled: Callable[[], None] | None = None,
                  on_partial: Callable[[Any], None] | None = None,
                  with_progress: bool = False,
                  pool: QThreadPool | None = None,
                  **kwargs: Any) -> Job:
    """Run ``fn(*args, **kwargs)`` in a pool thread; callbacks run in the GUI thread."""
    job = Job(fn, args, kwargs, on_done=on_done, on_error=on_error, on_progress=on_progress,
              on_cancelled=on_cancelled, with_progress=with_progress, on_partial=on_partial)
    _ACTIVE.add(job)
    (pool or QThreadPool.globalInstance()).start(_Runnable(job))
    return job


def active_jobs() -> int:
    """How many jobs have not delivered their result yet."""
    return len(_ACTIVE)

"""Progress reporting and cancellation shared by every long-running segcore function.

Convention: a long function takes ``progress: ProgressCallback | None = None`` and
``cancel: CancelToken | None = None``. It calls ``progress(done, total, message)`` as it goes
(``total`` may be 0 when unknown) and ``cancel.raise_if_cancelled()`` between units of work.
The GUI passes a callback that emits a Qt signal and a token its Cancel button sets; the CLI
passes :func:`cli_progress`.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, message)``; ``total == 0`` means unknown."""


class Cancelled(Exception):
    """Raised by :meth:`CancelToken.raise_if_cancelled` once the token is cancelled."""

    def __init__(self, message: str = "cancelled by the user"):
        super().__init__(message)


class CancelToken:
    """A thread-safe flag a user interface sets to ask a running job to stop."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` when the token was cancelled."""
        if self._event.is_set():
            raise Cancelled()


def check_cancel(cancel: CancelToken | None) -> None:
    """``cancel.raise_if_cancelled()`` that accepts ``None``."""
    if cancel is not None:
        cancel.raise_if_cancelled()


def report(progress: ProgressCallback | None, done: int, total: int, message: str = "") -> None:
    """Call ``progress`` when it is not ``None``."""
    if progress is not None:
        progress(done, total, message)


class TextProgress:
    """A simple text progress bar on a stream (stderr by default); usable as a ProgressCallback.

    Redraws at most every ``min_interval`` seconds (always on the last step), with ``\\r`` on a
    terminal and one line per update (rate-limited) when the stream is not a terminal.
    """

    def __init__(self, total: int = 0, desc: str = "", *, stream: TextIO | None = None,
                 width: int = 30, min_interval: float = 0.2):
        self.total = total
        self.desc = desc
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.min_interval = min_interval
        self._last = 0.0
        self._start = time.monotonic()
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._drawn = False

    def __call__(self, done: int, total: int, message: str = "") -> None:
        total = total or self.total
        now = time.monotonic()
        final = total > 0 and done >= total
        if not final and now - self._last < self.min_interval:
            return
        self._last = now
        elapsed = max(now - self._start, 1e-9)
        if total > 0:
            frac = min(max(done / total, 0.0), 1.0)
            fill = int(round(frac * self.width))
            bar = "#" * fill + "-" * (self.width - fill)
            text = f"{self.desc} [{bar}] {done}/{total} ({done / elapsed:.1f}/s)"
        else:
            text = f"{self.desc} {done} ({done / elapsed:.1f}/s)"
        if message:
            text += f" {message}"
        if self._tty:
            self.stream.write("\r" + text[:200].ljust(80))
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line on a terminal."""
        if self._tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def cli_progress(total: int = 0, desc: str = "", *, stream: TextIO | None = None) -> TextProgress:
    """A :class:`TextProgress` printing to stderr: pass it as ``progress=``."""
    return TextProgress(total, desc, stream=stream)

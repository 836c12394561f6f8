"""Python's cyclic garbage collector, run in the GUI thread only.

A collection frees every unreachable reference cycle in the thread that happens to trigger it,
and any thread allocating objects can trigger one. A cycle holding a Qt widget (a closed dialog
whose slot refers back to it, a window a test let go) freed by a worker thread, say a tracing
or save thread, has its widget destroyed there. That edits Qt's set of widgets while the GUI
thread may be reading it: a crash, or a dead-lock. So the automatic collector is switched off
and a timer in the GUI thread runs the collections the thresholds call for.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


class MainThreadCollector(QObject):
    """Runs Python's cyclic garbage collector from a GUI-thread timer while it is installed."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._running = False

    @property
    def running(self) -> bool:
        """Whether automatic collection is off and this object's timer does it instead."""
        return self._running

    def start(self) -> None:
        """Switch the automatic collector off; collect from the timer from now on."""
        gc.disable()
        self._running = True
        self._timer.start()

    def stop(self) -> None:
        """Collect everything now, in this thread, and hand collection back to Python."""
        self._timer.stop()
        if self._running:
            self._running = False
            gc.collect()
            gc.enable()

    def collect_due(self) -> int:
        """The collection Python would have run by now (none when under the thresholds); the
        number of objects it freed."""
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = gc.get_threshold()
        if c0 <= t0:
            return 0
        generation = 2 if c2 > t2 else 1 if c1 > t1 else 0
        return gc.collect(generation)


def install(app: QObject) -> MainThreadCollector:
    """Collect garbage in ``app``'s thread (the GUI thread) until the application quits; the
    collector already installed there, if any."""
    running = [c for c in app.findChildren(MainThreadCollector) if c.running]
    if running:
        return running[0]
    collector = MainThreadCollector(app)
    collector.start()
    if hasattr(app, "aboutToQuit"):
        app.aboutToQuit.connect(collector.stop)
    return collector

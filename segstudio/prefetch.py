"""Image decoding off the GUI thread, with a small cache and prefetch of the neighbours.

``ImageCache.request(path, callback)`` calls ``callback(path, rgb, full_size)`` in the GUI
thread as soon as the decode is ready (at once when cached); ``prefetch(paths)`` decodes the
next/previous images in the background so D/A show them without waiting. A cached decode is
used only while its file keeps the size and time it had when decoded: an image replaced by
another program is decoded again.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QThreadPool

from segcore.io import annotation as sa
from segcore.io.imageio import Stamp, file_stamp
from segstudio.workers import Job, run_in_thread

Decoded = tuple[np.ndarray, tuple[int, int]]
Callback = Callable[[str, np.ndarray, tuple[int, int]], None]
ErrorCallback = Callable[[str, BaseException], None]


def _decode(path: str) -> Decoded:
    from segstudio.canvas.image_layer import read_for_display

    return read_for_display(path)


class ImageCache(QObject):
    """LRU of decoded images (bounded by bytes) fed by a 2-thread pool."""

    def __init__(self, parent: QObject | None = None, *, max_bytes: int = 512 * 1024 * 1024,
                 decode: Callable[[str], Decoded] = _decode) -> None:
        super().__init__(parent)
        self.max_bytes = max_bytes
        self.decode = decode
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._cache: OrderedDict[str, Decoded] = OrderedDict()
        self._bytes = 0
        self._stamps: dict[str, Stamp | None] = {}  # per path: the file stamp of its last decode
        self._jobs: dict[str, Job] = {}
        self._waiting: dict[str, list[tuple[Callback, ErrorCallback | None]]] = {}

    def get(self, path: str | os.PathLike) -> Decoded | None:
        """The cached decode of ``path``; None when there is none or the file changed since."""
        key = os.fspath(path)
        hit = self._cache.get(key)
        if hit is None:
            return None
        if file_stamp(key) != self._stamps.get(key):
            self.forget(key)
            return None
        self._cache.move_to_end(key)
        return hit

    def stamp(self, path: str | os.PathLike) -> Stamp | None:
        """The file's time and size when the last decode of ``path`` was read (None
        before any): what identifies the pixels shown, for caches derived from them."""
        return self._stamps.get(os.fspath(path))

    def request(self, path: str | os.PathLike, callback: Callback, on_error: ErrorCallback | None = None) -> bool:
        """Deliver the decode of ``path`` to ``callback``: now when cached (True), else when
        decoded (False)."""
        key = os.fspath(path)
        hit = self.get(key)
        if hit is not None:
            callback(key, hit[0], hit[1])
            return True
        self._waiting.setdefault(key, []).append((callback, on_error))
        self._start(key)
        return False

    def prefetch(self, paths: list[str]) -> None:
        """Decode these in the background (cancels prefetches no longer wanted)."""
        wanted = {os.fspath(p) for p in paths}
        for key, job in list(self._jobs.items()):
            if key not in wanted and key not in self._waiting:
                job.cancel()
                del self._jobs[key]
        for p in wanted:
            if self.get(p) is None:
                self._start(p)

    def forget(self, path: str | os.PathLike) -> None:
        """Drop ``path`` from the cache (the file changed)."""
        item = self._cache.pop(os.fspath(path), None)
        if item is not None:
            self._bytes -= item[0].nbytes

    def _start(self, key: str) -> None:
        if key in self._jobs:
            return
        self._jobs[key] = run_in_thread(
            self._decode_stamped, key, pool=self.pool,
            on_done=lambda result, k=key: self._done(k, *result),
            on_error=lambda exc, k=key: self._failed(k, exc),
        )

    def _decode_stamped(self, key: str) -> tuple[Decoded, Stamp | None]:
        """Runs in a worker: the decode and the file's stamp taken before it (a file written
        meanwhile then reads as changed at the next look)."""
        stamp = file_stamp(key)
        return self.decode(key), stamp

    def _done(self, key: str, result: Decoded, stamp: Stamp | None) -> None:
        self._jobs.pop(key, None)
        self.forget(key)
        self._stamps[key] = stamp
        rgb, size = result
        if rgb.nbytes <= self.max_bytes:
            self._cache[key] = result
            self._bytes += rgb.nbytes
            while self._bytes > self.max_bytes and len(self._cache) > 1:
                _, (old, _s) = self._cache.popitem(last=False)
                self._bytes -= old.nbytes
        for cb, _err in self._waiting.pop(key, []):
            cb(key, rgb, size)

    def _failed(self, key: str, exc: BaseException) -> None:
        self._jobs.pop(key, None)
        for _cb, err in self._waiting.pop(key, []):
            if err is not None:
                err(key, exc)


def _unchanged(path: str, digest: bytes) -> bool:
    try:
        return sa.file_digest(path) == digest
    except OSError:
        return False


class AnnotationCache(QObject):
    """Label files of the neighbouring images parsed in the background (a 2,000-polygon file
    takes a few hundred ms to parse). ``take(path)`` hands a parsed annotation over only when
    the file still holds the bytes that were parsed (compared by digest: an edit that kept the
    file's size and time, as ``cp -p`` makes, is seen), else None: the caller reads it itself."""

    def __init__(self, parent: QObject | None = None, *, max_entries: int = 4) -> None:
        super().__init__(parent)
        self.max_entries = max_entries
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._cache: OrderedDict[str, tuple[sa.Annotation, bytes]] = OrderedDict()
        self._jobs: dict[str, Job] = {}

    def prefetch(self, paths: list[str]) -> None:
        """Parse these label files in the background (those that exist)."""
        for p in (os.fspath(x) for x in paths):
            if p in self._cache or p in self._jobs or not os.path.exists(p):
                continue
            self._jobs[p] = run_in_thread(sa.load_with_digest, p, pool=self.pool,
                                          on_done=lambda r, k=p: self._done(k, r),
                                          on_error=lambda _e, k=p: self._jobs.pop(k, None))

    def _done(self, key: str, result: tuple) -> None:
        self._jobs.pop(key, None)
        self._cache[key] = result
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)

    def holds(self, path: str | os.PathLike) -> bool:
        """True when ``path`` has been parsed and not yet taken."""
        return os.fspath(path) in self._cache

    def take(self, path: str | os.PathLike) -> tuple[sa.Annotation, bytes] | None:
        """``(annotation, digest of the bytes parsed)`` of ``path`` if prefetched and still what
        the file holds, else None."""
        key = os.fspath(path)
        entry = self._cache.pop(key, None)
        if entry is None:
            return None
        return entry if _unchanged(key, entry[1]) else None

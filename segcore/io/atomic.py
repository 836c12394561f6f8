"""Atomic file writes: a temp file in the same folder, fsync, rename (never a half-written file).

Temp files are named ``.<target name>.<pid>-<host>-<random>.tmp``. A writer killed between
creating its temp file and the rename leaves one behind; the next save into that folder removes
every such file whose writer process is gone (same host, pid no longer running), so killed saves
do not pile up full-size hidden copies. A temp file of a live writer is never touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_TEMP_RE = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)-(?P<host>[0-9a-f]{6})-[A-Za-z0-9_]+\.tmp$")
_LEGACY_AGE_S = 60.0
"""Temp files of the older naming (no pid) are removed once this old, for the same target."""
_RESCAN_S = 60.0
"""A folder is searched for stale temp files at most this often per process (a training cache
written thousands of times must not be listed at every write)."""
_last_scan: dict[str, float] = {}


def host_tag() -> str:
    """A short tag of this machine's name for temp file names (a pid means nothing elsewhere)."""
    return hashlib.blake2b(socket.gethostname().encode(), digest_size=3).hexdigest()


def temp_prefix(target: Path) -> str:
    """The name prefix of this process's temp files for ``target`` (``mkstemp`` adds the rest)."""
    return f".{target.name}.{os.getpid()}-{host_tag()}-"


def pid_running(pid: int) -> bool:
    """Whether a process with this id exists on this machine (one of another user counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True  # cannot tell: treat as alive
    return True


def remove_stale_temps(folder: str | os.PathLike, target_name: str | None = None) -> list[Path]:
    """Remove temp files our writers left in ``folder`` when they were killed: those named by
    :func:`temp_prefix` whose process (on this host) is gone, and, for ``target_name``, older
    unnamed-writer temps (``.<target>.<random>.tmp``) over a minute old. Returns what was
    removed; errors are ignored (cleanup never makes a save fail)."""
    removed: list[Path] = []
    host = host_tag()
    legacy = (re.compile(rf"^\.{re.escape(target_name)}\.[A-Za-z0-9_]{{8}}\.tmp$") if target_name else None)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith(".") or not name.endswith(".tmp"):
            continue
        m = _TEMP_RE.match(name)
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if m is not None:
                if m["host"] != host or pid_running(int(m["pid"])):
                    continue
            elif legacy is None or not legacy.match(name) or now - entry.stat().st_mtime < _LEGACY_AGE_S:
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *,
                       before_replace: Callable[[], None] | None = None) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same folder, fsync, rename.
    ``before_replace`` runs just before the rename; what it raises cancels the write.

    A symlink is followed (its target is replaced, the link kept). A read-only existing file
    raises :class:`PermissionError` rather than being replaced. On any failure the previous
    file (if any) is left untouched and the temp file removed. Temp files of killed earlier
    writers in that folder are removed first (:func:`remove_stale_temps`, at most once a
    minute per folder).
    """
    p = Path(os.path.realpath(path))
    if p.exists() and not os.access(p, os.W_OK):
        raise PermissionError(13, "the file is read-only", str(p))
    now = time.monotonic()
    if now - _last_scan.get(str(p.parent), -_RESCAN_S) >= _RESCAN_S:
        _last_scan[str(p.parent)] = now
        remove_stale_temps(p.parent, p.name)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(p), suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if p.exists():
            try:
                os.chmod(tmp, p.stat().st_mode & 0o7777)
            except OSError:
                pass
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(p.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass

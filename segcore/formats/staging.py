"""An export replaces an earlier one only once it is complete.

The exporters write into a hidden temporary folder next to the output folder (same file
system): ``.<out name>.segcore-export-<pid>-<host>-<random>``. When every file is written,
:func:`commit` moves it into place: a new output folder is the temporary folder renamed; in an
existing one, each top-level entry the export wrote (``JPEGImages/``, ``annotations/``,
``class_names.txt``...) is swapped in by renames (the earlier entry is set aside, the new one
renamed in, then the earlier one deleted), so files in the output folder that the export does
not write are kept. A failure at any point before that leaves the output folder as it was and
removes the temporary folder (:func:`discard`); a failed swap is rolled back. Temporary
folders of killed exports are removed by the next export next to them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from segcore.io.atomic import host_tag, pid_running

MARK = ".segcore-export-"
_STAGING_RE = re.compile(r"^\..+\.segcore-export-(?P<pid>\d+)-(?P<host>[0-9a-f]{6})-[A-Za-z0-9_]+$")
_OLD = ".replaced"


@dataclass
class Staging:
    """A temporary export folder ``path`` for the output folder ``out``. ``created``: the
    outermost folder above ``out`` that did not exist before (removed again on failure)."""

    out: Path
    path: Path
    created: Path | None = None


def remove_stale(parent: Path) -> list[Path]:
    """Remove temporary export folders in ``parent`` whose export process (on this host) is
    gone; returns them. Errors are ignored."""
    removed = []
    host = host_tag()
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        m = _STAGING_RE.match(entry.name)
        if m is None or m["host"] != host or pid_running(int(m["pid"])):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def begin(out: Path) -> Staging:
    """Create the temporary folder for an export to ``out`` (and the folders above ``out``
    that are missing). Raises :class:`OSError` when that is not possible."""
    out = Path(os.path.realpath(out))  # a linked output folder: work beside its target (one file system)
    created = None
    for up in [out.parent, *out.parent.parents]:
        if up.exists():
            break
        created = up
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out.parent)
    path = tempfile.mkdtemp(prefix=f".{out.name}{MARK}{os.getpid()}-{host_tag()}-", dir=out.parent)
    return Staging(out, Path(path), created)


def discard(staging: Staging) -> None:
    """Remove the temporary folder (and the folders :func:`begin` created above ``out``, when
    empty). Never touches ``out``."""
    shutil.rmtree(staging.path, ignore_errors=True)
    if staging.created is not None and not staging.out.exists():
        up = staging.out.parent
        while True:
            try:
                up.rmdir()
            except OSError:
                break
            if up == staging.created:
                break
            up = up.parent


def commit(staging: Staging) -> None:
    """Put the finished export in place (see the module docstring). On failure the output
    folder is restored to what it held and :class:`OSError` is raised; the temporary folder
    is removed either way."""
    out, tmp = staging.out, staging.path
    if not out.exists():
        try:
            os.rename(tmp, out)
            return
        except OSError:
            if not out.is_dir():  # not a race with another export creating it: give up
                discard(staging)
                raise
    aside = tmp / _OLD
    aside.mkdir()
    swapped: list[tuple[str, bool]] = []  # (entry name, whether an earlier one was set aside)
    try:
        for name in sorted(os.listdir(tmp)):
            if name == _OLD:
                continue
            had = os.path.lexists(out / name)
            if had:
                os.rename(out / name, aside / name)
            swapped.append((name, had))
            os.rename(tmp / name, out / name)
    except OSError:
        _roll_back(out, tmp, aside, swapped)
        discard(staging)
        raise
    discard(staging)


def _roll_back(out: Path, tmp: Path, aside: Path, swapped: list[tuple[str, bool]]) -> None:
    """Undo the renames of a failed :func:`commit`, last first."""
    for name, had in reversed(swapped):
        try:
            if os.path.lexists(tmp / name):  # the new entry never moved in
                pass
            else:
                os.rename(out / name, tmp / name)
            if had:
                os.rename(aside / name, out / name)
        except OSError:
            continue

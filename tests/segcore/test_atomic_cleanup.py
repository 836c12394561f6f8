"""Killed saves leave hidden temp files; the next save into that folder removes those of dead
writers, never one a live writer is still filling, and nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from segcore.io.annotation import Annotation, Shape, save
from segcore.io.atomic import atomic_write_bytes, host_tag


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _temp(folder, target: str, pid: int, tag: str = "abcd1234", size: int = 1000):
    p = folder / f".{target}.{pid}-{host_tag()}-{tag}.tmp"
    p.write_bytes(b"x" * size)
    return p


def test_a_save_removes_temp_files_of_killed_writers_only(tmp_path):
    dead = _dead_pid()
    stale = [_temp(tmp_path, "a.json", dead, "k1lled01"), _temp(tmp_path, "b.json", dead, "k1lled02")]
    live = _temp(tmp_path, "a.json", os.getpid(), "live0001")
    other_host = tmp_path / f".a.json.{dead}-000000-zz999999.tmp"
    other_host.write_bytes(b"y")
    unrelated = [tmp_path / ".a.json.tmp", tmp_path / "notes.tmp", tmp_path / ".hidden", tmp_path / "a.png"]
    for u in unrelated:
        u.write_bytes(b"mine")

    save(Annotation(shapes=[Shape("cat", [(1.0, 1.0), (5.0, 1.0), (3.0, 4.0)])], image_path="a.png",
                    image_width=8, image_height=8), tmp_path / "a.json")

    assert not any(p.exists() for p in stale)
    assert live.exists() and other_host.exists()
    assert all(u.read_bytes() == b"mine" for u in unrelated)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["a.json", live.name, other_host.name] + [u.name for u in unrelated])


def test_old_style_temps_of_the_same_target_go_once_a_minute_old(tmp_path):
    old = tmp_path / ".c.json.ab12cd34.tmp"
    fresh = tmp_path / ".c.json.ef56gh78.tmp"
    other = tmp_path / ".d.json.ab12cd34.tmp"
    for p in (old, fresh, other):
        p.write_bytes(b"z")
    past = time.time() - 3600
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    atomic_write_bytes(tmp_path / "c.json", b"{}")
    assert not old.exists() and fresh.exists() and other.exists()
    assert (tmp_path / "c.json").read_bytes() == b"{}"


def test_killed_writer_leaves_a_temp_that_the_next_save_removes(tmp_path):
    """A real writer process killed after creating its temp file (before the rename)."""
    target = tmp_path / "e.json"
    code = (
        "import os, sys, tempfile, segcore.io.atomic as a\n"
        "from pathlib import Path\n"
        f"p = Path({str(target)!r})\n"
        "fd, tmp = tempfile.mkstemp(prefix=a.temp_prefix(p), suffix='.tmp', dir=p.parent)\n"
        "os.write(fd, b'x' * 100000)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    left = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1
    atomic_write_bytes(target, b"{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.json"]

"""An export replaces an earlier one only once it is complete: a full disk (simulated by the
one function every export file goes through) ends with exit 1, says how many images were
written, and leaves the output folder byte for byte as it was."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from segcore.cli import main
from segcore.formats import files
from segcore.io.annotation import Shape
from segcore.io.atomic import host_tag
from tests.segcore.export_fixtures import write_labelme

TRI = [Shape("cat", [(2.0, 2.0), (20.0, 2.0), (10.0, 15.0)]),
       Shape("dog", [(30.0, 20.0), (60.0, 40.0)], shape_type="rectangle")]


def _folder(root: Path, n: int = 12) -> Path:
    for i in range(n):
        write_labelme(root, f"im{i:02d}", TRI, seed=i)
    return root


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _disk_fills_after(monkeypatch, n_files: int) -> list[Path]:
    """Make the export's file writer raise ENOSPC once ``n_files`` files were written."""
    real = files.write_file
    written: list[Path] = []

    def write(path, data):
        if len(written) >= n_files:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)
        written.append(Path(path))

    monkeypatch.setattr(files, "write_file", write)
    return written


def _export(fmt: str, src: Path, out: Path, *extra: str) -> int:
    return main(["export", str(src), "--format", fmt, "--out", str(out), "--quiet", "--workers", "1", *extra])


@pytest.mark.parametrize("fmt", ["voc", "coco"])
def test_full_disk_on_a_new_export_exits_1_and_leaves_nothing(fmt, monkeypatch, tmp_path, capsys):
    src = _folder(tmp_path / "data")
    out = tmp_path / "exports" / "new"
    _disk_fills_after(monkeypatch, 3 if fmt == "voc" else 1)  # VOC: 3 files an image, COCO: 1
    assert _export(fmt, src, out) == 1
    err = capsys.readouterr().err
    assert "after 1 of 12 images" in err and "No space left on device" in err
    assert "nothing was written" in err and str(out) in err
    assert not out.exists() and not (tmp_path / "exports").exists()  # the folders it made are gone too


@pytest.mark.parametrize("fmt", ["voc", "coco"])
@pytest.mark.parametrize("phase", ["first file", "fifth file", "after the images"])
def test_full_disk_never_replaces_a_complete_earlier_export(fmt, phase, monkeypatch, tmp_path, capsys):
    src = _folder(tmp_path / "data")
    out = tmp_path / "out"
    assert _export(fmt, src, out) == 0
    (out / "notes.txt").write_text("mine")
    before = _tree(out)
    capsys.readouterr()
    per_image = 3 if fmt == "voc" else 1
    fail_after = {"first file": 0, "fifth file": 4, "after the images": 12 * per_image}[phase]
    _disk_fills_after(monkeypatch, fail_after)  # last case: the lists / COCO JSON cannot be written
    assert _export(fmt, src, out, "--overwrite") == 1
    err = capsys.readouterr().err
    done = fail_after // per_image
    assert f"after {done} of 12 images" in err and "still holds the earlier export" in err
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]  # no temporary folder left


@pytest.mark.parametrize("fmt", ["voc", "coco"])
def test_overwrite_replaces_the_export_whole_and_keeps_other_files(fmt, tmp_path, capsys):
    src = _folder(tmp_path / "data", n=4)
    out = tmp_path / "out"
    assert _export(fmt, src, out) == 0
    (out / "notes.txt").write_text("mine")
    for p in src.glob("im03.*"):
        p.unlink()
    assert _export(fmt, src, out, "--overwrite") == 0
    images = out / ("JPEGImages" if fmt == "voc" else "images")
    assert sorted(p.name for p in images.iterdir()) == ["im00.jpg", "im01.jpg", "im02.jpg"]
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]
    assert str(out) in capsys.readouterr().out


def test_a_failed_swap_is_rolled_back(monkeypatch, tmp_path, capsys):
    src = _folder(tmp_path / "data", n=3)
    out = tmp_path / "out"
    assert _export("voc", src, out) == 0
    before = _tree(out)
    real_rename = os.rename
    moved_in: list[str] = []

    def rename(a, b):
        if Path(b).parent == out:
            moved_in.append(Path(b).name)
            if len(moved_in) == 3:  # the third entry cannot be moved in
                raise OSError(errno.EIO, os.strerror(errno.EIO), str(b))
        return real_rename(a, b)

    monkeypatch.setattr(os, "rename", rename)
    assert _export("voc", src, out, "--overwrite") == 1
    assert "still holds the earlier export" in capsys.readouterr().err
    monkeypatch.setattr(os, "rename", real_rename)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_temporary_folders_of_killed_exports_are_removed_by_the_next_one(tmp_path, capsys):
    src = _folder(tmp_path / "data", n=2)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    dead = tmp_path / f".out.segcore-export-{proc.pid}-{host_tag()}-abc123"
    live = tmp_path / f".out.segcore-export-{os.getpid()}-{host_tag()}-def456"
    mine = tmp_path / ".out.segcore-export-notes"
    for d in (dead, live, mine):
        (d / "JPEGImages").mkdir(parents=True)
        (d / "JPEGImages" / "x.jpg").write_bytes(b"x" * 1000)
    assert _export("voc", src, tmp_path / "out") == 0
    assert not dead.exists() and live.exists() and mine.exists()


def test_full_disk_in_worker_processes_leaves_the_earlier_export(monkeypatch, tmp_path, capsys):
    """The same with a process pool: a worker's failed write stops the export."""
    src = _folder(tmp_path / "data", n=6)
    out = tmp_path / "out"
    assert _export("coco", src, out) == 0
    before = _tree(out)
    from segcore.formats import pool

    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs forked workers to share the simulated full disk")
    monkeypatch.setattr(pool, "_start_method", lambda: "fork")
    _disk_fills_after(monkeypatch, 0)  # the workers are forked with the full disk
    rc = main(["export", str(src), "--format", "coco", "--out", str(out), "--quiet", "--workers", "2", "--overwrite"])
    assert rc == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "still holds the earlier export" in err
    assert "after 0 of 6 images" in err  # the first worker write failed (forked workers share the full disk)
    assert _tree(out) == before


def test_an_output_folder_that_is_a_link_is_replaced_through_it(tmp_path, capsys):
    src = _folder(tmp_path / "data", n=2)
    real = tmp_path / "disk" / "exports"
    real.mkdir(parents=True)
    link = tmp_path / "out"
    link.symlink_to(real, target_is_directory=True)
    assert _export("voc", src, link) == 0
    assert _export("voc", src, link, "--overwrite") == 0
    assert link.is_symlink() and sorted(p.name for p in (real / "JPEGImages").iterdir()) == ["im00.jpg", "im01.jpg"]
    assert sorted(p.name for p in (tmp_path / "disk").iterdir()) == ["exports"]

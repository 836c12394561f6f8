"""Packaging: the resources ship inside the package and are read through importlib.resources, the
wheel carries them with the licence and both commands, and the GUI starts from the unpacked wheel
outside the source tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_config_is_read_from_the_package_resources():
    from segstudio.config import load_config

    shipped = resources.files("segstudio") / "resources" / "default_config.json"
    assert shipped.is_file()
    assert load_config() == json.loads(shipped.read_text(encoding="utf-8"))


def test_no_resources_outside_the_package():
    assert not (ROOT / "resources").exists()


def test_every_resource_file_is_package_data():
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["segstudio"]
    files = [p.relative_to(ROOT / "segstudio").as_posix() for p in (ROOT / "segstudio" / "resources").rglob("*")
             if p.is_file() and p.suffix not in (".py", ".ts")  # .ts: translation sources, not read at run time
             and "__pycache__" not in p.parts]
    assert files
    assert [f for f in files if not any(fnmatch(f, pat) for pat in patterns)] == []


def test_commands_and_licence_are_declared():
    project = PYPROJECT["project"]
    assert project["gui-scripts"]["segstudio"] == "segstudio.main:main"
    assert project["scripts"]["segcore"] == "segcore.cli:main"
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built offline with the environment's setuptools."""
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    for package in ("segstudio", "segcore"):  # a copy: the build leaves nothing in the source tree
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out)], check=True, cwd=out, timeout=300)
    (whl,) = out.glob("segstudio-*.whl")
    return whl


@pytest.mark.slow
def test_wheel_carries_resources_licence_and_commands(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert "segstudio/resources/default_config.json" in names
        info = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_points = z.read(info).decode()
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "[gui_scripts]\nsegstudio = segstudio.main:main" in entry_points
    assert "[console_scripts]\nsegcore = segcore.cli:main" in entry_points
    assert "License-Expression: MIT" in metadata
    assert any(n.endswith("licenses/LICENSE") for n in names)


@pytest.mark.slow
@pytest.mark.gui
def test_gui_starts_from_the_unpacked_wheel(wheel, tmp_path):
    """Outside the source tree, the code and resources come from the wheel alone."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    run = tmp_path / "run"
    run.mkdir()
    code = ("import sys, segstudio; assert segstudio.__file__.startswith(sys.argv[1]), segstudio.__file__; "
            "from segstudio.main import main; sys.exit(main(['--smoke-test']))")
    env = dict(os.environ, PYTHONPATH=str(site), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code, str(site)], cwd=run, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "smoke test passed" in done.stdout

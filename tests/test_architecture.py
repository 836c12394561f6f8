"""House rule 1: ``segcore`` never imports Qt (or anything that pulls Qt in) nor ``app``.

Checked twice: statically, by parsing every module's source (imports anywhere in the file,
including inside functions, and ``importlib.import_module("...")``/``__import__("...")`` with a
literal name); and dynamically, by importing every segcore module in a fresh interpreter and
looking at ``sys.modules``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEGCORE = REPO / "segcore"
FORBIDDEN = ("segstudio", "PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "qtpy",
             "pyqtgraph", "pytestqt")


def segcore_files() -> list[Path]:
    return sorted(p for p in SEGCORE.rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every absolute module name a source file imports, with its line number."""
    out: list[tuple[int, str]] = []
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.append((node.lineno, name))
        elif isinstance(node, ast.Call):
            fn = node.func
            called = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if called in ("import_module", "__import__") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    out.append((node.lineno, arg.value))
    return out


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    bad = []
    for line, name in imported_names(source, module, is_package):
        if name.split(".")[0] in FORBIDDEN:
            bad.append(f"{module}:{line} imports {name}")
    return bad


def test_segcore_exists_and_has_modules() -> None:
    assert len(segcore_files()) >= 5


def test_no_forbidden_imports_in_source() -> None:
    bad = []
    for path in segcore_files():
        bad += violations(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
    assert not bad, "segcore must not import Qt or app:\n" + "\n".join(bad)


def test_checker_catches_violations() -> None:
    src = textwrap.dedent(
        """
        import os
        def later():
            from PySide6.QtCore import QObject
            import segstudio.document
            import importlib
            importlib.import_module("PyQt5.QtWidgets")
        from . import annotation
        """
    )
    found = violations(src, "segcore.something")
    assert [v.split(" imports ")[1] for v in found] == ["PySide6.QtCore", "segstudio.document", "PyQt5.QtWidgets"]
    assert imported_names("from .. import x", "segcore.formats.voc")[0][1] == "segcore"
    assert imported_names("from .voc import x", "segcore.formats", is_package=True)[0][1] == "segcore.formats.voc"
    assert imported_names("from . import y", "segcore.formats.voc")[0][1] == "segcore.formats"


IMPORT_ALL = """
import importlib, json, pkgutil, sys
import segcore
errors = {}
names = []
for info in pkgutil.walk_packages(segcore.__path__, "segcore."):
    if info.name.endswith("__main__"):
        continue  # importing it would run the CLI
    names.append(info.name)
    try:
        importlib.import_module(info.name)
    except Exception as exc:
        errors[info.name] = f"{type(exc).__name__}: {exc}"
forbidden = %r
loaded = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
print(json.dumps({"modules": names, "errors": errors, "loaded": loaded}))
"""


@pytest.mark.slow
def test_importing_all_of_segcore_loads_no_qt() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL % (FORBIDDEN,)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "segcore.io.annotation" in result["modules"] and "segcore.io.imageio" in result["modules"]
    assert not result["errors"], f"segcore modules that fail to import: {result['errors']}"
    assert result["loaded"] == [], f"importing segcore loaded {result['loaded']}"

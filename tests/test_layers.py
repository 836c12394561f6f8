"""House rule 2: segcore's packages form layers, and no module imports one from a layer above
its own; there are no import circles between modules (imports inside functions count too).

Layers, lowest first (a package may import its own layer and those below)::

    progress, messages
    io                    LabelMe files, shapes, images, atomic saves, palettes
    data, models, metrics annotations as training data; architectures; scores
    checkpoint, formats, interactive
    inference             predictor, pre-annotation
    training              trainer, its data, loop, checkpoints, reports
    commands, cli         the command line
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEGCORE = REPO / "segcore"

LAYERS: list[set[str]] = [
    {"segcore", "segcore.progress", "segcore.messages"},
    {"segcore.io"},
    {"segcore.data", "segcore.models", "segcore.metrics"},
    {"segcore.checkpoint", "segcore.checkpoint_schema", "segcore.formats", "segcore.interactive"},
    {"segcore.inference"},
    {"segcore.training"},
    {"segcore.commands", "segcore.cli", "segcore.__main__"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SEGCORE.rglob("*.py")) if "__pycache__" not in p.parts}


def unit(module: str) -> str:
    """The layer unit a module belongs to: its first-level package or top-level module."""
    return ".".join(module.split(".")[:2])


def rank(module: str) -> int:
    u = unit(module)
    for i, layer in enumerate(LAYERS):
        if u in layer:
            return i
    raise AssertionError(f"{module}: its package {u} has no layer in tests/test_layers.py; add it to LAYERS")


def imports(source: str, module: str, is_package: bool, known: set[str]) -> list[tuple[int, str]]:
    """The segcore modules a source imports (anywhere in the file), with line numbers."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    out: list[tuple[int, str]] = []

    def add(line: int, name: str) -> None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            out.append((line, name))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "segcore":
                    add(node.lineno, a.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            if base.split(".")[0] == "segcore":
                for a in node.names:  # "from segcore.data import trace" imports the module segcore.data.trace
                    full = f"{base}.{a.name}"
                    add(node.lineno, full if full in known else base)
    return out


def graph(mods: dict[str, Path]) -> dict[str, list[tuple[int, str]]]:
    known = set(mods)
    return {m: imports(p.read_text(), m, p.name == "__init__.py", known) for m, p in mods.items()}


def layer_violations(edges: dict[str, list[tuple[int, str]]], mods: dict[str, Path]) -> list[str]:
    bad = []
    for m, targets in edges.items():
        for line, t in targets:
            if rank(t) > rank(m):
                bad.append(f"{mods[m].relative_to(REPO)}:{line}: {m} (layer {rank(m)}) imports {t} (layer {rank(t)})")
    return bad


def cycles(edges: dict[str, list[tuple[int, str]]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for _, w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_layer():
    for m in modules():
        rank(m)


def test_no_package_imports_one_above_it():
    mods = modules()
    assert layer_violations(graph(mods), mods) == []


def test_no_import_circles():
    assert cycles(graph(modules())) == []


@pytest.mark.parametrize(("module", "source", "what"), [
    ("segcore.io.annotation", "from segcore.training.trainer import Trainer\n", "layer"),
    ("segcore.data.rasterize", "def f():\n    from segcore.inference import predict\n", "layer"),
    ("segcore.data.polygons", "from segcore.data import trace\n", "circle"),
])
def test_a_wrong_import_is_caught(module, source, what):
    """The checks fail on a deliberately wrong import (a lower layer reaching up; a circle)."""
    mods = modules()
    edges = graph(mods)
    edges[module] = edges[module] + imports(source, module, False, set(mods))
    if what == "layer":
        assert any(module in v for v in layer_violations(edges, mods))
    else:
        assert cycles(edges)

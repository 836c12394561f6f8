"""The interface's translations: which sources belong to which part, and the commands that keep
the ``.ts``/``.qm`` files of ``segstudio/resources/i18n`` up to date.

    python tools/i18n.py update [LOCALE]   extract the strings (lupdate, dropping vanished ones) and
                                          compile them (lrelease), for every part
    python tools/i18n.py check [LOCALE]    say, per part, how many strings are unfinished or vanished
                                          (exit status 1 when any are); leaves the files as they are

Each part of ``segstudio/`` has its own ``<part>_<locale>.ts`` so that its strings are translated on
their own; ``segstudio.i18n`` loads every ``<part>_<locale>.qm`` at start.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "segstudio"
I18N = APP / "resources" / "i18n"
DEFAULT_LOCALE = "zh_CN"

# part -> the sources of segstudio/ it holds (paths relative to app/); "window" holds every other source
_DIALOGS = ["dialogs/*.py", "training_process.py"]
_FEATURES = ["features/*.py", "workers.py", "icons.py", "qt_check.py", "config.py"]


def _expand(patterns: list[str]) -> list[Path]:
    return sorted({p for pattern in patterns for p in APP.glob(pattern)})


def engine_sources() -> list[Path]:
    """The segcore modules whose messages reach the window (they make ``segcore.messages``
    notices): their marked templates belong to the dialogs part, which shows them."""
    return sorted(p for p in (REPO / "segcore").rglob("*.py")
                  if p.name != "messages.py" and "messages import" in p.read_text(encoding="utf-8"))


def parts() -> dict[str, list[Path]]:
    """Each part of the interface and its Python sources, sorted."""
    dialogs, features = _expand(_DIALOGS), _expand(_FEATURES)
    taken = set(dialogs) | set(features)
    window = [p for p in _expand(["*.py", "docks/*.py", "canvas/*.py"]) if p not in taken]
    return {"window": window, "dialogs": dialogs + engine_sources(), "features": features}


def ts_path(part: str, locale: str = DEFAULT_LOCALE) -> Path:
    """The translation source of ``part`` for ``locale``."""
    return I18N / f"{part}_{locale}.ts"


def _tool(name: str) -> str:
    """A Qt tool installed with PySide6 (next to this Python, else on PATH)."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6 (pip install PySide6)")
    return found


def lupdate(sources: list[Path], ts: Path, *, no_obsolete: bool) -> str:
    """Merge the strings of ``sources`` into ``ts`` (created when missing); lupdate's report."""
    ts.parent.mkdir(parents=True, exist_ok=True)
    cmd = [_tool("pyside6-lupdate"), *map(str, sources), "-ts", str(ts)]
    if no_obsolete:
        cmd.insert(1, "-no-obsolete")
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr


def lrelease(ts: Path) -> Path:
    """Compile ``ts`` into the ``.qm`` next to it."""
    qm = ts.with_suffix(".qm")
    subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], capture_output=True, text=True,
                   check=True)
    return qm


@dataclass
class Problems:
    """The messages of a ``.ts`` file that are not done: untranslated (``unfinished``) and no longer
    in the code (``vanished``/``obsolete``), each as ``context: source``."""

    unfinished: list[str]
    vanished: list[str]

    def __bool__(self) -> bool:
        return bool(self.unfinished or self.vanished)


def problems(ts: Path) -> Problems:
    """What is unfinished or vanished in ``ts``."""
    unfinished: list[str] = []
    vanished: list[str] = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type", "") if translation is not None else "unfinished"
            text = f"{name}: {message.findtext('source', '')}"
            if kind == "unfinished":
                unfinished.append(text)
            elif kind in ("vanished", "obsolete"):
                vanished.append(text)
    return Problems(unfinished, vanished)


def check(locale: str = DEFAULT_LOCALE) -> dict[str, Problems]:
    """Merge the current code into copies of the committed ``.ts`` files and report, per part,
    what is unfinished or vanished (a missing ``.ts`` counts all its strings as unfinished)."""
    found: dict[str, Problems] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for part, sources in parts().items():
            copy = Path(tmp) / ts_path(part, locale).name
            if ts_path(part, locale).exists():
                shutil.copyfile(ts_path(part, locale), copy)
            lupdate(sources, copy, no_obsolete=False)
            found[part] = problems(copy)
    return found


def update(locale: str = DEFAULT_LOCALE) -> None:
    """Extract every part's strings into its ``.ts`` (dropping vanished ones) and compile it."""
    for part, sources in parts().items():
        ts = ts_path(part, locale)
        lupdate(sources, ts, no_obsolete=True)
        lrelease(ts)
        left = problems(ts)
        print(f"{ts.relative_to(REPO)}: {len(sources)} sources, {len(left.unfinished)} unfinished")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "check"):
        print(__doc__)
        return 2
    locale = argv[1] if len(argv) > 1 else DEFAULT_LOCALE
    if argv[0] == "update":
        update(locale)
        return 0
    bad = False
    for part, found in check(locale).items():
        print(f"{part}: {len(found.unfinished)} unfinished, {len(found.vanished)} vanished")
        for text in found.unfinished + found.vanished:
            print(f"    {text}")
        bad = bad or bool(found)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Refuse a Qt binding known to crash this program, with a message saying what to install."""

from __future__ import annotations

import sys


def broken_binding_message() -> str | None:
    """Why the installed PySide6 cannot run here, or None when it is fine.

    PySide6 6.12.0 on Python < 3.12 takes a reference from ``None`` on every Qt call that
    returns nothing; after a few thousand calls CPython aborts ("none_dealloc"). Python 3.12
    made ``None`` immortal, so only older Pythons are affected. ``pyproject.toml`` pins
    PySide6-Essentials below 6.12 there; this catches environments installed by hand.
    """
    try:
        import PySide6
    except ImportError:
        return "PySide6 is not installed: run `bash tools/dev.sh app` or `pip install -e .`"
    major_minor = tuple(int(p) for p in PySide6.__version__.split(".")[:2])
    if sys.version_info < (3, 12) and major_minor >= (6, 12):
        return (
            f"PySide6 {PySide6.__version__} crashes on Python {sys.version.split()[0]} (a reference-count "
            "bug on None); install PySide6-Essentials<6.12 (`pip install -e .` does) or use Python 3.12+"
        )
    return None

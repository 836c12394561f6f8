"""Work around a PySide6 6.12 bug on Python < 3.12: every Qt method returning ``void``
hands back ``None`` without taking a reference, so each call lowers ``None``'s reference
count by one and after a few thousand calls (one repaint) CPython aborts with
"none_dealloc: deallocating None".

Python 3.12 made ``None`` immortal, which is what PySide6 now assumes. On older versions we
give ``None`` a reference count so large that it can never reach zero. Importing this module
applies the fix once; it is imported by :mod:`app.document` and :mod:`app.canvas` (and should
be by any module that calls Qt). Checked by ``tests/app/test_pyside_fix.py``.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 60


def apply() -> bool:
    """Make ``None`` effectively immortal on CPython < 3.12; True when something was done."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    refcnt = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    if refcnt.value < _HEADROOM // 2:
        refcnt.value += _HEADROOM
    return True


apply()

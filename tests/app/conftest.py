"""GUI tests: apply the PySide6 None-refcount workaround before any Qt call (see
``app/pyside_fix.py``)."""

import app.pyside_fix  # noqa: F401

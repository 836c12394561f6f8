"""The None-refcount workaround keeps thousands of void Qt calls from crashing Python."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QPointF

import app.pyside_fix as fix

pytestmark = pytest.mark.gui


def test_many_void_calls_do_not_exhaust_none():
    fix.apply()
    p = QPointF(1, 2)
    for _ in range(200_000):  # far more than None's natural reference count
        p.setX(3.0)
    assert sys.getrefcount(None) > 1000
    assert None is None

"""GUI tests: stop at once, with the reason, on a Qt binding known to crash (see segstudio/qt_check.py)."""

import pytest

from segstudio.qt_check import broken_binding_message

_message = broken_binding_message()
if _message:
    pytest.exit(_message, returncode=3)

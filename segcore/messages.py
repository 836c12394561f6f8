"""Messages the GUI shows in the user's language.

segcore has no Qt, but some of its messages reach the window (the training dialog's dataset
warnings). Such a message is a :class:`Notice`: a code, an English template marked with
:func:`QT_TRANSLATE_NOOP` (the marker Qt's ``lupdate`` extracts from Python sources) and its
values. The command line prints ``notice.text``; the GUI translates the template in the
notice's context and fills in the same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Mark ``text`` for translation in ``context``; returns it unchanged."""
    return text


@dataclass(frozen=True)
class Notice:
    """One message: ``context`` and ``template`` (English, with ``{name}`` placeholders) and ``values``."""

    context: str
    template: str
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The English message."""
        return self.template.format(**self.values)

"""Label -> class id and colour: the one source every view asks (canvas, shape list, label list).

Colours never depend on which other labels exist:

- with a labels file (:meth:`LabelColours.set_names`, labels.txt order, background first) a
  label of the file gets the VOC colour of its place in the file, the colour the VOC export
  writes for it;
- any other label gets :func:`segcore.io.palette.label_colour` of its name, the same in every
  folder and on every run.

Class ids (shown in the label list) follow the labels file, else the folder's class list
(:meth:`LabelColours.set_class_ids`, the VOC export's order); labels met later get the next
free ids. ``changed`` fires when ids or colours are reset.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor

from segcore.io.palette import IGNORE_COLOUR, label_colour, voc_colour

BACKGROUND = "_background_"
IGNORE = "__ignore__"


class LabelColours(QObject):
    """Label -> class id and colour (see the module docstring)."""

    changed = Signal()

    def __init__(self, names: Sequence[str] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._file: dict[str, int] = {}  # labels file: label -> its place (background 0)
        self._folder: list[str] = []
        self._index: dict[str, int] = {}
        self._cache: dict[str, QColor] = {}
        self.set_names(names or [])

    def set_names(self, names: Sequence[str]) -> None:
        """Take a labels file's class list (index = class id and VOC colour); empty: none."""
        self._file = _ids(names) if any(n != BACKGROUND for n in names) else {}
        self._folder = []
        self._reset()

    def set_class_ids(self, names: Sequence[str]) -> None:
        """The class ids of the open folder's labels (after the labels file's); colours stay."""
        self._folder = list(names)
        self._reset()

    def has_labels_file(self) -> bool:
        """True when a labels file fixes the ids and colours of its labels."""
        return bool(self._file)

    def _reset(self) -> None:
        self._index = _ids([*self._file, *self._folder])
        self._cache.clear()
        self.changed.emit()

    def index_of(self, label: str) -> int:
        """Class id of ``label`` (255 for ``__ignore__``); a new label gets the next free id."""
        if label == IGNORE:
            return 255
        if label not in self._index:
            self._index[label] = max(self._index.values()) + 1
        return self._index[label]

    def rgb(self, label: str) -> tuple[int, int, int]:
        """The ``(r, g, b)`` of ``label``."""
        if label == IGNORE:
            return IGNORE_COLOUR
        if label == BACKGROUND:
            return voc_colour(0)
        place = self._file.get(label)
        return voc_colour(place) if place is not None else label_colour(label)

    def colour(self, label: str) -> QColor:
        """The ``QColor`` of ``label`` (cached)."""
        c = self._cache.get(label)
        if c is None:
            c = QColor(*self.rgb(label))
            self._cache[label] = c
        return c


def _ids(names: Sequence[str]) -> dict[str, int]:
    """label -> id in order of first appearance, the background always 0."""
    ids = {BACKGROUND: 0}
    for name in names:
        if name != IGNORE:
            ids.setdefault(name, len(ids))
    return ids

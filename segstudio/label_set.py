"""The label set: the labels the user works with, one model observed by the label list dock,
the label dialog and the colour map.

It holds the labels a labels file restricts the choice to (and whose order gives the class ids
and colours), the labels of the configuration, the open folder's labels (with the class ids the
VOC export gives them) and every label seen since the folder was opened. Each change emits
``changed``; the views read :meth:`LabelSet.names` and :attr:`LabelSet.restriction`. The counts
of the open image's labels come from its document (the label list counts them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QObject, Signal

from segstudio.label_colours import BACKGROUND, LabelColours


class LabelSet(QObject):
    """Known labels, the labels-file restriction and the colour map they drive."""

    changed = Signal()

    def __init__(self, colours: LabelColours | None = None, configured: Sequence[str] = (),
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.colours = colours if colours is not None else LabelColours(parent=self)
        self.restriction: list[str] | None = None  # a labels file's names; None: any label
        self._configured = list(configured)
        self._names: list[str] = []
        self._names = self._base()

    def _base(self) -> list[str]:
        return list(dict.fromkeys([*(self.restriction or []), *self._configured]))

    def names(self) -> list[str]:
        """Every known label, in the order they became known."""
        return list(self._names)

    def set_configured(self, names: Sequence[str]) -> None:
        """The configuration's labels (known in every folder)."""
        self._configured = list(names)
        self._names = list(dict.fromkeys([*self._base(), *self._names]))
        self.changed.emit()

    def add(self, labels: Iterable[str]) -> None:
        """Labels seen (an opened image's, a chosen one); emits ``changed`` when any is new."""
        new = [x for x in dict.fromkeys(labels) if x and x != BACKGROUND and x not in self._names]
        if new:
            self._names.extend(new)
            self.changed.emit()

    def restrict(self, names: Sequence[str]) -> None:
        """A labels file: only these labels are accepted, and their order gives class ids and
        colours."""
        self.restriction = list(names)
        self.colours.set_names([BACKGROUND, *names])
        self._names = list(dict.fromkeys([*self._base(), *self._names]))
        self.changed.emit()

    def new_folder(self) -> None:
        """Another folder is opened: forget the previous folder's labels (the labels file's and
        the configured ones stay; the new folder's come with :meth:`set_folder_labels`)."""
        self.colours.set_class_ids([])
        self._names = self._base()
        self.changed.emit()

    def set_folder_labels(self, names: Sequence[str]) -> None:
        """The open folder's class list (background first): its class ids (colours depend on
        the name alone) and its labels become known. Ignored under a labels file."""
        if self.restriction is not None:
            return
        self.colours.set_class_ids(names)
        self.add(n for n in names if n != BACKGROUND)

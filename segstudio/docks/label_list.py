"""The label list dock: every known label with its class id, colour (the VOC export's colour,
from ``Document.colours`` / :mod:`segcore.io.palette`) and its count in the open image (shapes a
person made or accepted; unreviewed model proposals shown apart, "car  (3 +2 proposed)"); the
checkbox hides or shows the whole label (display only). Also the image-level flags dock.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QDockWidget, QListWidget, QListWidgetItem, QWidget

from segcore.data.review import label_counts
from segstudio.document import Document
from segstudio.label_set import LabelSet
from segstudio.undo_commands import SetImageFlags


def _swatch(rgb: tuple[int, int, int]) -> QIcon:
    pm = QPixmap(14, 14)
    pm.fill(QColor(*rgb))
    return QIcon(pm)


class LabelListDock(QDockWidget):
    """Known labels (labels file + every label seen) with id, colour and count."""

    labelChosen = Signal(str)

    def __init__(self, labels: LabelSet, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Label List"), parent)
        self.setObjectName("label_list_dock")
        self.label_set = labels
        self.colours = labels.colours
        self.document: Document | None = None
        self.list = QListWidget(self)
        self.list.itemChanged.connect(self._item_changed)
        self.list.itemClicked.connect(lambda it: self.labelChosen.emit(it.data(Qt.ItemDataRole.UserRole)))
        self.setWidget(self.list)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self.colours.changed.connect(self.schedule_refresh)
        labels.changed.connect(self.schedule_refresh)
        self._updating = False

    def set_document(self, doc: Document | None) -> None:
        """Count ``doc``'s labels (refreshes on its edits)."""
        if self.document is not None:
            for sig in (self.document.shapesChanged, self.document.shapeChanged, self.document.visibilityChanged):
                try:
                    sig.disconnect(self.schedule_refresh)
                except (RuntimeError, TypeError):
                    pass
        self.document = doc
        if doc is not None:
            for sig in (doc.shapesChanged, doc.shapeChanged, doc.visibilityChanged):
                sig.connect(self.schedule_refresh)
        self.refresh()

    @property
    def known(self) -> list[str]:
        """The label set's labels (labels file, configured, seen in this folder)."""
        return self.label_set.names()

    def labels(self) -> list[str]:
        """Labels in the list, in display order."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def schedule_refresh(self, *_args) -> None:
        """Refresh once after a burst of edits."""
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Rebuild the rows (cheap: one row per distinct label)."""
        doc = self.document
        counts, proposed = label_counts(doc.shapes) if doc is not None else ({}, {})
        labels = list(dict.fromkeys([*self.known, *counts, *proposed]))
        labels.sort(key=lambda lab: self.colours.index_of(lab))
        self._updating = True
        try:
            self.list.clear()
            for lab in labels:
                extra = self.tr(" +{n} proposed").format(n=proposed[lab]) if lab in proposed else ""
                item = QListWidgetItem(f"{self.colours.index_of(lab)}: {lab}  ({counts.get(lab, 0)}{extra})")
                item.setData(Qt.ItemDataRole.UserRole, lab)
                item.setIcon(_swatch(self.colours.rgb(lab)))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                visible = doc.is_label_visible(lab) if doc is not None else True
                item.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
                self.list.addItem(item)
        finally:
            self._updating = False

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._updating or self.document is None:
            return
        self.document.set_label_visible(item.data(Qt.ItemDataRole.UserRole),
                                        item.checkState() == Qt.CheckState.Checked)


class FlagsDock(QDockWidget):
    """Image-level flags of the open image (checkboxes; each change is an undoable command)."""

    def __init__(self, parent: QWidget | None = None, flag_names: list[str] | None = None) -> None:
        super().__init__(self.tr("Flags"), parent)
        self.setObjectName("flags_dock")
        self.flag_names = list(flag_names or [])
        self.document: Document | None = None
        self.list = QListWidget(self)
        self.list.itemChanged.connect(self._item_changed)
        self.setWidget(self.list)
        self._updating = False

    def set_document(self, doc: Document | None) -> None:
        """Show ``doc``'s image flags."""
        if self.document is not None:
            try:
                self.document.imageFlagsChanged.disconnect(self.refresh)
            except (RuntimeError, TypeError):
                pass
        self.document = doc
        if doc is not None:
            doc.imageFlagsChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the checkboxes from the configured names and the file's flags."""
        flags = dict(self.document.annotation.flags) if self.document is not None else {}
        names = list(dict.fromkeys([*self.flag_names, *flags]))
        self._updating = True
        try:
            self.list.clear()
            for name in names:
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if flags.get(name) else Qt.CheckState.Unchecked)
                self.list.addItem(item)
        finally:
            self._updating = False

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._updating or self.document is None:
            return
        flags = {self.list.item(i).text(): self.list.item(i).checkState() == Qt.CheckState.Checked
                 for i in range(self.list.count())}
        self.document.push(SetImageFlags(self.document, flags))

"""The file list dock: the folder's images (natural sort) with their review state (no labels /
proposals to review / reviewed), a name filter, a review-state filter and the counts. The
folder is scanned in a worker and delivered in batches (:mod:`segstudio.docks.file_model`), so a
folder of 10,000 images is usable at once.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from segcore.data.review import NONE, PROPOSALS, REVIEWED
from segstudio.docks.file_model import (
    STATE_TEXT,
    Entry,
    FileFilterProxy,
    FileListModel,
    iter_image_batches,
    make_entry,
    relative_name,
)

__all__ = ["STATE_TEXT", "Entry", "FileFilterProxy", "FileListDock", "FileListModel", "iter_image_batches",
           "make_entry", "relative_name"]

STATE_FILTERS = ((QT_TRANSLATE_NOOP("FileListDock", "All"), None), (QT_TRANSLATE_NOOP("FileListDock", "No labels"), NONE),
                 (QT_TRANSLATE_NOOP("FileListDock", "To review"), PROPOSALS),
                 (QT_TRANSLATE_NOOP("FileListDock", "Reviewed"), REVIEWED))


class FileListDock(QDockWidget):
    """Filter box, review-state filter, list and count. ``fileActivated(path)`` when a row is
    chosen."""

    fileActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("File List"), parent)
        self.setObjectName("file_list_dock")
        self.model = FileListModel(self)
        self.proxy = FileFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(self.tr("Search Filename"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)
        self.state_filter = QComboBox(self)
        self.state_filter.setObjectName("file_state_filter")
        self.state_filter.setToolTip(self.tr("Show only the images in this review state"))
        for text, state in STATE_FILTERS:
            self.state_filter.addItem(self.tr(text), state)
        self.state_filter.currentIndexChanged.connect(self._on_state_filter)
        self.view = QListView(self)
        self.view.setModel(self.proxy)
        self.view.setUniformItemSizes(True)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(200)
        self.view.activated.connect(self._on_activated)
        self.view.clicked.connect(self._on_activated)
        self.count = QLabel("", self)
        w = QWidget(self)
        layout = QVBoxLayout(w)
        layout.setContentsMargins(2, 2, 2, 2)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.state_filter)
        layout.addLayout(filters)
        layout.addWidget(self.view)
        layout.addWidget(self.count)
        self.setWidget(w)
        self.model.countChanged.connect(self._update_count)
        self.model.scanFinished.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.model.stateChanged.connect(self._on_state_changed)
        self._update_count()

    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_count()

    def _on_state_filter(self, _index: int) -> None:
        self.proxy.set_state_filter(self.state_filter.currentData())
        self._update_count()

    def _on_state_changed(self, _path: str, _state: str) -> None:
        if self.proxy.state_filter is not None:  # the image may now leave or join the filtered list
            self.proxy.refilter()
            self._update_count()

    def _on_activated(self, index: QModelIndex) -> None:
        path = index.data(FileListModel.PathRole)
        if path:
            self.fileActivated.emit(path)

    def _update_count(self, *_args) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        c = self.model.state_counts()
        images = self.tr("1 image") if total == 1 else self.tr("{n} images").format(n=total)
        text = self.tr("{images}: {reviewed} reviewed, {proposals} to review, {none} unlabelled").format(
            images=images, reviewed=c[REVIEWED], proposals=c[PROPOSALS], none=c[NONE])
        if shown != total:
            text = self.tr("{shown} of {count}").format(shown=shown, count=text)
        if self.model.scanning:
            text = self.tr("{count} (scanning...)").format(count=text)
        self.count.setText(text)

    # navigation ---------------------------------------------------------------------
    def visible_paths(self) -> list[str]:
        """Paths in the list as filtered."""
        return [self.proxy.index(r, 0).data(FileListModel.PathRole) for r in range(self.proxy.rowCount())]

    def neighbour(self, current: str | None, step: int) -> str | None:
        """The image ``step`` rows from ``current`` in the filtered list (None at the ends).
        When ``current`` is not in the filtered list (e.g. just reviewed, with "To review"
        shown), the nearest shown image in that direction is one step."""
        n = self.proxy.rowCount()
        if n == 0:
            return None
        row = self.model.row_of(current) if current else -1
        prow = self.proxy.mapFromSource(self.model.index(row)).row() if row >= 0 else -1
        if prow >= 0:
            target = prow + step
        elif row >= 0:
            target = self._nearest_shown(row, step)
            if target is None:
                return None
            target += step - (1 if step > 0 else -1)
        else:
            target = 0 if step > 0 else n - 1
        if not 0 <= target < n:
            return None
        return self.proxy.index(target, 0).data(FileListModel.PathRole)

    def _nearest_shown(self, row: int, step: int) -> int | None:
        """The filtered-list row of the first shown image after source ``row`` in the direction
        of ``step``."""
        direction = 1 if step > 0 else -1
        r = row + direction
        while 0 <= r < self.model.rowCount():
            prow = self.proxy.mapFromSource(self.model.index(r)).row()
            if prow >= 0:
                return prow
            r += direction
        return None

    def select_path(self, path: str | None) -> None:
        """Highlight ``path`` in the list without emitting ``fileActivated``."""
        if not path:
            self.view.clearSelection()
            return
        row = self.model.row_of(path)
        if row < 0:
            return
        pidx = self.proxy.mapFromSource(self.model.index(row))
        if pidx.isValid():
            self.view.setCurrentIndex(pidx)
            self.view.scrollTo(pidx)

"""The file list dock: a lazy list model of a folder's images (natural sort, labelled check
mark), a filter box and a count. A folder is scanned in a worker and delivered in batches, so a
folder of 10,000 images is usable at once.
"""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QDockWidget, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from app.workers import Job, run_in_thread
from segcore.dataset import natural_key
from segcore.imageio import IMAGE_EXTENSIONS

Entry = tuple[str, bool, str, tuple]  # path, labelled, display name, sort key


def relative_name(path: str, root: str | None) -> str:
    """``path`` relative to ``root`` with forward slashes (the file name when outside it)."""
    if root and path.startswith(root) and path[len(root):len(root) + 1] == os.sep:
        return path[len(root) + 1:].replace(os.sep, "/")
    return os.path.basename(path)


def make_entry(path: str, labelled: bool, root: str | None) -> Entry:
    """A file-list row: display name and natural sort key computed once."""
    name = relative_name(path, root)
    return path, labelled, name, natural_key(name)


def iter_image_batches(root: str | os.PathLike, *, batch_seconds: float = 0.05,
                       cancelled: Callable[[], bool] = lambda: False) -> Iterator[list[Entry]]:
    """Walk ``root`` (recursive, hidden folders skipped) yielding batches of rows, each sorted,
    every ``batch_seconds``; ``labelled`` = a ``<stem>.json`` sits beside the image. Runs in a
    worker: the names and sort keys are computed here, not on the GUI thread."""
    root_s = os.fspath(root)
    stack = [root_s]
    batch: list[tuple[str, bool]] = []
    last = time.monotonic()
    while stack:
        if cancelled():
            return
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        names = {e.name for e in entries}
        subdirs = []
        for e in entries:
            name = e.name
            if name.startswith("."):
                continue
            try:
                is_dir = e.is_dir()
            except OSError:
                continue
            if is_dir:
                subdirs.append(e.path)
                continue
            stem, ext = os.path.splitext(name)
            if ext.lower() in IMAGE_EXTENSIONS:
                batch.append(make_entry(e.path, stem + ".json" in names, root_s))
        stack.extend(sorted(subdirs, key=natural_key, reverse=True))
        if batch and time.monotonic() - last >= batch_seconds:
            batch.sort(key=lambda t: t[3])
            yield batch
            batch = []
            last = time.monotonic()
    if batch:
        batch.sort(key=lambda t: t[3])
        yield batch


class FileListModel(QAbstractListModel):
    """Image paths in natural order; check mark = labelled. Rows arrive in batches."""

    PathRole = Qt.ItemDataRole.UserRole + 1
    scanStarted = Signal()
    scanFinished = Signal()
    countChanged = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._root: Path | None = None
        self._paths: list[str] = []
        self._keys: list[tuple] = []
        self._labelled: dict[str, bool] = {}
        self._index: dict[str, int] = {}
        self._display: dict[str, str] = {}
        self._job: Job | None = None
        self.scanning = False

    # Qt model API -------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._paths)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._paths):
            return None
        path = self._paths[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_name(path)
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if self._labelled.get(path) else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return path
        if role == self.PathRole:
            return path
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # content ------------------------------------------------------------------
    @property
    def root(self) -> Path | None:
        """The scanned folder (None for a single file or nothing)."""
        return self._root

    def display_name(self, path: str) -> str:
        """The path shown: relative to the root folder."""
        name = self._display.get(path)
        if name is None:
            name = relative_name(path, os.fspath(self._root) if self._root is not None else None)
        return name

    def paths(self) -> list[str]:
        """All image paths in order."""
        return list(self._paths)

    def labelled_count(self) -> int:
        """How many of the images have a label file."""
        return sum(1 for p in self._paths if self._labelled.get(p))

    def row_of(self, path: str | os.PathLike) -> int:
        """Row of ``path`` or -1."""
        return self._index.get(os.fspath(path), -1)

    def is_labelled(self, path: str | os.PathLike) -> bool:
        """Whether ``path`` has a label file (as last seen)."""
        return bool(self._labelled.get(os.fspath(path)))

    def set_labelled(self, path: str | os.PathLike, labelled: bool) -> None:
        """Update the check mark of ``path`` (after a save or a delete)."""
        p = os.fspath(path)
        if p not in self._index or self._labelled.get(p) == labelled:
            return
        self._labelled[p] = labelled
        idx = self.index(self._index[p])
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.CheckStateRole])
        self.countChanged.emit()

    def clear(self) -> None:
        """Forget everything (and stop a running scan)."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self.beginResetModel()
        self._root = None
        self._paths, self._keys, self._labelled, self._index, self._display = [], [], {}, {}, {}
        self.endResetModel()
        self.scanning = False
        self.countChanged.emit()

    def set_files(self, files: list[str | os.PathLike], root: str | os.PathLike | None = None) -> None:
        """Show exactly these files (e.g. one opened image)."""
        self.clear()
        self._root = Path(root) if root is not None else None
        self.add_batch([(os.fspath(f), Path(f).with_suffix(".json").exists()) for f in files])

    def add_batch(self, batch: list[Entry] | list[tuple[str, bool]]) -> None:
        """Merge a batch of rows (:func:`make_entry` tuples, or ``(path, labelled)`` pairs)
        keeping natural order."""
        root = os.fspath(self._root) if self._root is not None else None
        rows = [b if len(b) == 4 else make_entry(b[0], b[1], root) for b in batch]
        new = [(key, p, lab) for p, lab, name, key in rows if p not in self._labelled]
        if not new:
            return
        for p, _lab, name, _key in rows:
            self._display[p] = name
        new.sort(key=lambda t: t[0])
        if not self._keys or new[0][0] >= self._keys[-1]:
            first = len(self._paths)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for key, p, lab in new:
                self._keys.append(key)
                self._paths.append(p)
                self._labelled[p] = lab
            self.endInsertRows()
        else:  # interleaved: a layout change keeps views and persistent indexes valid
            self.layoutAboutToBeChanged.emit()
            old_persistent = self.persistentIndexList()
            old_paths = [self._paths[i.row()] for i in old_persistent]
            for key, p, lab in new:
                pos = bisect.bisect_right(self._keys, key)
                self._keys.insert(pos, key)
                self._paths.insert(pos, p)
                self._labelled[p] = lab
            self._index = {p: i for i, p in enumerate(self._paths)}
            self.changePersistentIndexList(old_persistent, [self.index(self._index[p]) for p in old_paths])
            self.layoutChanged.emit()
        self._index = {p: i for i, p in enumerate(self._paths)}
        self.countChanged.emit()

    def scan(self, root: str | os.PathLike, on_first: Callable[[str], None] | None = None) -> None:
        """Scan ``root`` in a worker; rows appear batch by batch. ``on_first(path)`` is called
        with the first image as soon as the first batch is in."""
        self.clear()
        self._root = Path(root)
        self.scanning = True
        self.scanStarted.emit()
        state = {"first": on_first}

        def work(progress, cancel, partial):
            for batch in iter_image_batches(root, cancelled=lambda: cancel.cancelled):
                partial(batch)

        def on_batch(batch: list[tuple[str, bool]]) -> None:
            self.add_batch(batch)
            if state["first"] is not None and self._paths:
                cb, state["first"] = state["first"], None
                cb(self._paths[0])

        def done(_result) -> None:
            self.scanning = False
            self._job = None
            if state["first"] is not None and self._paths:
                cb, state["first"] = state["first"], None
                cb(self._paths[0])
            self.scanFinished.emit()

        def failed(exc: BaseException) -> None:
            self.scanning = False
            self._job = None
            self.scanFinished.emit()

        self._job = run_in_thread(work, on_done=done, on_error=failed, on_partial=on_batch,
                                  with_progress=True)


class FileFilterProxy(QSortFilterProxyModel):
    """Case-insensitive substring filter over the displayed names."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)


class FileListDock(QDockWidget):
    """Filter box, list and count. ``fileActivated(path)`` when a row is chosen."""

    fileActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("File List", parent)
        self.setObjectName("file_list_dock")
        self.model = FileListModel(self)
        self.proxy = FileFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Search Filename")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)
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
        layout.addWidget(self.filter)
        layout.addWidget(self.view)
        layout.addWidget(self.count)
        self.setWidget(w)
        self.model.countChanged.connect(self._update_count)
        self.model.scanFinished.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self._update_count()

    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_count()

    def _on_activated(self, index: QModelIndex) -> None:
        path = index.data(FileListModel.PathRole)
        if path:
            self.fileActivated.emit(path)

    def _update_count(self, *_args) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        text = f"{total} images, {self.model.labelled_count()} labelled"
        if shown != total:
            text = f"{shown} of {text}"
        if self.model.scanning:
            text += " (scanning...)"
        self.count.setText(text)

    # navigation ---------------------------------------------------------------------
    def visible_paths(self) -> list[str]:
        """Paths in the list as filtered."""
        return [self.proxy.index(r, 0).data(FileListModel.PathRole) for r in range(self.proxy.rowCount())]

    def neighbour(self, current: str | None, step: int) -> str | None:
        """The image ``step`` rows from ``current`` in the filtered list (None at the ends)."""
        n = self.proxy.rowCount()
        if n == 0:
            return None
        row = self.model.row_of(current) if current else -1
        prow = self.proxy.mapFromSource(self.model.index(row)).row() if row >= 0 else -1
        if prow < 0:
            target = 0 if step > 0 else n - 1
        else:
            target = prow + step
        if not 0 <= target < n:
            return None
        return self.proxy.index(target, 0).data(FileListModel.PathRole)

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

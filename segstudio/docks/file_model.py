"""The file list's data: a folder scan in a worker (natural sort, each image's review state read
beside it) and the lazy list model the dock shows, with its filter proxy.

Review states come from :mod:`segcore.data.review`: ``"none"`` (no labels), ``"proposals"`` (model
proposals nobody reviewed yet) and ``"reviewed"`` (only shapes a person made or accepted).
"""

from __future__ import annotations

import bisect
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from segcore.data.dataset import natural_key
from segcore.data.review import NONE, PROPOSALS, REVIEW_STATES, REVIEWED, file_review_state
from segcore.io.annotation import json_path_for
from segcore.io.imageio import IMAGE_EXTENSIONS
from segstudio.workers import Job, run_in_thread

Entry = tuple[str, str, str, tuple]  # path, review state, display name, sort key

STATE_TEXT = {NONE: QT_TRANSLATE_NOOP("FileListModel", "No labels"), PROPOSALS: QT_TRANSLATE_NOOP("FileListModel", "Proposals to review"),
              REVIEWED: QT_TRANSLATE_NOOP("FileListModel", "Reviewed")}  # translated where shown
_CHECK = {NONE: Qt.CheckState.Unchecked, PROPOSALS: Qt.CheckState.PartiallyChecked,
          REVIEWED: Qt.CheckState.Checked}


def relative_name(path: str, root: str | None) -> str:
    """``path`` relative to ``root`` with forward slashes (the file name when outside it)."""
    if root and path.startswith(root) and path[len(root):len(root) + 1] == os.sep:
        return path[len(root) + 1:].replace(os.sep, "/")
    return os.path.basename(path)


def _as_state(value: str | bool) -> str:
    if isinstance(value, str):
        if value not in REVIEW_STATES:
            raise ValueError(f"unknown review state {value!r}")
        return value
    return REVIEWED if value else NONE


def make_entry(path: str, state: str | bool, root: str | None) -> Entry:
    """A file-list row: display name and natural sort key computed once (``state`` may be a
    bool: labelled = reviewed)."""
    name = relative_name(path, root)
    return path, _as_state(state), name, natural_key(name)


def iter_image_batches(root: str | os.PathLike, *, batch_seconds: float = 0.05,
                       cancelled: Callable[[], bool] = lambda: False) -> Iterator[list[Entry]]:
    """Walk ``root`` (recursive, hidden folders skipped) yielding batches of rows, each sorted,
    every ``batch_seconds``; each image's review state is read from the ``<stem>.json`` beside
    it. Runs in a worker: names, sort keys and states are computed here, not on the GUI thread.
    A folder's images come in natural order, so the first batch starts with its first image."""
    root_s = os.fspath(root)
    stack = [root_s]
    batch: list[Entry] = []
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
        images: list[tuple[tuple, str, str, bool]] = []  # sort key, name, path, has a json
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
                rel = relative_name(e.path, root_s)
                images.append((natural_key(rel), rel, e.path, stem + ".json" in names))
        images.sort(key=lambda t: t[0])
        for key, rel, path, has_json in images:
            if cancelled():
                return
            state = file_review_state(os.path.splitext(path)[0] + ".json") if has_json else NONE
            batch.append((path, state, rel, key))
            if time.monotonic() - last >= batch_seconds:
                batch.sort(key=lambda t: t[3])
                yield batch
                batch = []
                last = time.monotonic()
        stack.extend(sorted(subdirs, key=natural_key, reverse=True))
    if batch:
        batch.sort(key=lambda t: t[3])
        yield batch


def read_states(paths: Iterable[str]) -> dict[str, str]:
    """The review state of each image (worker side)."""
    return {p: file_review_state(json_path_for(p)) for p in paths}


def _dot(colour: QColor | None) -> QIcon:
    pm = QPixmap(10, 10)
    pm.fill(Qt.GlobalColor.transparent)
    if colour is not None:
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawEllipse(1, 1, 8, 8)
        p.end()
    return QIcon(pm)


class FileListModel(QAbstractListModel):
    """Image paths in natural order with their review state (check box: empty = no labels,
    partly checked with an orange dot = proposals to review, checked = reviewed). Rows arrive
    in batches."""

    PathRole = Qt.ItemDataRole.UserRole + 1
    StateRole = Qt.ItemDataRole.UserRole + 2
    scanStarted = Signal()
    scanFinished = Signal()
    countChanged = Signal()
    stateChanged = Signal(str, str)  # image path, new review state

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._root: Path | None = None
        self._paths: list[str] = []
        self._keys: list[tuple] = []
        self._state: dict[str, str] = {}
        self._counts: Counter[str] = Counter()
        self._gen: dict[str, int] = {}  # path -> state version (late disk reads are dropped)
        self._index: dict[str, int] = {}
        self._display: dict[str, str] = {}
        self._job: Job | None = None
        self._icons: dict[str, QIcon] = {}
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
            return _CHECK[self._state.get(path, NONE)]
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(self._state.get(path, NONE))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{path}\n{self.tr(STATE_TEXT[self._state.get(path, NONE)])}"
        if role == self.PathRole:
            return path
        if role == self.StateRole:
            return self._state.get(path, NONE)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _icon(self, state: str) -> QIcon:
        icon = self._icons.get(state)
        if icon is None:
            icon = self._icons[state] = _dot(QColor(240, 140, 0) if state == PROPOSALS else None)
        return icon

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

    def state_counts(self) -> dict[str, int]:
        """How many images are in each review state."""
        return {s: self._counts.get(s, 0) for s in REVIEW_STATES}

    def row_of(self, path: str | os.PathLike) -> int:
        """Row of ``path`` or -1."""
        return self._index.get(os.fspath(path), -1)

    def state_of(self, path: str | os.PathLike) -> str:
        """The review state of ``path`` as last seen (``"none"`` for an unknown path)."""
        return self._state.get(os.fspath(path), NONE)

    def is_labelled(self, path: str | os.PathLike) -> bool:
        """Whether ``path`` has shapes in its label file (proposals or a person's), as last seen."""
        return self.state_of(path) != NONE

    def set_state(self, path: str | os.PathLike, state: str) -> None:
        """Set the review state of ``path`` (after a save, a delete, a pre-annotation run)."""
        p = os.fspath(path)
        state = _as_state(state)
        if p not in self._index:
            return
        self._gen[p] = self._gen.get(p, 0) + 1
        old = self._state.get(p)
        if old == state:
            return
        self._state[p] = state
        self._counts[old] -= 1
        self._counts[state] += 1
        idx = self.index(self._index[p])
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.DecorationRole,
                                         Qt.ItemDataRole.ToolTipRole, self.StateRole])
        self.stateChanged.emit(p, state)
        self.countChanged.emit()

    def set_labelled(self, path: str | os.PathLike, labelled: bool) -> None:
        """A label file of ``path`` was written (its state is read again, in a worker) or
        deleted (no labels)."""
        if labelled:
            self.refresh_states([os.fspath(path)])
        else:
            self.set_state(path, NONE)

    def refresh_states(self, paths: Iterable[str | os.PathLike]) -> Job | None:
        """Read the review state of ``paths`` from their label files in a worker; a state set
        meanwhile (a newer save) wins over what the worker read."""
        wanted = [os.fspath(p) for p in paths if os.fspath(p) in self._index]
        if not wanted:
            return None
        gens = {p: self._gen.get(p, 0) for p in wanted}

        def done(states: dict[str, str]) -> None:
            for p, state in states.items():
                if p in self._index and self._gen.get(p, 0) == gens[p]:
                    self.set_state(p, state)

        return run_in_thread(read_states, wanted, on_done=done)

    def clear(self) -> None:
        """Forget everything (and stop a running scan)."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self.beginResetModel()
        self._root = None
        self._paths, self._keys, self._state, self._index, self._display = [], [], {}, {}, {}
        self._counts, self._gen = Counter(), {}
        self.endResetModel()
        self.scanning = False
        self.countChanged.emit()

    def set_files(self, files: list[str | os.PathLike], root: str | os.PathLike | None = None) -> None:
        """Show exactly these files (e.g. one opened image); their states are read in a worker."""
        self.clear()
        self._root = Path(root) if root is not None else None
        self.add_batch([(os.fspath(f), NONE) for f in files])
        self.refresh_states(self._paths)

    def add_batch(self, batch: list[Entry] | list[tuple[str, str | bool]]) -> None:
        """Merge a batch of rows (:func:`make_entry` tuples, or ``(path, state)`` pairs where
        the state may be a bool: labelled = reviewed) keeping natural order."""
        root = os.fspath(self._root) if self._root is not None else None
        rows = [b if len(b) == 4 else make_entry(b[0], b[1], root) for b in batch]
        new = [(key, p, state) for p, state, _name, key in rows if p not in self._state]
        if not new:
            return
        for p, _state, name, _key in rows:
            self._display[p] = name
        new.sort(key=lambda t: t[0])
        self._counts.update(state for _key, _p, state in new)
        if not self._keys or new[0][0] >= self._keys[-1]:
            first = len(self._paths)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for key, p, state in new:
                self._index[p] = len(self._paths)
                self._keys.append(key)
                self._paths.append(p)
                self._state[p] = state
            self.endInsertRows()
        else:  # interleaved: a layout change keeps views and persistent indexes valid
            self.layoutAboutToBeChanged.emit()
            old_persistent = self.persistentIndexList()
            old_paths = [self._paths[i.row()] for i in old_persistent]
            for key, p, state in new:
                pos = bisect.bisect_right(self._keys, key)
                self._keys.insert(pos, key)
                self._paths.insert(pos, p)
                self._state[p] = state
            self._index = {p: i for i, p in enumerate(self._paths)}
            self.changePersistentIndexList(old_persistent, [self.index(self._index[p]) for p in old_paths])
            self.layoutChanged.emit()
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

        def on_batch(batch: list[Entry]) -> None:
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
    """Case-insensitive substring filter over the displayed names, and a review-state filter."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.state_filter: str | None = None

    def set_state_filter(self, state: str | None) -> None:
        """Show only images in this review state (None: all)."""
        if state != self.state_filter:
            self.state_filter = state
            self.refilter()

    def refilter(self) -> None:
        """Apply the filters again to every row (after states changed)."""
        if hasattr(self, "endFilterChange"):  # Qt 6.10+
            self.beginFilterChange()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802 - Qt name
        if self.state_filter is not None:
            model = self.sourceModel()
            if model.data(model.index(source_row, 0), FileListModel.StateRole) != self.state_filter:
                return False
        return super().filterAcceptsRow(source_row, source_parent)

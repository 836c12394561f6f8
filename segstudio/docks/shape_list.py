"""The shape list dock ("Polygon Labels"): one row per shape in drawing (= save) order, a
visibility checkbox each, drag rows to reorder (a :class:`segstudio.undo_commands.Reorder` command),
double-click edits the label, the score shown for model-proposed shapes. The rows read the
document lazily, so thousands of shapes cost nothing until scrolled into view.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QItemSelection,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QDockWidget, QListView, QWidget

from segstudio.document import Document
from segstudio.undo_commands import Reorder, kind_name

MIME = "application/x-segstudio-shape-rows"


def shape_text(shape) -> str:
    """How a shape is listed: label, group id, proposal score."""
    text = shape.label
    if shape.group_id is not None:
        text += f" ({shape.group_id})"
    if shape.proposed:
        proposed = QCoreApplication.translate("ShapeListModel", "proposed")
        text += f"  [{proposed} {shape.score:.2f}]" if shape.score is not None else f"  [{proposed}]"
    elif shape.score is not None:
        text += f"  [{shape.score:.2f}]"
    return text


class ShapeListModel(QAbstractListModel):
    """Rows = ``document.shapes``; the check state is the shape's visibility."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self._icons: dict[tuple[int, int, int], QPixmap] = {}

    def set_document(self, doc: Document | None) -> None:
        """Observe ``doc`` (None: empty list)."""
        if self.document is not None:
            for sig, slot in self._connections():
                try:
                    sig.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        self.beginResetModel()
        self.document = doc
        self.endResetModel()
        if doc is not None:
            for sig, slot in self._connections():
                sig.connect(slot)

    def _connections(self):
        d = self.document
        return [(d.shapesChanged, self._reset), (d.shapeChanged, self._row_changed),
                (d.visibilityChanged, self._all_changed), (d.colours.changed, self._colours_changed)]

    def _reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def _row_changed(self, row: int) -> None:
        idx = self.index(row)
        self.dataChanged.emit(idx, idx)

    def _all_changed(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0), self.index(self.rowCount() - 1),
                                  [Qt.ItemDataRole.CheckStateRole])

    def _swatch(self, rgb: tuple[int, int, int]) -> QPixmap:
        pm = self._icons.get(rgb)
        if pm is None:
            pm = QPixmap(12, 12)
            pm.fill(QColor(*rgb))
            self._icons[rgb] = pm
        return pm

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.document is None:
            return 0
        return len(self.document)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        doc = self.document
        if doc is None or not index.isValid() or index.row() >= len(doc):
            return None
        shape = doc.shapes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return shape_text(shape)
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Unchecked if doc.is_shape_hidden(index.row()) else Qt.CheckState.Checked
        if role == Qt.ItemDataRole.DecorationRole:
            return self._swatch(doc.colours.rgb(shape.label))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("{kind}, %n point(s)", None, len(shape.points)).format(kind=kind_name(shape.shape_type)) + (
                f"\n{shape.description}" if shape.description else "")
        return None

    def setData(self, index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role == Qt.ItemDataRole.CheckStateRole and self.document is not None and index.isValid():
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            self.document.set_shape_visible(index.row(), checked)
            return True
        return False

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)

    # drag to reorder ---------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def _colours_changed(self) -> None:
        """The swatches follow ``document.colours`` (the colours the canvas draws with)."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0), self.index(self.rowCount() - 1),
                                  [Qt.ItemDataRole.DecorationRole])

    def mimeData(self, indexes) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes})
        data.setData(MIME, QByteArray(",".join(map(str, rows)).encode()))
        return data

    def dropMimeData(self, data: QMimeData, action, row: int, column: int, parent) -> bool:
        if self.document is None or not data.hasFormat(MIME):
            return False
        rows = [int(r) for r in bytes(data.data(MIME).data()).decode().split(",") if r]
        if row < 0:
            row = parent.row() if parent.isValid() else len(self.document)
        self.move_rows(rows, row)
        return False  # the command did the move; the view must not remove rows itself

    def move_rows(self, rows: list[int], before_row: int) -> None:
        """Move ``rows`` so they sit before ``before_row`` (an undoable Reorder)."""
        doc = self.document
        if doc is None or not rows:
            return
        to_index = before_row - sum(1 for r in rows if r < before_row)
        cmd = Reorder.move(doc, rows, to_index)
        if cmd.order != list(range(len(doc))):
            doc.push(cmd)


class ShapeListDock(QDockWidget):
    """The list of shapes; selection follows the document both ways."""

    editRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Polygon Labels"), parent)
        self.setObjectName("shape_list_dock")
        self.model = ShapeListModel(self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.doubleClicked.connect(lambda _i: self.editRequested.emit())
        self.view.selectionModel().selectionChanged.connect(self._view_selection_changed)
        self.model.modelReset.connect(self._doc_selection_changed)
        self.setWidget(self.view)
        self._syncing = False

    @property
    def document(self) -> Document | None:
        return self.model.document

    def set_document(self, doc: Document | None) -> None:
        """Show ``doc``'s shapes."""
        old = self.model.document
        if old is not None:
            try:
                old.selectionChanged.disconnect(self._doc_selection_changed)
            except (RuntimeError, TypeError):
                pass
        self.model.set_document(doc)
        if doc is not None:
            doc.selectionChanged.connect(self._doc_selection_changed)
        self._doc_selection_changed()

    def _view_selection_changed(self, *_args) -> None:
        if self._syncing or self.document is None:
            return
        rows = [i.row() for i in self.view.selectionModel().selectedRows()]
        self._syncing = True
        try:
            self.document.set_selection(rows)
        finally:
            self._syncing = False

    def _doc_selection_changed(self) -> None:
        if self._syncing:
            return
        doc = self.document
        sel = QItemSelection()
        rows = doc.selected_indices() if doc is not None else []
        for r in rows:
            idx = self.model.index(r)
            sel.select(idx, idx)
        self._syncing = True
        try:
            self.view.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            if rows:
                self.view.scrollTo(self.model.index(rows[-1]))
        finally:
            self._syncing = False

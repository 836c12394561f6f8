"""Help > Keyboard shortcuts: a read-only table built from the same action table as the menus."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.actions import shortcut_rows


def shortcuts_dialog(parent: QWidget) -> QDialog:
    """A dialog listing every shortcut with what it does."""
    dialog = QDialog(parent)
    dialog.setObjectName("shortcuts_dialog")
    dialog.setWindowTitle("Shortcuts")
    rows = shortcut_rows()
    table = QTableWidget(len(rows), 2, dialog)
    table.setObjectName("shortcuts_table")
    table.setHorizontalHeaderLabels(["Keys", "Action"])
    for r, (keys, text) in enumerate(rows):
        table.setItem(r, 0, QTableWidgetItem(keys))
        table.setItem(r, 1, QTableWidgetItem(text))
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    QVBoxLayout(dialog).addWidget(table)
    dialog.resize(520, 600)
    return dialog

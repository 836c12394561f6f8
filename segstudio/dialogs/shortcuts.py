"""Help > Shortcuts: a read-only table of every key the window answers to.

Built when it opens from the action table (:data:`segstudio.actions.ACTIONS`: the window's actions
and those the plug-ins register), with the shortcuts the window's QActions really have; then
any other window action with a shortcut, the canvas keys (:data:`segstudio.actions.CANVAS_KEYS`), and
the keys and mouse modifiers of each tool (``Tool.keys`` of the tools in
:data:`segstudio.canvas.tools.TOOLS`).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from segstudio.actions import ACTIONS, canvas_keys
from segstudio.canvas.tools import TOOLS, tool_keys, tool_title

Row = tuple[str, str, str]  # (keys, what they do, where)
_MNEMONIC_SUFFIX = re.compile(r"\s*\(&[^)&]\)")  # "(&O)": a translation's mnemonic after the text


def _plain(text: str) -> str:
    """A menu text without its mnemonic (``&Open`` and the ``打开(&O)`` form) or trailing dots."""
    text = _MNEMONIC_SUFFIX.sub("", text)
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".").strip()


def _menu_titles(window: QWidget) -> dict[int, str]:
    """id(action) -> title of the menu it is in."""
    titles: dict[int, str] = {}
    bar = window.menuBar() if isinstance(window, QMainWindow) else None
    menus = [a.menu() for a in bar.actions()] if bar is not None else []
    while menus:
        menu = menus.pop()
        if not isinstance(menu, QMenu):
            continue
        for act in menu.actions():
            titles.setdefault(id(act), _plain(menu.title()))
            if act.menu() is not None:
                menus.append(act.menu())
    return titles


def window_shortcut_actions(window: QWidget) -> list[QAction]:
    """The window's QActions that have a shortcut (each once, in creation order)."""
    seen: set[int] = set()
    out = []
    for act in [*QWidget.actions(window), *window.findChildren(QAction)]:  # MainWindow.actions is a dict
        if id(act) not in seen and any(not s.isEmpty() for s in act.shortcuts()):
            seen.add(id(act))
            out.append(act)
    return out


def key_text(act: QAction) -> str:
    """The action's shortcuts as shown in the table ("Ctrl+Shift+Z, Ctrl+Y")."""
    return ", ".join(s.toString(QKeySequence.SequenceFormat.PortableText) for s in act.shortcuts() if not s.isEmpty())


def shortcut_rows(window: QWidget) -> list[Row]:
    """Every shortcut of ``window``: the table's actions, its other actions, the canvas keys,
    each tool's keys."""
    titles = _menu_titles(window)
    by_name = {a.objectName(): a for a in window_shortcut_actions(window)}
    listed = [by_name.pop(f"action_{spec.name}") for spec in ACTIONS if f"action_{spec.name}" in by_name]
    window_where = QCoreApplication.translate("Shortcuts", "Window")
    rows: list[Row] = [(key_text(a), _plain(a.text()), titles.get(id(a), window_where))
                       for a in [*listed, *by_name.values()]]
    canvas = QCoreApplication.translate("Shortcuts", "Canvas")
    rows += [(keys, text, canvas) for keys, text in canvas_keys()]
    for cls in TOOLS.values():
        where = QCoreApplication.translate("Shortcuts", "{tool} tool").format(tool=tool_title(cls))
        rows += [(keys, text, where) for keys, text in tool_keys(cls)]
    return rows


def shortcuts_dialog(parent: QWidget) -> QDialog:
    """A dialog listing every shortcut of ``parent`` (the main window) with what it does."""
    dialog = QDialog(parent)
    dialog.setObjectName("shortcuts_dialog")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowTitle(QCoreApplication.translate("Shortcuts", "Shortcuts"))
    rows = shortcut_rows(parent)
    table = QTableWidget(len(rows), 3, dialog)
    table.setObjectName("shortcuts_table")
    table.setHorizontalHeaderLabels([QCoreApplication.translate("Shortcuts", "Keys"),
                                     QCoreApplication.translate("Shortcuts", "Action"),
                                     QCoreApplication.translate("Shortcuts", "Where")])
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    QVBoxLayout(dialog).addWidget(table)
    dialog.resize(720, 640)
    return dialog

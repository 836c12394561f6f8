"""File > Open Recent (the last files and folders opened, most recent first, kept in
:class:`segstudio.settings.Settings`) and where the Open dialogs start.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from segstudio.settings import Settings

MAX_RECENT = 10


def with_recent(paths: Sequence[str], path: str, limit: int = MAX_RECENT) -> list[str]:
    """``paths`` with ``path`` first, once, cut to ``limit`` entries."""
    return [path, *(p for p in paths if p != path)][:limit]


def start_folder(last_path: str) -> str:
    """Where a folder dialog opens: the last opened folder, the folder of the last opened file,
    or the nearest of their parents that still exists (else the home folder)."""
    if last_path:
        p = Path(last_path).expanduser()
        for candidate in (p, *p.parents):
            if candidate.is_dir() and candidate != Path(candidate.anchor):
                return str(candidate)
    return str(Path.home())


class RecentMenu:
    """The Open Recent submenu of ``file_menu`` (inserted before ``before``); picking an entry
    calls ``open_path(path)``. An entry that no longer exists is removed, and ``tell`` says so."""

    def __init__(self, settings: Settings, file_menu: QMenu, before: QAction | None,
                 open_path: Callable[[str], bool], tell: Callable[[str], None], parent: QWidget) -> None:
        self.settings = settings
        self._open = open_path
        self._tell = tell
        self.menu = QMenu(QCoreApplication.translate("RecentMenu", "Open &Recent"), parent)
        self.menu.setObjectName("menu_open_recent")
        file_menu.insertMenu(before, self.menu) if before is not None else file_menu.addMenu(self.menu)
        self.menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def paths(self) -> list[str]:
        """The remembered files and folders, most recent first."""
        return self.settings.recent_paths

    def remember(self, path: str | os.PathLike) -> None:
        """Put ``path`` (made absolute) first in the list."""
        self.settings.recent_paths = with_recent(self.paths(), str(Path(path).expanduser().resolve()))
        self.refresh()

    def clear(self) -> None:
        """Forget every entry."""
        self.settings.recent_paths = []
        self.refresh()

    def refresh(self) -> None:
        """List the entries (numbered for the keyboard), then Clear."""
        self.menu.clear()
        paths = self.paths()
        for i, path in enumerate(paths, 1):
            prefix = f"&{i} " if i < 10 else "1&0 " if i == 10 else ""
            act = self.menu.addAction(prefix + path.replace("&", "&&"))
            act.setData(path)
            act.setToolTip(path)
            act.triggered.connect(lambda _c=False, p=path: self.open(p))
        if not paths:
            self.menu.addAction(QCoreApplication.translate("RecentMenu", "(none)")).setEnabled(False)
        self.menu.addSeparator()
        clear = self.menu.addAction(QCoreApplication.translate("RecentMenu", "&Clear List"))
        clear.setObjectName("action_clear_recent")
        clear.setEnabled(bool(paths))
        clear.triggered.connect(lambda _c=False: self.clear())

    def open(self, path: str) -> bool:
        """Open an entry; one that no longer exists is removed from the list (and ``tell`` says so)."""
        if not Path(path).exists():
            self.settings.recent_paths = [p for p in self.paths() if p != path]
            self.refresh()
            self._tell(QCoreApplication.translate("RecentMenu", "{path}: no longer exists; removed from Open Recent").format(
                path=path))
            return False
        return self._open(path)

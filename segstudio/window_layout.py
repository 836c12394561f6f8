"""The main window's layout: where its toolbars and docks are, remembered between runs, and the
View > Toolbars / View > Docks menus that bring back anything hidden.

The stored layout is restored only once every toolbar and dock exists (the plug-ins add theirs
in ``install``): Qt places, from a stored state, only the widgets that exist when it is read,
and a maximised window applies that state late, dropping anything added after it (toolbars left
unplaced over the menu bar). A toolbar or dock the stored layout does not know (one added by a
newer version) gets the place and visibility it was given in code.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QWidget

from segstudio.settings import Settings

FRAME_ALLOWANCE = (16, 48)
"""Room left around a first window for the window manager's frame and title bar, which
``resize`` does not count."""
LAYOUT_VERSION = 1  # raise when a stored layout can no longer be read sensibly
_READABLE_VERSIONS = (LAYOUT_VERSION, 0)  # 0: layouts stored before the version was kept


def toolbars(window: QMainWindow) -> list[QToolBar]:
    """The window's own toolbars, in creation order."""
    return [tb for tb in window.findChildren(QToolBar) if tb.parent() is window]


def docks(window: QMainWindow) -> list[QDockWidget]:
    """The window's docks, in creation order."""
    return [d for d in window.findChildren(QDockWidget) if d.parent() is window]


def layout_names(window: QMainWindow) -> list[str]:
    """Object names of every toolbar and dock (what a stored layout can place)."""
    return [w.objectName() for w in (*toolbars(window), *docks(window))]


def first_size(window: QWidget, default_size: tuple[int, int]) -> tuple[int, int]:
    """The size of a window (or dialog) opened for the first time: ``default_size``, shrunk so that
    it and its frame fit the screen it opens on (a 1366x768 laptop), never below its minimum."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return default_size
    room = screen.availableGeometry()
    least = window.minimumSizeHint()
    return (max(least.width(), min(default_size[0], room.width() - FRAME_ALLOWANCE[0])),
            max(least.height(), min(default_size[1], room.height() - FRAME_ALLOWANCE[1])))


def save_layout(window: QMainWindow, settings: Settings) -> None:
    """Remember the window's geometry, its toolbars and docks, and which ones the layout knows."""
    settings.save_layout(window.saveGeometry(), window.saveState(LAYOUT_VERSION), layout_names(window))


def restore_layout(window: QMainWindow, settings: Settings, default_size: tuple[int, int] = (1280, 800)) -> None:
    """Put the window, its toolbars and docks where they were last time. Call it once every
    toolbar and dock exists, before the window is shown."""
    for w in (*toolbars(window), *docks(window)):
        if not w.objectName():  # a plug-in forgot it: Qt can only place named ones
            kind = "toolbar" if isinstance(w, QToolBar) else "dock"
            w.setObjectName(f"{kind}_{w.windowTitle() or type(w).__name__}".lower().replace(" ", "_"))
    geometry, state = settings.geometry(), settings.state()
    if geometry is None or not window.restoreGeometry(geometry):  # Qt fits a restored one to the screen
        window.resize(*first_size(window, default_size))
    if state is None:
        return
    defaults = {tb: (window.toolBarArea(tb), not tb.isHidden()) for tb in toolbars(window)}
    if not any(window.restoreState(state, v) for v in _READABLE_VERSIONS):
        return
    known = settings.layout_names()
    changed = False
    for tb, (area, shown) in defaults.items():
        unplaced = window.toolBarArea(tb) == Qt.ToolBarArea.NoToolBarArea and not tb.isFloating()
        if unplaced or (known is not None and tb.objectName() not in known):
            area = Qt.ToolBarArea.TopToolBarArea if area == Qt.ToolBarArea.NoToolBarArea else area
            window.addToolBarBreak(area)  # a line of its own: never squeezed beside the restored ones
            window.addToolBar(area, tb)
            tb.setVisible(shown)
            changed = True
    if changed:
        # a hidden (e.g. maximised) window applies the restored state when it is shown: hand it
        # the state as corrected here
        window.restoreState(window.saveState(LAYOUT_VERSION), LAYOUT_VERSION)


class LayoutMenus:
    """View > Toolbars and View > Docks: one check item per toolbar / dock (its toggle view
    action), listed again each time the menu opens, so plug-ins' toolbars are there too."""

    def __init__(self, window: QMainWindow, view_menu: QMenu) -> None:
        self.window = window
        self.toolbars_menu = view_menu.addMenu(QCoreApplication.translate("LayoutMenus", "&Toolbars"))
        self.toolbars_menu.setObjectName("menu_toolbars")
        self.docks_menu = view_menu.addMenu(QCoreApplication.translate("LayoutMenus", "&Docks"))
        self.docks_menu.setObjectName("menu_docks")
        self.toolbars_menu.aboutToShow.connect(self.refresh)
        self.docks_menu.aboutToShow.connect(self.refresh)

    def refresh(self) -> None:
        """List every toolbar and dock that exists now."""
        for menu, widgets in ((self.toolbars_menu, toolbars(self.window)), (self.docks_menu, docks(self.window))):
            menu.clear()
            for w in widgets:
                menu.addAction(w.toggleViewAction())

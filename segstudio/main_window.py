"""The main window: menus, toolbar, docks, status bar and actions wired to the session,
the canvas and the edit operations. No business logic lives here.

``window.menus`` (keys file, edit, view, model, train, tools, help), ``window.document`` (the
open :class:`Document` or None, read-only: :class:`Session` owns it and the window observes
``session.documentChanged``), ``window.labels`` (the :class:`LabelSet` the label list, the
label dialog and the colours observe), ``window.canvas``. Plug-ins in :mod:`segstudio.features` get
the window in their ``install(window)`` and add actions with :meth:`MainWindow.add_action`
(their specs join :data:`segstudio.actions.ACTIONS`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
)

from segcore.io.annotation import Shape
from segstudio import edit_ops, window_layout
from segstudio.actions import CORE_ACTIONS, MENU_TITLES, ActionSpec, build_action, menu_title, register_action
from segstudio.autosave import Saver
from segstudio.canvas import Canvas
from segstudio.canvas.geometry import bbox as shape_bbox
from segstudio.dialogs.brightness_contrast import BrightnessContrastDialog
from segstudio.dialogs.label_dialog import LabelChoice, LabelDialog, read_labels_file
from segstudio.dialogs.shortcuts import shortcuts_dialog
from segstudio.docks.file_list import FileListDock
from segstudio.docks.label_list import FlagsDock, LabelListDock
from segstudio.docks.shape_list import ShapeListDock
from segstudio.document import Document, LabelColours
from segstudio.i18n import LanguageMenu
from segstudio.icons import set_icons
from segstudio.label_index import folder_labels
from segstudio.label_set import LabelSet
from segstudio.prefetch import AnnotationCache, ImageCache
from segstudio.recent_files import RecentMenu, start_folder
from segstudio.session import Session
from segstudio.settings import Settings
from segstudio.workers import run_in_thread

APP_NAME = "SegStudio"
TOOLBAR = ("open", "open_dir", "next_image", "prev_image", "save", "delete_file", None, "create_polygon",
           "create_rectangle", "edit_mode", "duplicate", "delete", "undo", "redo", None, "zoom_in",
           "zoom_out", "fit_window")
_CREATE = {"create_polygon": "polygon", "create_rectangle": "rectangle", "create_circle": "circle",
           "create_line": "line", "create_linestrip": "linestrip", "create_point": "point", "edit_mode": "edit"}


class MainWindow(QMainWindow):
    """The annotator window."""

    documentChanged = Signal(object)

    def __init__(self, settings: Settings | None = None, config: dict | None = None,
                 labels_file: str | None = None) -> None:
        super().__init__()
        from segstudio.config import load_config

        self.settings = settings or Settings()
        self.config = config or load_config()
        self.setWindowTitle(f"{APP_NAME}[*]")
        self.setAcceptDrops(True)
        self.colours = LabelColours(parent=self)
        self.canvas = Canvas(self)
        self.setCentralWidget(self.canvas)
        self.clipboard = edit_ops.Clipboard()
        self.file_dock = FileListDock(self)
        self.labels = LabelSet(self.colours, self.config.get("labels") or [], self)  # the one label model
        self.label_dock = LabelListDock(self.labels, self)
        self.shape_dock = ShapeListDock(self)
        self.flags_dock = FlagsDock(self, self.config.get("flags") or [])
        for dock in (self.flags_dock, self.label_dock, self.shape_dock, self.file_dock):
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.flags_dock.setVisible(bool(self.config.get("flags")))
        self.label_dialog = LabelDialog(self, flag_names=[])
        self.label_dialog.set_label_flags(self.config.get("label_flags") or {})
        self.label_dialog.follow(self.labels)
        self._last_label = ""
        self._bc_dialog: BrightnessContrastDialog | None = None
        self._shown: Document | None = None  # the document the views show (title updates)
        self.session = Session(self.file_dock, self.settings, self.colours, self.canvas_view_state, self)
        self._build_actions()
        self._build_status_bar()
        self._connect()
        self.set_labels_file(labels_file or self.settings.labels_file or None)
        self.set_document(None)
        self._install_features()
        window_layout.restore_layout(self, self.settings)  # once every toolbar and dock exists

    # ------------------------------------------------------------------ building
    def _build_actions(self) -> None:
        self.menus = {key: self.menuBar().addMenu(menu_title(key)) for key in MENU_TITLES}
        self.actions: dict[str, QAction] = {}
        handlers = self._handlers()
        for spec in CORE_ACTIONS:
            self.add_action(spec, handlers[spec.name])
        for name in _CREATE:
            self.actions[name].setCheckable(True)
        set_icons(self.actions)
        self.actions["autosave"].setChecked(self.saver.autosave)
        self.actions["keep_previous"].setChecked(self.settings.keep_previous)
        self.actions["crosshair"].setChecked(str(self.settings.value("crosshair", "false")).lower() == "true")
        self.menus["view"].addSeparator()
        self.layout_menus = window_layout.LayoutMenus(self, self.menus["view"])
        self.language_menu = LanguageMenu(self, self.menus["view"], self.settings)
        self.recent = RecentMenu(self.settings, self.menus["file"], self.actions["next_image"], self.open_path,
                                 self.report_error, self)
        self.toolbar = QToolBar(self.tr("Tools"), self)
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.toolbar.setIconSize(QSize(18, 18))
        for name in TOOLBAR:
            if name is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(self.actions[name])
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, self.toolbar)

    def _handlers(self) -> dict[str, Callable]:
        """The handler of each of the window's own actions (:data:`CORE_ACTIONS`), by name."""
        table: dict[str, Callable] = {
            "open": self.act_open, "open_dir": self.act_open_dir,
            "next_image": lambda: self.session.step(1), "prev_image": lambda: self.session.step(-1),
            "next_image_carry": lambda: self.session.step(1, carry=True),
            "prev_image_carry": lambda: self.session.step(-1, carry=True),
            "save": self.session.save, "save_as": lambda: self.session.save_as(),
            "autosave": self.act_autosave, "keep_previous": self.act_keep_previous,
            "delete_file": lambda: self.session.delete_label_file(), "close": lambda: self.session.close_document(),
            "quit": self.close, "edit_label": self.act_edit_label, "duplicate": self.act_duplicate,
            "copy": self.act_copy, "paste": self.act_paste, "delete": self.act_delete,
            "select_all": self.act_select_all, "undo": self.act_undo, "redo": self.act_redo,
            "toggle_shapes": self.act_toggle_shapes, "zoom_in": self.canvas.zoom_in,
            "zoom_out": self.canvas.zoom_out, "zoom_original": self.act_zoom_original,
            "fit_window": self.canvas.fit_window, "fit_width": self.canvas.fit_width,
            "brightness_contrast": self.act_brightness_contrast, "crosshair": self.act_crosshair,
            "shortcuts": lambda: shortcuts_dialog(self).open(), "about": self.act_about,
        }
        for name, tool in _CREATE.items():
            table[name] = lambda t=tool: self._set_tool(t)
        return table

    def add_action(self, spec: ActionSpec, handler: Callable | None = None, menu: bool = True) -> QAction:
        """Register ``spec`` in the action table and make its QAction: in its menu (unless
        ``menu`` is False), with its shortcut working with the menu bar hidden too. A checkable
        action's handler gets the new state. Plug-ins add their actions through this."""
        register_action(spec)
        act = build_action(self, spec)
        if handler is not None:
            if spec.checkable:
                act.toggled.connect(handler)
            else:
                act.triggered.connect(lambda _checked=False, h=handler: h())
        if menu:
            self.menus[spec.menu].addAction(act)
        self.addAction(act)
        self.actions[spec.name] = act
        return act

    def _build_status_bar(self) -> None:
        self.pos_label = QLabel("", self)
        self.pixel_label = QLabel("", self)
        self.zoom_label = QLabel("", self)
        for w in (self.pos_label, self.pixel_label, self.zoom_label):
            self.statusBar().addPermanentWidget(w)

    def _connect(self) -> None:
        self.file_dock.fileActivated.connect(self.session.load_image)
        self.file_dock.model.scanFinished.connect(self._scan_finished)
        self.shape_dock.editRequested.connect(self.act_edit_label)
        self.label_dock.labelChosen.connect(self._choose_label)
        self.saver.failed.connect(
            lambda _p, msg: self.statusBar().showMessage(self.tr("Save failed: {error}").format(error=msg), 15000))
        self.saver.saved.connect(
            lambda p: self.statusBar().showMessage(self.tr("Saved {name}").format(name=Path(p).name), 2000))
        self.saver.reviewStateSaved.connect(self.file_dock.model.set_state)
        self.session.documentChanged.connect(self.set_document)
        self.session.documentChanged.connect(self.documentChanged.emit)
        self.session.pixelsReady.connect(self.canvas.set_image)
        self.session.viewRestored.connect(self._restore_view)
        self.session.statusMessage.connect(self.statusBar().showMessage)
        self.session.errorOccurred.connect(self.report_error)
        self.session.folderOpened.connect(lambda _folder: self.labels.new_folder())
        self.session.labelsSeen.connect(self.labels.add)
        self.canvas.label_provider = self.label_new_shape
        self.canvas.shapeDoubleClicked.connect(lambda _i: self.act_edit_label())
        self.canvas.cursorMoved.connect(self._show_cursor)
        self.canvas.zoomChanged.connect(self._show_zoom)
        self.canvas.toolChanged.connect(self._tool_changed)

    def _install_features(self) -> None:
        from segstudio.features import FEATURES

        for module in FEATURES:
            try:
                module.install(self)
            except Exception as exc:  # noqa: BLE001 - one broken plug-in must not stop the app
                self.statusBar().showMessage(
                    self.tr("Feature {name} failed to load: {error}").format(name=module.__name__, error=exc), 15000)

    # ------------------------------------------------------------------ document
    @property
    def document(self) -> Document | None:
        """The open document (owned by the session)."""
        return self.session.document

    @property
    def saver(self) -> Saver:
        """The session's saver."""
        return self.session.saver

    @property
    def image_cache(self) -> ImageCache:
        """The session's decoded-image cache."""
        return self.session.image_cache

    @property
    def annotation_cache(self) -> AnnotationCache:
        """The session's parsed-label-file cache."""
        return self.session.annotation_cache

    def set_document(self, doc: Document | None) -> None:
        """Show ``doc`` in every view (None: nothing open); the session calls this through
        ``documentChanged``."""
        old = self._shown
        if old is not None:
            try:
                old.dirtyChanged.disconnect(self._update_title)
            except (RuntimeError, TypeError):
                pass
        self._shown = doc
        self.canvas.set_document(doc)
        if not self.file_dock.filter.hasFocus():
            self.canvas.setFocus()  # D/A and the single-key shortcuts work at once
        self.shape_dock.set_document(doc)
        self.label_dock.set_document(doc)
        self.flags_dock.set_document(doc)
        if doc is not None:
            doc.dirtyChanged.connect(self._update_title)
        for name in ("save", "save_as", "delete_file", "close", "undo", "redo", "copy", "paste", "duplicate",
                     "delete", "edit_label", "select_all", "toggle_shapes"):
            self.actions[name].setEnabled(doc is not None)
        self._update_title()

    def _update_title(self, *_args) -> None:
        doc = self.document
        name = f" - {doc.image_path.name}" if doc is not None and doc.image_path else ""
        self.setWindowTitle(f"{APP_NAME}{name}[*]")
        self.setWindowModified(doc is not None and doc.is_dirty())

    def canvas_view_state(self) -> tuple:
        """Fit mode, zoom and scroll of the canvas (remembered per image)."""
        c = self.canvas
        return (c.fit_mode(), c.zoom(), c.horizontalScrollBar().value(), c.verticalScrollBar().value())

    def _restore_view(self, state: tuple | None) -> None:
        """Put back a :meth:`canvas_view_state` (None: fit the window)."""
        if state is None:
            self.canvas.fit_window()
            return
        fit, zoom, h, v = state
        if fit == "window":
            self.canvas.fit_window()
        elif fit == "width":
            self.canvas.fit_width()
        else:
            self.canvas.set_zoom(zoom)
            self.canvas.horizontalScrollBar().setValue(h)
            self.canvas.verticalScrollBar().setValue(v)
        self._show_zoom()

    # ------------------------------------------------------------------ labels
    def set_labels_file(self, path: str | None) -> None:
        """Restrict labels to a labels file (and take its order for the colours / class ids)."""
        if not path:
            return
        try:
            names = read_labels_file(path)
        except (OSError, ValueError) as exc:
            self.report_error(self.tr("{path}: cannot use the labels file ({error})").format(path=path, error=exc))
            return
        self.labels.restrict(names)

    def label_new_shape(self, shape: Shape) -> Shape | None:
        """The canvas's label provider: ask for the label of a drawn shape (None discards it);
        the dialog opens beside the shape, which stays drawn meanwhile."""
        x0, y0, x1, y1 = shape_bbox(shape)
        on_view = self.canvas.mapFromScene(QRectF(x0, y0, x1 - x0, y1 - y0)).boundingRect()
        self.label_dialog.keep_clear(QRect(self.canvas.viewport().mapToGlobal(on_view.topLeft()), on_view.size()))
        try:
            choice = self.ask_label(LabelChoice(self._last_label) if self._last_label else None)
        finally:
            self.label_dialog.keep_clear(None)
        if choice is None:
            return None
        shape.label, shape.group_id = choice.label, choice.group_id
        shape.description, shape.flags = choice.description, dict(choice.flags)
        self._last_label = choice.label
        self.labels.add([choice.label])
        return shape

    def _choose_label(self, label: str) -> None:
        """A click in the label list makes that label the label dialog's default."""
        self._last_label = label
        self.statusBar().showMessage(self.tr("New shapes default to '{label}'").format(label=label), 3000)

    def _scan_finished(self) -> None:
        model = self.file_dock.model
        if model.rowCount() == 0 and model.root is not None:
            self.statusBar().showMessage(self.tr("No images in {folder}").format(folder=model.root), 10000)
        if self.document is not None and self.document.image_path is not None:
            self.file_dock.select_path(str(self.document.image_path))  # its row may have come late
        self._collect_folder_labels()

    def _collect_folder_labels(self) -> None:
        """Give labels the class ids the VOC export will use for this folder (not colours: those
        depend on the name, or on the labels file)."""
        if self.labels.restriction is not None:
            return
        model = self.file_dock.model
        images = [p for p in model.paths() if model.is_labelled(p)]
        jsons = (os.path.splitext(p)[0] + ".json" for p in images)  # made in the worker
        root = model.root

        def done(names: list[str]) -> None:
            if self.file_dock.model.root == root:  # not a left folder
                self.labels.set_folder_labels(names)

        run_in_thread(folder_labels, jsons, on_done=done)

    def ask_label(self, choice: LabelChoice | None = None) -> LabelChoice | None:
        """Run the label dialog (the canvas calls this when a shape is finished)."""
        if self.document is not None:
            self.labels.add(self.document.known_labels())
        return self.label_dialog.ask(choice)

    # ------------------------------------------------------------------ status bar
    def _show_cursor(self, x: float, y: float) -> None:
        self.pos_label.setText(f"x={x:.1f}, y={y:.1f}")
        value = self.canvas.pixel_at(x, y)
        self.pixel_label.setText("" if value is None else "RGB " + ", ".join(str(v) for v in value))

    def _show_zoom(self, *_args) -> None:
        self.zoom_label.setText(f"{self.canvas.zoom() * 100:.0f}%")

    def _tool_changed(self, name: str) -> None:
        for action_name, tool in _CREATE.items():
            self.actions[action_name].setChecked(tool == name)

    def report_error(self, message: str) -> None:
        """Tell the user: status bar and a (non-blocking) message box."""
        self.statusBar().showMessage(message, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("error_dialog")
        box.open()

    # ------------------------------------------------------------------ open / save (File menu)
    def open_path(self, path: str | os.PathLike) -> bool:
        """Open a file or folder (command line, drop, Open, Open Recent)."""
        if not self.session.open_path(path):
            return False
        self.recent.remember(path)
        return True

    def restore_last(self) -> None:
        """Reopen what was open last time."""
        self.session.restore_last()

    def act_open(self) -> None:
        start = self.settings.last_path or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open image or label file"), start,
            self.tr("Images and labels") + " (*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.webp *.json)")
        if path:
            self.open_path(path)

    def act_open_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open folder"), start_folder(self.settings.last_path))
        if folder and self.session.open_dir(folder):
            self.recent.remember(folder)

    def act_autosave(self, on: bool) -> None:
        self.saver.autosave = bool(on)
        self.settings.autosave = bool(on)
        if on and self.document is not None and self.document.is_dirty():
            self.saver.save_async(self.document)

    def act_keep_previous(self, on: bool) -> None:
        self.settings.keep_previous = bool(on)

    # ------------------------------------------------------------------ Edit menu
    def _set_tool(self, name: str) -> None:
        self.canvas.set_tool(name)
        self._tool_changed(name)

    def act_edit_label(self) -> None:
        doc = self.document
        if doc is None or not doc.selected_indices():
            return
        previous = edit_ops.current_choice(doc)
        choice = self.ask_label(previous)
        if choice is not None:
            edit_ops.apply_choice(doc, choice, previous)
            self.labels.add([choice.label])

    def act_duplicate(self) -> None:
        edit_ops.duplicate(self.document)

    def act_copy(self) -> None:
        n = self.clipboard.copy(self.document)
        if n:
            self.statusBar().showMessage(self.tr("Copied %n shape(s)", None, n), 2000)

    def act_paste(self) -> None:
        self.clipboard.paste(self.document)

    def act_delete(self) -> None:
        n = edit_ops.delete_selected(self.document)
        if n:
            self.statusBar().showMessage(self.tr("Deleted %n shape(s) (Ctrl+Z brings them back)", None, n), 4000)

    def act_select_all(self) -> None:
        if self.document is not None:
            self.document.select_all()

    def act_undo(self) -> None:
        if self.document is not None:
            self.document.undo_stack.undo()

    def act_redo(self) -> None:
        if self.document is not None:
            self.document.undo_stack.redo()

    # ------------------------------------------------------------------ View menu
    def act_toggle_shapes(self) -> None:
        doc = self.document
        if doc is not None:
            doc.set_all_visible(not any(doc.is_visible(i) for i in range(len(doc))))

    def act_zoom_original(self) -> None:
        self.canvas.zoom_original()

    def act_brightness_contrast(self) -> None:
        if self._bc_dialog is None:
            self._bc_dialog = BrightnessContrastDialog(self.canvas.set_brightness_contrast, self)
        self._bc_dialog.show()
        self._bc_dialog.raise_()

    def act_crosshair(self, on: bool) -> None:
        self.canvas.set_crosshair(bool(on))
        self.settings.set_value("crosshair", bool(on))

    # ------------------------------------------------------------------ Help menu
    def act_about(self) -> None:
        QMessageBox.about(self, APP_NAME, self.tr("{app}: LabelMe-compatible annotation with undo/redo, "
                                                  "autosave and segmentation models.").format(app=APP_NAME))

    # ------------------------------------------------------------------ window events
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            if len(urls) == 1:
                self.open_path(urls[0])
            else:
                self.session.open_files(urls)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.session.leave_current():
            event.ignore()
            return
        # leave_current saved the edits or the user discarded them: only wait for the saves
        # already running (flushing the document here would write a discarded edit)
        self.saver.flush(None)
        window_layout.save_layout(self, self.settings)
        self.settings.sync()
        event.accept()

"""The one table of menu actions and their shortcuts (LabelMe's defaults).

:data:`ACTIONS` holds the window's own actions (:data:`CORE_ACTIONS`) and every action a plug-in
registers with :func:`register_action` (the model, smart-tools and training features do, in
their ``install``). MainWindow builds each QAction from its spec (:func:`build_action`, object
name ``action_<name>``); Help > Shortcuts and :func:`duplicate_shortcuts` read this table.
Canvas keys that are not menu actions are in :data:`CANVAS_KEYS`; each tool lists its own
(``Tool.keys``).

Texts are English in the table and translated where they are shown: an action's text, tip and
``icon_text`` with the context ``"Actions"`` (mark a plug-in's with
``QT_TRANSLATE_NOOP("Actions", "...")`` so lupdate finds them), menu titles with ``"Menus"``
(:func:`menu_title`), canvas keys with ``"CanvasKeys"`` (:func:`canvas_keys`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class ActionSpec:
    """One menu action: ``name`` (its QAction's object name is ``action_<name>``), menu key,
    text, shortcuts (first is primary), whether it is a checkable toggle, a tip, and the
    toolbar button's shorter text (``icon_text``; empty: the menu text)."""

    name: str
    menu: str
    text: str
    shortcuts: tuple[str, ...] = ()
    checkable: bool = False
    tip: str = ""
    icon_text: str = ""


CORE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open", "file", QT_TRANSLATE_NOOP("Actions", "&Open..."), ("Ctrl+O",), tip=QT_TRANSLATE_NOOP("Actions", "Open an image or label file")),
    ActionSpec("open_dir", "file", QT_TRANSLATE_NOOP("Actions", "Open &Dir..."), ("Ctrl+U",), tip=QT_TRANSLATE_NOOP("Actions", "Open a folder of images (recursive)")),
    ActionSpec("next_image", "file", QT_TRANSLATE_NOOP("Actions", "&Next Image"), ("D",), tip=QT_TRANSLATE_NOOP("Actions", "Open the next image")),
    ActionSpec("prev_image", "file", QT_TRANSLATE_NOOP("Actions", "&Prev Image"), ("A",), tip=QT_TRANSLATE_NOOP("Actions", "Open the previous image")),
    ActionSpec("next_image_carry", "file", QT_TRANSLATE_NOOP("Actions", "Next Image &Keeping Shapes"), ("Ctrl+Shift+D",),
               tip=QT_TRANSLATE_NOOP("Actions", "Open the next image and copy the current shapes onto it if it has none")),
    ActionSpec("prev_image_carry", "file", QT_TRANSLATE_NOOP("Actions", "Prev Image K&eeping Shapes"), ("Ctrl+Shift+A",),
               tip=QT_TRANSLATE_NOOP("Actions", "Open the previous image and copy the current shapes onto it if it has none")),
    ActionSpec("save", "file", QT_TRANSLATE_NOOP("Actions", "&Save"), ("Ctrl+S",), tip=QT_TRANSLATE_NOOP("Actions", "Save the label file now")),
    ActionSpec("save_as", "file", QT_TRANSLATE_NOOP("Actions", "Save &As..."), ("Ctrl+Shift+S",), tip=QT_TRANSLATE_NOOP("Actions", "Save the labels to another file")),
    ActionSpec("autosave", "file", QT_TRANSLATE_NOOP("Actions", "Save &Automatically"), (), checkable=True,
               tip=QT_TRANSLATE_NOOP("Actions", "Save after every edit (atomic, in the background)")),
    ActionSpec("keep_previous", "file", QT_TRANSLATE_NOOP("Actions", "&Keep Previous Annotation"), ("Ctrl+P",), checkable=True,
               tip=QT_TRANSLATE_NOOP("Actions", "An image without shapes gets the previous image's shapes")),
    ActionSpec("delete_file", "file", QT_TRANSLATE_NOOP("Actions", "&Delete Label File"), ("Ctrl+Delete",),
               tip=QT_TRANSLATE_NOOP("Actions", "Delete this image's label file (never the image)")),
    ActionSpec("close", "file", QT_TRANSLATE_NOOP("Actions", "&Close"), ("Ctrl+W",), tip=QT_TRANSLATE_NOOP("Actions", "Close the current image")),
    ActionSpec("quit", "file", QT_TRANSLATE_NOOP("Actions", "&Quit"), ("Ctrl+Q",), tip=QT_TRANSLATE_NOOP("Actions", "Quit (pending saves are written first)")),
    ActionSpec("create_polygon", "edit", QT_TRANSLATE_NOOP("Actions", "Create &Polygons"), ("Ctrl+N",), tip=QT_TRANSLATE_NOOP("Actions", "Draw polygons")),
    ActionSpec("create_rectangle", "edit", QT_TRANSLATE_NOOP("Actions", "Create R&ectangle"), ("Ctrl+R",), tip=QT_TRANSLATE_NOOP("Actions", "Draw rectangles")),
    ActionSpec("create_circle", "edit", QT_TRANSLATE_NOOP("Actions", "Create &Circle"), (), tip=QT_TRANSLATE_NOOP("Actions", "Draw circles")),
    ActionSpec("create_line", "edit", QT_TRANSLATE_NOOP("Actions", "Create &Line"), (), tip=QT_TRANSLATE_NOOP("Actions", "Draw lines")),
    ActionSpec("create_linestrip", "edit", QT_TRANSLATE_NOOP("Actions", "Create Li&neStrip"), (), tip=QT_TRANSLATE_NOOP("Actions", "Draw line strips")),
    ActionSpec("create_point", "edit", QT_TRANSLATE_NOOP("Actions", "Create P&oint"), (), tip=QT_TRANSLATE_NOOP("Actions", "Draw points")),
    ActionSpec("edit_mode", "edit", QT_TRANSLATE_NOOP("Actions", "&Edit Polygons"), ("Ctrl+J",), tip=QT_TRANSLATE_NOOP("Actions", "Select, move and edit shapes")),
    ActionSpec("edit_label", "edit", QT_TRANSLATE_NOOP("Actions", "Edit &Label"), ("Ctrl+E",), tip=QT_TRANSLATE_NOOP("Actions", "Change the label of the selected shapes")),
    ActionSpec("duplicate", "edit", QT_TRANSLATE_NOOP("Actions", "D&uplicate Polygons"), ("Ctrl+D",), tip=QT_TRANSLATE_NOOP("Actions", "Duplicate the selected shapes")),
    ActionSpec("copy", "edit", QT_TRANSLATE_NOOP("Actions", "&Copy Polygons"), ("Ctrl+C",), tip=QT_TRANSLATE_NOOP("Actions", "Copy the selected shapes")),
    ActionSpec("paste", "edit", QT_TRANSLATE_NOOP("Actions", "&Paste Polygons"), ("Ctrl+V",), tip=QT_TRANSLATE_NOOP("Actions", "Paste shapes (also from another image)")),
    ActionSpec("delete", "edit", QT_TRANSLATE_NOOP("Actions", "&Delete Polygons"), ("Delete",), tip=QT_TRANSLATE_NOOP("Actions", "Delete the selected shapes")),
    ActionSpec("select_all", "edit", QT_TRANSLATE_NOOP("Actions", "Select &All"), ("Ctrl+A",), tip=QT_TRANSLATE_NOOP("Actions", "Select every shape")),
    ActionSpec("undo", "edit", QT_TRANSLATE_NOOP("Actions", "&Undo"), ("Ctrl+Z",), tip=QT_TRANSLATE_NOOP("Actions", "Undo the last edit")),
    ActionSpec("redo", "edit", QT_TRANSLATE_NOOP("Actions", "&Redo"), ("Ctrl+Shift+Z", "Ctrl+Y"), tip=QT_TRANSLATE_NOOP("Actions", "Redo the undone edit")),
    ActionSpec("toggle_shapes", "view", QT_TRANSLATE_NOOP("Actions", "&Toggle All Shapes"), ("T",), tip=QT_TRANSLATE_NOOP("Actions", "Hide or show every shape")),
    ActionSpec("zoom_in", "view", QT_TRANSLATE_NOOP("Actions", "Zoom &In"), ("Ctrl+=", "Ctrl++"), tip=QT_TRANSLATE_NOOP("Actions", "Zoom in")),
    ActionSpec("zoom_out", "view", QT_TRANSLATE_NOOP("Actions", "Zoom &Out"), ("Ctrl+-",), tip=QT_TRANSLATE_NOOP("Actions", "Zoom out")),
    ActionSpec("zoom_original", "view", QT_TRANSLATE_NOOP("Actions", "&Original Size"), ("Ctrl+0",), tip=QT_TRANSLATE_NOOP("Actions", "Zoom to 100%")),
    ActionSpec("fit_window", "view", QT_TRANSLATE_NOOP("Actions", "&Fit Window"), ("Ctrl+F",), tip=QT_TRANSLATE_NOOP("Actions", "Zoom to fit the window")),
    ActionSpec("fit_width", "view", QT_TRANSLATE_NOOP("Actions", "Fit &Width"), ("Ctrl+Shift+F",), tip=QT_TRANSLATE_NOOP("Actions", "Zoom to fit the width")),
    ActionSpec("brightness_contrast", "view", QT_TRANSLATE_NOOP("Actions", "&Brightness/Contrast..."), ("Ctrl+Shift+B",),
               tip=QT_TRANSLATE_NOOP("Actions", "Change brightness and contrast for display only")),
    ActionSpec("crosshair", "view", QT_TRANSLATE_NOOP("Actions", "&Crosshair"), (), checkable=True, tip=QT_TRANSLATE_NOOP("Actions", "Show a crosshair at the cursor")),
    ActionSpec("shortcuts", "help", QT_TRANSLATE_NOOP("Actions", "&Shortcuts"), ("F1",), tip=QT_TRANSLATE_NOOP("Actions", "List every shortcut")),
    ActionSpec("about", "help", QT_TRANSLATE_NOOP("Actions", "&About"), (), tip=QT_TRANSLATE_NOOP("Actions", "About this application")),
)

# Keys handled by the canvas tools rather than menu actions (shown in Help > Shortcuts).
CANVAS_KEYS: tuple[tuple[str, str], ...] = (
    (QT_TRANSLATE_NOOP("CanvasKeys", "Click"), QT_TRANSLATE_NOOP("CanvasKeys", "Add a vertex / select a shape")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Click first vertex, Enter"), QT_TRANSLATE_NOOP("CanvasKeys", "Close the polygon being drawn")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Esc"), QT_TRANSLATE_NOOP("CanvasKeys", "Cancel the shape being drawn")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Backspace"), QT_TRANSLATE_NOOP("CanvasKeys", "Remove the last vertex while drawing")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Shift (rectangle)"), QT_TRANSLATE_NOOP("CanvasKeys", "Draw a square")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Ctrl+Click"), QT_TRANSLATE_NOOP("CanvasKeys", "Add to the selection")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Alt+Click on an edge"), QT_TRANSLATE_NOOP("CanvasKeys", "Insert a vertex")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Alt+Shift+Click on a vertex"), QT_TRANSLATE_NOOP("CanvasKeys", "Delete the vertex")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Arrow keys"), QT_TRANSLATE_NOOP("CanvasKeys", "Nudge the selection")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Ctrl+Wheel"), QT_TRANSLATE_NOOP("CanvasKeys", "Zoom about the cursor")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Wheel / Shift+Wheel"), QT_TRANSLATE_NOOP("CanvasKeys", "Scroll vertically / sideways")),
    (QT_TRANSLATE_NOOP("CanvasKeys", "Middle drag, Space+drag"), QT_TRANSLATE_NOOP("CanvasKeys", "Pan")),
)

MENU_TITLES: dict[str, str] = {
    "file": QT_TRANSLATE_NOOP("Menus", "&File"),
    "edit": QT_TRANSLATE_NOOP("Menus", "&Edit"),
    "view": QT_TRANSLATE_NOOP("Menus", "&View"),
    "model": QT_TRANSLATE_NOOP("Menus", "&Model"),
    "train": QT_TRANSLATE_NOOP("Menus", "&Train"),
    "tools": QT_TRANSLATE_NOOP("Menus", "T&ools"),
    "help": QT_TRANSLATE_NOOP("Menus", "&Help"),
}


ACTIONS: list[ActionSpec] = list(CORE_ACTIONS)


def register_action(new: ActionSpec) -> ActionSpec:
    """Add a plug-in's action to :data:`ACTIONS` (a spec of the same name is replaced, so a
    second window installing the same plug-in adds nothing)."""
    for i, a in enumerate(ACTIONS):
        if a.name == new.name:
            ACTIONS[i] = new
            return new
    ACTIONS.append(new)
    return new


_MNEMONIC = re.compile(r"\(&\w\)|\.\.\.|…")


def button_text(text: str) -> str:
    """A menu text as a toolbar button shows it: no mnemonic, no trailing dots ("打开(&O)..." ->
    "打开", "Save &As..." -> "Save As", "A && B" -> "A & B")."""
    return _MNEMONIC.sub("", text).replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def action_text(text: str) -> str:
    """An action's text, tip or icon text in the user's language (context ``"Actions"``)."""
    return QCoreApplication.translate("Actions", text) if text else text


def menu_title(key: str) -> str:
    """The title of the menu ``key`` (:data:`MENU_TITLES`) in the user's language."""
    return QCoreApplication.translate("Menus", MENU_TITLES[key])


def canvas_keys() -> list[tuple[str, str]]:
    """:data:`CANVAS_KEYS` in the user's language: (keys, what they do)."""
    return [(QCoreApplication.translate("CanvasKeys", k), QCoreApplication.translate("CanvasKeys", t))
            for k, t in CANVAS_KEYS]


def build_action(parent: QWidget, spec: ActionSpec) -> QAction:
    """A QAction made from ``spec``: object name, shortcuts, tips, checkable (icons: :mod:`segstudio.icons`)."""
    act = QAction(action_text(spec.text), parent)
    act.setObjectName(f"action_{spec.name}")
    if spec.shortcuts:
        act.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
    # the toolbar's button text (menus show the full text), without a mnemonic: "打开(&O)..." -> "打开"
    act.setIconText(button_text(action_text(spec.icon_text or spec.text)))
    tip = action_text(spec.tip)
    act.setStatusTip(tip)
    act.setToolTip(f"{tip} ({spec.shortcuts[0]})" if spec.shortcuts else tip)
    act.setCheckable(spec.checkable)
    return act


def spec(name: str) -> ActionSpec:
    """The spec called ``name`` (KeyError when there is none)."""
    for a in ACTIONS:
        if a.name == name:
            return a
    raise KeyError(name)


def duplicate_shortcuts(specs: list[ActionSpec] | None = None) -> list[str]:
    """Shortcuts bound to more than one action of ``specs`` (default: :data:`ACTIONS`, the
    plug-ins' included); should be empty."""
    seen: dict[str, str] = {}
    dup = []
    for a in ACTIONS if specs is None else specs:
        for s in a.shortcuts:
            if s in seen:
                dup.append(s)
            seen[s] = a.name
    return dup

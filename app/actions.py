"""The one table of menu actions and their shortcuts (LabelMe's defaults).

:data:`ACTIONS` holds the window's own actions (:data:`CORE_ACTIONS`) and every action a plug-in
registers with :func:`register_action` (the model, smart-tools and training features do, in
their ``install``). MainWindow builds each QAction from its spec (:func:`build_action`, object
name ``action_<name>``); Help > Shortcuts and :func:`duplicate_shortcuts` read this table.
Canvas keys that are not menu actions are in :data:`CANVAS_KEYS`; each tool lists its own
(``Tool.keys``).
"""

from __future__ import annotations

from dataclasses import dataclass

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
    ActionSpec("open", "file", "&Open...", ("Ctrl+O",), tip="Open an image or label file"),
    ActionSpec("open_dir", "file", "Open &Dir...", ("Ctrl+U",), tip="Open a folder of images (recursive)"),
    ActionSpec("next_image", "file", "&Next Image", ("D",), tip="Open the next image"),
    ActionSpec("prev_image", "file", "&Prev Image", ("A",), tip="Open the previous image"),
    ActionSpec("next_image_carry", "file", "Next Image &Keeping Shapes", ("Ctrl+Shift+D",),
               tip="Open the next image and copy the current shapes onto it if it has none"),
    ActionSpec("prev_image_carry", "file", "Prev Image K&eeping Shapes", ("Ctrl+Shift+A",),
               tip="Open the previous image and copy the current shapes onto it if it has none"),
    ActionSpec("save", "file", "&Save", ("Ctrl+S",), tip="Save the label file now"),
    ActionSpec("save_as", "file", "Save &As...", ("Ctrl+Shift+S",), tip="Save the labels to another file"),
    ActionSpec("autosave", "file", "Save &Automatically", (), checkable=True,
               tip="Save after every edit (atomic, in the background)"),
    ActionSpec("keep_previous", "file", "&Keep Previous Annotation", ("Ctrl+P",), checkable=True,
               tip="An image without shapes gets the previous image's shapes"),
    ActionSpec("delete_file", "file", "&Delete Label File", ("Ctrl+Delete",),
               tip="Delete this image's label file (never the image)"),
    ActionSpec("close", "file", "&Close", ("Ctrl+W",), tip="Close the current image"),
    ActionSpec("quit", "file", "&Quit", ("Ctrl+Q",), tip="Quit (pending saves are written first)"),
    ActionSpec("create_polygon", "edit", "Create &Polygons", ("Ctrl+N",), tip="Draw polygons"),
    ActionSpec("create_rectangle", "edit", "Create R&ectangle", ("Ctrl+R",), tip="Draw rectangles"),
    ActionSpec("create_circle", "edit", "Create &Circle", (), tip="Draw circles"),
    ActionSpec("create_line", "edit", "Create &Line", (), tip="Draw lines"),
    ActionSpec("create_linestrip", "edit", "Create Li&neStrip", (), tip="Draw line strips"),
    ActionSpec("create_point", "edit", "Create P&oint", (), tip="Draw points"),
    ActionSpec("edit_mode", "edit", "&Edit Polygons", ("Ctrl+J",), tip="Select, move and edit shapes"),
    ActionSpec("edit_label", "edit", "Edit &Label", ("Ctrl+E",), tip="Change the label of the selected shapes"),
    ActionSpec("duplicate", "edit", "D&uplicate Polygons", ("Ctrl+D",), tip="Duplicate the selected shapes"),
    ActionSpec("copy", "edit", "&Copy Polygons", ("Ctrl+C",), tip="Copy the selected shapes"),
    ActionSpec("paste", "edit", "&Paste Polygons", ("Ctrl+V",), tip="Paste shapes (also from another image)"),
    ActionSpec("delete", "edit", "&Delete Polygons", ("Delete",), tip="Delete the selected shapes"),
    ActionSpec("select_all", "edit", "Select &All", ("Ctrl+A",), tip="Select every shape"),
    ActionSpec("undo", "edit", "&Undo", ("Ctrl+Z",), tip="Undo the last edit"),
    ActionSpec("redo", "edit", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), tip="Redo the undone edit"),
    ActionSpec("toggle_shapes", "view", "&Toggle All Shapes", ("T",), tip="Hide or show every shape"),
    ActionSpec("zoom_in", "view", "Zoom &In", ("Ctrl+=", "Ctrl++"), tip="Zoom in"),
    ActionSpec("zoom_out", "view", "Zoom &Out", ("Ctrl+-",), tip="Zoom out"),
    ActionSpec("zoom_original", "view", "&Original Size", ("Ctrl+0",), tip="Zoom to 100%"),
    ActionSpec("fit_window", "view", "&Fit Window", ("Ctrl+F",), tip="Zoom to fit the window"),
    ActionSpec("fit_width", "view", "Fit &Width", ("Ctrl+Shift+F",), tip="Zoom to fit the width"),
    ActionSpec("brightness_contrast", "view", "&Brightness/Contrast...", ("Ctrl+Shift+B",),
               tip="Change brightness and contrast for display only"),
    ActionSpec("crosshair", "view", "&Crosshair", (), checkable=True, tip="Show a crosshair at the cursor"),
    ActionSpec("shortcuts", "help", "&Shortcuts", ("F1",), tip="List every shortcut"),
    ActionSpec("about", "help", "&About", (), tip="About this application"),
)

# Keys handled by the canvas tools rather than menu actions (shown in Help > Shortcuts).
CANVAS_KEYS: tuple[tuple[str, str], ...] = (
    ("Click", "Add a vertex / select a shape"),
    ("Click first vertex, Enter", "Close the polygon being drawn"),
    ("Esc", "Cancel the shape being drawn"),
    ("Backspace", "Remove the last vertex while drawing"),
    ("Shift (rectangle)", "Draw a square"),
    ("Ctrl+Click", "Add to the selection"),
    ("Alt+Click on an edge", "Insert a vertex"),
    ("Alt+Shift+Click on a vertex", "Delete the vertex"),
    ("Arrow keys", "Nudge the selection"),
    ("Ctrl+Wheel", "Zoom about the cursor"),
    ("Wheel / Shift+Wheel", "Scroll vertically / sideways"),
    ("Middle drag, Space+drag", "Pan"),
)

MENU_TITLES: dict[str, str] = {
    "file": "&File",
    "edit": "&Edit",
    "view": "&View",
    "model": "&Model",
    "train": "&Train",
    "tools": "T&ools",
    "help": "&Help",
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


def build_action(parent: QWidget, spec: ActionSpec) -> QAction:
    """A QAction made from ``spec``: object name, shortcuts, tips, checkable (icons: :mod:`app.icons`)."""
    act = QAction(spec.text, parent)
    act.setObjectName(f"action_{spec.name}")
    if spec.shortcuts:
        act.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
    if spec.icon_text:
        act.setIconText(spec.icon_text)  # the toolbar's button text; menus show the full text
    act.setStatusTip(spec.tip)
    act.setToolTip(f"{spec.tip} ({spec.shortcuts[0]})" if spec.shortcuts else spec.tip)
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

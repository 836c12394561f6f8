"""The application's icon set: Material Design Icons from qtawesome (an icon font, so every icon
is drawn crisp at any size and screen scale).

:data:`ICONS` maps an action name (``MainWindow.actions`` and the features' ``actions`` keys) to
its icon; :func:`icon` makes the QIcon and :func:`set_icons` gives a group of actions theirs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from PySide6.QtGui import QAction, QIcon

# qtawesome draws through QtPy; QtPy must use the binding the application uses.
os.environ["QT_API"] = "pyside6"

# The glyph's em square fills the icon's height (qtawesome's default leaves an eighth empty).
SCALE = 8 / 7

ICONS: dict[str, str] = {
    # File
    "open": "mdi6.file-image-outline",
    "open_dir": "mdi6.folder-open-outline",
    "next_image": "mdi6.arrow-right-bold-box-outline",
    "prev_image": "mdi6.arrow-left-bold-box-outline",
    "save": "mdi6.content-save-outline",
    "save_as": "mdi6.content-save-edit-outline",
    "autosave": "mdi6.content-save-cog-outline",
    "delete_file": "mdi6.file-remove-outline",
    "close": "mdi6.close-box-outline",
    "quit": "mdi6.exit-to-app",
    # Edit
    "create_polygon": "mdi6.vector-polygon",
    "create_rectangle": "mdi6.vector-rectangle",
    "create_circle": "mdi6.vector-circle",
    "create_line": "mdi6.vector-line",
    "create_linestrip": "mdi6.vector-polyline",
    "create_point": "mdi6.vector-point",
    "edit_mode": "mdi6.cursor-default-outline",
    "edit_label": "mdi6.tag-edit-outline",
    "duplicate": "mdi6.content-duplicate",
    "copy": "mdi6.content-copy",
    "paste": "mdi6.content-paste",
    "delete": "mdi6.delete-outline",
    "select_all": "mdi6.select-all",
    "undo": "mdi6.undo",
    "redo": "mdi6.redo",
    # View
    "toggle_shapes": "mdi6.eye-outline",
    "zoom_in": "mdi6.magnify-plus-outline",
    "zoom_out": "mdi6.magnify-minus-outline",
    "zoom_original": "mdi6.numeric-1-box-outline",
    "fit_window": "mdi6.fit-to-screen-outline",
    "fit_width": "mdi6.arrow-expand-horizontal",
    "brightness_contrast": "mdi6.brightness-6",
    "crosshair": "mdi6.crosshairs",
    # Help
    "shortcuts": "mdi6.keyboard-outline",
    "about": "mdi6.information-outline",
    # Smart tools
    "grabcut": "mdi6.select-drag",
    "scissors": "mdi6.content-cut",
    "wand": "mdi6.auto-fix",
    "brush": "mdi6.brush",
    "eraser": "mdi6.eraser",
    "smaller_brush": "mdi6.minus-circle-outline",
    "larger_brush": "mdi6.plus-circle-outline",
    "merge": "mdi6.vector-union",
    "subtract": "mdi6.vector-difference-ab",
    "simplify": "mdi6.vector-polyline-minus",
    # AI tools
    "ai_polygon": "mdi6.creation",
    "ai_mask": "mdi6.texture-box",
    "ai_choose_model": "mdi6.head-cog-outline",
    "ai_download": "mdi6.download-outline",
    "ai_local_files": "mdi6.folder-download-outline",
    "ai_mirror": "mdi6.web",
    # Model
    "load_checkpoint": "mdi6.brain",
    "preannotate_image": "mdi6.robot-outline",
    "preannotate_all": "mdi6.image-multiple-outline",
    "accept_proposals": "mdi6.check-all",
    "confidence_overlay": "mdi6.layers-outline",
}


def icon(name: str) -> QIcon:
    """The icon of the action called ``name`` (KeyError when it has none).

    Needs a QApplication (the icon font is loaded into it on first use).
    """
    import qtawesome

    return qtawesome.icon(ICONS[name], scale_factor=SCALE)


def set_icons(actions: Mapping[str, QAction]) -> None:
    """Give every action of ``actions`` (name -> action) that has an icon in :data:`ICONS` its icon."""
    for name, act in actions.items():
        if name in ICONS:
            act.setIcon(icon(name))

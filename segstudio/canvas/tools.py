"""Tool base class and the tool table.

A tool receives the canvas's mouse and key events (already mapped to scene coordinates) and
turns them into commands on ``canvas.document``. Tools are chosen by name from
:data:`TOOLS` (``canvas.set_tool("polygon")``); a later module adds its own with
:func:`register_tool` (e.g. ``register_tool("brush", BrushTool)``).

Each tool class names the keys and mouse modifiers it handles in ``keys`` ((keys, what it does)
pairs, under its ``title``): Help > Shortcuts lists them from there. Both are English, marked
with ``QT_TRANSLATE_NOOP("Tools", ...)``; :func:`tool_title` and :func:`tool_keys` give them in
the user's language.

Handlers return True when they consumed the event. ``wants_key(event)`` lets a tool claim a
key that a window shortcut would otherwise take (e.g. Ctrl+Z while drawing a polygon).
Temporary drawing is shown with *preview items* added through :meth:`Tool.add_preview` and
removed with :meth:`Tool.clear_preview`.

Finished shapes go through :meth:`Canvas.finish_shape`, which asks the canvas's label
provider and then pushes ``AddShapes`` (see :mod:`segstudio.canvas.view`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QPointF, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGraphicsItem

if TYPE_CHECKING:
    from .view import Canvas


@dataclass
class ToolEvent:
    """A mouse event in scene coordinates."""

    pos: QPointF  # scene (image pixel) position, not clamped
    button: Qt.MouseButton
    buttons: Qt.MouseButton
    modifiers: Qt.KeyboardModifier

    @property
    def ctrl(self) -> bool:
        return bool(self.modifiers & Qt.KeyboardModifier.ControlModifier)

    @property
    def shift(self) -> bool:
        return bool(self.modifiers & Qt.KeyboardModifier.ShiftModifier)

    @property
    def alt(self) -> bool:
        return bool(self.modifiers & Qt.KeyboardModifier.AltModifier)


class Tool:
    """Base class: override the handlers you need."""

    name = ""
    title = ""  # shown in Help > Shortcuts
    keys: tuple[tuple[str, str], ...] = ()  # (keys, what they do) while this tool is active
    cursor = Qt.CursorShape.ArrowCursor
    creates_shapes = False

    def __init__(self, canvas: Canvas):
        # a weak reference: no canvas<->tool cycle, so a closed canvas is freed at once
        # instead of by a later garbage collection (which could run in another widget's paint)
        self._canvas = weakref.ref(canvas)
        self._preview: list[QGraphicsItem] = []

    @property
    def canvas(self) -> Canvas:
        return self._canvas()

    # life cycle
    def activate(self) -> None:
        """Called when the tool becomes current."""

    def deactivate(self) -> None:
        """Called when another tool is chosen or the document changes: drop any work in progress."""
        self.cancel()

    def cancel(self) -> None:
        """Abandon the shape being drawn (Esc)."""
        self.clear_preview()

    def options_changed(self) -> None:
        """Called when a tool setting (e.g. the brush radius) changed: refresh what shows it."""

    def is_busy(self) -> bool:
        """True while a shape is being drawn (Space then goes to the tool, not panning)."""
        return False

    # events
    def press(self, ev: ToolEvent) -> bool:
        return False

    def move(self, ev: ToolEvent) -> bool:
        return False

    def release(self, ev: ToolEvent) -> bool:
        return False

    def double_click(self, ev: ToolEvent) -> bool:
        return False

    def key_press(self, ev: QKeyEvent) -> bool:
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return False

    # preview helpers
    def add_preview(self, item: QGraphicsItem) -> QGraphicsItem:
        item.setZValue(1e9)
        self.canvas.scene().addItem(item)
        self._preview.append(item)
        return item

    def clear_preview(self) -> None:
        for item in self._preview:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self._preview.clear()


TOOLS: dict[str, type[Tool]] = {}


def register_tool(name: str, cls: type[Tool]) -> None:
    """Add (or replace) a tool in the table under ``name``."""
    cls.name = name
    TOOLS[name] = cls


def tool_title(cls: type[Tool]) -> str:
    """The tool's title in the user's language (its name when it has none)."""
    return QCoreApplication.translate("Tools", cls.title) if cls.title else cls.name


def tool_keys(cls: type[Tool]) -> list[tuple[str, str]]:
    """The tool's (keys, what they do) in the user's language."""
    return [(QCoreApplication.translate("Tools", k), QCoreApplication.translate("Tools", t)) for k, t in cls.keys]

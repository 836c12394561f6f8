"""The annotation canvas: view, image layer, shape items and tools.

Public API: :class:`Canvas` (``segstudio.canvas.view``), the tool table :data:`TOOLS`,
:func:`register_tool`, :class:`Tool`, :class:`ToolEvent`, :class:`ShapeItem`.
"""

from .shape_item import ShapeItem
from .tools import TOOLS, Tool, ToolEvent, register_tool
from .view import Canvas

__all__ = ["Canvas", "ShapeItem", "TOOLS", "Tool", "ToolEvent", "register_tool"]

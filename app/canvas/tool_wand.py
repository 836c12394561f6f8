"""Magic wand: click a region; a flood fill within the tolerance is previewed as a polygon.

- click: preview the region connected to the clicked pixel whose colour is within the
  tolerance of it (``OPTIONS.tolerance``, per channel, 4/8-connected: ``OPTIONS.connectivity``;
  see :mod:`segcore.interactive.wand`). Shift+click adds a region to the preview, Ctrl+click
  takes one away.
- Enter, Space or a double-click commits (label dialog, one undoable command); Esc discards.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from segcore.interactive import magic_wand_region
from segcore.polygons import geometry_to_shapes

from .smart_base import OPTIONS, SmartTool, to_full, tool_image
from .tools import ToolEvent, register_tool

_COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)


class WandTool(SmartTool):
    """The ``wand`` tool."""

    def is_busy(self) -> bool:
        return self.preview_geometry is not None

    def press(self, ev: ToolEvent) -> bool:
        if ev.button != Qt.MouseButton.LeftButton:
            return False
        image, scale = tool_image(self.canvas)
        w, h = self.canvas.image_size() or (0, 0)
        x, y = ev.pos.x(), ev.pos.y()
        if image is None or not (0 <= x < w and 0 <= y < h):
            return True
        hy, hx = image.shape[:2]
        seed = (min(int(x * scale), hx - 1), min(int(y * scale), hy - 1))
        region = magic_wand_region(image, seed, OPTIONS.tolerance, connectivity=OPTIONS.connectivity)
        geom = to_full(region.geometry(tolerance=OPTIONS.polygon_tolerance), scale)
        old = self.preview_geometry
        if old is not None and ev.shift:
            geom = old.union(geom)
        elif old is not None and ev.ctrl:
            geom = old.difference(geom)
        self.show_area(geom)
        return True

    def double_click(self, ev: ToolEvent) -> bool:
        if self.preview_geometry is not None:
            self.commit()
            return True
        return False

    def key_press(self, ev: QKeyEvent) -> bool:
        if self.preview_geometry is None:
            return False
        if ev.key() == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if ev.key() in _COMMIT_KEYS:
            self.commit()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return self.preview_geometry is not None and ev.key() in (Qt.Key.Key_Escape, *_COMMIT_KEYS)

    def commit(self) -> list[int]:
        """Add the previewed region as shapes (one per part; holes -> ``mask`` shapes)."""
        geom = self.preview_geometry
        self.cancel()
        if geom is None or geom.is_empty:
            return []
        return self.commit_new(geometry_to_shapes(geom, ""), "Magic wand")


register_tool("wand", WandTool)

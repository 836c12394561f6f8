"""Magic wand: click a region; a flood fill within the tolerance is previewed, then becomes
polygons.

- click: preview the region connected to the clicked pixel whose colour is within the
  tolerance of it (``OPTIONS.tolerance``, per channel, 4/8-connected: ``OPTIONS.connectivity``;
  see :mod:`segcore.interactive.wand`). Shift+click adds a region to the preview, Ctrl+click
  takes one away.
- Enter, Space or a double-click commits (label dialog, one undoable command): one polygon per
  part, ``mask`` shapes where a part has holes. Parts smaller than ``OPTIONS.min_area`` are
  dropped, in the preview too (specks of the clicked colour joined by one pixel corner would
  otherwise become polygons of their own; see :mod:`segcore.interactive.cleanup`); the largest
  part always stays. Esc discards.
The preview is the fill's mask drawn as an overlay (no tracing), so a click costs the flood fill
only; tracing happens once, on commit, on at most :data:`MAX_PIXELS` pixels (a larger region is
traced on a shrunk copy).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QKeyEvent

from segcore.data.polygons import geometry_to_shapes
from segcore.interactive import RegionMask, magic_wand_region

from .smart_base import OPTIONS, SmartTool, ends_drawing, to_full, tool_image
from .tools import ToolEvent, register_tool

_COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
MAX_PIXELS = 1_000_000


class WandTool(SmartTool):
    """The ``wand`` tool; ``region`` is the selection (held-image pixels) before its small
    parts are dropped."""

    title = QT_TRANSLATE_NOOP("Tools", "Magic wand")
    keys = (
        (QT_TRANSLATE_NOOP("Tools", "Click"),
         QT_TRANSLATE_NOOP("Tools", "Select the region of similar colour")),
        (QT_TRANSLATE_NOOP("Tools", "Shift+Click"),
         QT_TRANSLATE_NOOP("Tools", "Add a region to the selection")),
        (QT_TRANSLATE_NOOP("Tools", "Ctrl+Click"),
         QT_TRANSLATE_NOOP("Tools", "Take a region away from the selection")),
        (QT_TRANSLATE_NOOP("Tools", "Enter, Space, double-click"),
         QT_TRANSLATE_NOOP("Tools", "Make the selection shapes")),
        (QT_TRANSLATE_NOOP("Tools", "Esc"),
         QT_TRANSLATE_NOOP("Tools", "Drop the selection")),
    )

    def __init__(self, canvas):
        super().__init__(canvas)
        self.region: RegionMask | None = None
        self._scale = 1.0
        self._parts = False  # the selection combines several clicks: it may have several parts

    def is_busy(self) -> bool:
        return self.region is not None

    def cancel(self) -> None:
        self.region = None
        super().cancel()

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
        combined = self.region is not None and (ev.shift or ev.ctrl)
        if combined and ev.shift:
            region = self.region.combine(region, "add")
        elif combined:
            region = self.region.combine(region, "subtract")
        self._parts = combined
        self.region, self._scale = region, scale
        self.show_mask(self._kept(), scale)
        return True

    def _kept(self) -> RegionMask | None:
        """The selection less its parts below the minimum area (held-image pixels); one flood
        fill is one connected part, kept as it is."""
        if self.region is None or not self._parts:
            return self.region
        return self.region.without_small_components(OPTIONS.min_area * self._scale**2, keep_largest=True)

    def options_changed(self) -> None:
        if self.region is not None:
            self.show_mask(self._kept(), self._scale)

    def double_click(self, ev: ToolEvent) -> bool:
        if self.region is not None:
            self.commit()
            return True
        return False

    def key_press(self, ev: QKeyEvent) -> bool:
        if self.region is None:
            return False
        if ev.key() == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if ev.key() in _COMMIT_KEYS:
            self.commit()
            return True
        return False

    def wants_key(self, ev: QKeyEvent) -> bool:
        return self.region is not None and ev.key() in (Qt.Key.Key_Escape, *_COMMIT_KEYS)

    @ends_drawing
    def commit(self) -> list[int]:
        """Trace the previewed region and add it as shapes."""
        region, scale = self.region, self._scale
        if region is None or not region.mask.any():
            return []
        geom = region.geometry(tolerance=OPTIONS.polygon_tolerance, max_pixels=MAX_PIXELS,
                               min_area=OPTIONS.min_area * scale**2, keep_largest=True)
        return self.commit_new(geometry_to_shapes(to_full(geom, scale), ""), QT_TRANSLATE_NOOP("UndoCommand", "Magic wand"))


register_tool("wand", WandTool)

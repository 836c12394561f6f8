"""The image side of the canvas (a mixin of :class:`segstudio.canvas.view.Canvas`): showing an
array or a file, the background pyramid build for detailed upgrades, display-only
brightness/contrast, pixel values, and the idle-time prefetch of tiles and shape paths.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QGraphicsView

from .image_layer import REDUCED_ABOVE_PIXELS, build_levels, read_for_display

ASYNC_ABOVE_PIXELS = REDUCED_ABOVE_PIXELS


class ImageMixin(QGraphicsView):
    """Expects ``image_layer``, ``shape_layer``, ``document``, ``_image_gen``, ``_image_doc``,
    ``_levelsBuilt``, ``imageReady``, ``_warm_timer``, ``_warm_budget`` and
    ``_update_scene_rect()`` on the class it is mixed into."""

    def set_image(self, rgb: np.ndarray | None, full_size: tuple[int, int] | None = None) -> None:
        """Show an RGB uint8 array (``full_size`` when it is a reduced copy); None clears.

        A large array (over ``ASYNC_ABOVE_PIXELS``) that upgrades the image already shown (same
        ``full_size``, same document, e.g. the detailed decode after a reduced first view) gets its pyramid
        built in a worker thread; the current view stays until it is ready
        (``imageReady`` is emitted then), so the GUI never blocks on it.
        """
        self._image_gen += 1
        if rgb is None:
            self.image_layer.clear()
        else:
            full = tuple(full_size) if full_size is not None else (rgb.shape[1], rgb.shape[0])
            shown_for = self._image_doc() if self._image_doc is not None else None
            upgrade = (not self.image_layer.is_empty() and self.image_layer.full_size == full
                       and shown_for is self.document)
            self._image_doc = weakref.ref(self.document) if self.document is not None else None
            if upgrade and rgb.shape[0] * rgb.shape[1] > ASYNC_ABOVE_PIXELS:
                gen = self._image_gen
                threading.Thread(target=self._build_async, args=(rgb, full, gen), daemon=True).start()
                return
            self.image_layer.set_image(rgb, full)
        self._image_shown()

    def _build_async(self, rgb: np.ndarray, full: tuple[int, int], gen: int) -> None:
        try:
            levels = build_levels(rgb)
        except Exception:  # noqa: BLE001 - keep the reduced view; nothing the user made is touched
            return
        try:
            self._levelsBuilt.emit((levels, full, gen))
        except RuntimeError:  # the canvas was closed meanwhile
            pass

    def _on_levels_built(self, payload) -> None:
        levels, full, gen = payload
        if gen != self._image_gen:
            return  # a newer image replaced this one meanwhile
        self.image_layer.set_levels(levels, full)
        self._image_shown()

    def _image_shown(self) -> None:
        self._update_scene_rect()
        self.viewport().update()
        self._schedule_warm(0)
        self.imageReady.emit()

    def load_image(self, path: str | Path) -> None:
        """Decode ``path`` for display now (reduced when huge) on the calling thread."""
        rgb, full = read_for_display(path)
        self.set_image(rgb, full)

    def image_size(self) -> tuple[int, int] | None:
        if not self.image_layer.is_empty():
            return self.image_layer.full_size
        return self.document.image_size() if self.document is not None else None

    def set_brightness_contrast(self, brightness: float = 1.0, contrast: float = 1.0) -> None:
        """Display only (1.0 = unchanged)."""
        self.image_layer.set_brightness_contrast(brightness, contrast)
        self.resetCachedContent()
        self.viewport().update()

    def pixel_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        return self.image_layer.pixel(x, y)

    def _schedule_warm(self, delay_ms: int) -> None:
        self._warm_budget = 0.05 if delay_ms == 0 else 0.01
        self._warm_timer.start(delay_ms)

    def _warm(self) -> None:
        """Idle-time prefetch: the image tiles and shape paths of this zoom and its
        neighbours (one 30 ms slice per event-loop turn until done)."""
        z = self.zoom()
        zooms = [z / 2, z / 1.4, z, z * 1.4, z * 2]
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        grown = visible.adjusted(-visible.width() / 2, -visible.height() / 2, visible.width() / 2, visible.height() / 2)
        lods = sorted({self.shape_layer.lod_for_zoom(x) for x in zooms})
        done = self.shape_layer.warm(lods, self._warm_budget)
        done = self.image_layer.warm(grown, zooms, self._warm_budget) and done
        if not done:
            self._warm_timer.start(0)


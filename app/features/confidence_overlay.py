"""The model's per-pixel confidence drawn over the image: transparent where the model is sure,
increasingly opaque orange-red where it is not, so the user sees where to look first.

A ``QGraphicsPixmapItem`` in the canvas scene (scene units = image pixels) below the shapes.
Images larger than :data:`MAX_SIDE` get a reduced overlay scaled up to the image.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem

MAX_SIDE = 2048
MAX_ALPHA = 190


def confidence_rgba(confidence: np.ndarray, num_classes: int) -> tuple[np.ndarray, float]:
    """RGBA uint8 (h, w, 4) for a confidence map, and the scale from it to the image.

    Uncertainty is ``1 - confidence`` rescaled so chance level (``1 / num_classes``) is fully
    uncertain; its square sets the alpha (confident pixels stay clear)."""
    conf = np.asarray(confidence, np.float32)
    step = max(1, int(np.ceil(max(conf.shape) / MAX_SIDE)))
    small = conf[::step, ::step]
    floor = 1.0 / max(2, num_classes)
    u = np.clip((1.0 - small) / (1.0 - floor), 0.0, 1.0)
    rgba = np.empty(small.shape + (4,), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 1] = (140 * (1 - u)).astype(np.uint8)
    rgba[..., 2] = 0
    rgba[..., 3] = (MAX_ALPHA * u * u).astype(np.uint8)
    return rgba, float(step)


class ConfidenceOverlay:
    """Owns the overlay item of one canvas; :meth:`show_map`, :meth:`clear`, :meth:`set_visible`."""

    def __init__(self, canvas) -> None:
        self.canvas = canvas
        self.item: QGraphicsPixmapItem | None = None
        self.visible = False
        self.image_path: str | None = None
        self._rgba: np.ndarray | None = None  # keeps the QImage's buffer alive

    def show_map(self, confidence: np.ndarray, num_classes: int, image_path: str | None) -> None:
        """Replace the overlay with ``confidence`` (H, W) of the image at ``image_path``."""
        self.clear()
        rgba, scale = confidence_rgba(confidence, num_classes)
        self._rgba = np.ascontiguousarray(rgba)
        h, w = self._rgba.shape[:2]
        qimg = QImage(self._rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
        self.item = QGraphicsPixmapItem(QPixmap.fromImage(qimg))
        self.item.setData(0, "confidence_overlay")
        self.item.setScale(scale)
        self.item.setZValue(-1)  # above the image (painted as background), below every shape
        self.item.setVisible(self.visible)
        self.canvas.scene().addItem(self.item)
        self.image_path = image_path

    def set_visible(self, on: bool) -> None:
        self.visible = bool(on)
        if self.item is not None:
            self.item.setVisible(self.visible)

    def clear(self) -> None:
        if self.item is not None:
            scene = self.item.scene()
            if scene is not None:
                scene.removeItem(self.item)
            self.item = None
        self._rgba = None
        self.image_path = None

    def pixel_alpha(self, x: int, y: int) -> int:
        """The overlay's alpha at image pixel (x, y) (0 where there is no overlay)."""
        if self.item is None or self._rgba is None:
            return 0
        s = int(self.item.scale())
        return int(self._rgba[min(y // s, self._rgba.shape[0] - 1), min(x // s, self._rgba.shape[1] - 1), 3])

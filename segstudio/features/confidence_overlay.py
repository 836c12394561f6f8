"""The model's per-pixel confidence drawn over the image: transparent where the model is sure,
increasingly opaque orange-red where it is not, so the user sees where to look first.

Two sources: the map of a prediction just made for the open image (:meth:`show_map`), or,
for any image whose document holds scored model proposals (pre-annotated by the folder run,
the command line or another tool), the confidence those proposals stand for
(:func:`segcore.data.review.proposal_confidence`: each proposal's score over its pixels), followed
live as proposals are accepted or removed (:meth:`set_document`).

A ``QGraphicsPixmapItem`` in the canvas scene (scene units = image pixels) below the shapes.
Images larger than :data:`MAX_SIDE` get a reduced overlay scaled up to the image.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem

from segcore.data.review import proposal_confidence, scored_proposals
from segstudio.workers import run_in_thread

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


def _proposals_map(shapes, height: int, width: int) -> tuple[np.ndarray, int] | None:
    """Worker: the proposals' confidence map at most :data:`MAX_SIDE` wide, and its step."""
    return proposal_confidence(shapes, height, width, max_side=MAX_SIDE)


class ConfidenceOverlay:
    """Owns the overlay item of one canvas; :meth:`show_map`, :meth:`set_document`,
    :meth:`clear`, :meth:`set_visible`. ``source`` is ``"model"``, ``"proposals"`` or None."""

    def __init__(self, canvas) -> None:
        self.canvas = canvas
        self.item: QGraphicsPixmapItem | None = None
        self.visible = False
        self.image_path: str | None = None
        self.source: str | None = None
        self.document = None
        self._rgba: np.ndarray | None = None  # keeps the QImage's buffer alive
        self._request = 0  # the latest proposals map asked for (older results are dropped)
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._update_from_proposals)

    # ------------------------------------------------------------------ the open document
    def set_document(self, doc) -> None:
        """Follow ``doc``: without a model map for its image, show the confidence of its scored
        proposals, updated when its shapes change (None: follow nothing)."""
        if self.document is not None:
            for sig in (self.document.shapesChanged, self.document.shapeChanged):
                try:
                    sig.disconnect(self._schedule)
                except (RuntimeError, TypeError):
                    pass
        self.document = doc
        if doc is not None:
            for sig in (doc.shapesChanged, doc.shapeChanged):
                sig.connect(self._schedule)
        self._update_from_proposals()

    def _schedule(self, *_args) -> None:
        self._timer.start()  # once after a burst of edits

    def _update_from_proposals(self) -> None:
        doc = self.document
        path = str(doc.image_path) if doc is not None and doc.image_path is not None else None
        if self.source == "model" and self.image_path == path and path is not None:
            return  # the model's own per-pixel map of this image is better
        self._request += 1
        if not self.visible:  # made when the overlay is turned on
            if self.source == "proposals":
                self.clear()
            return
        size = doc.image_size() if doc is not None else None
        shapes = [s.copy() for s in scored_proposals(doc.shapes)] if doc is not None and size else []
        if not shapes:
            if self.source == "proposals" or self.image_path != path:
                self.clear()
            return
        request = self._request
        labels = {s.label for s in shapes}

        def done(result) -> None:
            if request != self._request:
                return
            if result is None:
                self.clear()
                return
            conf, step = result
            self.show_map(conf, len(labels) + 1, path, scale=step, source="proposals")

        run_in_thread(_proposals_map, shapes, size[1], size[0], on_done=done)

    # ------------------------------------------------------------------ the item
    def show_map(self, confidence: np.ndarray, num_classes: int, image_path: str | None, *,
                 scale: float = 1.0, source: str = "model") -> None:
        """Replace the overlay with ``confidence`` of the image at ``image_path``: (H, W), or
        reduced by ``scale`` (each value covers ``scale`` x ``scale`` image pixels)."""
        self.clear()
        if source == "model":
            self._request += 1  # a proposals map still being made is no longer wanted
        rgba, step = confidence_rgba(confidence, num_classes)
        scale = step * scale
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
        self.source = source

    def set_visible(self, on: bool) -> None:
        """Show or hide the overlay (the proposals' map is made only while it is shown)."""
        self.visible = bool(on)
        if self.item is not None:
            self.item.setVisible(self.visible)
        elif self.visible:
            self._update_from_proposals()

    def clear(self) -> None:
        if self.item is not None:
            scene = self.item.scene()
            if scene is not None:
                scene.removeItem(self.item)
            self.item = None
        self._rgba = None
        self.image_path = None
        self.source = None

    def pixel_alpha(self, x: int, y: int) -> int:
        """The overlay's alpha at image pixel (x, y) (0 where there is no overlay)."""
        if self.item is None or self._rgba is None:
            return 0
        s = max(1, int(self.item.scale()))
        return int(self._rgba[min(y // s, self._rgba.shape[0] - 1), min(x // s, self._rgba.shape[1] - 1), 3])

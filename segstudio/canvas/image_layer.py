"""The image under the shapes: a tiled mip-map pyramid painted by the canvas background.

Scene coordinates are full-resolution image pixels whatever resolution is held: an image can
be shown from a reduced decode (``scale`` = held / full) and upgraded later with
:meth:`ImageLayer.set_image`. Painting draws only the tiles that intersect the exposed rect,
from the pyramid level closest to (and not coarser than) the screen resolution, so a frame
costs about one screenful of pixels at any zoom. Zoomed in past 1:1 the pixels are drawn
without smoothing (crisp); zoomed out they are smoothed.

Brightness and contrast change the display only (a lookup table applied when a tile is made).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

TILE = 512
_CACHE_BYTES = 320 * 1024 * 1024
# Images above this many pixels are first shown from a reduced decode.
REDUCED_ABOVE_PIXELS = 24_000_000
REDUCED_MAX_SIDE = 2048  # JPEG draft decode at 1/8 for a 20000 px photo: the fast first view
# Full-resolution decodes above this are held at half resolution (memory bound).
FULL_MAX_PIXELS = 120_000_000


def _half(a: np.ndarray) -> np.ndarray:
    import cv2

    h, w = a.shape[:2]
    return cv2.resize(a, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)


def build_levels(rgb: np.ndarray) -> list[np.ndarray]:
    """The BGRA pyramid of an (H, W, 3) uint8 RGB image (level k halves level k-1 until the
    longer side fits one tile). Pure numpy/OpenCV: safe in a worker thread."""
    import cv2

    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {rgb.shape} {rgb.dtype}")
    levels = [cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGRA)]
    while max(levels[-1].shape[:2]) > TILE:
        levels.append(_half(levels[-1]))
    return levels


class ImageLayer:
    """Holds the pyramid and paints it; ``canvas.image_layer``.

    Levels are kept as BGRA ``uint8`` arrays (the byte order of ``QImage.Format_RGB32``), so a
    tile is a ``QImage`` *view* into the array: no copy and no format conversion per tile.
    """

    def __init__(self) -> None:
        self._bgra: list[np.ndarray] = []  # BGRA (QImage.Format_RGB32 byte order)
        self.base_scale = 1.0  # held level-0 pixels per full-res pixel
        self.full_size: tuple[int, int] = (0, 0)
        self.brightness = 1.0
        self.contrast = 1.0
        self._lut: np.ndarray | None = None
        self._mean = 128.0
        self._tiles: OrderedDict[tuple[int, int, int], QImage] = OrderedDict()
        self._costs: dict[tuple[int, int, int], int] = {}
        self._tile_bytes = 0

    # ------------------------------------------------------------------ content
    @property
    def levels(self) -> list[np.ndarray]:
        """The pyramid as (H, W, 3) RGB views (zero-copy, not C-contiguous: use
        ``np.ascontiguousarray`` before OpenCV). ``levels[0]`` is the finest pixels held; its
        scale to full resolution is :attr:`base_scale`."""
        return [a[..., 2::-1] for a in self._bgra]

    def is_empty(self) -> bool:
        return not self._bgra

    def clear(self) -> None:
        self._drop_tiles()
        self._bgra = []
        self.full_size = (0, 0)

    def set_image(self, rgb: np.ndarray, full_size: tuple[int, int] | None = None) -> None:
        """Show ``rgb`` (H, W, 3) uint8; ``full_size`` = (W, H) of the real image when ``rgb``
        is a reduced copy."""
        self.set_levels(build_levels(rgb), full_size)

    def set_levels(self, levels: list[np.ndarray], full_size: tuple[int, int] | None = None) -> None:
        """Show a pyramid made by :func:`build_levels` (cheap: any thread may build it)."""
        h, w = levels[0].shape[:2]
        fw, fh = full_size if full_size is not None else (w, h)
        self._drop_tiles()
        self.full_size = (int(fw), int(fh))
        self.base_scale = w / fw
        self._bgra = levels
        small = levels[-1][..., :3]
        self._mean = float(small.mean()) if small.size else 128.0
        if self._lut is not None:
            self.set_brightness_contrast(self.brightness, self.contrast)

    def set_brightness_contrast(self, brightness: float = 1.0, contrast: float = 1.0) -> None:
        """Display-only factors as LabelMe's (1.0 = unchanged; PIL ImageEnhance semantics)."""
        self.brightness, self.contrast = float(brightness), float(contrast)
        if self.brightness == 1.0 and self.contrast == 1.0:
            self._lut = None
        else:
            v = np.arange(256, dtype=np.float32) * self.brightness
            mean = self._mean * self.brightness
            v = mean + self.contrast * (v - mean)
            lut = np.clip(np.rint(v), 0, 255).astype(np.uint8)
            # per BGRA channel, shaped for cv2.LUT on a 4-channel image
            self._lut = np.stack([lut, lut, lut, np.full(256, 255, np.uint8)], axis=1).reshape(1, 256, 4)
        self._drop_tiles()

    def pixel(self, x: float, y: float) -> tuple[int, int, int] | None:
        """RGB at full-res pixel (x, y) from the finest level held (None outside)."""
        if not self._bgra:
            return None
        fw, fh = self.full_size
        if not (0 <= x < fw and 0 <= y < fh):
            return None
        a = self._bgra[0]
        i = min(int(y * self.base_scale), a.shape[0] - 1)
        j = min(int(x * self.base_scale), a.shape[1] - 1)
        b, g, r = (int(c) for c in a[i, j, :3])
        return r, g, b

    # ------------------------------------------------------------------ painting
    def paint(self, painter: QPainter, exposed: QRectF) -> None:
        """Draw the tiles intersecting ``exposed`` (scene coordinates)."""
        if not self._bgra:
            return
        view_scale = abs(painter.worldTransform().m11()) or 1.0
        k = self.level_for_zoom(view_scale)  # coarsest level with at least screen resolution
        level_scale = self._level_scale(k)
        smooth = view_scale < level_scale * 0.999
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        aa = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # no seams between tiles
        a = self._bgra[k]
        h, w = a.shape[:2]
        x0 = max(0, int(exposed.left() * level_scale) // TILE)
        y0 = max(0, int(exposed.top() * level_scale) // TILE)
        x1 = min((w - 1) // TILE, int(exposed.right() * level_scale) // TILE)
        y1 = min((h - 1) // TILE, int(exposed.bottom() * level_scale) // TILE)
        inv = 1.0 / level_scale
        for ty in range(y0, y1 + 1):
            for tx in range(x0, x1 + 1):
                img = self._tile(k, tx, ty)
                sx, sy = tx * TILE, ty * TILE
                target = QRectF(sx * inv, sy * inv, img.width() * inv, img.height() * inv)
                painter.drawImage(target, img, QRectF(0, 0, img.width(), img.height()))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa)

    def level_for_zoom(self, zoom: float) -> int:
        """The pyramid level :meth:`paint` uses at ``zoom``."""
        k = 0
        while k + 1 < len(self._bgra) and self._level_scale(k + 1) >= zoom:
            k += 1
        return k

    def warm(self, rect: QRectF, zooms: list[float], budget_s: float = 0.03) -> bool:
        """Make the tiles that ``rect`` (scene) needs at ``zooms`` ahead of painting, for up
        to ``budget_s`` seconds; True when all are made."""
        import time

        if not self._bgra:
            return True
        end = time.perf_counter() + budget_s
        for k in sorted({self.level_for_zoom(z) for z in zooms}, reverse=True):
            ls = self._level_scale(k)
            h, w = self._bgra[k].shape[:2]
            x0 = max(0, int(rect.left() * ls) // TILE)
            y0 = max(0, int(rect.top() * ls) // TILE)
            x1 = min((w - 1) // TILE, int(rect.right() * ls) // TILE)
            y1 = min((h - 1) // TILE, int(rect.bottom() * ls) // TILE)
            for ty in range(y0, y1 + 1):
                for tx in range(x0, x1 + 1):
                    if (k, tx, ty) not in self._tiles:
                        self._tile(k, tx, ty)
                        if time.perf_counter() > end:
                            return False
        return True

    def _level_scale(self, k: int) -> float:
        a0, ak = self._bgra[0], self._bgra[k]
        return self.base_scale * ak.shape[1] / a0.shape[1]

    def _tile(self, k: int, tx: int, ty: int) -> QImage:
        key = (k, tx, ty)
        img = self._tiles.get(key)
        if img is not None:
            self._tiles.move_to_end(key)
            return img
        level = self._bgra[k]
        h, w = level.shape[:2]
        x0, y0 = tx * TILE, ty * TILE
        tw, th = min(TILE, w - x0), min(TILE, h - y0)
        if self._lut is None:
            # a view into the level array (kept alive by self._bgra): no copy
            stride = level.strides[0]
            buf = memoryview(level.reshape(-1))[y0 * stride + x0 * 4:]
            img = QImage(buf, tw, th, stride, QImage.Format.Format_RGB32)
            cost = 64
        else:
            import cv2

            a = np.ascontiguousarray(cv2.LUT(level[y0:y0 + th, x0:x0 + tw], self._lut))
            img = QImage(a.data, tw, th, a.strides[0], QImage.Format.Format_RGB32).copy()
            cost = tw * th * 4
        self._tiles[key] = img
        self._costs[key] = cost
        self._tile_bytes += cost
        while self._tile_bytes > _CACHE_BYTES and len(self._tiles) > 1:
            old, _ = self._tiles.popitem(last=False)
            self._tile_bytes -= self._costs.pop(old)
        return img

    def _drop_tiles(self) -> None:
        self._tiles.clear()
        self._costs.clear()
        self._tile_bytes = 0


# ---------------------------------------------------------------------- loading


def read_for_display(path: str | Path, *, reduced: bool | None = None) -> tuple[np.ndarray, tuple[int, int]]:
    """Decode an image for the first view: ``(rgb, (full_w, full_h))``.

    Large images (``> REDUCED_ABOVE_PIXELS``, or ``reduced=True``) come from a fast reduced
    decode (``segcore.io.imageio.read_image_reduced``); others at full resolution.
    """
    from segcore.io import imageio

    fw, fh = imageio.image_size(path)
    if reduced is None:
        reduced = fw * fh > REDUCED_ABOVE_PIXELS
    if reduced:
        rgb, _ = imageio.read_image_reduced(path, REDUCED_MAX_SIDE)
    else:
        rgb = imageio.read_image(path)
    return rgb, (fw, fh)


def read_full(path: str | Path) -> tuple[np.ndarray, tuple[int, int]]:
    """The detailed decode that replaces a reduced first view (half resolution when the image
    exceeds ``FULL_MAX_PIXELS``, to bound memory)."""
    from segcore.io import imageio

    fw, fh = imageio.image_size(path)
    if fw * fh > FULL_MAX_PIXELS:
        side = max(fw, fh) // 2
        rgb, _ = imageio.read_image_reduced(path, side)
    else:
        rgb = imageio.read_image(path, max_pixels=max(fw * fh, imageio.DEFAULT_MAX_PIXELS))
    return rgb, (fw, fh)

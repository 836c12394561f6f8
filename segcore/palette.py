"""The VOC colour palette: one colour per class id, shared by the GUI and the exporters."""

from __future__ import annotations

import numpy as np

IGNORE_COLOUR = (224, 224, 192)


def voc_colour(index: int) -> tuple[int, int, int]:
    """Colour of class ``index`` in the Pascal VOC palette (bit k of i sets bit 7-k of R, G, B)."""
    r = g = b = 0
    i = index
    for k in range(8):
        r |= ((i >> 0) & 1) << (7 - k)
        g |= ((i >> 1) & 1) << (7 - k)
        b |= ((i >> 2) & 1) << (7 - k)
        i >>= 3
    return r, g, b


def voc_palette(n: int = 256) -> np.ndarray:
    """An ``(n, 3)`` uint8 array of VOC colours for ids ``0..n-1``."""
    return np.array([voc_colour(i) for i in range(n)], dtype=np.uint8)


def palette_bytes() -> bytes:
    """The 768-byte palette for a mode "P" PNG (PIL ``putpalette``)."""
    return voc_palette(256).tobytes()

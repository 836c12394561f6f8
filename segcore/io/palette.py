"""Label colours: the VOC palette (one colour per class id, shared by the GUI and the
exporters) and :func:`label_colour`, a colour that depends on a label's name alone."""

from __future__ import annotations

import colorsys
import zlib

import numpy as np

IGNORE_INDEX = 255
"""Class id of pixels that are neither scored nor trained on (painted :data:`IGNORE_COLOUR`)."""
IGNORE_COLOUR = (224, 224, 192)

# label_colour's palette: 24 hues 15 degrees apart, each in three saturation / value steps,
# all bright enough to read on a photo and far from the black of the background
_HUES = 24
_TONES = ((1.0, 1.0), (0.6, 1.0), (1.0, 0.7))


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


def label_colour(name: str) -> tuple[int, int, int]:
    """The colour of the label ``name`` when no labels file fixes it: chosen from 72 distinct
    colours by the CRC-32 of the UTF-8 name, so it is the same in every folder, on every run
    and whatever other labels exist."""
    code = zlib.crc32(name.encode("utf-8"))
    hue = (code % _HUES) / _HUES
    sat, val = _TONES[(code // _HUES) % len(_TONES)]
    r, g, b = colorsys.hsv_to_rgb(hue, sat, val)
    return round(r * 255), round(g * 255), round(b * 255)

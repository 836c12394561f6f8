"""Promptable segmentation (SAM family): encode an image once, then prompt it in milliseconds.

- :class:`PromptableModel`: ``encode(image) -> Embedding`` (the slow part: seconds, run it in
  the background) and ``predict(embedding, points, labels, box) -> (mask, score)`` (the fast
  part: a few milliseconds per prompt). Points are ``(x, y)`` in the encoded image's pixels,
  labels 1 (the object) or 0 (not the object); ``box`` is ``(x0, y0, x1, y1)``.
- Models are chosen by name through :func:`segcore.interactive.sam_models.load_model`.
- :class:`EmbeddingCache`: the embeddings of the last few images (thread-safe LRU).
- :func:`prompt_region`: a prediction as a :class:`RegionMask` cropped to the object, the
  form every interactive tool hands on to :mod:`segcore.data.polygons`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from segcore.interactive.region import RegionMask

Point = tuple[float, float]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Embedding:
    """What :meth:`PromptableModel.encode` made of one image (``data`` belongs to the model)."""

    model: str
    height: int  # the encoded image's size: prompts and masks use its pixels
    width: int
    data: Any


class PromptableModel(Protocol):
    """A model that turns point and box prompts on an encoded image into a mask."""

    name: str

    def encode(self, image: np.ndarray) -> Embedding:
        """Encode an RGB uint8 ``(h, w, 3)`` image (slow: call it off the GUI thread)."""
        ...

    def predict(self, embedding: Embedding, points: Sequence[Point], labels: Sequence[int],
                box: Box | None = None) -> tuple[np.ndarray, float | None]:
        """``(mask, score)``: a bool ``(height, width)`` mask of the embedding's image and the
        model's confidence (None when the model gives none)."""
        ...


class ModelError(RuntimeError):
    """A model that cannot be used: unknown name, missing package or weights (message says which)."""


def check_prompt(points: Sequence[Point], labels: Sequence[int], box: Box | None) -> None:
    """``ValueError`` for a prompt a model cannot take (no prompt, labels not matching points)."""
    if len(points) != len(labels):
        raise ValueError(f"{len(points)} points but {len(labels)} labels")
    if any(v not in (0, 1) for v in labels):
        raise ValueError(f"point labels must be 0 (not the object) or 1 (the object), got {list(labels)}")
    if not points and box is None:
        raise ValueError("a prompt needs at least one point or a box")
    if box is not None and (box[2] <= box[0] or box[3] <= box[1]):
        raise ValueError(f"box {box} is empty (x1 <= x0 or y1 <= y0)")


def prompt_region(model: PromptableModel, embedding: Embedding, points: Sequence[Point] = (),
                  labels: Sequence[int] = (), box: Box | None = None) -> tuple[RegionMask, float | None]:
    """The predicted mask cropped to its bounding box (an empty 0x0 region when nothing was found)."""
    check_prompt(points, labels, box)
    mask, score = model.predict(embedding, list(points), list(labels), box)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (embedding.height, embedding.width):
        raise ValueError(f"model {model.name!r} returned a {mask.shape} mask for a "
                         f"{embedding.height}x{embedding.width} image")
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return RegionMask(np.zeros((0, 0), bool)), score
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    return RegionMask(mask[y0:y1, x0:x1].copy(), int(x0), int(y0)), score


class EmbeddingCache:
    """The embeddings of the last ``capacity`` images, by key (e.g. the image path)."""

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Embedding] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Embedding | None:
        """The embedding stored under ``key`` (now the most recently used) or None."""
        with self._lock:
            emb = self._items.get(key)
            if emb is not None:
                self._items.move_to_end(key)
            return emb

    def put(self, key: str, embedding: Embedding) -> None:
        """Store ``embedding``; the least recently used one goes when the cache is full."""
        with self._lock:
            self._items[key] = embedding
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every embedding (another model was chosen)."""
        with self._lock:
            self._items.clear()

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._items

    def keys(self) -> list[str]:
        """Keys from the least to the most recently used."""
        with self._lock:
            return list(self._items)

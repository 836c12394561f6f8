"""A generated LabelMe folder for training tests: coloured squares and discs on noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from segcore.io.annotation import Shape, new_annotation, save


def make_dataset(root: Path, n: int = 8, size: int = 48, seed: int = 0) -> Path:
    """``n`` images ``size`` x ``size`` with one red square and one blue disc each, labelled."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(n):
        img = rng.integers(90, 140, (size, size, 3)).astype(np.uint8)
        s = int(rng.integers(size // 5, size // 3))
        x0, y0 = int(rng.integers(0, size // 2 - s // 2)), int(rng.integers(0, size - s - 1))
        img[y0 : y0 + s + 1, x0 : x0 + s + 1] = (220, 40, 40)
        r = int(rng.integers(size // 8, size // 5))
        cx, cy = int(rng.integers(size // 2 + r, size - r)), int(rng.integers(r, size - r))
        img[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = (40, 40, 220)
        image_path = root / f"img_{i:03d}.png"
        Image.fromarray(img).save(image_path)
        json_path = image_path.with_suffix(".json")
        ann = new_annotation(image_path, json_path, size, size)
        ann.shapes = [
            Shape("square", [(x0, y0), (x0 + s, y0 + s)], shape_type="rectangle"),
            Shape("disc", [(cx, cy), (cx + r, cy)], shape_type="circle"),
        ]
        save(ann, json_path)
    return root

"""Generated LabelMe folders for the end-to-end and bad-input tests (written as raw JSON dicts,
the way LabelMe writes them, so the tests do not depend on :mod:`segcore.io.annotation` to save)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

CLASSES = ("car", "person", "tree")


def labelme_dict(image_name: str, width: int, height: int, shapes: list[dict]) -> dict:
    """A LabelMe 5.x file's content."""
    return {"version": "5.4.1", "flags": {}, "shapes": shapes, "imagePath": image_name,
            "imageData": None, "imageHeight": height, "imageWidth": width}


def shape_dict(label: str, points, shape_type: str = "polygon") -> dict:
    """A LabelMe shape entry."""
    return {"label": label, "points": [[float(x), float(y)] for x, y in points], "group_id": None,
            "description": "", "shape_type": shape_type, "flags": {}, "mask": None}


def make_folder(root: Path, *, labelled: int = 10, unlabelled: int = 2, size: int = 64,
                classes: tuple[str, ...] = CLASSES, seed: int = 0) -> Path:
    """``labelled`` PNG images with LabelMe JSON (one shape per class, drawn in the image) plus
    ``unlabelled`` images without JSON. Class k is a polygon (car), rectangle (person) or
    circle (tree), each in its own colour on a noisy grey background."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    colours = [(220, 40, 40), (40, 200, 40), (40, 40, 220)]
    for i in range(labelled + unlabelled):
        arr = rng.integers(90, 140, (size, size, 3)).astype(np.uint8)
        img = Image.fromarray(arr)
        draw = ImageDraw.Draw(img)
        shapes = []
        for k, label in enumerate(classes):
            x0 = int(rng.integers(2, size - 24))
            y0 = int(rng.integers(2, size - 24))
            s = int(rng.integers(12, 20))
            kind = ("polygon", "rectangle", "circle")[k % 3]
            if kind == "polygon":
                pts = [(x0, y0 + s), (x0 + s // 2, y0), (x0 + s, y0 + s)]
                draw.polygon(pts, fill=colours[k % 3])
            elif kind == "rectangle":
                pts = [(x0, y0), (x0 + s, y0 + s)]
                draw.rectangle(pts, fill=colours[k % 3])
            else:
                r = s // 2
                pts = [(x0 + r, y0 + r), (x0 + 2 * r, y0 + r)]
                draw.ellipse([x0, y0, x0 + 2 * r, y0 + 2 * r], fill=colours[k % 3])
            shapes.append(shape_dict(label, pts, kind))
        name = f"img_{i:02d}.png"
        img.save(root / name)
        if i < labelled:
            data = labelme_dict(name, size, size, shapes)
            (root / f"img_{i:02d}.json").write_text(json.dumps(data, indent=2))
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative posix path -> bytes), to prove nothing was changed."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

"""Small generated LabelMe folders for the export/import tests (not a test module)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from segcore.io.annotation import Annotation, Shape, encode_mask, save


def write_image(path: Path, w: int = 64, h: int = 48, seed: int = 0) -> Path:
    """A random RGB image (format from the suffix)."""
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(path)
    return path


def write_labelme(folder: Path, stem: str, shapes: list[Shape], *, w: int = 64, h: int = 48,
                  suffix: str = ".jpg", flags: dict | None = None, seed: int = 0) -> Path:
    """An image plus its LabelMe JSON in ``folder``; returns the JSON path."""
    folder.mkdir(parents=True, exist_ok=True)
    img = write_image(folder / f"{stem}{suffix}", w, h, seed)
    ann = Annotation(shapes=shapes, image_path=img.name, image_width=w, image_height=h, flags=flags or {})
    jp = folder / f"{stem}.json"
    save(ann, jp)
    return jp


def rich_shapes() -> list[Shape]:
    """Every shape type: grouped polygons, rectangle, circle, a mask with a hole, point, line,
    an ignore region, and overlaps."""
    m = np.ones((10, 12), dtype=bool)
    m[3:7, 4:8] = False
    return [
        Shape("cat", [(2.0, 2.0), (20.0, 3.0), (15.0, 18.0)], group_id=1),
        Shape("cat", [(25.0, 5.0), (35.0, 5.0), (30.0, 15.0)], group_id=1),
        Shape("dog", [(40.0, 20.0), (60.0, 40.0)], shape_type="rectangle"),
        Shape("dog", [(15.0, 30.0), (20.0, 34.0)], shape_type="circle"),
        Shape("cat", [(44.0, 2.0), (55.0, 11.0)], shape_type="mask", mask=m),
        Shape("cat", [(5.0, 40.0)], shape_type="point"),
        Shape("dog", [(1.0, 46.0), (30.0, 44.0)], shape_type="line"),
        Shape("__ignore__", [(45.0, 25.0), (50.0, 25.0), (50.0, 30.0), (45.0, 30.0)]),
    ]


def bad_folder(root: Path) -> dict[str, Path]:
    """One good image and one of each problem; returns the JSON paths by kind."""
    good = write_labelme(root, "good", [Shape("cat", [(2.0, 2.0), (20.0, 2.0), (10.0, 15.0)])])
    unknown = write_labelme(root, "unknown", [Shape("cat", [(1.0, 1.0), (9.0, 1.0), (5.0, 9.0)]),
                                              Shape("zebra", [(10.0, 10.0), (20.0, 10.0), (15.0, 20.0)])])
    zero = write_labelme(root, "zero", [Shape("cat", [(1.0, 1.0), (5.0, 5.0), (9.0, 9.0)]),
                                        Shape("cat", [(10.0, 10.0), (20.0, 10.0), (15.0, 20.0)])])
    outside = write_labelme(root, "outside", [Shape("dog", [(50.0, 30.0), (80.0, 30.0), (60.0, 47.0)])])
    corrupt = root / "corrupt.json"
    write_image(root / "corrupt.jpg")
    corrupt.write_text('{"shapes": [ this is not json', encoding="utf-8")
    missing = write_labelme(root, "missing", [Shape("cat", [(2.0, 2.0), (20.0, 2.0), (10.0, 15.0)])])
    (root / "missing.jpg").unlink()
    data = json.loads(missing.read_text())
    data["imagePath"] = "missing.jpg"
    missing.write_text(json.dumps(data))
    return {"good": good, "unknown": unknown, "zero": zero, "outside": outside, "corrupt": corrupt,
            "missing": missing}


def mask_b64(mask: np.ndarray) -> str:
    return encode_mask(mask)

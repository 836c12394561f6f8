"""Workloads of ``bench/gui_bench.py``: generated polygons and images, the 10,000-image folder,
the huge JPEG, the LabelMe-side files, and the naive full-repaint canvas it is compared with."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
WORK = Path(os.environ.get("GUI_BENCH_DIR", "/tmp/gui_bench"))


# ----------------------------------------------------------------------------- workloads


def make_shapes(n: int, vertices: int, width: int, height: int, seed: int = 0):
    """``n`` star-ish polygons of ``vertices`` points spread over the image."""
    import numpy as np

    from segcore.io.annotation import Shape

    rng = np.random.default_rng(seed)
    shapes = []
    for i in range(n):
        cx, cy = rng.uniform(100, width - 100), rng.uniform(100, height - 100)
        r = rng.uniform(20, 120, vertices)
        a = np.sort(rng.uniform(0, 2 * math.pi, vertices))
        pts = [(float(cx + rr * math.cos(t)), float(cy + rr * math.sin(t))) for rr, t in zip(r, a)]
        shapes.append(Shape(f"class{i % 12}", pts))
    return shapes


def make_rgb(width: int, height: int):
    import numpy as np

    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    rgb = np.empty((height, width, 3), np.uint8)
    rgb[..., 0] = (x + 0 * y).astype(np.uint8)
    rgb[..., 1] = (y + 0 * x).astype(np.uint8)
    rgb[..., 2] = ((x + y) / 2).astype(np.uint8)
    return rgb


def prepare_folder(n: int) -> Path:
    """A folder of ``n`` 640x480 JPEGs (hard links of one file) with every 3rd labelled."""
    from PIL import Image

    folder = WORK / f"folder{n}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    src = WORK / "one.jpg"
    Image.fromarray(make_rgb(640, 480)).save(src, quality=90)
    for i in range(n):
        p = folder / f"img_{i}.jpg"
        if not p.exists():
            os.link(src, p)
        if i % 3 == 0:
            (folder / f"img_{i}.json").write_text(json.dumps(
                {"version": "5.5.0", "flags": {}, "shapes": [], "imagePath": p.name, "imageData": None,
                 "imageHeight": 480, "imageWidth": 640}))
    done.write_text("ok")
    return folder


def prepare_huge(width: int, height: int) -> Path:
    """A ``width`` x ``height`` JPEG (made in a subprocess to keep this one small)."""
    path = WORK / f"huge_{width}x{height}.jpg"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        code = (f"import sys; sys.path.insert(0, {str(REPO)!r}); from bench.gui_workloads import make_rgb;"
                f"from PIL import Image; Image.MAX_IMAGE_PIXELS = None;"
                f"Image.fromarray(make_rgb({width}, {height})).save({str(path)!r}, quality=85)")
        subprocess.run([sys.executable, "-c", code], check=True)
    return path


def prepare_labelme_pan(quick: bool) -> Path:
    """The pan/save workload as files (image + LabelMe JSON) for LabelMe itself."""
    from PIL import Image

    from segcore.io import annotation as sa

    n, (w, h) = (200, (2000, 1500)) if quick else (2000, (8000, 6000))
    folder = WORK / f"pan_{n}"
    jp = folder / "big.json"
    if not jp.exists():
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(make_rgb(w, h)).save(folder / "big.png")
        ann = sa.Annotation(shapes=make_shapes(n, 50, w, h), image_path="big.png", image_width=w, image_height=h)
        sa.save(ann, jp)
    return jp


# ----------------------------------------------------------------------------- naive canvas


def naive_widget_class():
    """LabelMe-style canvas: every paint draws the whole image and every shape."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF
    from PySide6.QtWidgets import QWidget

    class NaiveCanvas(QWidget):
        def __init__(self, image, shapes):
            super().__init__()
            self.image = image
            self.polys = [QPolygonF([QPointF(x, y) for x, y in s.points]) for s in shapes]
            self.scale = 1.0
            self.offset = QPointF(0, 0)

        def paintEvent(self, event):
            p = QPainter(self)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.translate(-self.offset)
            p.scale(self.scale, self.scale)
            p.drawImage(0, 0, self.image)
            pen = QPen(QColor(0, 255, 0))
            pen.setWidthF(2 / self.scale)
            p.setPen(pen)
            p.setBrush(QBrush(QColor(255, 0, 0, 80)))
            for poly in self.polys:
                p.drawPolygon(poly)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.end()

    return NaiveCanvas


def _qimage(rgb):
    from PySide6.QtGui import QImage

    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888).copy()  # owns its pixels

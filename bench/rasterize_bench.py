"""Benchmark: segcore.data.rasterize.class_map vs a plain per-shape PIL ImageDraw rasteriser.

The baseline is LabelMe's approach (a new full-size mask image per shape, draw, ``np.array``,
boolean-assign into the label map). Both run in the same process on the same generated
annotations (1920x1080, 30 shapes each): polygons, then rectangles, interleaved per annotation
so both see the same machine load. Prints the speed ratio (wall clock and CPU time) and the
pixel agreement for each.

    python bench/rasterize_bench.py [--images 200] [--shapes 30] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import random
import time

import numpy as np
from PIL import Image, ImageDraw

from segcore.data.rasterize import ClassList, class_map
from segcore.io.annotation import Shape

WIDTH, HEIGHT = 1920, 1080


def random_polygon(rng: random.Random, label: str) -> Shape:
    """A star-shaped polygon (8..40 vertices) of radius 20..300 px, sometimes past the border."""
    cx, cy = rng.uniform(-50, WIDTH + 50), rng.uniform(-50, HEIGHT + 50)
    radius = rng.uniform(20, 300)
    n = rng.randint(8, 40)
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(n))
    pts = [(cx + radius * rng.uniform(0.3, 1.0) * math.cos(a), cy + radius * rng.uniform(0.3, 1.0) * math.sin(a))
           for a in angles]
    return Shape(label, [(round(x, 2), round(y, 2)) for x, y in pts])


def random_rectangle(rng: random.Random, label: str) -> Shape:
    """A rectangle given by two corners in any order, 10..600 px a side."""
    x, y = rng.uniform(-50, WIDTH), rng.uniform(-50, HEIGHT)
    w, h = rng.uniform(10, 600), rng.uniform(10, 600)
    p, q = (x, y), (x + w, y + h)
    if rng.random() < 0.5:
        p, q = q, p
    return Shape(label, [(round(p[0], 2), round(p[1], 2)), (round(q[0], 2), round(q[1], 2))], shape_type="rectangle")


def baseline_class_map(shapes: list[Shape], height: int, width: int, classes: ClassList) -> np.ndarray:
    """LabelMe's way: one full-size PIL mask per shape, then a boolean assignment."""
    out = np.zeros((height, width), dtype=np.int32)
    for s in shapes:
        mask = Image.new("L", (width, height), 0)
        draw = ImageDraw.Draw(mask)
        xy = [tuple(p) for p in s.points]
        if s.shape_type == "rectangle":
            (x1, y1), (x2, y2) = xy
            draw.rectangle([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)], outline=1, fill=1)
        else:
            draw.polygon(xy, outline=1, fill=1)
        out[np.array(mask, dtype=bool)] = classes.id_of(s.label)
    return out.astype(np.uint8)


def run(annotations: list[list[Shape]], classes: ClassList) -> dict[str, float]:
    """Time both rasterisers, interleaved per annotation so both see the same machine load.

    Returns wall and CPU seconds of each, the pixel agreement and the identical-image count.
    """
    wall = {"base": 0.0, "ours": 0.0}
    cpu = {"base": 0.0, "ours": 0.0}
    equal = exact = 0
    for n, a in enumerate(annotations):
        order = ("base", "ours") if n % 2 == 0 else ("ours", "base")
        maps = {}
        for who in order:
            w0, c0 = time.perf_counter(), time.process_time()
            if who == "base":
                maps[who] = baseline_class_map(a, HEIGHT, WIDTH, classes)
            else:
                maps[who] = class_map(a, HEIGHT, WIDTH, classes)
            wall[who] += time.perf_counter() - w0
            cpu[who] += time.process_time() - c0
        equal += int((maps["base"] == maps["ours"]).sum())
        exact += bool(np.array_equal(maps["base"], maps["ours"]))
    return {"wall_base": wall["base"], "wall_ours": wall["ours"], "cpu_base": cpu["base"],
            "cpu_ours": cpu["ours"], "agreement": equal / (len(annotations) * HEIGHT * WIDTH),
            "exact": exact}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--shapes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    names = [f"class{i}" for i in range(1, 21)]
    classes = ClassList.from_names(["_background_", *names])
    rng = random.Random(args.seed)
    makers = {"polygons": random_polygon, "rectangles": random_rectangle}
    print(f"{args.images} annotations of {WIDTH}x{HEIGHT}, {args.shapes} shapes each")
    for kind, make in makers.items():
        annotations = [[make(rng, rng.choice(names)) for _ in range(args.shapes)] for _ in range(args.images)]
        r = run(annotations, classes)
        n = args.images
        print(f"{kind:10s}: per-shape PIL baseline {r['wall_base']:6.2f} s ({1000 * r['wall_base'] / n:5.1f} ms/image), "
              f"segcore {r['wall_ours']:5.2f} s ({1000 * r['wall_ours'] / n:4.1f} ms/image); "
              f"speed-up {r['wall_base'] / r['wall_ours']:4.1f}x wall, {r['cpu_base'] / r['cpu_ours']:4.1f}x CPU time; "
              f"pixel agreement {100 * r['agreement']:.4f}% ({r['exact']}/{n} images identical)")

if __name__ == "__main__":
    main()

"""Export benchmark: segcore's VOC and COCO export against what LabelMe's example scripts do,
and segcore's YOLO and index-mask exports against its VOC export.

Generates ``--count`` 1920x1080 JPEG images with ``--shapes`` shapes each (polygons of 6..30
vertices, rectangles, circles; some overlapping, some crossing the border), then times:

* baseline VOC, as LabelMe's ``labelme2voc.py`` works: one process; decode the image, re-encode
  it with PIL as JPEG; per shape a new full-size PIL mask, ``ImageDraw`` and a boolean assign,
  for the class map and again for the instance map; PIL PNG saves (default settings);
* baseline COCO, as ``labelme2coco.py``: decode + PIL re-encode of the image, per shape a full
  size PIL mask, per instance ``pycocotools`` RLE for area and bbox, polygons as points;
* ``segcore.formats.voc.export_voc`` and ``segcore.formats.coco.export_coco`` (process pool over
  every core, one shared image per class/instance map, JPEGs copied byte for byte);
* ``segcore.formats.yolo.export_yolo`` and ``segcore.formats.masks.export_masks``, each against
  segcore's VOC export on the same images (no LabelMe baseline: LabelMe writes neither).

Prints images/s, the speed-up and the pixel agreement of the class PNGs (baseline vs ours).
With ``--repeat N`` each segcore export runs N times, the four in turn, and its best time
counts (steadier ratios on a busy machine).
Usage: ``python bench/export_bench.py [--count 500] [--shapes 30] [--workers N] [--keep DIR]
[--skip-baselines] [--repeat N]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from segcore.io.palette import palette_bytes  # noqa: E402

W, H = 1920, 1080
LABELS = ["_background_", "person", "car", "road", "tree", "sky", "building", "sign", "bike"]


# ----------------------------------------------------------------------------- data


def _polygon(rng: np.random.Generator) -> list[list[float]]:
    cx, cy = rng.uniform(-100, W + 100), rng.uniform(-100, H + 100)
    n = int(rng.integers(6, 31))
    r = rng.uniform(20, 260)
    ang = np.sort(rng.uniform(0, 2 * math.pi, n))
    rad = r * rng.uniform(0.5, 1.0, n)
    return [[round(float(cx + a * math.cos(t)), 2), round(float(cy + a * math.sin(t)), 2)] for a, t in zip(rad, ang)]


def _shape(rng: np.random.Generator) -> dict:
    kind = rng.choice(["polygon"] * 6 + ["rectangle", "circle"])
    label = str(rng.choice(LABELS[1:]))
    if kind == "polygon":
        pts = _polygon(rng)
    elif kind == "rectangle":
        x, y = rng.uniform(0, W), rng.uniform(0, H)
        pts = [[x, y], [x + rng.uniform(-300, 300), y + rng.uniform(-300, 300)]]
    else:
        x, y = rng.uniform(0, W), rng.uniform(0, H)
        pts = [[x, y], [x + rng.uniform(5, 150), y]]
    gid = int(rng.integers(1, 4)) if rng.random() < 0.2 else None
    return {"label": label, "points": pts, "group_id": gid, "description": "", "shape_type": str(kind),
            "flags": {}, "mask": None}


def generate(folder: Path, count: int, shapes: int, seed: int = 0) -> None:
    """``count`` JPEG images with LabelMe JSON files."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W]
    base = np.stack([(xx * 255 // W), (yy * 255 // H), ((xx + yy) * 255 // (W + H))], -1).astype(np.uint8)
    import cv2

    for i in range(count):
        # photo-like content (smooth gradients + coarse and fine texture), so JPEG decode and
        # encode cost what they cost on real 1080p photos (files of a few hundred kB)
        coarse = cv2.resize(rng.normal(0, 25, (H // 16, W // 16, 3)).astype(np.float32), (W, H))
        fine = rng.normal(0, 6, (H, W, 3)).astype(np.float32)
        img = np.clip(np.roll(base, int(rng.integers(0, W)), axis=1) + coarse + fine, 0, 255).astype(np.uint8)
        Image.fromarray(img).save(folder / f"img{i:05d}.jpg", quality=90)
        doc = {"version": "5.4.1", "flags": {}, "shapes": [_shape(rng) for _ in range(shapes)],
               "imagePath": f"img{i:05d}.jpg", "imageData": None, "imageHeight": H, "imageWidth": W}
        (folder / f"img{i:05d}.json").write_text(json.dumps(doc, indent=2))


# ----------------------------------------------------------------------------- baselines


def _shape_mask(shape: dict, size: tuple[int, int]) -> np.ndarray:
    """LabelMe's way: a new full-size mode-1 image per shape."""
    mask = Image.new("1", (size[1], size[0]), 0)
    draw = ImageDraw.Draw(mask)
    pts = [tuple(p) for p in shape["points"]]
    t = shape.get("shape_type") or "polygon"
    if t == "circle":
        (cx, cy), (px, py) = pts
        d = math.hypot(cx - px, cy - py)
        draw.ellipse([cx - d, cy - d, cx + d, cy + d], outline=1, fill=1)
    elif t == "rectangle":
        (x1, y1), (x2, y2) = pts
        draw.rectangle([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)], outline=1, fill=1)
    else:
        draw.polygon(pts, outline=1, fill=1)
    return np.array(mask, dtype=bool)


def _maps(doc: dict, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    cls = np.zeros(size, np.int32)
    ins = np.zeros(size, np.int32)
    instances: list[tuple[str, object]] = []
    for s in doc["shapes"]:
        key = (s["label"], s["group_id"] if s["group_id"] is not None else object())
        if key not in instances:
            instances.append(key)
        m = _shape_mask(s, size)
        cls[m] = LABELS.index(s["label"])
        ins[m] = instances.index(key) + 1
    return cls, ins


def _save_png(arr: np.ndarray, path: Path) -> None:
    im = Image.fromarray(arr.astype(np.uint8), mode="L")
    im.putpalette(palette_bytes())
    im.save(path)


def baseline_voc(src: Path, out: Path) -> None:
    for d in ("JPEGImages", "SegmentationClass", "SegmentationObject"):
        (out / d).mkdir(parents=True, exist_ok=True)
    for jp in sorted(src.glob("*.json")):
        doc = json.loads(jp.read_text())
        img = np.asarray(Image.open(src / doc["imagePath"]).convert("RGB"))
        Image.fromarray(img).save(out / "JPEGImages" / f"{jp.stem}.jpg")
        cls, ins = _maps(doc, img.shape[:2])
        _save_png(cls, out / "SegmentationClass" / f"{jp.stem}.png")
        _save_png(ins, out / "SegmentationObject" / f"{jp.stem}.png")


def baseline_coco(src: Path, out: Path) -> None:
    from pycocotools import mask as mask_utils

    (out / "JPEGImages").mkdir(parents=True, exist_ok=True)
    doc_out = {"images": [], "annotations": [], "categories": [{"id": i, "name": n} for i, n in enumerate(LABELS)]}
    for image_id, jp in enumerate(sorted(src.glob("*.json"))):
        doc = json.loads(jp.read_text())
        img = np.asarray(Image.open(src / doc["imagePath"]).convert("RGB"))
        Image.fromarray(img).save(out / "JPEGImages" / f"{jp.stem}.jpg")
        doc_out["images"].append({"id": image_id, "file_name": f"JPEGImages/{jp.stem}.jpg",
                                  "height": img.shape[0], "width": img.shape[1]})
        masks: dict = {}
        segs: dict = {}
        for s in doc["shapes"]:
            key = (s["label"], s["group_id"] if s["group_id"] is not None else object())
            m = _shape_mask(s, img.shape[:2])
            masks[key] = masks[key] | m if key in masks else m
            segs.setdefault(key, []).append([v for p in s["points"] for v in p])
        for key, m in masks.items():
            rle = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
            doc_out["annotations"].append({
                "id": len(doc_out["annotations"]), "image_id": image_id, "category_id": LABELS.index(key[0]),
                "segmentation": segs[key], "area": float(mask_utils.area(rle)),
                "bbox": mask_utils.toBbox(rle).flatten().tolist(), "iscrowd": 0})
    (out / "annotations.json").write_text(json.dumps(doc_out))


# ----------------------------------------------------------------------------- main


def _agreement(a_dir: Path, b_dir: Path, relabel: bool = False) -> float:
    same = total = 0
    for p in sorted(a_dir.glob("*.png")):
        a = np.array(Image.open(p))
        b = np.array(Image.open(b_dir / p.name))
        if relabel:  # map each of b's ids to the id of a it overlaps most
            lut = np.arange(256, dtype=np.uint8)
            for v in np.unique(b):
                vals, counts = np.unique(a[b == v], return_counts=True)
                lut[v] = vals[np.argmax(counts)]
            b = lut[b]
        same += int((a == b).sum())
        total += a.size
    return same / max(total, 1)


def _time_export(fn, src: Path, out: Path, labels: Path, workers: int | None, n: int) -> float:
    """Seconds one segcore export of ``src`` takes (every image must be exported)."""
    t = time.perf_counter()
    report = fn(src, out, classes=labels, workers=workers, overwrite=True)
    took = time.perf_counter() - t
    assert report.images == n, report.to_text()
    return took


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--shapes", type=int, default=30)
    ap.add_argument("--workers", type=int, default=None, help="segcore worker processes (default: every core)")
    ap.add_argument("--keep", help="work folder to keep (default: a temporary one)")
    ap.add_argument("--skip-baselines", action="store_true",
                    help="time segcore's exporters only (VOC, COCO, YOLO, masks)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each segcore export this many times (in turn) and count its best time")
    args = ap.parse_args(argv)

    from segcore.formats.coco import export_coco
    from segcore.formats.masks import export_masks
    from segcore.formats.pool import default_workers
    from segcore.formats.voc import export_voc
    from segcore.formats.yolo import export_yolo

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="export_bench_"))
    try:
        src = work / "src"
        t = time.perf_counter()
        generate(src, args.count, args.shapes)
        print(f"generated {args.count} {W}x{H} JPEGs with {args.shapes} shapes each in {time.perf_counter() - t:.1f} s")
        labels = work / "labels.txt"
        labels.write_text("\n".join(LABELS) + "\n")
        n = args.count
        ours = {"VOC": export_voc, "COCO": export_coco, "YOLO": export_yolo, "masks": export_masks}
        best = dict.fromkeys(ours, math.inf)
        for _ in range(max(1, args.repeat)):
            for name, fn in ours.items():
                best[name] = min(best[name], _time_export(fn, src, work / f"ours_{name}", labels, args.workers, n))
        voc_rate = n / best["VOC"]
        for name, base_fn in (("VOC", baseline_voc), ("COCO", baseline_coco)):
            to = best[name]
            if args.skip_baselines:
                print(f"{name:5s} segcore {n / to:7.2f} img/s")
                continue
            t = time.perf_counter()
            base_fn(src, work / f"base_{name}")
            tb = time.perf_counter() - t
            print(f"{name:5s} baseline {n / tb:7.2f} img/s   segcore {n / to:7.2f} img/s   speed-up {tb / to:5.2f}x")
        for name in ("YOLO", "masks"):
            to = best[name]
            print(f"{name:5s} segcore {n / to:7.2f} img/s   vs segcore VOC {n / to / voc_rate:5.2f}x")
        if args.skip_baselines:
            return 0
        agree = _agreement(work / "base_VOC" / "SegmentationClass", work / "ours_VOC" / "SegmentationClass")
        agree_obj = _agreement(work / "base_VOC" / "SegmentationObject", work / "ours_VOC" / "SegmentationObject",
                               relabel=True)
        print(f"class PNG pixel agreement (baseline vs segcore): {agree * 100:.4f} %")
        print(f"object PNG pixel agreement (ids matched; segcore drops shapes entirely outside the image, "
              f"so its ids can shift): {agree_obj * 100:.4f} %")
        same_jpeg = sum((src / p.name).read_bytes() == p.read_bytes()
                        for p in (work / "ours_VOC" / "JPEGImages").glob("*.jpg"))
        print(f"JPEGs byte-identical to the sources: {same_jpeg}/{n}; workers: {args.workers or default_workers()}, "
              f"cpu_count {os.cpu_count()}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

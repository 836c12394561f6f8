"""Benchmark: the smart tools of segcore.interactive.

1. Latency from "mouse release" (the function call) to a preview polygon on a 4000x3000 image
   (a LabelMe example photo upscaled 8x): box to polygon on a 600x600 box, one magic-wand
   click (preview, then tracing on commit), one intelligent-scissors segment (new anchor + path
   to a point 200 px away) and a scissors preview update. Wall and CPU time are printed (the
   machine is shared). Each is
   compared with the naive way measured in the same run: GrabCut on the full-resolution region,
   the scissors map over the whole image, and a wand by thresholding the whole image plus
   connected components.
2. Clicks to reach IoU 0.9 with the ground truth on the real objects of the LabelMe example
   (area >= 5000 px) per tool, against drawing the polygon by hand, simulated as placing
   vertices on the true contour greedily (start with 3 spread vertices, each new one where the
   contour is farthest from the current polygon). Box: 2 clicks (the corners), then one drag
   per correction: a stroke along the largest error (foreground where the object is missed,
   background where too much is taken), refining the same GrabCut session as the GUI. Wand:
   one click per region added (at the centre of the largest missed part, best of a few
   tolerances). Scissors: anchors on the true contour, 3 spread ones, then one where the
   snapped outline strays farthest. Then the same on flat CamVid regions (largest sky and road
   component of a few validation images), the case the magic wand is made for.
3. SAM rows (the AI tools, :mod:`segcore.interactive.promptable`), in the same run when the
   model's weights are in the cache (otherwise printed as skipped): encode time of a LabelMe
   example photo (the GUI does it in the background; target 2 s for the default model), time
   per prompt (target 50 ms), and a "sam" column of clicks to IoU 0.9: the standard protocol
   (NoC@90), each click at the centre of the largest error, positive on a missed part,
   negative on an extra one.

    python bench/interactive_bench.py [--data ../shared/datasets/labelme-voc-example]
        [--camvid ../shared/datasets/camvid] [--camvid-images 3] [--repeat 5] [--skip-clicks]
        [--sam-model efficientsam:10m]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import cv2
import numpy as np

from segcore.data.rasterize import shape_mask
from segcore.interactive import (
    GrabCutSession,
    IntelligentScissors,
    grabcut_region,
    magic_wand_region,
    scissors_polygon,
)
from segcore.io.annotation import load

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "labelme-voc-example"
TARGET_IOU = 0.9
WAND_MAX_PIXELS = 1_000_000  # what the GUI's magic wand traces at most (segstudio/canvas/tool_wand.py)
MAX_CLICKS = 30


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU (this process) time in ms of ``fn()`` over ``repeat`` runs, and its
    last result. On a shared, loaded machine the CPU time is the steadier figure."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu), out


def read_rgb(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path))
    if bgr is None:
        raise SystemExit(f"{path}: cannot read the image")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


# ----------------------------------------------------------------------------- latency


def latency(data: Path, repeat: int) -> None:
    cv2.setNumThreads(1)  # the tools are single-threaded; keep OpenCV from fighting for 2 cores
    small = read_rgb(data / "data_annotated" / "2011_000025.jpg")
    big = cv2.resize(small, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    print(f"latency on a {big.shape[1]}x{big.shape[0]} image (median of {repeat}, ms):")
    rows = []

    # box to polygon: a 600x600 box on the car (right of the bus)
    box = (3260, 1360, 3860, 1960)
    wall, cpu, _ = timed(lambda: grabcut_region(big, box).geometry(), repeat)
    base, _, _ = timed(lambda: grabcut_region(big, box, max_side=10**6).geometry(), 1)
    rows.append(("box to polygon (600x600 box)", wall, cpu, base, 150))

    def wand_baseline(seed, tol):
        ref = big[seed[1], seed[0]].astype(np.int16)
        ok = (np.abs(big.astype(np.int16) - ref) <= tol).all(axis=2).astype(np.uint8)
        _, labels = cv2.connectedComponents(ok, connectivity=8)
        from segcore.data.polygons import mask_to_polygons

        return mask_to_polygons(labels == labels[seed[1], seed[0]])

    # magic wand: the orange front of the bus; then the sky between the leaves (a huge,
    # ragged region with hundreds of holes). The GUI previews the fill's mask as an overlay
    # (fill + an RGBA array) and traces polygons once, on commit (max_pixels).
    def wand_preview(seed, tol):
        region = magic_wand_region(big, seed, tol)
        rgba = np.zeros((*region.mask.shape, 4), np.uint8)
        rgba[region.mask] = (255, 220, 0, 110)
        return region

    for seed, tol, what in (((2080, 1600), 20, "object"), ((400, 80), 20, "sky")):
        wall, cpu, region = timed(lambda s=seed, t=tol: wand_preview(s, t), repeat)
        base, _, _ = timed(lambda s=seed, t=tol: wand_baseline(s, t), 1)
        rows.append((f"magic wand preview ({what}, {region.area()} px)", wall, cpu, base, 50))
        wall, cpu, _ = timed(lambda r=region: r.geometry(max_pixels=WAND_MAX_PIXELS), repeat)
        rows.append((f"magic wand commit: trace ({what})", wall, cpu, base, 150))

    # scissors: release at the bus's left edge = new anchor, preview to a point 200 px down
    anchor, target = (760, 1000), (740, 1200)

    def segment():
        sc = IntelligentScissors(big)
        sc.set_anchor(anchor)
        return sc.path_to(target)

    def segment_baseline():
        tool = cv2.segmentation.IntelligentScissorsMB()
        tool.setEdgeFeatureCannyParameters(32, 100)
        tool.setGradientMagnitudeMaxLimit(200)
        tool.applyImage(big)
        tool.buildMap(anchor)
        return tool.getContour(target)

    wall, cpu, _ = timed(segment, repeat)
    base, _, _ = timed(segment_baseline, 1)
    rows.append(("scissors segment (new anchor, 200 px)", wall, cpu, base, 50))
    sc = IntelligentScissors(big)
    sc.set_anchor(anchor)
    sc.path_to(target)
    wall, cpu, _ = timed(lambda: sc.path_to((target[0] + 10, target[1] - 30)), repeat)
    rows.append(("scissors preview (mouse move)", wall, cpu, base, 50))

    print(f"  {'tool':40s} {'wall':>7s} {'cpu':>7s} {'naive':>8s} {'speed-up':>9s} {'target':>7s}")
    for name, w, c, b, target_ms in rows:
        flag = "ok" if w <= target_ms else ("ok (cpu)" if c <= target_ms else "OVER")
        print(f"  {name:40s} {w:7.1f} {c:7.1f} {b:8.0f} {b / max(w, 0.1):8.0f}x {target_ms:5d} {flag}")


# ----------------------------------------------------------------------------- clicks


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a & b) / max(1, np.count_nonzero(a | b)))


def fill(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(points).astype(np.int32).reshape(-1, 1, 2)], 1)
    return m.astype(bool)


def contour_of(gt: np.ndarray) -> np.ndarray:
    cs, _ = cv2.findContours(gt.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return max(cs, key=cv2.contourArea).reshape(-1, 2)


def clicks_by_hand(gt: np.ndarray) -> int:
    """Greedy vertices on the true contour: start with 3 spread points, add the farthest."""
    c = contour_of(gt)
    idx = [0, len(c) // 3, 2 * len(c) // 3]
    while len(idx) < MAX_CLICKS * 3:
        if iou(fill(c[sorted(idx)], gt.shape), gt) >= TARGET_IOU:
            return len(idx)
        poly = c[sorted(idx)].astype(np.float32).reshape(-1, 1, 2)
        d = [abs(cv2.pointPolygonTest(poly, (float(x), float(y)), True)) for x, y in c]
        idx.append(int(np.argmax(d)))
    return len(idx)


def largest_part(region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The largest 8-connected component of ``region`` and its distance transform."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(region.astype(np.uint8), connectivity=8)
    part = labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return part, cv2.distanceTransform(part.astype(np.uint8), cv2.DIST_L2, 5)


def error_centre(region: np.ndarray) -> tuple[int, int]:
    """The pixel deepest inside the largest component of ``region``."""
    _, dist = largest_part(region)
    y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return int(x), int(y)


def error_stroke(region: np.ndarray) -> tuple[list[tuple[int, int]], float]:
    """A drag a user would make over the largest error: through its deepest point along its
    main axis, as far as it stays inside; radius = a little under the local half-width."""
    part, dist = largest_part(region)
    y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
    ys, xs = np.nonzero(part)
    pts = np.stack([xs, ys], axis=1).astype(float)
    _, _, vt = np.linalg.svd(pts - pts.mean(axis=0), full_matrices=False)
    d = vt[0]
    ends = []
    for sign in (1, -1):
        t = 0.0
        while True:
            px, py = int(round(x + sign * (t + 1) * d[0])), int(round(y + sign * (t + 1) * d[1]))
            if not (0 <= px < part.shape[1] and 0 <= py < part.shape[0]) or dist[py, px] < 1.5:
                break
            t += 1
        ends.append((int(round(x + sign * t * d[0])), int(round(y + sign * t * d[1]))))
    radius = float(max(1.0, min(6.0, dist[y, x] * 0.6)))
    return [ends[1], (int(x), int(y)), ends[0]], radius


def clicks_box(img: np.ndarray, gt: np.ndarray) -> tuple[int, float]:
    """Drag the box (2 clicks), then one drag per correction on the largest error, refining
    the same GrabCut session as the GUI does."""
    ys, xs = np.nonzero(gt)
    session = GrabCutSession(img, (xs.min(), ys.min(), xs.max(), ys.max()))
    m = session.run().full(*gt.shape)
    clicks = 2
    while True:
        score = iou(m, gt)
        if score >= TARGET_IOU or clicks >= MAX_CLICKS:
            return clicks, score
        missed, extra = gt & ~m, m & ~gt
        stroke, radius = error_stroke(missed if np.count_nonzero(missed) >= np.count_nonzero(extra) else extra)
        session.stroke_radius = radius
        if np.count_nonzero(missed) >= np.count_nonzero(extra):
            m = session.run(fg_strokes=[stroke]).full(*gt.shape)
        else:
            m = session.run(bg_strokes=[stroke]).full(*gt.shape)
        clicks += 1


def clicks_wand(img: np.ndarray, gt: np.ndarray) -> tuple[int, float]:
    m = np.zeros(gt.shape, bool)
    score, clicks = 0.0, 0
    while score < TARGET_IOU and clicks < MAX_CLICKS:
        seed = error_centre(gt & ~m)
        options = [m | magic_wand_region(img, seed, t).full(*gt.shape) for t in (4, 8, 14, 22, 32, 48)]
        best = max(options, key=lambda o: iou(o, gt))
        clicks += 1
        if iou(best, gt) > score:
            m, score = best, iou(best, gt)
    return clicks, score


def clicks_scissors(img: np.ndarray, gt: np.ndarray) -> tuple[int, float]:
    """Anchors on the true contour: start with 3 spread ones, then click where the snapped
    path strays farthest from the true contour (only the two new segments are recomputed)."""
    c = contour_of(gt)
    sc = IntelligentScissors(img)
    idx = [0, len(c) // 3, 2 * len(c) // 3]
    cache: dict[tuple[int, int], np.ndarray] = {}
    score = 0.0
    while True:
        idx.sort()
        segs = []
        for i, j in zip(idx, idx[1:] + idx[:1]):
            if (i, j) not in cache:
                sc.set_anchor(tuple(c[i]))
                cache[(i, j)] = sc.path_to(tuple(c[j]))
            segs.append(cache[(i, j)])
        ring = scissors_polygon(segs)
        score = iou(fill(ring, gt.shape), gt)
        if score >= TARGET_IOU or len(idx) >= MAX_CLICKS:
            return len(idx), score
        drawn = np.ones(gt.shape, np.uint8)
        cv2.polylines(drawn, [ring.astype(np.int32).reshape(-1, 1, 2)], True, 0, 1)
        dist = cv2.distanceTransform(drawn, cv2.DIST_L2, 5)
        far = int(np.argmax(dist[c[:, 1], c[:, 0]]))
        if far in idx:
            return len(idx), score
        idx.append(far)


def load_sam(name: str):
    """The promptable model ``name`` when its weights are in the cache, else None (says why)."""
    from segcore.interactive.promptable import ModelError
    from segcore.interactive.sam_models import load_model

    try:
        return load_model(name)
    except ModelError as exc:
        print(f"SAM rows skipped: {exc} (the AI tool or `python -m segcore sam` fetches them)")
        return None


def sam_latency(model, data: Path, repeat: int) -> None:
    """Encode time of an example photo and time per prompt (one click, then three clicks)."""
    from segcore.interactive.promptable import prompt_region

    json_path = sorted((data / "data_annotated").glob("*.json"))[0]
    img = read_rgb(json_path.with_suffix(".jpg"))
    h, w = img.shape[:2]
    ew, ec, emb = timed(lambda: model.encode(img), max(1, min(repeat, 3)))
    pts = [(w / 2, h / 2), (w / 3, h / 2), (2 * w / 3, h / 3)]
    pw, pc, _ = timed(lambda: prompt_region(model, emb, pts[:1], [1]), repeat)
    pw3, pc3, _ = timed(lambda: prompt_region(model, emb, pts, [1, 1, 0]), repeat)
    print(f"SAM {model.name} on a {w}x{h} photo (median, ms):")
    print(f"  {'step':40s} {'wall':>7s} {'cpu':>7s} {'target':>7s}")
    for name, wall, cpu, target in (("encode (background)", ew, ec, 2000), ("prompt, 1 click", pw, pc, 50),
                                    ("prompt, 3 clicks", pw3, pc3, 50)):
        print(f"  {name:40s} {wall:7.1f} {cpu:7.1f} {target:7d} {'ok' if wall <= target else 'over'}")


class SamClicks:
    """Clicks to IoU 0.9 with a promptable model (NoC@90): each click at the centre of the
    largest error, positive on a missed part, negative on an extra one. Encodes each image once."""

    def __init__(self, model) -> None:
        self.model = model
        self._img = self._emb = None

    def __call__(self, img: np.ndarray, gt: np.ndarray) -> tuple[int, float]:
        from segcore.interactive.promptable import prompt_region

        if self._img is not img:
            self._img, self._emb = img, self.model.encode(img)
        m = np.zeros(gt.shape, bool)
        points: list[tuple[int, int]] = []
        labels: list[int] = []
        score = 0.0
        while score < TARGET_IOU and len(points) < MAX_CLICKS:
            missed, extra = gt & ~m, m & ~gt
            positive = np.count_nonzero(missed) >= np.count_nonzero(extra)
            points.append(error_centre(missed if positive else extra))
            labels.append(1 if positive else 0)
            region, _ = prompt_region(self.model, self._emb, points, labels)
            m = region.full(*gt.shape)
            score = iou(m, gt)
        return len(points), score


def labelme_objects(data: Path):
    """(name, image, gt mask) for the LabelMe example's objects of at least 5000 px."""
    for json_path in sorted((data / "data_annotated").glob("*.json")):
        ann = load(json_path)
        img = read_rgb(json_path.with_suffix(".jpg"))
        for i, shape in enumerate(ann.shapes):
            if shape.label.startswith("__"):
                continue
            gt = shape_mask(shape, img.shape[0], img.shape[1])
            if np.count_nonzero(gt) >= 5000:
                yield f"{json_path.stem}/{i} {shape.label}", img, gt


def camvid_regions(camvid: Path, count: int):
    """Flat regions the wand is made for: the largest sky and road component of the first
    ``count`` CamVid validation images (ground truth from the index masks)."""
    names = (camvid / "class_names.txt").read_text().split()
    for path in sorted((camvid / "val").glob("*.png"))[:count]:
        img = read_rgb(path)
        annot = cv2.imread(str(camvid / "valannot" / path.name), cv2.IMREAD_GRAYSCALE)
        for cls in ("Sky", "Road"):
            m = (annot == names.index(cls)).astype(np.uint8)
            n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
            if n > 1:
                gt = labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
                yield f"camvid {path.stem} {cls.lower()}", img, gt


def clicks(objects, sam: SamClicks | None = None) -> None:
    print(f"clicks to reach IoU {TARGET_IOU} (cap {MAX_CLICKS}; '*' = not reached, IoU shown):")
    print(f"  {'object':28s} {'hand':>5s} {'box':>9s} {'wand':>9s} {'scissors':>9s}" + (f" {'sam':>9s}" if sam else ""))
    totals = {"hand": [], "box": [], "wand": [], "scissors": []} | ({"sam": []} if sam else {})
    for name, img, gt in objects:
        hand = clicks_by_hand(gt)
        res = {"box": clicks_box(img, gt), "wand": clicks_wand(img, gt), "scissors": clicks_scissors(img, gt)}
        if sam is not None:
            res["sam"] = sam(img, gt)
        totals["hand"].append(hand)
        cells = []
        for k, (n, s) in res.items():
            totals[k].append(n)
            cells.append(f"{n:>4d}" + ("     " if s >= TARGET_IOU else f"*{s:.2f}"))
        print(f"  {name:28s} {hand:5d} " + " ".join(cells))
    print("  mean clicks: " + ", ".join(f"{k} {np.mean(v):.1f}" for k, v in totals.items()))
    hand = np.mean(totals["hand"])
    print("  ratio hand / tool: " + ", ".join(f"{k} {hand / np.mean(v):.2f}" for k, v in totals.items() if k != "hand"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--camvid", type=Path, default=DEFAULT_DATA.parent / "camvid")
    parser.add_argument("--camvid-images", type=int, default=3)
    parser.add_argument("--skip-clicks", action="store_true")
    parser.add_argument("--sam-model", default="efficientsam:10m", help="promptable model of the SAM rows")
    args = parser.parse_args()
    if not (args.data / "data_annotated").is_dir():
        raise SystemExit(f"{args.data}: no data_annotated/ folder (the LabelMe example dataset)")
    latency(args.data, args.repeat)
    model = load_sam(args.sam_model)
    if model is not None:
        sam_latency(model, args.data, args.repeat)
    sam = SamClicks(model) if model is not None else None
    if not args.skip_clicks:
        print("LabelMe example objects:")
        clicks(labelme_objects(args.data), sam)
        if (args.camvid / "val").is_dir():
            print("CamVid flat regions:")
            clicks(camvid_regions(args.camvid, args.camvid_images), sam)


if __name__ == "__main__":
    main()

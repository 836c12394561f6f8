"""COCO instance-segmentation export (FORMATS.md).

```
out/images/<stem>.jpg                         JPEG sources copied byte for byte, others encoded once
out/annotations/instances_<split>.json        one per split (train, val, and test when flags name it)
```
Polygons stay polygons (one list per member shape of a grouped instance; rectangles become
4-corner polygons; a shape reaching outside the image is clipped to it); masks, circles,
self-crossing polygons ("bow-ties": RLE keeps the pixels LabelMe paints for them) and
instances with holes become RLE. ``area`` and ``bbox`` come from the instance's own rasterised
mask (the union of its shapes, not cut by shapes drawn over it). Points and lines are not
areas: skipped with a warning. Every polygon written covers at least one pixel for a COCO
reader: a polygon thinner than a pixel is written as RLE of its pixels too.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import LinearRing

from segcore.data.dataset import Item
from segcore.data.rasterize import ClassList, instance_crops
from segcore.formats import files
from segcore.formats.common import (
    ExportReport,
    Skipped,
    accepted_results,
    bbox_of,
    check_item,
    image_failed,
    plan_export,
    staged_writes,
)
from segcore.formats.files import SOURCE_ERRORS, export_image
from segcore.formats.pool import run_jobs
from segcore.io.annotation import Shape
from segcore.io.shape_kinds import kind_of
from segcore.progress import CancelToken, ProgressCallback

IMAGES_DIR = "images"
ANNOTATIONS_DIR = "annotations"


@dataclass
class _Job:
    item: Item
    stem: str
    out: Path
    names: list[str]
    has_ignore: bool


@dataclass
class _Result:
    stem: str
    ok: bool
    problems: list
    skipped: list
    width: int = 0
    height: int = 0
    annotations: list[dict[str, Any]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def rle_encode(crop: np.ndarray, x0: int = 0, y0: int = 0, height: int | None = None,
               width: int | None = None) -> dict[str, Any]:
    """Compressed COCO RLE (``counts`` as a str) of a bool mask ``crop`` placed at ``(x0, y0)``
    on a ``height`` x ``width`` image (default: the crop is the whole image)."""
    from pycocotools import mask as mask_utils

    h = crop.shape[0] if height is None else height
    w = crop.shape[1] if width is None else width
    full = np.zeros((h, w), dtype=np.uint8, order="F")  # column-major, as RLE runs
    full[y0 : y0 + crop.shape[0], x0 : x0 + crop.shape[1]] = crop
    rle = mask_utils.encode(full)
    return {"size": [int(rle["size"][0]), int(rle["size"][1])], "counts": rle["counts"].decode("ascii")}


def polygon_coords(shape: Shape) -> list[float]:
    """A COCO polygon ``[x1, y1, x2, y2, ...]`` for a shape with a polygon form (a rectangle as
    its four corners)."""
    pts = kind_of(shape).polygon(shape)
    if pts is None:
        raise ValueError(f"a {shape.shape_type} has no polygon form")
    return [float(v) for p in pts for v in p]


def clip_polygon(coords: list[float], x0: float, y0: float, x1: float, y1: float) -> list[float]:
    """``[x1, y1, x2, y2, ...]`` clipped to the box ``[x0, x1] x [y0, y1]`` (Sutherland-Hodgman):
    the same pixels inside the box, and no coordinate far outside it (a reader's rasteriser
    walks every edge, so a point at 1e300 would never finish). May return fewer than 3 points."""
    pts = list(zip(coords[0::2], coords[1::2]))
    for axis, bound, keep_above in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        if not pts:
            break
        def inside(p: tuple[float, float], a: int = axis, b: float = bound, k: bool = keep_above) -> bool:
            return p[a] >= b if k else p[a] <= b

        out: list[tuple[float, float]] = []
        prev = pts[-1]
        for cur in pts:
            if inside(cur) != inside(prev):
                t = (bound - prev[axis]) / (cur[axis] - prev[axis])
                if axis == 0:
                    out.append((bound, prev[1] + t * (cur[1] - prev[1])))
                else:
                    out.append((prev[0] + t * (cur[0] - prev[0]), bound))
            if inside(cur):
                out.append(cur)
            prev = cur
        pts = out
    return [float(v) for p in pts for v in p]


def coco_pixels(shape: Shape, width: int, height: int) -> int:
    """How many pixels a COCO reader (pycocotools) rasterises a polygon-like shape to on a
    ``width`` x ``height`` image. Computed on the shape's own box, so it costs what the shape
    covers, not the image."""
    from pycocotools import mask as mask_utils

    coords = polygon_coords(shape)
    xs, ys = coords[0::2], coords[1::2]
    x0 = max(0, math.floor(min(xs)) - 1)
    y0 = max(0, math.floor(min(ys)) - 1)
    x1 = min(width, math.ceil(max(xs)) + 2)
    y1 = min(height, math.ceil(max(ys)) + 2)
    if x1 <= x0 or y1 <= y0:
        return 0
    clipped = clip_polygon(coords, x0, y0, x1, y1)
    if len(clipped) < 6:
        return 0
    moved = [v - (x0 if k % 2 == 0 else y0) for k, v in enumerate(clipped)]
    rles = mask_utils.frPyObjects([moved], y1 - y0, x1 - x0)
    return int(mask_utils.area(rles).sum())


def coco_polygon(shape: Shape, width: int, height: int) -> list[float] | None:
    """The shape as a COCO polygon clipped to the image, when a COCO reader paints that polygon
    as LabelMe does (up to the outline convention): a polygon form whose ring does not cross
    itself and covers a pixel centre. Else None: the shape is written as RLE of its LabelMe
    pixels (a "bow-tie", a sliver thinner than a pixel)."""
    if not kind_of(shape).polygon_form:
        return None
    coords = clip_polygon(polygon_coords(shape), 0, 0, width, height)
    if len(coords) < 6 or not LinearRing(list(zip(coords[0::2], coords[1::2]))).is_simple:
        return None
    return coords if coco_pixels(shape, width, height) > 0 else None


def _coco_job(job: _Job) -> _Result:
    classes = ClassList(job.names, job.has_ignore)
    chk = check_item(job.item, classes, area_only=True)
    res = _Result(job.stem, False, chk.problems, chk.skipped)
    if not chk.ok:
        return res
    h, w = chk.height, chk.width
    for inst, crop, (x0, y0) in instance_crops(chk.shapes, h, w, classes, path=job.item.json):
        members = [chk.shapes[i] for i in inst.shape_indices]
        area = int(np.count_nonzero(crop))
        bbox = bbox_of(crop, x0, y0)
        if area == 0 or bbox is None:
            res.skipped.append(Skipped(job.item.json, chk.indices[inst.shape_indices[0]],
                                       f"instance {inst.label!r} covers no pixel of the image"))
            continue
        polygons = [coco_polygon(s, w, h) for s in members]
        seg: Any = polygons if all(p is not None for p in polygons) else rle_encode(crop, x0, y0, h, w)
        res.annotations.append({
            "category_id": inst.class_id, "segmentation": seg, "area": float(area), "bbox": bbox,
            "iscrowd": 0, "_label": inst.label,
        })
    res.width, res.height = w, h
    try:
        res.written = [export_image(job.item.image, job.out / IMAGES_DIR, job.stem)]
    except SOURCE_ERRORS as exc:  # a failed write (OSError) stops the whole export
        return image_failed(res, job.item, exc)
    res.ok = True
    return res


def coco_document(results: list[_Result], image_ids: list[int], classes: ClassList,
                  description: str = "") -> dict[str, Any]:
    """The COCO dict for some images (their job results and global ids)."""
    images, annotations = [], []
    for res, image_id in zip(results, image_ids):
        images.append({"id": image_id, "file_name": f"{res.stem}.jpg", "width": res.width, "height": res.height})
        for a in res.annotations:
            a = {k: v for k, v in a.items() if not k.startswith("_")}
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, **a})
    categories = [{"id": i, "name": n, "supercategory": "none"} for i, n in enumerate(classes.names) if i > 0]
    return {
        "info": {"description": description or "exported by segcore",
                 "date_created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": categories,
    }


def export_coco(root: str | os.PathLike, out: str | os.PathLike, *,
                classes: ClassList | str | os.PathLike | list[str] | None = None,
                val_ratio: float = 0.2, seed: int = 0, split_from_flags: bool = False,
                overlays: bool = False, overwrite: bool = False, strict: bool = False,
                workers: int | None = None, progress: ProgressCallback | None = None,
                cancel: CancelToken | None = None) -> ExportReport:
    """Export the labelled images under ``root`` to COCO instances JSON per split under ``out``.

    Arguments and the all-or-nothing replacement of ``out`` as
    :func:`segcore.formats.voc.export_voc` (``overlays`` is accepted and ignored).
    Category ids are the class ids (``_background_`` = 0 is not a category).
    """
    del overlays
    plan = plan_export(root, out, "COCO", classes=classes, val_ratio=val_ratio, seed=seed,
                       split_from_flags=split_from_flags, overwrite=overwrite, strict=strict, area_only=True,
                       workers=workers, progress=progress, cancel=cancel)
    report, out, cl = plan.report, plan.out, plan.classes
    with staged_writes(plan) as done:
        (out / IMAGES_DIR).mkdir(exist_ok=True)
        (out / ANNOTATIONS_DIR).mkdir(exist_ok=True)
        jobs = [_Job(it, st, out, list(cl.names), cl.has_ignore) for it, st in zip(plan.items, plan.stems)]
        results = run_jobs(_coco_job, jobs, workers=workers, progress=done, cancel=cancel, desc="COCO export")
        by_split: dict[str, list[tuple[_Result, int]]] = {"train": [], "val": []}
        for i, res, split in accepted_results(plan, results, strict=strict):
            report.instances.update(Counter(a["_label"] for a in res.annotations))
            by_split.setdefault(split, []).append((res, i + 1))  # image ids 1..N in scan order
        for split, pairs in by_split.items():
            doc = coco_document([r for r, _ in pairs], [i for _, i in pairs], cl, f"{Path(root).name} ({split})")
            p = out / ANNOTATIONS_DIR / f"instances_{split}.json"
            files.write_file(p, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
            report.written.append(p)
            report.splits[split] = len(pairs)
    return report

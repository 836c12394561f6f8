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
reader: slivers are left out by :mod:`segcore.data.shape_checks`.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import LinearRing

from segcore.data.dataset import Item
from segcore.data.rasterize import ClassList, instance_crops
from segcore.data.shape_checks import clip_polygon, polygon_coords
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


def _simple_polygon(shape: Shape) -> bool:
    """True when a COCO reader paints the shape's polygon as LabelMe does, up to the outline
    convention: a polygon form whose ring does not cross itself. A self-crossing ring (a
    "bow-tie") is written as RLE of its LabelMe pixels instead."""
    kind = kind_of(shape)
    if not kind.polygon_form:
        return False
    pts = kind.polygon(shape)
    return pts is not None and LinearRing(pts).is_simple


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
        if all(_simple_polygon(s) for s in members):
            seg: Any = [clip_polygon(polygon_coords(s), 0, 0, w, h) for s in members]  # inside the image
        else:
            seg = rle_encode(crop, x0, y0, h, w)
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

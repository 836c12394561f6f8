"""Plain mask PNG export, in flat folders as CamVid and Cityscapes users keep them.

```
out/images/<stem>.jpg       JPEG sources copied byte for byte, others encoded once
out/masks/<stem>.png        8-bit grey PNG: class ids, 0 background, 255 ignore
out/colour/<stem>.png       with ``colour``: the same map with the VOC colours (indexed PNG)
out/class_names.txt         class names in id order, from _background_ (what import masks reads)
out/{train,val}.txt         stems of each split, one a line (test.txt when flags name it)
```
The masks are what VOC's SegmentationClass holds (shapes painted in order, unreviewed model
proposals' pixels ignore), so ``python -m segcore import masks out/images --masks out/masks
--labels out/class_names.txt --ignore-value 255`` reads them back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from segcore.data.dataset import Item
from segcore.data.rasterize import IGNORE_INDEX, ClassList, class_map, unreviewed_mask
from segcore.formats import files
from segcore.formats.common import (
    ExportReport,
    accepted_results,
    check_item,
    image_failed,
    plan_export,
    staged_writes,
)
from segcore.formats.files import SOURCE_ERRORS, export_image, palette_png
from segcore.formats.pool import run_jobs
from segcore.io.palette import palette_bytes
from segcore.progress import CancelToken, ProgressCallback

IMAGES_DIR, MASKS_DIR, COLOUR_DIR = "images", "masks", "colour"


@dataclass
class _Job:
    item: Item
    stem: str
    out: Path
    names: list[str]
    has_ignore: bool
    colour: bool


@dataclass
class _Result:
    stem: str
    ok: bool
    problems: list
    skipped: list
    labels: list[str]
    written: list[Path]


def grey_png(index_map: np.ndarray) -> bytes:
    """8-bit grey PNG bytes of a uint8 map (fast settings for label maps)."""
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(index_map, dtype=np.uint8),
                           [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE])
    if not ok:  # pragma: no cover - OpenCV failing on a plain uint8 array
        raise ValueError("cannot encode the mask PNG")
    return buf.tobytes()


def _masks_job(job: _Job) -> _Result:
    classes = ClassList(job.names, job.has_ignore)
    chk = check_item(job.item, classes)
    res = _Result(job.stem, False, chk.problems, chk.skipped, [], [])
    if not chk.ok:
        return res
    cmap = class_map(chk.shapes, chk.height, chk.width, classes, path=job.item.json)
    unsure = unreviewed_mask(chk.proposed, chk.height, chk.width)
    if unsure is not None:  # pixels only a model proposal covers: neither its class nor background
        cmap[unsure & (cmap == 0)] = IGNORE_INDEX
    try:
        paths = [export_image(job.item.image, job.out / IMAGES_DIR, job.stem)]
    except SOURCE_ERRORS as exc:  # a failed write (OSError) stops the whole export
        return image_failed(res, job.item, exc)
    paths.append(job.out / MASKS_DIR / f"{job.stem}.png")
    files.write_file(paths[-1], grey_png(cmap))
    if job.colour:
        paths.append(job.out / COLOUR_DIR / f"{job.stem}.png")
        files.write_file(paths[-1], palette_png(cmap, palette_bytes()))
    res.ok = True
    res.labels = [s.label for s in chk.shapes if s.label != "__ignore__"]
    res.written = paths
    return res


def export_masks(root: str | os.PathLike, out: str | os.PathLike, *,
                 classes: ClassList | str | os.PathLike | list[str] | None = None,
                 val_ratio: float = 0.2, seed: int = 0, split_from_flags: bool = False,
                 overlays: bool = False, colour: bool = False, overwrite: bool = False, strict: bool = False,
                 workers: int | None = None, progress: ProgressCallback | None = None,
                 cancel: CancelToken | None = None) -> ExportReport:
    """Export the labelled images under ``root`` as index-mask PNGs in flat folders (module
    docstring); ``colour`` also writes colour PNGs. Arguments and the all-or-nothing
    replacement of ``out`` as :func:`segcore.formats.voc.export_voc` (``overlays`` is
    accepted and ignored). The report counts shapes per class as instances."""
    del overlays
    plan = plan_export(root, out, "masks", classes=classes, val_ratio=val_ratio, seed=seed,
                       split_from_flags=split_from_flags, overwrite=overwrite, strict=strict, area_only=False,
                       workers=workers, progress=progress, cancel=cancel)
    report, tmp, cl = plan.report, plan.out, plan.classes
    with staged_writes(plan) as done:
        for d in (IMAGES_DIR, MASKS_DIR) + ((COLOUR_DIR,) if colour else ()):
            (tmp / d).mkdir(exist_ok=True)
        jobs = [_Job(it, st, tmp, list(cl.names), cl.has_ignore, colour) for it, st in zip(plan.items, plan.stems)]
        results = run_jobs(_masks_job, jobs, workers=workers, progress=done, cancel=cancel, desc="masks export")
        lists: dict[str, list[str]] = {"train": [], "val": []}
        for _, res, split in accepted_results(plan, results, strict=strict):
            report.instances.update(res.labels)
            lists.setdefault(split, []).append(res.stem)
        for name, stems in lists.items():
            p = tmp / f"{name}.txt"
            files.write_file(p, "".join(f"{s}\n" for s in stems).encode())
            report.written.append(p)
            report.splits[name] = len(stems)
        files.write_file(tmp / "class_names.txt", "".join(f"{n}\n" for n in cl.names).encode())
        report.written.append(tmp / "class_names.txt")
    return report

"""Pascal VOC segmentation export (layout in FORMATS.md).

```
out/JPEGImages/<stem>.jpg               JPEG sources copied byte for byte, others encoded once
out/SegmentationClass/<stem>.png        mode "P", VOC palette, 0 background, 255 ignore
out/SegmentationObject/<stem>.png       mode "P", instance ids 1..K, 0 background, 255 ignore
out/SegmentationClassVisualization/     optional overlays (JPEG) for a person to look at
out/ImageSets/Segmentation/{train,val,trainval}.txt   (+ test.txt when flags name it)
out/class_names.txt                     class names in id order, from _background_
```
One process-pool job per image does the checks, rasterising and encoding.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from segcore.data.dataset import Item
from segcore.data.rasterize import (
    BACKGROUND_LABEL,
    IGNORE_INDEX,
    IGNORE_LABEL,
    ClassList,
    Instance,
    class_map,
    instances_of,
    unreviewed_mask,
)
from segcore.formats import files
from segcore.formats.common import (
    ExportReport,
    Skipped,
    accepted_results,
    check_item,
    image_failed,
    plan_export,
    staged_writes,
)
from segcore.formats.files import SOURCE_ERRORS, encode_jpeg, export_image, palette_png, read_rgb
from segcore.formats.pool import run_jobs
from segcore.io.annotation import Shape
from segcore.io.palette import palette_bytes, voc_palette
from segcore.progress import CancelToken, ProgressCallback

SUBDIRS = ("JPEGImages", "SegmentationClass", "SegmentationObject")
VIS_DIR = "SegmentationClassVisualization"
MAX_INSTANCES = 254


@dataclass
class _Job:
    item: Item
    stem: str
    out: Path
    names: list[str]
    has_ignore: bool
    overlays: bool


@dataclass
class _Result:
    stem: str
    ok: bool
    problems: list
    skipped: list
    instances: Counter
    written: list[Path]


def overlay(rgb: np.ndarray, cmap: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """The image with class colours blended in (background left as is)."""
    colours = voc_palette(256)
    out = rgb.astype(np.float32)
    fg = cmap != 0
    out[fg] = (1 - alpha) * out[fg] + alpha * colours[cmap[fg]]
    return out.round().astype(np.uint8)


def object_map(shapes: list[Shape], height: int, width: int, classes: ClassList) -> tuple[np.ndarray, list[Instance]]:
    """uint8 VOC object map (instance ids 1..254 in order of first appearance, 0 background,
    255 ignore) and the instances: :func:`rasterize.instance_map`'s pixels, painted by
    :func:`rasterize.class_map` on one 8-bit image with each shape labelled by its instance."""
    instances = instances_of(shapes, classes)
    ink = {i: inst.id for inst in instances for i in inst.shape_indices}
    names = [BACKGROUND_LABEL] + [f"{k}" for k in range(1, min(len(instances), MAX_INSTANCES) + 1)]
    relabelled = []
    for i, s in enumerate(shapes):
        if i in ink:
            if ink[i] > MAX_INSTANCES:
                continue
            s = copy.copy(s)
            s.label = names[ink[i]]
        elif s.label != IGNORE_LABEL:
            s = copy.copy(s)
            s.label = BACKGROUND_LABEL
        relabelled.append(s)
    return class_map(relabelled, height, width, ClassList(names, True)), instances


def _voc_job(job: _Job) -> _Result:
    classes = ClassList(job.names, job.has_ignore)
    chk = check_item(job.item, classes)
    res = _Result(job.stem, False, chk.problems, chk.skipped, Counter(), [])
    if not chk.ok:
        return res
    h, w = chk.height, chk.width
    cmap = class_map(chk.shapes, h, w, classes, path=job.item.json)
    obj, instances = object_map(chk.shapes, h, w, classes)
    unsure = unreviewed_mask(chk.proposed, h, w)
    if unsure is not None:  # pixels only a model proposal covers: neither its class nor background
        unsure &= cmap == 0
        cmap[unsure] = obj[unsure] = IGNORE_INDEX
    present = np.bincount(obj.ravel(), minlength=256)
    hidden = [inst for inst in instances if inst.id <= MAX_INSTANCES and not present[inst.id]]
    for inst in hidden:  # an instance with 0 pixels is not written, nor counted
        res.skipped.append(Skipped(job.item.json, chk.indices[inst.shape_indices[0]],
                                   f"instance {inst.label!r} is covered entirely by shapes drawn after it "
                                   "(0 pixels left): not in SegmentationObject"))
    if len(instances) > MAX_INSTANCES:
        res.skipped.append(Skipped(job.item.json, None, f"{len(instances)} instances do not fit a VOC object PNG "
                                   f"(at most {MAX_INSTANCES}); SegmentationObject keeps the first {MAX_INSTANCES}"))
    pal = palette_bytes()
    out = job.out
    try:  # the image first: when it cannot be read, no mask of it is written either
        paths = [export_image(job.item.image, out / "JPEGImages", job.stem)]
        if job.overlays:
            vis = out / VIS_DIR / f"{job.stem}.jpg"
            files.write_file(vis, encode_jpeg(overlay(read_rgb(job.item.image), cmap), quality=90))
            paths.append(vis)
    except SOURCE_ERRORS as exc:  # a failed write (OSError) stops the whole export
        return image_failed(res, job.item, exc)
    for sub, arr in (("SegmentationClass", cmap), ("SegmentationObject", obj)):
        paths.append(out / sub / f"{job.stem}.png")
        files.write_file(paths[-1], palette_png(arr, pal))
    res.ok = True
    res.instances = Counter(inst.label for inst in instances if inst not in hidden)
    res.written = paths
    return res


def export_voc(root: str | os.PathLike, out: str | os.PathLike, *,
               classes: ClassList | str | os.PathLike | list[str] | None = None,
               val_ratio: float = 0.2, seed: int = 0, split_from_flags: bool = False,
               overlays: bool = False, overwrite: bool = False, strict: bool = False,
               workers: int | None = None, progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> ExportReport:
    """Export the labelled images under ``root`` to a VOC segmentation folder ``out``.

    ``classes``: a ClassList, a labels.txt path or names (default: the labels used, natural
    order). Splits by ``val_ratio``/``seed`` (stable when images are added) or, with
    ``split_from_flags``, by the image flags ``train``/``val``/``test``. Bad shapes and files
    are reported (``report.problems``/``report.skipped``) and the rest exports; with
    ``strict`` any problem raises :class:`ExportError` before anything is written. A non-empty
    ``out`` is refused unless ``overwrite``. The export is written to a temporary folder and
    replaces an earlier one in ``out`` only once complete (:mod:`segcore.formats.staging`);
    when a write fails (a full disk) :class:`ExportError` says how many images were written
    and ``out`` is left as it was; files in ``out`` the export does not write are kept.
    """
    plan = plan_export(root, out, "VOC", classes=classes, val_ratio=val_ratio, seed=seed,
                       split_from_flags=split_from_flags, overwrite=overwrite, strict=strict, area_only=False,
                       workers=workers, progress=progress, cancel=cancel)
    report, out, cl = plan.report, plan.out, plan.classes
    with staged_writes(plan) as done:
        for d in SUBDIRS + ("ImageSets/Segmentation",) + ((VIS_DIR,) if overlays else ()):
            (out / d).mkdir(parents=True, exist_ok=True)
        jobs = [_Job(it, st, out, list(cl.names), cl.has_ignore, overlays) for it, st in zip(plan.items, plan.stems)]
        results = run_jobs(_voc_job, jobs, workers=workers, progress=done, cancel=cancel, desc="VOC export")
        lists: dict[str, list[str]] = {"train": [], "val": []}
        for _, res, split in accepted_results(plan, results, strict=strict):
            report.instances.update(res.instances)
            lists.setdefault(split, []).append(res.stem)
        lists["trainval"] = lists["train"] + lists["val"]
        for name, stems_ in lists.items():
            p = out / "ImageSets" / "Segmentation" / f"{name}.txt"
            files.write_file(p, "".join(f"{s}\n" for s in stems_).encode())
            report.written.append(p)
            if name != "trainval":
                report.splits[name] = len(stems_)
        files.write_file(out / "class_names.txt", "".join(f"{n}\n" for n in cl.names).encode())
        report.written.append(out / "class_names.txt")
    return report

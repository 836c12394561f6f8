"""Readers back into LabelMe JSON, written next to the images: COCO instances (polygons and
RLE), VOC class/object PNGs, and a folder of index-mask PNGs with a class list.

Masks become shapes per connected component through :mod:`segcore.polygons` (polygons with a
simplification tolerance in pixels; ``mask`` shapes where a polygon cannot hold a hole or a
thin part). With ``tolerance=0`` the import is lossless: exporting the imported folder again
gives the same class PNGs. An existing label file is left alone unless ``overwrite``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from segcore.annotation import AnnotationError, Shape, json_path_for, new_annotation, save
from segcore.dataset import Problem
from segcore.export.common import ExportError, ExportReport, Skipped
from segcore.export.files import IMAGE_ERRORS, image_header
from segcore.export.pool import run_jobs
from segcore.polygons import mask_to_shapes
from segcore.progress import CancelToken, ProgressCallback
from segcore.rasterize import BACKGROUND_LABEL, IGNORE_INDEX, IGNORE_LABEL

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")

ImportReport = ExportReport
"""What an import did (``action == "import"``): images written, instances, problems, skips."""


@dataclass
class _Result:
    ok: bool = False
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    written: Path | None = None


def _existing(json_path: Path, overwrite: bool) -> Skipped | None:
    if json_path.exists() and not overwrite:
        return Skipped(json_path, None, "label file exists; left unchanged (pass overwrite / --overwrite to replace it)")
    return None


def _write(image: Path, json_path: Path, width: int, height: int, shapes: list[Shape], res: _Result) -> _Result:
    ann = new_annotation(image, json_path, width, height)
    ann.shapes = shapes
    try:
        save(ann, json_path)
    except AnnotationError as exc:
        res.problems.append(Problem(json_path, "unwritable", exc.reason))
        return res
    res.ok = True
    res.written = json_path
    grouped = {(s.label, s.group_id) for s in shapes if s.group_id is not None}
    res.labels = [s.label for s in shapes if s.group_id is None] + [label for label, _ in grouped]
    return res


# ----------------------------------------------------------------------------- label maps


@dataclass
class _MapJob:
    image: Path
    class_png: Path
    object_png: Path | None
    names: list[str]
    ignore_values: tuple[int, ...]
    tolerance: float
    overwrite: bool


def _read_index(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        if im.mode not in ("P", "L", "I", "I;16", "1"):
            raise ValueError(f"{path}: an index mask must be single-channel (mode {im.mode})")
        return np.asarray(im).astype(np.int64)


def label_map_shapes(cmap: np.ndarray, names: list[str], *, ignore_values=(IGNORE_INDEX,),
                     objects: np.ndarray | None = None, tolerance: float = 1.0) -> list[Shape]:
    """LabelMe shapes for a class-index map: one shape per connected component per class
    (per object and class when an object map is given; its id becomes the ``group_id``), value
    value 0 is background when ``names[0]`` is ``_background_`` (else every value is a class),
    ``ignore_values`` become ``__ignore__`` shapes. Exact at ``tolerance=0``."""
    exact = tolerance <= 0

    def label_of(value: int) -> str:
        return IGNORE_LABEL if value in ignore_values else names[value]

    shapes: list[Shape] = []
    rest = cmap != 0 if names and names[0] == BACKGROUND_LABEL else np.ones(cmap.shape, dtype=bool)
    if objects is not None:  # instances first, in object-id order, so ids survive a re-export
        is_obj = (objects > 0) & (objects < IGNORE_INDEX) & ~np.isin(cmap, list(ignore_values)) & rest
        for oid in np.unique(objects[is_obj]):
            inside = is_obj & (objects == oid)
            for value in np.unique(cmap[inside]):
                part = inside & (cmap == value)
                shapes += mask_to_shapes(part, label_of(int(value)), tolerance=tolerance, exact=exact,
                                         group_id=int(oid))
        rest &= ~is_obj
    for value in np.unique(cmap[rest]):
        shapes += mask_to_shapes(rest & (cmap == value), label_of(int(value)), tolerance=tolerance, exact=exact)
    return shapes


def _map_job(job: _MapJob) -> _Result:
    res = _Result()
    jp = json_path_for(job.image)
    skip = _existing(jp, job.overwrite)
    if skip is not None:
        res.skipped.append(skip)
        return res
    try:
        width, height, _ = image_header(job.image)
        cmap = _read_index(job.class_png)
        objects = _read_index(job.object_png) if job.object_png is not None else None
    except IMAGE_ERRORS as exc:
        res.problems.append(Problem(job.class_png, "unreadable_image", str(exc)))
        res.skipped.append(Skipped(job.class_png, None, f"not imported: {exc}"))
        return res
    for name, arr in (("class mask", cmap), ("object mask", objects)):
        if arr is not None and arr.shape != (height, width):
            msg = f"{name} is {arr.shape[1]}x{arr.shape[0]} but the image is {width}x{height}"
            res.problems.append(Problem(job.class_png, "size_mismatch", msg))
            res.skipped.append(Skipped(job.class_png, None, f"not imported: {msg}"))
            return res
    bad = sorted({int(v) for v in np.unique(cmap)} - set(range(len(job.names))) - set(job.ignore_values))
    if bad:
        msg = f"values {bad} are not class ids (the class list has {len(job.names)} names); treated as ignore"
        res.problems.append(Problem(job.class_png, "unknown_label", msg))
        cmap = np.where(np.isin(cmap, bad), job.ignore_values[0] if job.ignore_values else 0, cmap)
    shapes = label_map_shapes(cmap, job.names, ignore_values=job.ignore_values, objects=objects,
                              tolerance=job.tolerance)
    return _write(job.image, jp, width, height, shapes, res)


def _images_in(folder: Path) -> list[Path]:
    from segcore.dataset import natural_key

    return sorted((p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
                  key=lambda p: natural_key(p.name))


def _collect(jobs: list, fn, report: ExportReport, workers, progress, cancel) -> ExportReport:
    for res in run_jobs(fn, jobs, workers=workers, progress=progress, cancel=cancel, desc="import"):
        report.problems += res.problems
        report.skipped += res.skipped
        if res.ok:
            report.images += 1
            report.written.append(res.written)
            report.instances.update(label for label in res.labels if label != IGNORE_LABEL)
    return report


def _read_names(path: str | os.PathLike) -> list[str]:
    p = Path(path)
    try:
        names = [ln.strip() for ln in p.read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
    except OSError as exc:
        raise ExportError(f"{p}: cannot read the class list ({exc.strerror or exc})") from None
    names = [n for n in names if n != IGNORE_LABEL]
    if not names:
        raise ExportError(f"{p}: the class list is empty")
    return names


def import_index_masks(images_dir: str | os.PathLike, masks_dir: str | os.PathLike,
                       class_names: list[str] | str | os.PathLike, *, ignore_value: int | None = None,
                       tolerance: float = 1.0, overwrite: bool = False, workers: int | None = None,
                       progress: ProgressCallback | None = None,
                       cancel: CancelToken | None = None) -> ImportReport:
    """LabelMe JSON next to each image of ``images_dir`` from the index-mask PNG of the same
    stem in ``masks_dir`` (pixel value = index into ``class_names``; 0 is background only when
    the first name is ``_background_``, as in labels.txt, so a list like CamVid's where 0 is
    "Sky" keeps every class; ``ignore_value`` becomes ``__ignore__``). ``class_names`` is a
    list or a file (one a line)."""
    images_dir, masks_dir = Path(images_dir), Path(masks_dir)
    names = list(class_names) if isinstance(class_names, (list, tuple)) else _read_names(class_names)
    report = ImportReport(images_dir, "index masks", action="import", classes=names)
    jobs = []
    for img in _images_in(images_dir):
        mask = masks_dir / f"{img.stem}.png"
        if not mask.is_file():
            report.unlabelled += 1
            report.skipped.append(Skipped(img, None, f"no mask {mask.name} in {masks_dir}"))
            continue
        ign = (ignore_value,) if ignore_value is not None else ()
        jobs.append(_MapJob(img, mask, None, names, ign, tolerance, overwrite))
    return _collect(jobs, _map_job, report, workers, progress, cancel)


def import_voc(voc_root: str | os.PathLike, *, class_names: list[str] | str | os.PathLike | None = None,
               tolerance: float = 1.0, overwrite: bool = False, use_objects: bool = True,
               workers: int | None = None, progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> ImportReport:
    """LabelMe JSON next to each ``JPEGImages`` image of a VOC folder from its
    ``SegmentationClass`` PNG (255 -> ``__ignore__``), grouped into instances by the
    ``SegmentationObject`` PNG when there is one. Class names from ``class_names`` or
    ``class_names.txt`` in the folder (else the 21 VOC classes)."""
    root = Path(voc_root)
    if not (root / "JPEGImages").is_dir() or not (root / "SegmentationClass").is_dir():
        raise ExportError(f"{root}: not a VOC folder (needs JPEGImages/ and SegmentationClass/)")
    if class_names is None:
        cn = root / "class_names.txt"
        names = _read_names(cn) if cn.is_file() else list(VOC_CLASSES)
    elif isinstance(class_names, (list, tuple)):
        names = list(class_names)
    else:
        names = _read_names(class_names)
    report = ImportReport(root / "JPEGImages", "VOC", action="import", classes=names)
    jobs = []
    for img in _images_in(root / "JPEGImages"):
        cls_png = root / "SegmentationClass" / f"{img.stem}.png"
        if not cls_png.is_file():
            report.unlabelled += 1
            continue
        obj_png = root / "SegmentationObject" / f"{img.stem}.png"
        obj = obj_png if use_objects and obj_png.is_file() else None
        jobs.append(_MapJob(img, cls_png, obj, names, (IGNORE_INDEX,), tolerance, overwrite))
    return _collect(jobs, _map_job, report, workers, progress, cancel)


VOC_CLASSES = (
    BACKGROUND_LABEL, "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
    "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
    "train", "tvmonitor",
)


# ----------------------------------------------------------------------------- COCO


@dataclass
class _CocoJob:
    image: Path
    width: int
    height: int
    anns: list[tuple[int, str, Any]]  # (annotation id, label, segmentation)
    source: Path
    tolerance: float
    overwrite: bool


def _rle_mask(seg: dict[str, Any], height: int, width: int) -> np.ndarray:
    from pycocotools import mask as mask_utils

    if isinstance(seg.get("counts"), list):
        seg = mask_utils.frPyObjects(seg, height, width)
    elif isinstance(seg.get("counts"), str):
        seg = {"size": seg["size"], "counts": seg["counts"].encode("ascii")}
    return mask_utils.decode(seg).astype(bool)


def _rle_shapes(mask: np.ndarray, label: str, tolerance: float) -> list[Shape]:
    """An RLE instance as shapes: polygons per component at ``tolerance`` > 0; at 0 (lossless)
    one ``mask`` shape, so that a re-export writes the very same RLE (a polygon would be
    rasterised by COCO readers with other pixel rules)."""
    if tolerance > 0:
        return mask_to_shapes(mask, label, tolerance=tolerance)
    ys = np.flatnonzero(mask.any(axis=1))
    xs = np.flatnonzero(mask.any(axis=0))
    if len(ys) == 0:
        raise ValueError("empty mask")
    crop = mask[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]
    return [Shape(label, [(float(xs[0]), float(ys[0])), (float(xs[-1]), float(ys[-1]))],
                  shape_type="mask", mask=crop.copy())]


def _coco_job(job: _CocoJob) -> _Result:
    res = _Result()
    jp = json_path_for(job.image)
    skip = _existing(jp, job.overwrite)
    if skip is not None:
        res.skipped.append(skip)
        return res
    if not job.image.is_file():
        msg = f"image {job.image} not found"
        res.problems.append(Problem(job.source, "missing_image", msg))
        res.skipped.append(Skipped(job.source, None, f"not imported: {msg}"))
        return res
    shapes: list[Shape] = []
    next_group = 1
    for ann_id, label, seg in job.anns:
        try:
            if isinstance(seg, list):
                parts = []
                for poly in seg:
                    if len(poly) < 6 or len(poly) % 2:
                        raise ValueError(f"a polygon needs at least 3 x,y pairs, got {len(poly)} numbers")
                    parts.append(Shape(label, [(float(poly[i]), float(poly[i + 1])) for i in range(0, len(poly), 2)]))
            elif isinstance(seg, dict):
                mask = _rle_mask(seg, job.height, job.width)
                parts = _rle_shapes(mask, label, job.tolerance)
            else:
                raise ValueError(f"unknown segmentation {type(seg).__name__}")
        except (ValueError, TypeError, KeyError) as exc:
            res.problems.append(Problem(job.source, "degenerate_shape", f"annotation {ann_id}: {exc}"))
            res.skipped.append(Skipped(job.source, None, f"annotation {ann_id} not imported: {exc}"))
            continue
        if len(parts) > 1:
            for s in parts:
                s.group_id = next_group
            next_group += 1
        shapes += parts
    return _write(job.image, jp, job.width, job.height, shapes, res)


def import_coco(json_path: str | os.PathLike, images_root: str | os.PathLike, *, tolerance: float = 1.0,
                overwrite: bool = False, workers: int | None = None,
                progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> ImportReport:
    """LabelMe JSON next to each image (``images_root / file_name``) of a COCO instances file:
    polygon segmentations become polygon shapes (several parts share a ``group_id``), RLE
    masks become polygons per component through :func:`segcore.polygons.mask_to_shapes`
    (``mask`` shapes where holes or thin parts need them), or at ``tolerance=0`` one lossless
    ``mask`` shape each."""
    src = Path(json_path)
    try:
        doc = json.loads(src.read_text(encoding="utf-8"))
        cats = {int(c["id"]): str(c["name"]) for c in doc["categories"]}
        images = {int(im["id"]): im for im in doc["images"]}
        anns = doc.get("annotations", [])
    except KeyError as exc:
        raise ExportError(f"{src}: not a COCO instances file (no {exc} list or entry key)") from None
    except (OSError, ValueError, TypeError) as exc:
        raise ExportError(f"{src}: not a COCO instances file ({exc})") from None
    report = ImportReport(Path(images_root), "COCO", action="import", classes=[BACKGROUND_LABEL, *cats.values()])
    per_image: dict[int, list[tuple[int, str, Any]]] = {i: [] for i in images}
    for a in anns:
        if not isinstance(a, dict):
            report.problems.append(Problem(src, "corrupt_json", f"annotation entry {a!r} is not a JSON object"))
            continue
        try:
            image_id, category_id = int(a["image_id"]), int(a["category_id"])
            if image_id not in per_image:
                raise LookupError(f"image_id {image_id} is not in 'images'")
            if category_id not in cats:
                raise LookupError(f"category_id {category_id} is not in 'categories'")
            per_image[image_id].append((a.get("id"), cats[category_id], a["segmentation"]))
        except LookupError as exc:
            reason = exc.args[0] if isinstance(exc.args[0], str) and " " in exc.args[0] else f"no {exc} key"
            report.problems.append(Problem(src, "corrupt_json", f"annotation {a.get('id')}: {reason}"))
        except (TypeError, ValueError) as exc:
            report.problems.append(Problem(src, "corrupt_json", f"annotation {a.get('id')}: {exc}"))
    jobs = []
    for image_id, im in images.items():
        if not per_image[image_id]:
            report.unlabelled += 1
            continue
        image = Path(images_root) / im["file_name"]
        jobs.append(_CocoJob(image, int(im["width"]), int(im["height"]), per_image[image_id], src,
                             tolerance, overwrite))
    return _collect(jobs, _coco_job, report, workers, progress, cancel)

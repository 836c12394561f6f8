"""VOC class/object PNGs and folders of index-mask PNGs back into LabelMe JSON next to the
images.

Masks become shapes per connected component through :mod:`segcore.data.polygons` (polygons with a
simplification tolerance in pixels; ``mask`` shapes where a polygon cannot hold a hole or a
thin part). With ``tolerance=0`` the import is lossless: exporting the imported folder again
gives the same class PNGs. With a tolerance, the classes are drawn in layers, largest first,
each extending a little under the classes drawn after it (:func:`layered_shapes`), so the
simplified outlines leave no gap between neighbouring classes. An existing label file is left alone unless ``overwrite``; a label
file that is a link to somewhere outside the images folder is never written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from segcore.data.dataset import Problem
from segcore.data.polygons import mask_to_shapes
from segcore.data.rasterize import BACKGROUND_LABEL, IGNORE_INDEX, IGNORE_LABEL, natural_key
from segcore.formats.common import ExportError, Skipped
from segcore.formats.files import IMAGE_ERRORS, image_header
from segcore.formats.import_common import ImportReport, Result, collect, target, write
from segcore.io.annotation import Shape
from segcore.io.imageio import IMAGE_EXTENSIONS
from segcore.progress import CancelToken, ProgressCallback

VOC_CLASSES = (
    BACKGROUND_LABEL, "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
    "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
    "train", "tvmonitor",
)


@dataclass
class _MapJob:
    folder: Path
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
    (per object and class when an object map is given; its id becomes the ``group_id``);
    value 0 is background when ``names[0]`` is ``_background_`` (else every value is a class),
    ``ignore_values`` become ``__ignore__`` shapes. Exact at ``tolerance=0``."""
    exact = tolerance <= 0

    def label_of(value: int) -> str:
        return IGNORE_LABEL if value in ignore_values else names[value]

    shapes: list[Shape] = []
    rest = cmap != 0 if names and names[0] == BACKGROUND_LABEL else np.ones(cmap.shape, dtype=bool)
    layered = not exact
    if objects is not None:  # instances first, in object-id order, so ids survive a re-export
        is_obj = (objects > 0) & (objects < IGNORE_INDEX) & ~np.isin(cmap, list(ignore_values)) & rest
        for oid in np.unique(objects[is_obj]):
            inside = is_obj & (objects == oid)
            for value in np.unique(cmap[inside]):
                part = inside & (cmap == value)
                shapes += mask_to_shapes(part, label_of(int(value)), tolerance=tolerance, exact=exact,
                                         group_id=int(oid))
        rest &= ~is_obj
    if not layered:
        for value in np.unique(cmap[rest]):
            shapes += mask_to_shapes(rest & (cmap == value), label_of(int(value)), tolerance=tolerance, exact=exact)
        return shapes
    return shapes + layered_shapes(cmap, rest, label_of, tolerance)


def layered_shapes(cmap: np.ndarray, region: np.ndarray, label_of, tolerance: float) -> list[Shape]:
    """Shapes for the classes of ``cmap`` inside ``region``, drawn in layers, largest class
    first: each class's shapes cover its pixels and extend under every class drawn after it,
    so where a simplified outline falls short, the class below shows rather than nothing.
    Neighbouring classes are no longer simplified apart, and in a dense map (``region`` the
    whole image) no pixel is left without a shape."""
    values, counts = np.unique(cmap[region], return_counts=True)
    order = [int(v) for v, _ in sorted(zip(values.tolist(), counts.tolist()), key=lambda vc: (-vc[1], vc[0]))]
    later = region.copy()
    shapes: list[Shape] = []
    for value in order:
        shapes += mask_to_shapes(later, label_of(value), tolerance=tolerance)
        later &= cmap != value
    return shapes


def _map_job(job: _MapJob) -> Result:
    res = Result()
    jp = target(job.folder, job.image, job.overwrite, res)
    if jp is None:
        return res
    try:
        width, height, _ = image_header(job.image)
        cmap = _read_index(job.class_png)
        objects = _read_index(job.object_png) if job.object_png is not None else None
    except IMAGE_ERRORS as exc:
        return res.refuse(job.class_png, "unreadable_image", f"not imported: {exc}")
    for name, arr in (("class mask", cmap), ("object mask", objects)):
        if arr is not None and arr.shape != (height, width):
            msg = f"{name} is {arr.shape[1]}x{arr.shape[0]} but the image is {width}x{height}; not imported"
            return res.refuse(job.class_png, "size_mismatch", msg)
    bad = sorted({int(v) for v in np.unique(cmap)} - set(range(len(job.names))) - set(job.ignore_values))
    if bad:
        msg = f"values {bad} are not class ids (the class list has {len(job.names)} names); treated as ignore"
        res.problems.append(Problem(job.class_png, "unknown_label", msg))
        cmap = np.where(np.isin(cmap, bad), job.ignore_values[0] if job.ignore_values else 0, cmap)
    shapes = label_map_shapes(cmap, job.names, ignore_values=job.ignore_values, objects=objects,
                              tolerance=job.tolerance)
    return write(job.image, jp, width, height, shapes, res)


def _images_in(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()),
                  key=lambda p: natural_key(p.name))


def _read_names(path: str | os.PathLike) -> list[str]:
    p = Path(path)
    try:
        names = [ln.strip() for ln in p.read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{p}: cannot read the class list ({getattr(exc, 'strerror', None) or exc})") from None
    names = [n for n in names if n != IGNORE_LABEL]
    if not names:
        raise ExportError(f"{p}: the class list is empty")
    return names


def _folder(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise ExportError(f"{path}: the {what} is not a folder")
    return path


def import_index_masks(images_dir: str | os.PathLike, masks_dir: str | os.PathLike,
                       class_names: list[str] | str | os.PathLike, *, ignore_value: int | None = None,
                       tolerance: float = 1.0, overwrite: bool = False, workers: int | None = None,
                       progress: ProgressCallback | None = None,
                       cancel: CancelToken | None = None) -> ImportReport:
    """LabelMe JSON next to each image of ``images_dir`` from the index-mask PNG of the same
    stem in ``masks_dir`` (pixel value = index into ``class_names``; 0 is background only when
    the first name is ``_background_``, as in labels.txt, so a list like CamVid's where 0 is
    "Sky" keeps every class; ``ignore_value`` becomes ``__ignore__``). ``class_names`` is a
    list or a file (one a line). Raises :class:`ExportError` when it cannot start."""
    images_dir = _folder(Path(images_dir), "images folder")
    masks_dir = _folder(Path(masks_dir), "masks folder")
    names = list(class_names) if isinstance(class_names, (list, tuple)) else _read_names(class_names)
    report = ImportReport(images_dir, "index masks", classes=names)
    jobs = []
    for img in _images_in(images_dir):
        mask = masks_dir / f"{img.stem}.png"
        if not mask.is_file():
            report.unlabelled += 1
            report.skipped.append(Skipped(img, None, f"no mask {mask.name} in {masks_dir}"))
            continue
        ign = (ignore_value,) if ignore_value is not None else ()
        jobs.append(_MapJob(images_dir, img, mask, None, names, ign, tolerance, overwrite))
    return collect(jobs, _map_job, report, workers, progress, cancel)


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
    images = root / "JPEGImages"
    report = ImportReport(images, "VOC", classes=names)
    jobs = []
    for img in _images_in(images):
        cls_png = root / "SegmentationClass" / f"{img.stem}.png"
        if not cls_png.is_file():
            report.unlabelled += 1
            continue
        obj_png = root / "SegmentationObject" / f"{img.stem}.png"
        obj = obj_png if use_objects and obj_png.is_file() else None
        jobs.append(_MapJob(images, img, cls_png, obj, names, (IGNORE_INDEX,), tolerance, overwrite))
    return collect(jobs, _map_job, report, workers, progress, cancel)

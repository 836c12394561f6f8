"""COCO instances (polygons and RLE) back into LabelMe JSON next to the images.

The whole file is checked before anything is written (:mod:`segcore.formats.import_coco_checks`):
image entries (id, ``file_name`` inside the images folder, ``width``/``height``), duplicate
image ids, two entries sharing one label file, categories, ``iscrowd``, and every
segmentation. Then, per image, the real image's size is read from its header and compared,
shapes are built, and the label file is written only when all of that image's annotations are
good. Each problem names the image and annotation; nothing is written for an image with one.

Crowd regions (``iscrowd: 1``: a group of objects outlined as one) are not instances: they
become ``__ignore__`` shapes (left out of training and of the VOC class maps, as COCO's own
evaluation ignores them) whose description names their category.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from segcore.data.dataset import Problem
from segcore.data.polygons import mask_to_shapes
from segcore.data.rasterize import BACKGROUND_LABEL, IGNORE_LABEL
from segcore.data.shape_checks import shape_issue
from segcore.formats.common import ExportError
from segcore.formats.files import IMAGE_ERRORS, image_header
from segcore.formats.import_coco_checks import (
    BadEntry,
    integer,
    json_kind,
    read_document,
    read_polygons,
    read_rle,
    rle_decode,
    show,
)
from segcore.formats.import_common import ImportReport, Result, collect, target, write
from segcore.formats.import_paths import UnsafePath, image_in_folder, label_file_in_folder
from segcore.io.annotation import Shape
from segcore.io.imageio import DEFAULT_MAX_PIXELS
from segcore.progress import CancelToken, ProgressCallback


@dataclass
class _Ann:
    """One checked annotation: its label and either polygons or RLE run lengths."""

    ann_id: str
    label: str
    description: str = ""
    polygons: list[list[tuple[float, float]]] | None = None
    rle: list[int] | None = None


@dataclass
class _Entry:
    """One ``images`` entry and what was found wrong with it (``(kind, message)`` pairs)."""

    where: str
    image: Path | None = None
    width: int = 0
    height: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    raw: list[tuple[str, dict]] = field(default_factory=list)  # (annotation id, annotation)
    anns: list[_Ann] = field(default_factory=list)


@dataclass
class _CocoJob:
    folder: Path
    image: Path
    where: str
    width: int
    height: int
    anns: list[_Ann]
    source: Path
    tolerance: float
    overwrite: bool


# ----------------------------------------------------------------------------- checking the file


def _categories(raw: list, src: Path, problems: list[Problem]) -> dict[int, str | None]:
    """Category id -> name (None for an id defined more than once)."""
    cats: dict[int, str | None] = {}
    for k, c in enumerate(raw):
        try:
            if not isinstance(c, dict):
                raise BadEntry(f"is {json_kind(c)}, not an object")
            cid = integer(c.get("id"), "its id")
            name = c.get("name")
            if not isinstance(name, str) or not name.strip():
                raise BadEntry(f"its name must be a non-empty string, got {show(name)}")
        except BadEntry as exc:
            problems.append(Problem(src, "corrupt_json", f"categories entry #{k}: {exc}"))
            continue
        cats[cid] = None if cid in cats and cats[cid] != name else name
    return cats


def _image_entry(k: int, im: Any, folder: Path) -> tuple[int | None, _Entry]:
    """The id and the checked entry of ``images[k]`` (id None when it has no usable id)."""
    if not isinstance(im, dict):
        return None, _Entry(f"images entry #{k}", errors=[("corrupt_json", f"is {json_kind(im)}, not an object")])
    name = im.get("file_name")
    try:
        image_id = integer(im.get("id"), "its id")
    except BadEntry as exc:
        return None, _Entry(f"images entry #{k} ({show(name)})", errors=[("corrupt_json", str(exc))])
    entry = _Entry(f"image {image_id} ({show(name)})" if isinstance(name, str) else f"image {image_id}")
    try:
        entry.width = integer(im.get("width"), "its width", minimum=1)
        entry.height = integer(im.get("height"), "its height", minimum=1)
        if entry.width * entry.height > DEFAULT_MAX_PIXELS:
            raise BadEntry(f"its size {entry.width}x{entry.height} is over the limit of {DEFAULT_MAX_PIXELS:,} pixels")
    except BadEntry as exc:
        entry.errors.append(("corrupt_json", str(exc)))
    if name is None:
        entry.errors.append(("corrupt_json", "it has no file_name"))
        return image_id, entry
    try:
        entry.image = image_in_folder(folder, name)
        label_file_in_folder(folder, entry.image)
    except UnsafePath as exc:
        entry.errors.append(("unwritable", str(exc)))
    return image_id, entry


def _entries(raw: list, folder: Path, src: Path, problems: list[Problem]) -> dict[int, list[_Entry]]:
    """Image id -> its entries (more than one: every one of them is refused)."""
    by_id: dict[int, list[_Entry]] = defaultdict(list)
    for k, im in enumerate(raw):
        image_id, entry = _image_entry(k, im, folder)
        if image_id is None:
            problems += [Problem(src, kind, f"{entry.where}: {msg}") for kind, msg in entry.errors]
        else:
            by_id[image_id].append(entry)
    for image_id, entries in by_id.items():
        if len(entries) > 1:
            names = ", ".join(e.where for e in entries)
            for e in entries:
                e.errors.append(("corrupt_json", f"image id {image_id} appears {len(entries)} times in 'images' "
                                 f"({names}): its annotations cannot be told apart"))
    owners: dict[str, list[_Entry]] = defaultdict(list)
    for entries in by_id.values():
        for e in entries:
            if e.image is not None:
                owners[os.path.normcase(os.path.abspath(e.image.with_suffix(".json"))).casefold()].append(e)
    for shared in owners.values():
        if len(shared) > 1:
            for e in shared:
                others = ", ".join(o.where for o in shared if o is not e)
                e.errors.append(("corrupt_json", f"its label file {e.image.with_suffix('.json').name} would also be "
                                 f"the label file of {others}"))
    return by_id


def _annotation(ann_id: str, a: dict, entry: _Entry, cats: dict[int, str | None]) -> _Ann:
    """One annotation of an image checked against the image's COCO size."""
    cid = integer(a.get("category_id"), "its category_id")
    if cid not in cats:
        raise BadEntry(f"category_id {cid} is not in 'categories'", "unknown_label")
    name = cats[cid]
    if name is None:
        raise BadEntry(f"category_id {cid} is defined more than once in 'categories' with different names",
                       "unknown_label")
    crowd = a.get("iscrowd", 0)
    if crowd not in (0, 1):
        raise BadEntry(f"iscrowd must be 0 or 1, got {show(crowd)}")
    out = _Ann(ann_id, IGNORE_LABEL if crowd else name,
               f"COCO crowd region (iscrowd 1) of {name}" if crowd else "")
    if "segmentation" not in a:
        raise BadEntry("it has no segmentation")
    seg = a["segmentation"]
    if isinstance(seg, list):
        out.polygons = read_polygons(seg, entry.width, entry.height)
    elif isinstance(seg, dict):
        out.rle = read_rle(seg, entry.width, entry.height)
    else:
        raise BadEntry(f"the segmentation must be a list of polygons or an RLE object, got {show(seg)}")
    return out


def _attach(raw: list, by_id: dict[int, list[_Entry]], src: Path, problems: list[Problem]) -> None:
    """Hand each annotation to its image entries; ones that name no image are problems."""
    for k, a in enumerate(raw):
        if not isinstance(a, dict):
            problems.append(Problem(src, "corrupt_json", f"annotations entry #{k} is {json_kind(a)}, not an object"))
            continue
        ann_id = show(a["id"]) if "id" in a else f"#{k} (no id)"
        try:
            image_id = integer(a.get("image_id"), "its image_id")
            if image_id not in by_id:
                raise BadEntry(f"image_id {image_id} is not in 'images'")
        except BadEntry as exc:
            problems.append(Problem(src, "corrupt_json", f"annotation {ann_id}: {exc}"))
            continue
        for entry in by_id[image_id]:
            entry.raw.append((ann_id, a))


def _check_entry(entry: _Entry, cats: dict[int, str | None]) -> None:
    """Check the annotations of an entry whose own fields are good."""
    if entry.errors:
        return
    for ann_id, a in entry.raw:
        try:
            entry.anns.append(_annotation(ann_id, a, entry, cats))
        except BadEntry as exc:
            entry.errors.append((exc.kind, f"annotation {ann_id}: {exc}"))


# ----------------------------------------------------------------------------- one image


def _shapes(a: _Ann, width: int, height: int, tolerance: float) -> list[Shape]:
    """The shapes of one checked annotation; :class:`BadEntry` for one that ``info`` would
    find something wrong with (:func:`segcore.data.shape_checks.shape_issue`: no area, outside the
    image)."""
    if a.polygons is not None:
        shapes = [Shape(a.label, pts, description=a.description) for pts in a.polygons]
        for k, s in enumerate(shapes):
            issue = shape_issue(s, width, height)
            if issue is not None:
                raise BadEntry(f"polygon {k}: {issue.message}", "degenerate_shape")
        return shapes
    mask = rle_decode(a.rle, height, width)
    shapes = mask_to_shapes(mask, a.label, tolerance=tolerance) if tolerance > 0 else []
    if not shapes:  # lossless: one mask shape, so a re-export writes the very same RLE
        ys, xs = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        crop = mask[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]
        shapes = [Shape(a.label, [(float(xs[0]), float(ys[0])), (float(xs[-1]), float(ys[-1]))],
                        shape_type="mask", mask=crop.copy())]
    for s in shapes:
        s.description = a.description
        issue = shape_issue(s, width, height)
        if issue is not None:
            raise BadEntry(f"its RLE mask traces to an unusable shape ({issue.message}); try tolerance 0",
                           "degenerate_shape")
    return shapes


def _coco_job(job: _CocoJob) -> Result:
    res = Result()
    jp = target(job.folder, job.image, job.overwrite, res)
    if jp is None:
        return res
    if not job.image.is_file():
        return res.refuse(job.source, "missing_image", f"{job.where}: image {job.image} not found")
    try:
        width, height, _ = image_header(job.image)
    except (*IMAGE_ERRORS, Image.DecompressionBombError) as exc:
        return res.refuse(job.image, "unreadable_image", f"{job.where}: cannot read the image "
                                                         f"({getattr(exc, 'reason', exc)})")
    if (width, height) != (job.width, job.height):
        return res.refuse(job.source, "size_mismatch", f"{job.where}: the COCO file says {job.width}x{job.height} "
                                                       f"but {job.image.name} is {width}x{height}")
    shapes: list[Shape] = []
    next_group = 1
    for a in job.anns:
        try:
            parts = _shapes(a, width, height, job.tolerance)
        except BadEntry as exc:
            res.refuse(job.source, exc.kind, f"{job.where}: annotation {a.ann_id}: {exc}")
            continue
        if len(parts) > 1:
            for s in parts:
                s.group_id = next_group
            next_group += 1
        shapes += parts
    if res.problems:
        return res
    return write(job.image, jp, width, height, shapes, res)


# ----------------------------------------------------------------------------- the import


def import_coco(json_path: str | os.PathLike, images_root: str | os.PathLike, *, tolerance: float = 1.0,
                overwrite: bool = False, workers: int | None = None,
                progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> ImportReport:
    """LabelMe JSON next to each image (``images_root / file_name``, never outside it) of a
    COCO instances file: polygon segmentations become polygon shapes (several parts share a
    ``group_id``), RLE masks become polygons per component through
    :func:`segcore.data.polygons.mask_to_shapes` (``mask`` shapes where holes or thin parts need
    them), or at ``tolerance=0`` one lossless ``mask`` shape each; crowd regions become
    ``__ignore__`` shapes. Raises :class:`ExportError` only when the file is not a COCO file or
    the images folder is not a folder; everything else is a problem in the report, and an
    image with a problem gets no label file."""
    src, folder = Path(json_path), Path(images_root)
    if not folder.is_dir():
        raise ExportError(f"{folder}: the images folder is not a folder")
    doc = read_document(src)
    problems: list[Problem] = []
    cats = _categories(doc["categories"], src, problems)
    by_id = _entries(doc["images"], folder, src, problems)
    _attach(doc["annotations"], by_id, src, problems)
    names = list(dict.fromkeys(n for n in cats.values() if n is not None))
    report = ImportReport(folder, "COCO", classes=[BACKGROUND_LABEL, *names], problems=problems)
    jobs = []
    for entries in by_id.values():
        for entry in entries:
            if not entry.raw:
                report.unlabelled += 1
                continue
            _check_entry(entry, cats)
            if entry.errors:
                report.requested += 1
                report.refused += 1
                report.problems += [Problem(src, kind, f"{entry.where}: {msg}") for kind, msg in entry.errors]
                continue
            jobs.append(_CocoJob(folder, entry.image, entry.where, entry.width, entry.height, entry.anns, src,
                                 tolerance, overwrite))
    return collect(jobs, _coco_job, report, workers, progress, cancel)


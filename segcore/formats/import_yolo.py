"""YOLO datasets (segmentation polygons and detection boxes) back into LabelMe JSON next to
the images.

Layouts: Ultralytics' ``DATASET/images/<any>/x.jpg`` with ``DATASET/labels/<any>/x.txt``, or
images and ``.txt`` files side by side. Class names from ``--labels`` (one a line), else
``data.yaml`` (``names:`` as a list or ``index: name`` lines), else ``classes.txt``, else the
class indices themselves. A line ``c cx cy w h`` is a detection box (a ``rectangle``); ``c x1 y1
... xn yn`` (three points or more) an object outline: bridged parts and holes are split again
(:mod:`segcore.formats.yolo_rings`); an object of one ring with an area becomes a ``polygon``,
several parts ``polygon`` shapes sharing a group id, and one with holes (or a part one pixel
wide) a ``mask`` shape of exactly its pixels. Objects keep the file's order. A bad line (an
unknown class index, a wrong count of numbers, a value that is not a number) refuses that
image; each problem names the file and line.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from segcore.data.polygons import mask_shape
from segcore.data.rasterize import natural_key
from segcore.formats.common import ExportError, Skipped
from segcore.formats.files import IMAGE_ERRORS, image_header
from segcore.formats.import_common import ImportReport, Result, collect, target, write
from segcore.formats.yolo_rings import denormalise, holes_by_nesting, ring_area, rings_crop, unbridge
from segcore.io.annotation import Shape
from segcore.io.imageio import IMAGE_EXTENSIONS
from segcore.progress import CancelToken, ProgressCallback


class BadLine(ValueError):
    """A label line that cannot be read."""


@dataclass
class _Job:
    folder: Path
    image: Path
    labels: Path
    names: list[str]
    overwrite: bool


def _numbers(tokens: list[str]) -> list[float]:
    out = []
    for t in tokens:
        try:
            v = float(t)
        except ValueError:
            raise BadLine(f"{t!r:.40} is not a number") from None
        if v != v or v in (float("inf"), float("-inf")):
            raise BadLine(f"{t!r:.40} is not a finite number")
        out.append(v)
    return out


def line_shapes(line: str, names: list[str], width: int, height: int, group_id: int) -> list[Shape]:
    """The shapes of one label line (see the module docstring). Raises :class:`BadLine`."""
    tokens = line.split()
    try:
        cls = int(tokens[0])
    except ValueError:
        raise BadLine(f"the class index {tokens[0]!r:.40} is not a whole number") from None
    if not 0 <= cls < len(names):
        raise BadLine(f"class index {cls} is not in the class list ({len(names)} names)")
    label = names[cls]
    values = _numbers(tokens[1:])
    if len(values) == 4:
        cx, cy, bw, bh = values
        return [Shape(label, [((cx - bw / 2) * width, (cy - bh / 2) * height),
                              ((cx + bw / 2) * width, (cy + bh / 2) * height)], shape_type="rectangle")]
    if len(values) % 2 or len(values) < 6:
        raise BadLine(f"{len(values)} numbers after the class: neither a box (4) nor a polygon "
                      "(an even count, 6 or more)")
    rings = holes_by_nesting(unbridge(denormalise(values, width, height)))
    if len(rings) == 1 and ring_area(rings[0][0]) > 0:
        return [Shape(label, rings[0][0])]
    if not any(hole for _, hole in rings) and all(ring_area(r) > 0 for r, _ in rings):
        return [Shape(label, r, group_id=group_id) for r, _ in rings]
    crop = rings_crop(rings, width, height)
    if crop is None:
        raise BadLine("the outline covers no pixel of the image")
    m, x0, y0 = crop
    return [mask_shape(m, x0, y0, label)]


def _yolo_job(job: _Job) -> Result:
    res = Result()
    jp = target(job.folder, job.image, job.overwrite, res)
    if jp is None:
        return res
    try:
        width, height, _ = image_header(job.image)
    except IMAGE_ERRORS as exc:
        return res.refuse(job.image, "unreadable_image", f"not imported: {getattr(exc, 'reason', exc)}")
    try:
        text = job.labels.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return res.refuse(job.labels, "corrupt_json", f"cannot read it ({getattr(exc, 'strerror', None) or exc})")
    shapes: list[Shape] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            shapes += line_shapes(line, job.names, width, height, group_id=n)
        except BadLine as exc:
            return res.refuse(job.labels, "corrupt_json", f"line {n}: {exc}; not imported")
    return write(job.image, jp, width, height, shapes, res)


# ----------------------------------------------------------------------------- class names


def _unquote(v: str) -> str:
    v = v.strip()
    if v.startswith('"'):
        try:
            return str(json.loads(v))
        except ValueError:
            return v.strip('"')
    if len(v) >= 2 and v[0] == v[-1] == "'":
        return v[1:-1].replace("''", "'")
    return v


def yaml_names(text: str) -> list[str] | None:
    """The ``names`` of an Ultralytics data.yaml (a flow list, a block list or ``index: name``
    lines), or None when it has none."""
    lines = text.splitlines()
    for k, line in enumerate(lines):
        m = re.match(r"^names\s*:\s*(.*?)\s*$", line)
        if not m:
            continue
        rest = m[1]
        if rest.startswith("["):
            inner = rest.strip("[]")
            return [_unquote(p) for p in re.findall(r"\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^,]+)", inner)
                    if p.strip()] if inner.strip() else []
        by_index: dict[int, str] = {}
        listed: list[str] = []
        for sub in lines[k + 1:]:
            if sub.strip() == "" or sub.lstrip().startswith("#"):
                continue
            if not sub[:1].isspace() and not sub.startswith("-"):
                break
            s = sub.strip()
            if s.startswith("- "):
                listed.append(_unquote(s[2:]))
            elif (mm := re.match(r"^(\d+)\s*:\s*(.+)$", s)):
                by_index[int(mm[1])] = _unquote(mm[2])
        if by_index:
            return [by_index.get(i, str(i)) for i in range(max(by_index) + 1)]
        return listed
    return None


def _class_names(root: Path, labels: str | os.PathLike | list[str] | None) -> list[str] | None:
    if isinstance(labels, (list, tuple)):
        return list(labels)
    if labels is not None:
        try:
            return [ln.strip() for ln in Path(labels).read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise ExportError(f"{labels}: cannot read the class list ({getattr(exc, 'strerror', None) or exc})") from None
    for name in ("data.yaml", "dataset.yaml", "data.yml"):
        p = root / name
        if p.is_file():
            names = yaml_names(p.read_text(encoding="utf-8-sig", errors="replace"))
            if names:
                return names
    p = root / "classes.txt"
    if p.is_file():
        return [ln.strip() for ln in p.read_text(encoding="utf-8-sig", errors="replace").splitlines() if ln.strip()]
    return None


def _pairs(root: Path) -> list[tuple[Path, Path]]:
    """(image, label file) pairs: images under ``images/`` with labels under ``labels/``, or
    label files beside the images."""
    images_root = root / "images"
    base = images_root if images_root.is_dir() else root
    out = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort(key=natural_key)
        for f in sorted(filenames, key=natural_key):
            img = Path(dirpath) / f
            if img.suffix.lower() not in IMAGE_EXTENSIONS:
                continue
            if base is images_root:
                lab = root / "labels" / img.relative_to(images_root).with_suffix(".txt")
            else:
                lab = img.with_suffix(".txt")
            out.append((img, lab))
    return out


def import_yolo(dataset: str | os.PathLike, *, class_names: str | os.PathLike | list[str] | None = None,
                overwrite: bool = False, workers: int | None = None, progress: ProgressCallback | None = None,
                cancel: CancelToken | None = None, tolerance: float | None = None) -> ImportReport:
    """LabelMe JSON next to each image of a YOLO dataset folder (module docstring). Label files
    are written only inside ``dataset``; an existing one is kept unless ``overwrite``.
    ``tolerance`` is accepted for a uniform call and ignored (outlines are taken as written).
    Raises :class:`ExportError` when it cannot start."""
    del tolerance
    root = Path(dataset)
    if not root.is_dir():
        raise ExportError(f"{root}: the YOLO dataset folder is not a folder")
    names = _class_names(root, class_names)
    report = ImportReport(root, "YOLO")
    pairs = _pairs(root)
    if names is None:
        top = -1
        for _, lab in pairs:
            if lab.is_file():
                for line in lab.read_text(encoding="utf-8", errors="replace").splitlines():
                    tok = line.split()[:1]
                    if tok and tok[0].isdigit():
                        top = max(top, int(tok[0]))
        names = [str(i) for i in range(top + 1)]
        report.skipped.append(Skipped(root, None, "no data.yaml, classes.txt or class list: the class "
                                                  "indices are the labels"))
    report.classes = list(names)
    jobs = []
    for img, lab in pairs:
        if not lab.is_file():
            report.unlabelled += 1
            continue
        jobs.append(_Job(root, img, lab, names, overwrite))
    return collect(jobs, _yolo_job, report, workers, progress, cancel)

"""CVAT for images 1.1 XML back into LabelMe JSON next to the images.

Each ``<image name= width= height=>`` element gives one label file, next to the image ``name``
names under the images folder (never outside it). Its shapes, drawn in ``z_order`` (lower
first; the file's order among equals):

| CVAT | LabelMe |
|---|---|
| ``<box xtl ytl xbr ybr>`` | ``rectangle`` (``oriented_rectangle`` when ``rotation`` is set) |
| ``<polygon points="x,y;...">`` | ``polygon`` |
| ``<polyline>`` | ``linestrip`` (``line`` for two points) |
| ``<points>`` | one ``point`` per point (sharing a group id when several) |
| ``<mask rle left top width height>`` | ``mask`` (CVAT's RLE: row-major run lengths over the box, background first) |

``<attribute name=...>true|false</attribute>`` become shape flags, other attribute values go
into the description (``name=value``), ``occluded="1"`` is the flag ``occluded``, and
``group_id`` the group id. Other elements (ellipses, cuboids, skeletons, tags, video tracks)
are skipped with a note. A malformed shape (a missing coordinate, a bad RLE) refuses its image;
each problem names the image and the shape. The XML is parsed without external entities:
with defusedxml when installed, else a document declaring a DOCTYPE or ENTITY is refused.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from segcore.data.dataset import Problem
from segcore.formats.common import ExportError, Skipped
from segcore.formats.files import IMAGE_ERRORS, image_header
from segcore.formats.import_common import ImportReport, Result, collect, target, write
from segcore.formats.import_paths import UnsafePath, image_in_folder
from segcore.io.annotation import AnnotationError, Shape
from segcore.progress import CancelToken, ProgressCallback

SHAPE_TAGS = ("box", "polygon", "polyline", "points", "mask")


class BadShape(ValueError):
    """A CVAT shape element that cannot be read."""


@dataclass
class _Element:
    tag: str
    attrib: dict[str, str]
    attributes: list[tuple[str, str]]


@dataclass
class _Job:
    folder: Path
    image: Path
    where: str
    width: int
    height: int
    elements: list[_Element] = field(default_factory=list)
    overwrite: bool = False


# ----------------------------------------------------------------------------- reading the XML


def parse_xml(data: bytes, path: Path) -> ElementTree.Element:
    """The root element of an XML document, parsed without external entities. Raises
    :class:`ExportError` naming ``path``."""
    try:
        from defusedxml import ElementTree as safe_tree  # type: ignore[import-not-found]
    except ImportError:
        safe_tree = None
    try:
        if safe_tree is not None:
            return safe_tree.fromstring(data)
        if re.search(rb"<!\s*(DOCTYPE|ENTITY)", data, re.IGNORECASE):
            raise ExportError(f"{path}: declares a DOCTYPE or ENTITY; refused (a CVAT file has none)")
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ExportError(f"{path}: not a readable XML file ({exc})") from None
    except ExportError:
        raise
    except ValueError as exc:  # defusedxml's refusals (entities, DTDs) are ValueErrors
        raise ExportError(f"{path}: refused ({type(exc).__name__}: {exc})") from None


def _number(attrib: dict[str, str], key: str) -> float:
    try:
        v = float(attrib[key])
    except KeyError:
        raise BadShape(f"has no {key}") from None
    except ValueError:
        raise BadShape(f"its {key} {attrib[key]!r:.40} is not a number") from None
    if not math.isfinite(v):
        raise BadShape(f"its {key} is not finite")
    return v


def _points(text: str | None) -> list[tuple[float, float]]:
    if not text:
        raise BadShape("has no points")
    out = []
    for pair in text.strip().split(";"):
        try:
            x, y = (float(v) for v in pair.split(","))
        except ValueError:
            raise BadShape(f"the point {pair!r:.40} is not 'x,y'") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise BadShape("a point is not finite")
        out.append((x, y))
    return out


def rle_mask(counts: str, width: int, height: int) -> np.ndarray:
    """A bool ``(height, width)`` mask from CVAT's RLE (run lengths, row-major, background
    first). Raises :class:`BadShape` when the runs do not fill the box exactly."""
    try:
        runs = [int(v) for v in counts.replace(",", " ").split()]
    except ValueError:
        raise BadShape("its rle is not a list of whole numbers") from None
    if any(r < 0 for r in runs) or sum(runs) != width * height:
        raise BadShape(f"its rle covers {sum(runs)} pixels, not the {width}x{height} of its box")
    values = np.zeros(len(runs), dtype=bool)
    values[1::2] = True
    return np.repeat(values, runs).reshape(height, width)


def _box_points(a: dict[str, str]) -> tuple[str, list[tuple[float, float]]]:
    x0, y0, x1, y1 = (_number(a, k) for k in ("xtl", "ytl", "xbr", "ybr"))
    angle = float(a.get("rotation", 0) or 0)
    if angle % 360 == 0:
        return "rectangle", [(x0, y0), (x1, y1)]
    cx, cy, t = (x0 + x1) / 2, (y0 + y1) / 2, math.radians(angle)
    c, s = math.cos(t), math.sin(t)
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return "oriented_rectangle", [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c)
                                  for x, y in corners]


def element_shapes(el: _Element, group_id: int) -> list[Shape]:
    """The LabelMe shapes of one CVAT shape element (see the module table). Raises
    :class:`BadShape`."""
    a = el.attrib
    label = a.get("label", "")
    if not label:
        raise BadShape("has no label")
    flags = {name: value.strip().lower() == "true" for name, value in el.attributes
             if value.strip().lower() in ("true", "false")}
    if a.get("occluded") == "1":
        flags["occluded"] = True
    described = [f"{name}={value}" for name, value in el.attributes if value.strip().lower() not in ("true", "false")]
    gid = int(a["group_id"]) if a.get("group_id", "").isdigit() and int(a["group_id"]) > 0 else None
    kw = {"flags": flags, "description": "; ".join(described), "group_id": gid}
    if el.tag == "box":
        kind, pts = _box_points(a)
        return [Shape(label, pts, shape_type=kind, **kw)]
    if el.tag == "polygon":
        return [Shape(label, _points(a.get("points")), **kw)]
    if el.tag == "polyline":
        pts = _points(a.get("points"))
        return [Shape(label, pts, shape_type="line" if len(pts) == 2 else "linestrip", **kw)]
    if el.tag == "points":
        pts = _points(a.get("points"))
        if len(pts) > 1 and kw["group_id"] is None:
            kw["group_id"] = group_id
        return [Shape(label, [p], shape_type="point", **kw) for p in pts]
    left, top = int(_number(a, "left")), int(_number(a, "top"))
    w, h = int(_number(a, "width")), int(_number(a, "height"))
    if w <= 0 or h <= 0:
        raise BadShape(f"its box is {w}x{h}")
    mask = rle_mask(a.get("rle", ""), w, h)
    return [Shape(label, [(float(left), float(top)), (float(left + w - 1), float(top + h - 1))],
                  shape_type="mask", mask=mask, **kw)]


# ----------------------------------------------------------------------------- per image


def _cvat_job(job: _Job) -> Result:
    res = Result()
    jp = target(job.folder, job.image, job.overwrite, res)
    if jp is None:
        return res
    try:
        width, height, _ = image_header(job.image)
    except IMAGE_ERRORS as exc:
        return res.refuse(job.image, "unreadable_image", f"{job.where}: not imported: {getattr(exc, 'reason', exc)}")
    if (width, height) != (job.width, job.height):
        return res.refuse(job.image, "size_mismatch", f"{job.where}: the XML says {job.width}x{job.height} but "
                                                      f"the image is {width}x{height}; not imported")
    order = sorted(range(len(job.elements)), key=lambda k: (_z(job.elements[k]), k))
    shapes: list[Shape] = []
    for k in order:
        el = job.elements[k]
        try:
            new = element_shapes(el, group_id=1_000_000 + k)
            for s in new:
                s.validate(job.image, len(shapes))
        except (BadShape, AnnotationError) as exc:
            msg = getattr(exc, "reason", None) or str(exc)
            return res.refuse(job.image, "degenerate_shape", f"{job.where}: <{el.tag}> #{k + 1} "
                                                             f"({el.attrib.get('label', '')!r}) {msg}; not imported")
        shapes += new
    return write(job.image, jp, width, height, shapes, res)


def _z(el: _Element) -> float:
    try:
        return float(el.attrib.get("z_order", 0) or 0)
    except ValueError:
        return 0.0


def import_cvat(xml_path: str | os.PathLike, images: str | os.PathLike, *, overwrite: bool = False,
                workers: int | None = None, progress: ProgressCallback | None = None,
                cancel: CancelToken | None = None, tolerance: float | None = None) -> ImportReport:
    """LabelMe JSON for each ``<image>`` of a CVAT for images 1.1 XML file (module docstring),
    next to the image under ``images``; an existing label file is kept unless ``overwrite``.
    ``tolerance`` is accepted for a uniform call and ignored. Raises :class:`ExportError`
    when it cannot start (no such file or folder, not CVAT XML)."""
    del tolerance
    src, folder = Path(xml_path), Path(images)
    if not folder.is_dir():
        raise ExportError(f"{folder}: the images folder is not a folder")
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise ExportError(f"{src}: cannot read it ({exc.strerror or exc})") from None
    root = parse_xml(data, src)
    if root.tag != "annotations":
        raise ExportError(f"{src}: not a CVAT XML file (its root is <{root.tag}>, not <annotations>)")
    report = ImportReport(folder, "CVAT")
    labels: set[str] = set()
    jobs: list[_Job] = []
    seen: dict[Path, str] = {}
    for track in root.iter("track"):
        report.skipped.append(Skipped(src, None, f"track {track.get('id', '?')}: video tracks are not read "
                                                 "(export the task as CVAT for images)"))
    for n, im in enumerate(root.iter("image"), 1):
        where = f"image {im.get('id', n)} ({im.get('name', '')!r})"
        job = _job_of(im, where, folder, src, report, overwrite)
        if job is None:
            continue
        key = job.image.resolve()
        if key in seen:
            report.requested += 1
            report.refused += 1
            report.problems.append(Problem(src, "corrupt_json", f"{where}: names the same image as {seen[key]}; "
                                                                "not imported"))
            continue
        seen[key] = where
        labels.update(el.attrib.get("label", "") for el in job.elements)
        if not job.elements:
            report.unlabelled += 1
            continue
        jobs.append(job)
    report.classes = sorted(lb for lb in labels if lb)
    return collect(jobs, _cvat_job, report, workers, progress, cancel)


def _job_of(im: ElementTree.Element, where: str, folder: Path, src: Path, report: ImportReport,
            overwrite: bool) -> _Job | None:
    """The job of one ``<image>`` element, or None (refused: the report says why)."""
    try:
        image = image_in_folder(folder, im.get("name"))
        width, height = int(im.get("width", "")), int(im.get("height", ""))
    except (UnsafePath, ValueError) as exc:
        report.requested += 1
        report.refused += 1
        msg = str(exc) if isinstance(exc, UnsafePath) else "its width/height are not whole numbers"
        report.problems.append(Problem(src, "unwritable" if isinstance(exc, UnsafePath) else "corrupt_json",
                                       f"{where}: {msg}; not imported"))
        return None
    job = _Job(folder, image, where, width, height, overwrite=overwrite)
    for child in im:
        if child.tag in SHAPE_TAGS:
            attrs = [(a.get("name", ""), a.text or "") for a in child.iter("attribute")]
            job.elements.append(_Element(child.tag, dict(child.attrib), attrs))
        else:
            report.skipped.append(Skipped(image, None, f"{where}: <{child.tag}> is not read"))
    return job

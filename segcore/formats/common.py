"""What the VOC and COCO writers share: the report, output-folder safety, per-image checks,
item lists, classes and splits, and the strict pre-check. Files: :mod:`segcore.formats.files`;
the process pool: :mod:`segcore.formats.pool`."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from segcore.data.dataset import Item, Problem, scan_with_problems, split_items
from segcore.data.rasterize import ClassList
from segcore.data.shape_checks import shape_issue
from segcore.formats import staging
from segcore.formats.files import IMAGE_ERRORS
from segcore.formats.pool import run_jobs
from segcore.formats.staging import Staging
from segcore.io.annotation import Annotation, AnnotationError, Shape, load
from segcore.io.imageio import DEFAULT_MAX_PIXELS, verify_image
from segcore.io.shape_kinds import kind_of
from segcore.progress import CancelToken, ProgressCallback

SPLIT_FLAGS = ("train", "val", "test")


class ExportError(Exception):
    """An export that cannot start or (with ``strict``) found problems; nothing was written.
    ``report`` holds the problems found (None when the export could not start)."""

    def __init__(self, message: str, report: ExportReport | None = None):
        super().__init__(message)
        self.report = report


@dataclass
class Skipped:
    """A shape (``shape_index`` set) or a whole image left out of the export, and why."""

    path: Path
    shape_index: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}" + (f": shape {self.shape_index}" if self.shape_index is not None else "")
        return f"{where}: {self.reason}"


@dataclass
class ExportReport:
    """What an export or import did: images written, instances per class, problems, skips."""

    out: Path
    format: str
    images: int = 0
    splits: dict[str, int] = field(default_factory=dict)
    instances: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unlabelled: int = 0
    written: list[Path] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    action: str = "export"
    labelled: int = 0
    """Images with a label file the export was asked for (0 when not counted)."""

    @property
    def left_out(self) -> int:
        """Labelled images not exported (their label file or image could not be used)."""
        return max(0, self.labelled - self.images)

    def headline(self) -> str:
        """One line: "VOC export to DIR: 12 images (train 10, val 2)"."""
        count = (f"{self.images} of {self.labelled} labelled images ({self.left_out} left out: see the problems)"
                 if self.left_out else f"{self.images} images")
        return (f"{self.format} {self.action} {'to' if self.action == 'export' else 'into'} {self.out}: {count}"
                + (" (" + ", ".join(f"{k} {v}" for k, v in self.splits.items()) + ")" if self.splits else ""))

    def to_text(self) -> str:
        """A human summary: the headline, instances per class, every problem and skipped shape."""
        lines = [self.headline()]
        if self.unlabelled:
            lines.append(f"{self.unlabelled} images without a label file were left out"
                         if self.action == "export" else f"{self.unlabelled} images had nothing to import")
        if self.instances:
            lines.append("instances per class:")
            lines += [f"  {name}: {self.instances[name]}" for name in self.classes if self.instances.get(name)]
        if self.problems:
            lines.append(f"{len(self.problems)} problems:")
            lines += [f"  {p}" for p in self.problems]
        if self.skipped:
            lines.append(f"{len(self.skipped)} skipped:")
            lines += [f"  {s}" for s in self.skipped]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict of the report."""
        return {
            "out": str(self.out), "format": self.format, "images": self.images, "labelled": self.labelled,
            "splits": self.splits,
            "instances": dict(self.instances), "unlabelled": self.unlabelled,
            "problems": [str(p) for p in self.problems], "skipped": [str(s) for s in self.skipped],
        }


# ----------------------------------------------------------------------------- output folder


def prepare_out(out: str | os.PathLike, overwrite: bool, *, root: str | os.PathLike | None = None) -> Staging:
    """Refuse a non-empty ``out`` unless ``overwrite``, and ``out`` being the labelled folder
    ``root`` itself; create the temporary folder the export is written into
    (:mod:`segcore.formats.staging`). Nothing in ``out`` changes until :func:`staged_writes`
    commits a complete export."""
    out = Path(out)
    if root is not None and out.resolve() == Path(root).resolve():
        raise ExportError(f"{out}: is the labelled folder itself; choose another output folder")
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise ExportError(f"{out}: the output folder is not empty (pass overwrite / --overwrite to replace "
                          "the export in it)")
    try:
        if out.is_dir():
            with tempfile.TemporaryFile(dir=out):  # a read-only folder is refused before any work
                pass
        return staging.begin(out)
    except OSError as exc:
        raise ExportError(f"{out}: cannot write the export there ({exc.strerror or exc})") from None


class _Done:
    """A progress callback that remembers how many images were exported."""

    def __init__(self, progress: ProgressCallback | None):
        self.progress = progress
        self.count = 0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        self.count = done
        if self.progress is not None:
            self.progress(done, total, message)


@contextlib.contextmanager
def staged_writes(plan: ExportPlan) -> Iterator[_Done]:
    """Run the writing part of an export: yields the progress callback to give the image jobs
    (it counts them). On success the export replaces ``plan.report.out``'s earlier one (the
    written paths are moved to it too); on any failure ``out`` is left as it was, the
    temporary folder removed, and a write failure becomes :class:`ExportError` saying how many
    images had been written and what was kept."""
    done = _Done(plan.progress)
    out, tmp = plan.report.out, plan.staging.path
    earlier = out.is_dir() and any(out.iterdir())
    try:
        yield done
        staging.commit(plan.staging)
    except BaseException as exc:
        staging.discard(plan.staging)
        if not isinstance(exc, OSError):
            raise
        kept = (f"{out} still holds the earlier export, unchanged" if earlier
                else f"nothing was written to {out}")
        raise ExportError(f"{out}: the export failed after {done.count} of {len(plan.items)} images "
                          f"({exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}); "
                          f"{kept}") from None
    plan.report.written = [out / p.relative_to(tmp) if p.is_relative_to(tmp) else p for p in plan.report.written]


def refuse_empty(root: str | os.PathLike, items: Sequence[Item], report: ExportReport) -> None:
    """Raise :class:`ExportError` (nothing written) when ``root`` has no labelled image."""
    if items:
        return
    what = (f"none of its {report.unlabelled} images has a LabelMe JSON beside it" if report.unlabelled
            else "it holds no images")
    raise ExportError(f"{root}: nothing to export ({what})", report if report.problems else None)


def safe_stem(key: str) -> str:
    """A flat file stem for an item key ("a/b c" -> "a_b c")."""
    return re.sub(r"[\\/:*?\"<>|]+", "_", key).strip() or "image"


def unique_stems(items: Sequence[Item]) -> list[str]:
    """One distinct stem per item (keys from sub-folders flattened, clashes numbered)."""
    seen: set[str] = set()
    out = []
    for it in items:
        stem = safe_stem(it.key)
        base, n = stem, 1
        while stem.casefold() in seen:
            n += 1
            stem = f"{base}_{n}"
        seen.add(stem.casefold())
        out.append(stem)
    return out


# ----------------------------------------------------------------------------- checks


@dataclass
class Checked:
    """One annotation after the per-shape checks: the shapes to export and what was wrong."""

    annotation: Annotation | None
    width: int = 0
    height: int = 0
    shapes: list[Shape] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    proposed: list[Shape] = field(default_factory=list)
    """Unreviewed model proposals: not labels (VOC marks their pixels 'ignore', COCO leaves them out)."""

    @property
    def ok(self) -> bool:
        return self.annotation is not None


def check_item(item: Item, classes: ClassList, *, area_only: bool = False) -> Checked:
    """Load one item's JSON and image header and check each shape.

    Left out (with a problem and a skip naming file and shape index): unknown labels and
    what :func:`segcore.data.shape_checks.shape_issue` leaves out (zero area, entirely outside the
    image); with ``area_only`` also points and lines (skip
    only). A shape partly outside the image is reported and kept (clipped). A corrupt JSON or
    a missing image, or one whose data does not decode, leaves the whole image out.
    """
    jp = item.json
    assert jp is not None
    try:
        ann = load(jp)
    except AnnotationError as exc:
        return Checked(None, problems=[Problem(jp, "corrupt_json", exc.reason, exc.shape_index)],
                       skipped=[Skipped(jp, None, f"not exported: {exc.reason}")])
    except (OSError, ValueError) as exc:
        return Checked(None, problems=[Problem(jp, "corrupt_json", str(exc), None)],
                       skipped=[Skipped(jp, None, f"not exported: {exc}")])
    if not item.image.is_file():
        msg = f"image {item.image} not found"
        return Checked(None, problems=[Problem(jp, "missing_image", msg, None)],
                       skipped=[Skipped(jp, None, f"not exported: {msg}")])
    try:
        width, height, _ = verify_image(item.image, max_pixels=DEFAULT_MAX_PIXELS)  # header and data
    except (*IMAGE_ERRORS, Image.DecompressionBombError) as exc:
        msg = f"cannot read image {item.image}: {getattr(exc, 'reason', exc)}"
        return Checked(None, problems=[Problem(item.image, "unreadable_image", msg, None)],
                       skipped=[Skipped(jp, None, f"not exported: {msg}")])
    res = Checked(ann, width, height)
    if ann.image_width is None or ann.image_height is None:
        res.problems.append(Problem(jp, "size_mismatch", "the JSON gives no imageWidth/imageHeight "
                                    f"(the image's {width}x{height} is used)", None))
    elif (ann.image_width, ann.image_height) != (width, height):
        res.problems.append(Problem(jp, "size_mismatch",
                                    f"JSON says {ann.image_width}x{ann.image_height} but the image is {width}x{height}"
                                    " (the image size is used)", None))
    proposals = [s for s in ann.shapes if s.proposed]
    if proposals:  # what a model proposed and no person reviewed is not ground truth
        only = len(proposals) == len(ann.shapes)
        res.skipped.append(Skipped(jp, None, f"{len(proposals)} unreviewed model proposal(s) not exported"
                                   + (": nothing else is labelled, the image is left out" if only else
                                      " (VOC: their pixels are 'ignore')")
                                   + "; accept them in the annotator to export them"))
        if only:
            res.annotation = None
            return res
    for i, s in enumerate(ann.shapes):
        if s.proposed:
            res.proposed.append(s)
            continue
        reason = kind = None
        if s.label not in classes:
            kind, reason = "unknown_label", f"unknown label {s.label!r} (not in the class list)"
        else:  # the rule `info` applies too
            issue = shape_issue(s, width, height)
            if issue is not None and not issue.left_out:
                res.problems.append(Problem(jp, "degenerate_shape", issue.message, i))
            elif issue is not None:
                kind, reason = "degenerate_shape", issue.message
        if reason is not None:
            res.problems.append(Problem(jp, kind, reason, i))
            res.skipped.append(Skipped(jp, i, reason))
            continue
        if area_only and not kind_of(s).has_area:
            res.skipped.append(Skipped(jp, i, f"a {s.shape_type} is not an area (COCO needs areas)"))
            continue
        res.shapes.append(s)
        res.indices.append(i)
    return res


def image_failed(res: Any, item: Item, exc: BaseException) -> Any:
    """Mark a job result failed because its image could not be read or written."""
    msg = f"cannot export image {item.image}: {exc}"
    res.problems.append(Problem(item.image, "unreadable_image", msg))
    res.skipped.append(Skipped(item.json, None, f"not exported: {msg}"))
    res.ok = False
    return res


# ----------------------------------------------------------------------------- items, classes, splits


def labelled_items(root: str | os.PathLike) -> tuple[list[Item], int, list[Problem]]:
    """The items of ``root`` that have a label file, the number without one, and the problems
    the scan found (label files whose image is missing, unreadable folders...)."""
    items, problems = scan_with_problems(root)
    labelled = [it for it in items if it.json is not None]
    return labelled, len(items) - len(labelled), problems


def resolve_classes(items: Sequence[Item], classes: ClassList | str | os.PathLike | Sequence[str] | None) -> ClassList:
    """A ClassList from a ClassList, a labels file, a list of names, or (None) the labels used."""
    if isinstance(classes, ClassList):
        return classes
    if isinstance(classes, (str, os.PathLike)):
        return ClassList.from_file(classes)
    if classes is not None:
        return ClassList.from_names(list(classes))
    labels: set[str] = set()
    for it in items:
        try:
            labels.update(load(it.json).labels())
        except (AnnotationError, OSError, ValueError):
            continue  # reported when the item is exported
    return ClassList.collect(labels)


def assign_splits(items: Sequence[Item], *, val_ratio: float, seed: int, from_flags: bool) -> list[str]:
    """The split of each item: image flags ``train``/``val``/``test`` when ``from_flags`` (an
    image with none set goes to train), else hash-based by ratio and seed."""
    if from_flags:
        out = []
        for it in items:
            try:
                flags = load(it.json).flags
            except (AnnotationError, OSError, ValueError):
                flags = {}
            out.append(next((f for f in ("test", "val", "train") if flags.get(f)), "train"))
        return out
    split = split_items(items, val_ratio, seed)
    where = {id(it): name for name, its in split.items() for it in its}
    return [where[id(it)] for it in items]


def bbox_of(crop: np.ndarray, x0: int, y0: int) -> list[float] | None:
    """COCO ``[x, y, w, h]`` of the True pixels of a crop placed at ``(x0, y0)``."""
    ys = np.flatnonzero(crop.any(axis=1))
    xs = np.flatnonzero(crop.any(axis=0))
    if len(ys) == 0:
        return None
    return [float(x0 + xs[0]), float(y0 + ys[0]), float(xs[-1] - xs[0] + 1), float(ys[-1] - ys[0] + 1)]



def _check_job(job: tuple[Item, list[str], bool, bool]) -> list[Problem]:
    item, names, has_ignore, area_only = job
    return check_item(item, ClassList(names, has_ignore), area_only=area_only).problems


def strict_check(items: Sequence[Item], classes: ClassList, report: ExportReport, *, area_only: bool,
                 workers: int | None = None, progress: ProgressCallback | None = None,
                 cancel: CancelToken | None = None) -> None:
    """The checks alone (nothing written): raise :class:`ExportError` carrying ``report`` with
    every problem found, if any."""
    jobs = [(it, list(classes.names), classes.has_ignore, area_only) for it in items]
    # problems already in the report (from the scan) count too
    for problems in run_jobs(_check_job, jobs, workers=workers, progress=progress, cancel=cancel, desc="checking"):
        report.problems.extend(problems)
    if report.problems:
        raise ExportError(f"{len(report.problems)} problems found; nothing was written (strict)", report)


@dataclass
class ExportPlan:
    """What every exporter starts from: the labelled items, their classes, the report, the
    prepared output folder, and each item's split and unique file stem (same order)."""

    items: list[Item]
    classes: ClassList
    report: ExportReport
    out: Path
    """Where the files go: the temporary folder (``report.out`` is the output folder)."""
    splits: list[str]
    stems: list[str]
    staging: Staging
    progress: ProgressCallback | None = None


def plan_export(root: str | os.PathLike, out: str | os.PathLike, fmt: str, *,
                classes: ClassList | str | os.PathLike | Sequence[str] | None, val_ratio: float, seed: int,
                split_from_flags: bool, overwrite: bool, strict: bool, area_only: bool,
                workers: int | None, progress: ProgressCallback | None,
                cancel: CancelToken | None) -> ExportPlan:
    """Scan ``root``, resolve the classes, refuse an empty dataset, run the ``strict`` check
    (before anything is written) and prepare ``out`` (the files go to a temporary folder
    until :func:`staged_writes` commits them); scan problems go into the report."""
    items, unlabelled, scan_problems = labelled_items(root)
    cl = resolve_classes(items, classes)
    report = ExportReport(Path(out), fmt, unlabelled=unlabelled, classes=list(cl.names), labelled=len(items))
    report.problems.extend(scan_problems)
    report.skipped.extend(Skipped(p.path, None, f"not exported: {p.message}") for p in scan_problems)
    refuse_empty(root, items, report)
    if strict:
        strict_check(items, cl, report, area_only=area_only, workers=workers, progress=progress, cancel=cancel)
    splits = assign_splits(items, val_ratio=val_ratio, seed=seed, from_flags=split_from_flags)
    stage = prepare_out(out, overwrite, root=root)
    return ExportPlan(items, cl, report, stage.path, splits, unique_stems(items), stage, progress)


def accepted_results(plan: ExportPlan, results: Sequence[Any], *, strict: bool) -> list[tuple[int, Any, str]]:
    """Fold the per-image job results into the report (problems, skipped shapes, images,
    written files) and return ``(index, result, split)`` for each exported image; with
    ``strict`` a problem found during the export (a file changed since the check) raises."""
    report = plan.report
    accepted = []
    for i, (res, split) in enumerate(zip(results, plan.splits)):
        report.problems.extend(res.problems)
        report.skipped.extend(res.skipped)
        if not res.ok:
            continue
        report.images += 1
        report.written.extend(res.written)
        accepted.append((i, res, split))
    if strict and report.problems:
        raise ExportError(f"{len(report.problems)} problems found (strict)", report)
    return accepted

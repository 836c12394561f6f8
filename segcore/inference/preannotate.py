"""Pre-annotation of files: a model's proposals written into the LabelMe JSON beside an image.

Rules (ARCHITECTURE.md, rule 8): proposals are shapes with ``proposed=True`` and a ``score``;
re-running a model replaces earlier *proposals* only and never changes or removes a shape a
person made (any shape without ``proposed``). Files are saved atomically; a JSON that cannot be
read, or whose image size disagrees with the image, is left untouched and reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from segcore.io.annotation import (
    Annotation,
    AnnotationError,
    Shape,
    json_path_for,
    load,
    new_annotation,
    save,
)
from segcore.io.imageio import file_stamp
from segcore.progress import CancelToken, ProgressCallback, check_cancel, report

if TYPE_CHECKING:
    from segcore.inference.predict import Prediction, Predictor


class PreannotateError(Exception):
    """An image that could not be pre-annotated; the message names the file and why."""

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def merge_proposals(shapes: Sequence[Shape], proposals: Iterable[Shape]) -> list[Shape]:
    """The person's shapes (in their order) followed by the new proposals; earlier proposals go."""
    return [s for s in shapes if not s.proposed] + [p for p in proposals]


def person_shapes(ann: Annotation) -> list[Shape]:
    """Shapes a person made or accepted (everything not marked ``proposed``)."""
    return [s for s in ann.shapes if not s.proposed]


def is_unlabelled(image_path: str | os.PathLike, json_path: str | os.PathLike | None = None) -> bool:
    """True when the image has no label file, or one holding only model proposals (or nothing).
    An unreadable JSON counts as labelled, so it is never overwritten."""
    jp = Path(json_path) if json_path is not None else json_path_for(image_path)
    if not jp.exists():
        return True
    try:
        return not person_shapes(load(jp))
    except AnnotationError:
        return False


def read_image(path: str | os.PathLike) -> np.ndarray:
    """(H, W, 3) uint8 RGB with EXIF orientation applied; errors name the file."""
    from segcore.io.imageio import ImageReadError
    from segcore.io.imageio import read_image as _read

    try:
        return _read(path)
    except ImageReadError as exc:
        raise PreannotateError(path, f"cannot read the image: {getattr(exc, 'reason', exc)}") from None


def _load_or_new(image_path: Path, json_path: Path, width: int, height: int) -> Annotation:
    if not json_path.exists():
        return new_annotation(image_path, json_path, width, height)
    try:
        ann = load(json_path)
    except AnnotationError as exc:
        raise PreannotateError(json_path, f"not touched: {exc.reason}") from None
    if ann.image_width not in (None, width) or ann.image_height not in (None, height):
        raise PreannotateError(json_path, f"not touched: it says the image is {ann.image_width}x{ann.image_height} "
                                          f"but {image_path.name} is {width}x{height}")
    return ann


@dataclass
class _Job:
    """One image between its phases: read + JSON checked, predicted, then traced and saved."""

    image_path: Path
    json_path: Path
    ann: Annotation
    before: tuple[int, int] | None
    size: tuple[int, int]
    prediction: Prediction | None = None


def _prepare(image_path: str | os.PathLike, json_path: str | os.PathLike | None,
             image: np.ndarray | None) -> tuple[_Job, np.ndarray]:
    image_path = Path(image_path)
    jp = Path(json_path) if json_path is not None else json_path_for(image_path)
    rgb = read_image(image_path) if image is None else image
    h, w = rgb.shape[:2]
    ann = _load_or_new(image_path, jp, w, h)  # refuse bad files before spending time on the model
    return _Job(image_path, jp, ann, file_stamp(jp), (w, h)), rgb


def _finish(predictor: Predictor, job: _Job, *, tolerance: float, min_area: float | None, min_score: float,
            save_file: bool) -> Annotation:
    from segcore.inference.predict import DEFAULT_MIN_AREA

    proposals = predictor.shapes_from_prediction(
        job.prediction, tolerance=tolerance, min_area=DEFAULT_MIN_AREA if min_area is None else min_area,
        min_score=min_score)
    w, h = job.size
    ann = job.ann
    if file_stamp(job.json_path) != job.before:  # saved meanwhile (e.g. by the annotator): start from that
        ann = _load_or_new(job.image_path, job.json_path, w, h)
    ann.shapes = merge_proposals(ann.shapes, proposals)
    if ann.image_width is None or ann.image_height is None:
        ann.image_width, ann.image_height = w, h
    if save_file:
        save(ann, job.json_path)
    return ann


def preannotate_file(predictor: Predictor, image_path: str | os.PathLike, *, json_path: str | os.PathLike | None = None,
                     tolerance: float = 1.0, min_area: float | None = None, min_score: float = 0.0,
                     image: np.ndarray | None = None, save_file: bool = True, cancel: CancelToken | None = None,
                     progress: ProgressCallback | None = None) -> Annotation:
    """Predict ``image_path`` and write its proposals into its LabelMe JSON (created if absent).

    Earlier proposals are replaced, a person's shapes kept unchanged and first. If the JSON
    changed on disk while the model ran (e.g. saved by the annotator), it is read again so that
    nothing saved meanwhile is lost. Returns the annotation as saved.
    """
    job, rgb = _prepare(image_path, json_path, image)
    check_cancel(cancel)
    job.prediction = predictor.predict(rgb, return_probs=False, cancel=cancel, progress=progress)
    check_cancel(cancel)
    return _finish(predictor, job, tolerance=tolerance, min_area=min_area, min_score=min_score, save_file=save_file)


def preannotate_many(predictor: Predictor, images: Sequence[str | os.PathLike], *, only_unlabelled: bool = False,
                     cancel: CancelToken | None = None, progress: ProgressCallback | None = None,
                     on_error=None, on_done=None, tolerance: float = 1.0, min_area: float | None = None,
                     min_score: float = 0.0) -> tuple[int, int, list[PreannotateError]]:
    """Pre-annotate each image; returns (files written, proposals added, errors).

    The stages overlap: a reader thread decodes image k+1 (and checks its JSON) while the model
    predicts image k in the calling thread, and a finisher thread traces image k-1's polygons
    and saves its JSON. At most one image waits on each side of the forward, so memory stays
    bounded. ``on_done(path, annotation)`` / ``on_error(error)`` are called per file (from any
    of the threads); one bad file does not stop the others.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    written = added = 0
    errors: list[PreannotateError] = []
    todo = [Path(p) for p in images]
    opts = dict(tolerance=tolerance, min_area=min_area, min_score=min_score, save_file=True)

    def fail(path: Path, exc: Exception) -> None:
        err = exc if isinstance(exc, PreannotateError) else PreannotateError(path, str(exc))
        errors.append(err)
        if on_error is not None:
            on_error(err)

    def read(path: Path) -> tuple[_Job, np.ndarray] | None:
        if only_unlabelled and not is_unlabelled(path):
            return None
        return _prepare(path, None, None)

    def finish(job: _Job) -> None:
        nonlocal written, added
        try:
            ann = _finish(predictor, job, **opts)
        except (PreannotateError, AnnotationError) as exc:  # a failed save leaves the old file intact
            fail(job.image_path, exc)
            return
        written += 1
        added += sum(1 for s in ann.shapes if s.proposed)
        if on_done is not None:
            on_done(job.image_path, ann)

    pending: Future | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="preannotate-read") as reader, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="preannotate-finish") as finisher:
        ahead = reader.submit(read, todo[0]) if todo else None
        try:
            for i, path in enumerate(todo):
                check_cancel(cancel)
                report(progress, i, len(todo), path.name)
                current, ahead = ahead, (reader.submit(read, todo[i + 1]) if i + 1 < len(todo) else None)
                try:
                    item = current.result()
                    if item is None:  # labelled by a person: skipped
                        continue
                    job, rgb = item
                    job.prediction = predictor.predict(rgb, return_probs=False, cancel=cancel)
                except PreannotateError as exc:
                    fail(path, exc)
                    continue
                del rgb, item
                if pending is not None:
                    pending.result()
                pending = finisher.submit(finish, job)
        finally:
            if ahead is not None:
                ahead.cancel()
            if pending is not None:
                pending.result()
    report(progress, len(todo), len(todo), "done")
    return written, added, errors


def list_images(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Image files named directly or found (recursively, natural order, hidden folders skipped)
    in the given folders; a missing path raises FileNotFoundError naming it."""
    from segcore.data.dataset import natural_key
    from segcore.io.imageio import IMAGE_EXTENSIONS

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = [f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS
                     and not any(part.startswith(".") for part in f.relative_to(p).parts)]
            out.extend(sorted(found, key=lambda f: natural_key(f.relative_to(p).as_posix())))
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return out

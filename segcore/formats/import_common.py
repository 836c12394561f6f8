"""What the importers share: the report (how much was written of what was asked), one image's
result, and the one place a label file is written (inside the images folder only)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segcore.data.dataset import Problem
from segcore.data.rasterize import IGNORE_LABEL
from segcore.formats.common import ExportReport, Skipped
from segcore.formats.import_paths import UnsafePath, checked_target
from segcore.formats.pool import run_jobs
from segcore.io.annotation import AnnotationError, Shape, new_annotation, save
from segcore.progress import CancelToken, ProgressCallback

KEPT_REASON = "label file exists; left unchanged (pass overwrite / --overwrite to replace it)"


@dataclass
class ImportReport(ExportReport):
    """What an import did. ``requested``: images that had something to import; ``images``:
    label files written; ``refused``: images left out for a problem (nothing written for
    them; each problem names the image); ``kept``: images whose existing label file was left
    alone. The import is :attr:`complete` when there was something to import, every requested
    image was written, and nothing was wrong."""

    action: str = "import"
    requested: int = 0
    refused: int = 0
    kept: int = 0

    @property
    def complete(self) -> bool:
        """True when something was imported, everything asked for was written and no problem
        was found (an import that found nothing to import is not complete: a wrong folder?)."""
        return 0 < self.images == self.requested and not self.problems

    def headline(self) -> str:
        """One line: "COCO import into DIR: wrote 3 of 5 images; 2 refused ..." (see :meth:`counts`)."""
        return f"{self.format} import into {self.out}: {self.counts()}"

    def counts(self) -> str:
        """How much was done: "wrote 3 of 5 images; 2 refused" (and kept / problems when any)."""
        line = f"wrote {self.images} of {self.requested} images"
        if self.refused:
            line += f"; {self.refused} refused (nothing written for {'it' if self.refused == 1 else 'them'})"
        if self.kept:
            line += f"; {self.kept} kept (a label file exists; overwrite replaces it)"
        if self.problems and self.images == self.requested:
            line += f"; {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        if self.requested == 0:
            line += " (nothing to import)"
        return line

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict of the report, with the counts and ``complete``."""
        doc = super().to_json()
        doc.update(requested=self.requested, refused=self.refused, kept=self.kept, complete=self.complete)
        return doc


@dataclass
class Result:
    """One image's import: written (``ok``), kept (an existing label file), or refused."""

    ok: bool = False
    kept: bool = False
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    written: Path | None = None

    def refuse(self, path: Path, kind: str, message: str) -> Result:
        """Mark the image refused for ``message`` (nothing is written for it)."""
        self.problems.append(Problem(path, kind, message))
        self.ok = False
        return self


def target(folder: Path, image: Path, overwrite: bool, res: Result) -> Path | None:
    """The label file to write for ``image``, or None (``res`` says why: it lies outside
    ``folder``, or it exists and ``overwrite`` is off)."""
    try:
        _, jp = checked_target(folder, image)
    except UnsafePath as exc:
        res.refuse(image, "unwritable", str(exc))
        return None
    if jp.exists() and not overwrite:
        res.kept = True
        res.skipped.append(Skipped(jp, None, KEPT_REASON))
        return None
    return jp


def write(image: Path, json_path: Path, width: int, height: int, shapes: list[Shape], res: Result) -> Result:
    """Save the LabelMe file (validated first; atomic) and note its labels in ``res``."""
    ann = new_annotation(image, json_path, width, height)
    ann.shapes = shapes
    try:
        save(ann, json_path)
    except AnnotationError as exc:
        return res.refuse(json_path, "unwritable", exc.reason)
    res.ok = True
    res.written = json_path
    grouped = {(s.label, s.group_id) for s in shapes if s.group_id is not None}
    res.labels = [s.label for s in shapes if s.group_id is None] + [label for label, _ in grouped]
    return res


def collect(jobs: Sequence[Any], fn: Callable[[Any], Result], report: ImportReport, workers: int | None,
            progress: ProgressCallback | None, cancel: CancelToken | None) -> ImportReport:
    """Run the per-image jobs and fold their results into ``report``."""
    report.requested += len(jobs)
    for res in run_jobs(fn, jobs, workers=workers, progress=progress, cancel=cancel, desc="import"):
        report.problems += res.problems
        report.skipped += res.skipped
        if res.ok:
            report.images += 1
            report.written.append(res.written)
            report.instances.update(label for label in res.labels if label != IGNORE_LABEL)
        elif res.kept:
            report.kept += 1
        else:
            report.refused += 1
    return report

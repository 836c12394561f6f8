"""A labelled folder: scan and pair images with LabelMe JSONs, split, class statistics, problems.

:func:`scan` walks a folder recursively (hidden folders skipped, natural sort: ``img2`` before
``img10``) and pairs each image with its same-stem JSON; a JSON without a same-stem image is
paired through its ``imagePath``. :func:`summarize` reads every JSON and reports per-class
image/instance/pixel counts (pixels through :mod:`segcore.data.rasterize`, the one rasteriser) and
every problem found, each naming its file (and shape index). Nothing here writes files.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from segcore.data.rasterize import (
    BACKGROUND_LABEL,
    IGNORE_INDEX,
    IGNORE_LABEL,
    ClassList,
    class_map,
    instances_of,
    natural_key,
)
from segcore.data.review import is_ground_truth
from segcore.data.shape_checks import degenerate_reason, shape_issue
from segcore.io import annotation
from segcore.io.annotation import Annotation, AnnotationError
from segcore.io.imageio import DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS, ImageReadError, check_size, verify_image
from segcore.progress import CancelToken, check_cancel

__all__ = [
    "PROBLEM_KINDS", "ClassStats", "DatasetError", "DatasetSummary", "Item", "Problem",
    "degenerate_reason", "natural_key", "scan", "split_items", "split_of", "summarize",
]


PROBLEM_KINDS = (
    "corrupt_json", "missing_image", "size_mismatch", "unknown_label", "degenerate_shape",
    "unreadable_image", "orphan_json", "duplicate_key", "unreadable_folder",
)


class DatasetError(ValueError):
    """The folder itself cannot be used (absent, not a folder, unreadable)."""

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class Item:
    """One image of the folder; ``json`` is None when it has no label file.

    ``key`` is the image's path relative to the root, posix, without suffix (for an image
    outside the root reached through a JSON's ``imagePath``: the JSON's relative path).
    """

    image: Path
    json: Path | None
    key: str


@dataclass(frozen=True)
class Problem:
    """Something wrong with one file (and shape); ``kind`` is one of :data:`PROBLEM_KINDS`."""

    path: Path
    kind: str
    message: str
    shape_index: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}: shape {self.shape_index}" if self.shape_index is not None else f"{self.path}"
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "kind": self.kind, "message": self.message,
                "shape_index": self.shape_index}


# ----------------------------------------------------------------------------- scanning


def _walk(root: Path, problems: list[Problem]) -> tuple[list[Path], list[Path]]:
    images: list[Path] = []
    jsons: list[Path] = []

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        if where == root:
            raise DatasetError(root, f"cannot read the folder ({exc.strerror or exc})")
        problems.append(Problem(where, "unreadable_folder", f"cannot read the folder ({exc.strerror or exc})"))

    for folder, dirs, files in os.walk(root, onerror=on_error):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(folder)
        for name in files:
            if name.startswith("."):
                continue
            suffix = os.path.splitext(name)[1].lower()
            if suffix in IMAGE_EXTENSIONS:
                images.append(base / name)
            elif suffix == ".json":
                jsons.append(base / name)
    return images, jsons


def _key(path: Path, root: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


def _sort_key(item: Item) -> tuple:
    return natural_key(item.key), natural_key(item.image.name)


class _Scan:
    """Scan result: items, problems found while pairing, and the JSONs already parsed."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        if not self.root.exists():
            raise DatasetError(self.root, "no such folder")
        if not self.root.is_dir():
            raise DatasetError(self.root, "not a folder")
        if not os.access(self.root, os.R_OK | os.X_OK):
            raise DatasetError(self.root, "cannot read the folder (permission denied)")
        self.problems: list[Problem] = []
        self.loaded: dict[Path, Annotation | AnnotationError] = {}
        images, jsons = _walk(self.root, self.problems)
        by_stem: dict[Path, list[Path]] = {}
        for img in images:
            by_stem.setdefault(img.with_suffix(""), []).append(img)
        json_of: dict[Path, Path] = {}
        extra: list[Item] = []
        later: list[Path] = []
        for j in jsons:
            candidates = by_stem.get(j.with_suffix(""))
            if not candidates:
                later.append(j)
                continue
            chosen = candidates[0]
            if len(candidates) > 1:  # a.jpg and a.png: the one the JSON names
                ann = self._load(j)
                if isinstance(ann, Annotation):
                    target = annotation.resolve_image_path(ann, j)
                    chosen = next((c for c in candidates if c.resolve() == target), chosen)
            json_of[chosen] = j
        image_set = {img.resolve(): img for img in images} if later else {}
        for j in later:  # no same-stem image: follow imagePath
            ann = self._load(j)
            if isinstance(ann, AnnotationError):
                self.problems.append(Problem(j, "corrupt_json", ann.reason))
                continue
            if not ann.image_path:
                self.problems.append(Problem(j, "orphan_json", "no image with the same name and no imagePath"))
                continue
            target = annotation.resolve_image_path(ann, j)
            if not target.is_file():
                msg = f"image not found: no image named like the JSON and imagePath {ann.image_path!r} does not exist"
                if ann.image_data:
                    msg += " (the JSON embeds imageData; save the image beside it to use it)"
                self.problems.append(Problem(j, "missing_image", msg))
                continue
            inside = image_set.get(target)
            if inside is not None:
                if inside in json_of:
                    msg = f"its image {ann.image_path!r} already has its own label file {json_of[inside].name!r}"
                    self.problems.append(Problem(j, "orphan_json", msg))
                else:
                    json_of[inside] = j
            else:
                extra.append(Item(target, j, _key(j, self.root)))
        items = [Item(img, json_of.get(img), _key(img, self.root)) for img in images]
        self.items = sorted(items + extra, key=_sort_key)

    def _load(self, path: Path) -> Annotation | AnnotationError:
        if path not in self.loaded:
            try:
                self.loaded[path] = annotation.load(path)
            except AnnotationError as exc:
                self.loaded[path] = exc
        return self.loaded[path]


def scan(root: str | os.PathLike) -> list[Item]:
    """Every image under ``root`` (recursive, natural order) paired with its JSON (or None).

    Raises :class:`DatasetError` when ``root`` is not a readable folder.
    """
    return _Scan(root).items


def scan_with_problems(root: str | os.PathLike) -> tuple[list[Item], list[Problem]]:
    """:func:`scan` plus the problems found while pairing (label files whose image is missing,
    unreadable sub-folders, corrupt JSONs that name no image...)."""
    result = _Scan(root)
    return list(result.items), list(result.problems)


# ----------------------------------------------------------------------------- splits


def _unit(key: str, seed: int) -> float:
    digest = hashlib.blake2b(f"{seed}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def split_of(key: str, val_ratio: float, seed: int = 0) -> str:
    """``"val"`` or ``"train"`` from a hash of ``(seed, key)``: an image keeps its split when
    others are added or removed."""
    if not 0.0 <= val_ratio <= 1.0:
        raise ValueError(f"val_ratio must be between 0 and 1, got {val_ratio}")
    return "val" if _unit(key, seed) < val_ratio else "train"


def split_items(items: Iterable[Item], val_ratio: float, seed: int = 0) -> dict[str, list[Item]]:
    """``{"train": [...], "val": [...]}`` by :func:`split_of`, order kept.

    With ``0 < val_ratio < 1`` and at least two items neither side is left empty: the item
    hashed closest to the boundary moves over (deterministic for a given set of items).
    """
    items = list(items)
    out: dict[str, list[Item]] = {"train": [], "val": []}
    for it in items:
        out[split_of(it.key, val_ratio, seed)].append(it)
    if 0.0 < val_ratio < 1.0 and len(items) >= 2:
        if not out["val"]:
            move = min(out["train"], key=lambda it: _unit(it.key, seed))
            out["train"].remove(move)
            out["val"] = [move]
        elif not out["train"]:
            move = max(out["val"], key=lambda it: _unit(it.key, seed))
            out["val"].remove(move)
            out["train"] = [move]
    return out


# ----------------------------------------------------------------------------- summary


@dataclass
class ClassStats:
    """Counts for one class over the folder."""

    images: int = 0
    instances: int = 0
    pixels: int = 0


@dataclass
class DatasetSummary:
    """What :func:`summarize` found. ``labelled``/``unlabelled`` count images with a readable
    JSON / without any; ``broken`` those whose JSON could not be read."""

    root: Path
    items: list[Item]
    classes: ClassList
    class_stats: dict[str, ClassStats]
    problems: list[Problem]
    labelled: int = 0
    unlabelled: int = 0
    broken: int = 0
    total_pixels: int = 0
    image_labels: dict[str, list[str]] = field(default_factory=dict)
    proposed: int = 0
    """Unreviewed model proposals (``proposed`` shapes): listed in ``image_labels``, not counted."""
    proposal_images: int = 0
    """Images holding at least one unreviewed proposal (their review state is "proposals")."""
    proposals_only: int = 0
    """Images holding nothing but unreviewed proposals: not ground truth, not training images."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole summary."""
        total = self.total_pixels or 1
        return {
            "root": str(self.root),
            "images": len(self.items),
            "labelled": self.labelled,
            "unlabelled": self.unlabelled,
            "broken": self.broken,
            "proposed": self.proposed,
            "proposals_only": self.proposals_only,
            "classes": self.classes.to_lines(),
            "class_stats": {
                name: {"images": s.images, "instances": s.instances, "pixels": s.pixels,
                       "pixel_fraction": s.pixels / total}
                for name, s in self.class_stats.items()
            },
            "items": [
                {"key": it.key, "image": str(it.image), "json": None if it.json is None else str(it.json),
                 "labels": self.image_labels.get(it.key)}
                for it in self.items
            ],
            "problems": [p.to_json() for p in self.problems],
        }


def summarize(root: str | os.PathLike, classes: ClassList | None = None, *, check_images: bool = True,
              progress: Callable[[int, int, str], None] | None = None,
              cancel: CancelToken | None = None) -> DatasetSummary:
    """Read every label file under ``root`` and count images, instances and pixels per class.

    With ``classes`` given, labels outside it are reported (``unknown_label``) and left out of
    the counts; without, the class list is collected from the labels. ``check_images`` reads
    each image's header to compare its size with the JSON's and checks that its data decodes
    (:func:`segcore.io.imageio.verify_image`). Shapes are checked by the rule the exports use
    (:func:`segcore.data.shape_checks.shape_issue`). Raises :class:`DatasetError`
    only when ``root`` itself cannot be read (and ``Cancelled`` when ``cancel`` is set);
    everything else becomes a :class:`Problem`.
    """
    sc = _Scan(root)
    problems = list(sc.problems)
    items = sc.items
    keys: dict[str, Item] = {}
    for it in items:
        if it.key in keys:
            msg = f"shares the name {it.key!r} with {keys[it.key].image.name!r}; exports would collide"
            problems.append(Problem(it.image, "duplicate_key", msg))
        keys.setdefault(it.key, it)

    loaded: list[tuple[Item, Annotation]] = []
    broken = 0
    for it in items:
        if it.json is None:
            continue
        ann = sc._load(it.json)
        if isinstance(ann, AnnotationError):
            problems.append(Problem(it.json, "corrupt_json", ann.reason, ann.shape_index))
            broken += 1
        else:
            loaded.append((it, ann))
    if classes is None:  # unreviewed model proposals are not labels (as in training and export)
        classes = ClassList.collect(s.label for _, a in loaded for s in a.shapes if not s.proposed)

    stats = {name: ClassStats() for name in classes.names}
    ignore = ClassStats()
    image_labels: dict[str, list[str]] = {}
    total_pixels = proposed = proposal_images = proposals_only = 0
    for n, (it, ann) in enumerate(loaded):
        check_cancel(cancel)
        if progress is not None:
            progress(n, len(loaded), it.key)
        size = _size_for(it, ann, check_images, problems)
        image_labels[it.key] = ann.labels()
        shapes = [s for s in ann.shapes if not s.proposed]
        if len(shapes) < len(ann.shapes):
            proposed += len(ann.shapes) - len(shapes)
            proposal_images += 1
            proposals_only += not is_ground_truth(ann)
        painted = []  # what training and the exports paint: the shapes that mark a region
        for i, s in enumerate(ann.shapes):
            if s.proposed:
                continue
            if s.label not in classes:
                problems.append(Problem(it.json, "unknown_label", f"label {s.label!r} is not in the class list", i))
            elif size is not None:  # the rule the exports apply (segcore.data.shape_checks)
                issue = shape_issue(s, size[0], size[1])
                if issue is not None:
                    problems.append(Problem(it.json, "degenerate_shape", issue.message, i))
                if issue is None or not issue.left_out:
                    painted.append(s)
        present = {s.label for s in shapes if s.label in classes}
        for label in present - {IGNORE_LABEL}:
            stats[label].images += 1
        for inst in instances_of(shapes, classes, skip_unknown=True):
            stats[inst.label].instances += 1
        if IGNORE_LABEL in present:
            ignore.images += 1
            ignore.instances += sum(s.label == IGNORE_LABEL for s in shapes)
        if size is None:
            continue
        cmap = class_map(painted, size[1], size[0], classes, skip_unknown=True, path=it.json)
        counts = np.bincount(cmap.ravel(), minlength=256)
        total_pixels += cmap.size
        for cid, name in enumerate(classes.names):
            stats[name].pixels += int(counts[cid])
        ignore.pixels += int(counts[IGNORE_INDEX])
        if counts[0] and BACKGROUND_LABEL not in present:
            stats[BACKGROUND_LABEL].images += 1
    if progress is not None:
        progress(len(loaded), len(loaded), "done")
    if ignore.images:
        stats[IGNORE_LABEL] = ignore
    problems.sort(key=lambda p: (natural_key(str(p.path)), -1 if p.shape_index is None else p.shape_index))
    return DatasetSummary(
        root=sc.root, items=items, classes=classes, class_stats=stats, problems=problems,
        labelled=len(loaded), unlabelled=sum(it.json is None for it in items), broken=broken,
        total_pixels=total_pixels, image_labels=image_labels, proposed=proposed, proposal_images=proposal_images,
        proposals_only=proposals_only,
    )


def _size_for(it: Item, ann: Annotation, check_images: bool, problems: list[Problem]) -> tuple[int, int] | None:
    """The (width, height) to rasterise at; records size problems."""
    json_size = (ann.image_width, ann.image_height) if ann.image_width and ann.image_height else None
    if not check_images and json_size is not None:
        if json_size[0] * json_size[1] > DEFAULT_MAX_PIXELS:  # never allocate a class map that big
            problems.append(Problem(it.json, "unreadable_image",
                                    f"the JSON says {json_size[0]}x{json_size[1]}, over the limit of "
                                    f"{DEFAULT_MAX_PIXELS:,} pixels: the image cannot be used"))
            return None
        return json_size
    try:
        w, h, _ = verify_image(it.image, max_pixels=DEFAULT_MAX_PIXELS)  # the header and the data
        real = (w, h)
    except (ImageReadError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        problems.append(Problem(it.image, "unreadable_image", f"cannot read the image ({reason})"))
        too_big = getattr(exc, "kind", "") == "too_large" or (
            json_size is not None and json_size[0] * json_size[1] > DEFAULT_MAX_PIXELS)
        return None if too_big else json_size
    if json_size is not None and json_size != tuple(real):
        try:
            msg = check_size(ann, it.image)
        except (ImageReadError, OSError, ValueError):
            msg = None
        msg = msg or (f"the JSON says {json_size[0]}x{json_size[1]} (imageWidth x imageHeight) "
                      f"but {it.image.name} is {real[0]}x{real[1]}")
        problems.append(Problem(it.json, "size_mismatch", msg))
    return tuple(real)


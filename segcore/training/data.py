"""Training data: a labelled folder -> (image, class map) samples, rasterised once.

- :func:`prepare_folder` scans a LabelMe folder, decides the class list, rasterises every JSON
  once into a PNG cache keyed by the JSON's content (plus the class list), and splits train/val
  (stable hash split, or a split file).
- :class:`SegDataset` reads an image and its cached class map and applies the augmentation
  (random scale, rotation, crop with ignore padding, horizontal flip, colour jitter) in train
  mode (see :mod:`segcore.training.augment`); in val mode it only resizes the image and keeps the
  label at its original size.
- :func:`collate_eval` pads a validation batch to a common size (multiple of 32).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from segcore.io.imageio import read_image
from segcore.io.palette import IGNORE_INDEX
from segcore.messages import QT_TRANSLATE_NOOP, Notice
from segcore.training.augment import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    AugmentConfig,
    augment,
    fitted_crop,
    normalise,
    resize_long,
)

__all__ = ["IGNORE_INDEX", "IMAGENET_MEAN", "IMAGENET_STD", "AugmentConfig", "DataError", "PreparedData",
           "SegDataset", "Sample", "TensorSegDataset", "RepeatDataset", "augment", "cache_key", "collate_eval",
           "normalise", "prepare_folder", "resize_long", "training_readiness"]

CACHE_VERSION = "3"  # 2: unreviewed model proposals are ignore pixels; 3: shapes marking no region left out


class DataError(ValueError):
    """A labelled folder that cannot be trained on (empty, a single class, a bad split file)."""


@dataclass
class Sample:
    """One labelled image: its image, its JSON, the cached class map and its folder key."""

    image: Path
    json: Path
    label: Path
    key: str
    height: int
    width: int


@dataclass
class PreparedData:
    """The outcome of :func:`prepare_folder`."""

    root: Path
    class_names: list[str]
    train: list[Sample]
    val: list[Sample]
    warnings: list[str] = field(default_factory=list)
    unlabelled: int = 0
    instances: dict[str, int] = field(default_factory=dict)
    """Shapes a person made per class over the used images (a group_id joins shapes into one)."""


def default_cache_dir() -> Path:
    """``$SEGCORE_CACHE`` or ``~/.cache/segcore/labelmaps`` (content-addressed, safe to share)."""
    env = os.environ.get("SEGCORE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "segcore" / "labelmaps"


def cache_key(json_bytes: bytes, class_names: list[str]) -> str:
    """The cache file name of one annotation: a hash of its content and of the class list."""
    h = hashlib.sha256()
    h.update(CACHE_VERSION.encode())
    h.update(b"\0".join(n.encode("utf-8") for n in class_names))
    h.update(b"\1")
    h.update(json_bytes)
    return h.hexdigest()[:32]


def _write_png_atomic(path: Path, array: np.ndarray) -> None:
    ok, buf = cv2.imencode(".png", array)
    if not ok:
        raise OSError(f"{path}: could not encode the class map")
    from segcore.io.annotation import atomic_write_bytes

    atomic_write_bytes(path, buf.tobytes())


def read_label_png(path: Path) -> np.ndarray:
    """A cached class map (uint8, H x W)."""
    lm = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if lm is None:
        raise OSError(f"{path}: cached class map is unreadable")
    return lm


def _size_problem(ann, image_path: Path) -> tuple[str | None, tuple[int, int] | None]:
    """``(problem, (width, height))``: why the image cannot be paired with its annotation
    (unreadable, its data cut short or undecodable, over the pixel limit, another size than the
    JSON says) or None, and the image's size. The size comes from the header, before anything
    is allocated at that size; :func:`segcore.io.imageio.verify_image` checks the data cheaply."""
    from segcore.io.imageio import DEFAULT_MAX_PIXELS, ImageReadError, check_size, verify_image

    try:
        w, h, _ = verify_image(image_path, max_pixels=DEFAULT_MAX_PIXELS)
        return check_size(ann, image_path), (w, h)
    except ImageReadError as exc:
        return str(exc), None


def _ground_truth(shapes, height: int, width: int, classes) -> np.ndarray:
    """The class map of the shapes a person made that mark a region (what the exports keep);
    pixels covered only by unreviewed model proposals are ignored
    (:func:`segcore.data.shape_checks.ground_truth_map`)."""
    from segcore.data.shape_checks import ground_truth_map

    return ground_truth_map(shapes, height, width, classes)


def _read_split_file(path: Path) -> dict[str, set[str]]:
    """A split file: JSON ``{"train": [keys], "val": [keys]}`` or text with one val key a line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the split file ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict):
        if "val" not in data:
            raise DataError(f"{path}: split file has no 'val' list")
        for k in ("train", "val"):
            if not isinstance(data.get(k, []), list):
                raise DataError(f"{path}: '{k}' must be a list of image names, got {type(data[k]).__name__}")
        return {k: {str(x).rsplit(".", 1)[0] if "." in Path(str(x)).name else str(x) for x in data.get(k, [])}
                for k in ("train", "val")}
    keys = {ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")}
    return {"train": set(), "val": {k.rsplit(".", 1)[0] if "." in Path(k).name else k for k in keys}}


def prepare_folder(
    root: str | os.PathLike,
    *,
    labels_file: str | os.PathLike | None = None,
    val_ratio: float = 0.2,
    seed: int = 0,
    split_file: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    class_names: list[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> PreparedData:
    """Scan ``root``, fix the class list, rasterise every annotation once, split train/val.

    The class list comes from ``class_names``, else ``labels_file``, else ``root/labels.txt``,
    else it is collected from the labels in use. Files that cannot be used (corrupt JSON,
    unknown label, an image whose data is cut short or does not decode, image size disagreeing
    with the JSON) are skipped with a warning naming them. Model
    proposals nobody reviewed (``proposed`` shapes) are not ground truth: their pixels are
    ignored, and a file holding nothing else counts as unlabelled.
    Raises :class:`DataError` when nothing usable is left or only one class exists.
    """
    from segcore.data.dataset import scan_with_problems, split_items
    from segcore.data.rasterize import ClassList, UnknownLabelError
    from segcore.data.review import is_ground_truth
    from segcore.io.annotation import AnnotationError, load, resolve_image_path

    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: not a folder")
    items, scan_problems = scan_with_problems(root)
    labelled = [it for it in items if it.json is not None]
    warnings: list[str] = [f"skipped: {p}" for p in scan_problems]
    if not items:
        raise DataError(f"{root}: no labelled images (no images found in the folder or its sub-folders)"
                        + "".join(f"\n{w}" for w in warnings))
    if not labelled:
        raise DataError(f"{root}: no labelled images (no LabelMe JSON beside the {len(items)} images)")

    anns = {}
    only_proposals = 0
    for it in labelled:
        try:
            ann = load(it.json)
        except AnnotationError as exc:
            warnings.append(f"skipped: {exc}")
            continue
        if not is_ground_truth(ann):
            only_proposals += 1  # nothing a person confirmed: not ground truth
            continue
        anns[it.key] = ann
    if only_proposals:
        warnings.append(f"{only_proposals} images hold only unreviewed model proposals and are not used "
                        "(accept or edit the proposals in the annotator to use them)")
    if not anns:
        raise DataError(f"{root}: none of the {len(labelled)} annotations could be used:\n" + "\n".join(warnings))
    if class_names is not None:
        classes = ClassList.from_names(list(class_names))
    elif labels_file is not None or (root / "labels.txt").is_file():
        classes = ClassList.from_file(Path(labels_file) if labels_file is not None else root / "labels.txt")
    else:
        classes = ClassList.collect(s.label for a in anns.values() for s in a.shapes if not s.proposed)
    names = list(classes.names)
    if len(names) < 2:
        raise DataError(
            f"{root}: only one class ({names[0] if names else 'none'}): draw at least one labelled "
            "shape so there is something to tell from the background"
        )

    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    samples: list[Sample] = []
    for n, it in enumerate(labelled):
        if progress is not None:
            progress(n, len(labelled), f"rasterising {it.key}")
        ann = anns.get(it.key)
        if ann is None:
            continue
        image_path = Path(it.image)
        if not image_path.is_file():
            try:
                image_path = resolve_image_path(ann, it.json)
            except Exception:  # noqa: BLE001 - any failure means: no image
                warnings.append(f"skipped: {it.json}: image not found")
                continue
        problem, size = _size_problem(ann, image_path)
        if problem or size is None:
            warnings.append(f"skipped: {it.json}: {problem}")
            continue
        w, h = size
        raw = Path(it.json).read_bytes() + f"\0{w}x{h}".encode()  # the JSON may not give the size
        out = cache / f"{cache_key(raw, names)}.png"
        if not out.is_file():
            try:
                lm = _ground_truth(ann.shapes, h, w, classes)
            except UnknownLabelError as exc:
                warnings.append(f"skipped: {it.json}: {exc}")
                continue
            except (ValueError, AnnotationError) as exc:
                warnings.append(f"skipped: {it.json}: {exc}")
                continue
            _write_png_atomic(out, lm.astype(np.uint8))
        samples.append(Sample(image_path, Path(it.json), out, it.key, h, w))
    if progress is not None:
        progress(len(labelled), len(labelled), "rasterised")
    if not samples:
        raise DataError(f"{root}: none of the {len(labelled)} annotations could be used:\n" + "\n".join(warnings))

    if split_file is not None:
        split = _read_split_file(Path(split_file))
        val = [s for s in samples if s.key in split["val"]]
        train = [s for s in samples if s.key not in split["val"] and (not split["train"] or s.key in split["train"])]
        if not val:
            raise DataError(f"{split_file}: none of its validation keys matches a labelled image in {root}")
    else:
        parts = split_items(samples, val_ratio, seed)  # never leaves a side empty with >= 2 images
        train, val = parts["train"], parts["val"]
    if not val or not train:
        train = val = train or val
        warnings.append("only one labelled image: validating on the training image (metrics are optimistic)")
    if len(samples) < 5:
        warnings.append(f"only {len(samples)} labelled images: expect a weak model")
    unlabelled = len(items) - len(labelled)
    return PreparedData(root, names, train, val, warnings, unlabelled, _count_instances(
        [anns[s.key] for s in samples], names))


def _count_instances(anns: list, names: list[str]) -> dict[str, int]:
    """Instances per class name (shapes a person made; shapes sharing a group_id count once)."""
    counts = dict.fromkeys(names[1:], 0)
    for ann in anns:
        groups = set()
        for s in ann.shapes:
            if s.proposed or s.label not in counts:
                continue
            if s.group_id is None or (s.label, s.group_id) not in groups:
                counts[s.label] += 1
                groups.add((s.label, s.group_id))
    return counts


def training_readiness(root: str | os.PathLike, *, min_images: int = 10, min_instances: int = 3) -> dict:
    """What a "Train" dialog shows before starting: counts, classes and warnings.

    Returns ``labelled`` (images training will use: a person made or accepted their shapes),
    ``to_review`` (images holding only unreviewed model proposals: not used), ``unlabelled``,
    ``classes`` ({name: {"images", "instances"}}, proposals not counted),
    ``sizes`` (distinct (width, height) of the labelled images, at most 10), ``problems``
    (strings), and what will hurt the model (too few labelled images, a class with fewer than
    ``min_instances`` instances, unlabelled images, mixed image sizes, only one class) twice:
    ``notices`` (:class:`~segcore.messages.Notice` records, for a translated display) and
    ``warnings`` (their English text).
    """
    from segcore.data.dataset import summarize

    summary = summarize(root, check_images=False)
    labelled = summary.labelled - summary.proposals_only
    sizes: set[tuple[int, int]] = set()
    for it in summary.items:
        if it.json is None:
            continue
        try:
            d = json.loads(Path(it.json).read_text(encoding="utf-8"))
            sizes.add((int(d.get("imageWidth") or 0), int(d.get("imageHeight") or 0)))
        except (OSError, ValueError, TypeError):
            continue
    classes = {name: {"images": st.images, "instances": st.instances}
               for name, st in summary.class_stats.items() if name not in ("_background_", "__ignore__")}
    ctx = "TrainingNotices"  # lupdate reads the context of each template below as a literal
    notices: list[Notice] = []
    if labelled == 0:
        notices.append(Notice(ctx, QT_TRANSLATE_NOOP("TrainingNotices", "no labelled images: label some images first")))
    elif labelled < min_images:
        notices.append(Notice(ctx, QT_TRANSLATE_NOOP(
            "TrainingNotices", "only {labelled} labelled images: a model trained on fewer than {min_images} is weak "
                 "(it can still help pre-annotate)"), {"labelled": labelled, "min_images": min_images}))
    if labelled and not classes:
        notices.append(Notice(ctx, QT_TRANSLATE_NOOP("TrainingNotices", "no labelled shapes: only the background class")))
    for name, st in sorted(classes.items()):
        if st["instances"] < min_instances:
            notices.append(Notice(ctx, QT_TRANSLATE_NOOP(
                "TrainingNotices", "class '{name}' has only {instances} instance(s): label at least {min_instances}"),
                {"name": name, "instances": st["instances"], "min_instances": min_instances}))
    if summary.proposals_only:
        notices.append(Notice(ctx, QT_TRANSLATE_NOOP(
            "TrainingNotices", "{count} images hold only unreviewed model proposals and will not be used: "
                 "accept or edit the proposals to use them"), {"count": summary.proposals_only}))
    if summary.unlabelled:
        notices.append(Notice(ctx, QT_TRANSLATE_NOOP(
            "TrainingNotices", "{count} images have no annotation and will not be used"), {"count": summary.unlabelled}))
    if len(sizes) > 1:
        notices.append(Notice(ctx, QT_TRANSLATE_NOOP(
            "TrainingNotices", "images of {count} different sizes: larger ones are shrunk to the chosen image size, "
                 "none is enlarged"),
            {"count": len(sizes)}))
    return {"labelled": labelled, "to_review": summary.proposals_only, "unlabelled": summary.unlabelled,
            "classes": classes, "sizes": sorted(sizes)[:10], "problems": [str(p) for p in summary.problems[:50]],
            "warnings": [n.text for n in notices], "notices": notices}


class SegDataset(Dataset):
    """Samples -> normalised image tensors and int64 class maps.

    ``train=True``: augmented, cropped to ``crop`` at most (same size in a batch; images smaller
    than that are padded only to a multiple of 32). ``train=False``: the image shrunk to
    ``base_size`` on its long side when larger (never enlarged), the class map kept at its original size,
    returned with the sample index for :func:`collate_eval`.
    ``preload=True`` keeps the decoded, resized images and class maps in memory.
    """

    def __init__(
        self,
        samples: list[Sample],
        *,
        train: bool,
        base_size: int | None = 512,
        crop: int | None = 384,
        aug: AugmentConfig | None = None,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        preload: bool = False,
        seed: int = 0,
    ):
        self.samples = list(samples)
        self.train = train
        self.base_size = base_size
        sizes = [(s.height, s.width) for s in self.samples if isinstance(s, Sample)]
        self.crop = fitted_crop(crop, sizes, base_size) if train and sizes else crop
        self.aug = aug or AugmentConfig()
        self.mean, self.std = mean, std
        self.seed = seed
        self.epoch = 0
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if preload:
            for i in range(len(self.samples)):
                self._cache[i] = self._load(i)

    def set_epoch(self, epoch: int) -> None:
        """Make augmentation a function of (seed, epoch, index): reproducible and resumable."""
        self.epoch = epoch

    def _load(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        s = self.samples[i]
        from segcore.io.imageio import ImageReadError

        try:
            image = read_image(s.image)
        except ImageReadError as exc:  # the header was fine when the folder was scanned
            raise DataError(f"{exc}; fix or remove the image (or its label file {s.json.name}) "
                            "and start again") from None
        label = read_label_png(s.label)
        if image.shape[:2] != label.shape:
            raise DataError(
                f"{s.image}: image is {image.shape[1]}x{image.shape[0]} but {s.json} says {label.shape[1]}x{label.shape[0]}"
            )
        image = resize_long(image, self.base_size, cv2.INTER_AREA)
        if self.train:
            label = resize_long(label, self.base_size, cv2.INTER_NEAREST)
        return image, label

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int):
        image, label = self._cache[i] if i in self._cache else self._load(i)
        if not self.train:
            return normalise(image, self.mean, self.std), torch.from_numpy(label.astype(np.int64)), i
        rng = random.Random((self.seed * 1_000_003 + self.epoch) * 1_000_003 + i)
        image, label = augment(image, label, self.crop, self.aug, rng)
        return normalise(image, self.mean, self.std), torch.from_numpy(label.astype(np.int64))


class TensorSegDataset(Dataset):
    """In-memory (image tensor, class map) pairs; used by the benchmark and tests."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, *, train: bool = True):
        self.images, self.labels, self.train = images, labels.long(), train

    def set_epoch(self, epoch: int) -> None:  # noqa: D102 - nothing random here
        pass

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        if self.train:
            return self.images[i], self.labels[i]
        return self.images[i], self.labels[i], i


class RepeatDataset(Dataset):
    """Repeat a tiny dataset so one epoch holds at least ``min_len`` samples (full batches)."""

    def __init__(self, base: Dataset, min_len: int):
        self.base = base
        self.n = len(base)
        self.times = max(1, math.ceil(min_len / max(1, self.n)))

    def set_epoch(self, epoch: int) -> None:
        if hasattr(self.base, "set_epoch"):
            self.base.set_epoch(epoch)

    def __len__(self) -> int:
        return self.n * self.times

    def __getitem__(self, i: int):
        return self.base[i % self.n]


def collate_eval(batch, multiple: int = 32):
    """Pad images to a common size (a multiple of ``multiple``); keep labels and sizes as lists."""
    images = [b[0] for b in batch]
    hmax = max(im.shape[1] for im in images)
    wmax = max(im.shape[2] for im in images)
    hp, wp = -(-hmax // multiple) * multiple, -(-wmax // multiple) * multiple
    out = torch.zeros(len(images), images[0].shape[0], hp, wp, dtype=images[0].dtype)
    for k, im in enumerate(images):
        out[k, :, : im.shape[1], : im.shape[2]] = im
    sizes = [(im.shape[1], im.shape[2]) for im in images]
    return out, [b[1] for b in batch], sizes, [b[2] for b in batch]


def label_maps_for_weights(samples: list[Sample], base_size: int | None):
    """Yield each sample's class map (at the training scale) for class-weight statistics."""
    for s in samples:
        yield resize_long(read_label_png(s.label), base_size, cv2.INTER_NEAREST)

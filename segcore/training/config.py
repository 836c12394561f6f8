"""Training configuration, result and progress printers (see :mod:`segcore.training.trainer` for events)."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from segcore.training.augment import AugmentConfig

Callback = Callable[[dict], None]
DEFAULT_MODEL = "deeplabv3plus_mobilenet_v3_large"
"""The architecture a run trains when none is named (command line, GUI, config)."""
EXTRA_LOSSES = ("dice", "focal", "tversky", "none")  # what losses.SegLoss adds to cross-entropy
CLASS_WEIGHT_MODES = ("sqrt", "median", "none")  # powers of the median-frequency weights: losses.CLASS_WEIGHT_POWERS


CPU_BATCH, ACCELERATOR_BATCH = 4, 8
"""A run's batch size when none is given. On the CPU a time budget allows few optimiser steps,
and twice as many steps of half the batch trained better (CamVid one-click runs in
bench/README.md: test mIoU 40.3% at batch 4 against 38.3% at 8, same 20 minutes)."""


def default_batch_size(device) -> int:
    """The batch size of a run on ``device`` (a ``torch.device`` or its type name) when none is given."""
    kind = getattr(device, "type", device)
    return CPU_BATCH if str(kind) == "cpu" else ACCELERATOR_BATCH


class TrainingError(RuntimeError):
    """Training cannot go on (bad data, full disk...); the message says why and what is kept."""


@dataclass
class TrainConfig:
    """Everything a training run needs; saved in ``last.pt`` so ``--resume`` can continue."""

    folder: str | None = None
    out: str = "runs/train"
    model: str = DEFAULT_MODEL
    model_kwargs: dict = field(default_factory=dict)
    # ImageNet backbone weights: "auto" (fetched once into torch's cache), "none", or a state dict file
    backbone_weights: str = "auto"
    init_from: str | None = None  # start from this checkpoint (classes matched by name)
    # image-size policy: images larger than base_size are shrunk so their long side is base_size
    # (None: native; smaller images are never enlarged), training crops are at most crop_size
    base_size: int | None = 480
    crop_size: int | None = 320
    batch_size: int | None = None  # None: default_batch_size(device), 4 on the CPU and 8 on a GPU
    epochs: int | None = 50  # with minutes set: an upper bound (None = unlimited)
    minutes: float | None = None  # time budget for the whole run (training + validation)
    optimizer: str = "adamw"  # adamw | sgd
    lr: float = 2e-3
    weight_decay: float = 1e-4
    momentum: float = 0.9
    warmup_steps: int = 20
    poly_power: float = 0.9
    class_weights: str = "sqrt"  # sqrt (square-root median-frequency, measured best on CamVid) | median | none
    extra_loss: str = "dice"  # added to cross-entropy: dice (measured best on CamVid) | focal | tversky | none
    extra_loss_weight: float = 1.0
    aux_weight: float = 0.4
    scale_min: float = 0.75  # base 480, crop 320, lr 2e-3, scale 0.75-1.5: the best measured CPU recipe
    scale_max: float = 1.5
    rotation_deg: float = 0.0  # no rotation and no colour jitter: as torchvision's reference recipe; measured better
    hflip: bool = True
    colour_jitter: float = 0.0
    val_ratio: float = 0.2
    split_file: str | None = None
    labels_file: str | None = None
    split_seed: int = 0  # picks the hash split; apart from seed, so repeat runs and fine-tuning keep the val images
    seed: int = 0  # initial weights, sample order and augmentation
    deterministic: bool = False
    amp: bool = True  # CUDA only
    channels_last: bool = True  # CPU and CUDA
    accum_steps: int = 1
    patience: int = 0  # epochs without a better val mIoU before stopping (0: never)
    bn_momentum_floor: float = 0.1
    bn_recalib_batches: int = 10
    eval_every: int = 0  # validate every N epochs; 0: when validation stays under a tenth of the run
    num_workers: int | None = None  # None: automatic
    preload: bool | None = None  # None: when the images fit in ~2 GB
    device: str | None = None
    cache_dir: str | None = None
    resume: bool = False

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        d = dict(d)
        if "backbone_weights" not in d and "pretrained_backbone" in d:  # saved by an older version
            d["backbone_weights"] = "auto" if d["pretrained_backbone"] else "none"
        if d.get("extra_loss", "none") is None:  # an older version's spelling of cross-entropy alone
            d["extra_loss"] = "none"
        if "split_seed" not in d and "seed" in d:  # an older version split by the training seed
            d["split_seed"] = d["seed"]
        return cls(**{k: v for k, v in d.items() if k in names})

    def augment(self) -> AugmentConfig:
        j = self.colour_jitter
        return AugmentConfig(self.scale_min, self.scale_max, self.rotation_deg, self.hflip, j, j, j)


@dataclass
class TrainResult:
    best_checkpoint: Path | None
    last_checkpoint: Path | None
    best_miou: float
    epochs: int
    reason: str
    history: list[dict]
    metrics: dict | None = None


def json_line_printer(stream=None) -> Callback:
    """A callback printing each event as one JSON line (``--progress-json``)."""

    def cb(event: dict) -> None:
        s = stream or sys.stdout
        s.write(json.dumps(event, default=str) + "\n")
        s.flush()

    return cb


def text_printer(stream=None) -> Callback:
    """A callback printing a short human-readable line per event on stderr."""

    def cb(e: dict) -> None:
        s = stream or sys.stderr
        kind = e["event"]
        if kind == "start":
            print(f"training {e['model']} on {e['device']} (x{e['world_size']}): {e['train_images']} train / "
                  f"{e['val_images']} val images, {len(e['classes'])} classes", file=s)
        elif kind == "download":
            p = e.get("progress")
            done = f"{100 * p:.0f}%" if p is not None else f"{e['bytes'] / 1e6:.1f} MB"
            print(f"\rdownloading {e['what']}: {done}", end="\n" if p is not None and p >= 1 else "", file=s)
        elif kind == "backbone_weights":
            print(e["message"], file=s)
        elif kind == "warning":
            print(f"warning: {e['message']}", file=s)
        elif kind == "epoch":
            val = e["val"] or {}
            miou = val.get("miou")
            print(f"epoch {e['epoch']}: loss {e['train_loss']:.4f}  val mIoU "
                  f"{'-' if miou is None else f'{100 * miou:.2f}'}{'  (best)' if e['is_best'] else ''}", file=s)
        elif kind == "done":
            print(f"done ({e['reason']}): best {e['best_checkpoint']}", file=s)
        elif kind == "error":
            print(f"error: {e['message']}", file=s)
        s.flush()

    return cb

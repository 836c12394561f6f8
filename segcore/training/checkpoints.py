"""Checkpoints of a training run, and where a resumed run picks up.

``best.pt`` holds the model with the best validation mIoU and its metrics; ``last.pt`` also
holds the training state (config, epoch, step, optimiser, scheduler, AMP scaler, RNG states,
history: :class:`RunState`) as tensors and plain containers, so it loads with ``weights_only=True``.
Writes are atomic: a full disk raises :class:`TrainingError` and leaves earlier files intact.
"""

from __future__ import annotations

import errno
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from torch import nn

from segcore.metrics import nan_to_none
from segcore.training.augment import IMAGENET_MEAN, IMAGENET_STD
from segcore.training.config import TrainConfig, TrainingError
from segcore.training.rng import rng_state, set_rng_state

RESUME_FIXED = ("model", "model_kwargs", "base_size", "crop_size", "optimizer", "val_ratio", "split_seed")
"""Settings a resumed run keeps from its ``last.pt`` whatever the new command line says."""


@dataclass
class RunState:
    """How far a run has come; saved in ``last.pt`` and restored by ``--resume``."""

    batch_size: int
    accum_steps: int
    epoch: int = 0
    global_step: int = 0
    best_miou: float = math.nan
    best_epoch: int = -1
    best_metrics: dict | None = None  # the validation scores saved in best.pt
    history: list[dict] = field(default_factory=list)
    elapsed_s: float = 0.0

    def record(self, epoch: int, metrics: dict | None) -> bool:
        """Count a finished epoch and its validation scores (None: not validated); True when
        they are the best so far."""
        self.epoch = epoch
        miou = metrics["miou"] if metrics else math.nan
        if math.isnan(miou) or not (math.isnan(self.best_miou) or miou > self.best_miou):
            return False
        self.best_miou, self.best_epoch, self.best_metrics = miou, epoch, {**metrics, "epoch": epoch}
        return True


def save_model(path: Path, model: nn.Module, cfg: TrainConfig, class_names: list[str], *,
               metrics: dict | None = None, training_state: dict | None = None, parent: dict | None = None) -> None:
    """Write ``model`` with its classes, colours, input policy, ``metrics`` and the checkpoint it
    started from (``parent``), atomically."""
    from segcore.checkpoint import save_checkpoint
    from segcore.data.rasterize import ClassList

    try:
        colours = ClassList.from_names(class_names).colours().tolist()
        if len(colours) != len(class_names):
            colours = None
    except Exception:  # noqa: BLE001 - colours are cosmetic
        colours = None
    try:
        save_checkpoint(
            path, model, arch=cfg.model, arch_kwargs=dict(cfg.model_kwargs), class_names=list(class_names),
            colours=colours, mean=list(IMAGENET_MEAN), std=list(IMAGENET_STD),
            input_policy={"divisor": 32, "resize_long_side": cfg.base_size, "crop_size": cfg.crop_size},
            metrics=nan_to_none(metrics) if metrics else None, training_state=training_state, parent=parent,
        )
    except OSError as exc:
        what = "the disk is full" if exc.errno == errno.ENOSPC else str(exc)
        raise TrainingError(
            f"could not write {path}: {what}; checkpoints written before are intact in {path.parent}"
        ) from exc


def training_state(cfg: TrainConfig, run: RunState, *, optimizer, scheduler, scaler, val_keys: list[str]) -> dict:
    """What ``last.pt`` needs to continue the run exactly (RNG states included)."""
    return {
        "config": cfg.to_dict(),
        "epoch": run.epoch,
        "global_step": run.global_step,
        "elapsed_s": run.elapsed_s,
        "best_miou": run.best_miou,
        "best_epoch": run.best_epoch,
        "best_metrics": run.best_metrics,
        "history": run.history,
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "scaler": scaler.state_dict() if scaler is not None else None,
        "rng": rng_state(),
        "batch_size": run.batch_size,
        "accum_steps": run.accum_steps,
        "val_keys": val_keys,
    }


@dataclass
class Resume:
    """A run's ``last.pt``: its training state, class list and weights."""

    state: dict
    class_names: list[str]
    weights: dict

    def run_state(self) -> RunState:
        s = self.state
        return RunState(s["batch_size"], s["accum_steps"], s["epoch"], s["global_step"],
                        s["best_miou"] if s["best_miou"] is not None else math.nan, s["best_epoch"],
                        s.get("best_metrics"), list(s["history"]), float(s["elapsed_s"]))

    def restore(self, *, optimizer, scheduler, scaler) -> None:
        """Put the optimiser, schedule, AMP scaler and RNG states back where they were."""
        optimizer.load_state_dict(self.state["optimizer"])
        scheduler.load_state_dict(self.state["scheduler"])
        if scaler is not None and self.state.get("scaler"):
            scaler.load_state_dict(self.state["scaler"])
        set_rng_state(self.state["rng"])


def load_resume(cfg: TrainConfig, warn: Callable[[str], None]) -> Resume | None:
    """``cfg.out/last.pt`` when ``cfg.resume`` asks for it (None: start from scratch). The
    settings in :data:`RESUME_FIXED` are taken from the checkpoint, with a warning each."""
    if not cfg.resume:
        return None
    path = Path(cfg.out) / "last.pt"
    if not path.is_file():
        warn(f"--resume: {path} does not exist, starting from scratch")
        return None
    from segcore.checkpoint import load_checkpoint

    loaded = load_checkpoint(path, device="cpu", build=True)
    state = loaded.training_state
    if not state:
        raise TrainingError(f"{path} holds no training state to resume from")
    saved = TrainConfig.from_dict(state["config"])
    for name in RESUME_FIXED:
        if getattr(saved, name) != getattr(cfg, name):
            warn(f"--resume: keeping {name}={getattr(saved, name)!r} from {path}")
            setattr(cfg, name, getattr(saved, name))
    return Resume(state, list(loaded.meta["class_names"]), loaded.model.state_dict())

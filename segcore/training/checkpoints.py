"""Checkpoint writing and resume state of the :class:`segcore.training.trainer.Trainer` (a mixin).

``best.pt`` holds the model with the best validation mIoU and its metrics; ``last.pt`` also
holds the training state (config, epoch, step, optimiser, scheduler, AMP scaler, RNG states,
history) as tensors and plain containers, so it loads with ``weights_only=True``.
Writes are atomic: a full disk raises :class:`TrainingError` and leaves earlier files intact.
"""

from __future__ import annotations

import errno
from pathlib import Path

from segcore.metrics import nan_to_none
from segcore.training.augment import IMAGENET_MEAN, IMAGENET_STD
from segcore.training.config import TrainConfig, TrainingError
from segcore.training.loop import rng_state


class CheckpointMixin:
    """Needs ``cfg``, ``out``, ``raw_model``, ``class_names``, ``optimizer``, ``scheduler``,
    ``scaler``, ``history``... (set up by the Trainer) and its ``emit``/``warn``."""

    def _save(self, path: Path, metrics: dict | None, training_state: dict | None) -> None:
        from segcore.checkpoint import save_checkpoint

        try:
            from segcore.data.rasterize import ClassList

            colours = ClassList.from_names(self.class_names).colours().tolist()
            if len(colours) != len(self.class_names):
                colours = None
        except Exception:  # noqa: BLE001 - colours are cosmetic
            colours = None
        cfg = self.cfg
        try:
            save_checkpoint(
                path, self.raw_model, arch=cfg.model, arch_kwargs=dict(cfg.model_kwargs),
                class_names=list(self.class_names), colours=colours, mean=list(IMAGENET_MEAN),
                std=list(IMAGENET_STD),
                input_policy={"divisor": 32, "resize_long_side": cfg.base_size, "crop_size": cfg.crop_size},
                metrics=nan_to_none(metrics) if metrics else None, training_state=training_state,
            )
        except OSError as exc:
            what = "the disk is full" if exc.errno == errno.ENOSPC else str(exc)
            raise TrainingError(
                f"could not write {path}: {what}; checkpoints written before are intact in {self.out}"
            ) from exc
        self.emit({"event": "checkpoint", "kind": path.stem, "path": str(path)})

    def _training_state(self, epoch: int) -> dict:
        return {
            "config": self.cfg.to_dict(),
            "epoch": epoch,
            "global_step": self.global_step,
            "elapsed_s": self.elapsed(),
            "best_miou": self.best_miou,
            "best_epoch": self.best_epoch,
            "best_metrics": self.best_metrics,
            "history": self.history,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "rng": rng_state(),
            "batch_size": self.batch_size,
            "accum_steps": self.accum,
            "val_keys": self.val_keys,
        }

    def _load_resume(self) -> dict | None:
        path = self.out / "last.pt"
        if not self.cfg.resume:
            return None
        if not path.is_file():
            self.warn(f"--resume: {path} does not exist, starting from scratch")
            return None
        from segcore.checkpoint import load_checkpoint

        loaded = load_checkpoint(path, device="cpu", build=True)
        state = loaded.training_state
        if not state:
            raise TrainingError(f"{path} holds no training state to resume from")
        saved = TrainConfig.from_dict(state["config"])
        for name in ("model", "model_kwargs", "base_size", "crop_size", "optimizer"):
            if getattr(saved, name) != getattr(self.cfg, name):
                self.warn(f"--resume: keeping {name}={getattr(saved, name)!r} from {path}")
                setattr(self.cfg, name, getattr(saved, name))
        self._resume_classes = list(loaded.meta["class_names"])
        self._resume_weights = loaded.model.state_dict()
        return state

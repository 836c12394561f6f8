"""Training: :class:`TrainConfig`, :class:`Trainer` and :func:`run_training`.

The same code runs alone, or under ``torchrun --nproc_per_node=N -m segcore train ...``
(DistributedSampler, gradients averaged by DDP, the validation confusion matrix summed across
ranks, rank 0 writes files). The epoch itself is :func:`segcore.training.loop.train_one_epoch` and
:func:`~segcore.training.loop.evaluate`; the :class:`Trainer` drives them.

Progress events (``--progress-json`` prints each as one JSON object per line on stdout; the
GUI reads them; callbacks receive the same dicts). NaN values are written as ``null``:

- ``{"event": "start", "out", "device", "world_size", "model", "classes": [...], "train_images",
  "val_images", "batch_size", "steps_per_epoch", "epochs", "minutes", "resumed_from_epoch"}``
- ``{"event": "warning", "message"}`` (skipped files, tiny data, OOM retry with a smaller batch...)
- ``{"event": "step", "epoch", "step", "steps", "loss", "lr", "images_per_s", "elapsed_s",
  "progress", "eta_s"}`` at most about once a second; ``progress`` in [0, 1]
- ``{"event": "epoch", "epoch", "train_loss", "val": {"miou", "pixel_acc", "mean_acc", "fw_iou",
  "mean_dice", "iou": [...per class...]}, "best_miou", "best_epoch", "is_best", "elapsed_s", "progress",
  "eta_s"}``
- ``{"event": "checkpoint", "kind": "best" | "last", "path"}``
- ``{"event": "done", "best_checkpoint", "last_checkpoint", "best_miou", "best_epoch", "epochs", "reason"}``
  with reason one of "completed", "time_budget", "early_stopping", "stopped"
- ``{"event": "error", "message"}`` then a non-zero exit.

Stopping: SIGTERM/SIGINT, a file named ``STOP`` in the output folder, or a
:class:`segcore.progress.CancelToken` end the run after the current step; the best checkpoint
already written is kept and ``last.pt`` is saved for ``--resume``.
"""

from __future__ import annotations

import dataclasses
import math
import signal
import threading
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset

from segcore.metrics import nan_to_none
from segcore.training import distributed as ddp
from segcore.training.checkpoints import RunState, load_resume, save_model, training_state
from segcore.training.clock import RunClock, auto_validation_due, validation_cost_guess
from segcore.training.config import (
    Callback,
    TrainConfig,
    TrainingError,
    TrainResult,
    default_batch_size,
    json_line_printer,
    text_printer,
)
from segcore.training.data import DataError
from segcore.training.init_from import build_start_model
from segcore.training.loop import Step, evaluate, recalibrate_bn, train_one_epoch
from segcore.training.losses import SegLoss
from segcore.training.optim import PolyWarmup, build_optimizer, set_bn_momentum_floor
from segcore.training.rng import seed_everything
from segcore.training.setup import TrainData, class_weights, load_data, start_epoch, train_loader, val_loader

__all__ = ["TrainConfig", "TrainResult", "Trainer", "TrainingError", "run_training"]

VAL_KEYS = ("miou", "pixel_acc", "mean_acc", "fw_iou", "mean_dice", "iou")
"""The validation scores an "epoch" event carries."""


def _pick_device(name: str | None) -> torch.device:
    from segcore.inference.predict import pick_device

    return torch.device(name) if name else pick_device(None)


def _is_oom(exc: BaseException) -> bool:
    text = str(exc).lower()
    return (isinstance(exc, torch.cuda.OutOfMemoryError) or "out of memory" in text
            or "can't allocate memory" in text)


class Trainer:
    """Train ``config.model`` on a labelled folder (or on given datasets) and write checkpoints.

    ``callbacks`` receive every progress event (see the module docstring); ``cancel`` (a
    :class:`segcore.progress.CancelToken`) stops the run cleanly. Pass ``train_dataset`` /
    ``val_dataset`` / ``class_names`` to train on in-memory data instead of ``config.folder``
    (train samples: ``(image, target)``; val samples: ``(image, target, index)``).

    :meth:`fit` reads top-down: set up, then per epoch :func:`train_one_epoch`, :func:`evaluate`,
    checkpoints and an "epoch" event; the objects it sets up are attributes for callbacks to read.
    """

    def __init__(self, config: TrainConfig, *, callbacks: list[Callback] | tuple = (), cancel=None,
                 train_dataset: Dataset | None = None, val_dataset: Dataset | None = None,
                 class_names: list[str] | None = None):
        self.cfg = config
        self.callbacks = list(callbacks)
        self.cancel = cancel
        self._given = (train_dataset, val_dataset, class_names)
        self.device = _pick_device(config.device)
        self.info = ddp.DistInfo()
        self.out = Path(config.out)
        self.warnings: list[str] = []
        self._t_last_step_event = 0.0

    # ----------------------------------------------------------------- events
    def emit(self, event: dict) -> None:
        if not self.info.is_main:
            return
        event = nan_to_none(event)
        for cb in self.callbacks:
            cb(event)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.emit({"event": "warning", "message": message})

    def _stop_requested(self) -> bool:
        return bool(self.cancel is not None and self.cancel.cancelled) or (self.out / "STOP").exists()

    @property
    def global_step(self) -> int:
        return self.run.global_step

    # ----------------------------------------------------------------- the run
    def fit(self) -> TrainResult:
        """Run the training; returns where the checkpoints are and the best validation mIoU."""
        self.info = ddp.setup(self.device.type)
        try:
            if self.info.enabled and self.device.type == "cuda":
                self.device = torch.device("cuda", self.info.local_rank)
            self._set_up()
            return self._train()
        finally:
            ddp.teardown(self.info)

    def _set_up(self) -> None:
        """Data, model, loss, optimiser, schedule and run state (from ``last.pt`` on resume)."""
        cfg, info = self.cfg, self.info
        seed_everything(cfg.seed + info.rank, cfg.deterministic)
        if info.is_main and (self.out / "STOP").exists():
            (self.out / "STOP").unlink()
        ddp.barrier(info)
        resume = load_resume(cfg, self.warn)
        self.resumed = resume is not None
        self.data = self._load_data(resume.class_names if resume else None)
        if info.is_main:  # only once the data is usable: a bad folder leaves no empty run folder
            self.out.mkdir(parents=True, exist_ok=True)
        ddp.barrier(info)
        if len(self.data.train_ds) == 0 or len(self.data.val_ds) == 0:
            raise DataError("the training or validation set is empty")
        self.class_names = self.data.class_names
        self.raw_model, self.model = self._build_model(resume.weights if resume else None)
        self.criterion = SegLoss(class_weights(cfg, self.data), cfg.extra_loss, cfg.extra_loss_weight,
                                 aux_weight=cfg.aux_weight).to(self.device)
        self.optimizer = build_optimizer(cfg.optimizer, self.raw_model.parameters(), lr=cfg.lr,
                                         weight_decay=cfg.weight_decay, momentum=cfg.momentum)
        self.scheduler = PolyWarmup(self.optimizer, cfg.warmup_steps, cfg.poly_power)
        self.amp_dtype = None
        if cfg.amp and self.device.type == "cuda":
            self.amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        self.scaler = torch.amp.GradScaler("cuda") if self.amp_dtype == torch.float16 else None
        self.run = RunState(cfg.batch_size or default_batch_size(self.device), max(1, cfg.accum_steps))
        if resume is not None:
            self.run = resume.run_state()
            resume.restore(optimizer=self.optimizer, scheduler=self.scheduler, scaler=self.scaler)

    def _load_data(self, class_names: list[str] | None) -> TrainData:
        train_ds, val_ds, given_names = self._given
        if train_ds is not None:
            return TrainData(list(given_names or []), train_ds, val_ds)
        return load_data(self.cfg, self.warn, class_names)

    def _build_model(self, weights: dict | None) -> tuple[torch.nn.Module, torch.nn.Module]:
        """The model (resumed weights, on the device, channels-last) and what trains it (DDP)."""
        cfg = self.cfg
        if weights is None and not cfg.init_from:  # a new run (a resumed or fine-tuned one keeps its kwargs)
            from segcore.models.registry import training_kwargs

            cfg.model_kwargs = training_kwargs(cfg.model, cfg.model_kwargs, cfg.aux_weight > 0)
        # DDP starts every process from the first one's weights: only it fetches the backbone weights
        start_cfg = cfg if self.info.is_main or cfg.init_from else dataclasses.replace(cfg, backbone_weights="none")
        model, self.parent = build_start_model(start_cfg, self.class_names, emit=self.emit, warn=self.warn,
                                               resuming=weights is not None)
        if cfg.bn_momentum_floor:
            set_bn_momentum_floor(model, cfg.bn_momentum_floor)
        if weights is not None:
            model.load_state_dict(weights)
        model.to(self.device)
        if cfg.channels_last:  # faster on CUDA and on CPU (oneDNN), 1.1-1.3x measured
            model = model.to(memory_format=torch.channels_last)
        if not self.info.enabled:
            return model, model
        cuda = self.device.type == "cuda"
        if cuda:
            model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        ddp_model = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[self.device.index] if cuda else None, find_unused_parameters=False)
        return model, ddp_model

    def _train(self) -> TrainResult:
        """The epochs: train, validate when due, save, report; until done, stopped or out of time."""
        cfg, run = self.cfg, self.run
        budget = cfg.minutes * 60.0 if cfg.minutes else None
        self.clock = RunClock(cfg.epochs if cfg.epochs else (10**9 if budget else 1), budget, run.elapsed_s)
        loader = self._train_loader()
        self.emit({"event": "start", "out": str(self.out), "device": str(self.device),
                   "world_size": self.info.world_size, "model": cfg.model, "classes": self.class_names,
                   "train_images": len(self.data.train_ds), "val_images": len(self.data.val_ds),
                   "batch_size": run.batch_size, "steps_per_epoch": len(loader), "epochs": cfg.epochs,
                   "minutes": cfg.minutes, "resumed_from_epoch": run.epoch if self.resumed else None})
        reason, epoch, eval_cost = "completed", run.epoch, 0.0
        last_metrics: dict | None = None
        trained_since_eval: float | None = None  # training seconds since the last validation
        while epoch < self.clock.max_epochs:
            if ddp.first_flag({"stopped": self._stop_requested()}, self.info, self.device):
                reason = "stopped"  # asked to stop between epochs: nothing trained, nothing to save
                break
            t_epoch = time.monotonic()
            try:
                result = self._train_epoch(loader, epoch, eval_cost)
            except RuntimeError as exc:
                loader = self._smaller_batch(exc, epoch)
                continue
            epoch += 1
            run.global_step += result.optimizer_steps
            t_eval = time.monotonic()
            if trained_since_eval is not None:
                trained_since_eval += t_eval - t_epoch
            due = self._validation_due(epoch, result.stop, trained_since_eval, eval_cost)
            metrics = self._validate(loader) if due else None
            if metrics is not None:
                eval_cost, last_metrics, trained_since_eval = time.monotonic() - t_eval, metrics, 0.0
            is_best = run.record(epoch, metrics)
            run.history.append({"epoch": epoch, "train_loss": result.loss,
                                "val_miou": metrics["miou"] if metrics else math.nan,
                                "val_pixel_acc": metrics["pixel_acc"] if metrics else None,
                                "lr": self.scheduler.lr(), "elapsed_s": self.clock.elapsed()})
            self._save_checkpoints(is_best, last_metrics)
            steps_done = epoch * len(loader)
            self.emit({"event": "epoch", "epoch": epoch, "train_loss": result.loss,
                       "val": {k: metrics[k] for k in VAL_KEYS} if metrics else None,
                       "best_miou": run.best_miou, "best_epoch": run.best_epoch, "is_best": is_best,
                       "elapsed_s": self.clock.elapsed(), "progress": self.clock.progress(steps_done),
                       "eta_s": self.clock.eta(steps_done)})
            if result.stop is not None:
                reason = result.stop
                break
            if cfg.patience and run.best_epoch >= 0 and epoch - run.best_epoch >= cfg.patience:
                reason = "early_stopping"
                break
        return self._finish(reason, epoch, last_metrics)

    # ----------------------------------------------------------------- one epoch
    def _train_loader(self) -> DataLoader:
        loader = train_loader(self.data.train_ds, self.run.batch_size, self.cfg, self.device, self.info)
        self.clock.steps_per_epoch = len(loader)
        return loader

    def _train_epoch(self, loader: DataLoader, epoch: int, eval_cost: float):
        """:func:`train_one_epoch` with the run's schedule, progress events and stop checks."""
        start_epoch(loader, epoch, self.cfg.seed)
        offset = epoch * len(loader)
        val_pixels = self.data.val_pixels(self.cfg.base_size)

        def on_step(step: Step) -> None:
            now = time.monotonic()
            if now - self._t_last_step_event < 1.0 and step.index < step.steps:
                return
            self._t_last_step_event = now
            self.emit({"event": "step", "epoch": epoch + 1, "step": step.index, "steps": step.steps,
                       "loss": float(step.loss), "lr": self.scheduler.lr(),
                       "images_per_s": step.images * self.info.world_size / max(1e-9, step.seconds),
                       "elapsed_s": self.clock.elapsed(), "progress": self.clock.progress(offset + step.index),
                       "eta_s": self.clock.eta(offset + step.index)})

        def stop_flags(step: Step) -> dict[str, bool]:
            pixels = val_pixels or len(self.data.val_ds) * step.batch_shape[2] * step.batch_shape[3]
            reserve = eval_cost or validation_cost_guess(step.seconds, step.index, step.batch_shape, pixels,
                                                         self.cfg.bn_recalib_batches, self.info.world_size)
            return {"stopped": self._stop_requested(), "time_budget": self.clock.out_of_time(reserve)}

        return train_one_epoch(self.model, loader, self.optimizer, self.criterion, self.device,
                               scheduler=self.scheduler, progress=lambda i: self.clock.progress(offset + i),
                               scaler=self.scaler, accum_steps=self.run.accum_steps, amp_dtype=self.amp_dtype,
                               channels_last=self.cfg.channels_last, info=self.info, on_step=on_step,
                               stop_flags=stop_flags)

    def _smaller_batch(self, exc: RuntimeError, epoch: int) -> DataLoader:
        """Out of memory: half the batch, twice the accumulation (same effective batch), and a
        new loader to retry the epoch with. Anything else is raised again."""
        run = self.run
        if not (_is_oom(exc) and run.batch_size > 2 and not self.info.enabled):
            raise exc
        self.optimizer.zero_grad(set_to_none=True)
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        run.batch_size //= 2
        run.accum_steps *= 2
        where = "GPU" if self.device.type == "cuda" else self.device.type.upper()
        self.warn(f"out of {where} memory: retrying epoch {epoch + 1} with batch size {run.batch_size} "
                  f"and {run.accum_steps} accumulation steps (same effective batch)")
        return self._train_loader()

    def _validation_due(self, epoch: int, stop: str | None, trained_since_eval: float | None,
                        eval_cost: float) -> bool:
        """After the last epoch always; every ``eval_every`` epochs, or (0) as often as keeps
        validation under a tenth of the run (see :func:`auto_validation_due`). Rank 0 decides
        for every process."""
        if stop == "stopped":  # the user is waiting: validate only if there is no best model yet
            due = not (self.out / "best.pt").exists() if self.info.is_main else False
            return ddp.broadcast_object(due, self.info)
        if stop is not None or epoch >= self.clock.max_epochs:
            return True
        if self.cfg.eval_every > 0:
            return epoch % self.cfg.eval_every == 0
        return ddp.broadcast_object(auto_validation_due(trained_since_eval, eval_cost), self.info)

    def _validate(self, loader: DataLoader) -> dict:
        """BatchNorm statistics re-estimated on training batches, then :func:`evaluate`."""
        cfg = self.cfg
        if cfg.bn_recalib_batches:
            recalibrate_bn(self.raw_model, loader, self.device, min(cfg.bn_recalib_batches, len(loader)),
                           self.info, cfg.channels_last)
        return evaluate(self.raw_model, val_loader(self.data.val_ds, self.run.batch_size, cfg, self.device, self.info),
                        self.class_names, self.device, keys=self.data.val_keys(), info=self.info,
                        amp_dtype=self.amp_dtype, channels_last=cfg.channels_last)

    # ----------------------------------------------------------------- files
    def _save(self, name: str, metrics: dict | None, state: dict | None) -> None:
        path = self.out / f"{name}.pt"
        save_model(path, self.raw_model, self.cfg, self.class_names, metrics=metrics, training_state=state,
                   parent=self.parent)
        self.emit({"event": "checkpoint", "kind": name, "path": str(path)})

    def _save_checkpoints(self, is_best: bool, metrics: dict | None) -> None:
        """``best.pt`` when the epoch improved the best mIoU; ``last.pt`` with the training state."""
        if self.info.is_main:
            self.run.elapsed_s = self.clock.elapsed()
            if is_best:
                self._save("best", self.run.best_metrics, None)
            self._save("last", metrics, training_state(
                self.cfg, self.run, optimizer=self.optimizer, scheduler=self.scheduler, scaler=self.scaler,
                val_keys=[s.key for s in self.data.val_samples]))
        ddp.barrier(self.info)

    def _finish(self, reason: str, epoch: int, last_metrics: dict | None) -> TrainResult:
        """The result, the report and the "done" event."""
        best_path, last_path = self.out / "best.pt", self.out / "last.pt"
        if self.info.is_main and not best_path.exists() and last_path.exists():
            self.warn("no validation ran: best.pt not written")
        run = self.run
        result = TrainResult(best_path if best_path.exists() else None, last_path if last_path.exists() else None,
                             run.best_miou, epoch, reason, run.history, last_metrics)
        if self.info.is_main and last_metrics is not None:
            self._write_report(result)
        self.emit({"event": "done", "best_checkpoint": str(result.best_checkpoint) if result.best_checkpoint else None,
                   "last_checkpoint": str(result.last_checkpoint) if result.last_checkpoint else None,
                   "best_miou": run.best_miou, "best_epoch": run.best_epoch, "epochs": epoch, "reason": reason})
        return result

    def _write_report(self, result: TrainResult) -> None:
        from segcore.training.report import write_report

        try:
            write_report(self.out, self.cfg.to_dict(), self.run.best_metrics or result.metrics, self.run.history,
                         self.warnings, best_epoch=self.run.best_epoch, best_miou=self.run.best_miou,
                         final=result.metrics, reason=result.reason)
        except OSError as exc:
            self.warn(f"could not write the report in {self.out}: {exc}")


def run_training(config: TrainConfig, progress_json: bool = False, *, callbacks: tuple = (), cancel=None) -> Path | None:
    """Train from ``config``, printing progress (JSON lines or text); returns the best checkpoint.

    SIGTERM / SIGINT ask the run to stop after the current step (checkpoints are kept).
    """
    from segcore.progress import CancelToken

    token = cancel or CancelToken()
    cbs = [json_line_printer() if progress_json else text_printer(), *callbacks]
    old = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            old[sig] = signal.signal(sig, lambda *_: token.cancel())
    trainer = Trainer(config, callbacks=cbs, cancel=token)
    try:
        return trainer.fit().best_checkpoint
    except (DataError, TrainingError, ValueError, OSError) as exc:
        if progress_json:  # the text printer's caller prints the message itself
            trainer.emit({"event": "error", "message": str(exc)})
        raise
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)

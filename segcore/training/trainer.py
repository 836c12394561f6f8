"""Training: :class:`TrainConfig`, :class:`Trainer` and :func:`run_training`.

The same code runs alone, or under ``torchrun --nproc_per_node=N -m segcore train ...``
(DistributedSampler, gradients averaged by DDP, the validation confusion matrix summed across
ranks, rank 0 writes files). See :mod:`segcore.training.loop` for the loop's parts.

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

import contextlib
import math
import signal
import threading
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from segcore.metrics import nan_to_none, scores
from segcore.training import distributed as ddp
from segcore.training.checkpoints import CheckpointMixin
from segcore.training.config import (
    Callback,
    TrainConfig,
    TrainingError,
    TrainResult,
    json_line_printer,
    text_printer,
)
from segcore.training.data import DataError
from segcore.training.loop import (
    PolyWarmup,
    evaluate,
    reestimate_bn,
    seed_everything,
    set_bn_momentum_floor,
    set_rng_state,
)
from segcore.training.losses import SegLoss
from segcore.training.setup import DataSetupMixin

__all__ = ["TrainConfig", "TrainResult", "Trainer", "TrainingError", "run_training"]


def _pick_device(name: str | None) -> torch.device:
    if name:
        return torch.device(name)
    try:
        from segcore.inference.predict import pick_device

        return pick_device(None)
    except ImportError:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _is_oom(exc: BaseException) -> bool:
    text = str(exc).lower()
    return (isinstance(exc, torch.cuda.OutOfMemoryError) or "out of memory" in text
            or "can't allocate memory" in text)


class Trainer(DataSetupMixin, CheckpointMixin):
    """Train ``config.model`` on a labelled folder (or on given datasets) and write checkpoints.

    ``callbacks`` receive every progress event (see the module docstring); ``cancel`` (a
    :class:`segcore.progress.CancelToken`) stops the run cleanly. Pass ``train_dataset`` /
    ``val_dataset`` / ``class_names`` to train on in-memory data instead of ``config.folder``
    (train samples: ``(image, target)``; val samples: ``(image, target, index)``).
    """

    def __init__(self, config: TrainConfig, *, callbacks: list[Callback] | tuple = (), cancel=None,
                 train_dataset: Dataset | None = None, val_dataset: Dataset | None = None,
                 class_names: list[str] | None = None):
        self.cfg = config
        self.callbacks = list(callbacks)
        self.cancel = cancel
        self._train_ds, self._val_ds, self._class_names = train_dataset, val_dataset, class_names
        self.device = _pick_device(config.device)
        self.info = ddp.DistInfo()
        self.out = Path(config.out)
        self.warnings: list[str] = []
        self.val_keys: list[str] = []
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
        local = bool(self.cancel is not None and self.cancel.cancelled) or (self.out / "STOP").exists()
        return local

    # ----------------------------------------------------------------- setup
    def _build_model(self) -> torch.nn.Module:
        from segcore.models.registry import build_model

        model = build_model(self.cfg.model, len(self.class_names), pretrained_backbone=self.cfg.pretrained_backbone,
                            **self.cfg.model_kwargs)
        if self.cfg.bn_momentum_floor:
            set_bn_momentum_floor(model, self.cfg.bn_momentum_floor)
        return model

    # ----------------------------------------------------------------- main
    def elapsed(self) -> float:
        return self._elapsed_before + (time.monotonic() - self._t0)

    def fit(self) -> TrainResult:
        """Run the training; returns where the checkpoints are and the best validation mIoU."""
        cfg = self.cfg
        self.info = ddp.setup(self.device.type)
        try:
            if self.info.enabled and self.device.type == "cuda":
                self.device = torch.device("cuda", self.info.local_rank)
            return self._fit()
        finally:
            ddp.teardown(self.info)
            del cfg

    def _fit(self) -> TrainResult:
        cfg = self.cfg
        seed_everything(cfg.seed + self.info.rank, cfg.deterministic)
        if self.info.is_main:
            stop_file = self.out / "STOP"
            if stop_file.exists():
                stop_file.unlink()
        ddp.barrier(self.info)
        state = self._load_resume()
        self._setup_data()
        if self.info.is_main:  # only once the data is usable: a bad folder leaves no empty run folder
            self.out.mkdir(parents=True, exist_ok=True)
        ddp.barrier(self.info)
        if len(self.train_ds) == 0 or len(self.val_ds) == 0:
            raise DataError("the training or validation set is empty")
        cuda = self.device.type == "cuda"
        self.channels_last = cfg.channels_last  # faster on CUDA and on CPU (oneDNN), 1.1-1.3x measured
        amp_dtype = None
        if cfg.amp and cuda:
            amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        self.amp_dtype = amp_dtype
        self.scaler = torch.amp.GradScaler("cuda") if amp_dtype == torch.float16 else None

        model = self._build_model()
        if state is not None:
            model.load_state_dict(self._resume_weights)
        model.to(self.device)
        if self.channels_last:
            model = model.to(memory_format=torch.channels_last)
        self.raw_model = model
        if self.info.enabled:
            if cuda:
                model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
                self.raw_model = model
            model = torch.nn.parallel.DistributedDataParallel(
                model, device_ids=[self.device.index] if cuda else None, find_unused_parameters=False)
        self.model = model

        weights = self._class_weights()
        self.criterion = SegLoss(weights, cfg.extra_loss, cfg.extra_loss_weight, aux_weight=cfg.aux_weight).to(self.device)
        params = [p for p in self.raw_model.parameters() if p.requires_grad]
        if cfg.optimizer == "sgd":
            self.optimizer = torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
        elif cfg.optimizer == "adamw":
            self.optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        else:
            raise ValueError(f"unknown optimizer {cfg.optimizer!r}: choose adamw or sgd")
        self.scheduler = PolyWarmup(self.optimizer, cfg.warmup_steps, cfg.poly_power)
        self.batch_size, self.accum = cfg.batch_size, max(1, cfg.accum_steps)
        self.global_step, self.best_miou, self.best_epoch = 0, float("nan"), -1
        self.best_metrics: dict | None = None  # the validation scores saved in best.pt
        self.history: list[dict] = []
        self._elapsed_before = 0.0
        start_epoch = 0
        if state is not None:
            self.optimizer.load_state_dict(state["optimizer"])
            self.scheduler.load_state_dict(state["scheduler"])
            if self.scaler is not None and state.get("scaler"):
                self.scaler.load_state_dict(state["scaler"])
            self.batch_size, self.accum = state["batch_size"], state["accum_steps"]
            self.global_step, start_epoch = state["global_step"], state["epoch"]
            self.best_miou = state["best_miou"] if state["best_miou"] is not None else float("nan")
            self.best_epoch, self.history = state["best_epoch"], list(state["history"])
            self.best_metrics = state.get("best_metrics")
            self._elapsed_before = float(state["elapsed_s"])
            set_rng_state(state["rng"])
        self._t0 = time.monotonic()
        return self._run_epochs(start_epoch, state is not None)

    def _run_epochs(self, start_epoch: int, resumed: bool) -> TrainResult:
        cfg = self.cfg
        loader = self._make_train_loader(self.batch_size)
        budget = cfg.minutes * 60.0 if cfg.minutes else None
        max_epochs = cfg.epochs if cfg.epochs else (10**9 if budget else 1)
        self.emit({"event": "start", "out": str(self.out), "device": str(self.device), "world_size": self.info.world_size,
                   "model": cfg.model, "classes": self.class_names, "train_images": len(self.train_ds),
                   "val_images": len(self.val_ds), "batch_size": self.batch_size, "steps_per_epoch": len(loader),
                   "epochs": cfg.epochs, "minutes": cfg.minutes, "resumed_from_epoch": start_epoch if resumed else None})
        reason, epoch, eval_cost = "completed", start_epoch, 0.0
        best_path, last_path = self.out / "best.pt", self.out / "last.pt"
        last_metrics: dict | None = None
        while epoch < max_epochs:
            try:
                train_loss, stop = self._train_one_epoch(loader, epoch, max_epochs, budget, eval_cost)
            except RuntimeError as exc:
                if not (_is_oom(exc) and self.batch_size > 2 and not self.info.enabled):
                    raise
                self.optimizer.zero_grad(set_to_none=True)
                if self.device.type == "cuda":
                    torch.cuda.empty_cache()
                self.batch_size //= 2
                self.accum *= 2
                where = "GPU" if self.device.type == "cuda" else self.device.type.upper()
                self.warn(f"out of {where} memory: retrying epoch {epoch + 1} with batch size {self.batch_size} "
                          f"and {self.accum} accumulation steps (same effective batch)")
                loader = self._make_train_loader(self.batch_size)
                continue
            if train_loss is None and stop == "stopped":
                reason = "stopped"
                break
            epoch += 1
            t_eval = time.monotonic()
            if stop == "stopped":  # the user is waiting: validate only if there is no best model yet
                do_eval = not best_path.exists() if self.info.is_main else False
                do_eval = ddp.broadcast_object(do_eval, self.info)
            else:
                do_eval = (epoch % max(1, cfg.eval_every) == 0) or stop is not None or epoch >= max_epochs
            if do_eval:
                last_metrics = self._validate(loader)
                miou = last_metrics["miou"]
                is_best = not math.isnan(miou) and (math.isnan(self.best_miou) or miou > self.best_miou)
                if is_best:
                    self.best_miou, self.best_epoch = miou, epoch
                    self.best_metrics = {**last_metrics, "epoch": epoch}
            else:
                miou, is_best = float("nan"), False
            eval_cost = time.monotonic() - t_eval if do_eval else eval_cost
            self.history.append({"epoch": epoch, "train_loss": train_loss, "val_miou": miou,
                                 "val_pixel_acc": last_metrics["pixel_acc"] if do_eval else None,
                                 "lr": self.scheduler.lr(), "elapsed_s": self.elapsed()})
            if self.info.is_main:
                if is_best:
                    self._save(best_path, self.best_metrics, None)
                self._save(last_path, last_metrics, self._training_state(epoch))
            ddp.barrier(self.info)
            self.emit({"event": "epoch", "epoch": epoch, "train_loss": train_loss,
                       "val": {k: last_metrics[k] for k in ("miou", "pixel_acc", "mean_acc", "fw_iou", "mean_dice", "iou")}
                       if do_eval else None,
                       "best_miou": self.best_miou, "best_epoch": self.best_epoch, "is_best": is_best,
                       "elapsed_s": self.elapsed(),
                       "progress": self._progress(epoch * len(loader), max_epochs, len(loader), budget),
                       "eta_s": self._eta(epoch * len(loader), max_epochs, len(loader), budget)})
            if stop is not None:
                reason = stop
                break
            if cfg.patience and self.best_epoch >= 0 and epoch - self.best_epoch >= cfg.patience:
                reason = "early_stopping"
                break
        if self.info.is_main and not best_path.exists() and last_path.exists():
            self.warn("no validation ran: best.pt not written")
        result = TrainResult(best_path if best_path.exists() else None, last_path if last_path.exists() else None,
                             self.best_miou, epoch, reason, self.history, last_metrics)
        if self.info.is_main and last_metrics is not None:
            self._write_report(result)
        self.emit({"event": "done", "best_checkpoint": str(result.best_checkpoint) if result.best_checkpoint else None,
                   "last_checkpoint": str(result.last_checkpoint) if result.last_checkpoint else None,
                   "best_miou": self.best_miou, "best_epoch": self.best_epoch, "epochs": epoch, "reason": reason})
        return result

    def _progress(self, step_in_run: int, max_epochs: int, steps: int, budget: float | None) -> float:
        if budget:
            return min(1.0, self.elapsed() / budget)
        return min(1.0, step_in_run / max(1, max_epochs * steps))

    def _eta(self, step_in_run: int, max_epochs: int, steps: int, budget: float | None) -> float | None:
        if budget:
            return max(0.0, budget - self.elapsed())
        p = self._progress(step_in_run, max_epochs, steps, budget)
        return self.elapsed() * (1 - p) / p if p > 0 else None

    def _train_one_epoch(self, loader: DataLoader, epoch: int, max_epochs: int, budget: float | None,
                         eval_cost: float) -> tuple[float | None, str | None]:
        """One pass over the training data; returns (mean loss, stop reason or None)."""
        cfg = self.cfg
        if isinstance(loader.sampler, DistributedSampler):
            loader.sampler.set_epoch(epoch)
        elif hasattr(self, "_gen"):
            self._gen.manual_seed(cfg.seed * 7919 + epoch)
        if hasattr(self._train_loader_ds, "set_epoch"):
            self._train_loader_ds.set_epoch(epoch)
        self.model.train()
        steps = len(loader)
        total = torch.zeros((), dtype=torch.float64, device=self.device)
        count, stop = 0, None
        t_start, n_img = time.monotonic(), 0
        self.optimizer.zero_grad(set_to_none=True)
        if ddp.first_flag({"stopped": self._stop_requested()}, self.info, self.device):
            return None, "stopped"  # asked to stop between epochs: nothing trained, nothing to save
        for i, (x, y) in enumerate(loader):
            x = x.to(self.device, non_blocking=True)
            y = y.to(self.device, non_blocking=True)
            if self.channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            last_micro = (i + 1) % self.accum == 0 or i + 1 == steps
            sync_ctx = self.model.no_sync() if (self.info.enabled and not last_micro) else contextlib.nullcontext()
            with sync_ctx:
                with torch.autocast(self.device.type, dtype=self.amp_dtype, enabled=self.amp_dtype is not None):
                    loss = self.criterion(self.model(x), y)
                scaled = loss / self.accum
                (self.scaler.scale(scaled) if self.scaler is not None else scaled).backward()
            if last_micro:
                if self.scaler is not None:
                    self.scaler.step(self.optimizer)
                    self.scaler.update()
                else:
                    self.optimizer.step()
                self.optimizer.zero_grad(set_to_none=True)
                self.global_step += 1
                self.scheduler.step(self._progress(epoch * steps + i + 1, max_epochs, steps, budget))
            total += loss.detach().double()
            count += 1
            n_img += x.shape[0]
            now = time.monotonic()
            if now - self._t_last_step_event >= 1.0 or i + 1 == steps:
                self._t_last_step_event = now
                step_in_run = epoch * steps + i + 1
                self.emit({"event": "step", "epoch": epoch + 1, "step": i + 1, "steps": steps,
                           "loss": float(loss.detach()), "lr": self.scheduler.lr(),
                           "images_per_s": n_img * self.info.world_size / max(1e-9, now - t_start),
                           "elapsed_s": self.elapsed(), "progress": self._progress(step_in_run, max_epochs, steps, budget),
                           "eta_s": self._eta(step_in_run, max_epochs, steps, budget)})
            if last_micro:
                reserve = eval_cost if eval_cost > 0 else self._eval_estimate(now - t_start, i + 1, x)
                over_time = budget is not None and self.elapsed() + reserve >= budget
                stop = ddp.first_flag({"stopped": self._stop_requested(), "time_budget": over_time},
                                      self.info, self.device)
                if stop is not None:
                    break
        ddp.all_reduce_sum(total, self.info)
        n = count * self.info.world_size
        return (float(total) / n if n else None), stop

    def _eval_estimate(self, seconds: float, steps: int, x: torch.Tensor) -> float:
        """Before the first validation is timed: its cost guessed from the training steps so far
        (a forward pass is about a third of a training step; validation runs at full size)."""
        per_step = seconds / max(1, steps)
        per_pixel = per_step / max(1, x.shape[0] * x.shape[2] * x.shape[3]) / 3
        val_pixels = 0
        for s in getattr(self, "_val_samples", None) or []:
            scale = (self.cfg.base_size / max(s.height, s.width)) if self.cfg.base_size else 1.0
            val_pixels += s.height * s.width * scale * scale
        if not val_pixels:
            val_pixels = len(self.val_ds) * x.shape[2] * x.shape[3]
        recal = min(self.cfg.bn_recalib_batches, steps) * per_step / 3
        return recal + per_pixel * val_pixels / self.info.world_size

    def _validate(self, loader: DataLoader) -> dict:
        if self.cfg.bn_recalib_batches:
            n = min(self.cfg.bn_recalib_batches, len(loader))
            reestimate_bn(self.raw_model, loader, self.device, n, self.info, self.channels_last)
        cm, per_image = evaluate(self.raw_model, self._make_val_loader(), len(self.class_names), self.device,
                                 self.info, self.amp_dtype, self.channels_last)
        result = scores(cm, self.class_names)
        result["confusion_matrix"] = cm.tolist()
        keys = self.val_keys or [str(i) for i in range(len(self.val_ds))]
        worst = sorted((v, keys[i]) for i, v in per_image if not math.isnan(v))[:5]
        result["worst_images"] = [{"key": k, "miou": v} for v, k in worst]
        return result

    def _write_report(self, result: TrainResult) -> None:
        try:
            from segcore.training.report import write_report

            write_report(self.out, self.cfg.to_dict(), self.best_metrics or result.metrics, self.history,
                         self.warnings, best_epoch=self.best_epoch, best_miou=self.best_miou,
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



"""The training loop, as plain functions: :func:`train_one_epoch`, :func:`evaluate` and
:func:`recalibrate_bn`. They take what they need (model, loader, optimiser...) and work alone,
under DDP (pass the :class:`~segcore.training.distributed.DistInfo`) and with mixed precision.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import update_bn

from segcore.metrics import confusion_matrix_torch, scores
from segcore.models.registry import main_output
from segcore.training.distributed import DistInfo, all_reduce_sum, average_buffers, first_flag


@dataclass
class Step:
    """One training step, as :func:`train_one_epoch` reports it to ``on_step`` / ``stop_flags``."""

    index: int  # 1-based, within the epoch
    steps: int  # steps in the epoch
    loss: torch.Tensor  # this batch's loss (detached; float() it only when needed: it syncs)
    images: int  # images this rank has trained on in the epoch so far
    seconds: float  # since the epoch started
    batch_shape: tuple[int, ...]


@dataclass
class EpochResult:
    """Mean training loss over all ranks (None when no batch ran), why the epoch ended early
    (a name from ``stop_flags``) and how many optimiser steps it made."""

    loss: float | None
    stop: str | None
    optimizer_steps: int


def _to_device(x: torch.Tensor, device: torch.device, channels_last: bool) -> torch.Tensor:
    x = x.to(device, non_blocking=True)
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


def train_one_epoch(model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer, criterion: nn.Module,
                    device: torch.device, *, scheduler=None, progress: Callable[[int], float] | None = None,
                    scaler: torch.amp.GradScaler | None = None, accum_steps: int = 1,
                    amp_dtype: torch.dtype | None = None, channels_last: bool = False, info: DistInfo | None = None,
                    on_step: Callable[[Step], None] | None = None,
                    stop_flags: Callable[[Step], dict[str, bool]] | None = None) -> EpochResult:
    """One pass over ``loader`` (batches ``(image, target)``) in train mode.

    Gradients are accumulated over ``accum_steps`` batches (DDP synchronises only on the last
    one). After each optimiser step the ``scheduler`` steps, with ``progress(step index)`` when
    given (:class:`~segcore.training.optim.PolyWarmup`), and ``stop_flags`` is asked for named
    flags: the first one true on any rank ends the epoch, and its name is the result's ``stop``.
    ``on_step`` sees every batch.
    """
    info = info or DistInfo()
    accum = max(1, accum_steps)
    model.train()
    steps = len(loader)
    total = torch.zeros((), dtype=torch.float64, device=device)
    count, optimizer_steps, images, stop = 0, 0, 0, None
    t_start = time.monotonic()
    optimizer.zero_grad(set_to_none=True)
    for i, (x, y) in enumerate(loader):
        x = _to_device(x, device, channels_last)
        y = y.to(device, non_blocking=True)
        last_micro = (i + 1) % accum == 0 or i + 1 == steps
        no_sync = getattr(model, "no_sync", None)
        sync_ctx = no_sync() if (no_sync is not None and not last_micro) else contextlib.nullcontext()
        with sync_ctx:
            with torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
                loss = criterion(model(x), y)
            scaled = loss / accum
            (scaler.scale(scaled) if scaler is not None else scaled).backward()
        if last_micro:
            if scaler is not None:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            optimizer_steps += 1
            if scheduler is not None:
                scheduler.step(progress(i + 1)) if progress is not None else scheduler.step()
        total += loss.detach().double()
        count += 1
        images += x.shape[0]
        step = Step(i + 1, steps, loss.detach(), images, time.monotonic() - t_start, tuple(x.shape))
        if on_step is not None:
            on_step(step)
        if last_micro and stop_flags is not None:
            stop = first_flag(stop_flags(step), info, device)
            if stop is not None:
                break
    all_reduce_sum(total, info)
    n = count * info.world_size
    return EpochResult(float(total) / n if n else None, stop, optimizer_steps)


def recalibrate_bn(model: nn.Module, loader: Iterable, device: torch.device, max_batches: int,
                   info: DistInfo | None = None, channels_last: bool = False) -> int:
    """Recompute BatchNorm running statistics as a plain average over ``max_batches`` training
    batches (:func:`torch.optim.swa_utils.update_bn`), then average them across ranks.
    Batches of one image are skipped; with no usable batch the statistics stay as they were.
    Returns the batches used.

    Running statistics with a small momentum lag far behind the weights early in training,
    which makes eval-mode predictions meaningless; this fixes them before validating/saving.
    """
    if max_batches <= 0:
        return 0
    used = 0

    def usable() -> Iterator[torch.Tensor]:
        nonlocal used
        for batch in loader:
            if used >= max_batches:
                return
            x = batch[0]
            if x.shape[0] < 2:
                continue
            used += 1
            yield _to_device(x, device, channels_last)

    batches = usable()
    first = next(batches, None)
    if first is None:
        return 0
    update_bn(itertools.chain([first], batches), model, device)
    if info is not None:
        average_buffers(model, info)
    return used


@torch.no_grad()
def evaluate(model: nn.Module, loader: Iterable, class_names: Sequence[str], device: torch.device, *,
             keys: Sequence[str] | None = None, info: DistInfo | None = None,
             amp_dtype: torch.dtype | None = None, channels_last: bool = False, worst: int = 5) -> dict:
    """Scores of ``model`` over an evaluation loader (batches from
    :func:`~segcore.training.data.collate_eval`), from ONE confusion matrix summed over all ranks.

    Logits are cropped to each image's unpadded size and upsampled to its label's size, so the
    matrix is counted at the label's own resolution. Returns :func:`segcore.metrics.scores`
    plus ``confusion_matrix`` and ``worst_images``: the ``worst`` images of this rank by image
    mIoU, named by ``keys[index]`` (the index when no keys are given).
    """
    num_classes = len(class_names)
    model.eval()
    cm = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=device)
    per_image: list[tuple[float, str]] = []
    for images, targets, sizes, indices in loader:
        x = _to_device(images, device, channels_last)
        with torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
            logits = main_output(model(x))
        for k, (h, w) in enumerate(sizes):
            t = targets[k].to(device)
            lg = logits[k : k + 1, :, :h, :w].float()
            if (h, w) != tuple(t.shape):
                lg = F.interpolate(lg, size=tuple(t.shape), mode="bilinear", align_corners=False)
            one = confusion_matrix_torch(t, lg.argmax(1)[0], num_classes)
            cm += one
            d = one.diag().double()
            union = one.sum(0).double() + one.sum(1).double() - d
            present = union > 0
            if bool(present.any()):
                index = int(indices[k])
                per_image.append((float((d[present] / union[present]).mean()),
                                  keys[index] if keys is not None else str(index)))
    if info is not None:
        all_reduce_sum(cm, info)
    cm = cm.cpu()
    result = scores(cm, list(class_names))
    result["confusion_matrix"] = cm.tolist()
    ranked = sorted(p for p in per_image if not math.isnan(p[0]))[:worst]
    result["worst_images"] = [{"key": k, "miou": v} for v, k in ranked]
    return result

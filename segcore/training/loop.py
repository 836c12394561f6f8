"""Pieces of the training loop: the poly schedule with warm-up, BatchNorm re-estimation,
evaluation into one confusion matrix, and RNG state that survives ``weights_only`` loading.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from segcore.metrics import confusion_matrix_torch
from segcore.training.distributed import DistInfo, all_reduce_sum, average_buffers


def main_output(y):
    """The logits tensor whether the model returned a tensor or ``{"out": ..., "aux": ...}``."""
    try:
        from segcore.models.registry import main_output as _mo

        return _mo(y)
    except ImportError:  # registry not there: same rule
        return y["out"] if isinstance(y, dict) else y


class PolyWarmup:
    """Learning rate = base * warm-up ramp * (1 - progress) ** power, progress in [0, 1].

    Progress is steps / total steps (epoch budget) or elapsed / budget seconds (time budget);
    the trainer calls :meth:`step` with it. ``state_dict``/``load_state_dict`` for resume.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, warmup_steps: int = 0, power: float = 0.9,
                 warmup_factor: float = 0.1, min_factor: float = 0.0):
        self.optimizer = optimizer
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]
        self.warmup_steps = warmup_steps
        self.power = power
        self.warmup_factor = warmup_factor
        self.min_factor = min_factor
        self.steps = 0
        self.progress = 0.0
        self._apply()

    def factor(self) -> float:
        f = max(self.min_factor, (1.0 - min(max(self.progress, 0.0), 1.0)) ** self.power)
        if self.steps < self.warmup_steps:
            a = self.steps / max(1, self.warmup_steps)
            f *= self.warmup_factor + (1 - self.warmup_factor) * a
        return f

    def _apply(self) -> None:
        f = self.factor()
        for g, base in zip(self.optimizer.param_groups, self.base_lrs):
            g["lr"] = base * f

    def step(self, progress: float) -> None:
        self.steps += 1
        self.progress = float(progress)
        self._apply()

    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def state_dict(self) -> dict:
        return {"base_lrs": list(self.base_lrs), "warmup_steps": self.warmup_steps, "power": self.power,
                "warmup_factor": self.warmup_factor, "min_factor": self.min_factor,
                "steps": self.steps, "progress": self.progress}

    def load_state_dict(self, state: dict) -> None:
        for k, v in state.items():
            setattr(self, k, v)
        self._apply()


def set_bn_momentum_floor(model: nn.Module, floor: float) -> int:
    """Raise BatchNorm momentum below ``floor`` (MobileNetV3 uses 0.01); returns layers changed."""
    n = 0
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.momentum is not None and m.momentum < floor:
            m.momentum = floor
            n += 1
    return n


@torch.no_grad()
def reestimate_bn(model: nn.Module, batches: Iterable, device: torch.device, max_batches: int,
                  info: DistInfo | None = None, channels_last: bool = False) -> int:
    """Recompute BatchNorm running statistics as a plain average over ``max_batches`` training
    batches (train mode, no gradient), then average them across ranks. Returns batches used.

    Running statistics with a small momentum lag far behind the weights early in training,
    which makes eval-mode predictions meaningless; this fixes them before validating/saving.
    """
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    if not bns or max_batches <= 0:
        return 0
    saved = [(m.momentum, m.running_mean.clone(), m.running_var.clone(), m.num_batches_tracked.clone()) for m in bns]
    was_training = model.training
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average = plain mean over the batches
    model.train()
    used = 0
    for batch in batches:
        if used >= max_batches:
            break
        x = batch[0].to(device, non_blocking=True)
        if x.shape[0] < 2:
            continue
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        model(x)
        used += 1
    for m, (mom, rm, rv, nb) in zip(bns, saved):
        m.momentum = mom
        if used == 0:  # nothing usable: put the old statistics back
            m.running_mean.copy_(rm)
            m.running_var.copy_(rv)
            m.num_batches_tracked.copy_(nb)
    model.train(was_training)
    if used and info is not None:
        average_buffers(model, info)
    return used


@torch.no_grad()
def evaluate(model: nn.Module, loader: Iterable, num_classes: int, device: torch.device,
             info: DistInfo | None = None, amp_dtype: torch.dtype | None = None,
             channels_last: bool = False, per_image: bool = True) -> tuple[torch.Tensor, list[tuple[int, float]]]:
    """Run ``model`` over an evaluation loader (batches from :func:`collate_eval`).

    Logits are cropped to each image's unpadded size and upsampled to its label's size, so the
    confusion matrix is counted at the label's own resolution. Returns the matrix summed over
    all ranks (int64, CPU) and, per image, ``(index, image mIoU)`` for "worst images" (this
    rank's images only).
    """
    model.eval()
    cm = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=device)
    worst: list[tuple[int, float]] = []
    for images, targets, sizes, indices in loader:
        x = images.to(device, non_blocking=True)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
            logits = main_output(model(x))
        for k, (h, w) in enumerate(sizes):
            t = targets[k].to(device)
            lg = logits[k : k + 1, :, :h, :w].float()
            if (h, w) != tuple(t.shape):
                lg = F.interpolate(lg, size=tuple(t.shape), mode="bilinear", align_corners=False)
            pred = lg.argmax(1)[0]
            one = confusion_matrix_torch(t, pred, num_classes)
            cm += one
            if per_image:
                d = one.diag().double()
                union = one.sum(0).double() + one.sum(1).double() - d
                present = union > 0
                iou = float((d[present] / union[present]).mean()) if bool(present.any()) else float("nan")
                worst.append((int(indices[k]), iou))
    if info is not None:
        all_reduce_sum(cm, info)
    return cm.cpu(), worst


def rng_state() -> dict:
    """Python, numpy and torch RNG states as tensors / plain containers (weights_only safe)."""
    py = random.getstate()
    npst = np.random.get_state()
    state = {
        "python": [py[0], list(py[1]), py[2]],
        "numpy": [npst[0], torch.from_numpy(npst[1].astype(np.int64)), int(npst[2]), int(npst[3]), float(npst[4])],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    """Restore what :func:`rng_state` saved."""
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    n = state["numpy"]
    np.random.set_state((n[0], n[1].numpy().astype(np.uint32), n[2], n[3], n[4]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def seed_everything(seed: int, deterministic: bool = False) -> None:
    """Seed python, numpy and torch; optionally ask torch for deterministic kernels."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False

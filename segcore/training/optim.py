"""The optimiser and the learning-rate schedule: AdamW or SGD, and a poly decay with a linear
warm-up whose progress is steps or seconds; BatchNorm momentum floor for slow-moving backbones."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

OPTIMIZERS = ("adamw", "sgd")


def build_optimizer(name: str, params: Iterable[nn.Parameter], *, lr: float, weight_decay: float,
                    momentum: float = 0.9) -> torch.optim.Optimizer:
    """AdamW or SGD (with momentum) over the trainable ``params``."""
    params = [p for p in params if p.requires_grad]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}: choose {' or '.join(OPTIMIZERS)}")


class PolyWarmup:
    """Learning rate = base * warm-up ramp * (1 - progress) ** power, progress in [0, 1].

    Progress is steps / total steps (epoch budget) or elapsed / budget seconds (time budget);
    the training loop calls :meth:`step` with it. ``state_dict``/``load_state_dict`` for resume.
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

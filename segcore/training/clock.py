"""Where a run stands in its budget: elapsed time (across resumes), progress in [0, 1] and the
time left, for an epoch budget or a time budget."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class RunClock:
    """A run of ``max_epochs`` epochs or ``budget_s`` seconds; ``elapsed_before`` is the time
    spent before a resume. ``steps_per_epoch`` follows the current training loader."""

    max_epochs: int
    budget_s: float | None = None
    elapsed_before: float = 0.0
    steps_per_epoch: int = 1
    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        """Seconds the run has trained and validated, earlier sessions included."""
        return self.elapsed_before + (time.monotonic() - self.started)

    def progress(self, steps_done: int) -> float:
        """Share of the budget used after ``steps_done`` training steps of the run."""
        if self.budget_s:
            return min(1.0, self.elapsed() / self.budget_s)
        return min(1.0, steps_done / max(1, self.max_epochs * self.steps_per_epoch))

    def eta(self, steps_done: int) -> float | None:
        """Seconds left (None before the first step of an epoch budget)."""
        if self.budget_s:
            return max(0.0, self.budget_s - self.elapsed())
        p = self.progress(steps_done)
        return self.elapsed() * (1 - p) / p if p > 0 else None

    def out_of_time(self, reserve_s: float) -> bool:
        """True when less than ``reserve_s`` (the next validation's cost) is left of a time budget."""
        return self.budget_s is not None and self.elapsed() + reserve_s >= self.budget_s


VALIDATION_SHARE = 0.1  # ``eval_every=0``: validation takes at most this share of the run


def auto_validation_due(train_s_since_last: float | None, cost_s: float, share: float = VALIDATION_SHARE) -> bool:
    """Whether to validate now under ``eval_every=0``: always the first time (the first score comes
    early and times a validation), then when one more validation of ``cost_s`` keeps validation at
    most ``share`` of the time since the last one (``train_s_since_last``: training time since then)."""
    if train_s_since_last is None:
        return True
    return cost_s <= share * (train_s_since_last + cost_s)


def validation_cost_guess(seconds: float, steps: int, batch_shape: tuple[int, ...], val_pixels: float,
                          recalib_batches: int, world_size: int = 1) -> float:
    """Before the first validation is timed: its cost guessed from the training steps so far
    (a forward pass is about a third of a training step; validation runs at full size).
    ``val_pixels``: pixels of the whole validation set as the model sees them."""
    per_step = seconds / max(1, steps)
    n, _, h, w = batch_shape
    per_pixel = per_step / max(1, n * h * w) / 3
    recal = min(recalib_batches, steps) * per_step / 3
    return recal + per_pixel * val_pixels / world_size

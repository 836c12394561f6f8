"""Segmentation losses: cross-entropy (ignore 255, optional class weights) plus optional
Dice, focal or Tversky terms, and median-frequency class weights.

All losses take logits ``(N, C, H, W)`` and an int64 target ``(N, H, W)`` where 255 marks
pixels to ignore. Region losses (Dice, Tversky) are computed per class on the softmax
probabilities over the whole batch and averaged over the classes present in the target or the
prediction mass, so an absent class does not dominate.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from segcore.io.palette import IGNORE_INDEX
from segcore.training.config import EXTRA_LOSSES


def _probs_onehot(logits: torch.Tensor, target: torch.Tensor, ignore_index: int):
    """Softmax probabilities, one-hot target and a valid-pixel mask, all (N, C, H, W) float."""
    num_classes = logits.shape[1]
    probs = logits.float().softmax(dim=1)
    valid = (target != ignore_index) & (target >= 0) & (target < num_classes)
    safe = torch.where(valid, target, torch.zeros_like(target))
    onehot = F.one_hot(safe, num_classes).permute(0, 3, 1, 2).float()
    mask = valid.unsqueeze(1).float()
    return probs * mask, onehot * mask, mask


def tversky_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    alpha: float = 0.5,
    beta: float = 0.5,
    ignore_index: int = IGNORE_INDEX,
    eps: float = 1.0,
) -> torch.Tensor:
    """1 - TP / (TP + alpha FP + beta FN) per class, averaged; alpha = beta = 0.5 is Dice."""
    probs, onehot, _ = _probs_onehot(logits, target, ignore_index)
    dims = (0, 2, 3)
    tp = (probs * onehot).sum(dims)
    fp = (probs * (1 - onehot)).sum(dims)
    fn = ((1 - probs) * onehot).sum(dims)
    index = tp / (tp + alpha * fp + beta * fn + eps).clamp_min(1e-12)
    present = (onehot.sum(dims) > 0) | (probs.sum(dims) > 0.5)
    if not bool(present.any()):
        return logits.sum() * 0.0
    return (1.0 - index[present]).mean()


def dice_loss(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = IGNORE_INDEX) -> torch.Tensor:
    """1 - 2|P*G| / (|P| + |G|) on softmax probabilities, per class, averaged."""
    return tversky_loss(logits, target, 0.5, 0.5, ignore_index)


def focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    gamma: float = 2.0,
    weight: torch.Tensor | None = None,
    ignore_index: int = IGNORE_INDEX,
) -> torch.Tensor:
    """-(1 - p_t)^gamma log p_t averaged over valid pixels (optionally class-weighted)."""
    logp = F.log_softmax(logits.float(), dim=1)
    ce = F.nll_loss(logp, target, weight=weight, ignore_index=ignore_index, reduction="none")
    valid = target != ignore_index
    if not bool(valid.any()):
        return logits.sum() * 0.0
    safe = torch.where(valid, target, torch.zeros_like(target))
    pt = logp.gather(1, safe.unsqueeze(1)).squeeze(1).exp()
    loss = (1 - pt).pow(gamma) * ce
    return loss[valid].mean()


class SegLoss(nn.Module):
    """Cross-entropy (ignore 255, optional class weights) + optional extra term.

    ``extra`` is one of None, "dice", "focal", "tversky"; ``extra_weight`` scales it. With
    ``extra="focal"`` the focal term replaces nothing: it is added to cross-entropy.
    A model output dict ``{"out", "aux"}`` adds ``aux_weight`` x the loss of the aux logits.
    """

    def __init__(
        self,
        class_weights: torch.Tensor | None = None,
        extra: str | None = None,
        extra_weight: float = 1.0,
        focal_gamma: float = 2.0,
        tversky_alpha: float = 0.3,
        tversky_beta: float = 0.7,
        aux_weight: float = 0.4,
        ignore_index: int = IGNORE_INDEX,
    ):
        super().__init__()
        if extra is not None and extra not in EXTRA_LOSSES:
            raise ValueError(f"unknown extra loss {extra!r}: choose one of {', '.join(EXTRA_LOSSES)}")
        self.extra = None if extra == "none" else extra
        self.extra_weight = extra_weight
        self.focal_gamma = focal_gamma
        self.tversky_alpha = tversky_alpha
        self.tversky_beta = tversky_beta
        self.aux_weight = aux_weight
        self.ignore_index = ignore_index
        self.register_buffer("class_weights", class_weights.float() if class_weights is not None else None)

    def _one(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if not bool((target != self.ignore_index).any()):
            return logits.float().sum() * 0.0  # every pixel ignored: no signal, no NaN
        loss = F.cross_entropy(
            logits.float(), target, weight=self.class_weights, ignore_index=self.ignore_index
        )
        if self.extra == "dice":
            loss = loss + self.extra_weight * dice_loss(logits, target, self.ignore_index)
        elif self.extra == "focal":
            loss = loss + self.extra_weight * focal_loss(
                logits, target, self.focal_gamma, self.class_weights, self.ignore_index
            )
        elif self.extra == "tversky":
            loss = loss + self.extra_weight * tversky_loss(
                logits, target, self.tversky_alpha, self.tversky_beta, self.ignore_index
            )
        return loss

    def forward(self, output, target: torch.Tensor) -> torch.Tensor:
        if isinstance(output, dict):
            loss = self._one(output["out"], target)
            if "aux" in output and output["aux"] is not None and self.aux_weight > 0:
                loss = loss + self.aux_weight * self._one(output["aux"], target)
            return loss
        return self._one(output, target)


CLASS_WEIGHT_POWERS = {"median": 1.0, "sqrt": 0.5}
"""``TrainConfig.class_weights`` modes -> the power applied to median-frequency weights."""


def median_frequency_weights(
    label_maps: Iterable[np.ndarray], num_classes: int, ignore_index: int = IGNORE_INDEX, max_weight: float = 50.0,
    power: float = 1.0,
) -> np.ndarray:
    """Median-frequency balancing (Eigen & Fergus; SegNet): w_c = (median(f) / f_c) ** power.

    f_c = pixels of class c / total pixels of the images where c appears. Classes that never
    appear get weight 0 (they contribute nothing anyway); weights are clipped to ``max_weight``.
    ``power=0.5`` (square-root balancing) tempers the weights: rare classes still count, large
    ones are not drowned (full balancing can leave a big class like a building at 20% accuracy).
    """
    class_pixels = np.zeros(num_classes, dtype=np.float64)
    image_pixels = np.zeros(num_classes, dtype=np.float64)
    for lm in label_maps:
        lm = np.asarray(lm)
        valid = lm[(lm != ignore_index) & (lm < num_classes)]
        counts = np.bincount(valid.ravel().astype(np.int64), minlength=num_classes)[:num_classes]
        class_pixels += counts
        image_pixels[counts > 0] += valid.size
    present = class_pixels > 0
    weights = np.zeros(num_classes, dtype=np.float64)
    if not present.any():
        return weights.astype(np.float32)
    freq = class_pixels[present] / image_pixels[present]
    weights[present] = (np.median(freq) / freq) ** power
    return np.minimum(weights, max_weight).astype(np.float32)

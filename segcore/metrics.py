"""Semantic-segmentation metrics from ONE confusion matrix accumulated over a whole set.

``n[i, j]`` counts pixels whose true class is ``i`` and predicted class is ``j``; pixels whose
target equals ``ignore_index`` (and targets outside ``0..C-1``) are excluded. From it:

- pixel accuracy = sum_i n_ii / sum_ij n_ij
- mean accuracy = mean over classes present in the ground truth of n_ii / t_i
- IoU_i = n_ii / (t_i + p_i - n_ii); NaN for a class absent from both truth and prediction
- mIoU = nan-mean of IoU_i; frequency-weighted IoU = sum_i t_i IoU_i / sum_i t_i
- Dice_i = 2 n_ii / (t_i + p_i), NaN when absent from both.

Averaging per-image IoUs is a different (optimistic) number and is never called mIoU here.
This module depends on numpy only; :func:`confusion_matrix` also accepts torch tensors, and
:func:`confusion_matrix_torch` stays on the tensor's device (used by the trainer).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from segcore.io.palette import IGNORE_INDEX


def _to_numpy(a: Any) -> np.ndarray:
    if hasattr(a, "detach"):  # torch tensor
        a = a.detach().cpu().numpy()
    return np.asarray(a)


def confusion_matrix(target: Any, pred: Any, num_classes: int, ignore_index: int = IGNORE_INDEX) -> np.ndarray:
    """Confusion matrix ``(C, C)`` int64, rows = true class, columns = predicted class.

    ``target`` and ``pred`` are integer arrays (or tensors) of the same shape. Pixels whose
    target is ``ignore_index`` or outside ``0..num_classes-1`` are skipped; a prediction outside
    that range raises ``ValueError`` (it would silently vanish otherwise).
    """
    if num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, got {num_classes}")
    t = _to_numpy(target).astype(np.int64, copy=False).ravel()
    p = _to_numpy(pred).astype(np.int64, copy=False).ravel()
    if t.shape != p.shape:
        raise ValueError(f"target and prediction differ in size: {t.size} vs {p.size} pixels")
    keep = (t != ignore_index) & (t >= 0) & (t < num_classes)
    t, p = t[keep], p[keep]
    if p.size and (p.min() < 0 or p.max() >= num_classes):
        raise ValueError(f"prediction holds a class outside 0..{num_classes - 1}")
    return np.bincount(t * num_classes + p, minlength=num_classes * num_classes).reshape(
        num_classes, num_classes
    ).astype(np.int64)


def confusion_matrix_torch(target, pred, num_classes: int, ignore_index: int = IGNORE_INDEX):
    """Same as :func:`confusion_matrix` on torch tensors, returning an int64 tensor on their device."""
    import torch

    t = target.reshape(-1).long()
    p = pred.reshape(-1).long()
    keep = (t != ignore_index) & (t >= 0) & (t < num_classes)
    idx = t[keep] * num_classes + p[keep].clamp_(0, num_classes - 1)
    return torch.bincount(idx, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _nanmean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else float("nan")


def scores(cm: Any, class_names: list[str] | None = None) -> dict:
    """All scores from a confusion matrix (see the module docstring).

    Returns ``pixel_acc``, ``mean_acc``, ``miou``, ``fw_iou``, ``mean_dice`` (floats, NaN where
    undefined), ``iou``, ``acc``, ``dice`` (per-class lists with NaN for absent classes),
    ``support`` (true pixels per class), ``pixels`` and ``class_names`` when given.
    """
    cm = _to_numpy(cm).astype(np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"confusion matrix must be square, got shape {cm.shape}")
    diag = np.diag(cm)
    t = cm.sum(axis=1)  # true pixels per class
    p = cm.sum(axis=0)  # predicted pixels per class
    total = cm.sum()
    iou = _safe_div(diag, t + p - diag)
    acc = _safe_div(diag, t)
    dice = _safe_div(2 * diag, t + p)
    present = t > 0
    fw = float((t[present] * iou[present]).sum() / t.sum()) if t.sum() > 0 else float("nan")
    out = {
        "pixel_acc": float(diag.sum() / total) if total > 0 else float("nan"),
        "mean_acc": _nanmean(acc),
        "miou": _nanmean(iou),
        "fw_iou": fw,
        "mean_dice": _nanmean(dice),
        "iou": iou.tolist(),
        "acc": acc.tolist(),
        "dice": dice.tolist(),
        "support": t.astype(np.int64).tolist(),
        "pixels": int(total),
    }
    if class_names is not None:
        if len(class_names) != cm.shape[0]:
            raise ValueError(f"{len(class_names)} class names for a {cm.shape[0]}-class matrix")
        out["class_names"] = list(class_names)
    return out


def nan_to_none(obj: Any) -> Any:
    """Replace NaN floats by None recursively (JSON has no NaN)."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [nan_to_none(v) for v in obj]
    return obj


def format_table(result: dict, class_names: list[str] | None = None) -> str:
    """A plain-text table: one row per class (IoU, accuracy, Dice, pixels) and the summary."""
    names = class_names or result.get("class_names") or [str(i) for i in range(len(result["iou"]))]
    width = max(8, *(len(n) for n in names))

    def pct(v: float | None) -> str:
        return "     -" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:6.2f}"

    lines = [f"{'class':<{width}}  {'IoU':>6}  {'acc':>6}  {'Dice':>6}  {'pixels':>12}"]
    for i, name in enumerate(names):
        lines.append(
            f"{name:<{width}}  {pct(result['iou'][i])}  {pct(result['acc'][i])}  "
            f"{pct(result['dice'][i])}  {result['support'][i]:>12}"
        )
    lines.append("")
    lines.append(
        f"mIoU {pct(result['miou'])}  pixel acc {pct(result['pixel_acc'])}  mean acc "
        f"{pct(result['mean_acc'])}  FW IoU {pct(result['fw_iou'])}  mean Dice {pct(result['mean_dice'])}"
    )
    return "\n".join(lines)

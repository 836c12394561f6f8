"""Losses: ignore index, weights, Dice/focal/Tversky against hand computations."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from segcore.training.losses import (
    CLASS_WEIGHT_POWERS,
    SegLoss,
    dice_loss,
    focal_loss,
    median_frequency_weights,
    tversky_loss,
)


def _logits_from_probs(p: torch.Tensor) -> torch.Tensor:
    return p.clamp_min(1e-9).log()


def test_ce_ignores_255_and_all_ignored_gives_zero_not_nan():
    logits = torch.randn(2, 3, 4, 4, requires_grad=True)
    target = torch.randint(0, 3, (2, 4, 4))
    target[0] = 255
    loss = SegLoss()(logits, target)
    ref = F.cross_entropy(logits[1:], target[1:])
    assert loss.item() == pytest.approx(ref.item(), rel=1e-5)
    all_ignored = SegLoss(extra="dice")(logits, torch.full((2, 4, 4), 255))
    assert all_ignored.item() == 0.0
    all_ignored.backward()  # still differentiable


def test_dice_loss_hand_computed():
    # one pixel-row image, 2 classes, probabilities given directly
    p = torch.tensor([[0.8, 0.2], [0.4, 0.6]])  # pixel 0, pixel 1 ; columns = classes
    logits = _logits_from_probs(p).T.reshape(1, 2, 1, 2)
    target = torch.tensor([[[0, 1]]])
    # class 0: |P*G| = .8, |P| = 1.2, |G| = 1  ; class 1: |P*G| = .6, |P| = .8, |G| = 1
    d0 = 2 * 0.8 / 2.2
    d1 = 2 * 0.6 / 1.8
    # tversky uses eps=1 smoothing: TP/(TP + .5FP + .5FN + 1); check with eps via direct formula
    tp0, fp0, fn0 = 0.8, 0.4, 0.2
    tp1, fp1, fn1 = 0.6, 0.2, 0.4
    exp = 1 - ((tp0 / (tp0 + 0.5 * fp0 + 0.5 * fn0 + 1)) + (tp1 / (tp1 + 0.5 * fp1 + 0.5 * fn1 + 1))) / 2
    assert dice_loss(logits, target).item() == pytest.approx(exp, rel=1e-4)
    assert tversky_loss(logits, target, 0.5, 0.5, eps=1e-9).item() == pytest.approx(1 - (d0 + d1) / 2, rel=1e-4)


def test_tversky_hand_computed_with_recall_weighting():
    p = torch.tensor([[0.9, 0.1], [0.9, 0.1]])  # predicts class 0 everywhere
    logits = _logits_from_probs(p).T.reshape(1, 2, 1, 2)
    target = torch.tensor([[[0, 1]]])  # class 1 mostly missed -> false negatives
    a, b = 0.3, 0.7
    # class 0: TP .9, FP .9, FN .1 ; class 1: TP .1, FP .1, FN .9
    i0 = 0.9 / (0.9 + a * 0.9 + b * 0.1)
    i1 = 0.1 / (0.1 + a * 0.1 + b * 0.9)
    got = tversky_loss(logits, target, alpha=a, beta=b, eps=1e-9).item()
    assert got == pytest.approx(1 - (i0 + i1) / 2, rel=1e-4)
    # the missed small class alone scores worse when recall is weighted (beta > alpha)
    assert 1 - i1 > 1 - 0.1 / (0.1 + b * 0.1 + a * 0.9)


def test_focal_matches_formula_and_gamma0_is_ce():
    logits = torch.randn(1, 3, 2, 2)
    target = torch.tensor([[[0, 1], [2, 255]]])
    ce = F.cross_entropy(logits, target, ignore_index=255)
    assert focal_loss(logits, target, gamma=0.0).item() == pytest.approx(ce.item(), rel=1e-5)
    logp = F.log_softmax(logits, 1)
    terms = []
    for y, x, c in [(0, 0, 0), (0, 1, 1), (1, 0, 2)]:
        lp = logp[0, c, y, x]
        terms.append(-((1 - lp.exp()) ** 2) * lp)
    assert focal_loss(logits, target, gamma=2.0).item() == pytest.approx(torch.stack(terms).mean().item(), rel=1e-5)


def test_segloss_extras_and_aux_dict():
    logits = torch.randn(2, 3, 5, 5, requires_grad=True)
    target = torch.randint(0, 3, (2, 5, 5))
    base = SegLoss()(logits, target)
    for extra in ("dice", "focal", "tversky"):
        v = SegLoss(extra=extra)(logits, target)
        assert v.item() > base.item()
    with_aux = SegLoss(aux_weight=0.5)({"out": logits, "aux": logits}, target)
    assert with_aux.item() == pytest.approx(1.5 * base.item(), rel=1e-5)
    with pytest.raises(ValueError, match="unknown extra"):
        SegLoss(extra="lovasz")


def test_median_frequency_weights_hand_computed():
    a = np.array([[0, 0, 0, 1]], dtype=np.uint8)  # 4 px: class0 3, class1 1
    b = np.array([[0, 0, 2, 255]], dtype=np.uint8)  # 3 valid px: class0 2, class2 1
    w = median_frequency_weights([a, b], 4)
    f0 = 5 / 7  # class 0 appears in both images (7 valid pixels)
    f1 = 1 / 4
    f2 = 1 / 3
    med = np.median([f0, f1, f2])
    np.testing.assert_allclose(w[:3], [med / f0, med / f1, med / f2], rtol=1e-6)
    assert w[3] == 0.0  # never present
    weighted = SegLoss(class_weights=torch.from_numpy(w))
    assert weighted.class_weights.dtype == torch.float32


def test_square_root_balancing_tempers_the_weights():
    a = np.array([[0, 0, 0, 0, 0, 0, 0, 1]], dtype=np.uint8)  # class 0 dominant, class 1 rare
    b = np.array([[0, 0, 0, 2, 2, 2, 2, 2]], dtype=np.uint8)
    full = median_frequency_weights([a, b], 4)
    root = median_frequency_weights([a, b], 4, power=CLASS_WEIGHT_POWERS["sqrt"])
    np.testing.assert_allclose(root[:3], np.sqrt(full[:3]), rtol=1e-6)
    assert root[3] == 0.0
    # the rare class still outweighs the dominant one, by less
    assert root[1] > root[0] and root[1] / root[0] < full[1] / full[0]
    # every mode the CLI and the config offer has a power, or is "none"
    from segcore.training.config import CLASS_WEIGHT_MODES

    assert set(CLASS_WEIGHT_MODES) == {*CLASS_WEIGHT_POWERS, "none"}

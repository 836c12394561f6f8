"""The training loop as plain functions: train_one_epoch lowers the loss of a tiny model,
evaluate returns the scores of one confusion matrix (checked by hand), recalibrate_bn
re-estimates BatchNorm statistics through torch.optim.swa_utils.update_bn."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from segcore.training import loop
from segcore.training.loop import evaluate, recalibrate_bn, train_one_epoch
from segcore.training.losses import SegLoss

CPU = torch.device("cpu")


def _sign_batches(n: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Images whose class is 1 where channel 0 is positive, else 0."""
    g = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(n):
        x = torch.randn(4, 3, 8, 8, generator=g)
        batches.append((x, (x[:, 0] > 0).long()))
    return batches


def test_train_one_epoch_lowers_the_loss_and_counts_optimizer_steps():
    torch.manual_seed(0)
    model = nn.Conv2d(3, 2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    batches = _sign_batches(6, seed=1)
    steps, losses = [], []
    for _ in range(4):
        result = train_one_epoch(model, batches, optimizer, SegLoss(), CPU, accum_steps=2,
                                 on_step=lambda s: steps.append((s.index, s.steps, s.images)))
        losses.append(result.loss)
        assert result.stop is None and result.optimizer_steps == 3  # 6 batches, 2 per step
    assert losses[-1] < losses[0] / 2
    assert steps[:6] == [(i, 6, 4 * i) for i in range(1, 7)]


def test_train_one_epoch_stops_on_the_first_true_flag_and_steps_the_schedule():
    model = nn.Conv2d(3, 2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    result = train_one_epoch(model, _sign_batches(5, seed=2), optimizer, SegLoss(), CPU, scheduler=scheduler,
                             stop_flags=lambda s: {"stopped": False, "time_budget": s.index == 3})
    assert result.stop == "time_budget" and result.optimizer_steps == 3
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**3)


class _SignModel(nn.Module):
    """Class 1 where channel 0 is positive: logits (-x0, x0)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([-x[:, :1], x[:, :1]], dim=1)


def test_evaluate_returns_the_scores_of_a_hand_counted_confusion_matrix():
    image = torch.zeros(1, 3, 4, 4)  # padded to 4x4; the image is the top-left 2x2
    image[0, 0, :2, :2] = torch.tensor([[-1.0, 1.0], [-1.0, -1.0]])  # predicts [[0, 1], [0, 0]]
    target = torch.tensor([[0, 1], [1, 255]])  # 255: ignored
    batch = (image, [target], [(2, 2)], [0])
    got = evaluate(_SignModel(), [batch], ["bg", "fg"], CPU, keys=["img_a"])
    # rows: true class, columns: predicted; the ignored pixel is not counted
    assert got["confusion_matrix"] == [[1, 0], [1, 1]]
    assert got["pixel_acc"] == pytest.approx(2 / 3)
    assert got["iou"] == pytest.approx([1 / 2, 1 / 2])  # bg: 1 / (1 + 2 - 1); fg: 1 / (2 + 1 - 1)
    assert got["miou"] == pytest.approx(0.5)
    assert got["mean_acc"] == pytest.approx((1 + 1 / 2) / 2)
    assert got["mean_dice"] == pytest.approx(2 / 3)
    assert got["fw_iou"] == pytest.approx((1 * 0.5 + 2 * 0.5) / 3)
    assert got["worst_images"] == [{"key": "img_a", "miou": pytest.approx(0.5)}]
    assert got["class_names"] == ["bg", "fg"]


def test_recalibrate_bn_averages_the_batches_through_update_bn(monkeypatch):
    calls = []
    real = loop.update_bn
    monkeypatch.setattr(loop, "update_bn", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    g = torch.Generator().manual_seed(3)
    one = (torch.randn(1, 2, 3, 3, generator=g),)  # a single image: skipped
    b1, b2, b3 = ((torch.randn(2, 2, 3, 3, generator=g) * 3 + 1,) for _ in range(3))
    model = nn.Sequential(nn.BatchNorm2d(2, momentum=0.01)).eval()
    used = recalibrate_bn(model, [one, b1, b2, b3], CPU, max_batches=2)
    assert used == 2 and calls == [1]
    bn = model[0]
    means = [b[0].mean(dim=(0, 2, 3)) for b in (b1, b2)]
    variances = [b[0].var(dim=(0, 2, 3), unbiased=True) for b in (b1, b2)]
    assert torch.allclose(bn.running_mean, (means[0] + means[1]) / 2, atol=1e-6)
    assert torch.allclose(bn.running_var, (variances[0] + variances[1]) / 2, atol=1e-5)
    assert bn.momentum == 0.01 and not model.training  # as it was

    before = bn.running_mean.clone()
    assert recalibrate_bn(model, [one, one], CPU, max_batches=5) == 0  # nothing usable: kept
    assert torch.equal(bn.running_mean, before) and calls == [1]

"""Metrics match hand-computed confusion-matrix cases (SEGMENTATION_NOTES definitions)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from segcore.metrics import confusion_matrix, confusion_matrix_torch, format_table, nan_to_none, scores


def test_confusion_matrix_counts_true_rows_pred_columns_and_skips_ignore():
    target = np.array([[0, 0, 1], [1, 2, 255]])
    pred = np.array([[0, 1, 1], [1, 0, 2]])
    cm = confusion_matrix(target, pred, 3)
    expected = np.array([[1, 1, 0], [0, 2, 0], [1, 0, 0]])
    assert cm.dtype == np.int64
    np.testing.assert_array_equal(cm, expected)
    # torch version on tensors gives the same
    cmt = confusion_matrix_torch(torch.from_numpy(target), torch.from_numpy(pred), 3)
    np.testing.assert_array_equal(cmt.numpy(), expected)


def test_scores_hand_computed():
    # rows = truth, cols = prediction
    cm = np.array([[3, 1, 0], [2, 4, 0], [0, 0, 0]])
    r = scores(cm, ["bg", "a", "b"])
    # class 0: n00=3, t0=4, p0=5 -> IoU 3/6 ; class 1: n11=4, t1=6, p1=5 -> IoU 4/7
    assert r["iou"][0] == pytest.approx(3 / 6)
    assert r["iou"][1] == pytest.approx(4 / 7)
    assert math.isnan(r["iou"][2])  # absent from truth and prediction: NaN, not 0 or 1
    assert r["miou"] == pytest.approx((3 / 6 + 4 / 7) / 2)
    assert r["pixel_acc"] == pytest.approx(7 / 10)
    assert r["mean_acc"] == pytest.approx((3 / 4 + 4 / 6) / 2)
    assert r["fw_iou"] == pytest.approx((4 * 3 / 6 + 6 * 4 / 7) / 10)
    assert r["dice"][0] == pytest.approx(2 * 3 / 9)
    assert r["dice"][1] == pytest.approx(2 * 4 / 11)
    assert r["support"] == [4, 6, 0]
    assert r["class_names"] == ["bg", "a", "b"]


def test_class_only_predicted_counts_as_zero_iou():
    cm = np.array([[5, 5], [0, 0]])  # class 1 never true but predicted 5 times
    r = scores(cm)
    assert r["iou"][1] == 0.0
    assert math.isnan(r["acc"][1])  # no true pixels: accuracy undefined
    assert r["miou"] == pytest.approx((0.5 + 0.0) / 2)


def test_one_matrix_over_the_set_differs_from_mean_of_per_image_iou():
    # image A: small object perfectly found; image B: large object half found
    ta, pa = np.array([0, 0, 0, 1]), np.array([0, 0, 0, 1])
    tb, pb = np.array([1, 1, 1, 1, 0, 0, 0, 0]), np.array([1, 1, 0, 0, 0, 0, 0, 0])
    cm = confusion_matrix(ta, pa, 2) + confusion_matrix(tb, pb, 2)
    set_iou1 = scores(cm)["iou"][1]
    assert set_iou1 == pytest.approx(3 / 5)
    per_image = (scores(confusion_matrix(ta, pa, 2))["iou"][1] + scores(confusion_matrix(tb, pb, 2))["iou"][1]) / 2
    assert per_image == pytest.approx((1 + 0.5) / 2)
    assert set_iou1 != pytest.approx(per_image)


def test_errors_and_empty():
    with pytest.raises(ValueError, match="differ in size"):
        confusion_matrix(np.zeros(3), np.zeros(4), 2)
    with pytest.raises(ValueError, match="outside"):
        confusion_matrix(np.zeros(3), np.array([0, 1, 5]), 2)
    r = scores(np.zeros((2, 2)))
    assert math.isnan(r["miou"]) and math.isnan(r["pixel_acc"])
    assert nan_to_none(r)["miou"] is None
    table = format_table(scores(np.array([[3, 1], [0, 4]])), ["bg", "cat"])
    assert "cat" in table and "mIoU" in table

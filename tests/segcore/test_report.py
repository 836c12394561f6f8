"""One score, one meaning: report.md, metrics.json, best.pt and the progress events all give the
best checkpoint's validation mIoU with its epoch, in the same words, also when a later epoch
validated lower."""

from __future__ import annotations

import json

import numpy as np
import pytest

from segcore.metrics import scores
from segcore.training.report import best_miou_text, write_report


def _metrics(miou: float) -> dict:
    m = scores(np.array([[50, 2], [3, 45]]), ["_background_", "box"])
    m["confusion_matrix"] = [[50, 2], [3, 45]]
    m["miou"] = miou
    return m


def test_best_miou_text():
    assert best_miou_text(0.49, 2) == "best val mIoU 49.00% (epoch 2)"
    assert best_miou_text(0.47649, 13) == "best val mIoU 47.65% (epoch 13)"
    assert best_miou_text(None, -1) == "best val mIoU - (no validation yet)"
    assert best_miou_text(float("nan"), 3) == "best val mIoU - (no validation yet)"


def test_report_shows_the_best_epoch_not_the_last(tmp_path):
    history = [{"epoch": 1, "train_loss": 0.9, "val_miou": 0.40, "lr": 1e-3},
               {"epoch": 2, "train_loss": 0.7, "val_miou": 0.49, "lr": 1e-3},
               {"epoch": 3, "train_loss": 0.6, "val_miou": 0.4765, "lr": 1e-3}]
    paths = write_report(tmp_path, {"model": "unet", "folder": "data"}, _metrics(0.49), history, [],
                         best_epoch=2, best_miou=0.49, final=_metrics(0.4765), reason="completed")
    text = paths["report"].read_text()
    assert "best val mIoU 49.00% (epoch 2)" in text
    assert "| mIoU | 49.00 |" in text and "| mIoU | 47.65 |" not in text
    doc = json.loads(paths["metrics"].read_text())
    assert doc["best"]["miou"] == 0.49 and doc["best_epoch"] == 2 and doc["best_miou"] == 0.49
    assert doc["final"]["miou"] == 0.4765  # the last validation, kept apart


@pytest.mark.slow
def test_trainer_reports_its_best_checkpoint(tmp_path, monkeypatch):
    """Epoch 2 validates lower than epoch 1: every output names epoch 1 and its score."""
    from segcore.checkpoint import load_checkpoint
    from segcore.training.trainer import TrainConfig, Trainer
    from tests.segcore.train_helpers import make_dataset

    data = make_dataset(tmp_path / "data", n=8)
    real = Trainer._validate
    made_up = iter([0.61, 0.52])

    def validate(self, loader):  # the real evaluation, with the mIoU of a run that got worse
        return {**real(self, loader), "miou": next(made_up)}

    monkeypatch.setattr(Trainer, "_validate", validate)
    cfg = TrainConfig(folder=str(data), out=str(tmp_path / "run"), model="unet",
                      model_kwargs={"depth": 2, "base_channels": 8}, base_size=48, crop_size=32, batch_size=4,
                      epochs=2, warmup_steps=0, val_ratio=0.25, cache_dir=str(tmp_path / "cache"), num_workers=0,
                      bn_recalib_batches=0)
    events = []
    result = Trainer(cfg, callbacks=[events.append]).fit()
    expected = best_miou_text(0.61, 1)
    assert expected == "best val mIoU 61.00% (epoch 1)"
    assert expected in (tmp_path / "run" / "report.md").read_text()
    assert "| mIoU | 61.00 |" in (tmp_path / "run" / "report.md").read_text()
    done = events[-1]
    assert done["event"] == "done" and best_miou_text(done["best_miou"], done["best_epoch"]) == expected
    last_epoch = [e for e in events if e["event"] == "epoch"][-1]
    assert last_epoch["best_epoch"] == 1 and last_epoch["val"]["miou"] == 0.52
    meta = load_checkpoint(result.best_checkpoint, build=False).meta["metrics"]
    assert meta["miou"] == 0.61 and meta["epoch"] == 1
    doc = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert doc["best"]["miou"] == 0.61 and doc["best_epoch"] == 1

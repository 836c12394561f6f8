"""Trainer: a tiny U-Net on a generated LabelMe folder learns, writes checkpoints, resumes
exactly, and handles empty folders, a single class, tiny data, stop requests and a full disk."""

from __future__ import annotations

import copy
import errno
import json

import pytest
import torch

from segcore.checkpoint import load_checkpoint
from segcore.io.annotation import Shape, load, save
from segcore.training.config import TrainingError
from segcore.training.data import DataError, prepare_folder
from segcore.training.trainer import TrainConfig, Trainer
from tests.segcore.train_helpers import make_dataset

TINY = {"depth": 2, "base_channels": 8}


def _config(tmp_path, data, out="run", **kw) -> TrainConfig:
    base = dict(folder=str(data), out=str(tmp_path / out), model="unet", model_kwargs=TINY, base_size=48,
                crop_size=32, batch_size=4, epochs=2, lr=1e-2, warmup_steps=0, val_ratio=0.25,
                cache_dir=str(tmp_path / "cache"), num_workers=0, scale_min=0.8, scale_max=1.25,
                bn_recalib_batches=2)
    base.update(kw)
    return TrainConfig(**base)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("data"), n=12)


@pytest.mark.slow
def test_two_epochs_lower_the_loss_and_write_checkpoints_and_report(tmp_path, data):
    events = []
    cfg = _config(tmp_path, data, epochs=3)
    result = Trainer(cfg, callbacks=[events.append]).fit()
    losses = [h["train_loss"] for h in result.history]
    assert len(losses) == 3 and losses[-1] < losses[0]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and kinds.count("epoch") == 3
    assert "step" in kinds
    json.dumps(events)  # every event is plain JSON (no NaN objects)
    best = load_checkpoint(result.best_checkpoint)
    assert best.class_names == ["_background_", "disc", "square"]
    assert best.meta["metrics"]["miou"] == pytest.approx(result.best_miou)
    last = load_checkpoint(result.last_checkpoint)
    assert last.training_state["epoch"] == 3
    out = tmp_path / "run"
    metrics = json.loads((out / "metrics.json").read_text())
    assert len(metrics["final"]["confusion_matrix"]) == 3 and len(metrics["history"]) == 3
    assert "| disc |" in (out / "report.md").read_text()
    assert (out / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the best model predicts the training data better than chance
    assert result.best_miou > 0.1


@pytest.mark.slow
def test_resume_continues_at_saved_epoch_with_same_optimiser_state(tmp_path, data):
    from segcore.progress import CancelToken

    # run A: stopped after its first epoch (cancel between epochs)
    token = CancelToken()
    a = Trainer(_config(tmp_path, data, out="a"), cancel=token,
                callbacks=[lambda e: token.cancel() if e["event"] == "epoch" else None]).fit()
    assert a.reason == "stopped" and a.epochs == 1
    saved = load_checkpoint(tmp_path / "a" / "last.pt").training_state
    assert saved["epoch"] == 1

    # run B: --resume from A's last.pt (asking for another split, which the resumed run refuses)
    seen = {}
    b_cfg = _config(tmp_path, data, out="a", resume=True, split_seed=5)
    trainer = Trainer(b_cfg, callbacks=[lambda e: seen.setdefault(e["event"], e)])

    def capture(e):
        if e["event"] == "start":
            seen["opt"] = copy.deepcopy(trainer.optimizer.state_dict())  # tensors change in place
            seen["step"] = trainer.global_step

    trainer.callbacks.append(capture)
    b = trainer.fit()
    assert seen["start"]["resumed_from_epoch"] == 1 and b.epochs == 2
    assert b_cfg.split_seed == 0  # the run validates on the images it validated on before
    assert seen["step"] == saved["global_step"]
    for k, st in saved["optimizer"]["state"].items():
        for name, value in st.items():
            got = seen["opt"]["state"][k][name]
            assert torch.equal(torch.as_tensor(got), torch.as_tensor(value)), (k, name)

    # run C: two epochs straight; resuming must give the very same weights
    c = Trainer(_config(tmp_path, data, out="c")).fit()
    wb = load_checkpoint(b.last_checkpoint).model.state_dict()
    wc = load_checkpoint(c.last_checkpoint).model.state_dict()
    for k in wc:
        assert torch.allclose(wb[k].float(), wc[k].float(), atol=1e-6), k
    assert [h["train_loss"] for h in b.history] == pytest.approx([h["train_loss"] for h in c.history])


def test_empty_folder_and_single_class_fail_clearly(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="no labelled images"):
        Trainer(_config(tmp_path, empty)).fit()
    one = make_dataset(tmp_path / "one", n=2)
    for j in one.glob("*.json"):  # remove every shape: only the background class is left
        ann = load(j)
        ann.shapes = []
        save(ann, j)
    with pytest.raises(DataError, match="only one class"):
        prepare_folder(one, cache_dir=tmp_path / "cache")


def test_rasterise_once_cache_keyed_by_json_content(tmp_path):
    data = make_dataset(tmp_path / "d", n=2)
    cache = tmp_path / "cache"
    first = prepare_folder(data, cache_dir=cache, val_ratio=0.5)
    files = sorted(p.name for p in cache.glob("*.png"))
    assert len(files) == 2
    again = prepare_folder(data, cache_dir=cache, val_ratio=0.5)
    assert sorted(p.name for p in cache.glob("*.png")) == files
    assert {s.label for s in first.train + first.val} == {s.label for s in again.train + again.val}
    j = sorted(data.glob("*.json"))[0]
    ann = load(j)
    ann.shapes.append(Shape("square", [(0, 0), (3, 3)], shape_type="rectangle"))
    save(ann, j)
    prepare_folder(data, cache_dir=cache, val_ratio=0.5)
    assert len(list(cache.glob("*.png"))) == 3  # the edited file got a new entry
    # an annotation whose size disagrees with its image is skipped with a message naming it
    other = sorted(data.glob("*.json"))[1]
    ann = load(other)
    ann.image_width = 99
    save(ann, other)
    got = prepare_folder(data, cache_dir=cache, val_ratio=0.5)
    assert {s.key for s in got.train + got.val} == {"img_000"}
    assert any(str(other) in w for w in got.warnings)


@pytest.mark.slow
def test_one_image_and_a_big_batch_still_trains_deeplab(tmp_path):
    data = make_dataset(tmp_path / "d", n=1, size=64)
    events = []
    cfg = _config(tmp_path, data, model="deeplabv3plus_mobilenet_v3_large", model_kwargs={}, batch_size=4,
                  epochs=1, base_size=64, crop_size=64)
    result = Trainer(cfg, callbacks=[events.append]).fit()
    assert result.best_checkpoint is not None and result.best_checkpoint.exists()
    assert any("validating on the training image" in e.get("message", "") for e in events)
    best = load_checkpoint(result.best_checkpoint)  # a new run trains DeepLab v3+ with its aux head
    assert best.meta["arch_kwargs"] == {"aux": True} and best.model.aux is not None
    no_aux = _config(tmp_path, data, out="no_aux", model="deeplabv3plus_mobilenet_v3_large", model_kwargs={},
                     batch_size=4, epochs=1, base_size=64, crop_size=64, aux_weight=0.0)
    plain = load_checkpoint(Trainer(no_aux).fit().best_checkpoint)
    assert plain.meta["arch_kwargs"] == {"aux": False} and plain.model.aux is None


def test_full_disk_keeps_checkpoints_already_written(tmp_path, data, monkeypatch):
    import segcore.checkpoint as ck

    real = ck.save_checkpoint
    calls = []

    def flaky(path, *a, **kw):
        calls.append(path)
        if len(calls) > 2:  # epoch 1 writes best + last, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, *a, **kw)

    monkeypatch.setattr(ck, "save_checkpoint", flaky)
    with pytest.raises(TrainingError, match="disk is full.*intact"):
        Trainer(_config(tmp_path, data, epochs=2)).fit()
    assert load_checkpoint(tmp_path / "run" / "best.pt").model is not None
    assert load_checkpoint(tmp_path / "run" / "last.pt").training_state["epoch"] == 1


def test_stop_file_ends_the_run_and_keeps_best(tmp_path, data):
    out = tmp_path / "run"

    def stop_on_first_step(e):
        if e["event"] == "step":
            (out / "STOP").write_text("")

    result = Trainer(_config(tmp_path, data, epochs=50), callbacks=[stop_on_first_step]).fit()
    assert result.reason == "stopped" and result.epochs == 1
    assert result.best_checkpoint.exists()  # no best yet when stopped: validated once to have one


def test_split_file_and_stable_hash_split(tmp_path):
    data = make_dataset(tmp_path / "d", n=6)
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"val": ["img_001", "img_004.png"]}))
    got = prepare_folder(data, cache_dir=tmp_path / "cache", split_file=split)
    assert sorted(s.key for s in got.val) == ["img_001", "img_004"]
    assert len(got.train) == 4
    text = tmp_path / "val.txt"
    text.write_text("# validation images\nimg_002\n")
    assert [s.key for s in prepare_folder(data, cache_dir=tmp_path / "cache", split_file=text).val] == ["img_002"]
    # the hash split keeps every image on its side when images are added
    before = {s.key for s in prepare_folder(data, cache_dir=tmp_path / "cache", val_ratio=0.3).val}
    make_dataset(tmp_path / "d2", n=6, seed=3)
    for p in (tmp_path / "d2").iterdir():
        p.rename(data / f"new_{p.name}")
    for j in data.glob("new_*.json"):  # the moved files' imagePath follows the rename
        ann = load(j)
        ann.image_path = j.with_suffix(".png").name
        save(ann, j)
    after = prepare_folder(data, cache_dir=tmp_path / "cache", val_ratio=0.3)
    assert before <= {s.key for s in after.val}
    assert not before & {s.key for s in after.train}


def test_augment_keeps_labels_and_pads_with_ignore():
    import random

    import numpy as np

    from segcore.training.data import AugmentConfig, augment

    image = np.zeros((20, 30, 3), np.uint8)
    label = np.zeros((20, 30), np.uint8)
    label[5:15, 5:15] = 2
    for seed in range(20):
        img, lab = augment(image, label, 40, AugmentConfig(scale_min=0.5, scale_max=1.5), random.Random(seed))
        assert img.shape == (40, 40, 3) and lab.shape == (40, 40)
        assert set(np.unique(lab)) <= {0, 2, 255}  # nearest-neighbour labels, ignore padding
        assert (lab == 255).any()  # a 40 px crop of a <= 45x30 image always needs padding


@pytest.mark.slow
def test_time_budget_ends_the_run_with_a_validated_best_model(tmp_path, data):
    events = []
    cfg = _config(tmp_path, data, epochs=None, minutes=0.02)  # 1.2 s: ends within the first epochs
    result = Trainer(cfg, callbacks=[events.append]).fit()
    assert result.reason == "time_budget"
    assert result.best_checkpoint.exists() and result.history
    steps = [e for e in events if e["event"] == "step"]
    assert steps[-1]["progress"] <= 1.0 and steps[-1]["eta_s"] is not None


def test_out_of_memory_retries_with_a_smaller_batch_and_says_so(tmp_path, data, monkeypatch):
    import segcore.models.registry as registry

    real = registry.build_model

    class Picky(torch.nn.Module):  # runs out of memory on training batches of more than 2
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            if self.training and x.shape[0] > 2:
                raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
            return self.inner(x)

    monkeypatch.setattr(registry, "build_model", lambda *a, **kw: Picky(real(*a, **kw)))
    events = []
    result = Trainer(_config(tmp_path, data, epochs=1, batch_size=4, bn_recalib_batches=0),
                     callbacks=[events.append]).fit()
    assert result.reason == "completed"
    warning = [e["message"] for e in events if e["event"] == "warning" and "out of" in e["message"]]
    assert warning and "batch size 2" in warning[0] and "2 accumulation steps" in warning[0]
    assert len(result.history) == 1


def test_automatic_validation_keeps_to_a_tenth_of_the_run():
    from segcore.training.clock import auto_validation_due

    assert auto_validation_due(None, 30.0)  # the first epoch always gives a score
    assert not auto_validation_due(5.0, 1.0)  # 1 s of 6: a sixth of the time
    assert auto_validation_due(9.0, 1.0)  # 1 s of 10: a tenth
    assert auto_validation_due(0.5, 0.01)  # cheap validation: every epoch


@pytest.mark.slow
def test_default_cadence_validates_first_and_last_epoch_and_times_the_rest(tmp_path, data, monkeypatch):
    """eval_every=0 (the default) asks the rule with the measured training time and validation
    cost, validates exactly when it says so, and always after the last epoch."""
    import segcore.training.trainer as trainer_mod
    from segcore.training.clock import auto_validation_due

    asked = []

    def spy(trained_s, cost_s):
        answer = len(asked) % 2 == 0  # alternate, whatever the machine's speed
        asked.append((trained_s, cost_s, answer))
        return answer

    monkeypatch.setattr(trainer_mod, "auto_validation_due", spy)
    assert TrainConfig().eval_every == 0 and auto_validation_due is not spy
    result = Trainer(_config(tmp_path, data, epochs=5)).fit()
    validated = [h["epoch"] for h in result.history if h["val_miou"] == h["val_miou"]]
    # epochs 1-4 asked the rule (answers yes, no, yes, no); 5 is the last: validated unasked
    assert len(asked) == 4 and validated == [1, 3, 5]
    assert asked[0][:2] == (None, 0.0)  # nothing validated yet, no cost known
    assert asked[1][0] > 0 and asked[1][1] > 0  # epoch 2's training time, epoch 1's validation cost
    assert asked[2][0] > asked[1][0]  # training time adds up until the next validation
    assert asked[3][0] > 0 and asked[3][1] > 0


def test_a_run_without_a_batch_size_takes_its_device_s_default(tmp_path, data):
    """No batch size given: 4 images a step on the CPU (more optimiser steps in a CPU's time
    budget), 8 on an accelerator."""
    from segcore.training.config import default_batch_size

    events = []
    cfg = _config(tmp_path, data, epochs=1, batch_size=None, device="cpu", bn_recalib_batches=0)
    Trainer(cfg, callbacks=[events.append]).fit()
    start = next(e for e in events if e["event"] == "start")
    assert start["batch_size"] == default_batch_size("cpu") == 4
    assert start["steps_per_epoch"] == start["train_images"] // 4
    assert default_batch_size(torch.device("cuda")) == default_batch_size("mps") == 8

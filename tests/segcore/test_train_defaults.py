"""One-click training defaults: the hash split has a seed of its own (a training seed changes the
initial weights and the sample order, not which images validate; an export's default split is
training's), and the loss is cross-entropy plus Dice."""

from __future__ import annotations

from segcore.cli import main
from segcore.training.config import TrainConfig
from segcore.training.setup import load_data
from tests.segcore.train_helpers import make_dataset, parse_train_argv


def _val_keys(folder, tmp_path, *flags: str) -> set[str]:
    cfg = parse_train_argv([str(folder), "--cache-dir", str(tmp_path / "cache"), *flags])
    return set(load_data(cfg, lambda _w: None).val_keys())


def test_a_training_seed_keeps_the_validation_images_and_the_split_seed_moves_them(tmp_path):
    data = make_dataset(tmp_path / "d", n=30, size=24)
    default = _val_keys(data, tmp_path)
    assert 0 < len(default) < 30
    assert _val_keys(data, tmp_path, "--seed", "1") == default
    assert _val_keys(data, tmp_path, "--seed", "7", "--split-seed", "0") == default
    assert _val_keys(data, tmp_path, "--split-seed", "1") != default


def test_an_export_with_its_defaults_holds_out_the_images_training_validates_on(tmp_path, capsys):
    data = make_dataset(tmp_path / "d", n=30, size=24)
    out = tmp_path / "voc"
    assert main(["export", str(data), "--format", "voc", "--out", str(out), "--workers", "1", "--quiet"]) == 0
    exported = set((out / "ImageSets" / "Segmentation" / "val.txt").read_text().split())
    assert exported == _val_keys(data, tmp_path, "--seed", "3")
    # the export's own spelling of the split seed moves its split as training's does
    out2 = tmp_path / "voc2"
    assert main(["export", str(data), "--format", "voc", "--out", str(out2), "--workers", "1", "--quiet",
                 "--split-seed", "1"]) == 0
    assert set((out2 / "ImageSets" / "Segmentation" / "val.txt").read_text().split()) == _val_keys(
        data, tmp_path, "--split-seed", "1")


def test_a_run_saved_before_the_split_seed_existed_keeps_its_split_on_resume():
    old = {k: v for k, v in TrainConfig(folder="f", seed=4).to_dict().items() if k != "split_seed"}
    assert TrainConfig.from_dict(old).split_seed == 4  # it split by its training seed
    assert TrainConfig.from_dict(TrainConfig(folder="f", seed=4).to_dict()).split_seed == 0


def test_the_default_loss_adds_dice_and_an_older_run_s_plain_cross_entropy_stays_so():
    assert parse_train_argv(["f"]).extra_loss == "dice"
    assert parse_train_argv(["f", "--extra-loss", "none"]).extra_loss == "none"
    old = dict(TrainConfig(folder="f").to_dict(), extra_loss=None)
    assert TrainConfig.from_dict(old).extra_loss == "none"

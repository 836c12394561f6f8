"""base_size is a maximum: small images are never enlarged, in training or in prediction; they
are padded to a multiple of 32 only."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from segcore.cli import main
from segcore.inference.predict import Predictor
from segcore.io.imageio import read_image
from segcore.models import registry
from segcore.training.augment import fitted_crop, resize_long
from tests.segcore.train_helpers import make_dataset

W, H = 200, 160


def _small_folder(root):
    """Six 200x160 images (the generated squares and discs, stretched) with their labels."""
    import json

    make_dataset(root, n=6, size=160)
    for img in sorted(root.glob("*.png")):
        a = read_image(img)
        cv2.imwrite(str(img), cv2.cvtColor(cv2.resize(a, (W, H), interpolation=cv2.INTER_NEAREST), cv2.COLOR_RGB2BGR))
        meta = img.with_suffix(".json")
        d = json.loads(meta.read_text())
        d["imageWidth"], d["imageHeight"] = W, H
        for s in d["shapes"]:
            s["points"] = [[x * W / 160, y] for x, y in s["points"]]
        meta.write_text(json.dumps(d))
    return root


@given(st.integers(8, 900), st.integers(8, 900), st.integers(32, 1024))
def test_resize_long_never_enlarges(h, w, long_side):
    out = resize_long(np.zeros((h, w), np.uint8), long_side, cv2.INTER_NEAREST)
    assert max(out.shape) == min(max(h, w), long_side) or abs(max(out.shape) - long_side) <= 1
    assert max(out.shape) <= max(h, w)


def test_fitted_crop_pads_small_images_to_a_multiple_of_32_only():
    assert fitted_crop(320, [(H, W)], 480) == (160, 224)
    assert fitted_crop(320, [(360, 480)], 480) == (320, 320)
    assert fitted_crop(320, [(1000, 2000)], 480) == (256, 320)  # shrunk to 240x480 first
    assert fitted_crop(None, [(H, W)], 480) is None


def test_small_images_train_and_predict_at_their_own_size(tmp_path, monkeypatch):
    data = _small_folder(tmp_path / "data")
    seen: list[tuple[int, int]] = []
    real = registry.build_model

    def recording(*a, **kw):
        model = real(*a, **kw)
        model.register_forward_pre_hook(lambda m, args: seen.append(tuple(args[0].shape[-2:])))
        return model

    monkeypatch.setattr(registry, "build_model", recording)
    out = tmp_path / "run"
    rc = main(["train", str(data), "--out", str(out), "--model", "unet", "--model-arg", "depth=2",
               "--model-arg", "base_channels=4", "--epochs", "1", "--batch-size", "2", "--workers", "0",
               "--cache-dir", str(tmp_path / "cache"), "--bn-recalib-batches", "0"])
    assert rc == 0
    assert seen and set(seen) <= {(160, 224)}  # default base 480 / crop 320: 200x160 padded to 224x160 only

    seen.clear()
    predictor = Predictor(out / "best.pt", device="cpu")
    predictor.model.register_forward_pre_hook(lambda m, args: seen.append(tuple(args[0].shape[-2:])))
    pred = predictor.predict(read_image(next(data.glob("*.png"))))
    assert pred.label_map.shape == (H, W)
    assert seen and set(seen) == {(160, 224)}

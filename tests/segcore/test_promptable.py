"""The promptable-segmentation interface, driven by a tiny model built here (no weights)."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from segcore.interactive import sam_models
from segcore.interactive.promptable import Embedding, EmbeddingCache, ModelError, check_prompt, prompt_region


class TinyModel:
    """A promptable model small enough to build in a test: the "embedding" is the image itself;
    a positive point selects the connected region of its colour, a negative point removes the
    region of its colour, a box selects what differs from the box's border colour."""

    name = "tiny"
    encodes: list[tuple[int, int]] = []  # (h, w) of every encode, over all instances

    def __init__(self, release: threading.Event | None = None) -> None:
        self.release = release

    def encode(self, image: np.ndarray) -> Embedding:
        if self.release is not None:
            self.release.wait(10)
        TinyModel.encodes.append(image.shape[:2])
        return Embedding(self.name, image.shape[0], image.shape[1], np.ascontiguousarray(image[:, :, :3]))

    @staticmethod
    def _region(img: np.ndarray, x: float, y: float) -> np.ndarray:
        h, w = img.shape[:2]
        mask = np.zeros((h + 2, w + 2), np.uint8)
        seed = (int(min(max(x, 0), w - 1)), int(min(max(y, 0), h - 1)))
        flags = 4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (1 << 8)
        cv2.floodFill(img.copy(), mask, seed, 0, (20, 20, 20), (20, 20, 20), flags)
        return mask[1:-1, 1:-1].astype(bool)

    def predict(self, embedding, points, labels, box=None):
        img = embedding.data
        out = np.zeros(img.shape[:2], bool)
        if box is not None:
            x0, y0, x1, y1 = (int(round(v)) for v in box)
            crop = img[y0:y1, x0:x1].astype(int)
            border = np.concatenate([crop[0], crop[-1], crop[:, 0], crop[:, -1]])
            out[y0:y1, x0:x1] = np.abs(crop - np.median(border, axis=0)).max(axis=2) > 20
        for (x, y), lab in zip(points, labels):
            if lab == 1:
                out |= self._region(img, x, y)
        for (x, y), lab in zip(points, labels):
            if lab == 0:
                out &= ~self._region(img, x, y)
        return out, 0.9


def two_squares(h: int = 60, w: int = 80) -> np.ndarray:
    img = np.full((h, w, 3), 200, np.uint8)
    img[10:30, 10:30] = (255, 0, 0)
    img[35:55, 40:70] = (0, 0, 255)
    return img


@pytest.fixture
def tiny():
    sam_models.register_model("tiny", TinyModel)
    TinyModel.encodes.clear()
    yield TinyModel
    sam_models.unregister_model("tiny")


def test_click_box_and_negative_click_give_the_object(tiny):
    model = sam_models.load_model("tiny")
    emb = model.encode(two_squares())
    region, score = prompt_region(model, emb, [(15, 15)], [1])
    assert (region.x0, region.y0, region.mask.shape) == (10, 10, (20, 20)) and score == 0.9
    region, _ = prompt_region(model, emb, box=(35, 30, 75, 60))
    assert region.bbox == (40, 35, 70, 55) and region.area() == 600
    region, _ = prompt_region(model, emb, [(15, 15), (50, 40), (50, 40)], [1, 1, 0])
    assert region.bbox == (10, 10, 30, 30)
    region, _ = prompt_region(model, emb, [(15, 15), (15, 15)], [1, 0])
    assert region.area() == 0 and region.mask.shape == (0, 0)


@pytest.mark.parametrize("points, labels, box, problem", [
    ([], [], None, "at least one point or a box"),
    ([(1, 1)], [], None, "1 points but 0 labels"),
    ([(1, 1)], [2], None, "must be 0"),
    ([], [], (5, 5, 5, 9), "is empty"),
])
def test_bad_prompts_are_refused_with_a_reason(points, labels, box, problem):
    with pytest.raises(ValueError, match=problem):
        check_prompt(points, labels, box)


def test_a_mask_of_the_wrong_size_is_reported(tiny):
    model = TinyModel()
    emb = model.encode(two_squares())
    small = Embedding("tiny", 10, 10, emb.data)
    with pytest.raises(ValueError, match="returned a"):
        prompt_region(model, small, [(5, 5)], [1])


def test_unknown_model_names_the_known_ones(tiny):
    with pytest.raises(ModelError, match="unknown promptable model 'nope'.*tiny"):
        sam_models.load_model("nope")
    assert "tiny" in sam_models.registered_models()


def test_embedding_cache_keeps_the_last_few():
    cache = EmbeddingCache(capacity=2)
    embs = {k: Embedding("m", 1, 1, k) for k in "abc"}
    cache.put("a", embs["a"])
    cache.put("b", embs["b"])
    assert cache.get("a") is embs["a"]  # a is now the most recent
    cache.put("c", embs["c"])
    assert cache.keys() == ["a", "c"] and "b" not in cache
    cache.clear()
    assert cache.keys() == []


def export_tiny_efficientsam(folder) -> tuple:
    """ONNX encoder/decoder with EfficientSAM's inputs and outputs: the "embedding" is the image;
    the mask holds the pixels of the first point's colour."""
    import warnings

    import torch

    class Encoder(torch.nn.Module):
        def forward(self, batched_images):
            return batched_images * 1.0

    class Decoder(torch.nn.Module):
        def forward(self, image_embeddings, batched_point_coords, batched_point_labels, orig_im_size):
            e = image_embeddings[0]
            xy = batched_point_coords[0, 0, 0].round().long()
            colour = e.flatten(1).index_select(1, (xy[1] * e.shape[2] + xy[0]).reshape(1))
            logits = 0.05 - (e - colour.reshape(3, 1, 1)).abs().amax(0)
            logits = logits + 0 * orig_im_size.sum().float() + 0 * batched_point_labels.sum()
            masks = logits[None, None, None].expand(1, 1, 3, -1, -1)
            return masks, torch.ones(1, 1, 3), masks[:, :, :, ::4, ::4]

    folder.mkdir(parents=True, exist_ok=True)
    enc, dec = folder / "tiny_encoder.onnx", folder / "tiny_decoder.onnx"
    img = torch.rand(1, 3, 20, 24)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Encoder(), (img,), str(enc), input_names=["batched_images"],
                          output_names=["image_embeddings"], dynamic_axes={"batched_images": {2: "h", 3: "w"}},
                          dynamo=False)
        torch.onnx.export(Decoder(), (img, torch.tensor([[[[3.0, 4.0]]]]), torch.tensor([[[1.0]]]),
                                      torch.tensor([20, 24])), str(dec),
                          input_names=["image_embeddings", "batched_point_coords", "batched_point_labels",
                                       "orig_im_size"], output_names=["masks", "iou", "low_res"],
                          dynamic_axes={"image_embeddings": {2: "h", 3: "w"}, "batched_point_coords": {2: "n"},
                                        "batched_point_labels": {2: "n"}}, dynamo=False)
    return enc, dec


def test_an_osam_model_runs_from_local_files(tmp_path, monkeypatch):
    """The osam backend end to end on a tiny EfficientSAM-shaped model registered with osam."""
    import hashlib

    import osam
    from osam._models.efficientsam._models import EfficientSam

    from segcore.interactive.sam_osam import WeightsMissing
    from segcore.interactive.weights import install_local

    enc, dec = export_tiny_efficientsam(tmp_path / "downloads")

    class TinySam(EfficientSam):
        name = "tinysam:1m"
        _blobs = {k: osam.types.Blob(url=f"https://example.invalid/{p.name}",
                                     hash="sha256:" + hashlib.sha256(p.read_bytes()).hexdigest())
                  for k, p in (("encoder", enc), ("decoder", dec))}

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(osam.apis, "registered_model_types", [*osam.apis.registered_model_types, TinySam])
    files = sam_models.needed_files("tinysam:1m")
    assert [f.name for f in files] == ["tiny_encoder.onnx", "tiny_decoder.onnx"]
    with pytest.raises(WeightsMissing, match="tinysam:1m: its weights"):
        sam_models.load_model("tinysam:1m")
    assert install_local(files, [dec, enc]) == files[::-1] and sam_models.needed_files("tinysam:1m") == []
    model = sam_models.load_model("tinysam:1m")
    emb = model.encode(two_squares())
    assert (emb.model, emb.height, emb.width) == ("tinysam:1m", 60, 80)
    region, _score = prompt_region(model, emb, [(50, 40)], [1])
    assert region.bbox == (40, 35, 70, 55) and region.area() == 600
    region, _score = prompt_region(model, emb, [(2, 2)], [1], box=(0, 0, 80, 60))
    assert region.area() == 60 * 80 - 400 - 600

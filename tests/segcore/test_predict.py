"""Predictor: devices, normalisation, tiling (bounded memory, invisible seams), shapes, and
file-level pre-annotation that never touches a person's shapes."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from segcore.checkpoint import LoadedCheckpoint, save_checkpoint
from segcore.inference.preannotate import PreannotateError, is_unlabelled, list_images, preannotate_file
from segcore.inference.predict import Predictor, pick_device, plan_tiles, tile_starts, tile_windows
from segcore.io.annotation import Annotation, Shape, load, save
from segcore.models.registry import build_model

NAMES = ["_background_", "square", "disc"]


def _meta(**policy) -> dict:
    return {"arch": "unet", "arch_kwargs": {}, "class_names": NAMES, "mean": [0.5, 0.5, 0.5],
            "std": [0.25, 0.25, 0.25], "input_policy": policy}


class Threshold(torch.nn.Module):
    """A hand-made 'model' with a 1-pixel receptive field: red -> square, green -> disc.
    Its exact behaviour makes the expected label map computable by hand."""

    def forward(self, x):
        r, g = x[:, 0:1], x[:, 1:2]
        return torch.cat([torch.zeros_like(r), 4 * (r - g), 4 * (g - r)], dim=1)


def _scene(h=200, w=300) -> np.ndarray:
    img = np.full((h, w, 3), 128, np.uint8)
    img[20:80, 30:120] = (250, 10, 10)  # a red rectangle: class 1
    yy, xx = np.mgrid[:h, :w]
    img[(yy - 140) ** 2 + (xx - 200) ** 2 <= 40**2] = (10, 250, 10)  # a green disc: class 2
    return img


def test_pick_device_prefers_what_is_asked():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device() == torch.device("cuda" if torch.cuda.is_available() else "cpu") or pick_device().type == "mps"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            pick_device("cuda")


def test_predict_label_map_confidence_and_shapes():
    pred = Predictor(LoadedCheckpoint(Threshold(), _meta()), device="cpu")
    img = _scene()
    p = pred.predict(img)
    assert p.probs.shape == (3, 200, 300) and p.label_map.dtype == np.uint8
    assert np.allclose(p.probs.sum(0), 1, atol=1e-5)
    assert (p.label_map[20:80, 30:120] == 1).all() and p.label_map[140, 200] == 2 and p.label_map[5, 5] == 0
    assert np.allclose(p.confidence, p.probs.max(0))
    shapes = pred.predict_shapes(img)
    assert sorted(s.label for s in shapes) == ["disc", "square"]
    assert all(s.proposed and 0.5 < s.score <= 1 for s in shapes)
    sq = next(s for s in shapes if s.label == "square")
    xs, ys = zip(*sq.points)
    assert (min(xs), min(ys), max(xs), max(ys)) == (30, 20, 119, 79)
    assert pred.predict_shapes(img, min_score=1.01) == []


def test_tile_layout_covers_every_pixel_once():
    assert tile_windows(6000, 1024, 128, 32) == [(0, 1024), (896, 1024), (1792, 1024), (2688, 1024),
                                                 (3584, 1024), (4480, 1024), (4960, 1040)]
    assert tile_starts(4000, 1024, 128, 32) == [0, 896, 1792, 2688, 2976]
    assert tile_starts(4000, 1024, 128) == [0, 896, 1792, 2688, 2976]
    assert tile_windows(700, 256, 96, 32) == [(0, 256), (160, 256), (320, 256), (416, 284)]
    assert tile_windows(200, 256, 96, 32) == [(0, 200)]
    tiles = plan_tiles(4000, 6000, 1024, 128, 32)
    assert len(tiles) == 35
    owner = np.zeros((4000, 6000), np.uint8)
    for t in tiles:
        assert t.y0 <= t.oy0 < t.oy1 <= t.y0 + t.h and t.x0 <= t.ox0 < t.ox1 <= t.x0 + t.w
        owner[t.oy0:t.oy1, t.ox0:t.ox1] += 1
    assert (owner == 1).all()
    # every seam lies at least a quarter of the overlap inside both neighbours
    for t in tiles:
        for lo, hi, a, b, n in ((t.oy0, t.oy1, t.y0, t.y0 + t.h, 4000), (t.ox0, t.ox1, t.x0, t.x0 + t.w, 6000)):
            assert lo == 0 or lo - a >= 32
            assert hi == n or b - hi >= 32


def _tiny_unet(seed=0) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = build_model("unet", 3, depth=2, base_channels=4)
    with torch.no_grad():  # non-trivial BN statistics
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2)
    return model.eval()


def test_overlapping_tiles_agree_at_their_seams():
    """Each tile's own probabilities agree with its neighbour's over the overlap (away from the
    tile borders), and the stitched result equals an untiled run away from the image border."""
    model = _tiny_unet()
    rng = np.random.default_rng(0)
    img = (rng.random((600, 700, 3)) * 255).astype(np.uint8)
    seen: list[tuple[tuple[int, int], np.ndarray]] = []
    tiled = Predictor(LoadedCheckpoint(model, _meta()), device="cpu", tile_size=256, overlap=96, batch_size=3)
    original = tiled.forward_tiles
    starts = {}  # a tile's first normalised pixel -> its position (to know where a batch item sits)
    x = tiled._blob(img)[0]  # the CPU's normalisation, value for value
    for t in plan_tiles(600, 700, 256, 96, 32):
        starts.setdefault(x[:, t.y0, t.x0].tobytes() + bytes([t.h % 256, t.w % 256]), (t.y0, t.x0))

    def spy(batch):
        out = original(batch)
        for b, p in zip(batch, out):
            key = b[:, 0, 0].numpy().tobytes() + bytes([b.shape[1] % 256, b.shape[2] % 256])
            seen.append((starts[key], p.numpy().copy()))
        return out

    tiled.forward_tiles = spy
    res = tiled.predict(img)
    assert tile_windows(600, 256, 96, 32) == [(0, 256), (160, 256), (320, 280)]
    assert len(starts) == 12 and len(seen) == 12  # 3 x 4 tiles
    m = 32  # beyond the receptive-field radius of a depth-2 U-Net
    pairs = 0
    for (ya, xa), pa in seen:
        for (yb, xb), pb in seen:
            if (ya, xa) >= (yb, xb):
                continue
            y0, y1 = max(ya, yb) + m, min(ya + pa.shape[1], yb + pb.shape[1]) - m
            x0, x1 = max(xa, xb) + m, min(xa + pa.shape[2], xb + pb.shape[2]) - m
            if y1 <= y0 or x1 <= x0:
                continue
            a = pa[:, y0 - ya:y1 - ya, x0 - xa:x1 - xa]
            b = pb[:, y0 - yb:y1 - yb, x0 - xb:x1 - xb]
            assert np.abs(a - b).max() < 1e-5, ((ya, xa), (yb, xb))
            pairs += 1
    assert pairs >= 17  # at least every horizontal and vertical neighbour pair
    whole = Predictor(LoadedCheckpoint(model, _meta()), device="cpu", tile_size=1024).predict(img)
    inner = (slice(None), slice(0, 600 - m), slice(0, 700 - m))  # untiled pads bottom/right to 32
    assert np.abs(res.probs[inner] - whole.probs[inner]).max() < 1e-5
    assert np.array_equal(res.label_map[:-m, :-m], whole.label_map[:-m, :-m])


@pytest.mark.slow
def test_6000x4000_bounded_memory_tile_count_and_seams():
    model = build_model("unet", 2, depth=1, base_channels=2).eval()
    pred = Predictor(LoadedCheckpoint(model, {**_meta(), "class_names": NAMES[:2]}), device="cpu",
                     tile_size=1024, overlap=128, batch_size=4)
    calls: list[tuple[int, ...]] = []
    original = model.forward

    def counting_forward(x):
        calls.append(tuple(x.shape))
        return original(x)

    model.forward = counting_forward
    img = np.zeros((4000, 6000, 3), np.uint8)
    img[:, :, 0] = (np.arange(6000) % 251).astype(np.uint8)[None, :]
    img[:, :, 1] = (np.arange(4000) % 241).astype(np.uint8)[:, None]
    res = pred.predict(img, return_probs=False)
    assert res.probs is None and res.label_map.shape == (4000, 6000)
    assert sum(c[0] for c in calls) == 35  # 7 x 5 tiles
    assert all(c[0] <= 4 and c[2] <= 1024 + 32 and c[3] <= 1024 + 32 for c in calls)  # bounded input
    # across every seam the stitched confidence equals a direct run on a window straddling it
    model.forward = original
    tiles = plan_tiles(4000, 6000, 1024, 128, 32)
    seams = [("x", x) for x in sorted({t.ox0 for t in tiles} - {0})] + [("y", y) for y in sorted({t.oy0 for t in tiles} - {0})]
    assert len(seams) == 6 + 4
    for axis, pos in seams:
        c = pos // 32 * 32
        y0, x0 = (1504, c - 128) if axis == "x" else (c - 128, 2496)
        window = img[y0:y0 + 256, x0:x0 + 256]
        x = torch.from_numpy(window).permute(2, 0, 1).float().div(255).sub(0.5).div(0.25)[None]
        with torch.no_grad():
            direct = torch.softmax(model(x), 1).max(1).values[0].numpy()
        got = res.confidence[y0:y0 + 256, x0:x0 + 256]
        assert np.abs(got[16:-16, 16:-16] - direct[16:-16, 16:-16]).max() < 1e-5, (axis, pos)


def test_resize_long_side_policy_predicts_at_full_size():
    pred = Predictor(LoadedCheckpoint(Threshold(), _meta(resize_long_side=150)), device="cpu")
    img = _scene()
    seen = []
    original = pred.forward_tiles
    pred.forward_tiles = lambda b: (seen.append(b[0].shape), original(b))[1]
    p = pred.predict(img, return_probs=False)
    assert seen == [(3, 100, 150)]
    assert p.label_map.shape == (200, 300)
    assert (p.label_map[25:75, 35:115] == 1).all() and p.label_map[140, 200] == 2
    full = pred.predict(img)
    assert full.probs.shape == (3, 200, 300) and np.array_equal(full.label_map, p.label_map)


# ----------------------------------------------------------------------------- files


@pytest.fixture
def folder(tmp_path):
    Image.fromarray(_scene()).save(tmp_path / "a.png")
    Image.fromarray(_scene()[::-1].copy()).save(tmp_path / "b.png")
    (tmp_path / ".hidden").mkdir()
    Image.fromarray(_scene()).save(tmp_path / ".hidden" / "c.png")
    return tmp_path


def test_preannotate_file_keeps_person_shapes_and_replaces_proposals(folder):
    pred = Predictor(LoadedCheckpoint(Threshold(), _meta()), device="cpu")
    jp = folder / "a.json"
    mine = Shape("square", [(1.0, 1.0), (5.0, 1.0), (5.0, 5.0)], description="by hand", flags={"ok": True})
    old = Shape("disc", [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0)], proposed=True, score=0.3)
    save(Annotation(shapes=[old, mine], image_path="a.png", image_width=300, image_height=200,
                    extra={"custom": 1}), jp)
    ann = preannotate_file(pred, folder / "a.png")
    on_disk = load(jp)
    assert on_disk == ann
    assert on_disk.shapes[0] == mine  # unchanged, first
    assert old not in on_disk.shapes
    assert sorted(s.label for s in on_disk.shapes[1:]) == ["disc", "square"]
    assert all(s.proposed for s in on_disk.shapes[1:]) and on_disk.extra == {"custom": 1}
    raw = json.loads(jp.read_text())
    assert raw["shapes"][1]["proposed"] is True and isinstance(raw["shapes"][1]["score"], float)
    # running again does not pile up proposals
    assert len(preannotate_file(pred, folder / "a.png").shapes) == 3
    assert not is_unlabelled(folder / "a.png") and is_unlabelled(folder / "b.png")


def test_preannotate_file_refuses_bad_json_and_leaves_it(folder):
    pred = Predictor(LoadedCheckpoint(Threshold(), _meta()), device="cpu")
    (folder / "a.json").write_text("{not json")
    with pytest.raises(PreannotateError, match="a.json: not touched"):
        preannotate_file(pred, folder / "a.png")
    assert (folder / "a.json").read_text() == "{not json"
    save(Annotation(image_path="b.png", image_width=10, image_height=10), folder / "b.json")
    before = (folder / "b.json").read_bytes()
    with pytest.raises(PreannotateError, match="10x10 but b.png is 300x200"):
        preannotate_file(pred, folder / "b.png")
    assert (folder / "b.json").read_bytes() == before


def test_list_images_recurses_and_skips_hidden(folder):
    assert [p.name for p in list_images([folder])] == ["a.png", "b.png"]
    with pytest.raises(FileNotFoundError, match="nope"):
        list_images([folder / "nope"])


def test_predictor_from_checkpoint_file(tmp_path):
    model = _tiny_unet()
    save_checkpoint(tmp_path / "m.pt", model, arch="unet", arch_kwargs={"depth": 2, "base_channels": 4},
                    class_names=NAMES, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    pred = Predictor(tmp_path / "m.pt", device="cpu")
    assert pred.class_names == NAMES and pred.arch == "unet" and "unet" in pred.describe()
    img = (np.random.default_rng(1).random((64, 96, 3)) * 255).astype(np.uint8)
    x = (torch.from_numpy(img).permute(2, 0, 1).float() / 255 - 0.5) / 0.25
    with torch.no_grad():
        expected = torch.softmax(model(x[None]), 1)[0].numpy()
    assert np.abs(pred.predict(img).probs - expected).max() < 1e-5



def test_preannotate_many_pipelined_errors_and_cancel(folder):
    from segcore.inference.preannotate import preannotate_many
    from segcore.progress import Cancelled, CancelToken

    pred = Predictor(LoadedCheckpoint(Threshold(), _meta()), device="cpu")
    paths = []
    for i in range(5):
        Image.fromarray(np.roll(_scene(), 20 * i, axis=1)).save(folder / f"m{i}.png")
        paths.append(folder / f"m{i}.png")
    (folder / "m2.json").write_text("[]")  # not a LabelMe file: reported, left alone, others done
    done, errors = [], []
    n, added, errs = preannotate_many(pred, paths, on_done=lambda p, a: done.append(p.name), on_error=errors.append)
    assert n == 4 and sorted(done) == ["m0.png", "m1.png", "m3.png", "m4.png"]
    assert len(errs) == 1 and "m2.json" in str(errs[0]) and errors == errs
    assert (folder / "m2.json").read_text() == "[]"
    counts = [len(load(folder / f"m{i}.json").shapes) for i in (0, 1, 3, 4)]
    assert added == sum(counts) and min(counts) >= 2
    # cancelling stops before the next image; what was predicted is finished and saved whole
    for p in paths:
        p.with_suffix(".json").unlink(missing_ok=True)
    token = CancelToken()
    with pytest.raises(Cancelled):
        preannotate_many(pred, paths, cancel=token, on_done=lambda p, a: token.cancel())
    written = sorted(p.name for p in folder.glob("m*.json"))
    assert 1 <= len(written) <= 2 and all(len(load(folder / w).shapes) >= 2 for w in written)


def test_label_map_tracing_on_a_large_map_matches_the_per_component_reference(monkeypatch):
    """A 600x800 map (traced with its classes in threads, components numbered as OpenCV's
    block-wise labelling does) gives the shapes of the reference per-component path."""
    from segcore.data import trace
    from tests.segcore.test_polygons import (
        _assert_same_shapes,
        _random_label_map,
        _reference_label_map_shapes,
    )

    tiles = [_random_label_map(seed) for seed in range(40)]
    lm = np.zeros((600, 800), np.uint8)
    for k, t in enumerate(tiles):
        y, x = (k // 8) * 120, (k % 8) * 100
        h, w = min(t.shape[0], 120), min(t.shape[1], 100)
        lm[y:y + h, x:x + w] = t[:h, :w]
    lm[300:303, :] = 2  # a class reaching across every tile: long borders, big bounding box
    conf = np.random.default_rng(1).random(lm.shape).astype(np.float32)
    names = ["_background_", "a", "b", "c", "d"]
    assert lm.size >= trace.PARALLEL_PIXELS
    threaded = trace.label_map_to_shapes(lm, names, confidence=conf, tolerance=1.0, min_area=6, proposed=True)
    _assert_same_shapes(threaded, _reference_label_map_shapes(lm, names, conf, 1.0, 6))
    monkeypatch.setattr(trace, "PARALLEL_PIXELS", lm.size + 1)  # one thread
    assert trace.label_map_to_shapes(lm, names, confidence=conf, tolerance=1.0, min_area=6, proposed=True) == threaded


class _MapsRunner:
    """A runner whose 'graph' gives the label map and confidence itself (as the ONNX export
    does), from the Threshold model's logits."""

    engine, device, amp, has_maps = "test", torch.device("cpu"), False, True

    def __init__(self) -> None:
        self.inputs: list[tuple[int, ...]] = []

    def __call__(self, x):
        return Threshold()(x)

    def maps(self, x):
        self.inputs.append(tuple(x.shape))
        top, idx = torch.softmax(self(x), dim=1).max(dim=1)
        return idx.numpy().astype(np.uint8), top.numpy()

    def describe(self) -> str:
        return "test"


@pytest.mark.parametrize("size", [(200, 300), (192, 320)])  # padded to the divisor, and not
@pytest.mark.parametrize("tile", [None, 96])  # one tile for the whole image, and tiled
def test_a_runner_s_own_maps_are_the_prediction_with_or_without_tiles(size, tile):
    img = _scene(*size)
    runner = _MapsRunner()
    pred = Predictor(LoadedCheckpoint(Threshold(), _meta()), runner=runner, tile_size=tile, overlap=32)
    got = pred.predict(img, return_probs=False)
    want = Predictor(LoadedCheckpoint(Threshold(), _meta()), device="cpu").predict(img)
    assert runner.inputs and all(s[-2] % 32 == 0 and s[-1] % 32 == 0 for s in runner.inputs)
    assert got.label_map.shape == size and got.label_map.dtype == np.uint8 and got.confidence.dtype == np.float32
    assert got.label_map.flags.c_contiguous and got.label_map.flags.writeable and got.confidence.flags.c_contiguous
    np.testing.assert_array_equal(got.label_map, want.label_map)
    np.testing.assert_allclose(got.confidence, want.confidence, atol=1e-6)


def test_normalised_input_is_the_checkpoint_s_mean_and_std():
    pred = Predictor(LoadedCheckpoint(Threshold(), _meta()), device="cpu")
    img = np.random.default_rng(3).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    x = pred._to_input(img[:, ::-1])  # any layout in, (3, h, w) out
    want = (img[:, ::-1].transpose(2, 0, 1).astype(np.float32) / 255 - 0.5) / 0.25
    np.testing.assert_allclose(x.numpy(), want, atol=1e-6)


@pytest.mark.parametrize("layout", ["contiguous", "flipped", "tile", "rgba"])
def test_cpu_batches_are_normalised_with_the_checkpoint_s_mean_and_std(layout):
    """The CPU's batches (OpenCV's blob) hold the same values as the formula, whatever the
    image's memory layout, one tile or several."""
    from segcore.inference.predict import Tile

    mean, std = np.array([0.485, 0.456, 0.406], np.float32), np.array([0.229, 0.224, 0.225], np.float32)
    pred = Predictor(LoadedCheckpoint(Threshold(), {**_meta(), "mean": mean.tolist(), "std": std.tolist()}),
                     device="cpu")
    rng = np.random.default_rng(4)
    img = rng.integers(0, 256, (40, 56, 4 if layout == "rgba" else 3), dtype=np.uint8)
    if layout == "flipped":
        img = img[::-1, ::-1]
    elif layout == "rgba":
        img = img[:, :, :3]
    tiles = [Tile(0, 0, 24, 32, 0, 24, 0, 32), Tile(16, 24, 24, 32, 16, 40, 24, 56)] if layout == "tile" else \
        [Tile(0, 0, 40, 56, 0, 40, 0, 56)]
    x = pred._batch_input(img, tiles)
    assert x.dtype == torch.float32 and x.shape == (len(tiles), 3, tiles[0].h, tiles[0].w)
    for k, t in enumerate(tiles):
        crop = img[t.y0:t.y0 + t.h, t.x0:t.x0 + t.w]
        want = (crop.transpose(2, 0, 1).astype(np.float32) / 255 - mean[:, None, None]) / std[:, None, None]
        np.testing.assert_allclose(x[k].numpy(), want, atol=1e-6)


def _holed_map() -> np.ndarray:
    """A 600x800 map of two classes, each with a component that has a hole (a mask shape)."""
    lm = np.zeros((600, 800), np.uint8)
    lm[50:300, 50:400] = 1
    lm[100:200, 100:200] = 0  # a hole: class 1's component becomes a mask shape
    lm[350:550, 450:750] = 2
    lm[400:450, 500:600] = 0
    lm[10:30, 600:700] = 2
    return lm


def test_mask_shapes_are_encoded_while_tracing_and_saved_as_if_encoded_then(tmp_path):
    """Mask proposals carry their PNG text from the tracing threads; the saved file is the one
    a save that encodes them itself writes, and a mask edited afterwards is written as edited."""
    from segcore.data import trace
    from segcore.io.annotation import load, new_annotation, save

    lm = _holed_map()
    assert lm.size >= trace.PARALLEL_PIXELS
    shapes = trace.label_map_to_shapes(lm, ["_background_", "a", "b"], proposed=True)
    masks = [s for s in shapes if s.shape_type == "mask"]
    assert len(masks) == 2 and all("mask" in s.source for s in masks)
    fresh = [s.copy() for s in shapes]
    for s in fresh:
        s.source = {}  # as a shape made elsewhere: encoded when saved
    files = []
    for name, group in (("early.json", shapes), ("late.json", fresh)):
        ann = new_annotation(tmp_path / "im.png", tmp_path / name, 800, 600)
        ann.shapes = group
        save(ann, tmp_path / name)
        files.append((tmp_path / name).read_text())
    assert files[0] == files[1]
    edited = masks[0]
    edited.mask = edited.mask.copy()
    edited.mask[0, :] = ~edited.mask[0, :]  # the first row flipped after tracing
    ann = new_annotation(tmp_path / "im.png", tmp_path / "edited.json", 800, 600)
    ann.shapes = shapes
    save(ann, tmp_path / "edited.json")
    back = [s for s in load(tmp_path / "edited.json").shapes if s.shape_type == "mask"]
    assert np.array_equal(back[0].mask, edited.mask)

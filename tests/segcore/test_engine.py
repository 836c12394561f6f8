"""The inference engine: a checkpoint runs in onnxruntime through a cached ONNX export (same label
map as PyTorch), an exported .onnx loads wherever a checkpoint does, a corrupt or foreign .onnx is
refused naming the file, the cache follows the checkpoint, and PyTorch takes over saying why."""

from __future__ import annotations

import json
import shutil
import sys

import numpy as np
import pytest
import torch
from PIL import Image

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402

from segcore.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from segcore.cli import main  # noqa: E402
from segcore.inference import engine as eng  # noqa: E402
from segcore.inference.engine import OnnxModelError, open_predictor, read_onnx  # noqa: E402
from segcore.inference.onnx_export import DIGEST_KEY, META_KEY  # noqa: E402
from segcore.io.annotation import Shape, load, new_annotation, save  # noqa: E402
from tests.box_model import train_box_unet  # noqa: E402

NAMES = ["_background_", "box"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The tiny trained box U-Net (module-wide; tests copy it where they change things)."""
    return train_box_unet(tmp_path_factory.mktemp("ck") / "boxes.pt", NAMES)


@pytest.fixture
def checkpoint(trained, tmp_path):
    d = tmp_path / "model"
    d.mkdir()
    return shutil.copy(trained, d / "boxes.pt")


def _scene(h=150, w=230, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 60, (h, w, 3)).astype(np.uint8)
    for _ in range(5):
        y, x = int(rng.integers(0, h - 20)), int(rng.integers(0, w - 20))
        img[y:y + int(rng.integers(8, 40)), x:x + int(rng.integers(8, 50))] = rng.integers(180, 256)
    return img


def test_onnxruntime_and_torch_give_the_same_label_map(checkpoint):
    ort_pred = open_predictor(checkpoint, engine="onnxruntime", device="cpu")
    torch_pred = open_predictor(checkpoint, engine="torch", device="cpu")
    assert ort_pred.engine == "onnxruntime" and ort_pred.engine_note is None
    assert torch_pred.engine == "torch" and torch_pred.model is not None
    assert "ONNX Runtime" in ort_pred.describe() and "PyTorch" in torch_pred.describe()
    assert checkpoint.with_suffix(".onnx").is_file()  # exported beside the checkpoint
    for seed, (h, w) in enumerate([(150, 230), (64, 64), (97, 301)]):
        img = _scene(h, w, seed)
        a = ort_pred.predict(img, return_probs=False)
        b = torch_pred.predict(img, return_probs=False)
        assert (a.label_map == b.label_map).mean() >= 0.999
        assert (b.label_map == 1).any() and (b.label_map == 0).any()  # the model sees boxes
        assert np.abs(a.confidence - b.confidence).max() < 1e-3
    # tiled: the same tiling policy, only the forward call differs
    ort_pred.tile_size = torch_pred.tile_size = 64
    ort_pred.overlap = torch_pred.overlap = 16
    img = _scene(150, 230, 7)
    assert (ort_pred.predict(img).label_map == torch_pred.predict(img).label_map).mean() >= 0.999


def test_an_exported_onnx_loads_like_its_checkpoint(checkpoint, tmp_path, capsys):
    out = tmp_path / "export" / "boxes.onnx"
    assert main(["export-onnx", str(checkpoint), "--out", str(out)]) == 0
    assert "onnxruntime check" in capsys.readouterr().out
    ck = load_checkpoint(checkpoint)
    pred = open_predictor(out)
    assert pred.engine == "onnxruntime" and pred.class_names == NAMES
    assert pred.checkpoint.meta["mean"] == ck.meta["mean"] and pred.checkpoint.meta["colours"] == ck.meta["colours"]
    assert pred.checkpoint.meta["arch"] == "unet"
    note = open_predictor(out, engine="torch").engine_note
    assert "boxes.onnx is an ONNX model" in note and "onnxruntime" in note
    # predict and eval take it as the model
    folder = tmp_path / "imgs"
    folder.mkdir()
    img = np.zeros((64, 96, 3), np.uint8)
    img[16:48, 24:72] = 255
    Image.fromarray(img).save(folder / "a.png")
    assert main(["predict", str(out), str(folder), "-q"]) == 0
    assert "ONNX Runtime" in capsys.readouterr().err
    shapes = load(folder / "a.json").shapes
    assert [s.label for s in shapes] == ["box"] and shapes[0].proposed
    ann = new_annotation(folder / "a.png", folder / "a.json", 96, 64)
    ann.shapes = [Shape("box", [(24, 16), (71, 47)], shape_type="rectangle")]
    save(ann, folder / "a.json")
    assert main(["eval", str(out), str(folder), "--cache-dir", str(tmp_path / "cache")]) == 0
    text = capsys.readouterr().out
    assert "onnxruntime engine" in text and "box" in text


def _foreign_onnx(path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])
    model = helper.make_model(helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [x], [y]),
                              opset_imports=[helper.make_opsetid("", 18)])
    onnx.save(model, str(path))
    return path


def test_corrupt_or_foreign_onnx_is_refused_naming_the_file(checkpoint, tmp_path, capsys):
    junk = tmp_path / "junk.onnx"
    junk.write_text("not a model at all")
    with pytest.raises(OnnxModelError, match=r"junk\.onnx: is not a readable ONNX model"):
        open_predictor(junk)
    foreign = _foreign_onnx(tmp_path / "foreign.onnx")
    with pytest.raises(OnnxModelError, match=r"foreign\.onnx: is an ONNX model, but not one exported by segstudio"):
        open_predictor(foreign)
    with pytest.raises(OnnxModelError, match="missing.onnx: no such file"):
        open_predictor(tmp_path / "missing.onnx")
    # ours, but its description was tampered with
    open_predictor(checkpoint)
    model = onnx.load(str(checkpoint.with_suffix(".onnx")))
    for prop in model.metadata_props:
        if prop.key == META_KEY:
            meta = json.loads(prop.value)
            meta["std"] = [0, 0, 0]
            prop.value = json.dumps(meta)
    onnx.save(model, str(tmp_path / "tampered.onnx"))
    with pytest.raises(OnnxModelError, match=r"tampered\.onnx: has damaged segstudio metadata: std"):
        read_onnx(tmp_path / "tampered.onnx")
    # the command line says so and stops
    images = tmp_path / "imgs"
    images.mkdir()
    Image.fromarray(_scene()).save(images / "a.png")
    assert main(["predict", str(foreign), str(images), "-q"]) == 2
    assert "foreign.onnx: is an ONNX model, but not one exported by segstudio" in capsys.readouterr().err
    assert main(["predict", str(junk), str(images), "-q"]) == 2
    assert "junk.onnx: is not a readable ONNX model" in capsys.readouterr().err
    assert not (images / "a.json").exists()


def _digest_of(onnx_path) -> str:
    return {p.key: p.value for p in onnx.load(str(onnx_path)).metadata_props}[DIGEST_KEY]


def test_cached_onnx_is_reused_and_rebuilt_when_the_checkpoint_changes(checkpoint, monkeypatch):
    exports = []
    real = eng.export_onnx
    monkeypatch.setattr(eng, "export_onnx", lambda *a, **k: exports.append(a) or real(*a, **k))
    img = _scene(seed=3)
    first = open_predictor(checkpoint).predict(img, return_probs=False).label_map
    cached = checkpoint.with_suffix(".onnx")
    digest = _digest_of(cached)
    assert len(exports) == 1
    open_predictor(checkpoint)
    assert len(exports) == 1  # same checkpoint bytes: the cached export is reused
    # the checkpoint changes (retrained): flip the model's decision
    ck = load_checkpoint(checkpoint)
    with torch.no_grad():
        last = [m for m in ck.model.modules() if isinstance(m, torch.nn.Conv2d)][-1]
        last.weight.neg_()
        last.bias.neg_()
    save_checkpoint(checkpoint, ck.model, arch="unet", arch_kwargs=ck.meta["arch_kwargs"], class_names=NAMES,
                    mean=ck.meta["mean"], std=ck.meta["std"])
    again = open_predictor(checkpoint)
    assert len(exports) == 2 and _digest_of(cached) != digest
    second = again.predict(img, return_probs=False).label_map
    torch_second = open_predictor(checkpoint, engine="torch").predict(img, return_probs=False).label_map
    assert (second == torch_second).mean() >= 0.999 and (second != first).mean() > 0.5


def test_a_foreign_file_beside_the_checkpoint_is_left_alone(checkpoint, tmp_path):
    beside = _foreign_onnx(checkpoint.with_suffix(".onnx"))
    before = beside.read_bytes()
    pred = open_predictor(checkpoint, cache_dir=tmp_path / "cache")
    assert pred.engine == "onnxruntime"
    assert beside.read_bytes() == before
    assert len(list((tmp_path / "cache").glob("boxes-*.onnx"))) == 1


def test_pytorch_takes_over_when_onnxruntime_is_missing(checkpoint, monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if not installed
    pred = open_predictor(checkpoint)
    assert pred.engine == "torch" and "onnxruntime is not installed" in pred.engine_note
    assert not checkpoint.with_suffix(".onnx").exists()
    images = tmp_path / "imgs"
    images.mkdir()
    Image.fromarray(_scene()).save(images / "a.png")
    assert main(["predict", str(checkpoint), str(images), "-q"]) == 0
    err = capsys.readouterr().err
    assert "note: running PyTorch: onnxruntime is not installed" in err and "PyTorch" in err


def test_pytorch_takes_over_when_the_export_fails(checkpoint, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("Unsupported operator aten::mystery")

    monkeypatch.setattr(eng, "export_onnx", broken)
    pred = open_predictor(checkpoint)
    assert pred.engine == "torch"
    assert pred.engine_note == "running PyTorch: the ONNX export failed (Unsupported operator aten::mystery)"
    assert open_predictor(checkpoint, engine="torch").engine_note is None


def test_a_bad_checkpoint_is_refused_whatever_the_engine(tmp_path):
    bad = tmp_path / "notes.pt"
    bad.write_text("not a model")
    for engine in ("auto", "onnxruntime", "torch"):
        with pytest.raises(ValueError, match="notes.pt"):
            open_predictor(bad, engine=engine)
    with pytest.raises(ValueError, match="engine must be one of"):
        open_predictor(bad, engine="tensorflow")


def test_a_read_only_folder_gets_its_export_cached_in_the_user_cache(checkpoint, tmp_path, monkeypatch):
    real = eng.export_onnx
    beside = checkpoint.with_suffix(".onnx")

    def export(ck, out, **kw):
        if out == beside:  # the checkpoint's folder refuses writes
            raise PermissionError(13, "Permission denied", str(out))
        return real(ck, out, **kw)

    monkeypatch.setattr(eng, "export_onnx", export)
    monkeypatch.setenv("SEGCORE_CACHE", str(tmp_path / "cache"))
    pred = open_predictor(checkpoint)
    assert pred.engine == "onnxruntime" and not beside.exists()
    (cached,) = (tmp_path / "cache" / "onnx").glob("boxes-*.onnx")
    mtime = cached.stat().st_mtime_ns
    open_predictor(checkpoint)  # found again there, not exported again
    assert cached.stat().st_mtime_ns == mtime


def test_the_onnx_graph_gives_the_label_map_and_confidence_of_the_torch_path(checkpoint):
    ort_pred = open_predictor(checkpoint, engine="onnxruntime", device="cpu")
    torch_pred = open_predictor(checkpoint, engine="torch", device="cpu")
    assert ort_pred.runner.has_maps and not torch_pred.runner.has_maps
    img = _scene(96, 160, seed=5)
    x = torch.stack([torch_pred._to_input(img)])
    label, conf = ort_pred.runner.maps(x)
    probs = torch.softmax(torch_pred.runner(x), dim=1)
    top, idx = probs.max(dim=1)
    assert label.dtype == np.uint8 and conf.dtype == np.float32 and label.shape == (1, 96, 160)
    assert (label == idx.numpy()).mean() >= 0.999
    assert np.abs(conf - top.numpy()).max() < 1e-3
    # predict() takes the graph's maps, whatever the tiling
    calls = []
    real = ort_pred.runner.maps
    ort_pred.runner.maps = lambda t: calls.append(t.shape) or real(t)
    ort_pred.tile_size, ort_pred.overlap = 64, 16
    torch_pred.tile_size, torch_pred.overlap = 64, 16
    a = ort_pred.predict(img, return_probs=False)
    b = torch_pred.predict(img, return_probs=False)
    assert calls and (a.label_map == b.label_map).mean() >= 0.999
    assert np.abs(a.confidence - b.confidence).max() < 1e-3


def test_an_export_from_before_the_map_outputs_is_rebuilt(checkpoint, monkeypatch):
    img = _scene(seed=4)
    fresh = open_predictor(checkpoint).predict(img, return_probs=False)
    cached = checkpoint.with_suffix(".onnx")
    # the same checkpoint's export as an earlier version wrote it: logits only, no graph variant
    model = onnx.load(str(cached))
    while len(model.graph.output) > 1:
        model.graph.output.pop()
    props = [(p.key, p.value) for p in model.metadata_props if p.key != "segstudio.graph"]
    del model.metadata_props[:]
    for key, value in props:
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(cached))
    old = open_predictor(cached)  # still loads and runs, on its logits
    assert not old.runner.has_maps
    assert (old.predict(img, return_probs=False).label_map == fresh.label_map).all()
    exports = []
    real = eng.export_onnx
    monkeypatch.setattr(eng, "export_onnx", lambda *a, **k: exports.append(a) or real(*a, **k))
    again = open_predictor(checkpoint)
    assert len(exports) == 1 and again.runner.has_maps
    assert (again.predict(img, return_probs=False).label_map == fresh.label_map).all()

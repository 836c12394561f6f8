"""A checkpoint as an ONNX model: dynamic batch, height and width, carrying its description.

The default (dynamo) exporter of torch 2.x needs ``onnxscript``; without it, or when it fails,
the TorchScript exporter (``dynamo=False``) is used. Input: float32 ``(N, 3, H, W)`` normalised
with the checkpoint's mean/std (H, W multiples of the input policy's divisor are safest);
outputs: logits ``(N, C, H, W)`` and, computed in the graph so that onnxruntime does it on
its own threads, ``label`` ``(N, H, W)`` (arg-max class; uint8 up to 256 classes, else int32)
and ``confidence`` ``(N, H, W)`` float32 (the largest softmax probability, ``1 / sum(exp(l -
max l))``). A caller asks only for the outputs it needs.

The model's ``metadata_props`` hold what a checkpoint says about itself (class names, colours,
mean/std, input policy, architecture; :data:`META_KEY`, JSON) and the SHA-256 of the checkpoint
file it came from (:data:`DIGEST_KEY`), so an exported file loads anywhere a checkpoint does and a
cached export can tell whether its checkpoint changed since.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT_KEY = "segstudio.format"
FORMAT_VALUE = "segstudio-onnx"
META_KEY = "segstudio.meta"
DIGEST_KEY = "segstudio.checkpoint_sha256"
GRAPH_KEY = "segstudio.graph"
GRAPH_VARIANT = "logits+maps/2"
"""The graph's outputs and their layout; a cached export of another variant is rebuilt."""
LABEL_OUTPUT, CONFIDENCE_OUTPUT = "label", "confidence"
ONNX_EXTRA = "pip install 'segstudio[onnx]'  (or: pip install onnx onnxscript onnxruntime)"
_META_FIELDS = ("format_version", "arch", "arch_kwargs", "class_names", "colours", "mean", "std", "input_policy",
                "metrics", "created", "torch_version")


class OnnxUnavailable(RuntimeError):
    """The optional ONNX packages are not installed; the message says what to install."""


def found(module: str) -> bool:
    """Whether ``module`` can be imported (False when it is absent or blocked in sys.modules)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require_onnx() -> None:
    """Raise :class:`OnnxUnavailable` unless the ``onnx`` package is installed."""
    if not found("onnx"):
        raise OnnxUnavailable(f"exporting to ONNX needs the optional 'onnx' package, which is not installed: "
                              f"{ONNX_EXTRA}")


def file_digest(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def metadata_for(meta: dict[str, Any], digest: str) -> dict[str, str]:
    """The ``metadata_props`` an exported model carries for the checkpoint description ``meta``."""
    desc = {k: meta[k] for k in _META_FIELDS if k in meta}
    return {FORMAT_KEY: FORMAT_VALUE, META_KEY: json.dumps(desc, default=str), DIGEST_KEY: digest,
            GRAPH_KEY: GRAPH_VARIANT}


def add_map_outputs(model: Any, n_classes: int) -> None:
    """Append to ``model`` (an ``onnx.ModelProto`` whose first output is the logits) the
    ``label`` and ``confidence`` outputs (see the module docstring)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    logits = graph.output[0].name
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=18)
    axes = numpy_helper.from_array(np.array([1], np.int64), "segstudio_axis1")
    graph.initializer.append(axes)

    def reduce(op: str, inputs: str, output: str, since: int, keepdims: int) -> Any:
        # the axes are an input from ``since`` on, an attribute before
        if opset >= since:
            return helper.make_node(op, [inputs, axes.name], [output], keepdims=keepdims)
        return helper.make_node(op, [inputs], [output], axes=[1], keepdims=keepdims)

    label_type = TensorProto.UINT8 if n_classes <= 256 else TensorProto.INT32
    graph.node.extend([
        helper.make_node("ArgMax", [logits], ["segstudio_argmax"], axis=1, keepdims=0),
        helper.make_node("Cast", ["segstudio_argmax"], [LABEL_OUTPUT], to=label_type),
        reduce("ReduceMax", logits, "segstudio_top", 18, 1),
        helper.make_node("Sub", [logits, "segstudio_top"], ["segstudio_shifted"]),
        helper.make_node("Exp", ["segstudio_shifted"], ["segstudio_exp"]),
        reduce("ReduceSum", "segstudio_exp", "segstudio_sum", 13, 0),
        helper.make_node("Reciprocal", ["segstudio_sum"], [CONFIDENCE_OUTPUT]),
    ])
    dims = ["batch", "height", "width"]
    graph.output.extend([helper.make_tensor_value_info(LABEL_OUTPUT, label_type, dims),
                         helper.make_tensor_value_info(CONFIDENCE_OUTPUT, TensorProto.FLOAT, dims)])
    onnx.checker.check_model(model)


def _export_graph(net, side: int, opset: int, tmp_path: Path, exporters: tuple[str, ...]) -> str:
    """Write ``net`` as ONNX to ``tmp_path`` with the first of ``exporters`` that works
    ("dynamo" needs onnxscript); returns the exporter used."""
    import torch

    x = torch.randn(1, 3, side, side)
    errors = []
    for name in exporters:
        if name == "dynamo" and not found("onnxscript"):
            continue
        try:
            if name == "dynamo":
                from torch.export import Dim

                dyn = {"x": {0: Dim("batch", min=1, max=64), 2: Dim("height", min=32, max=8192),
                             3: Dim("width", min=32, max=8192)}}
                torch.onnx.export(net, (x,), str(tmp_path), dynamo=True, opset_version=opset,
                                  input_names=["image"], output_names=["logits"], dynamic_shapes=dyn,
                                  external_data=False)
            else:
                torch.onnx.export(net, (x,), str(tmp_path), dynamo=False, opset_version=opset,
                                  input_names=["image"], output_names=["logits"],
                                  dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"},
                                                "logits": {0: "batch", 2: "height", 3: "width"}})
            return name
        except Exception as exc:  # noqa: BLE001 - try the next exporter
            errors.append(f"{name} exporter: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    raise RuntimeError("; ".join(errors) or "no ONNX exporter available")


def export_onnx(checkpoint: str | Path, out: str | Path | None = None, *, size: int | None = None,
                opset: int = 18, check: bool = True,
                exporters: tuple[str, ...] = ("dynamo", "torchscript")) -> tuple[Path, str, dict | None]:
    """Export ``checkpoint`` to ``out`` (default: beside it, ``.onnx``), atomically; returns
    (path, exporter used, check) where check (None when not checked) has ``max_abs`` (max
    |onnxruntime - torch| on the logits), ``rel`` (that over the largest |logit|, at least 1)
    and ``agreement`` (fraction of pixels with the same arg-max class). ``exporters``: tried in
    this order (the TorchScript exporter is ~10x faster, the dynamo one the future default)."""
    import logging
    import warnings

    import torch

    from segcore.checkpoint import load_checkpoint
    from segcore.io.annotation import atomic_write_bytes
    from segcore.models.registry import main_output

    ck = load_checkpoint(checkpoint, device="cpu")
    require_onnx()
    import onnx

    digest = file_digest(checkpoint)
    out = Path(out) if out else Path(checkpoint).with_suffix(".onnx")
    policy = ck.meta.get("input_policy") or {}
    side = size or policy.get("crop_size") or 256
    side = max(32, -(-int(side) // 32) * 32)

    class Logits(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, x):
            return main_output(self.model(x))

    net = Logits(ck.model).eval()
    quiet = [logging.getLogger(n) for n in ("torch.onnx", "torch.export", "onnxscript")]
    levels = [lg.level for lg in quiet]
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as tmp, \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lg in quiet:
            lg.setLevel(logging.ERROR)
        try:
            tmp_path = Path(tmp) / "model.onnx"
            used = _export_graph(net, side, opset, tmp_path, exporters)
            model = onnx.load(str(tmp_path))
        finally:
            for lg, level in zip(quiet, levels):
                lg.setLevel(level)
    add_map_outputs(model, len(ck.meta["class_names"]))
    del model.metadata_props[:]
    for key, value in metadata_for(ck.meta, digest).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, model.SerializeToString())
    diff = _compare(net, out, side) if check and found("onnxruntime") else None
    return out, used, diff


def _compare(net, out: Path, side: int) -> dict:
    """How the exported model's logits compare with PyTorch's on a random batch."""
    import numpy as np
    import onnxruntime as ort
    import torch

    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    probe = torch.randn(2, 3, side, side + 32)  # another batch and width than the export example
    with torch.no_grad():
        ref = net(probe).numpy()
    got = sess.run(None, {name: probe.numpy()})[0]
    if got.shape != ref.shape:
        raise RuntimeError(f"{out}: onnxruntime output {got.shape} differs from torch {ref.shape}")
    max_abs = float(np.abs(got - ref).max())
    return {"max_abs": max_abs, "rel": max_abs / max(1.0, float(np.abs(ref).max())),
            "agreement": float((got.argmax(1) == ref.argmax(1)).mean())}


__all__ = ["CONFIDENCE_OUTPUT", "DIGEST_KEY", "GRAPH_KEY", "GRAPH_VARIANT", "LABEL_OUTPUT", "META_KEY", "ONNX_EXTRA",
           "OnnxUnavailable", "add_map_outputs", "export_onnx", "file_digest", "found", "metadata_for", "require_onnx"]

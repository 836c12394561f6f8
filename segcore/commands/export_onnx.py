"""``python -m segcore export-onnx CHECKPOINT [--out model.onnx]``: an ONNX model with dynamic
batch, height and width, checked against PyTorch with onnxruntime when it is installed.

The default (dynamo) exporter of torch 2.x needs ``onnxscript``; without it, or when it fails,
the TorchScript exporter (``dynamo=False``) is used. Input: float32 ``(N, 3, H, W)`` normalised
with the checkpoint's mean/std (H, W multiples of 32 are safest); output: logits ``(N, C, H, W)``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="a checkpoint written by `segcore train`")
    p.add_argument("--out", help="output .onnx file (default: beside the checkpoint)")
    p.add_argument("--size", type=int, default=None, help="example input side (default from the checkpoint)")
    p.add_argument("--opset", type=int, default=18)
    p.add_argument("--no-check", action="store_true", help="skip the onnxruntime comparison")


ONNX_EXTRA = "pip install 'segstudio[onnx]'  (or: pip install onnx onnxscript onnxruntime)"


class OnnxUnavailable(RuntimeError):
    """The optional ONNX packages are not installed; the message says what to install."""


def _require_onnx() -> None:
    if not _found("onnx"):
        raise OnnxUnavailable(f"exporting to ONNX needs the optional 'onnx' package, which is not installed: "
                              f"{ONNX_EXTRA}")


def export_onnx(checkpoint: str | Path, out: str | Path | None = None, *, size: int | None = None,
                opset: int = 18, check: bool = True) -> tuple[Path, str, dict | None]:
    """Export; returns (path, exporter used, check) where check (None when not checked) has
    ``max_abs`` (max |onnxruntime - torch| on the logits), ``rel`` (that over the largest
    |logit|, at least 1) and ``agreement`` (fraction of pixels with the same arg-max class)."""
    import tempfile

    import torch

    from segcore.checkpoint import load_checkpoint
    from segcore.io.annotation import atomic_write_bytes
    from segcore.models.registry import main_output

    ck = load_checkpoint(checkpoint, device="cpu")
    _require_onnx()
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
    x = torch.randn(1, 3, side, side)
    used = ""
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as tmp:
        tmp_path = Path(tmp) / "model.onnx"
        errors = []
        if _found("onnxscript"):
            try:
                from torch.export import Dim

                dyn = {"x": {0: Dim("batch", min=1, max=64), 2: Dim("height", min=32, max=8192),
                             3: Dim("width", min=32, max=8192)}}
                torch.onnx.export(net, (x,), str(tmp_path), dynamo=True, opset_version=opset,
                                  input_names=["image"], output_names=["logits"], dynamic_shapes=dyn,
                                  external_data=False)
                used = "dynamo"
            except Exception as exc:  # noqa: BLE001 - fall back to the other exporter
                errors.append(f"dynamo exporter: {exc}")
        if not used:
            torch.onnx.export(net, (x,), str(tmp_path), dynamo=False, opset_version=opset,
                              input_names=["image"], output_names=["logits"],
                              dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"},
                                            "logits": {0: "batch", 2: "height", 3: "width"}})
            used = "torchscript"
        data = tmp_path.read_bytes()
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data)
    diff = None
    if check and _found("onnxruntime"):
        import numpy as np
        import onnxruntime as ort

        sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        name = sess.get_inputs()[0].name
        probe = torch.randn(2, 3, side, side + 32)  # another batch and width than the export example
        with torch.no_grad():
            ref = net(probe).numpy()
        got = sess.run(None, {name: probe.numpy()})[0]
        if got.shape != ref.shape:
            raise RuntimeError(f"{out}: onnxruntime output {got.shape} differs from torch {ref.shape}")
        max_abs = float(np.abs(got - ref).max())
        diff = {"max_abs": max_abs, "rel": max_abs / max(1.0, float(np.abs(ref).max())),
                "agreement": float((got.argmax(1) == ref.argmax(1)).mean())}
    return out, used, diff


def _found(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def run(args: argparse.Namespace) -> int:
    from segcore.checkpoint import CheckpointError

    try:
        out, used, diff = export_onnx(args.checkpoint, args.out, size=args.size, opset=args.opset,
                                      check=not args.no_check)
    except (CheckpointError, FileNotFoundError, OnnxUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unwritable or full output folder
        where = args.out or Path(args.checkpoint).with_suffix(".onnx")
        print(f"error: cannot write {where}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({used} exporter)")
    if diff is not None:
        print(f"onnxruntime check: max |difference| vs PyTorch = {diff['max_abs']:.2e} "
              f"(relative {diff['rel']:.1e}), same class on {100 * diff['agreement']:.3f}% of pixels")
        if diff["rel"] > 1e-3 or diff["agreement"] < 0.999:
            print("warning: the ONNX model's output differs noticeably from PyTorch", file=sys.stderr)
            return 1
    elif args.no_check:
        print("output not checked against PyTorch (--no-check)")
    else:
        print("onnxruntime not installed: output not checked")
    return 0

"""``python -m segcore export-onnx CHECKPOINT [--out model.onnx]``: an ONNX model with dynamic
batch, height and width, checked against PyTorch with onnxruntime when it is installed.

The export itself is :func:`segcore.inference.onnx_export.export_onnx` (exporters, input and
output, the checkpoint's description in the model's metadata); the file it writes loads
wherever a checkpoint does (``predict``, ``eval``, the annotator's Model > Load).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from segcore.inference.onnx_export import OnnxUnavailable, export_onnx


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="a checkpoint written by `segcore train`")
    p.add_argument("--out", help="output .onnx file (default: beside the checkpoint)")
    p.add_argument("--size", type=int, default=None, help="example input side (default from the checkpoint)")
    p.add_argument("--opset", type=int, default=18)
    p.add_argument("--no-check", action="store_true", help="skip the onnxruntime comparison")


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

"""`export-onnx` without the optional onnx package says which extra to install (no traceback)."""

from __future__ import annotations

import argparse
import sys

from segcore.checkpoint import save_checkpoint
from segcore.commands import export_onnx
from segcore.models.registry import build_model


def test_missing_onnx_names_the_extra(tmp_path, monkeypatch, capsys):
    ck = tmp_path / "m.pt"
    save_checkpoint(ck, build_model("unet", 2, base_channels=4, depth=2), arch="unet",
                    arch_kwargs={"base_channels": 4, "depth": 2}, class_names=["_background_", "a"])
    for module in ("onnx", "onnxscript"):
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed: importing it fails
    args = argparse.Namespace(checkpoint=str(ck), out=None, size=None, opset=18, no_check=True)
    assert export_onnx.run(args) == 2
    err = capsys.readouterr().err
    assert "onnx" in err and "segstudio[onnx]" in err
    assert not ck.with_suffix(".onnx").exists()

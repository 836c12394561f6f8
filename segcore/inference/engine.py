"""Which engine runs a model, chosen once: eager PyTorch or onnxruntime.

:func:`open_predictor` takes a checkpoint (``.pt``) or an ONNX file exported by segstudio and an
engine (``"auto"``, ``"torch"``, ``"onnxruntime"``):

- ``auto`` (the default) and ``onnxruntime`` run onnxruntime when it is installed: a checkpoint is
  exported on first use into an ONNX file beside it (``model.pt`` -> ``model.onnx``), or into the
  user's cache folder when that folder is read-only or the name is taken by a foreign file. The
  export carries the SHA-256 of the checkpoint's bytes and its graph variant (the outputs it
  computes), so it is rebuilt when the checkpoint changes or the graph an earlier version wrote
  lacks what this one needs. The session is built once (CUDA provider when there is one and the
  device allows it, else the CPU one with as many intra-op threads as PyTorch uses) and reused
  for every image.
- When onnxruntime is missing, the export or the session fails, or the device is one onnxruntime
  does not serve here, the checkpoint runs in PyTorch and ``predictor.engine_note`` says why.
- ``torch`` runs the checkpoint in PyTorch.
- An ONNX file runs in onnxruntime whatever the engine asked for (it has no PyTorch model); one
  that is corrupt, or not exported by segstudio, is refused with :class:`OnnxModelError`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from segcore.checkpoint import CheckpointError, LoadedCheckpoint
from segcore.checkpoint_schema import SchemaError, validate_meta
from segcore.inference.onnx_export import (
    DIGEST_KEY,
    FORMAT_KEY,
    FORMAT_VALUE,
    GRAPH_KEY,
    GRAPH_VARIANT,
    META_KEY,
    export_onnx,
    file_digest,
    found,
)
from segcore.inference.predict import Predictor, pick_device
from segcore.inference.runners import OrtRunner

ENGINES = ("auto", "torch", "onnxruntime")
ENGINE_LABELS = {"auto": "Auto", "torch": "PyTorch", "onnxruntime": "ONNX Runtime"}


class OnnxModelError(CheckpointError):
    """An ONNX file that segstudio cannot run: corrupt, foreign, or with damaged metadata."""


def is_onnx_path(path: str | os.PathLike) -> bool:
    """Whether ``path`` names an ONNX model (by its extension)."""
    return Path(path).suffix.lower() == ".onnx"


def onnx_cache_dir() -> Path:
    """Where exports of checkpoints in read-only folders go: ``$SEGCORE_CACHE/onnx``, else
    ``$XDG_CACHE_HOME/segcore/onnx`` or ``~/.cache/segcore/onnx``."""
    env = os.environ.get("SEGCORE_CACHE")
    if env:
        return Path(env) / "onnx"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "segcore" / "onnx"


def _providers(device: str | None) -> list[str]:
    """The execution providers for ``device``; ValueError saying why onnxruntime cannot serve it."""
    import onnxruntime as ort

    dev = pick_device(device)
    if dev.type == "cpu":
        return ["CPUExecutionProvider"]
    if dev.type == "cuda" and "CUDAExecutionProvider" in ort.get_available_providers():
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    raise ValueError(f"onnxruntime has no provider for {dev} here (installed: "
                     f"{', '.join(ort.get_available_providers())})")


def _session(path: Path, providers: list[str]) -> Any:
    import onnxruntime as ort
    import torch

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = max(1, torch.get_num_threads())  # the same budget as PyTorch's
    opts.inter_op_num_threads = 1
    # no busy-waiting between operators: a folder pass traces and saves the previous image
    # meanwhile, on the same cores
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), opts, providers=providers)
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own error types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OnnxModelError(path, f"is not a readable ONNX model ({first[:300]})") from None


def read_onnx(path: str | os.PathLike, *, device: str | None = None) -> tuple[LoadedCheckpoint, Any, str | None]:
    """Open an ONNX file exported by segstudio: (its description as a checkpoint without a
    model, the onnxruntime session, the checkpoint digest it was made from or None).
    Raises :class:`OnnxModelError` naming the file when it is missing, corrupt or foreign."""
    p = Path(path)
    if not p.is_file():
        raise OnnxModelError(p, "no such file" if not p.exists() else "is not a file")
    if not found("onnxruntime"):
        raise OnnxModelError(p, "is an ONNX model, which needs onnxruntime: pip install onnxruntime")
    try:
        providers = _providers(device)
    except ValueError:
        providers = ["CPUExecutionProvider"]
    sess = _session(p, providers)
    props = sess.get_modelmeta().custom_metadata_map or {}
    if props.get(FORMAT_KEY) != FORMAT_VALUE or META_KEY not in props:
        raise OnnxModelError(p, "is an ONNX model, but not one exported by segstudio: it does not say its class "
                                "names and normalisation (export a checkpoint with `segcore export-onnx`)")
    try:
        meta = json.loads(props[META_KEY])
        if not isinstance(meta, dict):
            raise SchemaError(f"the description is a {type(meta).__name__}, not a dict")
        meta = validate_meta(meta)
    except (ValueError, SchemaError) as exc:
        raise OnnxModelError(p, f"has damaged segstudio metadata: {exc}") from None
    inputs, outputs = sess.get_inputs(), sess.get_outputs()
    if len(inputs) != 1 or len(inputs[0].shape) != 4 or len(outputs[0].shape) != 4:
        raise OnnxModelError(p, "does not take one (N, 3, H, W) image and give (N, C, H, W) logits")
    return LoadedCheckpoint(model=None, meta=meta, path=p), sess, props.get(DIGEST_KEY)


def _variant(session: Any) -> str | None:
    """The graph variant an exported model says it is (None for an export that predates them)."""
    return (session.get_modelmeta().custom_metadata_map or {}).get(GRAPH_KEY)


def _is_ours(path: Path) -> bool:
    """Whether an existing ONNX file carries segstudio's metadata (so it may be replaced)."""
    try:
        read_onnx(path)
    except OnnxModelError as exc:
        return "not one exported by segstudio" not in exc.reason
    return True


def onnx_for_checkpoint(checkpoint: str | os.PathLike, *, device: str | None = None,
                        cache_dir: str | os.PathLike | None = None) -> tuple[LoadedCheckpoint, Any, Path]:
    """The ONNX model of ``checkpoint``, exported on first use and reused while the checkpoint's
    bytes stay the same: (description, session, ONNX path). Export and session errors propagate."""
    ck_path = Path(checkpoint)
    digest = file_digest(ck_path)
    beside = ck_path.with_suffix(".onnx")
    cached = Path(cache_dir) if cache_dir is not None else onnx_cache_dir()
    variant = GRAPH_VARIANT.replace("+", "-").replace("/", "-")
    cached = cached / f"{ck_path.stem}-{digest[:16]}-{variant}.onnx"
    for candidate in (beside, cached):
        if candidate.is_file():
            try:
                ck, sess, made_from = read_onnx(candidate, device=device)
            except OnnxModelError:
                continue
            if made_from == digest and _variant(sess) == GRAPH_VARIANT:
                return ck, sess, candidate
    targets = [cached]
    if not beside.exists() or _is_ours(beside):
        targets.insert(0, beside)
    error: Exception | None = None
    for target in targets:
        try:
            export_onnx(ck_path, target, check=False, exporters=("torchscript", "dynamo"))
        except OSError as exc:  # a read-only folder: the next target
            error = exc
            continue
        ck, sess, _ = read_onnx(target, device=device)
        return ck, sess, target
    raise OSError(f"cannot write the ONNX export of {ck_path} ({error})")


def open_predictor(path: str | os.PathLike, *, engine: str = "auto", device: str | None = None,
                   tile_size: int | None = None, overlap: int | None = None, batch_size: int = 4,
                   amp: bool = True, cache_dir: str | os.PathLike | None = None) -> Predictor:
    """A :class:`Predictor` for a checkpoint or a segstudio ONNX file on the chosen engine (see
    the module docstring); ``predictor.engine`` says which runs, ``predictor.engine_note`` why
    it is not the one asked for (None when it is)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    opts = dict(tile_size=tile_size, overlap=overlap, batch_size=batch_size)
    p = Path(path)
    if is_onnx_path(p):
        ck, sess, _ = read_onnx(p, device=device)
        pred = Predictor(ck, runner=OrtRunner(sess), **opts)
        if engine == "torch":
            pred.engine_note = f"{p.name} is an ONNX model: it runs with onnxruntime, not PyTorch"
        return pred
    reason = None
    if engine != "torch":
        reason = _onnx_unusable(device)
        if reason is None:
            try:
                ck, sess, _ = onnx_for_checkpoint(p, device=device, cache_dir=cache_dir)
                return Predictor(ck, runner=OrtRunner(sess), **opts)
            except CheckpointError as exc:
                if not isinstance(exc, OnnxModelError):
                    raise  # a bad checkpoint: PyTorch would refuse it just the same
                reason = f"its ONNX export cannot be loaded ({exc})"
            except Exception as exc:  # noqa: BLE001 - any export failure falls back to PyTorch
                text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                reason = f"the ONNX export failed ({text[:300]})"
    pred = Predictor(p, device=device, amp=amp, **opts)
    if reason is not None:
        pred.engine_note = f"running PyTorch: {reason}"
    return pred


def _onnx_unusable(device: str | None) -> str | None:
    """Why onnxruntime cannot run here (None when it can)."""
    if not found("onnxruntime"):
        return "onnxruntime is not installed (pip install onnxruntime)"
    try:
        _providers(device)
    except ValueError as exc:
        return str(exc)
    return None


__all__ = ["ENGINES", "ENGINE_LABELS", "OnnxModelError", "is_onnx_path", "onnx_cache_dir", "onnx_for_checkpoint",
           "open_predictor", "read_onnx"]

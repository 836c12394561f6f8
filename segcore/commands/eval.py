"""``python -m segcore eval CHECKPOINT FOLDER``: metrics of a checkpoint on a labelled folder.

Every labelled image of FOLDER is evaluated (or one side of the training split with
``--split``), at the checkpoint's input size, scored at each label's own resolution from one
confusion matrix. Prints the per-class table; ``--json`` also writes the metrics.
Works under ``torchrun`` too (images sharded, the confusion matrix summed across ranks).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", help="a checkpoint written by `segcore train`")
    p.add_argument("folder", help="labelled folder (images + LabelMe JSON)")
    p.add_argument("--split", choices=("all", "train", "val"), default="all",
                   help="evaluate every labelled image (default) or one side of the hash split")
    p.add_argument("--val-ratio", type=float, default=0.2, help="with --split: the training run's ratio")
    p.add_argument("--split-seed", "--seed", dest="split_seed", type=int, default=0,
                   help="with --split: the training run's --split-seed (its --seed for runs of versions before it)")
    p.add_argument("--json", dest="json_out", help="also write the metrics to this JSON file")
    p.add_argument("--device", help="cpu, cuda, mps (default: the best available)")
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--cache-dir", help="rasterised class-map cache (default ~/.cache/segcore)")
    p.add_argument("--engine", choices=("auto", "torch", "onnxruntime"), default="auto",
                   help="auto (default): onnxruntime when installed and the export works, else PyTorch")


def evaluate_checkpoint(checkpoint: str | Path, folder: str | Path, *, split: str = "all", val_ratio: float = 0.2,
                        split_seed: int = 0, device: str | None = None, batch_size: int = 2,
                        cache_dir: str | None = None, engine: str = "auto") -> tuple[dict, list[str]]:
    """Metrics (see :func:`segcore.metrics.scores`, plus ``confusion_matrix``, ``images``) and warnings.
    ``checkpoint`` may be a segstudio ONNX file; ``engine`` as in
    :func:`segcore.inference.engine.open_predictor` (a note in the warnings says why it differs)."""
    import torch
    from torch.utils.data import DataLoader, Subset

    from segcore.inference.engine import open_predictor
    from segcore.inference.runners import RunnerModule
    from segcore.training import distributed as ddp
    from segcore.training.data import DataError, SegDataset, collate_eval, prepare_folder
    from segcore.training.loop import evaluate

    dev = torch.device(device) if device else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    info = ddp.setup(dev.type)
    try:
        if info.enabled and dev.type == "cuda":
            dev = torch.device("cuda", info.local_rank)
        predictor = open_predictor(checkpoint, engine=engine, device=str(dev), amp=False)
        ck, notes = predictor.checkpoint, [predictor.engine_note] if predictor.engine_note else []
        if predictor.engine == "onnxruntime":
            dev = predictor.device  # onnxruntime's results arrive in host memory
        names = ck.class_names
        data = prepare_folder(folder, class_names=names, val_ratio=val_ratio if split != "all" else 0.0,
                              seed=split_seed, cache_dir=cache_dir)
        everything = list({s.key: s for s in data.train + data.val}.values())  # val may repeat train
        samples = {"all": everything, "train": data.train, "val": data.val}[split]
        if not samples:
            raise DataError(f"{folder}: no labelled image in the {split} split")
        policy = ck.meta.get("input_policy") or {}
        ds = SegDataset(samples, train=False, base_size=policy.get("resize_long_side"),
                        mean=ck.meta["mean"], std=ck.meta["std"])
        loader = DataLoader(Subset(ds, ddp.shard(len(ds), info)), batch_size=batch_size, collate_fn=collate_eval)
        result = evaluate(RunnerModule(predictor.runner), loader, names, dev, keys=[s.key for s in samples],
                          info=info)
        result["images"] = len(samples)
        result["engine"] = predictor.engine
        return result, notes + [w for w in data.warnings if not w.startswith("only one labelled")]
    finally:
        ddp.teardown(info)


def run(args: argparse.Namespace) -> int:
    from segcore.checkpoint import CheckpointError
    from segcore.metrics import format_table, nan_to_none
    from segcore.training.data import DataError

    if args.batch_size < 1 or not 0 <= args.val_ratio < 1:
        flag, value = ("--batch-size", args.batch_size) if args.batch_size < 1 else ("--val-ratio", args.val_ratio)
        print(f"error: {flag} must be {'at least 1' if flag == '--batch-size' else 'between 0 and 1'}, "
              f"got {value:g}", file=sys.stderr)
        return 2
    try:
        result, warnings = evaluate_checkpoint(args.checkpoint, args.folder, split=args.split,
                                               val_ratio=args.val_ratio, split_seed=args.split_seed, device=args.device,
                                               batch_size=args.batch_size, cache_dir=args.cache_dir,
                                               engine=args.engine)
    except (CheckpointError, DataError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"{result['images']} images, {result['pixels']} labelled pixels ({result['engine']} engine)")
    print(format_table(result))
    if args.json_out:
        from segcore.io.annotation import atomic_write_bytes

        try:
            atomic_write_bytes(Path(args.json_out), json.dumps(nan_to_none(result), indent=1).encode())
        except OSError as exc:
            print(f"error: cannot write the metrics to {args.json_out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    return 0

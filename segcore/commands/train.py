"""``python -m segcore train FOLDER --model NAME --out runs/NAME [--epochs N | --minutes M]``.

Also runs under ``torchrun --nproc_per_node=N -m segcore train ...`` (one process per device;
rank 0 prints and writes). ``--progress-json`` prints one JSON object per line on stdout (events
documented in :mod:`segcore.training.trainer`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

FLAGS: dict[str, str] = {
    "folder": "folder",
    "out": "--out",
    "model": "--model",
    "model_kwargs": "--model-arg",
    "backbone_weights": "--backbone-weights",
    "init_from": "--init-from",
    "base_size": "--base-size",
    "crop_size": "--crop-size",
    "batch_size": "--batch-size",
    "epochs": "--epochs",
    "minutes": "--minutes",
    "optimizer": "--optimizer",
    "lr": "--lr",
    "weight_decay": "--weight-decay",
    "momentum": "--momentum",
    "warmup_steps": "--warmup-steps",
    "poly_power": "--poly-power",
    "class_weights": "--class-weights",
    "extra_loss": "--extra-loss",
    "extra_loss_weight": "--extra-loss-weight",
    "aux_weight": "--aux-weight",
    "scale_min": "--scale-min",
    "scale_max": "--scale-max",
    "rotation_deg": "--rotation-deg",
    "hflip": "--hflip",
    "colour_jitter": "--colour-jitter",
    "val_ratio": "--val-ratio",
    "split_file": "--split-file",
    "labels_file": "--labels",
    "split_seed": "--split-seed",
    "seed": "--seed",
    "deterministic": "--deterministic",
    "amp": "--amp",
    "channels_last": "--channels-last",
    "accum_steps": "--accum-steps",
    "patience": "--patience",
    "bn_momentum_floor": "--bn-momentum-floor",
    "bn_recalib_batches": "--bn-recalib-batches",
    "eval_every": "--eval-every",
    "num_workers": "--workers",
    "preload": "--preload",
    "device": "--device",
    "cache_dir": "--cache-dir",
    "resume": "--resume",
}
"""The command-line spelling of every :class:`TrainConfig` field. :func:`config_from_args` reads
the parsed flags through it and :func:`config_argv` writes a config back as arguments (the GUI's
training request), so the two cannot drift. Bool flags also take ``--no-...`` (except
``--deterministic`` and ``--resume``); ``--epochs`` becomes ``--max-epochs`` next to ``--minutes``."""


def _kv(text: str) -> tuple[str, object]:
    """``--model-arg KEY=VALUE``: VALUE as JSON (``3``, ``true``, ``"x"``), Python's ``True`` /
    ``False`` as booleans, anything else as a string."""
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    k, v = text.split("=", 1)
    if v in ("True", "False"):
        return k, v == "True"
    try:
        return k, json.loads(v)
    except json.JSONDecodeError:
        return k, v


def add_arguments(p: argparse.ArgumentParser) -> None:
    from segcore.training.config import (
        ACCELERATOR_BATCH,
        CLASS_WEIGHT_MODES,
        CPU_BATCH,
        EXTRA_LOSSES,
        TrainConfig,
    )

    d = TrainConfig()
    p.add_argument("folder", help="labelled folder (images + LabelMe JSON)")
    p.add_argument("--model", default=d.model, help=f"architecture name (default {d.model})")
    p.add_argument("--model-arg", action="append", type=_kv, default=[], metavar="KEY=VALUE",
                   help="extra architecture argument, e.g. depth=3 (repeatable)")
    p.add_argument("--out", help="output folder for checkpoints and report (default runs/<folder name>)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--epochs", type=int, help=f"number of epochs (default {d.epochs})")
    g.add_argument("--minutes", type=float, help="time budget in minutes instead of a number of epochs")
    p.add_argument("--max-epochs", type=int, help="with --minutes: stop after this many epochs at most")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the checkpoints of an earlier run in OUT (refused without it or --resume)")
    p.add_argument("--progress-json", action="store_true", help="print one JSON event per line on stdout")
    p.add_argument("--batch-size", type=int, default=d.batch_size,
                   help=f"images per step (default: {CPU_BATCH} on the CPU, {ACCELERATOR_BATCH} on a GPU)")
    p.add_argument("--accum-steps", type=int, default=d.accum_steps, help="gradient accumulation steps")
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--optimizer", choices=("adamw", "sgd"), default=d.optimizer)
    p.add_argument("--weight-decay", type=float, default=d.weight_decay)
    p.add_argument("--warmup-steps", type=int, default=d.warmup_steps)
    p.add_argument("--momentum", type=float, default=d.momentum, help="SGD momentum")
    p.add_argument("--poly-power", type=float, default=d.poly_power, help="power of the poly learning-rate decay")
    p.add_argument("--base-size", type=int, default=d.base_size,
                   help="shrink images whose long side is longer than this (smaller ones are never "
                        "enlarged; 0: native size)")
    p.add_argument("--crop-size", type=int, default=d.crop_size,
                   help="largest training crop (0: no crop); smaller images are padded to a multiple of 32 only")
    p.add_argument("--class-weights", choices=CLASS_WEIGHT_MODES, default=d.class_weights,
                   help="sqrt: square root of the median-frequency weights (default, milder); median: the full weights; none")
    p.add_argument("--extra-loss", choices=EXTRA_LOSSES, default=d.extra_loss,
                   help="added to cross-entropy (default: dice; none: cross-entropy alone)")
    p.add_argument("--extra-loss-weight", type=float, default=d.extra_loss_weight)
    p.add_argument("--aux-weight", type=float, default=d.aux_weight, help="weight of an auxiliary head's loss")
    p.add_argument("--no-augment", action="store_true", help="no scale/rotation/flip/colour augmentation")
    p.add_argument("--scale-min", type=float, default=d.scale_min, help="smallest random scale")
    p.add_argument("--scale-max", type=float, default=d.scale_max, help="largest random scale")
    p.add_argument("--rotation-deg", type=float, default=d.rotation_deg, help="largest random rotation")
    p.add_argument("--hflip", action=argparse.BooleanOptionalAction, default=d.hflip, help="random horizontal flips")
    p.add_argument("--colour-jitter", type=float, default=d.colour_jitter,
                   help="random brightness, contrast and saturation change (0: none)")
    p.add_argument("--val-ratio", type=float, default=d.val_ratio)
    p.add_argument("--split-seed", type=int, default=d.split_seed,
                   help="which images the hash split holds out (the export's default split is split seed 0 too)")
    p.add_argument("--split-file", help='JSON {"train": [...], "val": [...]} or text with one val key per line')
    p.add_argument("--labels", help="labels.txt fixing the class list (default FOLDER/labels.txt if present)")
    p.add_argument("--patience", type=int, default=d.patience, help="early stopping after N epochs (0: off)")
    p.add_argument("--eval-every", type=int, default=d.eval_every,
                   help="validate every N epochs (0, the default: as often as keeps validation under a tenth "
                        "of the run time, and always after the last epoch)")
    p.add_argument("--bn-recalib-batches", type=int, default=d.bn_recalib_batches,
                   help="batches used to re-estimate BatchNorm statistics before validating (0: off)")
    p.add_argument("--bn-momentum-floor", type=float, default=d.bn_momentum_floor,
                   help="raise smaller BatchNorm momenta to this (0: keep them)")
    p.add_argument("--seed", type=int, default=d.seed,
                   help="initial weights, sample order and augmentation (the split keeps its --split-seed)")
    p.add_argument("--deterministic", action="store_true", help="ask torch for deterministic kernels")
    p.add_argument("--amp", action=argparse.BooleanOptionalAction, default=d.amp,
                   help="mixed precision on CUDA (--no-amp: full precision)")
    p.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=d.channels_last,
                   help="channels-last memory layout (faster on most CPUs and GPUs)")
    p.add_argument("--preload", action=argparse.BooleanOptionalAction, default=d.preload,
                   help="keep decoded images in memory (default: when they fit in about 2 GB)")
    p.add_argument("--device", help="cpu, cuda, cuda:1, mps (default: the best available)")
    p.add_argument("--workers", type=int, help="DataLoader workers (default: automatic)")
    p.add_argument("--cache-dir", help="where rasterised class maps are cached (default ~/.cache/segcore)")
    p.add_argument("--backbone-weights", default=d.backbone_weights, metavar="auto|none|FILE",
                   help="ImageNet backbone weights: auto (default: fetched once into torch's cache; offline, "
                        "random weights), none, or a torchvision state dict file")
    p.add_argument("--pretrained-backbone", dest="backbone_weights", action="store_const", const="auto",
                   help=argparse.SUPPRESS)  # the older spelling of --backbone-weights auto
    p.add_argument("--init-from", metavar="CHECKPOINT",
                   help="start from this checkpoint (e.g. the last model); classes are matched by name")


def out_folder(args: argparse.Namespace) -> str:
    """``--out``, or ``runs/<folder name>`` by default."""
    return args.out or str(Path("runs") / Path(args.folder).resolve().name)


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def config_from_args(args: argparse.Namespace):
    """A :class:`TrainConfig` from the parsed command line (every field through :data:`FLAGS`)."""
    from segcore.training.config import TrainConfig

    d = TrainConfig()
    values = {name: getattr(args, _dest(flag)) for name, flag in FLAGS.items()}
    values.update(
        out=out_folder(args), model_kwargs=dict(args.model_arg),
        base_size=args.base_size or None, crop_size=args.crop_size or None,
        epochs=args.epochs if args.epochs else (args.max_epochs if args.minutes else d.epochs),
    )
    cfg = TrainConfig(**values)
    if args.no_augment:
        cfg.scale_min = cfg.scale_max = 1.0
        cfg.rotation_deg = cfg.colour_jitter = 0.0
        cfg.hflip = False
    return cfg


def config_argv(cfg) -> list[str]:
    """``segcore train`` arguments that :func:`config_from_args` turns back into ``cfg``: the
    folder, ``--out``, the budget, and every other field that differs from its default."""
    from segcore.training.config import TrainConfig

    if not cfg.folder:
        raise ValueError("a training needs a folder")
    if cfg.epochs is None and not cfg.minutes:
        raise ValueError("a training needs a number of epochs or a time budget in minutes")
    d = TrainConfig()
    argv = [str(cfg.folder), f"--out={cfg.out}"]
    if cfg.minutes:
        argv.append(f"--minutes={cfg.minutes!r}")
        if cfg.epochs is not None:
            argv.append(f"--max-epochs={cfg.epochs}")
    elif cfg.epochs != d.epochs:
        argv.append(f"--epochs={cfg.epochs}")
    for f in dataclasses.fields(cfg):
        value, flag = getattr(cfg, f.name), FLAGS[f.name]
        if f.name in ("folder", "out", "epochs", "minutes") or value == getattr(d, f.name):
            continue
        if f.name == "model_kwargs":
            argv += [f"{flag}={k}={json.dumps(v)}" for k, v in value.items()]
        elif isinstance(value, bool):
            argv.append(flag if value else f"--no-{flag[2:]}")
        elif f.name in ("base_size", "crop_size"):
            argv.append(f"{flag}={value or 0}")
        elif value is None:
            raise ValueError(f"{flag} has no spelling for 'unset' (its default is {getattr(d, f.name)!r})")
        else:
            argv.append(f"{flag}={value!r}" if isinstance(value, float) else f"{flag}={value}")
    return argv


def bad_number(args: argparse.Namespace) -> str | None:
    """Why a numeric option cannot be used (e.g. ``--epochs 0``), or None."""
    rules = [("--epochs", args.epochs, lambda v: v >= 1, "at least 1"),
             ("--minutes", args.minutes, lambda v: v > 0, "more than 0"),
             ("--max-epochs", args.max_epochs, lambda v: v >= 1, "at least 1"),
             ("--batch-size", args.batch_size, lambda v: v >= 1, "at least 1"),
             ("--accum-steps", args.accum_steps, lambda v: v >= 1, "at least 1"),
             ("--base-size", args.base_size, lambda v: v == 0 or v >= 32, "0 (native size) or at least 32"),
             ("--crop-size", args.crop_size, lambda v: v == 0 or v >= 32, "0 (no crop) or at least 32"),
             ("--lr", args.lr, lambda v: v > 0, "more than 0"),
             ("--val-ratio", args.val_ratio, lambda v: 0 <= v < 1, "between 0 and 1"),
             ("--workers", args.workers, lambda v: v >= 0, "0 or more")]
    for flag, value, ok, what in rules:
        if value is not None and not ok(value):
            return f"{flag} must be {what}, got {value:g}"
    return None


def existing_run(out: str | Path) -> list[str]:
    """The checkpoints an earlier run left in ``out`` (a new run would replace them)."""
    return [n for n in ("best.pt", "last.pt") if (Path(out) / n).is_file()]


def run(args: argparse.Namespace) -> int:
    from segcore.training.config import TrainingError
    from segcore.training.data import DataError
    from segcore.training.trainer import run_training

    out = out_folder(args)
    taken = existing_run(out)
    msg = bad_number(args)
    if msg is None and taken and not args.resume and not args.overwrite:  # never replace a model silently
        msg = (f"{out}: already holds a trained model ({', '.join(taken)}); pass --resume to continue it, "
               "--overwrite to replace it, or choose another --out")
    if msg is not None:
        if args.progress_json:
            print(json.dumps({"event": "error", "message": msg}), flush=True)
        else:
            print(f"error: {msg}", file=sys.stderr)
        return 2
    try:
        cfg = config_from_args(args)
        best = run_training(cfg, progress_json=args.progress_json)
    except DataError as exc:
        if not args.progress_json:
            print(f"error: {exc}", file=sys.stderr)
        return 2
    except (TrainingError, ValueError) as exc:
        if not args.progress_json:
            print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. an unwritable or full output folder: the message names the path
        if not args.progress_json:
            print(f"error: {exc}", file=sys.stderr)
        return 1
    if best is None:
        return 1
    if not args.progress_json:
        print(best)
    return 0

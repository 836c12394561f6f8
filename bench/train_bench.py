"""Training benchmark.

(a) ``--part speed``: images/s of ``segcore.training.trainer.Trainer`` against a bare torch loop over the
    same model, batch, input size and in-memory data, measured in alternating rounds in the same
    run (target ratio >= 0.9). The Trainer's time is its whole ``fit()``: data loading through a
    DataLoader, the loss, scheduler, progress events, stop checks, and its end-of-epoch
    validation and checkpoint writing (a 2-image validation set keeps that small but counted).
(b) ``--part camvid``: the one-click path on ``../shared/datasets/camvid`` exactly as a person
    runs it (see bench/train_oneclick.py): ``segcore import masks`` with its default options,
    ``segcore train FOLDER --minutes 20`` with no other option, ``segcore eval`` on the test
    split, per ``--seeds``; and seconds per epoch before and after the size fix.
(c) ``--part recipe``: the hand-set run behind the README figure: ``deeplabv3plus_mobilenet_v3_large``
    from scratch, imported with ``import_index_masks`` (exact, tolerance 0; the val images as the
    validation split through a split file), trained for ``--minutes``, evaluated on the test split.

    python bench/train_bench.py --part speed
    python bench/train_bench.py --part camvid --minutes 20 --seeds 0 1
    python bench/train_bench.py --part camvid --minutes 0.2 --subset 12 --sizefix-images 4  # a quick check
    python bench/train_bench.py --part recipe --minutes 20 [--device cuda]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from segcore.models.registry import build_model, main_output  # noqa: E402
from segcore.training.config import CLASS_WEIGHT_MODES  # noqa: E402
from segcore.training.data import TensorSegDataset  # noqa: E402
from segcore.training.trainer import TrainConfig, Trainer  # noqa: E402

CAMVID = REPO.parent / "shared" / "datasets" / "camvid"


# --------------------------------------------------------------------------- (a) speed
def _data(n: int, size: int, classes: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    images = torch.randn(n, 3, size, size, generator=g)
    labels = torch.randint(0, classes, (n, size, size), generator=g)
    labels[:, :4] = 255
    return images, labels


def bare_loop(model_name: str, images, labels, classes: int, batch: int, steps: int, device,
              channels_last: bool = False) -> float:
    """Images/s of the plainest correct loop: slice a batch, forward, CE, backward, step (in the
    Trainer's memory format when ``channels_last``, so the ratio measures overhead, not layout)."""
    torch.manual_seed(0)
    model = build_model(model_name, classes).to(device).train()
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    n = len(images)
    t0 = time.perf_counter()
    for s in range(steps):
        i = (s * batch) % (n - batch + 1)
        x, y = images[i : i + batch].to(device).contiguous(memory_format=fmt), labels[i : i + batch].to(device)
        loss = F.cross_entropy(main_output(model(x)), y, ignore_index=255)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return steps * batch / (time.perf_counter() - t0)


def trainer_run(model_name: str, images, labels, classes: int, batch: int, steps: int, device,
                out: Path) -> tuple[float, float]:
    """Images/s of ``Trainer.fit()`` for one epoch of ``steps`` steps: (training phase, whole fit).

    Training phase = from the "start" event (model built, loaders made) to the last "step" event,
    timed outside the Trainer by a callback; whole fit also counts building the model, the
    end-of-epoch validation and writing best.pt + last.pt (model + AdamW state, fsync'ed).
    """
    train = TensorSegDataset(images[: steps * batch], labels[: steps * batch], train=True)
    val = TensorSegDataset(images[:2], labels[:2], train=False)
    cfg = TrainConfig(out=str(out), model=model_name, batch_size=batch, epochs=1, lr=1e-3, warmup_steps=0,
                      class_weights="none", num_workers=0, bn_recalib_batches=0, device=str(device), seed=0)
    marks: dict[str, float] = {}

    def clock(e: dict) -> None:
        if e["event"] == "start":
            marks["start"] = time.perf_counter()
        elif e["event"] == "step" and e["step"] == e["steps"]:
            marks["end"] = time.perf_counter()

    t0 = time.perf_counter()
    Trainer(cfg, train_dataset=train, val_dataset=val, class_names=[f"c{i}" for i in range(classes)],
            callbacks=[clock]).fit()
    whole = steps * batch / (time.perf_counter() - t0)
    return steps * batch / (marks["end"] - marks["start"]), whole


def part_speed(args) -> dict:
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    classes = 6
    images, labels = _data(args.steps * args.batch, args.size, classes)
    cl = TrainConfig().channels_last  # the Trainer's default memory format, also used by the bare loop
    bare_loop(args.model, images, labels, classes, args.batch, 2, device, cl)  # warm-up (allocator, kernels)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            b = bare_loop(args.model, images, labels, classes, args.batch, args.steps, device, cl)
            t, w = trainer_run(args.model, images, labels, classes, args.batch, args.steps, device,
                               Path(tmp) / f"r{r}")
            rows.append((b, t, w))
            print(f"round {r + 1}: bare {b:.2f} img/s, Trainer training phase {t:.2f} img/s (ratio {t / b:.3f}), "
                  f"whole fit() {w:.2f} img/s (ratio {w / b:.3f})", flush=True)
    ratio = statistics.median(t / b for b, t, _ in rows)
    whole = statistics.median(w / b for b, _, w in rows)
    print(f"(a) {args.model} batch {args.batch} size {args.size} on {device}, {args.steps} steps x {args.rounds} "
          f"rounds, channels_last {cl}: median Trainer/bare ratio = {ratio:.3f} (target >= 0.9); whole fit() incl. build, "
          f"validation and 2 checkpoints: {whole:.3f}")
    return {"rows": rows, "ratio": ratio, "whole_fit_ratio": whole, "device": str(device), "channels_last": cl}


# --------------------------------------------------------------------------- (b) CamVid
def _import(src_images: list[Path], split: str, dest: Path, names: list[str], tolerance: float) -> None:
    from segcore.formats.importers import import_index_masks

    dest.mkdir(parents=True, exist_ok=True)
    for p in src_images:
        shutil.copy2(p, dest / p.name)
    report = import_index_masks(dest, CAMVID / f"{split}annot", names, ignore_value=11, tolerance=tolerance)
    if getattr(report, "problems", None):
        print(f"import {split}: {len(report.problems)} problems", file=sys.stderr)


def _prepare_camvid(root: Path, tolerance: float) -> tuple[Path, Path, Path]:
    names = (CAMVID / "class_names.txt").read_text().split()
    labels = "\n".join(["__ignore__", "_background_", *names]) + "\n"
    trainval, test = root / "trainval", root / "test"
    t0 = time.perf_counter()
    val_imgs = sorted((CAMVID / "val").glob("*.png"))
    for split in ("train", "val"):
        _import(sorted((CAMVID / split).glob("*.png")), split, trainval, names, tolerance)
    _import(sorted((CAMVID / "test").glob("*.png")), "test", test, names, tolerance)
    (trainval / "labels.txt").write_text(labels)
    (test / "labels.txt").write_text(labels)
    split_file = root / "split.json"
    split_file.write_text(json.dumps({"val": [p.stem for p in val_imgs]}))
    print(f"imported CamVid to LabelMe JSON in {time.perf_counter() - t0:.1f} s", flush=True)
    return trainval, test, split_file


def part_camvid(args) -> dict:
    from segcore.commands.eval import evaluate_checkpoint
    from segcore.metrics import format_table
    from segcore.training.trainer import text_printer

    if not CAMVID.is_dir():
        print(f"{CAMVID} is absent: skipping (b)")
        return {}
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="camvid_bench_"))
    trainval, test, split_file = _prepare_camvid(work / "data", args.tolerance)
    cfg = TrainConfig(folder=str(trainval), out=str(work / "run"), model="deeplabv3plus_mobilenet_v3_large",
                      base_size=args.base_size, crop_size=args.crop, batch_size=args.batch, epochs=None, minutes=args.minutes,
                      lr=args.lr, optimizer="adamw", warmup_steps=20, class_weights=args.class_weights,
                      scale_min=args.scale[0], scale_max=args.scale[1],
                      rotation_deg=10.0, colour_jitter=0.25, extra_loss="none",  # as the recipe was measured
                      split_file=str(split_file), labels_file=str(trainval / "labels.txt"),
                      bn_recalib_batches=args.bn_batches, eval_every=args.eval_every, device=args.device,
                      cache_dir=str(work / "cache"), num_workers=args.workers, seed=args.seed)
    t0 = time.perf_counter()
    result = Trainer(cfg, callbacks=[text_printer()]).fit()
    wall = time.perf_counter() - t0
    metrics, _ = evaluate_checkpoint(result.best_checkpoint, test, device=args.device, cache_dir=str(work / "cache"))
    print(format_table(metrics))
    print(f"(b) CamVid test mIoU {100 * metrics['miou']:.2f}% after {wall / 60:.1f} min "
          f"({result.epochs} epochs, best val mIoU {100 * result.best_miou:.2f}% at epoch "
          f"{max((h['epoch'] for h in result.history if h['val_miou'] == result.best_miou), default=-1)}); "
          f"target >= 40%. Run folder: {work / 'run'} (report.md, curve.png)")
    return {"test": metrics, "history": result.history, "wall_s": wall, "epochs": result.epochs}


def part_oneclick(args) -> dict:
    from bench.train_oneclick import one_click, size_fix

    if not CAMVID.is_dir():
        print(f"{CAMVID} is absent: skipping (b)")
        return {}
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="camvid_oneclick_"))
    work.mkdir(parents=True, exist_ok=True)
    out = {"one_click": one_click(CAMVID, work, args.minutes, args.seeds, args.subset)}
    if args.sizefix_images:
        out["size_fix"] = size_fix(CAMVID, work, args.sizefix_images)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=("speed", "camvid", "recipe", "all"), default="speed")
    ap.add_argument("--device")
    ap.add_argument("--model", default="deeplabv3plus_mobilenet_v3_large", help="(a) model")
    ap.add_argument("--size", type=int, default=192, help="(a) input side")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=20, help="(a) steps per round")
    ap.add_argument("--rounds", type=int, default=3, help="(a) alternating rounds")
    ap.add_argument("--minutes", type=float, default=20.0, help="(b) training time budget")
    ap.add_argument("--base-size", type=int, default=480, help="(b) long side the images are resized to "
                    "for training and, through the checkpoint, for evaluation (480 = CamVid's native size)")
    ap.add_argument("--crop", type=int, default=320, help="(b) training crop side")
    ap.add_argument("--scale", type=float, nargs=2, default=(0.75, 1.5), metavar=("MIN", "MAX"),
                    help="(b) random scale range (a wide range pads small scales with ignore pixels)")
    ap.add_argument("--class-weights", choices=CLASS_WEIGHT_MODES, default="sqrt", help="(b)")
    ap.add_argument("--tolerance", type=float, default=0.0,
                    help="(b) polygon tolerance of the CamVid import (0: exact, the JSON reproduces every "
                         "label pixel; 1 leaves thin _background_ gaps between neighbouring classes)")
    ap.add_argument("--lr", type=float, default=2e-3, help="(b) AdamW learning rate")
    ap.add_argument("--bn-batches", type=int, default=8, help="(b) BN re-estimation batches")
    ap.add_argument("--eval-every", type=int, default=3, help="(b) validate every N epochs")
    ap.add_argument("--workers", type=int, default=None, help="(b) DataLoader workers")
    ap.add_argument("--seed", type=int, default=0, help="(b) training seed (initial weights, augmentation, order)")
    ap.add_argument("--workdir", help="(b) keep the imported data and run here (default: a temp folder)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0], help="(b) one-click runs (seed 0: no option)")
    ap.add_argument("--subset", type=int, help="(b) at most this many images per split (a quick check)")
    ap.add_argument("--sizefix-images", type=int, default=42, help="(b) images of the size-fix timing (0: skip)")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch CPU threads (default: all; 1 is steadier on a shared machine)")
    ap.add_argument("--json", help="write the figures to this JSON file")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads", flush=True)
    out = {}
    if args.part in ("speed", "all"):
        out["speed"] = part_speed(args)
    if args.part in ("camvid", "all"):
        out["camvid"] = part_oneclick(args)
    if args.part == "recipe":
        out["recipe"] = part_camvid(args)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

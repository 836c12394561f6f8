"""Pre-annotation speed: eager PyTorch against the engine users get (``--engine auto``: onnxruntime
when installed), forward and end to end, and a folder's rate, all in the same run.

For each architecture (default ``deeplabv3plus_mobilenet_v3_large`` and ``unet``):
1. the model is trained for a few steps on CamVid (``../shared/datasets/camvid``; synthetic
   rectangles and discs where it is absent) so that its label maps have the structure of a real
   prediction (a random model's salt-and-pepper output would make polygon tracing unrealistic;
   ``--steps 0`` keeps the random weights, fine for forward timings);
2. a checkpoint is saved and opened twice by :func:`segcore.inference.engine.open_predictor`:
   ``engine="torch"`` (eager) and ``--engine`` (first use exports the ONNX file, timed);
3. forward: each predictor's runner alone on the normalised 1024x768 tensor, already in memory;
4. end-to-end: :func:`segcore.inference.preannotate.preannotate_file` on the 1024x768 JPEG (decode,
   normalise, forward, label map and confidence, polygons, shapes, atomic JSON save);
5. folder: :func:`segcore.inference.preannotate.preannotate_many` over ``--folder`` different
   images (decode, forward, trace and save overlapping), per image, best of ``--repeats`` passes.

On onnxruntime the exported graph also computes the label map and the confidence after the
logits; the forward row asks it for the logits only (the bare model, as eager PyTorch's).

Forward and end-to-end runs of both engines are interleaved and the best of ``--repeats`` of
each is kept. ``overhead = (end-to-end - forward) / forward`` of the same engine (target
<= 10%), folder overhead likewise (target <= 15%), speed-up = eager / engine forward (target
>= 1.7x on 2 CPU cores). With ``--device cuda`` it also prints images/s with and without fp16.

    python bench/predict_bench.py [--archs unet,...] [--repeats 5] [--steps 40] [--device cpu]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from segcore.checkpoint import save_checkpoint  # noqa: E402
from segcore.inference.engine import open_predictor  # noqa: E402
from segcore.inference.preannotate import preannotate_file, read_image  # noqa: E402
from segcore.models.registry import build_model, main_output  # noqa: E402

CAMVID = REPO.parent / "shared" / "datasets" / "camvid"
W, H = 1024, 768
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def training_data(n: int = 8, size: tuple[int, int] = (192, 144)) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(class names, images (n,h,w,3) uint8, masks (n,h,w) int64 with 255 ignore, test image HxW)."""
    if (CAMVID / "train").is_dir():
        names = ["_background_"] + [ln.strip() for ln in (CAMVID / "class_names.txt").read_text().splitlines()
                                    if ln.strip()][:11]
        files = sorted((CAMVID / "train").glob("*.png"))[:n]
        imgs = np.stack([np.asarray(Image.open(f).convert("RGB").resize(size, Image.BILINEAR)) for f in files])
        masks = []
        for f in files:
            m = np.asarray(Image.open(CAMVID / "trainannot" / f.name).resize(size, Image.NEAREST)).astype(np.int64)
            masks.append(np.where(m >= 11, 255, m + 1))  # camvid 0..10 -> 1..11, void -> ignore
        test = sorted((CAMVID / "test").glob("*.png"))[0]
        big = np.asarray(Image.open(test).convert("RGB").resize((W, H), Image.BILINEAR))
        return names, imgs, np.stack(masks), big
    rng = np.random.default_rng(0)

    def scene(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
        img = rng.integers(60, 90, (h, w, 3)).astype(np.uint8)
        m = np.zeros((h, w), np.int64)
        yy, xx = np.mgrid[:h, :w]
        for _ in range(6):
            cls = int(rng.integers(1, 3))
            cy, cx, r = rng.integers(0, h), rng.integers(0, w), rng.integers(h // 12, h // 5)
            sel = (np.abs(yy - cy) < r) & (np.abs(xx - cx) < r * 1.5) if cls == 1 else (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
            img[sel], m[sel] = ((200, 40, 40) if cls == 1 else (40, 200, 40)), cls
        return img, m

    pairs = [scene(size[1], size[0]) for _ in range(n)]
    return ["_background_", "box", "disc"], np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs]), scene(H, W)[0]


def folder_images(n: int, big: np.ndarray) -> list[np.ndarray]:
    """``n`` different 1024x768 images: CamVid test images, else flips/rolls of ``big``."""
    if (CAMVID / "test").is_dir():
        files = sorted((CAMVID / "test").glob("*.png"))[:n]
        return [np.asarray(Image.open(f).convert("RGB").resize((W, H), Image.BILINEAR)) for f in files]
    return [np.roll(big[:, ::-1] if i % 2 else big, 97 * i, axis=1) for i in range(n)]


def normalise(imgs: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(np.array(imgs)).permute(0, 3, 1, 2).float() / 255
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def train_briefly(arch: str, names: list[str], imgs: np.ndarray, masks: np.ndarray, steps: int) -> torch.nn.Module:
    """A few Adam steps, then BatchNorm statistics re-estimated on the training images (a few
    steps with momentum 0.1 would leave them near their initial values)."""
    torch.manual_seed(0)
    model = build_model(arch, len(names)).train()
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    x, y = normalise(imgs), torch.from_numpy(masks)
    for i in range(steps):
        idx = torch.tensor([(2 * i) % len(x), (2 * i + 1) % len(x)])
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(main_output(model(x[idx])), y[idx], ignore_index=255)
        loss.backward()
        opt.step()
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the passes below
    with torch.no_grad():
        for i in range(0, len(x) - 1, 2):
            model(x[i:i + 2])
    for m in bns:
        m.momentum = 0.1
    return model.eval()


def conv_flops(model: torch.nn.Module, height: int, width: int) -> float:
    """Floating-point operations (2 per multiply-add) of the model's convolutions and linear
    layers on one (3, height, width) image: the arithmetic any engine has to do."""
    macs = 0

    def count(mod, inp, out) -> None:
        nonlocal macs
        if isinstance(mod, torch.nn.Conv2d):
            macs += out.numel() * mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
        elif isinstance(mod, torch.nn.ConvTranspose2d):
            macs += inp[0].numel() * mod.out_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
        elif isinstance(mod, torch.nn.Linear):
            macs += out.numel() * mod.in_features

    hooks = [m.register_forward_hook(count) for m in model.modules()]
    try:
        with torch.inference_mode():
            model(torch.zeros(1, 3, height, width))
    finally:
        for h in hooks:
            h.remove()
    return 2.0 * macs


def matmul_rate(n: int = 2048, repeats: int = 5) -> float:
    """FLOP/s of a large float32 matrix product on this machine's threads (torch's BLAS): a
    practical ceiling for dense convolution arithmetic here."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best, _ = best_of({"matmul": lambda: a @ b}, repeats)
    return 2.0 * n ** 3 / best["matmul"]


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def best_of(fns: dict, repeats: int) -> dict:
    """Each function run ``repeats`` times, interleaved (a busy machine slows all alike); the
    best run of each (timeit's advice on a shared machine: the minimum is the least disturbed)."""
    runs: dict = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t = time.perf_counter()
            fn()
            runs[k].append(time.perf_counter() - t)
    return {k: min(v) for k, v in runs.items()}, runs


def bench_arch(arch: str, args: argparse.Namespace, data, tmp: Path) -> dict:
    names, imgs, masks, big = data
    t0 = time.perf_counter()
    model = train_briefly(arch, names, imgs, masks, args.steps)
    print(f"[{arch}] trained {args.steps} steps in {time.perf_counter() - t0:.1f} s", flush=True)
    ck = tmp / f"{arch}.pt"
    save_checkpoint(ck, model, arch=arch, class_names=names, mean=MEAN, std=STD, input_policy={"divisor": 32})
    image_path = tmp / f"{arch}.jpg"
    Image.fromarray(big).save(image_path, quality=92)
    dev = torch.device(args.device)
    eager = open_predictor(ck, engine="torch", device=args.device, amp=False)
    t = time.perf_counter()
    fast = open_predictor(ck, engine=args.engine, device=args.device, amp=False)  # the user's default path
    t_open = time.perf_counter() - t
    print(f"[{arch}] {args.engine} engine: {fast.describe()} (first use, export included: {t_open:.1f} s)"
          + (f"; {fast.engine_note}" if fast.engine_note else ""), flush=True)
    x = normalise(big[None]).to(dev)

    def forward(pred) -> None:
        pred.runner(x)
        if dev.type == "cuda":
            torch.cuda.synchronize()

    def end_to_end(pred) -> None:
        (tmp / f"{arch}.json").unlink(missing_ok=True)
        preannotate_file(pred, image_path)

    fns = {"eager": lambda: forward(eager), "fast": lambda: forward(fast),
           "e2e_eager": lambda: end_to_end(eager), "e2e_fast": lambda: end_to_end(fast)}
    for fn in fns.values():  # warm-up (allocator, kernels, session)
        fn()
    best, runs = best_of(fns, args.repeats)
    print(f"[{arch}] runs (s): " + "; ".join(f"{k} {[round(v, 3) for v in r]}" for k, r in runs.items()))
    # stage breakdown on the user's engine (one run each, for the record)
    t = time.perf_counter()
    rgb = read_image(image_path)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    p = fast.predict(rgb, return_probs=False)
    t_pred = time.perf_counter() - t
    t = time.perf_counter()
    shapes = fast.shapes_from_prediction(p)
    t_poly = time.perf_counter() - t
    from segcore.io.annotation import new_annotation, save

    # the proposals as a fresh file writes them (mask shapes encoded as PNG, not kept as read)
    ann = new_annotation(image_path, tmp / f"{arch}_copy.json", W, H)
    ann.shapes = shapes
    t = time.perf_counter()
    save(ann, tmp / f"{arch}_copy.json")
    t_save = time.perf_counter() - t
    if args.dump:
        np.savez_compressed(Path(args.dump) / f"{arch}_prediction.npz", label=p.label_map, conf=p.confidence)
    # a folder: decode, forward, trace and save overlap (preannotate_many)
    from segcore.inference.preannotate import preannotate_many

    folder = tmp / f"{arch}_folder"
    folder.mkdir()
    paths = []
    for i, im in enumerate(folder_images(args.folder, big)):
        paths.append(folder / f"im{i:02d}.jpg")
        Image.fromarray(im).save(paths[-1], quality=92)
    folder_runs = []
    for _ in range(args.repeats):  # best of N passes, as the figures above
        for q in paths:
            q.with_suffix(".json").unlink(missing_ok=True)
        t = time.perf_counter()
        n_done, n_shapes, errs = preannotate_many(fast, paths)
        folder_runs.append((time.perf_counter() - t) / max(1, len(paths)))
        assert n_done == len(paths) and not errs, errs
    t_folder = min(folder_runs)
    print(f"[{arch}] folder passes (s per image): {[round(v, 3) for v in folder_runs]}")
    out = {"arch": arch, "engine": fast.engine, "eager": best["eager"], "forward": best["fast"],
           "e2e_eager": best["e2e_eager"], "e2e": best["e2e_fast"], "folder": t_folder, "read": t_read,
           "predict": t_pred, "polygons": t_poly, "save": t_save, "shapes": len(shapes)}
    out["speedup"] = out["eager"] / out["forward"]
    out["gflop"] = conv_flops(model, H, W) / 1e9
    out["overhead"] = (out["e2e"] - out["forward"]) / out["forward"]
    out["folder_overhead"] = (t_folder - out["forward"]) / out["forward"]
    print(f"[{arch}] forward: eager {out['eager'] * 1000:.0f} ms, {fast.engine} {out['forward'] * 1000:.0f} ms "
          f"({out['speedup']:.2f}x) | end-to-end: eager {out['e2e_eager'] * 1000:.0f} ms, {fast.engine} "
          f"{out['e2e'] * 1000:.0f} ms (overhead {out['overhead'] * 100:.1f}% of its forward) | folder of "
          f"{len(paths)}: {t_folder * 1000:.0f} ms per image ({out['folder_overhead'] * 100:.1f}%, {n_shapes} "
          f"proposals) | stages: read {t_read * 1000:.0f} ms, predict {t_pred * 1000:.0f} ms, polygons "
          f"{t_poly * 1000:.0f} ms ({len(shapes)} shapes), JSON save {t_save * 1000:.0f} ms", flush=True)
    print(f"[{arch}] arithmetic: {out['gflop']:.0f} GFLOP per 1024x768 image (convolutions); eager "
          f"{out['gflop'] / out['eager']:.0f} GFLOP/s, {fast.engine} {out['gflop'] / out['forward']:.0f} GFLOP/s",
          flush=True)
    if dev.type == "cuda":
        for amp in (False, True):
            pr = open_predictor(ck, engine="torch", device=args.device, amp=amp)
            pr.predict(big, return_probs=False)
            t = median_time(lambda pr=pr: pr.predict(big, return_probs=False), args.repeats)
            print(f"[{arch}] cuda {'fp16' if amp else 'fp32'}: {1 / t:.1f} images/s (predict, 1024x768)")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--archs", default="deeplabv3plus_mobilenet_v3_large,unet")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=40, help="training steps before measuring")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--folder", type=int, default=8, help="images in the folder run")
    ap.add_argument("--dump", default=None, help="folder to save each label map + confidence (.npz)")
    ap.add_argument("--engine", default="auto", choices=("auto", "onnxruntime", "torch"),
                    help="the engine compared with eager PyTorch (default auto, the user's default)")
    args = ap.parse_args()
    import os

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}, "
          f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}, "
          f"data: {'CamVid' if (CAMVID / 'train').is_dir() else 'synthetic'}", flush=True)
    print(f"a 2048x2048 float32 matrix product runs at {matmul_rate() / 1e9:.0f} GFLOP/s on these threads",
          flush=True)
    data = training_data()
    with tempfile.TemporaryDirectory() as d:
        results = [bench_arch(a, args, data, Path(d)) for a in args.archs.split(",")]
    print("\n| model | engine | eager forward | forward | speed-up | end-to-end eager | end-to-end | overhead "
          "| folder, per image | overhead | read | predict | polygons | save | shapes |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ms = {k: f"{v * 1000:.0f} ms" for k, v in r.items() if isinstance(v, float)}
        print(f"| {r['arch']} | {r['engine']} | {ms['eager']} | {ms['forward']} | {r['speedup']:.2f}x | "
              f"{ms['e2e_eager']} | {ms['e2e']} | {r['overhead'] * 100:.1f}% | {ms['folder']} | "
              f"{r['folder_overhead'] * 100:.1f}% | {ms['read']} | {ms['predict']} | {ms['polygons']} | "
              f"{ms['save']} | {r['shapes']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

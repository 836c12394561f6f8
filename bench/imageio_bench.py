"""Reduced display decode of a huge JPEG vs a full decode + resize (same file, same run).

    python bench/imageio_bench.py [--width 20000 --height 15000 --max-side 2048]

Generates the JPEG once (cached in the temp folder), then times each reader in a fresh
subprocess and reports wall time and the peak resident memory that reading added.
Target: ``read_image_reduced`` well under 2 s and 1.5 GiB on a 20000x15000 photo.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import numpy as np
from PIL import Image
from segcore.io import imageio
path, how, max_side = sys.argv[1], sys.argv[2], int(sys.argv[3])

def peak_kib():
    # VmHWM is this process's own high-water mark (ru_maxrss survives exec from the parent)
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

before = peak_kib()
t = time.perf_counter()
if how == "reduced":
    rgb, scale = imageio.read_image_reduced(path, max_side)
else:  # baseline: decode everything, then shrink
    full = imageio.read_image(path)
    h, w = full.shape[:2]
    scale = max_side / max(w, h)
    rgb = np.asarray(Image.fromarray(full).resize((round(w * scale), round(h * scale)),
                                                  Image.Resampling.LANCZOS, reducing_gap=2.0))
dt = time.perf_counter() - t
peak = peak_kib()
print(json.dumps({"seconds": dt, "extra_mib": (peak - before) / 1024, "peak_mib": peak / 1024,
                  "shape": list(rgb.shape), "scale": scale}))
"""


def make_jpeg(path: Path, width: int, height: int) -> None:
    """A photo-like JPEG: smooth gradients plus noise, tiled to the full size."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    th, tw = 1000, 1000
    yy, xx = np.mgrid[0:th, 0:tw]
    tile = np.stack([(xx * 255 // tw), (yy * 255 // th), ((xx + yy) * 127 // tw)], axis=2)
    tile = np.clip(tile + rng.normal(0, 12, tile.shape), 0, 255).astype(np.uint8)
    big = np.tile(tile, (height // th + 1, width // tw + 1, 1))[:height, :width]
    tmp = path.with_suffix(".part.jpg")
    Image.fromarray(big).save(tmp, quality=90)
    tmp.replace(path)


def run(path: Path, how: str, max_side: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), how, str(max_side)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=20000)
    ap.add_argument("--height", type=int, default=15000)
    ap.add_argument("--max-side", type=int, default=2048)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = Path(tempfile.gettempdir()) / f"segcore_bench_{args.width}x{args.height}.jpg"
    if not path.exists():
        t = time.perf_counter()
        make_jpeg(path, args.width, args.height)
        print(f"generated {path} ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")
    results = {}
    for how in ("reduced", "full"):
        runs = [run(path, how, args.max_side) for _ in range(args.repeat if how == "reduced" else 1)]
        best = min(runs, key=lambda r: r["seconds"])
        results[how] = best
        print(f"{how:8s} {best['seconds']:7.2f} s  +{best['extra_mib']:7.0f} MiB (peak RSS "
              f"{best['peak_mib']:.0f} MiB)  -> {best['shape']} scale {best['scale']:.4f}")
    r, f = results["reduced"], results["full"]
    print(f"speed-up {f['seconds'] / r['seconds']:.1f}x, memory {f['extra_mib'] / max(r['extra_mib'], 1):.1f}x less")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Distributed training on CPU (gloo, world size 2 via torchrun) gives the same validation
metrics as world size 1 evaluating the same weights on the same data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.segcore.train_helpers import make_dataset

REPO = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["OMP_NUM_THREADS"] = "1"
    env["SEGCORE_CACHE"] = str(tmp_path / "cache")
    return env


@pytest.mark.slow
def test_world_size_2_metrics_equal_world_size_1(tmp_path):
    data = make_dataset(tmp_path / "data", n=10)
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "segcore",
           "train", str(data), "--out", str(out), "--model", "unet", "--model-arg", "depth=2",
           "--model-arg", "base_channels=8", "--epochs", "1", "--batch-size", "2", "--base-size", "48",
           "--crop-size", "32", "--warmup-steps", "0", "--val-ratio", "0.3", "--workers", "0",
           "--bn-recalib-batches", "2", "--progress-json"]
    proc = subprocess.run(cmd, cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    start = next(e for e in events if e["event"] == "start")
    assert start["world_size"] == 2
    assert sum(e["event"] == "start" for e in events) == 1  # only rank 0 reports
    epoch = next(e for e in events if e["event"] == "epoch")
    assert (out / "best.pt").exists() and (out / "last.pt").exists()

    # world size 1: evaluate the saved weights on the same validation split
    report = tmp_path / "eval.json"
    ev = subprocess.run([sys.executable, "-m", "segcore", "eval", str(out / "best.pt"), str(data), "--split", "val",
                         "--val-ratio", "0.3", "--json", str(report)],
                        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert ev.returncode == 0, ev.stderr[-3000:]
    single = json.loads(report.read_text())
    metrics = json.loads((out / "metrics.json").read_text())["final"]
    assert single["images"] == start["val_images"]
    assert single["confusion_matrix"] == metrics["confusion_matrix"]
    assert single["miou"] == pytest.approx(epoch["val"]["miou"], abs=1e-12)
    assert single["pixel_acc"] == pytest.approx(epoch["val"]["pixel_acc"], abs=1e-12)


@pytest.mark.slow
def test_only_the_first_process_fetches_backbone_weights(tmp_path):
    """Offline, with ``--backbone-weights auto``: one download attempt and one warning for the
    whole run, not one per process (DDP gives every process the first one's weights)."""
    data = make_dataset(tmp_path / "data", n=8)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    log = tmp_path / "downloads.log"
    (hooks / "sitecustomize.py").write_text(
        "import os, urllib.error, urllib.request\n"
        "def _offline(url, *a, **k):\n"
        f"    with open({str(log)!r}, 'a') as f:\n"
        "        f.write(f'{os.getpid()} {url}\\n')\n"
        "    raise urllib.error.URLError('no network in this test')\n"
        "urllib.request.urlopen = _offline\n")
    env = _env(tmp_path)
    env["PYTHONPATH"] = str(hooks) + os.pathsep + env["PYTHONPATH"]
    env["TORCH_HOME"] = str(tmp_path / "torch_home")  # an empty cache: the weights must be fetched
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "segcore",
           "train", str(data), "--out", str(tmp_path / "run"), "--model", "deeplabv3plus_mobilenet_v3_large",
           "--backbone-weights", "auto", "--epochs", "1", "--batch-size", "2", "--base-size", "48",
           "--crop-size", "32", "--warmup-steps", "0", "--val-ratio", "0.3", "--workers", "0",
           "--bn-recalib-batches", "1"]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    attempts = log.read_text().splitlines()
    assert len(attempts) == 1 and "mobilenet_v3_large" in attempts[0], attempts
    assert (proc.stdout + proc.stderr).count("could not be downloaded") == 1

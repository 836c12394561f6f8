"""A tiny U-Net checkpoint that has learnt to call bright rectangles class 1 (shared fixture data)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from segcore.checkpoint import save_checkpoint
from segcore.models.registry import build_model


def train_box_unet(path: Path, class_names: Sequence[str]) -> Path:
    """Train a depth-1 U-Net for 25 Adam steps on bright 12x14 boxes and save it at ``path``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: one thread is faster, and immune to a busy machine
    try:
        torch.manual_seed(0)
        model = build_model("unet", 2, depth=1, base_channels=4)
        opt = torch.optim.Adam(model.parameters(), lr=0.02)
        g = torch.Generator().manual_seed(0)
        x = -torch.ones(8, 3, 32, 32)  # normalised: (0/255 - 0.5) / 0.5
        y = torch.zeros(8, 32, 32, dtype=torch.long)
        for i in range(8):
            a, b = torch.randint(0, 16, (2,), generator=g).tolist()
            x[i, :, a:a + 12, b:b + 14] = 1
            y[i, a:a + 12, b:b + 14] = 1
        model.train()
        for _ in range(25):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
    finally:
        torch.set_num_threads(threads)
    save_checkpoint(path, model.eval(), arch="unet", arch_kwargs={"depth": 1, "base_channels": 4},
                    class_names=list(class_names), mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    return path

"""Distributed data parallel helpers: the same training command runs alone or under torchrun.

torchrun sets ``WORLD_SIZE``, ``RANK`` and ``LOCAL_RANK``; :func:`setup` then joins the process
group (NCCL on CUDA, gloo on CPU). Everything degrades to no-ops when world size is 1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass
class DistInfo:
    """Rank, world size, local rank and whether this process owns the process group."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    initialised_here: bool = False

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def setup(device_type: str) -> DistInfo:
    """Join the process group when launched by torchrun (``WORLD_SIZE`` > 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if dist.is_initialized():
        return DistInfo(dist.get_rank(), dist.get_world_size(), local, False)
    backend = "nccl" if device_type == "cuda" and dist.is_nccl_available() else "gloo"
    if device_type == "cuda":
        torch.cuda.set_device(local)
    dist.init_process_group(backend=backend)
    return DistInfo(rank, world, local, True)


def teardown(info: DistInfo) -> None:
    """Leave the process group if :func:`setup` joined it."""
    if info.initialised_here and dist.is_initialized():
        dist.destroy_process_group()


def all_reduce_sum(t: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """Sum ``t`` over ranks in place (no-op alone). gloo cannot reduce int64 on every build, so
    integer tensors travel as float64 (exact for counts below 2**53)."""
    if not info.enabled:
        return t
    if t.dtype in (torch.int64, torch.int32):
        f = t.double()
        dist.all_reduce(f)
        t.copy_(f.round().to(t.dtype))
    else:
        dist.all_reduce(t)
    return t


def any_rank(flag: bool, info: DistInfo, device: torch.device) -> bool:
    """True on every rank when ``flag`` is true on at least one (stop requests, time budget)."""
    if not info.enabled:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t)
    return bool(t.item() > 0)


def first_flag(flags: dict[str, bool], info: DistInfo, device: torch.device) -> str | None:
    """The first name whose flag is true on any rank (one all-reduce for all flags), else None."""
    names = list(flags)
    if info.enabled:
        t = torch.tensor([1.0 if flags[n] else 0.0 for n in names], device=device)
        dist.all_reduce(t)
        values = [v > 0 for v in t.tolist()]
    else:
        values = [bool(flags[n]) for n in names]
    return next((n for n, v in zip(names, values) if v), None)


def broadcast_object(obj, info: DistInfo):
    """Rank 0's ``obj`` on every rank."""
    if not info.enabled:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()


def average_buffers(module: torch.nn.Module, info: DistInfo) -> None:
    """Average floating BatchNorm running statistics across ranks (after re-estimation)."""
    if not info.enabled:
        return
    for m in module.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.running_mean is not None:
            for buf in (m.running_mean, m.running_var):
                dist.all_reduce(buf)
                buf.div_(info.world_size)


def shard(n: int, info: DistInfo) -> list[int]:
    """Indices of an evaluation set for this rank: disjoint, no padding, no duplicates."""
    return list(range(info.rank, n, info.world_size))

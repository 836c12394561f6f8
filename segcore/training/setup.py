"""What a training run is made of before its first step: the datasets (from a labelled folder
or given in memory), the loaders, the class weights."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler, RandomSampler, Subset

from segcore.training import distributed as ddp
from segcore.training.config import TrainConfig
from segcore.training.data import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    DataError,
    RepeatDataset,
    Sample,
    SegDataset,
    collate_eval,
    label_maps_for_weights,
    prepare_folder,
)
from segcore.training.losses import CLASS_WEIGHT_POWERS, median_frequency_weights

RARE_CLASS_INSTANCES = 3
"""A class with fewer labelled instances than this gets a warning when training starts."""


@dataclass
class TrainData:
    """The class list and the two datasets; ``train_samples`` / ``val_samples`` name the files
    behind them (None / empty for in-memory datasets)."""

    class_names: list[str]
    train_ds: Dataset
    val_ds: Dataset
    train_samples: list[Sample] | None = None
    val_samples: list[Sample] = field(default_factory=list)

    def val_keys(self) -> list[str]:
        """The validation images' folder keys (their indices for in-memory data)."""
        return [s.key for s in self.val_samples] or [str(i) for i in range(len(self.val_ds))]

    def val_pixels(self, base_size: int | None) -> float:
        """Pixels of the validation images at the model's input size (0 for in-memory data)."""
        total = 0.0
        for s in self.val_samples:
            scale = (base_size / max(s.height, s.width)) if base_size else 1.0
            total += s.height * s.width * scale * scale
        return total


def load_data(cfg: TrainConfig, warn: Callable[[str], None], class_names: list[str] | None = None) -> TrainData:
    """Scan, rasterise and split ``cfg.folder`` (:func:`prepare_folder`); ``warn`` receives
    skipped files, unlabelled images and rare classes. ``class_names`` fixes the class list."""
    if not cfg.folder:
        raise DataError("no folder to train on")
    data = prepare_folder(cfg.folder, labels_file=cfg.labels_file, val_ratio=cfg.val_ratio, seed=cfg.split_seed,
                          split_file=cfg.split_file, cache_dir=cfg.cache_dir, class_names=class_names)
    for w in data.warnings:
        warn(w)
    if data.unlabelled:
        warn(f"{data.unlabelled} images have no annotation and are not used")
    for name, count in data.instances.items():
        if count < RARE_CLASS_INSTANCES:
            warn(f"class '{name}' has only {count} instance(s) in the labelled images: the model will "
                 f"hardly learn it (label at least {RARE_CLASS_INSTANCES})")
    preload = cfg.preload
    if preload is None:
        side = cfg.base_size or 1024
        preload = (len(data.train) + len(data.val)) * side * side * 0.75 * 3 < 2e9
    common = dict(base_size=cfg.base_size, mean=IMAGENET_MEAN, std=IMAGENET_STD, preload=preload, seed=cfg.seed)
    return TrainData(data.class_names,
                     SegDataset(data.train, train=True, crop=cfg.crop_size, aug=cfg.augment(), **common),
                     SegDataset(data.val, train=False, **common), data.train, data.val)


def auto_workers(cfg: TrainConfig, device: torch.device, info: ddp.DistInfo) -> int:
    """``cfg.num_workers``, or a number of DataLoader workers suited to the device and the CPUs."""
    if cfg.num_workers is not None:
        return cfg.num_workers
    cpus = os.cpu_count() or 1
    if device.type == "cuda":
        return max(1, min(8, cpus // max(1, info.world_size) - 1))
    return 0 if cpus <= 4 else 2


def train_loader(ds: Dataset, batch: int, cfg: TrainConfig, device: torch.device, info: ddp.DistInfo) -> DataLoader:
    """Shuffled full batches (a dataset too small for one batch per rank is repeated); call
    :func:`start_epoch` before each epoch."""
    if len(ds) // info.world_size < max(2, batch):
        ds = RepeatDataset(ds, max(2, batch) * info.world_size)
    if info.enabled:
        sampler = DistributedSampler(ds, info.world_size, info.rank, shuffle=True, seed=cfg.seed, drop_last=True)
    else:
        sampler = RandomSampler(ds, generator=torch.Generator())
    workers = auto_workers(cfg, device, info)
    return DataLoader(ds, batch_size=batch, sampler=sampler, drop_last=True, num_workers=workers,
                      pin_memory=device.type == "cuda", persistent_workers=workers > 0)


def start_epoch(loader: DataLoader, epoch: int, seed: int) -> None:
    """Seed the shuffling and the augmentation of ``epoch`` (the same after a resume)."""
    sampler = loader.sampler
    if isinstance(sampler, DistributedSampler):
        sampler.set_epoch(epoch)
    elif isinstance(sampler, RandomSampler) and sampler.generator is not None:
        sampler.generator.manual_seed(seed * 7919 + epoch)
    if hasattr(loader.dataset, "set_epoch"):
        loader.dataset.set_epoch(epoch)


def val_loader(ds: Dataset, batch: int, cfg: TrainConfig, device: torch.device, info: ddp.DistInfo) -> DataLoader:
    """This rank's share of the validation set, padded batches (:func:`collate_eval`)."""
    return DataLoader(Subset(ds, ddp.shard(len(ds), info)), batch_size=max(1, min(batch, 4)), shuffle=False,
                      num_workers=min(2, auto_workers(cfg, device, info)), collate_fn=collate_eval,
                      pin_memory=device.type == "cuda")


def class_weights(cfg: TrainConfig, data: TrainData) -> torch.Tensor | None:
    """Median-frequency class weights raised to the power ``cfg.class_weights`` names (or None)."""
    if cfg.class_weights not in CLASS_WEIGHT_POWERS:
        return None
    if data.train_samples is not None:
        maps = label_maps_for_weights(data.train_samples, cfg.base_size)
    else:
        maps = (data.train_ds[i][1].numpy() for i in range(len(data.train_ds)))
    w = median_frequency_weights(maps, len(data.class_names), power=CLASS_WEIGHT_POWERS[cfg.class_weights])
    return torch.from_numpy(w)

"""The data side of :class:`segcore.training.trainer.Trainer`: datasets, loaders, class weights."""

from __future__ import annotations

import os

import torch
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler, Subset

from segcore.training import distributed as ddp
from segcore.training.data import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    DataError,
    RepeatDataset,
    SegDataset,
    collate_eval,
    label_maps_for_weights,
    prepare_folder,
)
from segcore.training.losses import CLASS_WEIGHT_POWERS, median_frequency_weights

RARE_CLASS_INSTANCES = 3
"""A class with fewer labelled instances than this gets a warning when training starts."""


class DataSetupMixin:
    """Builds the training/validation datasets and loaders of a Trainer (``self.cfg``,
    ``self.info``, ``self.device`` and ``self.warn`` come from the Trainer)."""

    def _setup_data(self) -> None:
        cfg = self.cfg
        if self._train_ds is not None:
            self.class_names = list(self._class_names or [])
            self.train_ds, self.val_ds = self._train_ds, self._val_ds
            self.train_samples = None
            return
        if not cfg.folder:
            raise DataError("no folder to train on")
        data = prepare_folder(cfg.folder, labels_file=cfg.labels_file, val_ratio=cfg.val_ratio, seed=cfg.seed,
                              split_file=cfg.split_file, cache_dir=cfg.cache_dir,
                              class_names=getattr(self, "_resume_classes", None))
        for w in data.warnings:
            self.warn(w)
        if data.unlabelled:
            self.warn(f"{data.unlabelled} images have no annotation and are not used")
        for name, count in data.instances.items():
            if count < RARE_CLASS_INSTANCES:
                self.warn(f"class '{name}' has only {count} instance(s) in the labelled images: the model will "
                          f"hardly learn it (label at least {RARE_CLASS_INSTANCES})")
        self.class_names = data.class_names
        self.train_samples = data.train
        self.val_keys = [s.key for s in data.val]
        self._val_samples = data.val
        preload = cfg.preload
        if preload is None:
            side = cfg.base_size or 1024
            preload = (len(data.train) + len(data.val)) * side * side * 0.75 * 3 < 2e9
        common = dict(base_size=cfg.base_size, mean=IMAGENET_MEAN, std=IMAGENET_STD, preload=preload, seed=cfg.seed)
        self.train_ds = SegDataset(data.train, train=True, crop=cfg.crop_size, aug=cfg.augment(), **common)
        self.val_ds = SegDataset(data.val, train=False, **common)

    def _make_train_loader(self, batch: int) -> DataLoader:
        cfg = self.cfg
        ds = self.train_ds
        per_rank = len(ds) // self.info.world_size
        if per_rank < max(2, batch):
            ds = RepeatDataset(ds, max(2, batch) * self.info.world_size)
        self._train_loader_ds = ds
        if self.info.enabled:
            sampler = DistributedSampler(ds, self.info.world_size, self.info.rank, shuffle=True, seed=cfg.seed,
                                         drop_last=True)
        else:
            self._gen = torch.Generator()
            sampler = RandomSampler(ds, generator=self._gen)
        workers = self._workers()
        return DataLoader(ds, batch_size=batch, sampler=sampler, drop_last=True, num_workers=workers,
                          pin_memory=self.device.type == "cuda", persistent_workers=workers > 0)

    def _make_val_loader(self) -> DataLoader:
        ds = Subset(self.val_ds, ddp.shard(len(self.val_ds), self.info))
        bs = max(1, min(self.batch_size, 4))
        return DataLoader(ds, batch_size=bs, shuffle=False, num_workers=min(2, self._workers()),
                          collate_fn=collate_eval, pin_memory=self.device.type == "cuda")

    def _workers(self) -> int:
        if self.cfg.num_workers is not None:
            return self.cfg.num_workers
        cpus = os.cpu_count() or 1
        if self.device.type == "cuda":
            return max(1, min(8, cpus // max(1, self.info.world_size) - 1))
        return 0 if cpus <= 4 else 2

    def _class_weights(self) -> torch.Tensor | None:
        mode = self.cfg.class_weights
        if mode not in CLASS_WEIGHT_POWERS:
            return None
        if self.train_samples is not None:
            maps = label_maps_for_weights(self.train_samples, self.cfg.base_size)
        else:
            maps = (self.train_ds[i][1].numpy() for i in range(len(self.train_ds)))
        w = median_frequency_weights(maps, len(self.class_names), power=CLASS_WEIGHT_POWERS[mode])
        return torch.from_numpy(w)

"""Training: the trainer, its configuration, data loading and augmentation, losses, the epoch loop, checkpoints, reports, distributed runs."""

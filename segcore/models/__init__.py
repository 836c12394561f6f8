"""Segmentation architectures, built by name through :mod:`segcore.models.registry`."""

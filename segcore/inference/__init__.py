"""Inference: the predictor (tiling, input policy) and pre-annotation of files and folders."""

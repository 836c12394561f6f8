"""Annotations as training data: rasterising shapes, polygons and label-map tracing, dataset scans and checks, review state."""

"""The desktop annotator: a thin PySide6 client of :mod:`segcore`."""

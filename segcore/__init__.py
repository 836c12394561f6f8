"""segcore: the engine behind the annotator (formats, rasterisation, export, models, training).

It never imports Qt or ``app``; the GUI is a thin client of it.
"""

__version__ = "0.1.0"

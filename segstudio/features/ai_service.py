"""The AI tools' model and image embeddings, kept off the GUI thread.

One :class:`AiService` per window (``window.ai_service``, also ``canvas.ai_service`` for the
tools). It loads the chosen promptable model and encodes images in worker threads
(:func:`segstudio.workers.run_in_thread`): the shown image as soon as it is on screen and the next
one in the background, once the AI tool was used in this window. The embeddings of the last
few images stay in an :class:`~segcore.interactive.promptable.EmbeddingCache`, so returning to
an image costs nothing. Prompts are decoded in the GUI thread: milliseconds.

All model and weights logic lives in :mod:`segcore.interactive`; this class only schedules it.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Signal

from segcore.interactive.promptable import (
    Box,
    Embedding,
    EmbeddingCache,
    Point,
    PromptableModel,
    prompt_region,
)
from segcore.interactive.region import RegionMask
from segcore.interactive.sam_models import load_model
from segcore.interactive.sam_osam import DEFAULT_MODEL, WeightsMissing
from segstudio.workers import Job, run_in_thread

MODEL_SETTING = "ai/model"
MIRROR_SETTING = "ai/mirror"
CACHED_IMAGES = 4


def weights_missing_text(exc: WeightsMissing) -> str:
    """What the user reads when the model's weights are not downloaded yet: the model and its files."""
    return QCoreApplication.translate("AiService", "{model}: its weights ({files}) are not downloaded yet").format(
        model=exc.model, files=", ".join(f.name for f in exc.files))


class AiService(QObject):
    """Model loading, encoding jobs and the embedding cache of one window."""

    embeddingReady = Signal(str)  # the key (key_for: image path and stamp) whose embedding is now cached
    weightsMissing = Signal(object)  # a WeightsMissing: the model's files must be fetched first
    failed = Signal(str)  # a message naming the model and the problem

    def __init__(self, window, model_name: str | None = None) -> None:
        super().__init__(window)
        self.window = window
        settings = getattr(window, "settings", None)
        stored = settings.value(MODEL_SETTING) if settings is not None else None
        self.model_name = model_name or (str(stored) if stored else DEFAULT_MODEL)
        self.cache = EmbeddingCache(CACHED_IMAGES)
        self.active = False  # True once an AI tool was used in this window: images get encoded
        self._model: PromptableModel | None = None
        self._lock = threading.Lock()  # one model load at a time
        self._jobs: dict[str, Job] = {}
        self._generation = 0  # bumped when the model changes: late results are dropped
        self._blocked = False  # the model cannot load (weights missing / error) until asked again
        self.problem = ""  # why nothing is being prepared (shown on the canvas), "" when fine
        window.canvas.imageReady.connect(self.request_current)

    # ------------------------------------------------------------------ model
    def set_model(self, name: str) -> None:
        """Use model ``name`` from now on (remembered; embeddings of the old one are dropped)."""
        settings = getattr(self.window, "settings", None)
        if settings is not None and hasattr(settings, "set_value"):
            settings.set_value(MODEL_SETTING, name)
        self.model_name = name
        self.reset()

    def reset(self) -> None:
        """Forget the model and every embedding (new weights, another model): load again when needed."""
        self._generation += 1
        for job in self._jobs.values():
            job.cancel()
        self._jobs.clear()
        with self._lock:
            self._model = None
        self.cache.clear()
        self._blocked, self.problem = False, ""
        if self.active:
            self.request_current()

    def _loaded_model(self, name: str) -> PromptableModel:
        """The model (loaded on first use; runs in a worker thread)."""
        with self._lock:
            if self._model is None or self._model.name != name:
                self._model = load_model(name)
            return self._model

    # ------------------------------------------------------------------ embeddings
    def embedding(self, key: str) -> Embedding | None:
        """The cached embedding of ``key`` (None while it is being prepared)."""
        return self.cache.get(key)

    def preparing(self, key: str) -> bool:
        """True while ``key`` is being encoded."""
        return key in self._jobs

    def activate(self) -> None:
        """An AI tool was chosen: from now on shown images (and the next ones) are encoded."""
        self.active = True
        self._blocked, self.problem = False, ""
        self.request_current()

    def key_for(self, path: str) -> str:
        """The embedding key of the pixels of ``path`` decoded last: the path and the file's time
        and size then, so an image another program replaced is encoded again."""
        images = getattr(self.window, "image_cache", None)
        return f"{path}|{images.stamp(path) if images is not None else None}"

    def current_key(self) -> str | None:
        """The key of the image on the canvas, None without one."""
        doc = self.window.document
        return self.key_for(str(doc.image_path)) if doc is not None and doc.image_path is not None else None

    def request_current(self) -> None:
        """Encode the shown image (and then the next one) unless cached or under way."""
        if not self.active:
            return
        key = self.current_key()
        layer = self.window.canvas.image_layer
        if key is None or layer.is_empty():
            return
        self.request(key, layer.levels[0])
        self._request_next(str(self.window.document.image_path))

    def _request_next(self, path: str) -> None:
        dock = getattr(self.window, "file_dock", None)
        images = getattr(self.window, "image_cache", None)
        nxt = dock.neighbour(path, 1) if dock is not None else None
        if nxt is None or images is None:
            return
        key = self.key_for(nxt)
        if key in self.cache or key in self._jobs:
            return
        images.request(nxt, lambda p, rgb, _size: self.request(self.key_for(p), rgb), lambda _p, _exc: None)

    def request(self, key: str, image: np.ndarray) -> None:
        """Encode ``image`` under ``key`` in a worker unless it is cached, under way or blocked."""
        if self._blocked or key in self.cache or key in self._jobs:
            return
        generation, name = self._generation, self.model_name

        def encode(rgb: np.ndarray) -> Embedding:
            return self._loaded_model(name).encode(rgb)

        self._jobs[key] = run_in_thread(
            encode, np.ascontiguousarray(image),
            on_done=lambda emb: self._encoded(key, generation, emb),
            on_error=lambda exc: self._encode_failed(key, generation, exc))

    def _encoded(self, key: str, generation: int, emb: Embedding) -> None:
        if generation != self._generation:
            return
        self._jobs.pop(key, None)
        self.cache.put(key, emb)
        self.embeddingReady.emit(key)

    def _encode_failed(self, key: str, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._jobs.pop(key, None)
        if self._blocked:
            return
        self._blocked = True  # one message, not one per image; activate() or reset() retries
        if isinstance(exc, WeightsMissing):
            self.problem = self.tr("{error}: Tools > AI Model > Download Model Weights").format(
                error=weights_missing_text(exc))
            self.weightsMissing.emit(exc)
        else:
            self.problem = self.tr("AI tool: {error}").format(error=exc)
            self.failed.emit(self.problem)

    # ------------------------------------------------------------------ prompts
    def predict(self, emb: Embedding, points: list[Point], labels: list[int],
                box: Box | None) -> RegionMask:
        """The object for these prompts on an encoded image (GUI thread: milliseconds)."""
        model = self._model
        if model is None or model.name != emb.model:
            return RegionMask(np.zeros((0, 0), bool))
        region, _score = prompt_region(model, emb, points, labels, box)
        return region

"""Run ``python -m segcore train ... --progress-json`` as a subprocess and turn its JSON lines
into Qt signals. Training in its own process means a crash or out-of-memory there cannot take
unsaved annotations with it.

Stop is clean: a ``STOP`` file in the run folder ends the run after the current step (the
trainer keeps ``best.pt`` and writes ``last.pt``); if the process has not exited after
``stop_grace_ms`` it is terminated (SIGTERM, also handled cleanly), then killed.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from segcore.commands.train import config_argv
from segcore.training.config import TrainConfig

REPO = Path(__file__).resolve().parents[1]


@dataclass
class TrainRequest:
    """What the dialog asks for: a training configuration, and extra ``segcore train``
    arguments (tests, power users) that come after the ones derived from it."""

    config: TrainConfig
    extra: list[str] = field(default_factory=list)

    @property
    def out(self) -> str:
        """The run folder."""
        return self.config.out

    def arguments(self) -> list[str]:
        """The interpreter arguments that run this training (:func:`segcore.commands.train.config_argv`)."""
        return ["-m", "segcore", "train", *config_argv(self.config), "--progress-json", *self.extra]


class TrainingProcess(QObject):
    """One training subprocess. Signals carry the trainer's event dicts (see segcore.training.trainer)."""

    started = Signal(dict)  # "start" event
    step = Signal(dict)
    epoch = Signal(dict)
    warning = Signal(str)
    checkpoint = Signal(dict)
    done = Signal(dict)  # "done" event (best_checkpoint, reason...)
    failed = Signal(str)  # an "error" event, or a crash with the end of stderr
    finished = Signal(int)  # exit code, always last
    event = Signal(dict)  # every event

    def __init__(self, parent: QObject | None = None, *, python: str | None = None, stop_grace_ms: int = 15000):
        super().__init__(parent)
        self.python = python or sys.executable
        self.stop_grace_ms = stop_grace_ms
        self.proc: QProcess | None = None
        self.request: TrainRequest | None = None
        self._buffer = b""
        self._stderr = b""
        self._failed_sent = False
        self.last_done: dict | None = None

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning

    def start(self, request: TrainRequest) -> None:
        """Launch the subprocess (refused while one runs)."""
        if self.is_running():
            raise RuntimeError(self.tr("a training is already running"))
        self.request = request
        self._buffer, self._stderr, self._failed_sent, self.last_done = b"", b"", False, None
        Path(request.out).mkdir(parents=True, exist_ok=True)
        stop = Path(request.out) / "STOP"
        if stop.exists():
            stop.unlink()
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONPATH", str(REPO) + os.pathsep + env.value("PYTHONPATH", ""))
        env.insert("PYTHONUNBUFFERED", "1")
        proc.setProcessEnvironment(env)
        proc.setWorkingDirectory(str(REPO))
        proc.readyReadStandardOutput.connect(self._read_stdout)
        proc.readyReadStandardError.connect(self._read_stderr)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self.proc = proc
        proc.start(self.python, request.arguments())

    def stop(self) -> None:
        """Ask the run to end after its current step; escalate if it does not."""
        if not self.is_running() or self.request is None:
            return
        try:
            (Path(self.request.out) / "STOP").write_text("stop requested from the GUI\n")
        except OSError:
            self.proc.terminate()
        proc = self.proc
        QTimer.singleShot(self.stop_grace_ms, self, lambda: self._escalate(proc, kill=False))

    def _escalate(self, proc: QProcess, kill: bool) -> None:
        # The timers are tied to ``self``; the process may still be gone (finished and deleted).
        if proc is not self.proc or not shiboken6.isValid(proc) or proc.state() == QProcess.ProcessState.NotRunning:
            return
        if kill:
            proc.kill()
        else:
            proc.terminate()
            QTimer.singleShot(self.stop_grace_ms, self, lambda: self._escalate(proc, kill=True))

    def _read_stdout(self) -> None:
        self._buffer += bytes(self.proc.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            self._dispatch_line(raw)

    def _dispatch_line(self, raw: bytes) -> None:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("{"):
            return  # library noise on stdout (e.g. the ONNX exporter) is not ours
        try:
            e = json.loads(line)
        except json.JSONDecodeError:
            return
        kind = e.get("event")
        self.event.emit(e)
        if kind == "start":
            self.started.emit(e)
        elif kind == "step":
            self.step.emit(e)
        elif kind == "epoch":
            self.epoch.emit(e)
        elif kind == "warning":
            self.warning.emit(str(e.get("message", "")))
        elif kind == "checkpoint":
            self.checkpoint.emit(e)
        elif kind == "done":
            self.last_done = e
            self.done.emit(e)
        elif kind == "error":
            self._failed_sent = True
            self.failed.emit(str(e.get("message") or self.tr("training failed")))

    def _read_stderr(self) -> None:
        self._stderr = (self._stderr + bytes(self.proc.readAllStandardError()))[-20000:]

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._failed_sent = True
            self.failed.emit(self.tr("could not start {python}: {error}").format(python=self.python, error=self.proc.errorString()))
            self.finished.emit(-1)

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        if self._buffer:
            self._dispatch_line(self._buffer)
            self._buffer = b""
        if code != 0 and not self._failed_sent and self.last_done is None:
            tail = self._stderr.decode("utf-8", "replace").strip().splitlines()[-8:]
            self.failed.emit(self.tr("training stopped with exit code {code}:").format(code=code) + "\n" + "\n".join(tail))
        self.finished.emit(int(code))

    def stderr_tail(self) -> str:
        return self._stderr.decode("utf-8", "replace")

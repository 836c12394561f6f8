"""Model weights fetched on first use: checksum-checked, atomic, cancellable, never hanging.

- :class:`WeightFile`: one file a model needs (where it comes from, its SHA-256, where it lives
  in the user's cache).
- :func:`fetch`: download it into the cache with progress and cancel (the
  :mod:`segcore.progress` convention). The bytes go to a ``.part`` file beside the target; only
  a complete file with the right checksum is renamed into place, so the cache never holds a
  half-written or wrong file. A short connect/read timeout: no network gives a
  :class:`WeightsError` in seconds, naming the model and what to do.
- A mirror: ``mirror="https://host/path"`` fetches ``<mirror>/<sha256>`` instead of the
  original address (the layout of osam's ``OSAM_BLOB_ENDPOINT``, which is the default mirror).
- :func:`install_local`: for machines without a network, copy files the user already has into
  the cache (each one recognised by its checksum).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from segcore.progress import CancelToken, ProgressCallback, check_cancel, report

CHUNK = 1 << 16
DEFAULT_TIMEOUT = 10.0  # seconds without a byte before a download gives up
MIRROR_ENV = "OSAM_BLOB_ENDPOINT"


class WeightsError(RuntimeError):
    """A weight file could not be fetched or installed (the message names the model and what to do)."""


@dataclass(frozen=True)
class WeightFile:
    """One file of a model: its address, SHA-256 (hex) and place in the cache."""

    model: str
    url: str
    sha256: str
    path: Path

    @property
    def name(self) -> str:
        """The file name of the address (what the user would download by hand)."""
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    def present(self) -> bool:
        """True once the file is in the cache (only complete, checked files are ever renamed there)."""
        return self.path.is_file()


def default_mirror() -> str | None:
    """The first entry of ``$OSAM_BLOB_ENDPOINT`` other than ``direct``, or None."""
    entries = [e.strip() for e in os.environ.get(MIRROR_ENV, "").split(",") if e.strip()]
    return next((e for e in entries if e != "direct"), None)


def source_url(file: WeightFile, mirror: str | None = None) -> str:
    """Where ``file`` is fetched from: ``<mirror>/<sha256>`` with a mirror, else its own address."""
    return f"{mirror.rstrip('/')}/{file.sha256}" if mirror else file.url


def sha256_of(path: Path, cancel: CancelToken | None = None) -> str:
    """The SHA-256 (hex) of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            check_cancel(cancel)
            h.update(chunk)
    return h.hexdigest()


def _what_to_do(file: WeightFile) -> str:
    return (f"Check the network connection, set a download mirror, or download {file.name} "
            f"from {file.url} on another machine and choose it as a local model file")


def fetch(file: WeightFile, *, mirror: str | None = None, timeout: float = DEFAULT_TIMEOUT,
          progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> Path:
    """Download ``file`` into the cache unless it is there; returns its path.

    ``WeightsError`` (nothing left behind) when the network fails, the connection drops or the
    checksum differs; :class:`segcore.progress.Cancelled` (nothing left behind) on cancel."""
    if file.present():
        return file.path
    mirror = mirror if mirror is not None else default_mirror()
    url = source_url(file, mirror)
    file.path.parent.mkdir(parents=True, exist_ok=True)
    fd, part_name = tempfile.mkstemp(dir=file.path.parent, prefix=f".{file.path.name}.", suffix=".part")
    part = Path(part_name)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _download(file, url, out, timeout, progress, cancel)
        if digest != file.sha256:
            raise WeightsError(f"{file.model}: {file.name} from {url} has the wrong checksum "
                               f"(sha256 {digest}, expected {file.sha256}); it was not kept. "
                               "The download or the mirror is corrupt: try again or use another mirror")
        os.replace(part, file.path)
        return file.path
    finally:
        part.unlink(missing_ok=True)


def _download(file: WeightFile, url: str, out, timeout: float, progress: ProgressCallback | None,
              cancel: CancelToken | None) -> str:
    """Stream ``url`` into ``out``; returns the SHA-256 of what arrived."""
    check_cancel(cancel)
    h = hashlib.sha256()
    done = 0
    message = f"Downloading {file.model}: {file.name}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - http(s) addresses only
            total = int(resp.headers.get("Content-Length") or 0)
            report(progress, 0, total, message)
            while chunk := resp.read(CHUNK):
                check_cancel(cancel)
                out.write(chunk)
                h.update(chunk)
                done += len(chunk)
                report(progress, done, total, message)
    except urllib.error.HTTPError as exc:
        raise WeightsError(f"{file.model}: {url} answered {exc.code} {exc.reason}. {_what_to_do(file)}") from exc
    except http.client.IncompleteRead as exc:
        raise WeightsError(f"{file.model}: the connection dropped after {done} bytes of {file.name} "
                           f"(from {url}); nothing was kept. {_what_to_do(file)}") from exc
    except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise WeightsError(f"{file.model}: cannot download {file.name} from {url} ({reason}). "
                           f"{_what_to_do(file)}") from exc
    if total and done < total:
        raise WeightsError(f"{file.model}: the connection dropped after {done} of {total} bytes of "
                           f"{file.name} (from {url}); nothing was kept. {_what_to_do(file)}")
    return h.hexdigest()


def fetch_all(files: Iterable[WeightFile], **kw) -> list[Path]:
    """:func:`fetch` each file (the keywords go to every call)."""
    return [fetch(f, **kw) for f in files]


def install_local(files: Iterable[WeightFile], sources: Iterable[str | os.PathLike],
                  cancel: CancelToken | None = None) -> list[WeightFile]:
    """Copy files the user has into the cache; each source must match one of ``files`` by its
    checksum (``WeightsError`` naming the file otherwise). Returns the files installed."""
    wanted = {f.sha256: f for f in files}
    installed: list[WeightFile] = []
    for src in map(Path, sources):
        if not src.is_file():
            raise WeightsError(f"{src}: no such file")
        digest = sha256_of(src, cancel)
        target = wanted.get(digest)
        if target is None:
            names = ", ".join(f.name for f in wanted.values()) or "none"
            raise WeightsError(f"{src}: not a file of this model (its checksum matches none of: {names})")
        target.path.parent.mkdir(parents=True, exist_ok=True)
        fd, part_name = tempfile.mkstemp(dir=target.path.parent, prefix=f".{target.path.name}.", suffix=".part")
        os.close(fd)
        try:
            shutil.copyfile(src, part_name)
            os.replace(part_name, target.path)
        finally:
            Path(part_name).unlink(missing_ok=True)
        installed.append(target)
    return installed

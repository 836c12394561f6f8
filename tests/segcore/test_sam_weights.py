"""Weights fetched on first use, against a local HTTP server: what lands in the cache and why not."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from segcore.interactive import sam_osam
from segcore.interactive.weights import WeightFile, WeightsError, fetch, install_local
from segcore.progress import Cancelled, CancelToken

PAYLOAD = bytes(range(256)) * 1024  # 256 KiB: several chunks
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Handler.requests.append(self.path)
        if self.path == "/missing":
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        if self.path == "/drop":  # half the bytes, then the connection closes
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        body = bytearray(PAYLOAD)
        if self.path == "/corrupt":
            body[1000] ^= 0xFF
        self.wfile.write(bytes(body))


@pytest.fixture
def server():
    Handler.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def weight(tmp_path: Path, url: str, sha: str = DIGEST) -> WeightFile:
    return WeightFile(model="tiny:1m", url=url, sha256=sha, path=tmp_path / "cache" / "blobs" / f"sha256-{sha}")


def cache_files(tmp_path: Path) -> list[str]:
    root = tmp_path / "cache"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_correct_file_lands_in_the_cache_with_progress(tmp_path, server):
    w = weight(tmp_path, f"{server}/models/tiny_encoder.onnx")
    seen: list[tuple[int, int, str]] = []
    assert fetch(w, progress=lambda d, t, m: seen.append((d, t, m))) == w.path
    assert w.path.read_bytes() == PAYLOAD and cache_files(tmp_path) == [w.path.name]
    assert seen[0] == (0, len(PAYLOAD), "Downloading tiny:1m: tiny_encoder.onnx") and seen[-1][0] == len(PAYLOAD)
    assert fetch(w) == w.path and Handler.requests == ["/models/tiny_encoder.onnx"]  # cached: no request


def test_a_mirror_serves_the_file_by_its_checksum(tmp_path, server):
    w = weight(tmp_path, "https://unreachable.invalid/tiny_encoder.onnx")
    fetch(w, mirror=f"{server}/blobs/")
    assert Handler.requests == [f"/blobs/{DIGEST}"] and w.present()


def test_the_osam_mirror_setting_is_the_default(tmp_path, server, monkeypatch):
    monkeypatch.setenv("OSAM_BLOB_ENDPOINT", f"direct,{server}/m")
    w = weight(tmp_path, "https://unreachable.invalid/tiny_encoder.onnx")
    fetch(w)
    assert Handler.requests == [f"/m/{DIGEST}"]


def test_a_wrong_checksum_leaves_nothing_and_says_why(tmp_path, server):
    w = weight(tmp_path, f"{server}/corrupt")
    with pytest.raises(WeightsError, match=r"tiny:1m: corrupt .*wrong checksum.*not kept"):
        fetch(w)
    assert cache_files(tmp_path) == []


def test_a_dropped_connection_leaves_nothing_and_says_why(tmp_path, server):
    w = weight(tmp_path, f"{server}/drop")
    with pytest.raises(WeightsError, match=r"tiny:1m: the connection dropped after \d+ .*nothing was kept"):
        fetch(w)
    assert cache_files(tmp_path) == []


def test_no_server_gives_a_clear_message_at_once(tmp_path, server):
    port = int(server.rsplit(":", 1)[1])
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    assert closed != port
    w = weight(tmp_path, f"http://127.0.0.1:{closed}/tiny_encoder.onnx")
    with pytest.raises(WeightsError, match=r"tiny:1m: cannot download tiny_encoder.onnx .*local model file"):
        fetch(w, timeout=2)
    w = weight(tmp_path, f"{server}/missing")
    with pytest.raises(WeightsError, match="answered 404"):
        fetch(w)
    assert cache_files(tmp_path) == []


def test_cancel_stops_the_download_and_leaves_nothing(tmp_path, server):
    w = weight(tmp_path, f"{server}/tiny_encoder.onnx")
    token = CancelToken()

    def progress(done, total, message):
        if done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        fetch(w, progress=progress, cancel=token)
    assert cache_files(tmp_path) == []


def test_a_local_file_is_installed_when_its_checksum_matches(tmp_path):
    src = tmp_path / "downloads" / "encoder.onnx"
    src.parent.mkdir()
    src.write_bytes(PAYLOAD)
    other = tmp_path / "downloads" / "other.onnx"
    other.write_bytes(b"not a model")
    w = weight(tmp_path, "https://example.invalid/tiny_encoder.onnx")
    with pytest.raises(WeightsError, match=r"other.onnx: not a file of this model .*tiny_encoder.onnx"):
        install_local([w], [other])
    assert cache_files(tmp_path) == []
    assert install_local([w], [src]) == [w] and w.path.read_bytes() == PAYLOAD
    assert cache_files(tmp_path) == [w.path.name]


def test_every_offered_sam_model_names_its_files_in_the_osam_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in sam_osam.MODELS:
        files = sam_osam.weight_files(name)
        assert files and all(len(f.sha256) == 64 and f.url.startswith("https://") for f in files)
        assert all(str(f.path).startswith(str(tmp_path / ".cache" / "osam")) for f in files)
        with pytest.raises(sam_osam.WeightsMissing, match=f"{name}: its weights .* not downloaded"):
            sam_osam.OsamModel(name)

"""The CA file Prefect's client loads (PREFECT_API_SSL_CERT_FILE, else SSL_CERT_FILE, read into every client it makes
even for an http:// API): missing, a folder, or holding no certificate, it stopped `ykien serve` and `ykien worker`
with OpenSSL's traceback once they reached the Prefect server. Each now refuses to start in one line naming the
variable, before any request."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli


class Healthy(BaseHTTPRequestHandler):
    """Answers Prefect's health check, as a running `prefect server start` does: ykien's check passes."""

    def do_GET(self) -> None:
        body = b"true"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def prefect_health() -> Iterator[str]:
    """The API URL of a loopback server answering GET /health with 200."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("args", [["worker"], ["serve", "--no-web"]])
@pytest.mark.parametrize(("setting", "kind", "reason"), [
    ("SSL_CERT_FILE", "missing", "không đọc được tệp này: không có tệp hoặc thư mục này"),
    ("SSL_CERT_FILE", "text", "không có chứng chỉ nào đọc được trong tệp này"),
    ("PREFECT_API_SSL_CERT_FILE", "folder", "không đọc được tệp này: "),
])
def test_a_ca_file_prefect_cannot_load_is_one_line_naming_its_variable(
        cli: Cli, tmp_path: Path, prefect_health: str, args: list[str], setting: str, kind: str,
        reason: str) -> None:
    path = {"missing": tmp_path / "khong-co" / "ca.pem", "text": tmp_path / "ca.pem", "folder": tmp_path}[kind]
    if kind == "text":
        path.write_text("Chứng chỉ CA của Sở (bản giấy)\n", encoding="utf-8")
    before = cli.snapshot()
    result = cli(*args, expect=2, PREFECT_API_URL=prefect_health, **{setting: str(path)})
    assert result.err.startswith(f'Lỗi: {setting}: "{path}" ({reason}'), result.err
    assert "hãy ghi đường dẫn tệp PEM" in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1 and result.out == ""
    assert cli.snapshot() == before

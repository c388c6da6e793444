"""Issue 12: `ykien demo --serve` (what scripts/demo.sh runs) sends mail whose personal links point at the port
the demo serves on, not at YKIEN_BASE_URL's (or the default 8000) where nothing listens.

The demo runs as a subprocess on a free port with YKIEN_BASE_URL naming another port; the links are read from
the mail its embedded sink stored, and one is opened on the running server.
"""
from __future__ import annotations

import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from workflows.demo import demo_base_url

STARTUP = 120.0  # the story, then LibreOffice and uvicorn starting, on a loaded 2-core machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _links(database: Path) -> list[str]:
    connection = sqlite3.connect(database)
    try:
        raws = [row[0] for row in connection.execute("SELECT raw FROM received_mail ORDER BY id")]
    finally:
        connection.close()
    links = []
    for raw in raws:
        message = message_from_bytes(raw, policy=default_policy)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        links += re.findall(r"\S+/r/[A-Za-z0-9_-]+", body.get_content())
    return links


def test_demo_mail_links_point_at_the_port_the_demo_serves_on(tmp_path: Path,
                                                              make_cli: Any) -> None:
    port = _free_port()
    home = tmp_path / "demo"
    cli = make_cli(home)
    cli.now = None
    log = tmp_path / "demo.log"
    process = cli.start("demo", "--serve", "--home", str(home), "--port", str(port), log=log,
                        YKIEN_BASE_URL="http://127.0.0.1:8000")
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP
        while "Ctrl-C" not in log.read_text(encoding="utf-8", errors="replace"):
            assert process.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8", errors="replace")
            time.sleep(0.5)
        links = _links(home / "ykien.db")
        assert len(links) > 40  # the story's invitations and reminders, and the live round's invitations
        assert all(link.startswith(f"{base}/r/") for link in links), {link.split("/r/")[0] for link in links}
        printed = re.findall(r"Đường dẫn trả lời của \S+: (\S+)", log.read_text(encoding="utf-8"))
        assert printed and all(link.startswith(f"{base}/r/") for link in printed)
        while True:  # uvicorn starts after the links are printed
            try:
                with urllib.request.urlopen(printed[0], timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.5)
        assert response.status == 200 and "Quy chế quản lý nhiệm vụ khoa học và công nghệ cấp tỉnh" in page
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_wildcard_host_is_reached_through_loopback() -> None:
    assert demo_base_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert demo_base_url("0.0.0.0", 9000) == "http://127.0.0.1:9000"
    assert demo_base_url("::1", 9000) == "http://[::1]:9000"
    assert demo_base_url("ykien.local", 80) == "http://ykien.local:80"

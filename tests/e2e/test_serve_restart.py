"""`ykien serve` killed in the middle of a 500-message fan-out: after a restart every unit has its
invitation, at most one duplicate per connection and kill, duplicates carrying the same Message-ID. And a
SIGINT stops serve cleanly, finishing the sweep in progress.

The SMTP server takes DELAY seconds per message, so that the fan-out can be caught half-way. A restart
comes a minute later on ykien's clock (YKIEN_NOW): the killed process's heartbeat is stale by then, so the
new one takes its claims over at its first claim.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import pytest

from notifications.smtp_server import SmtpServerThread

UNITS = 500
DELAY = 0.05  # seconds per message and connection: about 160 messages/s over 8 connections
SERVE = ("serve", "--inline", "--interval", "1")
CONNECTIONS = 8  # YKIEN_SMTP_CONNECTIONS' default: at most one unrecorded message in flight on each


class _SlowHandler:
    def __init__(self, capture: SlowCapture) -> None:
        self.capture = capture

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        capture = self.capture
        await asyncio.sleep(capture.delay)
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with capture.lock:
            capture.received.append((str(headers["X-Ykien-Unit"]), str(headers["X-Ykien-Kind"]),
                                     str(headers["Message-ID"])))
        return "250 2.0.0 OK"


class SlowCapture:
    """A loopback SMTP server that answers each DATA after `delay` seconds and notes unit and Message-ID."""

    def __init__(self, delay: float = DELAY) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.received: list[tuple[str, str, str]] = []  # (unit, kind, Message-ID)
        self.server = SmtpServerThread(_SlowHandler(self), "127.0.0.1", 0)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server.port}"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def units(self) -> int:
        with self.lock:
            return len({unit for unit, _, _ in self.received})

    def by_unit(self) -> dict[str, list[str]]:
        with self.lock:
            copies: dict[str, list[str]] = defaultdict(list)
            for unit, kind, message_id in self.received:
                assert kind == "invitation"
                copies[unit].append(message_id)
            return dict(copies)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, what: str, progress: Callable[[], int] | None = None,
               stall: float | None = None, interval: float = 0.005) -> None:
    """Poll `condition`; fail after `timeout` s, or after `stall` s without `progress` changing."""
    start = last_change = time.monotonic()
    last = progress() if progress else 0
    while not condition():
        now = time.monotonic()
        if progress is not None:
            current = progress()
            if current != last:
                last, last_change = current, now
            elif stall is not None and now - last_change > stall:
                raise AssertionError(f"{what}: no progress for {stall:.0f} s (at {current})")
        if now - start > timeout:
            raise AssertionError(f"{what}: not done after {timeout:.0f} s")
        time.sleep(interval)


def outbox_statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database, timeout=30) as connection:
        return Counter(status for (status,) in connection.execute("SELECT status FROM outbox"))


def units_csv(path: Path) -> Path:
    lines = ["code,name,group,email"] + [
        f"X-{i:03d},Ủy ban nhân dân xã Thử Nghiệm {i},xa-phuong,xa{i:03d}@caobang.example.vn"
        for i in range(1, UNITS + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def launched_home(tmp_path_factory: pytest.TempPathFactory, make_cli) -> Path:  # type: ignore[no-untyped-def]
    """A home with 500 communes and a launched round whose 500 invitations are queued, none sent."""
    folder = tmp_path_factory.mktemp("fanout")
    cli = make_cli(folder / "home")
    cli("init")
    cli("directory", "import", str(units_csv(folder / "xa-phuong.csv")))
    cli("round", "create", "--title", "Kế hoạch chuyển đổi số cấp xã", "--office", "TĐC",
        "--deadline", "10 ngày làm việc", "--group", "xa-phuong", "--contact-name", "Ông Phạm Phi Long",
        "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền")
    cli.at("2025-11-20T09:00")
    cli("round", "launch", "1", "--queue-only", "--no-draft-reason", "Thử nghiệm gửi thư hàng loạt")
    assert outbox_statuses(cli.database) == {"queued": UNITS}
    return cli.home


@pytest.fixture
def fanout(launched_home: Path, tmp_path: Path, make_cli) -> Iterator[tuple[Any, SlowCapture, list[subprocess.Popen[bytes]]]]:  # type: ignore[no-untyped-def]
    """(cli on a copy of the launched home, a started SlowCapture, the serve processes to clean up)."""
    home = tmp_path / "home"
    shutil.copytree(launched_home, home)
    cli = make_cli(home)
    cli.at("2025-11-20T09:05")
    capture = SlowCapture()
    capture.server.start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield cli, capture, processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        capture.server.stop()


def start_serve(cli, capture: SlowCapture, processes: list, *extra: str) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def,type-arg]
    process = cli.start(*SERVE, *extra, log=cli.home.parent / "serve.log", YKIEN_SMTP_URL=capture.url)
    processes.append(process)
    return process


def kill(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout)


def test_serve_killed_twice_mid_fanout_delivers_every_invitation_with_at_most_one_duplicate_per_kill(
        fanout) -> None:  # type: ignore[no-untyped-def]
    cli, capture, processes = fanout
    kills = 0
    for threshold, minute in ((100, "06"), (300, "07")):
        serve = start_serve(cli, capture, processes, "--no-web")
        wait_until(lambda threshold=threshold: capture.units() >= threshold, 60, f"{threshold} units reached")
        kill(serve)
        kills += 1
        assert capture.units() < UNITS, "the fan-out ended before the kill; make the SMTP server slower"
        cli.at(f"2025-11-20T09:{minute}")  # a minute on: the killed process's heartbeat is stale

    serve = start_serve(cli, capture, processes, "--no-web")
    wait_until(lambda: outbox_statuses(cli.database) == {"sent": UNITS}, 60, "all messages recorded as sent",
               progress=capture.count, stall=15, interval=0.1)
    kill(serve)  # everything is recorded; how serve stops is another test's business

    copies = capture.by_unit()
    assert len(copies) == UNITS, "a unit never received its invitation"
    assert max(len(ids) for ids in copies.values()) <= 1 + kills
    assert sum(len(ids) - 1 for ids in copies.values()) <= CONNECTIONS * kills
    assert all(len(set(ids)) == 1 for ids in copies.values()), "a resent invitation has a new Message-ID"


def test_serve_restarted_after_a_kill_resumes_the_fanout_at_once(fanout) -> None:  # type: ignore[no-untyped-def]
    cli, capture, processes = fanout
    serve = start_serve(cli, capture, processes, "--no-web")
    wait_until(lambda: capture.units() >= 100, 60, "100 units reached")
    kill(serve)
    assert capture.units() < UNITS
    cli.at("2025-11-20T09:06")  # a minute on: the killed process's heartbeat is stale
    start_serve(cli, capture, processes, "--no-web")
    wait_until(lambda: capture.units() == UNITS, 60, "every unit reached", progress=capture.count, stall=8)


@pytest.mark.parametrize("web", [
    "--no-web",
    "--web",
])
def test_serve_stops_cleanly_on_sigint(cli, tmp_path: Path, web: str) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    log = tmp_path / "serve.log"
    serve = cli.start(*SERVE, web, "--port", str(port), log=log)
    try:
        ready = (lambda: _accepts(port)) if web == "--web" else (lambda: "Ctrl-C" in _read(log))
        wait_until(lambda: ready() or serve.poll() is not None, 60, "serve ready")
        assert serve.poll() is None, _read(log)
        time.sleep(0.5)  # past the first sweep: an idle home has nothing to send
        started = time.monotonic()
        assert stop(serve, timeout=10) == 0
        assert time.monotonic() - started < 10
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    output = _read(log)
    assert "Traceback" not in output and "stopped" in output


def _read(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def test_serve_stopped_by_sigint_mid_sweep_finishes_the_sweep_and_exits(fanout) -> None:  # type: ignore[no-untyped-def]
    cli, capture, processes = fanout
    serve = start_serve(cli, capture, processes, "--no-web")
    wait_until(lambda: capture.count() >= 50, 60, "50 messages sent")
    assert stop(serve, timeout=10) == 0
    # The sweep in progress was allowed to finish: everything sent once, and recorded.
    assert outbox_statuses(cli.database) == {"sent": UNITS}
    copies = capture.by_unit()
    assert len(copies) == UNITS and all(len(ids) == 1 for ids in copies.values())

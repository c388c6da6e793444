"""`ykien serve` killed in the middle of a 500-message fan-out: after a restart every unit has its
invitation, at most one duplicate per connection and kill, duplicates carrying the same Message-ID. And SIGTERM
(systemd, containers) or SIGINT (Ctrl-C) stops serve cleanly within 10 s, exit 0: it claims nothing more, finishes
the messages on the wire, and releases the rest for the next process, which sends them once.

The SMTP server takes DELAY seconds per message, so that the fan-out can be caught half-way. A restart
comes a minute later on ykien's clock (YKIEN_NOW): the killed process's heartbeat is stale by then, so the
new one takes its claims over at its first claim.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from process_table import children_of, signal_another_thread

from tests.e2e.fanout_support import SlowCapture, launch_fanout, outbox_statuses, wait_until
from tests.pg import free_port

UNITS = 500
DELAY = 0.05  # seconds per message and connection: about 160 messages/s over 8 connections
SERVE = ("serve", "--inline", "--interval", "1")
CONNECTIONS = 8  # YKIEN_SMTP_CONNECTIONS' default: at most one unrecorded message in flight on each




@pytest.fixture(scope="module")
def launched_home(tmp_path_factory: pytest.TempPathFactory, make_cli) -> Path:  # type: ignore[no-untyped-def]
    """A home with 500 communes and a launched round whose 500 invitations are queued, none sent."""
    return launch_fanout(make_cli, tmp_path_factory.mktemp("fanout"), UNITS)


@pytest.fixture
def fanout(launched_home: Path, tmp_path: Path, make_cli) -> Iterator[tuple[Any, SlowCapture, list[subprocess.Popen[bytes]]]]:  # type: ignore[no-untyped-def]
    """(cli on a copy of the launched home, a started SlowCapture, the serve processes to clean up)."""
    home = tmp_path / "home"
    shutil.copytree(launched_home, home)
    cli = make_cli(home)
    cli.at("2025-11-20T09:05")
    capture = SlowCapture(DELAY)
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


def stop(process: subprocess.Popen[bytes], signum: int = signal.SIGINT, timeout: float = 10.0) -> int:
    process.send_signal(signum)
    return process.wait(timeout)


def claims_held(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as connection:
        (held,) = connection.execute("SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL AND status = 'queued'"
                                     ).fetchone()
        return int(held)


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


@pytest.mark.parametrize(("signum", "web"), [
    (signal.SIGINT, "--no-web"),
    (signal.SIGINT, "--web"),
    (signal.SIGTERM, "--no-web"),
    (signal.SIGTERM, "--web"),
])
def test_serve_stops_cleanly_on_sigint_and_sigterm(cli, tmp_path: Path, signum: int, web: str) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    log = tmp_path / "serve.log"
    log_format = "json" if signum == signal.SIGTERM else "text"  # what a log collector reads: one JSON object a line
    serve = cli.start(*SERVE, web, "--port", str(port), log=log, YKIEN_LOG_FORMAT=log_format)
    try:
        ready = (lambda: _accepts(port)) if web == "--web" else (lambda: "Ctrl-C" in _read(log))
        wait_until(lambda: ready() or serve.poll() is not None, 60, "serve ready")
        assert serve.poll() is None, _read(log)
        time.sleep(0.5)  # past the first sweep: an idle home has nothing to send
        started = time.monotonic()
        assert stop(serve, signum, timeout=10) == 0
        assert time.monotonic() - started < 10
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    output = _read(log)
    assert "Traceback" not in output and "đã dừng" in output
    assert not children_of(serve.pid)
    if log_format == "json":
        lines = [json.loads(line) for line in output.splitlines()]
        assert {"time", "logger", "level", "message"} <= set(lines[0])
        assert any(line["message"].startswith("giao diện web tại http://") for line in lines) == (web == "--web")


@pytest.mark.parametrize("web", ["--no-web", "--web"])
def test_serve_stops_on_a_sigterm_taken_by_any_of_its_threads(cli, tmp_path: Path, web: str) -> None:  # type: ignore[no-untyped-def]
    """Seen once in a fresh clone: a serve --no-web ran on for 15 s after SIGTERM and was killed. Linux may deliver a
    process's signal to any thread; Python runs the handler in the main thread, which waited without a timeout."""
    port = free_port()
    log = tmp_path / "serve.log"
    serve = cli.start(*SERVE, web, "--port", str(port), log=log)
    try:
        ready = (lambda: _accepts(port)) if web == "--web" else (lambda: "Ctrl-C" in _read(log))
        wait_until(lambda: ready() or serve.poll() is not None, 60, "serve ready")
        time.sleep(0.5)  # past the first sweep
        signal_another_thread(serve.pid, signal.SIGTERM)
        assert serve.wait(10) == 0, _read(log)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    assert "đã dừng" in _read(log) and "Traceback" not in _read(log)


def test_serve_refuses_an_unknown_log_format(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("serve", "--no-web", YKIEN_LOG_FORMAT="xml", expect=2)
    assert "YKIEN_LOG_FORMAT" in result.err and "Traceback" not in result.err


def _read(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_stopped_mid_fanout_releases_what_it_has_not_sent_and_the_next_serve_sends_it_once(
        fanout, signum: int) -> None:  # type: ignore[no-untyped-def]
    cli, capture, processes = fanout
    serve = start_serve(cli, capture, processes, "--no-web")
    wait_until(lambda: capture.count() >= 50, 60, "50 messages sent")
    started = time.monotonic()
    assert stop(serve, signum, timeout=10) == 0
    assert time.monotonic() - started < 10
    statuses = outbox_statuses(cli.database)
    assert statuses["sent"] == capture.count(), "a message on the wire was not recorded before serve exited"
    assert 0 < statuses["queued"] < UNITS - 50, "serve went on with the fan-out after the signal, or sent nothing"
    assert claims_held(cli.database) == 0, "the messages serve did not send stay claimed by a stopped process"
    # No minute passes on ykien's clock: the next process takes the released rows at once, not after a lease.
    start_serve(cli, capture, processes, "--no-web")
    wait_until(lambda: outbox_statuses(cli.database) == {"sent": UNITS}, 60, "all messages recorded as sent",
               progress=capture.count, stall=15, interval=0.1)
    copies = capture.by_unit()
    assert len(copies) == UNITS and all(len(ids) == 1 for ids in copies.values()), "a graceful stop duplicated mail"


def test_serve_stopped_while_the_mail_server_takes_seconds_to_accept_waits_for_the_messages_on_the_wire(
        fanout) -> None:  # type: ignore[no-untyped-def]
    """The step in progress is waited for while the database answers, 3 s at a time however long: a mail
    server taking 5 s to accept each message does not make serve give up the messages on the wire (which would leave
    them sent and unrecorded, to go out again); they have 6.5 s from the signal (STOP_GRACE_SECONDS)."""
    cli, capture, processes = fanout
    serve = start_serve(cli, capture, processes, "--no-web")
    wait_until(lambda: capture.count() >= 50, 60, "50 messages sent")
    capture.delay = 5.0
    time.sleep(0.5)  # each connection now waits for the server to accept its message
    started = time.monotonic()
    assert stop(serve, signal.SIGTERM, timeout=20) == 0
    assert 4 < time.monotonic() - started < 10  # well past the 3 s waited at a time, within the 10 s of a stop
    statuses = outbox_statuses(cli.database)
    assert statuses["sent"] == capture.count(), "a message on the wire was not recorded before serve exited"
    assert claims_held(cli.database) == 0

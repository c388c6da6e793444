"""SIGTERM to `ykien serve`, `ykien worker` or `ykien tick` while their PostgreSQL does not answer (its processes
stopped, as a server that hung or a host the network cut off: connections stay open, nothing comes back). Each exits
within 10 s, with 2 (the database errors' code) and one line saying that the database did not answer, no traceback
and no child left; serve and the worker used to wait for ever on the write of their last results. Once the database
answers again, a new process sends the rest: every unit gets its invitation, with no more duplicates than the SMTP
connections that were in flight (one each), each with its first copy's Message-ID.

The cluster is this module's own (the session's shared one must not be frozen under other tests)."""
from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from loopback_http import LOOPBACK
from process_table import children_of

from tests.e2e.fanout_support import SlowCapture, launch_fanout_with, launch_queued, slow_capture, wait_until
from tests.e2e.prefect_support import YkienProcesses, terminate
from tests.e2e.test_prefect_workers import prefect_api  # noqa: F401
from tests.e2e.test_serve_restart import free_port
from tests.pg import PostgresCluster, own_cluster

pytestmark = pytest.mark.timeout(300)

UNITS = 300
DELAY = 0.05  # seconds per message and connection: about 160 messages/s, so the database freezes mid fan-out
CONNECTIONS = 8
STOP_WITHIN = 10.0  # seconds, as for any stop (README, Production)
# The processes started once the database answers again come a minute later on ykien's clock (YKIEN_NOW): the
# stopped ones' heartbeats are stale by then, so their claims (and a worker's flow run) pass on at once.
A_MINUTE_ON = "2025-11-20T09:06"
PASSWORD = "matkhau-rat-dai"
SAID = "không báo được cơ sở dữ liệu rằng tiến trình"


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with own_cluster() as own:
        yield own


def _stopped_while_frozen(processes: list[tuple[subprocess.Popen[bytes], Path]], cluster: PostgresCluster,
                          capture: SlowCapture, meanwhile: Callable[[], None] = lambda: None) -> None:
    """Freeze the database mid fan-out, do `meanwhile`, SIGTERM each process: each exits 2 within STOP_WITHIN, says
    so in one line and leaves no child. The database answers again on the way out."""
    wait_until(lambda: capture.count() >= 60 or any(process.poll() is not None for process, _ in processes), 120,
               "60 invitations sent")

    def mid_fanout() -> None:
        time.sleep(0.5)  # the results of the messages on the wire now wait on the database
        assert capture.units() < UNITS, "the fan-out ended before the database froze; make the SMTP server slower"
        meanwhile()

    _stopped_frozen(processes, cluster, mid_fanout)


def _stopped_frozen(processes: list[tuple[subprocess.Popen[bytes], Path]], cluster: PostgresCluster,
                    meanwhile: Callable[[], None]) -> None:
    """Freeze the database, do `meanwhile`, SIGTERM each process: each exits 2 within STOP_WITHIN, says so in one
    line and leaves no child. The database answers again on the way out."""
    assert all(process.poll() is None for process, _ in processes), [log.read_text() for _, log in processes]
    kids = [pid for process, _ in processes for pid in children_of(process.pid)]
    with cluster.frozen():
        meanwhile()
        asked = time.monotonic()
        for process, _ in processes:
            process.terminate()
        for process, log in processes:
            try:
                code = process.wait(max(STOP_WITHIN + 5 - (time.monotonic() - asked), 0.1))
            except subprocess.TimeoutExpired:
                raise AssertionError(f"still running {STOP_WITHIN + 5:.0f} s after SIGTERM:\n{log.read_text()}"
                                     ) from None
            took = time.monotonic() - asked
            text = log.read_text(encoding="utf-8")
            assert (code, took < STOP_WITHIN) == (2, True), f"exit {code} after {took:.1f} s:\n{text}"
            said = [line for line in text.splitlines() if SAID in line]
            assert len(said) == 1 and "(YKIEN_DATABASE_URL) không trả lời sau 2 giây" in said[0], text
            assert "Traceback" not in text, text
    assert not [pid for pid in kids if Path(f"/proc/{pid}").exists()], "a child outlived its process"


def _answers(port: int) -> bool:
    try:
        return LOOPBACK.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _each_unit_once_but_in_flight(capture: SlowCapture) -> None:
    copies = capture.by_unit()
    assert len(copies) == UNITS
    assert sum(len(ids) - 1 for ids in copies.values()) <= CONNECTIONS, "more duplicates than messages in flight"
    assert all(len(set(ids)) == 1 for ids in copies.values()), "a resent invitation has a new Message-ID"


def test_serve_stopped_while_postgresql_does_not_answer_exits_2_within_10_s_and_the_next_serve_sends_the_rest(
        make_cli, cluster: PostgresCluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli = make_cli(tmp_path / "home")
    cli.env["YKIEN_DATABASE_URL"] = cluster.create_database("serve_frozen")
    launch_fanout_with(cli, tmp_path, UNITS, launched=False)  # launched once the web app answers
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--role", "admin", YKIEN_NEW_PASSWORD=PASSWORD)
    cli.at("2025-11-20T09:05")
    with slow_capture(DELAY) as capture, YkienProcesses(cli, tmp_path, {"YKIEN_SMTP_URL": capture.url}) as start:
        # With the web app, as production runs it: LibreOffice (its PDFs), started once staff opened a round's
        # documents, is a child that must not outlive serve, and a request of the web app left waiting on the
        # database (the probe's check) must not hold serve's exit.
        port = free_port()
        serve = start("serve", "--port", str(port), "--interval", "1")
        start.waited(lambda: _answers(port), 60, "serve's web app")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, trust_env=False) as staff:
            assert staff.post("/api/session", json={"username": "canbo", "password": PASSWORD}).status_code == 200
            assert staff.get("/rounds/1/documents").status_code == 200
        start.waited(lambda: "chạy sẵn" in serve[1].read_text(errors="replace"), 90, "serve's LibreOffice warm")
        assert children_of(serve[0].pid), "serve's LibreOffice (unoserver) is its child"
        launch_queued(cli)  # the next sweep, within a second, starts the fan-out
        _stopped_while_frozen([serve], cluster, capture, lambda: _probed(port))
        cli.at(A_MINUTE_ON)
        second, _ = start("serve", "--no-web", "--interval", "1")
        start.waited(lambda: capture.units() == UNITS, 120, "every unit's invitation, sent by the second serve")
        terminate(second, "the second serve")
    _each_unit_once_but_in_flight(capture)


def test_tick_stopped_while_postgresql_does_not_answer_exits_2_within_10_s_and_the_next_tick_sends_the_rest(
        make_cli, cluster: PostgresCluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A tick's fan-out runs in the main thread's care: stopped, it must not wait on the frozen database for ever
    (before SIGTERM ended it at once, with no word; now it stops as serve does)."""
    cli = make_cli(tmp_path / "home")
    cli.env["YKIEN_DATABASE_URL"] = cluster.create_database("tick_frozen")
    launch_fanout_with(cli, tmp_path, UNITS)
    cli.at("2025-11-20T09:05")
    with slow_capture(DELAY) as capture, YkienProcesses(cli, tmp_path, {"YKIEN_SMTP_URL": capture.url}) as start:
        tick = start("tick")
        _stopped_while_frozen([tick], cluster, capture)
        assert "việc gửi thư chưa xong, cơ sở dữ liệu không trả lời; thôi chờ" in tick[1].read_text(encoding="utf-8")
        cli.at(A_MINUTE_ON)
        cli("tick", YKIEN_SMTP_URL=capture.url)
    _each_unit_once_but_in_flight(capture)


def test_an_idle_serve_whose_web_request_waits_on_a_database_that_does_not_answer_exits_2_within_10_s(
        make_cli, cluster: PostgresCluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Nothing to send: only the request's thread waits on the database, and that must not hold serve's exit."""
    cli = make_cli(tmp_path / "home")
    cli.env["YKIEN_DATABASE_URL"] = cluster.create_database("idle_frozen")
    cli("init")
    with YkienProcesses(cli, tmp_path, {}) as start:
        for _ in range(3):  # a port found free can be taken by another test's process before serve binds it
            port = free_port()
            serve = start("serve", "--port", str(port))  # a sweep every 30 s: none runs while the database is frozen
            start.waited(partial(_up_or_ended, port, serve[0]), 60, "serve's web app")
            if serve[0].poll() is None:
                break
        _stopped_frozen([serve], cluster, lambda: _probed(port))


def _up_or_ended(port: int, serve: subprocess.Popen[bytes]) -> bool:
    return _answers(port) or serve.poll() is not None


def _probed(port: int) -> None:
    """/readyz answers 503 within its 2 s, its check left waiting on the database."""
    ready = LOOPBACK.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
    assert (ready.status_code, ready.json()["checks"]) == (503, {"database": "không trả lời sau 2 giây"})


def test_a_worker_stopped_while_postgresql_does_not_answer_exits_2_within_10_s_and_another_sends_the_rest(
        prefect_api: str, make_cli, cluster: PostgresCluster,
        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli = make_cli(tmp_path / "home")
    cli.env["YKIEN_DATABASE_URL"] = cluster.create_database("worker_frozen")
    launch_fanout_with(cli, tmp_path, UNITS)
    cli.at("2025-11-20T09:05")
    with slow_capture(DELAY) as capture, YkienProcesses(cli, tmp_path, {
            "YKIEN_SMTP_URL": capture.url, "PREFECT_API_URL": prefect_api, "YKIEN_WORK_POOL": "frozen-database",
            "PREFECT_HOME": str(tmp_path / "prefect-client")}) as start:
        worker = start("worker", "--name", "may-dong-bang")
        serve = start("serve", "--no-web", "--interval", "1")  # hands the fan-out to the worker
        _stopped_while_frozen([worker, serve], cluster, capture)
        cli.at(A_MINUTE_ON)
        # This serve ends the first worker's flow run Crashed (its heartbeat is stale) and submits the rest anew.
        serve_again, _ = start("serve", "--no-web", "--interval", "1")
        second, _ = start("worker", "--name", "may-thu-hai")
        start.waited(lambda: capture.units() == UNITS, 120, "every unit's invitation, sent by the second worker")
        terminate(second, "the second worker")
        terminate(serve_again, "the second serve")
    _each_unit_once_but_in_flight(capture)

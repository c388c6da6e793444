"""The Prefect server, or a worker, goes away while production runs (`ykien serve` with PREFECT_API_URL and
`ykien worker`s), and nothing is lost:
- the server stopped, then started again on the same home and port: a round launched meanwhile stands (the launch
  says its mail waits), serve keeps sweeping and logs the outage once (its /readyz names Prefect, /healthz stays
  up), a reminder that comes due waits too, and once the server is back the fan-out and the reminder run as flow
  runs on the worker, each message sent once;
- the server stopped while a worker sends a fan-out: the fan-out ends, the worker stays up and takes the next
  round's run once the server is back;
- a worker SIGKILLed in the middle of a fan-out: serve ends its run Crashed (its instance's heartbeat in the
  database went stale) and submits the step again; the worker restarted under the same name sends the rest.
Then SIGTERM stops every process with exit 0. Each test has a Prefect server of its own (the module-scoped one of
test_prefect_workers must not be stopped under other tests).
"""
from __future__ import annotations

import contextlib
import re
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from loopback_http import LOOPBACK

from tests.e2e.fanout_support import outbox_statuses, slow_capture, units_csv
from tests.e2e.prefect_support import (
    PrefectServer,
    YkienProcesses,
    flow_runs,
    make_reminder_due,
    sent_by_pid,
    terminate,
)
from tests.e2e.test_serve_restart import free_port

UNITS = 40
KILLED_UNITS = 200  # 8 connections at 0.2 s a message: 5 s of fan-out
PASSWORD = "matkhau-rat-dai"
# What serve logs when a sweep cannot hand its steps to the Prefect server.
OUTAGE = "quét: gửi thư lỗi (không kết nối được máy chủ Prefect tại"


@pytest.fixture
def prefect(tmp_path: Path) -> Iterator[PrefectServer]:
    home = tmp_path / "prefect-server"
    home.mkdir()
    server = PrefectServer(home)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def create_round(cli, folder: Path, units: int) -> None:  # type: ignore[no-untyped-def]
    """A home with `units` communes and a draft round to them all."""
    cli("init")
    cli("directory", "import", str(units_csv(folder / "xa-phuong.csv", units)))
    cli("round", "create", "--title", "Kế hoạch chuyển đổi số cấp xã", "--office", "TĐC",
        "--deadline", "10 ngày làm việc", "--group", "xa-phuong", "--contact-name", "Ông Phạm Phi Long",
        "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền")


def create_round_again(cli) -> None:  # type: ignore[no-untyped-def]
    """A second draft round to the same communes."""
    cli("round", "create", "--title", "Kế hoạch chuyển đổi số cấp xã năm 2027", "--office", "TĐC",
        "--deadline", "10 ngày làm việc", "--group", "xa-phuong", "--contact-name", "Ông Phạm Phi Long",
        "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền")


def timer_statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database, timeout=30) as connection:
        return Counter(status for (status,) in connection.execute(
            "SELECT status FROM timers WHERE name = 'remind_before'"))


def _status(url: str) -> int | None:
    try:
        return LOOPBACK.get(url, timeout=5).status_code
    except httpx.HTTPError:
        return None


def test_a_round_launched_while_the_prefect_server_is_down_goes_out_once_when_it_is_back(
        prefect: PrefectServer, tmp_path: Path, make_cli) -> None:  # type: ignore[no-untyped-def]
    cli = make_cli(tmp_path / "home")
    create_round(cli, tmp_path, UNITS)
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--role", "admin", YKIEN_NEW_PASSWORD=PASSWORD)
    cli.at("2025-11-20T09:00")
    with slow_capture(0) as capture, YkienProcesses(cli, tmp_path, {
            "YKIEN_SMTP_URL": capture.url, "PREFECT_API_URL": prefect.url,
            "PREFECT_HOME": str(tmp_path / "prefect-client")}, prefect.log) as start:
        waited = start.waited
        worker, worker_log = start("worker", "--name", "may-gui-thu-1")
        waited(lambda: "nhận các lượt chạy (flow run)" in worker_log.read_text(errors="replace"), 90, "the worker pulling")
        base = f"http://127.0.0.1:{free_port()}"
        serve, serve_log = start("serve", "--port", base.rsplit(":", 1)[1], "--interval", "1")
        waited(lambda: _status(f"{base}/readyz") == 200, 60, "serve ready")

        prefect.stop()
        waited(lambda: _status(f"{base}/readyz") == 503, 30, "/readyz telling Prefect is away")
        assert _status(f"{base}/healthz") == 200
        # Staff launch the round on serve's web app (its API): the launch stands, and its answer says the mail waits.
        with httpx.Client(base_url=base, timeout=60) as staff:
            session = staff.post("/api/session", json={"username": "canbo", "password": PASSWORD})
            assert session.status_code == 200, session.text
            launched = staff.post("/api/rounds/1/launch", headers={"X-CSRF-Token": session.json()["csrf_token"]},
                                  json={"no_draft_reason": "Thử nghiệm khi máy chủ Prefect ngừng"})
        assert launched.status_code == 200, launched.text
        assert launched.json()["messages"] == UNITS and launched.json()["mail_notice"], launched.json()
        assert outbox_statuses(cli.database) == {"queued": UNITS}
        make_reminder_due(cli.database)  # and the round's reminder comes due during the outage
        waited(lambda: OUTAGE in serve_log.read_text(errors="replace"), 30, "serve telling of the outage")
        time.sleep(3)  # three more sweeps, each failing alike
        told = serve_log.read_text(errors="replace")
        assert told.count(OUTAGE) == 1, told  # one line for the outage, not one per sweep
        assert serve.poll() is None and worker.poll() is None, start.logs()
        assert capture.count() == 0 and timer_statuses(cli.database) == {"pending": 1}

        prefect.start()
        started_again = time.monotonic()
        # Within a minute, not after the 5 minutes a timer's claim lasts: the failed sweep let go of the reminder.
        waited(lambda: outbox_statuses(cli.database) == {"sent": 2 * UNITS}, 60,
               "the invitations and the reminders sent once Prefect is back")
        waited(lambda: capture.count() >= 2 * UNITS, 30, "every message at the SMTP server")
        assert time.monotonic() - started_again < 60
        copies = Counter(message_id for _, _, message_id in capture.received)
        assert len(copies) == 2 * UNITS and set(copies.values()) == {1}, copies.most_common(3)
        kinds = Counter(kind for _, kind, _ in capture.received)
        assert kinds["invitation"] == UNITS and len(kinds) == 2, kinds
        assert timer_statuses(cli.database) == {"done": 1}
        # Sent by the worker's flow runs, never by serve. The reminder's run sends every message of its round that is
        # due, so when the worker takes it before serve's sweep hands over the fan-out, it sends the invitations too
        # and the sweep finds nothing left to submit a circulate run for: which run sent them is a race.
        assert set(sent_by_pid(cli.database)) == {worker.pid}, sent_by_pid(cli.database)
        assert flow_runs(prefect.url, "round:1", "step:remind")
        # said at the end of the first sweep that reached Prefect again, which may end after the worker's runs did
        waited(lambda: "quét: không còn lỗi gửi thư" in serve_log.read_text(errors="replace"), 30,
               "serve telling the outage is over")
        told = serve_log.read_text(errors="replace")
        assert "Traceback" not in told and told.count(OUTAGE) == 1, told

        for process, what in ((serve, "serve"), (worker, "worker")):
            terminate(process, what)


def test_a_worker_killed_in_the_middle_of_a_fanout_leaves_no_run_in_the_way_and_a_new_worker_sends_the_rest(
        prefect: PrefectServer, tmp_path: Path, make_cli) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL: the worker cannot tell Prefect its run ended, so the run stays Running there. Serve must not take it
    for a run still at work (it would submit no other circulate run for the round, and its mail would wait forever):
    a run whose worker instance's heartbeat in the database is stale is ended Crashed, and the round's fan-out is
    submitted again for the worker started after it (same name, as systemd restarts it)."""
    cli = make_cli(tmp_path / "home")
    cli.now = None  # the system clock, for every process: a dead worker's heartbeat must grow old to be seen dead
    create_round(cli, tmp_path, KILLED_UNITS)
    cli("round", "launch", "1", "--queue-only", "--no-draft-reason", "Thử nghiệm dừng đột ngột máy gửi thư")
    with slow_capture(0.2) as capture, YkienProcesses(cli, tmp_path, {
            "YKIEN_SMTP_URL": capture.url, "PREFECT_API_URL": prefect.url,
            "PREFECT_HOME": str(tmp_path / "prefect-client"), "YKIEN_HEARTBEAT_SECONDS": "1",
            "YKIEN_STALE_AFTER_SECONDS": "3"}, prefect.log) as start:
        waited = start.waited
        first, first_log = start("worker", "--name", "may-gui-thu-1")
        waited(lambda: "nhận các lượt chạy (flow run)" in first_log.read_text(errors="replace"), 90, "the worker pulling")
        serve, serve_log = start("serve", "--port", str(free_port()), "--interval", "1")
        waited(lambda: capture.count() >= 16, 90, "the fan-out under way on the worker")
        first.kill()
        first.wait(10)
        sent_before = capture.count()
        assert sent_before < KILLED_UNITS, "the fan-out ended before the kill: nothing was tested"

        second, second_log = start("worker", "--name", "may-gui-thu-1")
        waited(lambda: capture.units() == KILLED_UNITS, 120, "every unit's invitation once the new worker runs")
        assert {kind for _, kind, _ in capture.received} == {"invitation"}
        copies = Counter(message_id for _, _, message_id in capture.received)
        assert sum(copies.values()) - len(copies) <= 8, copies.most_common(3)  # at most one per connection

        def circulate_states() -> Counter[str]:
            return Counter(run["state_type"] for run in flow_runs(prefect.url, "round:1", "step:circulate"))

        # The last message is in before the new worker's run has recorded it and ended: wait for that, not for a
        # dead worker's run, which stays Running unless serve ends it.
        waited(lambda: not circulate_states()["RUNNING"], 30, "no circulate run left Running")
        states = circulate_states()
        assert states["CRASHED"] == 1 and states["COMPLETED"] >= 1, states
        assert "đã ngừng giữa chừng" in serve_log.read_text(errors="replace")  # one line naming the dead worker
        assert "chạy circulate · đợt 1" in second_log.read_text(errors="replace")
        for process, what in ((serve, "serve"), (second, "worker")):
            terminate(process, what)


# A line of a worker's log: its own (ykien's format), Prefect's (its console format), or the last one, its summary.
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} |\d\d:\d\d:\d\d\.\d{3} \| |Đã dừng; )")


def test_the_prefect_server_going_away_while_a_worker_sends_a_fanout_loses_nothing_and_the_worker_goes_on(
        prefect: PrefectServer, tmp_path: Path, make_cli) -> None:  # type: ignore[no-untyped-def]
    """The worker cannot tell Prefect how its run ended while the server is away; the fan-out itself lives in the
    database and the SMTP server, so it ends; the worker stays up, and once the server is back it takes new runs."""
    cli = make_cli(tmp_path / "home")
    cli.now = None
    create_round(cli, tmp_path, KILLED_UNITS)
    cli("round", "launch", "1", "--queue-only", "--no-draft-reason", "Thử nghiệm máy chủ Prefect ngừng giữa chừng")
    with slow_capture(0.2) as capture, YkienProcesses(cli, tmp_path, {
            "YKIEN_SMTP_URL": capture.url, "PREFECT_API_URL": prefect.url,
            "PREFECT_HOME": str(tmp_path / "prefect-client")}, prefect.log) as start:
        waited = start.waited
        worker, worker_log = start("worker", "--name", "may-gui-thu-1")
        waited(lambda: "nhận các lượt chạy (flow run)" in worker_log.read_text(errors="replace"), 90, "the worker pulling")
        serve, serve_log = start("serve", "--port", str(free_port()), "--interval", "1")
        waited(lambda: capture.count() >= 16, 90, "the fan-out under way on the worker")
        prefect.stop()
        waited(lambda: outbox_statuses(cli.database) == {"sent": KILLED_UNITS}, 120, "the fan-out finished")
        time.sleep(3)
        assert worker.poll() is None, start.logs()
        prefect.start()
        # A second round launched now goes out through the same worker
        create_round_again(cli)
        cli("round", "launch", "2", "--queue-only", "--no-draft-reason", "Đợt thứ hai sau khi Prefect chạy lại")
        waited(lambda: outbox_statuses(cli.database) == {"sent": 2 * KILLED_UNITS}, 120, "the second round sent")
        copies = Counter(message_id for _, _, message_id in capture.received)
        assert len(copies) == 2 * KILLED_UNITS and set(copies.values()) == {1}, copies.most_common(3)
        assert flow_runs(prefect.url, "round:2", "step:circulate")
        assert "chạy circulate · đợt 2" in worker_log.read_text(errors="replace")
        assert "Traceback" not in serve_log.read_text(errors="replace")
        for process, what in ((serve, "serve"), (worker, "worker")):
            terminate(process, what)
    # The server's absence is said by the worker in its own two lines; Prefect's engine wrote some forty lines of
    # English tracebacks, and its log sender an unended "--- Error logging to API ---" glued to the next line.
    said = worker_log.read_text(errors="replace")
    assert "không nhận được sự kiện của Prefect" in said and "lại nhận được sự kiện của Prefect" in said, said
    assert not [line for line in said.splitlines() if not LOG_LINE.match(line)], said
    assert "Traceback" not in said and "Error logging to API" not in said, said


def test_a_worker_without_prefect_events_says_so_once_and_hears_them_once_the_server_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The events' websocket refused (the server not up yet, or away): one log line, retries waiting longer each
    time, and once the server answers the worker hears its events again (and says so once)."""
    import asyncio
    import logging

    from prefect.settings import PREFECT_API_URL, temporary_settings

    from config.settings import load_settings
    from workflows import prefect_worker
    from workflows.prefect_worker import StepWorker
    from workflows.service.app import build_app

    monkeypatch.setattr(prefect_worker, "LISTEN_RETRY_FIRST_SECONDS", 0.2)  # the test need not wait a minute
    monkeypatch.setattr(prefect_worker, "LISTEN_RETRY_LONGEST_SECONDS", 0.5)
    home = tmp_path / "prefect-server"
    home.mkdir()
    server = PrefectServer(home)  # its port chosen, nothing listening on it yet
    app = build_app(load_settings(home=tmp_path / "ykien", database_url=f"sqlite:///{tmp_path}/ykien.db"),
                    create_schema=True)
    worker = StepWorker(app, "ykien-events", "may-gui-thu-1")
    records: list[logging.LogRecord] = []
    heard = logging.Handler(logging.INFO)
    heard.emit = records.append  # type: ignore[method-assign]
    worker_log = logging.getLogger("ykien.worker")  # as `ykien worker` sets it up; Prefect's set-up keeps caplog out
    level = worker_log.level
    worker_log.setLevel(logging.INFO)
    worker_log.addHandler(heard)

    def said(words: str) -> int:
        return sum(words in record.getMessage() for record in records)

    def told() -> str:
        return "\n".join(record.getMessage() for record in records)

    async def listen() -> None:
        stop = asyncio.Event()
        listening = asyncio.create_task(worker._listen(uuid.uuid4(), asyncio.Event(), stop))
        await asyncio.sleep(3)  # about ten refused attempts
        assert said("không nhận được sự kiện của Prefect") == 1 and not worker.hearing_events, told()
        assert said("vẫn hỏi work pool mỗi 0,5 giây") == 1, told()
        await asyncio.to_thread(server.start)
        deadline = time.monotonic() + 30
        while not worker.hearing_events and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        stop.set()
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening

    try:
        with temporary_settings({PREFECT_API_URL: server.url}):
            asyncio.run(listen())
    finally:
        worker_log.removeHandler(heard)
        worker_log.setLevel(level)
        server.stop()
        app.close()
    assert worker.hearing_events, told()
    assert said("lại nhận được sự kiện của Prefect") == 1 and said("không nhận được sự kiện của Prefect") == 1

"""Production's three processes: a real `prefect server start` on loopback, `ykien serve` with PREFECT_API_URL and two
`ykien worker`s. A round's fan-out and its reminder run as flow runs on the workers (each worker sends part of the
fan-out), read back from Prefect's API by their round id; SIGTERM stops each process with exit 0 and no child left.
A document's PDF asked for on serve's web app renders as a flow run on a worker (a job handed over, with LibreOffice
started for it, then kept warm until the worker stops), and serve's web app follows the job and serves the PDF from
the database; a PDF job whose flow run is cancelled in Prefect before any worker takes it ends on its page, saying so.
And the bad input of `ykien worker` and `ykien serve --prefect`.

One Prefect server for the module (it takes 15-20 s to start).
"""
from __future__ import annotations

import asyncio
import contextvars
import re
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from debian_tools import require_tools
from loopback_http import LOOPBACK
from process_table import children_of

from tests.e2e.fanout_support import SlowCapture, launch_fanout, outbox_statuses, slow_capture, wait_until
from tests.e2e.prefect_support import (
    YkienProcesses,
    flow_runs,
    make_reminder_due,
    prefect_api,  # noqa: F401 - a fixture
    sent_by_pid,
    terminate,
    waited_telling,
)
from tests.e2e.test_serve_restart import free_port
from workflows.prefect_worker import StepWorker
from workflows.service.app import App
from workflows.service.jobs import BACKGROUND_FROM_UNITS

UNITS = BACKGROUND_FROM_UNITS  # a round this large has its PDFs rendered as background jobs
PASSWORD = "matkhau-rat-dai"
DELAY = 0.02  # seconds per message and connection


def catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM (SigCgt in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


def test_fanout_reminder_and_a_pdf_run_as_flow_runs_on_two_workers(prefect_api: str, tmp_path: Path, make_cli) -> None:  # type: ignore[no-untyped-def]
    require_tools("soffice")
    home = launch_fanout(make_cli, tmp_path, UNITS)
    cli = make_cli(home)
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--role", "admin", YKIEN_NEW_PASSWORD=PASSWORD)
    # Every process's clock is five minutes after the launch: serve's first sweep hands the round's fan-out (its
    # invitations, queued at launch) to the workers, and the reminder is made due once they are out. Both at once,
    # the reminder's run (which sends every due message of its round) could send the invitations before the sweep
    # submits a circulate run.
    cli.at("2025-11-20T09:05")
    with slow_capture(DELAY) as capture, YkienProcesses(cli, tmp_path, {
            "YKIEN_SMTP_URL": capture.url, "PREFECT_API_URL": prefect_api,
            "PREFECT_HOME": str(tmp_path / "prefect-client")}) as start:
        waited = start.waited
        workers = [start("worker", "--name", f"worker-{n}") for n in (1, 2)]
        waited(lambda: all("nhận các lượt chạy (flow run)" in log.read_text(errors="replace") for _, log in workers), 90,
               "two workers pulling")
        base = f"http://127.0.0.1:{free_port()}"
        serve, _ = start("serve", "--port", base.rsplit(":", 1)[1], "--interval", "1")
        waited(lambda: outbox_statuses(cli.database) == {"sent": UNITS}, 120, "invitations sent")
        make_reminder_due(cli.database)
        waited(lambda: outbox_statuses(cli.database) == {"sent": 2 * UNITS}, 120, "reminders sent")

        senders = sent_by_pid(cli.database)
        # Sent by the workers only, never by serve. Which of the two takes which run depends on who polls first
        # (on a loaded machine one may take them all): how they share a fan-out is bench_workers' figure.
        assert set(senders) <= {worker.pid for worker, _ in workers} and sum(senders.values()) == 2 * UNITS, senders
        kinds = Counter(kind for _, kind, _ in capture.received)
        assert kinds["invitation"] == UNITS and len(kinds) == 2 and sum(kinds.values()) == 2 * UNITS, kinds
        waited(lambda: all(run["state_type"] == "COMPLETED" for run in flow_runs(prefect_api, "ykien")), 60,
               "every flow run completed")
        circulate = flow_runs(prefect_api, "round:1", "step:circulate")
        assert circulate and all(run["name"] == "circulate · đợt 1" and run["parameters"] == {"round_id": 1}
                                 for run in circulate)
        (remind,) = flow_runs(prefect_api, "round:1", "step:remind")
        assert remind["name"] == "remind · đợt 1" and remind["parameters"]["round_id"] == 1

        # A document's PDF: a job serve hands to the work pool; a worker renders it into the database
        waited(lambda: _answers(base), 60, "serve's web app answering")
        staff = _login(base, "canbo", PASSWORD)
        started = staff.get("/rounds/1/pdf/cong-van-xin-y-kien.pdf")
        assert started.status_code == 303 and started.headers["location"].startswith("/rounds/1/jobs/"), started.text
        job_url = started.headers["location"]
        job_id = job_url.rsplit("/", 1)[1]
        waited(lambda: staff.get(job_url + ".json").json()["status"] != "running", 120, "the PDF job done")
        job = staff.get(job_url + ".json").json()
        assert (job["status"], job["label"], job["result_url"]) == ("done", "Đã có bản PDF", job_url + "/file"), job
        pdf = staff.get(job["result_url"])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        assert pdf.headers["content-type"] == "application/pdf"
        with sqlite3.connect(cli.database, timeout=30) as connection:
            (size, owner) = connection.execute("SELECT size, owner FROM job_files JOIN jobs ON jobs.id = job_id "
                                               "WHERE job_id = ?", (job_id,)).fetchone()
        assert size == len(pdf.content) and owner != "queued"  # a worker took it
        # The job is done inside the run, a moment before the run itself ends Completed.
        waited(lambda: [run["state_type"] for run in flow_runs(prefect_api, "step:render", "round:1")] == ["COMPLETED"],
               30, "the render run Completed")
        (render,) = flow_runs(prefect_api, "step:render", "round:1")
        assert render["name"] == "render · đợt 1"
        assert {"ykien", "step:render", "round:1", f"job:{job_id}"} <= set(render["tags"])
        assert render["parameters"] == {"job_id": job_id, "round_id": 1, "document": "cong-van-xin-y-kien.pdf"}
        staff.close()
        # The rendering worker started LibreOffice kept warm for its next renders; stopping it stops LibreOffice too
        def warm() -> list[subprocess.Popen[bytes]]:
            return [worker for worker, log in workers if "LibreOffice chạy sẵn" in log.read_text(errors="replace")]
        waited(lambda: bool(warm()), 90, "the rendering worker's LibreOffice kept warm")
        (renderer,) = warm()
        assert any(_process_name(pid) == "python3" for pid in children_of(renderer.pid)), children_of(renderer.pid)

        for process, what in ((serve, "serve"), *((worker, "worker") for worker, _ in workers)):
            terminate(process, what)


def _process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _login(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    done = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf})
    assert done.status_code == 303, done.text
    return client


def _answers(base: str) -> bool:
    try:
        return LOOPBACK.get(f"{base}/login", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_worker_without_prefect_api_url_is_refused_naming_it(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("worker", expect=2, PREFECT_API_URL=None)
    assert "PREFECT_API_URL: chưa đặt" in result.err and "Traceback" not in result.err


def test_serve_prefect_without_prefect_api_url_is_refused_naming_it(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("serve", "--prefect", "--no-web", expect=2, PREFECT_API_URL=None)
    assert "--prefect: chưa đặt PREFECT_API_URL" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("command", [("worker",), ("serve", "--no-web")])
def test_an_unreachable_prefect_server_is_refused_naming_the_variable(cli, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{free_port()}/api"
    result = cli(*command, expect=2, PREFECT_API_URL=url)
    assert f'PREFECT_API_URL: không kết nối được máy chủ Prefect tại "{url}"' in result.err
    assert "Traceback" not in result.err


def test_a_bad_work_pool_name_is_refused_naming_the_setting(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("worker", expect=2, YKIEN_WORK_POOL="đợt 1", PREFECT_API_URL="http://127.0.0.1:1/api")
    assert "YKIEN_WORK_POOL" in result.err and "Traceback" not in result.err


def test_a_worker_stopped_while_starting_exits_0_having_run_nothing(prefect_api: str, cli) -> None:  # type: ignore[no-untyped-def]
    log = cli.home.parent / "worker.log"
    worker = cli.start("worker", log=log, PREFECT_API_URL=prefect_api)
    try:
        # Its SIGTERM handler is installed first thing: signalled then, it is still opening the database or importing
        # Prefect (an import is not cut short: on a loaded machine that can take a while).
        wait_until(lambda: catches_sigterm(worker.pid), 30, "the worker's SIGTERM handler", interval=0.001)
        terminate(worker, "worker", within=40)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert "Đã dừng; đã chạy 0 bước." in log.read_text(), log.read_text()


def test_a_bad_worker_name_is_refused_naming_the_option(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("worker", "--name", "máy\x07gửi", expect=2, PREFECT_API_URL="http://127.0.0.1:1/api")
    assert "--name:" in result.err and "Traceback" not in result.err


def test_a_pdf_job_whose_flow_run_is_cancelled_in_prefect_before_any_worker_ends_saying_so(
        prefect_api: str, tmp_path: Path, make_cli) -> None:  # type: ignore[no-untyped-def]
    home = launch_fanout(make_cli, tmp_path, UNITS)
    cli = make_cli(home)
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--role", "admin", YKIEN_NEW_PASSWORD=PASSWORD)
    base = f"http://127.0.0.1:{free_port()}"
    log = tmp_path / "serve.log"
    # A work pool no worker pulls: the job waits for one until its run is cancelled in Prefect's UI
    serve = cli.start("serve", "--port", base.rsplit(":", 1)[1], "--interval", "60", log=log,
                      PREFECT_API_URL=prefect_api, YKIEN_WORK_POOL="khong-ai-nhan",
                      PREFECT_HOME=str(tmp_path / "prefect-client"))
    try:
        wait_until(lambda: _answers(base) or serve.poll() is not None, 60, "serve's web app answering")
        assert serve.poll() is None, log.read_text()
        staff = _login(base, "canbo", PASSWORD)
        started = staff.get("/rounds/1/pdf/cong-van-xin-y-kien.pdf")
        assert started.status_code == 303, started.text
        job_url = started.headers["location"]
        job_id = job_url.rsplit("/", 1)[1]
        assert staff.get(job_url + ".json").json()["label"] == "Đang chờ máy xử lý (ykien worker) nhận việc…"
        (run,) = flow_runs(prefect_api, f"job:{job_id}")
        cancelled = LOOPBACK.post(f"{prefect_api}/flow_runs/{run['id']}/set_state", timeout=10, json={
            "state": {"type": "CANCELLED", "name": "Cancelled"}, "force": True})
        assert cancelled.status_code in (200, 201), cancelled.text
        wait_until(lambda: staff.get(job_url + ".json").json()["status"] != "running", 20, "the job ended",
                   interval=0.5)
        job = staff.get(job_url + ".json").json()
        assert (job["status"], job["status_label"]) == ("interrupted", "Bị gián đoạn"), job
        assert "trên Prefect đã dừng (trạng thái Cancelled)" in job["message"]
        staff.close()
        terminate(serve, "serve")
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    assert "Traceback" not in log.read_text()


def queued_claims(database: Path) -> tuple[int, int]:
    """(messages still queued, how many of them some process holds claimed)."""
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute("SELECT COUNT(*), COUNT(claimed_by) FROM outbox WHERE status = 'queued'").fetchone()


def test_a_fanout_run_cancelled_in_prefect_stops_ends_cancelled_and_the_next_run_sends_the_rest_once(
        prefect_api: str, tmp_path: Path, make_cli) -> None:  # type: ignore[no-untyped-def]
    home = launch_fanout(make_cli, tmp_path, UNITS)
    cli = make_cli(home)
    cli.at("2025-11-20T09:05")  # five minutes after the launch queued the invitations
    capture = SlowCapture(0.25)  # 8 connections: about 32 messages a second, 6 s for the whole fan-out
    capture.server.start()
    pool = "huy-giua-chung"  # the module's other tests have runs of a round 1 too, in pools of their own
    env = {"YKIEN_SMTP_URL": capture.url, "PREFECT_API_URL": prefect_api, "YKIEN_WORK_POOL": pool,
           "PREFECT_HOME": str(tmp_path / "prefect-client")}
    worker_log, serve_log = tmp_path / "worker.log", tmp_path / "serve.log"
    worker = cli.start("worker", "--name", "may-gui-thu-1", log=worker_log, **env)
    serve: subprocess.Popen[bytes] | None = None

    def logs() -> str:
        runs = [(r["name"], r["state_type"], r["work_pool_name"]) for r in flow_runs(prefect_api, "round:1", pool=pool)]
        return "\n".join([*(path.read_text(errors="replace") for path in (worker_log, serve_log) if path.exists()),
                          f"flow runs: {runs}"])

    def waited(condition: Callable[[], bool], timeout: float, what: str) -> None:
        waited_telling(condition, timeout, what, logs)

    try:
        waited(lambda: "nhận các lượt chạy (flow run)" in worker_log.read_text(errors="replace"), 90, "the worker pulling")
        # A sweep at start hands the round's fan-out to the worker, and none after it for a minute
        serve = cli.start("serve", "--no-web", "--interval", "60", log=serve_log, **env)
        waited(lambda: capture.count() >= 16, 90, "the fan-out started")
        (run,) = flow_runs(prefect_api, "round:1", "step:circulate", pool=pool)
        # What the Prefect UI's "Cancel" does: the run goes Cancelling, and whoever runs it has to stop it
        cancelling = LOOPBACK.post(f"{prefect_api}/flow_runs/{run['id']}/set_state", timeout=10, json={
            "state": {"type": "CANCELLING", "name": "Cancelling"}})
        assert cancelling.status_code in (200, 201) and cancelling.json()["status"] == "ACCEPT", cancelling.text

        def state() -> dict[str, Any]:
            answer = LOOPBACK.get(f"{prefect_api}/flow_runs/{run['id']}", timeout=10)
            answer.raise_for_status()
            return dict(answer.json()["state"])

        waited(lambda: state()["type"] == "CANCELLED", 20, "the run cancelled")
        assert state()["message"].startswith("Đã dừng theo yêu cầu huỷ"), state()
        sent_then = capture.count()
        assert 16 <= sent_then < UNITS, sent_then  # it stopped: the rest was never sent
        queued, claimed = queued_claims(cli.database)
        assert queued == UNITS - sent_then, (queued, sent_then)
        assert claimed == 0, "what the cancelled run claimed and never sent goes back to the outbox at once"
        assert worker.poll() is None, logs()  # the worker goes on pulling

        # The next sweep (serve started again sweeps at once) hands the rest to a new run: all sent, none twice
        terminate(serve, "serve")
        serve = cli.start("serve", "--no-web", "--interval", "60", log=serve_log, **env)
        waited(lambda: outbox_statuses(cli.database) == {"sent": UNITS}, 90, "the rest sent")
        copies = capture.by_unit()
        assert len(copies) == UNITS and all(len(ids) == 1 for ids in copies.values()), \
            {unit: ids for unit, ids in copies.items() if len(ids) != 1}

        def states() -> Counter[str]:
            return Counter(r["state_type"] for r in flow_runs(prefect_api, "round:1", "step:circulate", pool=pool))

        waited(lambda: states()["COMPLETED"] >= 1, 30, "the new run completed")
        assert states()["CANCELLED"] == 1, states()
        terminate(serve, "serve")
        terminate(worker, "worker")
    finally:
        for process in (serve, worker):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
        capture.server.stop()
    assert "Traceback" not in logs()
    assert "đã bị hủy trong Prefect: dừng lượt chạy" in worker_log.read_text()
    # The run ended Cancelled (Prefect refuses a Cancelling run any other end), said in the worker's words
    assert re.search(r"worker may-gui-thu-1: circulate · đợt 1 \(gửi thư\) kết thúc: đã hủy \(Cancelled\) sau [\d,]+ giây",
                     worker_log.read_text()), worker_log.read_text()


class _LateListener(StepWorker):
    """A worker whose subscription to Prefect's events waits for `listen` (a slow link, a websocket coming back):
    what a run scheduled after its first read of the pool and before its events come meets."""

    def __init__(self, app: App, pool: str, listen: threading.Event, first_read: threading.Event) -> None:
        super().__init__(app, pool, "tre", poll_seconds=60, hearing_poll_seconds=60)
        self.listen, self.first_read = listen, first_read

    async def _run_scheduled(self, client: Any, stop: asyncio.Event) -> bool:
        took = await super()._run_scheduled(client, stop)
        self.first_read.set()
        return took

    async def _listen(self, pool_id: Any, scheduled: asyncio.Event, stop: asyncio.Event) -> None:
        await asyncio.to_thread(self.listen.wait, 30)
        await super()._listen(pool_id, scheduled, stop)


def test_a_run_scheduled_before_the_worker_hears_events_is_taken_as_soon_as_it_does(prefect_api: str,
                                                                                     app: App) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from workflows.flows import PrefectExecutor

    pool = f"late-{uuid.uuid4().hex[:8]}"
    listen, first_read = threading.Event(), threading.Event()
    loop, stop = asyncio.new_event_loop(), asyncio.Event()
    with temporary_settings({PREFECT_API_URL: prefect_api}):
        executor = PrefectExecutor(pool, app.installation_id)
        worker = _LateListener(app, pool, listen, first_read)
        running = threading.Thread(target=contextvars.copy_context().run,
                                   args=(loop.run_until_complete, worker.run(stop)))
        running.start()
        try:
            assert first_read.wait(30), "the worker never read its pool"
            assert executor.run(app, "circulate", {"round_id": 1}).runs == 1  # a round with nothing queued
            listen.set()
            started = time.monotonic()
            # Its next poll is a minute away, and no event of that run will ever come: only the read made when the
            # subscription takes finds it.
            wait_until(lambda: worker.runs_done == 1, 20, "the run taken")
            assert time.monotonic() - started < 10
        finally:
            loop.call_soon_threadsafe(stop.set)
            running.join(30)
            loop.close()

"""The heavy steps are submitted as real Prefect flow runs and a StepWorker runs them; the pinned Prefect/FastAPI
versions work together.

One `prefect server start` for this module (tests/e2e/prefect_support.py). The test reads the flow run back
through Prefect's API: a FastAPI newer than Prefect supports answers its filter endpoints with 422.
"""
from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.clock import FrozenClock
from config.settings import load_settings
from notifications.testing import smtp_capture
from tests.e2e.prefect_support import PrefectServer
from workflows.engine.events import Launch
from workflows.flows import ensure_deployments  # Prefect sets its logging up on import: before caplog's handler
from workflows.service.app import build_app
from workflows.service.commands import run_command
from workflows.service.directory import import_units
from workflows.service.rounds import Addressee, NewRound, create_round

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CSV = """code,name,group,email,contact_person,phone
SCT,Sở Công Thương,so-ban-nganh,sct@caobang.example.vn,Văn phòng,0206 1
STC,Sở Tài chính,so-ban-nganh,stc@caobang.example.vn,Văn phòng,0206 2
SYT,Sở Y tế,so-ban-nganh,syt@caobang.example.vn,Văn phòng,0206 3
"""


def end_prefect_queues() -> None:
    """Send what this process's Prefect log and event queues hold and end them, waiting 30 s at most for each: the
    next flow run starts them again, under the PREFECT_API_URL then in force."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for queue in (APILogWorker, EventsWorker):
        queue.drain_all(timeout=30)


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A `prefect server start` of this module, which the tests' clients and workers in this process reach. Not
    prefect_test_harness: its end waits without a limit for Prefect's log and event queues of this process, and once
    waited out the test's 300 s."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home / "client")
    os.environ["DO_NOT_TRACK"] = "1"
    server = PrefectServer(home)
    server.start()
    try:
        with temporary_settings({PREFECT_API_URL: server.url}):
            yield
            end_prefect_queues()  # what they hold goes to this server, while it runs
    finally:
        server.stop()


def run_worker(app, pool: str, runs: int = 1, name: str = "test-worker") -> None:  # type: ignore[no-untyped-def]
    """A StepWorker of `app` on `pool` until it has run `runs` flow runs; fails after 60 s without them."""
    from workflows.prefect_worker import StepWorker

    worker = StepWorker(app, pool, name, poll_seconds=0.1)

    async def go() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        deadline = time.monotonic() + 60
        while worker.runs_done < runs and not running.done() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        stop.set()
        await running
        assert worker.runs_done == runs, f"the {pool} worker ran {worker.runs_done} of {runs} flow runs in 60 s"

    asyncio.run(go())


def installation(tmp_path: Path, name: str, port: int):  # type: ignore[no-untyped-def]
    """An installation `name` of its own (home, SQLite database, installation id) sending to `port`, with a round 1
    of three units; returns its App and the round's id."""
    home = tmp_path / name
    home.mkdir()
    (home / "units.csv").write_text(CSV, encoding="utf-8")
    settings = load_settings(home=home, database_url=f"sqlite:///{home}/ykien.db", smtp_url=f"smtp://127.0.0.1:{port}")
    app = build_app(settings, FrozenClock(datetime(2025, 11, 20, 9, 0, tzinfo=TZ)), create_schema=True)
    import_units(app, home / "units.csv", "test")
    return app, create_round(app, consultation(name), "test")


def consultation(name: str) -> NewRound:
    """A consultation round on a plan `name`, to every unit of the test's CSV."""
    return NewRound(
        title=f"Dự thảo Kế hoạch {name}", subject=f"xin ý kiến góp ý đối với dự thảo Kế hoạch {name}",
        workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
        addressees=(Addressee(groups=("so-ban-nganh",)),), contact_name="Ông Phạm Phi Long",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền")


def test_a_commands_delivery_is_submitted_as_a_flow_run_and_a_worker_runs_it(prefect_api, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    from workflows.flows import PrefectExecutor
    from workflows.service.commands import MAIL_AWAITED, deliver_queued

    csv_path = tmp_path / "units.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    with smtp_capture() as capture:
        settings = load_settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/ykien.db",
                                 smtp_url=f"smtp://127.0.0.1:{capture.target.port}")
        app = build_app(settings, FrozenClock(datetime(2025, 11, 20, 9, 0, tzinfo=TZ)), create_schema=True)
        import_units(app, csv_path, "test")
        round_id = create_round(app, NewRound(
            title="Dự thảo Kế hoạch thử", subject="xin ý kiến góp ý đối với dự thảo Kế hoạch thử",
            workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
            addressees=(Addressee(groups=("so-ban-nganh",)),), contact_name="Ông Phạm Phi Long",
            contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"), "test")
        app.executor = PrefectExecutor("ykien-test", app.installation_id)

        result = run_command(app, round_id, Launch(), "test")  # the command path submits, and returns at once

        # handed over; no worker has beaten in the pool yet (one is started below), within the grace after the start
        assert result.mail == MAIL_AWAITED and result.notice is not None and "ykien worker" in result.notice
        # one run already waits
        assert deliver_queued(app, round_id).report == type(result.delivery)(runs=0, pool="ykien-test", online=False, pulled=True)

        async def runs_of_round() -> list:  # type: ignore[type-arg]
            async with get_client() as client:
                return await client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"round:{round_id}"])))

        (waiting,) = asyncio.run(runs_of_round())
        # a command that wrote to few units sends their mail only (commands.addressed_units): here all three
        assert waiting.name == f"circulate · đợt {round_id}" and waiting.parameters == {
            "round_id": round_id, "unit_codes": ["SCT", "STC", "SYT"]}
        assert set(waiting.tags) >= {"ykien", "step:circulate", f"round:{round_id}"}
        assert waiting.state is not None and waiting.state.is_scheduled() and capture.messages == []

        run_worker(app, "ykien-test")
        assert sorted(m["To"] for m in capture.wait_for(3)) == [
            "sct@caobang.example.vn", "stc@caobang.example.vn", "syt@caobang.example.vn"]
        app.close()

    (done,) = asyncio.run(runs_of_round())
    assert done.id == waiting.id and done.state is not None and done.state.is_completed()


async def launched_while_working(worker, app, round_id: int, ready) -> float:  # type: ignore[no-untyped-def]
    """Run `worker` until `ready()` (or 60 s), let its first poll pass, launch the round (its fan-out submitted as a
    flow run) and wait for the worker to have run it (60 s at most); returns the seconds from the launch to that."""
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    deadline = time.monotonic() + 60
    while not ready() and not running.done() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # its first poll, at its start, is over
    launched = time.monotonic()
    await asyncio.to_thread(run_command, app, round_id, Launch(), "test")
    while worker.runs_done < 1 and not running.done() and time.monotonic() - launched < 60:
        await asyncio.sleep(0.05)
    taken = time.monotonic() - launched
    stop.set()
    await running
    return taken


def test_a_worker_takes_a_run_when_prefect_says_it_is_scheduled_not_at_its_next_poll(
        prefect_api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from workflows.flows import PrefectExecutor
    from workflows.prefect_worker import StepWorker

    with smtp_capture() as capture:
        app, round_id = installation(tmp_path, "nhanh", capture.target.port)
        app.executor = PrefectExecutor("ykien-events", app.installation_id)
        worker = StepWorker(app, "ykien-events", "events-worker", poll_seconds=120,
                            hearing_poll_seconds=120)  # no second poll in this test

        taken = asyncio.run(launched_while_working(worker, app, round_id, lambda: worker.hearing_events))
        assert worker.runs_done == 1, "the worker never ran the round's fan-out"
        assert taken < 60, taken
        assert len(capture.wait_for(3)) == 3
        app.close()


@contextmanager
def queues_ended_behind_the_proxy() -> Iterator[None]:
    """Prefect's log and event queues in this process are shared by every flow run after, and each reads
    PREFECT_API_URL once, when it starts. One started behind the proxy would go on sending there once the proxy is
    gone, each event costing retries against a dead address, and the module's end drains them. So the events, which
    cannot cross a proxy passing no websocket anyway, go nowhere here, and the queues are ended while the proxy still
    forwards requests."""
    from prefect.events.clients import NullEventsClient
    from prefect.events.worker import EventsWorker

    EventsWorker.set_client_override(NullEventsClient)
    try:
        yield
    finally:
        EventsWorker.set_client_override(None)
        end_prefect_queues()


def test_behind_a_proxy_that_passes_no_websocket_a_worker_polls_every_half_second(
        prefect_api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from http_proxy import proxy_without_websockets
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from workflows.flows import PrefectExecutor
    from workflows.prefect_worker import StepWorker

    api = str(PREFECT_API_URL.value())
    server, path = api.rsplit("/api", 1)[0], "/api"
    with smtp_capture() as capture, proxy_without_websockets(server) as (proxy, counts), \
            temporary_settings({PREFECT_API_URL: proxy + path}), queues_ended_behind_the_proxy():
        app, round_id = installation(tmp_path, "sau-proxy", capture.target.port)
        app.executor = PrefectExecutor("ykien-proxy", app.installation_id)
        # Were the worker to poll as slowly as when the events come, the run would wait two minutes.
        worker = StepWorker(app, "ykien-proxy", "proxy-worker", poll_seconds=0.5, hearing_poll_seconds=120)

        taken = asyncio.run(launched_while_working(worker, app, round_id, lambda: counts.refused_upgrades > 0))
        assert counts.refused_upgrades >= 1 and counts.forwarded > 0 and not worker.hearing_events
        assert worker.runs_done == 1 and taken < 30, taken
        assert len(capture.wait_for(3)) == 3
        app.close()


def test_a_timer_claimed_by_serve_and_fired_by_a_worker_fires_once_even_when_submitted_twice(
        prefect_api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from workflows.flows import PrefectExecutor
    from workflows.service.sweep import fire_due_timers

    csv_path = tmp_path / "units.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    with smtp_capture() as capture:
        settings = load_settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/ykien.db",
                                 smtp_url=f"smtp://127.0.0.1:{capture.target.port}")
        serve = build_app(settings, FrozenClock(datetime(2025, 11, 20, 9, 0, tzinfo=TZ)), create_schema=True)
        import_units(serve, csv_path, "test")
        round_id = create_round(serve, NewRound(
            title="Dự thảo Kế hoạch thử", subject="xin ý kiến góp ý đối với dự thảo Kế hoạch thử",
            workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
            addressees=(Addressee(groups=("so-ban-nganh",)),), contact_name="Ông Phạm Phi Long",
            contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"), "test")
        run_command(serve, round_id, Launch(), "test")  # inline: the invitations go out now
        capture.wait_for(3)
        with serve.uow(read_only=True) as uow:
            (reminder, _close) = uow.timers.pending_for_round(round_id)
        at_reminder = reminder.due_at if reminder.due_at.tzinfo else reminder.due_at.replace(tzinfo=UTC)
        serve.clock.set(at_reminder)  # type: ignore[attr-defined]
        serve.executor = PrefectExecutor("ykien-timers", serve.installation_id)
        worker_app = build_app(settings, FrozenClock(at_reminder))  # another process instance, its own App

        swept = fire_due_timers(serve)  # serve claims the timer and submits its run: nothing fired yet
        assert swept.timers_fired == 1 and not swept.delivery_errors
        with serve.uow(read_only=True) as uow:
            assert uow.timers.get_pending(reminder.id) is not None

        run_worker(worker_app, "ykien-timers")  # the worker fires the timer serve holds the claim of
        capture.wait_for(6)
        with serve.uow(read_only=True) as uow:
            assert uow.timers.get_pending(reminder.id) is None
        # Submitted again (as after serve's claim ran out): the run finds the timer fired and sends nothing.
        assert serve.executor.run(serve, "remind", {"timer_id": reminder.id, "round_id": round_id}).runs == 1
        run_worker(worker_app, "ykien-timers")
        with serve.uow(read_only=True) as uow:
            assert uow.outbox.count_for_round(round_id) == 6  # 3 invitations, 3 reminders: the timer fired once
        assert len(capture.messages) == 6
        serve.close()
        worker_app.close()


def test_two_installations_sharing_a_prefect_server_each_run_their_own_rounds_in_their_own_pool(
        prefect_api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A staging copy beside production on one Prefect server, each with its own pool and database: both have a
    round 1. Each one's submission creates its own run, and each pool's worker sends its own installation's mail.
    Under one deployment name for both, the second installation moved the deployments to its pool and found the
    first one's run waiting with the same tags: it submitted nothing."""
    from workflows.flows import PrefectExecutor


    with smtp_capture() as production_mail, smtp_capture() as staging_mail:
        production, production_round = installation(tmp_path, "production", production_mail.target.port)
        staging, staging_round = installation(tmp_path, "staging", staging_mail.target.port)
        assert production_round == staging_round  # the same id in each database
        production.executor = PrefectExecutor("ykien-production", production.installation_id)
        run_command(production, production_round, Launch(), "test")  # queued, and its run submitted
        # staging (re)starts after production's submission
        staging.executor = PrefectExecutor("ykien-staging", staging.installation_id)
        run_command(staging, staging_round, Launch(), "test")

        assert production.executor.run(production, "deliver", {"round_id": production_round}).runs == 0  # one waits
        assert staging.executor.run(staging, "deliver", {"round_id": staging_round}).runs == 0

        run_worker(production, "ykien-production", name="ykien-production-worker")
        assert {m["Subject"] for m in production_mail.wait_for(3)} == {
            "V/v xin ý kiến góp ý đối với dự thảo Kế hoạch production"}
        run_worker(staging, "ykien-staging", name="ykien-staging-worker")
        assert {m["Subject"] for m in staging_mail.wait_for(3)} == {
            "V/v xin ý kiến góp ý đối với dự thảo Kế hoạch staging"}
        assert len(production_mail.messages) == 3
        production.close()
        staging.close()


def test_two_installations_on_one_work_pool_each_run_only_their_own_flow_runs(
        prefect_api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Production and a staging copy left on the same YKIEN_WORK_POOL of one Prefect server, each with its own
    database and a round 1. Each submission makes its own run (before, staging found production's run of round 1
    waiting with the same tags and submitted nothing), and staging's worker leaves production's run, listed first,
    for production's worker (before, it ran it against the staging database)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    from workflows.flows import PrefectExecutor, installation_tag

    with smtp_capture() as production_mail, smtp_capture() as staging_mail:
        production, production_round = installation(tmp_path, "production", production_mail.target.port)
        staging, staging_round = installation(tmp_path, "staging", staging_mail.target.port)
        assert production_round == staging_round and production.installation_id != staging.installation_id
        production.executor = PrefectExecutor("ykien-shared", production.installation_id)
        staging.executor = PrefectExecutor("ykien-shared", staging.installation_id)
        run_command(production, production_round, Launch(), "test")
        run_command(staging, staging_round, Launch(), "test")
        assert staging.executor.run(staging, "deliver", {"round_id": staging_round}).runs == 0  # its own waits

        async def run_of(app) -> object:  # type: ignore[no-untyped-def]
            async with get_client() as client:
                (run,) = await client.read_flow_runs(flow_run_filter=FlowRunFilter(
                    tags=FlowRunFilterTags(all_=[installation_tag(app.installation_id), f"round:{production_round}"])))
            return run

        run_worker(staging, "ykien-shared", name="staging-worker")
        assert {m["Subject"] for m in staging_mail.wait_for(3)} == {
            "V/v xin ý kiến góp ý đối với dự thảo Kế hoạch staging"}
        production_run, staging_run = asyncio.run(run_of(production)), asyncio.run(run_of(staging))
        assert staging_run.state.is_completed() and staging_run.infrastructure_pid == staging.instance.id
        assert production_run.state.is_scheduled() and production_mail.messages == []

        run_worker(production, "ykien-shared", name="production-worker")
        assert {m["Subject"] for m in production_mail.wait_for(3)} == {
            "V/v xin ý kiến góp ý đối với dự thảo Kế hoạch production"}
        production_run = asyncio.run(run_of(production))
        assert production_run.state.is_completed() and production_run.infrastructure_pid == production.instance.id
        assert len(staging_mail.messages) == 3
        production.close()
        staging.close()


def test_a_commands_few_units_get_one_flow_run_and_a_rounds_fanout_one_per_online_worker(prefect_api,
                                                                                        tmp_path: Path) -> None:
    """With two workers online, a round's fan-out is two circulate runs (they share its claims); the mail of a
    command about a few units is one: the second would find nothing to send."""
    from prefect.client.orchestration import get_client

    from workflows.flows import PrefectExecutor

    app, round_id = installation(tmp_path, "hai-worker", 2525)
    pool = "ykien-two-online"
    executor = PrefectExecutor(pool, app.installation_id)
    with get_client(sync_client=True) as client:
        for name in ("may-1", "may-2"):
            client.send_worker_heartbeat(pool, name, heartbeat_interval_seconds=60)
    app.executor = executor
    few = executor.run(app, "deliver", {"round_id": round_id, "unit_codes": ["SYT"]})
    # another round's, so that the run above (same step, same round tag) does not count as one already waiting;
    # no worker takes these runs: only their submission is looked at
    fanout = executor.run(app, "deliver", {"round_id": round_id + 1})
    assert (few.runs, fanout.runs) == (1, 2)
    app.close()



def test_submissions_and_flow_runs_do_not_load_a_ca_bundle_each(prefect_api, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Prefect's sync client loads a CA bundle into a new SSL context when it is made (25-35 ms of CPU, even for an
    http:// API): the executor's clients share one context made once, and a worker keeps one client for the engine's
    read of the server's default result storage at each run's start, instead of one each time."""
    import ssl
    import threading

    from prefect.client.orchestration import SyncPrefectClient

    from workflows.flows import PrefectExecutor

    contexts: list[str] = []
    clients: list[str] = []
    make_context, make_client = ssl.create_default_context, SyncPrefectClient.__init__

    def counted_context(*args: object, **kwargs: object) -> ssl.SSLContext:
        if threading.current_thread() is threading.main_thread():  # the submissions', not a Prefect service's
            contexts.append(str(kwargs.get("cafile")))
        return make_context(*args, **kwargs)  # type: ignore[arg-type]

    def counted_client(client: SyncPrefectClient, *args: object, **kwargs: object) -> None:
        clients.append(str(args[0] if args else kwargs.get("api")))
        make_client(client, *args, **kwargs)  # type: ignore[arg-type]

    with smtp_capture() as capture:
        app, first = installation(tmp_path, "mot-client", capture.target.port)
        rounds = [first, *(create_round(app, consultation(f"lần {number}"), "test") for number in (2, 3))]
        pool = "ykien-one-client"
        app.executor = PrefectExecutor(pool, app.installation_id)
        monkeypatch.setattr(ssl, "create_default_context", counted_context)
        for round_id in rounds:
            run_command(app, round_id, Launch(), "test")  # each submits its fan-out
        assert contexts == [], f"three submissions loaded {len(contexts)} CA bundles"
        monkeypatch.setattr(SyncPrefectClient, "__init__", counted_client)
        run_worker(app, pool, runs=3)
        assert len(capture.wait_for(9)) == 9
        # the deployments' check at the worker's start and the client kept for the runs, whatever their number
        assert len(clients) == 2, f"a worker running three flow runs made {len(clients)} Prefect clients"
        app.close()


def test_serve_says_once_that_no_worker_pulls_its_pool_and_readyz_names_it_after_the_grace(
        prefect_api, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mistyped YKIEN_WORK_POOL on serve: its mail waited for ever and nothing said so (review-a, item 4). Serve
    says it created the pool, says once that no worker pulls it (naming the pool the workers do pull), not again at
    each sweep, and once that workers came; /readyz names the pool once the grace is over."""
    import logging

    from prefect.client.orchestration import get_client
    from prefect.settings import get_current_settings

    from workflows.flows import PrefectExecutor, ensure_deployments
    from workflows.service.operations import workers_readiness

    monkeypatch.setenv("PREFECT_API_URL", str(get_current_settings().api.url))  # what /readyz reads, as serve does
    app, round_id = installation(tmp_path, "pool-go-nham", 2525)
    ensure_deployments("ykien-right")  # the pool the workers pull
    with get_client(sync_client=True) as client:
        client.send_worker_heartbeat("ykien-right", "may-gui-thu-1", heartbeat_interval_seconds=60)
    caplog.set_level(logging.INFO, logger="ykien.serve")
    executor = PrefectExecutor("ykien-typo", app.installation_id)
    app.executor = executor
    for other_round in (round_id, round_id + 1, round_id + 2):  # three sweeps handing a round's mail
        executor.run(app, "deliver", {"round_id": other_round})
    said = [record.getMessage() for record in caplog.records if record.name == "ykien.serve"]
    assert said[0].startswith("work pool 'ykien-typo' chưa có trên máy chủ Prefect: ykien serve vừa tạo nó."), said
    nobody = [line for line in said if "không có ykien worker nào đang chạy" in line]
    assert len(nobody) == 1, said
    assert "YKIEN_WORK_POOL=ykien-typo (cùng giá trị với ykien serve); worker đang chạy ở work pool khác: " in nobody[0]
    assert "'ykien-right' (1)" in nobody[0]  # with the other tests' pools of this module's server

    ok, words = workers_readiness(app) or (None, "")
    assert ok is True and "chưa có ykien worker nào nhận work pool \"ykien-typo\"" in words  # a rolling start
    executor.workers.grace_seconds = 0.0
    ok, words = workers_readiness(app) or (None, "")
    assert ok is False and words.startswith("không có ykien worker nào nhận work pool \"ykien-typo\""), words

    with get_client(sync_client=True) as client:
        client.send_worker_heartbeat("ykien-typo", "may-gui-thu-2", heartbeat_interval_seconds=60)
    executor.run(app, "deliver", {"round_id": round_id + 3})
    assert caplog.records[-1].getMessage() == ("work pool 'ykien-typo' đã có 1 ykien worker đang chạy; các bước chờ "
                                               "được nhận")
    assert workers_readiness(app) == (True, "ok")
    app.close()


def test_a_worker_that_creates_its_pool_says_so_naming_the_setting(prefect_api, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from workflows.prefect_worker import StepWorker

    app, _ = installation(tmp_path, "worker-go-nham", 2525)
    caplog.set_level(logging.INFO, logger="ykien.worker")
    worker = StepWorker(app, "nosuch", "may-3", poll_seconds=0.1)

    async def started_then_stopped() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        deadline = time.monotonic() + 30
        while not any("nhận các lượt chạy" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        stop.set()
        await running

    asyncio.run(started_then_stopped())
    said = [record for record in caplog.records if record.name == "ykien.worker"]
    assert said[0].levelno == logging.WARNING
    assert said[0].getMessage().startswith("worker may-3: work pool 'nosuch' chưa có trên máy chủ Prefect nên worker "
                                           "vừa tạo nó"), said[0].getMessage()
    assert "YKIEN_WORK_POOL" in said[0].getMessage()
    app.close()


def _on_page(notice: str) -> str:
    """A notice as a page shows it: the command between backticks as code."""
    return notice.replace("`ykien worker`", "<code>ykien worker</code>")


def test_the_mail_notice_says_no_worker_pulls_the_pool_once_the_grace_is_over(prefect_api, tmp_path: Path) -> None:
    """A mistyped YKIEN_WORK_POOL on serve: a launch on the web said "thư đã chuyển cho tiến trình gửi thư (ykien
    worker)" while its mail waited for ever in a pool nobody pulled (review-a, item 4). Within the grace /readyz gives
    after serve starts, no worker has beaten yet and one may be starting: the launch's page and the API's extension
    say the mail was handed over but no worker is seen yet, and what to run if none comes (they said it was handed
    to the worker). Past the grace, the reminder's page and the API's extension say the mail waits and which pool
    needs a worker; once one is online, the notice is the old one again."""
    import html

    from fastapi.testclient import TestClient
    from prefect.client.orchestration import get_client

    from workflows.flows import PrefectExecutor
    from workflows.service.staff import add_user
    from workflows.web.app import create_web_app

    app, round_id = installation(tmp_path, "khong-ai-nhan", 2525)
    add_user(app, "long", "Phạm Phi Long", "staff", "matkhau-rat-dai", "TĐC", "test")
    started = time.monotonic()
    serve_seconds = [0.0]  # how long serve has run, on the pool's clock
    executor = PrefectExecutor("ykien-khong-ai-nhan", app.installation_id)
    executor.workers.clock = lambda: started + serve_seconds[0]
    executor.workers.since = started
    app.executor = executor
    client = TestClient(create_web_app(app), raise_server_exceptions=False)
    session = client.post("/api/session", json={"username": "long", "password": "matkhau-rat-dai"})
    client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
    awaited = ("Đã ghi nhận; thư đã chuyển cho tiến trình gửi thư, nhưng chưa thấy ykien worker nào nhận việc ở work "
               "pool \"ykien-khong-ai-nhan\" (có thể một worker đang khởi động). Nếu sau 2 phút thư vẫn chưa đi, người "
               "quản trị cần chạy `ykien worker` với YKIEN_WORK_POOL=ykien-khong-ai-nhan.")

    serve_seconds[0] = 30.0  # serve started half a minute ago; no worker has beaten yet
    page = client.post(f"/rounds/{round_id}/launch", data={"confirmed": "yes", "no_draft_reason": "Thử nghiệm"})
    assert page.status_code == 200 and "?ok=launch&n=3&mail=no_worker_yet" in str(page.url), page.url
    text = html.unescape(page.text)
    assert _on_page(awaited) in text, text  # the API's text, its command shown as code on the page
    assert "`" not in text
    assert "Đã ghi nhận; thư đã chuyển cho tiến trình gửi thư (ykien worker)." not in text
    extend = {"new_deadline": "2025-12-12", "unit": "SYT", "reason": "Đơn vị xin thêm thời gian"}
    answer = client.post(f"/api/rounds/{round_id}/extend", json=extend)
    assert answer.status_code == 200, answer.text
    assert answer.json()["mail_notice"] == awaited

    serve_seconds[0] = 121.0  # serve has run past the grace with nobody pulling its pool
    page = client.post(f"/rounds/{round_id}/remind", data={"all": "yes", "confirmed": "yes"})
    assert page.status_code == 200 and "&mail=no_worker" in str(page.url), page.url
    text = html.unescape(page.text)
    assert _on_page("Đã ghi nhận; các thư chưa đi: không có ykien worker nào nhận work pool \"ykien-khong-ai-nhan\", "
                    "thư nằm chờ trong hàng đợi và sẽ đi khi có worker nhận. Người quản trị cần chạy `ykien worker` "
                    "với YKIEN_WORK_POOL=ykien-khong-ai-nhan") in text
    assert "`" not in text
    assert "đã chuyển cho tiến trình gửi thư" not in text
    answer = client.post(f"/api/rounds/{round_id}/extend", json={**extend, "unit": "SCT"})
    assert answer.status_code == 200, answer.text
    assert "không có ykien worker nào nhận work pool \"ykien-khong-ai-nhan\"" in answer.json()["mail_notice"]

    with get_client(sync_client=True) as prefect:
        prefect.send_worker_heartbeat("ykien-khong-ai-nhan", "may-gui-thu", heartbeat_interval_seconds=60)
    answer = client.post(f"/api/rounds/{round_id}/extend", json={**extend, "unit": "STC"})
    assert answer.json()["mail_notice"] == "Đã ghi nhận; thư đã chuyển cho tiến trình gửi thư (ykien worker)."
    app.close()


def test_a_run_that_fails_for_good_outside_its_step_is_one_error_line_of_the_worker_quoting_prefect(
        prefect_api, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A run Prefect fails before its step runs (its parameters refused), with no retry left: the worker ended it
    with a warning "kết thúc FAILED: …". Now one error line names the run and its step in Vietnamese and quotes
    Prefect's words as such. Prefect's flow-run records stay off the console (they go to its API only); its engine's
    own records of a run it could not start ("prefect.engine", "prefect.flows") stay: no run log in its UI has them."""
    import logging

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import FlowRunPolicy

    app, round_id = installation(tmp_path, "tham-so-sai", 2525)
    deployments = ensure_deployments("ykien-tham-so-sai")
    with get_client(sync_client=True) as client:
        run = client.create_flow_run_from_deployment(deployments["circulate"], parameters={"round_id": "không phải số"},
                                                     name=f"circulate · đợt {round_id}")
        client.update_flow_run(run.id, empirical_policy=FlowRunPolicy(retries=0, retry_delay=0))
    caplog.set_level(logging.INFO)
    run_worker(app, "ykien-tham-so-sai", name="may-4")
    app.close()
    errors = [record.getMessage() for record in caplog.records
              if record.name.startswith("ykien") and record.levelno >= logging.ERROR]
    assert len(errors) == 1, errors
    assert re.fullmatch(rf"worker may-4: circulate · đợt {round_id} \(gửi thư\) kết thúc: thất bại \(Failed\) sau "
                        r"[\d,]+ giây, Prefect không chạy lại nữa: Prefect báo \"Validation of flow parameters failed"
                        r"[^\n]*\"", errors[0]), errors[0]
    assert not [record for record in caplog.records if record.name.startswith("prefect.flow_runs")]


def test_a_bug_in_a_step_is_one_error_line_of_the_worker_with_the_bugs_traceback_after_it(
        prefect_api, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error nobody foresaw in a step (planted here: nothing real raises one on purpose) ends the run failed for
    good in one error line naming the run, its step and the error, and that line carries the bug's traceback, for
    whoever fixes it; a database away carries none (test_worker_database_outage)."""
    import logging

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import FlowRunPolicy

    from workflows.service import steps

    def circulate_with_a_bug(*_: object) -> None:
        raise ZeroDivisionError("lỗi của chương trình")

    monkeypatch.setitem(steps.STEPS, "circulate", circulate_with_a_bug)
    app, round_id = installation(tmp_path, "co-loi", 2525)
    deployments = ensure_deployments("ykien-co-loi")
    with get_client(sync_client=True) as client:
        run = client.create_flow_run_from_deployment(deployments["circulate"], parameters={"round_id": round_id},
                                                     name=f"circulate · đợt {round_id}")
        client.update_flow_run(run.id, empirical_policy=FlowRunPolicy(retries=0, retry_delay=0))
    caplog.set_level(logging.INFO)
    run_worker(app, "ykien-co-loi", name="may-5")
    app.close()
    errors = [record for record in caplog.records if record.name.startswith("ykien") and record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]
    assert re.fullmatch(rf"worker may-5: circulate · đợt {round_id} \(gửi thư\) kết thúc: thất bại \(Failed\) sau "
                        r"[\d,]+ giây, Prefect không chạy lại nữa: lỗi chưa lường trước ZeroDivisionError: lỗi của "
                        r"chương trình", errors[0].getMessage()), errors[0].getMessage()
    assert errors[0].exc_info is not None and isinstance(errors[0].exc_info[1], ZeroDivisionError)
    shown = logging.Formatter("%(message)s").format(errors[0])
    assert "Traceback (most recent call last)" in shown and "circulate_with_a_bug" in shown, shown

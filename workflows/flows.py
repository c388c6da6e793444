"""Prefect flows for the heavy steps: one flow run per round step (circulate, remind, close), never per email, and
one per background job that can run anywhere (render: a document's PDF).

The flows take only ids (and a document's file name). The App they work with is the one the running process set
(`running_with`: `ykien worker` builds its own from settings), or else one built from settings once per process and
settings (a run started by another kind of Prefect worker). Flows are async (a sync flow's heartbeat thread costs
about a second per run) and run the sync step in a thread. Their small results (counts, a job's status) are not
persisted: what they did is in ykien's database. (Prefect's engine still asks the server where it would keep them
at the start of every run; `ykien worker` gives it a client kept for that, prefect_worker.StepWorker.run.)
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import flow

from config.settings import Settings, load_settings
from notifications.pdf import PdfServer
from workflows.logs import filter_once
from workflows.prefect_client import prefect_client
from workflows.prefect_reach import reaching_prefect
from workflows.service.app import App, build_app
from workflows.service.database_errors import unreachable_problem
from workflows.service.database_outage import outage_of
from workflows.service.jobs import DELETED_RUN, RENDER_FLOW
from workflows.service.operations import PoolWorkers
from workflows.service.steps import STEPS, HandedToWorkers

log = logging.getLogger("ykien.serve")
_running_app: ContextVar[App | None] = ContextVar("ykien_running_app", default=None)
_running_pdf: ContextVar[PdfServer | None] = ContextVar("ykien_running_pdf", default=None)
_running_stop: ContextVar[threading.Event | None] = ContextVar("ykien_running_stop", default=None)
_running_failures: ContextVar[StepFailures | None] = ContextVar("ykien_running_failures", default=None)


class StepFailures:
    """What the step of a flow run raised last, in this process: the worker says it in its own line (Prefect's state
    message carries it after an English prefix of its engine's)."""

    def __init__(self) -> None:
        self.last: BaseException | None = None


@functools.cache
def _app_from_settings(settings: Settings) -> App:
    return build_app(settings)


def step_app() -> App:
    """The App of the process running the flow (see the module's docstring)."""
    app = _running_app.get()
    return app if app is not None else _app_from_settings(load_settings())


@contextmanager
def running_with(app: App, pdf: PdfServer | None = None, stop: threading.Event | None = None,
                 failures: StepFailures | None = None) -> Iterator[None]:
    """Flows run in this context use `app`, render PDFs through `pdf` (started on the first render), stop
    sending once `stop` is set (the run is cancelled in Prefect), and keep what their step raised in `failures`."""
    tokens = _running_app.set(app), _running_pdf.set(pdf), _running_stop.set(stop)
    failures_token = _running_failures.set(failures)
    try:
        yield
    finally:
        _running_failures.reset(failures_token)
        _running_stop.reset(tokens[2])
        _running_pdf.reset(tokens[1])
        _running_app.reset(tokens[0])


def _warm_pdf_address() -> str | None:
    pdf = _running_pdf.get()
    return pdf.address_starting() if pdf is not None else None


# What a run cancelled in Prefect while it ran ends with (Cancelled), by what it was doing.
CANCELLED_MESSAGE = ("Đã dừng theo yêu cầu huỷ: thư đang gửi dở được gửi xong, thư chưa gửi trở lại hàng đợi "
                     "(lần quét sau của ykien serve giao chúng cho một lượt chạy mới).")
# A render is not stopped halfway (LibreOffice converts in one go): its job ends as it would have.
CANCELLED_RENDER_MESSAGE = ("Đã ghi nhận yêu cầu huỷ khi bản PDF đang được làm: bản PDF vẫn được làm xong; "
                            "trang của việc trên ykien cho biết kết quả.")


def cancelled_message(flow_name: str) -> str:
    """What the run of the flow `flow_name` cancelled while it ran ends with."""
    return CANCELLED_RENDER_MESSAGE if flow_name == RENDER_FLOW else CANCELLED_MESSAGE


def _ended(result: dict[str, Any], message: str = CANCELLED_MESSAGE) -> Any:
    """The flow's return: `result`, or a Cancelled state (then Prefect's final state for the run) when the run was
    cancelled while it ran."""
    stop = _running_stop.get()
    if stop is not None and stop.is_set():
        from prefect.states import Cancelled

        return Cancelled(message=message)
    return result


def _result(report: Any) -> Any:
    return _ended(asdict(report) if report is not None else {})


class DatabaseAway(Exception):
    """A step found the database unreachable. The process said so once (database_outage: one line when it goes, one
    when it answers again); Prefect fails the run with this message (Vietnamese) and retries it, and its engine's
    record of the exception, the driver's English traceback, is left out of the log (QuietDatabaseOutages). The
    worker's line about the attempt gives the message without a traceback."""


async def _step(step: Callable[..., Any], app: App, *args: Any) -> Any:
    """Run the sync `step(app, *args)` in a thread; a database that cannot be reached is said as DatabaseAway."""
    try:
        done = await asyncio.to_thread(step, app, *args)
    except Exception as error:
        problem = unreachable_problem(error, app.settings)
        if problem is None:
            _failed(error)
            raise
        outage_of(app).failed(error, f"lượt chạy {_run_name()}".strip())
        # whether Prefect runs it again is Prefect's to decide, and the worker's line says it (prefect_worker)
        away = DatabaseAway(f"mất kết nối cơ sở dữ liệu: {problem.message}")
        _failed(away)
        raise away from None
    outage_of(app).answered()
    return done


def _failed(error: BaseException) -> None:
    failures = _running_failures.get()
    if failures is not None:
        failures.last = error


def _run_name() -> str:
    from prefect.runtime import flow_run

    return str(flow_run.name or "")


class QuietDatabaseOutages(logging.Filter):
    """On Prefect's flow-run logger: its engine's record of a DatabaseAway (an exception with the driver's traceback)
    is dropped; the process said the outage once in its own words, and the run's state keeps the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DatabaseAway))


def quiet_database_outages() -> None:
    """Install QuietDatabaseOutages on Prefect's flow-run logger (once per process)."""
    filter_once("prefect.flow_runs", QuietDatabaseOutages)


@flow(name="circulate", retries=3, retry_delay_seconds=30, persist_result=False)
async def circulate_flow(round_id: int | None = None, unit_codes: list[str] | None = None) -> Any:
    """Send the queued messages of a round (the fan-out of invitations, receipts, extensions), claiming a few at a
    time until none is left: several runs of one round share its fan-out. With `unit_codes`, only the messages to
    those units (a command about a few units)."""
    return _result(await _step(STEPS["circulate"], step_app(), round_id, _running_stop.get(), unit_codes))


@flow(name="remind", retries=3, retry_delay_seconds=30, persist_result=False)
async def remind_flow(timer_id: int, round_id: int) -> Any:
    """Fire a reminder timer and send the reminders it queued."""
    return _result(await _step(STEPS["remind"], step_app(), timer_id, round_id, _running_stop.get()))


@flow(name="close", retries=3, retry_delay_seconds=30, persist_result=False)
async def close_flow(timer_id: int, round_id: int) -> Any:
    """Fire a deadline timer: the round leaves circulation."""
    return _result(await _step(STEPS["close"], step_app(), timer_id, round_id, _running_stop.get()))


@flow(name=RENDER_FLOW, persist_result=False)
async def render_flow(job_id: str, round_id: int, document: str) -> Any:
    """Render the PDF `document` of a round for the background job `job_id` (started by `ykien serve`): its progress,
    end and file are written to the job's rows, whichever worker runs it. Not retried: a failure is the job's."""
    # imported here: the document builders (python-docx, openpyxl, the wording) cost a worker 0.2 s at every start
    from workflows.service.render_jobs import run_render

    status = await _step(run_render, step_app(), job_id, round_id, document, _warm_pdf_address())
    return _ended({"job_id": job_id, "status": status}, cancelled_message(RENDER_FLOW))


# Each step's flow, and each job's; "deliver" (the command path's hand-over) is the circulate flow.
FLOWS: dict[str, Any] = {"circulate": circulate_flow, "remind": remind_flow, "close": close_flow,
                         RENDER_FLOW: render_flow}
# What each flow does, as the worker's lines say it beside the run's name ("circulate · đợt 12 (gửi thư)").
FLOW_TITLES: dict[str, str] = {"circulate": "gửi thư", "remind": "nhắc hạn", "close": "hết hạn",
                               RENDER_FLOW: "làm bản PDF"}
STEP_FLOWS: dict[str, str] = {"circulate": "circulate", "deliver": "circulate", "remind": "remind", "close": "close"}


# A worker is online while it heartbeats (every WORKER_HEARTBEAT_SECONDS); Prefect marks it offline after missing
# a few. Each online worker gets one circulate run of a round, so that they all share its fan-out.
WORKER_HEARTBEAT_SECONDS = 10
INSTALLATION_TAG_PREFIX = "installation:"


def run_name(step: str, round_id: int | None) -> str:
    """"circulate · đợt 12": what the Prefect UI lists for one round step."""
    return f"{step} · đợt {round_id}" if round_id is not None else f"{step} · mọi đợt"


def run_tags(step: str, params: dict[str, Any], installation: str) -> list[str]:
    tags = ["ykien", installation_tag(installation), f"step:{step}"]
    if params.get("round_id") is not None:
        tags.append(f"round:{params['round_id']}")
    if params.get("timer_id") is not None:
        tags.append(f"timer:{params['timer_id']}")
    if params.get("job_id") is not None:
        tags.append(job_tag(params["job_id"]))
    return tags


def installation_tag(installation: str) -> str:
    """The tag naming the installation (App.installation_id) that submitted a flow run: "installation:<id>"."""
    return f"{INSTALLATION_TAG_PREFIX}{installation}"


def of_another_installation(tags: list[str], installation: str) -> bool:
    """Whether a flow run with `tags` was submitted by another installation than `installation` (one sharing this
    work pool): its workers run it against their own database. A run naming none was submitted before runs named
    theirs, and is this pool's to run."""
    named = [tag for tag in tags if tag.startswith(INSTALLATION_TAG_PREFIX)]
    return bool(named) and installation_tag(installation) not in named


def job_tag(job_id: str) -> str:
    """The tag of a background job's flow run ("job:<id>"): it is submitted with it and found by it."""
    return f"job:{job_id}"


def ensure_deployments(pool: str, created: Callable[[], None] | None = None) -> dict[str, Any]:
    """Create the work pool (of Prefect's "process" type, so that its UI knows it; `ykien worker` pulls from it) and
    one deployment per step flow if missing; returns the deployment ids by flow name. Safe to call from several
    processes (`ykien serve` and each worker call it at start).

    Each deployment is named after the pool. Prefect keeps one deployment per flow and name, and creating it again
    with another pool moves it there: under one shared name, a second installation on the same Prefect server (a
    staging copy with its own pool) or a changed YKIEN_WORK_POOL would send this pool's runs to the other's workers,
    which would run them against their own database. `created` is called when this call created the pool (it was not
    on the server: a new installation, or a YKIEN_WORK_POOL mistyped), for the caller to say so."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with prefect_client() as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            with contextlib.suppress(ObjectAlreadyExists):  # another process created it meanwhile: not ours to say
                client.create_work_pool(WorkPoolCreate(
                    name=pool, type=ProcessWorker.type, description="Các bước nặng của ykien (ykien worker)",
                    base_job_template=ProcessWorker.get_default_base_job_template()))
                if created is not None:
                    created()
        deployments = {}
        for name, step_flow in FLOWS.items():
            flow_id = client.create_flow_from_name(step_flow.name)
            deployments[name] = client.create_deployment(
                flow_id, pool, work_pool_name=pool, entrypoint=f"workflows/flows.py:{step_flow.fn.__name__}",
                tags=["ykien"], description=step_flow.description)
        return deployments


class PrefectExecutor:
    """Submits each step as flow runs of its deployment in the work pool and returns at once: `ykien worker`s run
    them. A circulate step becomes one run per online worker (each claims batches until none is left); a step
    that already has as many runs waiting or running is not submitted again (the sweep asks every interval)."""

    def __init__(self, pool: str, installation: str) -> None:
        self.pool = pool
        self.installation = installation  # App.installation_id: every run submitted carries it
        self.workers = PoolWorkers(pool)  # who pulls the pool: the warning when none does, and /readyz
        self.deployments = ensure_deployments(pool, self._created_pool)

    def _created_pool(self) -> None:
        log.warning("work pool %r chưa có trên máy chủ Prefect: ykien serve vừa tạo nó. Chỉ `ykien worker` chạy với "
                    "YKIEN_WORK_POOL=%s nhận các bước; nếu đây không phải lần đầu cài đặt, hãy xem YKIEN_WORK_POOL của "
                    "ykien serve có gõ nhầm không", self.pool, self.pool)

    def run(self, app: App, step: str, params: dict[str, Any]) -> HandedToWorkers:
        flow_name = STEP_FLOWS[step]
        if flow_name == "circulate" and params.get("round_id") is None:  # the sweep: one step per round
            with app.uow(read_only=True) as uow:
                each = [{"round_id": round_id} for round_id in uow.outbox.due_rounds(app.clock.now())]
        else:
            each = [params]
        submitted = 0
        with reaching_prefect(), prefect_client() as client:
            online = self._online_workers(client)
            for run_params in each:
                # a round's fan-out is shared by every worker; a few units' mail (commands.addressed_units) by one
                wanted = 1 if run_params.get("unit_codes") is not None or flow_name != "circulate" else max(online, 1)
                tags = run_tags(flow_name, run_params, self.installation)
                for _ in range(max(wanted - self._waiting(app, client, flow_name, tags), 0)):
                    client.create_flow_run_from_deployment(
                        self.deployments[flow_name], parameters=run_params, tags=tags,
                        name=run_name(flow_name, run_params.get("round_id")))
                    submitted += 1
            if each:
                self._tell_workers(client, online)
        pulled = self.workers.pulled(online)
        return HandedToWorkers(runs=submitted, pool=self.pool, online=online > 0, pulled=pulled)

    def _tell_workers(self, client: Any, online: int) -> None:
        """After handing steps to the pool: say once that no worker pulls it (and which pools have workers: a
        YKIEN_WORK_POOL mistyped on serve or on the workers), and once that workers came back."""
        change = self.workers.handed(online)
        if change is None:
            return
        if not change:
            log.info("work pool %r đã có %d ykien worker đang chạy; các bước chờ được nhận", self.pool, online)
            return
        elsewhere = self._pools_with_workers(client)
        log.warning("work pool %r không có ykien worker nào đang chạy: các bước giao cho nó (gửi thư, nhắc hạn, "
                    "hết hạn, bản PDF) chờ đến khi có worker nhận. Hãy chạy `ykien worker` với YKIEN_WORK_POOL=%s "
                    "(cùng giá trị với ykien serve)%s", self.pool, self.pool,
                    f"; worker đang chạy ở work pool khác: {elsewhere}" if elsewhere else "")

    def _pools_with_workers(self, client: Any) -> str:
        """The other pools with workers online, as "'ykien' (2)", or "" (said beside the warning, never failing it)."""
        try:
            found = []
            for pool in client.read_work_pools():
                if pool.name != self.pool:
                    count = self._count_online(client, pool.name)
                    if count:
                        found.append(f"{pool.name!r} ({count})")
            return ", ".join(found)
        except Exception:  # noqa: BLE001 - a hint only
            return ""

    def submit_job(self, flow_name: str, params: dict[str, Any]) -> None:
        """One flow run of a background job (`jobs.JobSubmitter`): the worker that takes it runs the job."""
        with reaching_prefect(), prefect_client() as client:
            client.create_flow_run_from_deployment(
                self.deployments[flow_name], parameters=params, tags=run_tags(flow_name, params, self.installation),
                name=run_name(flow_name, params.get("round_id")))

    def job_run_ended(self, job_id: str) -> str | None:
        """How the job's flow run ended when it can no longer run the job (`jobs.JobSubmitter`): the name of its
        final state ("Cancelled", "Crashed", ...), or "Deleted" when no run carries the job's tag; None while a run
        of it waits, runs or is paused."""
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

        with prefect_client() as client:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[job_tag(job_id)])), limit=10)
        if not runs:
            return DELETED_RUN
        states = [run.state for run in runs]
        if any(state is None or not state.is_final() for state in states):
            return None
        return str(states[0].name)  # type: ignore[union-attr]

    def _online_workers(self, client: Any) -> int:
        """The workers online in the pool (0 when none: the steps then wait, and _tell_workers says so)."""
        return self._count_online(client, self.pool)

    @staticmethod
    def _count_online(client: Any, pool: str) -> int:
        from prefect.client.schemas.objects import WorkerStatus

        return sum(1 for worker in client.read_workers_for_work_pool(pool) if worker.status == WorkerStatus.ONLINE)

    def _waiting(self, app: App, client: Any, flow_name: str, tags: list[str]) -> int:
        """Runs of this step with these tags not finished yet: one running claims until nothing is due. A run
        taken by a worker that died (`orphaned_runs`) is ended Crashed and not counted: it will never end itself."""
        from prefect.client.schemas.filters import (
            FlowRunFilter,
            FlowRunFilterDeploymentId,
            FlowRunFilterState,
            FlowRunFilterStateType,
            FlowRunFilterTags,
        )
        from prefect.client.schemas.objects import StateType

        waiting = FlowRunFilter(
            deployment_id=FlowRunFilterDeploymentId(any_=[self.deployments[flow_name]]),
            tags=FlowRunFilterTags(all_=tags),
            state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING])))
        runs = client.read_flow_runs(flow_run_filter=waiting, limit=50)
        orphans = orphaned_runs(app, runs)
        for run, reason in orphans:
            end_crashed(client, run, reason)
        return len(runs) - len(orphans)


def orphaned_runs(app: App, runs: list[Any]) -> list[tuple[Any, str]]:
    """The runs among `runs` that a worker took and will never end, each with why in Vietnamese: the worker instance
    named in its `infrastructure_pid` has not beaten in the database for YKIEN_STALE_AFTER_SECONDS (killed, its
    machine gone), or the run was taken (Pending) that long ago by a worker that died before naming itself."""
    now = app.clock.now()
    stale_after = timedelta(seconds=app.settings.stale_after_seconds)
    taken = [run for run in runs if run.state is not None and (run.state.is_pending() or run.state.is_running())]
    if not taken:
        return []
    with app.uow(read_only=True) as uow:
        alive = {instance.id for instance in uow.instances.alive(now - stale_after)}
    orphans: list[tuple[Any, str]] = []
    for run in taken:
        runner = run.infrastructure_pid
        if runner and runner not in alive:
            orphans.append((run, f"ykien worker {runner} đã ngừng giữa chừng (không báo còn chạy trong "
                                 f"{app.settings.stale_after_seconds:g} giây); ykien serve giao lại phần việc còn lại"))
        elif not runner and run.state.is_pending() and datetime.now(UTC) - run.state.timestamp > stale_after:
            orphans.append((run, "ykien worker nhận lượt chạy này rồi ngừng trước khi chạy; ykien serve giao lại"))
    return orphans


def end_crashed(client: Any, run: Any, reason: str) -> None:
    """End `run` Crashed with `reason` (forced: Prefect would otherwise wait for its runner to say so)."""
    from prefect.states import Crashed

    log.warning("lượt chạy %s: %s", run.name, reason)
    client.set_flow_run_state(run.id, Crashed(message=reason), force=True)

"""`ykien worker`: pull the step flow runs of the work pool (and the render runs of the PDF jobs) and run them in this
process, with Prefect's engine.

One process runs one flow run at a time; start more processes (on any machine reaching the database, the SMTP server
and the Prefect API) for more throughput. The worker builds its own App from settings and hands it to the flows
(`running_with`); it heartbeats to Prefect (the work pool lists it online, and `ykien serve` submits one circulate run
per online worker) and to the database (its claims pass to others if it dies). It takes only the runs of its own
installation (the id in its database) from a pool another installation shares. A run is taken by proposing Pending,
which Prefect grants to one worker only. The worker hears of a run as soon as Prefect's events say it was scheduled in
the pool, and polls the pool besides, for what no event tells: every 5 s while the events come, every half second
while they do not (a run the poll finds that no event announced says they do not). Stopping (SIGTERM, SIGINT) stops
pulling, lets the run in progress finish and retires the instance: nothing of it is left running. A run cancelled
in Prefect while it runs stops sending, gives back what it claimed and ends Cancelled; the worker goes on. The first
PDF render starts LibreOffice kept warm (unoserver, a child stopped with the worker) for the renders after it.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from config.number_words import decimal_words
from notifications.pdf import PdfServer
from workflows.flows import (
    FLOW_TITLES,
    FLOWS,
    WORKER_HEARTBEAT_SECONDS,
    DatabaseAway,
    StepFailures,
    cancelled_message,
    ensure_deployments,
    of_another_installation,
    quiet_database_outages,
    running_with,
)
from workflows.logs import configure_logging, filter_once
from workflows.service.app import STOP_SIGNALS, App
from workflows.service.sweep import finished_while_database_answers

log = logging.getLogger("ykien.worker")
FOREIGN_RUNS_REMEMBERED = 1000  # another installation's runs already logged, forgotten all at once past this
CANCEL_CHECK_SECONDS = 1.0  # how soon a run cancelled in Prefect stops: one read of the run per second while it runs
SCHEDULED_EVENT = "prefect.flow-run.Scheduled"  # Prefect's event of a run entering Scheduled (created, or rescheduled)
LISTEN_RETRY_FIRST_SECONDS = 1.0  # the events' websocket lost: tried again after 1 s, 2, 4 … up to a minute
LISTEN_RETRY_LONGEST_SECONDS = 60.0
# While the events come, the pool is read every few seconds only, for runs no event tells of (a retry coming due):
# each read costs the Prefect server, 3.5 % of a core per idle worker at half a second (2 workers, 2 cores).
POLL_WHILE_HEARING_SECONDS = 5.0
# A run is taken when due within this much on this machine's clock: the server dated it on its own, maybe ahead.
DUE_AHEAD = timedelta(seconds=2)
# A run a poll finds, created this long before and with no event heard since: the server sends no events though its
# websocket answers (PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED=false), and the worker polls every half second again
# until an event comes. Events arrive within a fraction of a second of the run's creation.
EVENTS_LATE = timedelta(seconds=2)
# Once asked to stop, the worker waits for the run in progress (a delivery finishes the messages on the wire) this
# long at a time, for as long as the database answers; blocked on a database that stopped answering, the run would
# never end, and the worker stops without it. What it held passes to other processes, and its flow run is ended
# Crashed and run again by `ykien serve` (flows.orphaned_runs).
RUN_STOP_SECONDS = 3.0
ATTEMPTS_READ_SECONDS = 2.0  # how long the end of a run waits for Prefect to say how many attempts it took
# How a flow run ended, by the type of its final state (Prefect's names, kept in brackets for its UI).
RUN_ENDS = {"COMPLETED": "hoàn thành", "FAILED": "thất bại", "CRASHED": "bị ngắt giữa chừng", "CANCELLED": "đã hủy",
            "PAUSED": "tạm dừng"}
# Prefect's engine logs each flow run's life in English on this logger ("Beginning flow run …", "Received non-final
# state 'AwaitingRetry' …", "Finished in state Completed()"); it sends them to Prefect's API, where its UI shows them.
PREFECT_RUN_LOGGER = "prefect.flow_runs"
# The loggers of the engine's watchers of a run's events (prefect._internal.observers); while the Prefect server is
# away they warn that its websocket failed and they poll instead, with the websocket's traceback.
PREFECT_OBSERVER_LOGGERS = ("prefect.FlowRunSuspendingObserver", "prefect.FlowRunCancellingObserver")


@dataclass
class RunWatch:
    """One flow run as the worker follows it: its name and step for the lines, the stop set when it is cancelled in
    Prefect, what its step raised last, and the attempts said so far."""

    what: str  # "circulate · đợt 12 (gửi thư)"
    cancelled: threading.Event = field(default_factory=threading.Event)
    failures: StepFailures = field(default_factory=StepFailures)
    attempt: int = 1  # the attempt begun last, as said
    failed_said: int = 0  # the last attempt whose failure was said


def keep_run_lines_in_prefect() -> None:
    """Prefect's engine lines about each flow run go to its API only (its UI shows them with the run), not to the
    worker's console, where the worker says the same in its own words (StepWorker._execute). Told apart by their
    logger, not their English text, which Prefect may reword."""
    logging.getLogger(PREFECT_RUN_LOGGER).propagate = False


class BelowError(logging.Filter):
    """Drops the records below ERROR of the logger it is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR


class CancelledCallback(logging.Filter):
    """Drops asyncio's "Exception in callback" whose exception is CancelledError: a done-callback of Prefect's engine
    asks a polling task the engine cancelled itself for its exception. Nothing failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


def quiet_prefect_away() -> None:
    """While the Prefect server is away, a run's engine wrote some forty lines of English tracebacks on the worker's
    console, which the worker says in two lines of its own ("không nhận được sự kiện của Prefect …", "lại nhận
    được …"), and broke JSON logs (YKIEN_LOG_FORMAT=json) into lines that are not JSON:
    - the engine's observers warn, with the websocket's traceback, that they poll instead: their warnings are
      dropped (their errors stay);
    - asyncio's "Exception in callback" of a cancelled task (CancelledCallback);
    - Prefect's sender of run log lines writes "--- Error logging to API ---" and the error to stderr, unended by a
      newline, whenever `logging.raiseExceptions` is set: it is cleared, as Python's documentation advises for
      production (an error inside a log handler is then not printed). The run's lines sent while the server was
      away are not in Prefect's UI."""
    for name in PREFECT_OBSERVER_LOGGERS:
        filter_once(name, BelowError)
    filter_once("asyncio", CancelledCallback)
    logging.raiseExceptions = False


def _failure_words(error: BaseException | None, prefect_message: str | None) -> str:
    """What failed, on one line: the step's error (a database away is already in Vietnamese), else Prefect's own
    message, quoted as such (its parameters' refusal spans lines)."""
    if isinstance(error, DatabaseAway):
        return str(error)
    if error is not None:
        return f"lỗi chưa lường trước {type(error).__name__}" + (f": {_one_line(str(error))}" if str(error) else "")
    return f"Prefect báo \"{_one_line(prefect_message)}\"" if prefect_message else "Prefect không cho biết lỗi"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _seconds(seconds: float) -> str:
    return decimal_words(round(seconds, 1))


def _traceback_of(error: BaseException | None) -> BaseException | None:
    """The error whose traceback follows the line: a bug's, for whoever fixes it; not a database away's (the driver's
    traceback says nothing the line does not)."""
    return None if error is None or isinstance(error, DatabaseAway) else error


class StepWorker:
    """Runs the flow runs of `pool`, one at a time, until `stop` is set."""

    def __init__(self, app: App, pool: str, name: str, poll_seconds: float = 0.5,
                 pdf: PdfServer | None = None, hearing_poll_seconds: float = POLL_WHILE_HEARING_SECONDS) -> None:
        self.app = app
        self.pdf = pdf  # LibreOffice kept warm once a render run needs it
        self.pool = pool
        self.name = name
        self.poll_seconds = poll_seconds
        self.hearing_poll_seconds = hearing_poll_seconds  # the polls' interval while Prefect's events come
        self.runs_done = 0
        self._flows_by_deployment: dict[UUID, Any] = {}
        self._foreign_runs_said: set[UUID] = set()  # another installation's runs left alone, each logged once
        self.hearing_events = False  # subscribed to Prefect's events of the pool: a run scheduled wakes the worker
        self._event_heard_at: datetime | None = None  # the last event of the pool, on this machine's clock
        self._silence_said = False  # the events found silent, logged once until one comes

    async def run(self, stop: asyncio.Event) -> None:
        from prefect.context import SyncClientContext

        quiet_database_outages()  # a step finding the database away is said once, not as the driver's traceback
        keep_run_lines_in_prefect()
        quiet_prefect_away()
        deployments = await asyncio.to_thread(ensure_deployments, self.pool, self._created_pool)
        installation = await asyncio.to_thread(lambda: self.app.installation_id)  # read once, off the loop
        self._flows_by_deployment = {deployment_id: FLOWS[name] for name, deployment_id in deployments.items()}
        scheduled = asyncio.Event()  # set by Prefect's event of a run scheduled in the pool
        # One client for the worker's life, in Prefect's client context: the engine running each flow run takes it
        # from there instead of opening its own and asking the server's version again (50 ms a run). And one sync
        # client, which the engine takes to read the server's default result storage at each run's start (a new one
        # there cost 25-35 ms a run, loading a CA bundle even for an http:// API).
        with SyncClientContext():
            await self._pull(stop, scheduled, installation)

    async def _pull(self, stop: asyncio.Event, scheduled: asyncio.Event, installation: str) -> None:
        from prefect.context import AsyncClientContext

        async with AsyncClientContext() as client_context:
            client = client_context.client
            pool_id = (await client.read_work_pool(self.pool)).id
            helpers = [asyncio.create_task(self._heartbeat(client, stop)),
                       asyncio.create_task(self._listen(pool_id, scheduled, stop))]
            try:
                log.info("worker %s: nhận các lượt chạy (flow run) của work pool %r gửi từ bản cài đặt %s", self.name,
                         self.pool, installation)
                while not stop.is_set():
                    scheduled.clear()  # a run scheduled from now on wakes the wait below
                    if not await self._run_scheduled(client, stop):
                        await _first_of(stop, scheduled,
                                        self.hearing_poll_seconds if self.hearing_events else self.poll_seconds)
            finally:
                for helper in helpers:
                    helper.cancel()
                for helper in helpers:
                    with contextlib.suppress(asyncio.CancelledError):
                        await helper

    def _created_pool(self) -> None:
        """The pool was not on the Prefect server and the worker created it: usually YKIEN_WORK_POOL mistyped here
        (or on serve), and then no step ever comes."""
        log.warning("worker %s: work pool %r chưa có trên máy chủ Prefect nên worker vừa tạo nó; ykien serve chưa "
                    "từng gửi bước nào tới pool này. Nếu YKIEN_WORK_POOL gõ nhầm, worker sẽ chờ mãi: hãy đặt "
                    "YKIEN_WORK_POOL giống của ykien serve (mặc định \"ykien\")", self.name, self.pool)

    async def _listen(self, pool_id: UUID, scheduled: asyncio.Event, stop: asyncio.Event) -> None:
        """Set `scheduled` whenever Prefect says a run was scheduled in the pool (its events, over a websocket), so
        that the worker takes it at once instead of at its next poll. The polling stays for what no event says: a
        run scheduled for later (a retry), the websocket down. Reconnects after a failure, waiting longer each time;
        the first failure is logged, not each."""
        from prefect.events.clients import get_events_subscriber
        from prefect.events.filters import EventFilter, EventNameFilter, EventRelatedFilter

        pause = LISTEN_RETRY_FIRST_SECONDS
        told = False
        while not stop.is_set():
            wanted = EventFilter(event=EventNameFilter(name=[SCHEDULED_EVENT]),
                                 related=EventRelatedFilter(id=[f"prefect.work-pool.{pool_id}"]))
            try:
                async with get_events_subscriber(filter=wanted, reconnect_on_clean_close=True) as events:
                    if told:
                        log.info("worker %s: lại nhận được sự kiện của Prefect", self.name)
                        told = False
                    pause = LISTEN_RETRY_FIRST_SECONDS
                    self.hearing_events = True
                    # A run scheduled before the subscription took (the worker starting, the websocket back) has
                    # no event coming and would wait for the next poll, seconds away: the pool is read now.
                    scheduled.set()
                    async for _ in events:
                        self._heard_event()
                        scheduled.set()
            except Exception as error:  # noqa: BLE001 - Prefect away, or its events not served: the polling goes on
                self.hearing_events = False
                if not told:
                    log.info("worker %s: không nhận được sự kiện của Prefect (%s); vẫn hỏi work pool mỗi %s giây",
                             self.name, type(error).__name__, decimal_words(self.poll_seconds))
                    told = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            pause = min(pause * 2, LISTEN_RETRY_LONGEST_SECONDS)

    async def _heartbeat(self, client: Any, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await client.send_worker_heartbeat(self.pool, self.name,
                                                   heartbeat_interval_seconds=WORKER_HEARTBEAT_SECONDS)
            except Exception:  # Prefect away for a moment: the next beat tries again
                log.warning("worker %s: không gửi được tín hiệu còn chạy (heartbeat) tới Prefect", self.name,
                            exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), WORKER_HEARTBEAT_SECONDS)

    async def _run_scheduled(self, client: Any, stop: asyncio.Event) -> bool:
        """Take one due run and run it; False when there was none to take. The list is read again after each run:
        a run taken from an old list could be one another worker has finished meanwhile."""
        try:
            scheduled = await client.get_scheduled_flow_runs_for_work_pool(
                self.pool, scheduled_before=datetime.now(UTC) + DUE_AHEAD)
        except Exception:
            log.warning("worker %s: không đọc được các lượt chạy của work pool", self.name, exc_info=True)
            return False
        for response in scheduled:
            if stop.is_set():
                return False
            flow_run = response.flow_run
            step_flow = self._flows_by_deployment.get(flow_run.deployment_id)
            if step_flow is None or self._of_another_installation(flow_run):
                continue
            self._notice_silent_events(flow_run)
            if await self._take(client, flow_run.id):
                await self._execute(client, step_flow, flow_run)
                return True
        return False

    def _heard_event(self) -> None:
        self._event_heard_at = datetime.now(UTC)
        if not self.hearing_events and self._silence_said:
            log.info("worker %s: lại nhận được sự kiện của Prefect", self.name)
            self._silence_said = False
        self.hearing_events = True

    def _notice_silent_events(self, flow_run: Any) -> None:
        """A run the poll found, which no event announced though it was created EVENTS_LATE ago: Prefect's events do
        not come (its stream turned off), and the worker polls every half second until one comes."""
        created = flow_run.created
        if not self.hearing_events or created is None or datetime.now(UTC) - created < EVENTS_LATE:
            return
        if self._event_heard_at is not None and self._event_heard_at >= created:
            return
        self.hearing_events = False
        if not self._silence_said:
            log.info("worker %s: Prefect không báo %s qua sự kiện (máy chủ Prefect tắt luồng sự kiện?); hỏi work pool "
                     "mỗi %s giây cho đến khi có sự kiện", self.name, flow_run.name,
                     decimal_words(self.poll_seconds))
            self._silence_said = True

    def _of_another_installation(self, flow_run: Any) -> bool:
        """A run another installation sharing this work pool submitted is left to its own workers: run here, it would
        run against this installation's database. Said once per run."""
        if not of_another_installation(list(flow_run.tags or []), self.app.installation_id):
            return False
        if flow_run.id not in self._foreign_runs_said:
            if len(self._foreign_runs_said) >= FOREIGN_RUNS_REMEMBERED:
                self._foreign_runs_said.clear()
            self._foreign_runs_said.add(flow_run.id)
            log.warning("worker %s: để lại %s cho worker của bản cài đặt đã gửi nó: work pool %r có lượt chạy của "
                        "một bản cài đặt khác (cơ sở dữ liệu khác); nên đặt YKIEN_WORK_POOL riêng cho mỗi bản cài đặt",
                        self.name, flow_run.name, self.pool)
        return True

    async def _take(self, client: Any, flow_run_id: UUID) -> bool:
        """Propose Pending to a run still scheduled. Prefect grants it to one worker only while the run is pending or
        running, but would grant it again once the run has finished: hence the check just before. A run done twice
        all the same does no harm: a circulate run claims what is due, and a timer fires once."""
        from prefect.exceptions import Abort
        from prefect.states import Pending
        from prefect.utilities.engine import propose_state

        current = await client.read_flow_run(flow_run_id)
        if current.state is None or not current.state.is_scheduled():
            return False
        try:
            state = await propose_state(client, Pending(), flow_run_id=flow_run_id)
        except Abort:
            return False
        if not state.is_pending():
            return False
        # Who runs it, for `ykien serve`: a run whose instance stops beating in the database (killed, its machine
        # gone) cannot say it ended, and serve ends it Crashed instead of waiting for it (flows.PrefectExecutor).
        await client.update_flow_run(flow_run_id, infrastructure_pid=self.app.instance.id)
        return True

    async def _execute(self, client: Any, step_flow: Any, flow_run: Any) -> None:
        """Run one flow run with Prefect's engine, saying in the worker's words when it begins, fails and is to run
        again, and how it ends; cancelled in Prefect meanwhile, it stops (see _watch) and ends Cancelled."""
        from prefect.client.schemas.objects import State
        from prefect.flow_engine import run_flow_async

        run = RunWatch(f"{flow_run.name} ({FLOW_TITLES.get(step_flow.name, step_flow.name)})")
        log.info("worker %s: chạy %s", self.name, run.what)
        began = time.monotonic()
        with running_with(self.app, self.pdf, run.cancelled, run.failures):
            running = asyncio.ensure_future(run_flow_async(step_flow, flow_run=flow_run,
                                                           parameters=dict(flow_run.parameters), return_type="state"))
            watching = asyncio.create_task(self._watch(client, flow_run, run))
            try:
                state = await running
            finally:
                watching.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watching
        self.runs_done += 1
        if run.cancelled.is_set():
            await self._end_cancelled(client, flow_run, run, cancelled_message(step_flow.name),
                                      time.monotonic() - began)
        elif isinstance(state, State):
            await self._say_end(client, flow_run, run, state, time.monotonic() - began)

    async def _watch(self, client: Any, flow_run: Any, run: RunWatch) -> None:
        """Every CANCEL_CHECK_SECONDS, the run as Prefect has it: cancelled in Prefect (its UI, its API), Prefect
        marks it Cancelling and waits for whoever runs it; then `run.cancelled` is set: the step claims nothing more,
        the messages on the wire finish and the rest claimed go back to the outbox. A failed attempt that Prefect
        will retry (AwaitingRetry, a Scheduled state), and the attempt after it, are said."""
        while True:
            await asyncio.sleep(CANCEL_CHECK_SECONDS)
            try:
                current = await client.read_flow_run(flow_run.id)
            except Exception:  # Prefect away for a moment: the run goes on, the next check asks again
                log.debug("worker %s: không đọc được %s", self.name, flow_run.name, exc_info=True)
                continue
            state = current.state
            if state is None:
                continue
            if state.is_cancelling() or state.is_cancelled():
                log.info("worker %s: %s đã bị hủy trong Prefect: dừng lượt chạy", self.name, flow_run.name)
                run.cancelled.set()
                return
            if state.is_scheduled() and current.run_count > run.failed_said:
                run.failed_said = current.run_count
                self._say_retry(run, current)
            elif state.is_running() and current.run_count > run.attempt:
                run.attempt = current.run_count
                log.info("worker %s: chạy lại %s, lần thứ %d", self.name, run.what, run.attempt)

    def _say_retry(self, run: RunWatch, current: Any) -> None:
        """A failed attempt Prefect will run again: what failed, and when the next attempt starts (this machine's
        time, as the log lines carry)."""
        error = run.failures.last
        due = current.state.state_details.scheduled_time
        at = f"lúc {due.astimezone():%H:%M:%S}" if due is not None else "sau ít giây"
        most = current.empirical_policy.retries
        of_most = f", tối đa {most + 1} lần" if most is not None else ""
        log.warning("worker %s: %s lỗi ở lần chạy thứ %d, Prefect sẽ chạy lại %s (lần thứ %d%s): %s", self.name,
                    run.what, current.run_count, at, current.run_count + 1, of_most,
                    _failure_words(error, current.state.message), exc_info=_traceback_of(error))

    async def _say_end(self, client: Any, flow_run: Any, run: RunWatch, state: Any, seconds: float) -> None:
        """The run's end, its state in Vietnamese: a failure for good (no attempt left) is an error, with what
        failed; a bug's traceback follows it."""
        try:  # bounded: Prefect's client would retry a server away for many seconds before the line is said
            attempts = int((await asyncio.wait_for(client.read_flow_run(flow_run.id), ATTEMPTS_READ_SECONDS)).run_count)
        except Exception:  # noqa: BLE001 - Prefect away: the attempts this worker saw
            attempts = run.attempt
        kind = state.type.value
        took = f"sau {_seconds(seconds)} giây" + (f", {attempts} lần chạy" if attempts > 1 else "")
        if state.is_completed():
            log.info("worker %s: %s kết thúc: %s %s", self.name, run.what, RUN_ENDS[kind], took)
            return
        ended = f"{RUN_ENDS.get(kind, kind)} ({state.name})"
        error = run.failures.last if state.is_failed() else None
        log.error("worker %s: %s kết thúc: %s %s, Prefect không chạy lại nữa: %s", self.name, run.what, ended, took,
                  _failure_words(error, state.message), exc_info=_traceback_of(error))

    async def _end_cancelled(self, client: Any, flow_run: Any, run: RunWatch, message: str, seconds: float) -> None:
        """A run cancelled while it ran ends Cancelled: the flow says so itself (flows._ended); if the cancel came
        too late for that, Prefect refused the flow's Completed (a Cancelling run may only end Cancelled) and the
        worker sets it."""
        from prefect.states import Cancelled

        try:
            current = await client.read_flow_run(flow_run.id)
            if current.state is None or not current.state.is_cancelled():
                await client.set_flow_run_state(flow_run.id, Cancelled(message=message), force=True)
        except Exception:
            log.warning("worker %s: không đánh dấu được %s là đã hủy", self.name, flow_run.name, exc_info=True)
            return
        log.info("worker %s: %s kết thúc: %s (Cancelled) sau %s giây", self.name, run.what, RUN_ENDS["CANCELLED"],
                 _seconds(seconds))


async def _first_of(stop: asyncio.Event, scheduled: asyncio.Event, seconds: float) -> None:
    """Wait until `stop` or `scheduled` is set, `seconds` at most."""
    waits = [asyncio.create_task(stop.wait()), asyncio.create_task(scheduled.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


def _joined(thread: threading.Thread, seconds: float) -> bool:
    thread.join(seconds)
    return not thread.is_alive()


def work(app: App, pool: str, name: str, poll_seconds: float = 0.5, stop: threading.Event | None = None) -> int:
    """Run a worker until SIGTERM or SIGINT (a signal lets the run in progress finish); returns the runs it did.

    The worker's event loop runs in a thread of its own: the main thread keeps the signal handlers, and Prefect's
    engine, which replaces SIGTERM's handler when it runs a flow in the main thread, leaves them alone. `stop` set
    beforehand (a signal while starting) stops it before it takes anything."""
    configure_logging(app.settings.log_format, only="ykien")  # whatever Prefect does to the root logger
    pdf = PdfServer()
    worker = StepWorker(app, pool, name, poll_seconds, pdf)
    loop = asyncio.new_event_loop()
    stopped = asyncio.Event()
    failure: list[BaseException] = []

    def stopping(signum: int, frame: object) -> None:
        app.stopping.set()  # the circulate run in progress claims nothing more and returns
        loop.call_soon_threadsafe(stopped.set)  # pull nothing more

    def run() -> None:
        try:
            loop.run_until_complete(worker.run(stopped))
        except BaseException as error:  # noqa: BLE001 - handed to the main thread, raised there
            failure.append(error)

    previous = {signum: signal.signal(signum, stopping) for signum in STOP_SIGNALS}
    if stop is not None and stop.is_set():
        stopping(signal.SIGTERM, None)
    thread = threading.Thread(target=run, name="ykien-worker")
    try:
        thread.start()
        while thread.is_alive() and not app.stopping.is_set():
            thread.join(0.5)
        finished_while_database_answers(app, lambda seconds: _joined(thread, seconds), RUN_STOP_SECONDS,
                                        "bước đang chạy", log)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if not thread.is_alive():
            loop.close()
        pdf.stop()  # no LibreOffice outlives the worker
    if failure:
        raise failure[0]
    return worker.runs_done

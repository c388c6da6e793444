"""run_due(now): fire every due timer, then deliver every due message. Safe to run in parallel.

Replicas: every claim names this process instance (App.instance) and renews its heartbeat row; a claim also frees
the rows of instances whose heartbeat is stale (YKIEN_STALE_AFTER_SECONDS on the app's clock). Timers are claimed one
at a time, since firing one may fan out a round's mail: a replica holds only the timer it is firing. `Heartbeat`
keeps a long-running process (serve, tick) alive between claims and frees its claims when it stops.

Both go through the command path's failure policy (service/commands.py): a timer that fired stays fired
when sending what it queued fails, the messages wait in the outbox for the next sweep, and the report
says so (`delivery_errors`) instead of the sweep failing.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType

from config.number_words import decimal_words
from workflows.service.app import App
from workflows.service.assignments import fire_due_reminders
from workflows.service.commands import Handover, deliver_queued, run_timer
from workflows.service.database_outage import outage_of
from workflows.service.delivery import DeliveryReport, stay_alive, worker_name
from workflows.service.digest import queue_due_digests
from workflows.service.registry import get_workflow
from workflows.service.steps import StepsUnavailable
from workflows.service.timers import TimerReport

log = logging.getLogger("ykien.sweep")

TIMER_BATCH = 1  # firing a timer may send a round's mail: claim the next one only when this one is done
TIMER_LEASE = timedelta(minutes=5)


@dataclass
class SweepReport(TimerReport):
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    delivery_errors: list[str] = field(default_factory=list)  # deliveries that failed; their mail waits
    task_reminders: int = 0  # reminders of assigned tasks queued (workflows/service/assignments.py)

    def add(self, handed: Handover) -> None:
        if handed.report is not None:
            self.delivery.add(handed.report)
        if handed.error is not None:
            self.delivery_errors.append(handed.error)


def fire_due_timers(app: App) -> SweepReport:
    """Claim due timers and run each as a step: "close" for a timer that raises an event, else "remind"."""
    report = SweepReport()
    while not app.stopping.is_set():
        now = app.clock.now()
        with app.uow() as uow:
            stay_alive(app, uow, now)
            ids = uow.timers.claim_due(now, TIMER_BATCH, worker_name(app), TIMER_LEASE)
            claimed = uow.timers.describe(ids)
            uow.commit()
        if not claimed:
            return report
        for position, (timer_id, round_id, name, state_name, workflow_name) in enumerate(claimed):
            if app.stopping.is_set():  # the timers left are released when the process retires
                return report
            timer = next((t for t in get_workflow(workflow_name).state(state_name).timers if t.name == name), None)
            step = "close" if timer is not None and timer.event else "remind"
            try:
                handed = run_timer(app, step, timer_id, round_id)
            except StepsUnavailable as outage:  # the timer did not fire: it and the rest wait for the next sweep
                _release_timers(app, [row[0] for row in claimed[position:]])
                report.delivery_errors.append(str(outage))
                return report
            report.timers_fired += 1
            report.add(handed)
    return report


def _release_timers(app: App, ids: list[int]) -> None:
    """Free timers this instance claimed and could not fire (the steps' server away), so that the first sweep
    after it is back fires them, not one after their lease runs out."""
    with app.uow() as uow:
        uow.timers.release(ids, worker_name(app))
        uow.commit()


def beat(app: App) -> None:
    """Renew this process instance's heartbeat at the app's now."""
    with app.uow() as uow:
        uow.instances.beat(app.instance, app.clock.now())
        uow.commit()


def retire(app: App) -> int:
    """This process instance stops: free the timers and messages it still holds (another process takes them at
    once) and remove its heartbeat row. Returns how many rows were freed."""
    with app.uow() as uow:
        released = uow.instances.retire(app.instance.id)
        uow.commit()
    return released


# A process that stops tells the database within this long, or stops without it: a database that stopped answering
# (its server hung, a network cut) would otherwise hold the process for ever. Its claims then pass to the other
# processes once its heartbeat is stale (YKIEN_STALE_AFTER_SECONDS).
RETIRE_SECONDS = 2.0
# A step still running once its process was asked to stop is waited for while the database answers within this long.
ANSWER_SECONDS = 1.5


class Heartbeat:
    """`with Heartbeat(app):` renews the instance's heartbeat every YKIEN_HEARTBEAT_SECONDS in a thread of its own
    (sending a fan-out or firing a timer can take longer than the staleness limit), and retires the instance on
    the way out, within RETIRE_SECONDS. A failed beat (the database away for a moment) is logged and tried again at
    the next one. `retired` says, once out, whether the database was told; `problem`, why not."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.retired = False
        self.problem: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ykien-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        beat(self.app)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        started = time.monotonic()
        self._thread.join(RETIRE_SECONDS)  # a beat under way ends first, unless the database no longer answers
        self.problem = _within(lambda: retire(self.app), RETIRE_SECONDS - (time.monotonic() - started),
                               RETIRE_SECONDS)
        self.retired = self.problem is None
        if self.problem is not None:  # stopping anyway: its claims pass to others once its heartbeat is stale
            log.warning("không báo được cơ sở dữ liệu rằng tiến trình %s dừng (%s); việc nó đang giữ chuyển cho "
                        "tiến trình khác sau %g giây (YKIEN_STALE_AFTER_SECONDS)", self.app.instance.id,
                        self.problem, self.app.settings.stale_after_seconds)

    def _run(self) -> None:
        outage = outage_of(self.app)  # shared with the sweep: a database away is said once, not at every beat
        while not self._stop.wait(self.app.settings.heartbeat_seconds):
            try:
                beat(self.app)
            except Exception as error:  # noqa: BLE001 - a beat missed is said and tried again at the next
                if not outage.failed(error, "tín hiệu còn chạy (heartbeat)"):
                    log.warning("tín hiệu còn chạy (heartbeat) của %s lỗi: %s", self.app.instance.id,
                                first_line(error))
            else:
                outage.answered()


def finished_while_database_answers(app: App, finished: Callable[[float], bool], seconds: float, step: str,
                                    said_by: logging.Logger) -> bool:
    """Wait for a step of this process that was asked to stop: `finished(timeout)` waits up to `timeout` seconds and
    says whether it is done. It is waited for `seconds` at a time for as long as the database answers (a long step
    that progresses, a large PDF, is let finish), and given up once the database has not answered for
    ANSWER_SECONDS (the step waits on it, maybe for ever): `said_by` logs so, naming `step` ("lượt quét"), and the
    step is noted in App.left_running, for the process to end without it. Returns whether it finished."""
    while not finished(seconds):
        if _within(lambda: beat(app), ANSWER_SECONDS, ANSWER_SECONDS) is not None:
            said_by.warning("đang dừng: %s chưa xong, cơ sở dữ liệu không trả lời; thôi chờ", step)
            app.left_running.append(step)
            return False
    return True


def _within(call: Callable[[], object], seconds: float, said_seconds: float) -> str | None:
    """Run `call` in a daemon thread for at most `seconds`; None when it returned, else why not in Vietnamese (the
    database not answering "after `said_seconds` seconds", or the error it raised). A thread left behind (blocked
    on a database that does not answer) ends with the process."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except Exception as error:  # noqa: BLE001 - said by the caller
            failures.append(error)

    thread = threading.Thread(target=run, name="ykien-database-call", daemon=True)
    thread.start()
    thread.join(max(seconds, 0.0))
    if thread.is_alive():
        return f"cơ sở dữ liệu (YKIEN_DATABASE_URL) không trả lời sau {decimal_words(said_seconds)} giây"
    return first_line(failures[0]) if failures else None


def first_line(error: BaseException) -> str:
    """An error's first line, for a log line that stays one line ("(psycopg.errors.ConnectionTimeout) …")."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def run_due(app: App) -> SweepReport:
    """Everything due at the clock's now: timers first, then any message still waiting (retries)."""
    report = fire_due_timers(app)
    report.task_reminders += fire_due_reminders(app).sent
    queue_due_digests(app)  # the staff's daily digest, once its time of a working day has passed
    with app.uow(read_only=True) as uow:
        waiting = uow.outbox.has_due(app.clock.now())
    if waiting and not app.stopping.is_set():
        report.add(deliver_queued(app))
    return report

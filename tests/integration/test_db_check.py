"""What `ykien db check` reports, on SQLite and PostgreSQL: the schema against the code's, a write that commits,
and the mail and timers waiting for the sweep, counted as the sweep would take them."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from config.clock import FrozenClock
from models.db.database import SCHEMA_REVISION
from models.db.tables import OutboxRow, TimerRow
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.database_check import ensure_writable, schema_of, status_of
from workflows.service.rounds import execute
from workflows.service.sweep import run_due

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = 12  # invitations of a launched round (tests/fixtures/units_12.csv)


def at(clock: FrozenClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).replace(tzinfo=TZ))


def counted(app: App) -> tuple[int, int, int, int]:
    """The same four numbers read row by row through the ORM, to check the status's SQL against."""
    now = app.clock.now()
    with app.uow(read_only=True) as uow:
        queued = list(uow.session.scalars(select(OutboxRow.next_attempt_at).where(OutboxRow.status == "queued")))
        pending = list(uow.session.scalars(select(TimerRow.due_at).where(TimerRow.status == "pending")))
    return len(queued), sum(due <= now for due in queued), len(pending), sum(due <= now for due in pending)


def test_the_status_counts_queued_mail_and_due_timers_as_the_sweep_would_take_them(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    status = status_of(app)
    assert status.backend == app.engine.dialect.name
    assert status.schema.current and status.schema.revisions == {SCHEMA_REVISION}
    assert (status.outbox_queued, status.outbox_due, status.timers_pending, status.timers_due) == (0, 0, 0, 0)

    round_id = make_round()
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)  # queues the invitations and sets the timers; nothing is sent here
    status = status_of(app)
    assert (status.outbox_queued, status.outbox_due) == (UNITS, UNITS)
    assert status.timers_pending >= 2 and status.timers_due == 0  # the reminder and the close, not yet due
    assert (status.outbox_queued, status.outbox_due, status.timers_pending, status.timers_due) == counted(app)

    at(clock, "2025-12-03T08:00")  # the reminder's day
    status = status_of(app)
    assert status.timers_due == 1
    assert (status.outbox_queued, status.outbox_due, status.timers_pending, status.timers_due) == counted(app)

    report = run_due(app)
    assert report.timers_fired == 1
    after = status_of(app)
    assert (after.outbox_queued, after.timers_due) == (0, 0)
    assert after.timers_pending == status.timers_pending - 1
    assert (after.outbox_queued, after.outbox_due, after.timers_pending, after.timers_due) == counted(app)


def test_a_migrated_database_is_current_and_commits_a_write_that_changes_nothing(app: App) -> None:
    before = schema_of(app)
    ensure_writable(app)
    ensure_writable(app)
    after = schema_of(app)
    assert after == before and after.current and not after.newer


def test_the_status_counts_background_jobs_running_and_waiting_and_the_processes_alive(
        app: App, clock: FrozenClock, make_round: Callable[..., int]) -> None:
    from datetime import timedelta

    from models.db.instance_repository import Instance
    from models.db.job_repository import DONE, WAITING_FOR_WORKER

    at(clock, "2025-11-20T09:00")
    now = app.clock.now()
    status = status_of(app)
    assert (status.jobs_running, status.jobs_waiting, status.instances_alive) == (0, 0, 0)
    round_id = make_round()
    stale = timedelta(seconds=app.settings.stale_after_seconds)
    with app.uow() as uow:
        uow.jobs.start("a" * 32, round_id, "pdf", "canbo", "convert", "mot-tien-trinh", now)  # runs in a process
        uow.jobs.start("b" * 32, round_id, "pdf", "canbo", "queued", WAITING_FOR_WORKER, now)  # waits for a worker
        uow.jobs.start("c" * 32, round_id, "pdf", "canbo", "queued", WAITING_FOR_WORKER, now)
        uow.jobs.start("d" * 32, round_id, "launch", "canbo", "send", "mot-tien-trinh", now)
        uow.jobs.finish("d" * 32, DONE, None, None, now)  # ended: not counted
        uow.instances.beat(Instance("song", "may-1", 10, now - stale), now - stale)  # its heartbeat is just recent
        uow.instances.beat(Instance("da-chet", "may-2", 11, now - 2 * stale), now - stale - timedelta(seconds=1))
        uow.commit()
    status = status_of(app)
    assert (status.jobs_running, status.jobs_waiting, status.instances_alive) == (1, 2, 1)

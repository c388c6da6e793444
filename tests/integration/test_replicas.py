"""Replicas: several processes sweeping one database (simulated by Apps on it, each its own process instance) share
a fan-out, send each message once, fire each timer once, keep the claims of a live instance whatever its host and
PID, and take over those of a dead one within a sweep once its heartbeat is stale, on the app's clock (no sleep).

Each App is what one `ykien serve` is: its own engine, its own instance id (host:pid:random); two Apps in this
process have the same host and PID, as two replicas in containers of one host name can.
"""
from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, event, func, select, text

from config.clock import FrozenClock
from models.db.instance_repository import Instance, InstanceStatus
from models.db.tables import InstanceRow, OutboxRow, TimerRow
from notifications.testing import SmtpCapture
from tests.integration.test_storage import race as storage_race
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.delivery import LEASE, deliver_outbox
from workflows.service.directory import import_units
from workflows.service.rounds import execute
from workflows.service.sweep import Heartbeat, SweepReport, run_due
from workflows.service.views import audit_trail

pytestmark = pytest.mark.timeout(300)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = 1000  # the round the replicas share
SMALL = 12 + 100  # the round of the tests of one claim: a claim (50) and more
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"


def at(clock: FrozenClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).replace(tzinfo=TZ))


def directory(folder: Path, units: int) -> Path:
    """The 12 units of the fixture and communes up to `units`."""
    lines = UNITS_CSV.read_text(encoding="utf-8").splitlines()
    lines += [f"XA-{n:04d},Ủy ban nhân dân xã Thử Nghiệm {n},xa-phuong,xa{n:04d}@caobang.example.vn,,"
              for n in range(1, units - 12 + 1)]
    path = folder / f"units_{units}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sweep_until_idle(app: App) -> SweepReport:
    """Sweep again and again, as `ykien serve` does on its interval, until nothing is due: a timer another replica
    fires queues mail this replica then joins in sending."""
    total = SweepReport()
    while True:
        report = run_due(app)
        total.timers_fired += report.timers_fired
        total.delivery.add(report.delivery)
        with app.uow(read_only=True) as uow:
            now = app.clock.now()
            next_timer = uow.timers.next_due()
            if not uow.outbox.has_due(now) and (next_timer is None or next_timer > now):
                return total
        if not (report.timers_fired or report.delivery.sent):
            time.sleep(0.005)  # another replica holds what is left: look again shortly


def race(apps: list[App]) -> list[SweepReport]:
    """Each App sweeps until nothing is due, all starting at the same moment in threads of their own (replicas
    woken at once)."""
    return storage_race(apps, sweep_until_idle, timeout=240)


def received(capture: SmtpCapture) -> dict[tuple[str, str], list[str]]:
    """(unit, kind) -> the Message-IDs the server received for it, one per copy."""
    copies: dict[tuple[str, str], list[str]] = {}
    for message in capture.messages:
        key = (str(message["X-Ykien-Unit"]), str(message["X-Ykien-Kind"]))
        copies.setdefault(key, []).append(str(message["Message-ID"]))
    return copies


def sent_by(app: App) -> Counter[str | None]:
    with app.uow(read_only=True) as uow:
        return Counter({sender: number for sender, number in uow.session.execute(
            select(OutboxRow.sent_by, func.count()).group_by(OutboxRow.sent_by))})


def claimed_by(app: App, worker: str) -> int:
    with app.uow(read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.claimed_by == worker, OutboxRow.status == "queued")) or 0


def claim_as(app: App, instance: Instance, limit: int) -> int:
    """`instance` beats and claims `limit` due messages, then stops: as a process does before it sends them."""
    with app.uow() as uow:
        uow.instances.beat(instance, app.clock.now())
        rows = uow.outbox.claim(app.clock.now(), limit, instance.id, LEASE)
        uow.commit()
    return len(rows)


def launch(app: App, clock: FrozenClock, folder: Path, units: int, make_round: Callable[..., int], staff: str) -> int:
    """A round of `units` units launched at 09:00 on the frozen clock, its invitations queued, none sent."""
    import_units(app, directory(folder, units), staff)
    round_id = make_round()
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    return round_id


@pytest.fixture
def launched(app: App, clock: FrozenClock, tmp_path: Path, make_round: Callable[..., int], staff: str) -> int:
    """A launched round of 1,000 units."""
    return launch(app, clock, tmp_path, UNITS, make_round, staff)


@pytest.fixture
def queued(app: App, clock: FrozenClock, tmp_path: Path, make_round: Callable[..., int], staff: str) -> int:
    """A launched round of SMALL units."""
    return launch(app, clock, tmp_path, SMALL, make_round, staff)


def test_two_replicas_share_a_1000_unit_fan_out_each_unit_getting_one_copy(
        app: App, app_factory: Callable[[], App], clock: FrozenClock, capture: SmtpCapture, launched: int) -> None:
    first, second = app, app_factory()  # the round's 1,000 invitations are queued, none sent
    assert first.instance.id != second.instance.id

    reports = race([first, second])

    copies = received(capture)
    assert Counter(kind for _, kind in copies) == {"invitation": UNITS}
    assert all(len(ids) == 1 for ids in copies.values()), "a unit got its invitation twice"
    by_instance = sent_by(first)
    assert set(by_instance) == {first.instance.id, second.instance.id}, by_instance  # both sent; none unnamed
    assert [by_instance[a.instance.id] for a in (first, second)] == [r.delivery.sent for r in reports]
    assert min(r.delivery.sent for r in reports) > 0
    with first.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.claimed_by.is_not(None))) == 0  # the claim is cleared once sent; sent_by stays


def test_two_replicas_fire_each_of_many_due_timers_once(
        app: App, app_factory: Callable[[], App], clock: FrozenClock, capture: SmtpCapture,
        make_round: Callable[..., int], staff: str) -> None:
    first, second = app, app_factory()
    rounds = [make_round() for _ in range(8)]
    at(clock, "2025-11-20T09:00")
    for round_id in rounds:
        execute(first, round_id, Launch(), staff)
    run_due(first)
    invitations = len(capture.messages)
    at(clock, "2025-12-03T08:00")

    reports = race([first, second])

    assert sum(r.timers_fired for r in reports) == len(rounds)
    assert min(r.timers_fired for r in reports) > 0, [r.timers_fired for r in reports]
    for round_id in rounds:
        events, _ = audit_trail(first, round_id)
        assert [e.action for e in events].count("timer_fired") == 1
    copies = Counter((str(m["X-Ykien-Round"]), str(m["X-Ykien-Unit"])) for m in capture.messages[invitations:])
    assert len(copies) == len(rounds) * 10 and set(copies.values()) == {1}
    with first.uow(read_only=True) as uow:
        claimers = set(uow.session.scalars(select(TimerRow.claimed_by).where(TimerRow.status == "done")))
    assert claimers == {first.instance.id, second.instance.id}  # a fired timer names who fired it


def test_a_live_instance_with_the_same_host_and_pid_keeps_its_claims(
        app: App, app_factory: Callable[[], App], clock: FrozenClock, capture: SmtpCapture, queued: int) -> None:
    other = app_factory()
    assert (other.instance.host, other.instance.pid) == (app.instance.host, app.instance.pid)
    assert claim_as(app, app.instance, 50) == 50

    report = run_due(other)
    assert report.delivery.sent == SMALL - 50
    assert claimed_by(other, app.instance.id) == 50

    # 15 s later its claims still hold, and 30 s later too once it has beaten at 15 s: the heartbeat decides
    clock.advance(timedelta(seconds=15))
    assert run_due(other).delivery.sent == 0
    with app.uow() as uow:
        uow.instances.beat(app.instance, clock.now())
        uow.commit()
    clock.advance(timedelta(seconds=15))
    assert run_due(other).delivery.sent == 0
    assert claimed_by(other, app.instance.id) == 50
    assert len(capture.messages) == SMALL - 50


def test_a_crashed_instance_loses_its_claims_to_another_within_one_sweep_once_its_heartbeat_is_stale(
        app: App, app_factory: Callable[[], App], clock: FrozenClock, capture: SmtpCapture, queued: int) -> None:
    other = app_factory()
    stale_after = timedelta(seconds=app.settings.stale_after_seconds)
    assert stale_after < LEASE  # what frees the rows below is the heartbeat, not the lease
    assert claim_as(app, app.instance, 50) == 50  # ... and then `app` dies: no more heartbeats

    assert run_due(other).delivery.sent == SMALL - 50
    clock.advance(stale_after - timedelta(seconds=1))
    assert run_due(other).delivery.sent == 0  # not yet stale: a slow process is not a dead one

    clock.advance(timedelta(seconds=2))
    report = run_due(other)

    assert report.delivery.sent == 50
    copies = received(capture)
    assert len(copies) == SMALL and all(len(ids) == 1 for ids in copies.values())
    assert sent_by(other) == {other.instance.id: SMALL}
    with other.uow(read_only=True) as uow:
        assert uow.instances.get(app.instance.id) is None  # the dead instance is forgotten
        assert uow.instances.get(other.instance.id) is not None


def test_a_live_instance_in_another_pid_namespace_keeps_its_claims(
        app: App, clock: FrozenClock, capture: SmtpCapture, queued: int) -> None:
    """The old rule released the claims of any process of this host whose PID this process could not see: a
    replica in another container of the same host name lost its live claims at every sweep."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    # Its id in the old host:pid shape, with a PID that does not exist here.
    elsewhere = Instance(f"{app.instance.host}:{gone.pid}", app.instance.host, gone.pid, clock.now())
    assert claim_as(app, elsewhere, 50) == 50

    report = run_due(app)

    assert report.delivery.sent == SMALL - 50
    assert claimed_by(app, elsewhere.id) == 50
    assert len(capture.messages) == SMALL - 50


def test_an_instance_that_stops_frees_its_claims_and_its_row_at_once(
        app: App, app_factory: Callable[[], App], clock: FrozenClock, queued: int) -> None:
    stopping = app_factory()
    with Heartbeat(stopping):
        assert claim_as(stopping, stopping.instance, 50) == 50
        assert claimed_by(app, stopping.instance.id) == 50

    assert claimed_by(app, stopping.instance.id) == 0
    with app.uow(read_only=True) as uow:
        assert uow.session.get(InstanceRow, stopping.instance.id) is None
    assert run_due(app).delivery.sent == SMALL


def test_a_result_is_recorded_by_its_own_statement_on_postgresql_without_a_transaction_around_it(
        app: App, queued: int) -> None:
    """The writes of results (`uow(each_statement=True)`): on PostgreSQL each statement commits on its own, sparing
    each connection the BEGIN and COMMIT round trips; on SQLite the block stays one transaction, rolled back when
    not committed."""
    with app.uow() as uow:
        first = uow.outbox.claim(app.clock.now(), 1, app.instance.id, LEASE, queued)[0].id
        uow.commit()
    with app.uow(each_statement=True) as uow:
        uow.outbox.mark_sent([first], app.clock.now(), app.instance.id)  # and no commit
    with app.uow(read_only=True) as uow:
        status = uow.session.scalar(select(OutboxRow.status).where(OutboxRow.id == first))
    assert status == ("sent" if app.engine.dialect.name == "postgresql" else "queued")
    with app.uow() as uow:  # the pooled connection is back to transactions: this block is rolled back
        uow.outbox.mark_sent([first + 1], app.clock.now(), app.instance.id)
    with app.uow(read_only=True) as uow:
        assert uow.session.scalar(select(OutboxRow.status).where(OutboxRow.id == first + 1)) == "queued"


class SetOnceReceived(threading.Event):
    """A stop that sets itself once the SMTP server has received `count` messages: it comes in the middle of a
    claimed batch, with messages on the wire and others prepared behind them."""

    def __init__(self, capture: SmtpCapture, count: int) -> None:
        super().__init__()
        self.capture = capture
        self.count = count

    def is_set(self) -> bool:
        if len(self.capture.messages) >= self.count:
            self.set()
        return super().is_set()


def test_a_delivery_stopped_midway_sends_nothing_more_and_frees_what_it_claimed_at_once(
        app: App, capture: SmtpCapture, queued: int) -> None:
    """What a flow run cancelled in Prefect, or a process asked to stop, does: the messages on the wire finish (one
    a connection at most after the stop), none after them, neither those claimed nor those already prepared, and the
    rest of its claim goes back to the outbox for any process, at once rather than after the lease."""
    stop = SetOnceReceived(capture, 20)

    report = deliver_outbox(app, queued, stop=stop)

    connections = app.settings.smtp_connections
    assert report.sent == len(capture.messages)  # every message that went out is recorded sent
    assert 20 <= report.sent <= 20 + connections, report.sent
    assert claimed_by(app, app.instance.id) == 0
    with app.uow(read_only=True) as uow:
        assert uow.outbox.count_for_round(queued, status="queued") == SMALL - report.sent
    assert deliver_outbox(app, queued).sent == SMALL - report.sent
    copies = received(capture)
    assert len(copies) == SMALL and all(len(ids) == 1 for ids in copies.values())


def test_a_running_process_beats_in_a_thread_of_its_own_between_claims(
        database_url: str, tmp_path: Path, clock: FrozenClock) -> None:
    """`ykien serve` and `ykien tick` run inside Heartbeat: its row comes back after it was forgotten (as another
    process does to an instance it took for dead), without any claim."""
    from config.settings import load_settings
    from workflows.service.app import build_app

    settings = load_settings(home=tmp_path, database_url=database_url, now=None, calendar_file=None,
                             heartbeat_seconds=0.05, stale_after_seconds=0.2)
    running = build_app(settings, clock)
    try:
        with Heartbeat(running):
            with running.uow() as uow:
                uow.session.execute(delete(InstanceRow))
                uow.commit()
            deadline = time.monotonic() + 10
            while (status := instance_row(running)) is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert status is not None, "the heartbeat thread did not write the row again"
            assert status.heartbeat_at == clock.now()  # on the app's clock
        assert instance_row(running) is None  # retired on the way out
    finally:
        running.close()


def instance_row(app: App) -> InstanceStatus | None:
    with app.uow(read_only=True) as uow:
        return uow.instances.get(app.instance.id)


def test_a_claim_reads_the_rows_it_takes_in_order_not_the_whole_round(app: App, launched: int) -> None:
    """Claiming 50 of a round's 1,000 queued messages walks the claim index in order; it does not sort the round."""
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            statements.append((statement, parameters))

    with app.uow() as uow:
        uow.session.execute(text("ANALYZE outbox"))
        uow.commit()
    event.listen(app.engine, "before_cursor_execute", keep)
    try:
        with app.uow() as uow:
            assert len(uow.outbox.claim(app.clock.now(), 50, "x:1", LEASE, launched)) == 50
    finally:
        event.remove(app.engine, "before_cursor_execute", keep)
    [(statement, parameters)] = statements
    with app.engine.connect() as connection:
        if app.engine.dialect.name == "postgresql":
            [[[plan]]] = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).all()  # type: ignore[arg-type]
            nodes = list(_plan_nodes(plan["Plan"]))
            assert not [node for node in nodes if node["Node Type"] == "Sort"], plan
            scanned = [node["Actual Rows"] for node in nodes if node["Node Type"].endswith("Scan")]
            assert max(scanned) <= 50, plan  # the rows taken, not the round's 1,000
        else:
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()  # type: ignore[arg-type]
            assert "TEMP B-TREE" not in str(plan) and "ix_outbox_round_claim" in str(plan), plan
        connection.rollback()


def _plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def test_a_fan_out_renews_its_heartbeat_once_a_heartbeat_interval_not_at_every_claim(
        database_url: str, tmp_path: Path, app_factory: Callable[[], App], clock: FrozenClock, capture: SmtpCapture,
        queued: int) -> None:
    """A fan-out claims many times a second; each claim used to write the instance's heartbeat and look for dead
    instances too. That runs at the delivery's first claim, then once the app's clock has moved a heartbeat
    interval (with the renewal of the leases), and then takes a dead instance's rows over within that delivery."""
    from config.settings import load_settings
    from workflows.service.app import build_app

    dead = app_factory()
    assert claim_as(dead, dead.instance, 10) == 10  # ... and then it dies: no more heartbeats
    settings = load_settings(home=tmp_path, database_url=database_url, now=None, calendar_file=None,
                             smtp_url=f"smtp://127.0.0.1:{capture.target.port}", claim_size=5)
    app = build_app(settings, clock)
    interval = timedelta(seconds=settings.heartbeat_seconds)
    later = timedelta(seconds=settings.stale_after_seconds) + interval
    claims: list[str] = []
    beats: list[datetime] = []

    def watch(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        said = statement.lstrip().upper()
        if said.startswith("UPDATE OUTBOX") and "RETURNING" in said:  # a claim
            claims.append(statement)
            if len(claims) == 2:  # the dead one's heartbeat runs out meanwhile, and an interval passes
                clock.advance(later)
        elif said.startswith("INSERT INTO INSTANCES"):
            beats.append(clock.now())

    start = clock.now()
    event.listen(app.engine, "before_cursor_execute", watch)
    try:
        report = deliver_outbox(app)
    finally:
        event.remove(app.engine, "before_cursor_execute", watch)
        app.close()

    assert len(claims) > 20, claims  # 102 messages due, then 10 taken over, 5 a claim
    assert beats.count(start) == 1 and set(beats) == {start, start + later} and len(beats) <= 3, beats
    assert report.sent == SMALL  # the dead instance's 10 were taken over at the renewal after its heartbeat ran out
    assert all(len(ids) == 1 for ids in received(capture).values()) and len(received(capture)) == SMALL

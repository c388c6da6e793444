"""Storage on SQLite and PostgreSQL: the migration matches the ORM, the audit chain detects tampering,
and timers and messages are fired and sent once, however many sweeps run and whichever crashes."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, bindparam, inspect, select, text, update

from config.clock import FrozenClock
from models.db.tables import Base, OutboxRow, TimerRow
from models.rounds import ResponseKind
from workflows.engine.events import CommentInput, Launch, Respond
from workflows.service.app import App
from workflows.service.rounds import execute
from workflows.service.sweep import SweepReport, run_due
from workflows.service.views import audit_trail

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
COMMENTING = 10
UNITS = 12


def at(clock: FrozenClock, text_: str) -> None:
    clock.set(datetime.fromisoformat(text_).replace(tzinfo=TZ))


def test_the_migrations_create_exactly_the_orm_schema(app: App) -> None:
    with app.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert tables - {"alembic_version"} == set(Base.metadata.tables)


def test_the_migrations_go_down_to_base_and_back_up_to_head(app: App) -> None:
    """Every migration's downgrade runs and undoes its upgrade: at base only alembic's own table is left, and the
    upgrade that follows gives the ORM schema again, at the revision the code checks commands against."""
    from alembic.script import ScriptDirectory

    from models.db.database import SCHEMA_REVISION, alembic_config, run_migrations, schema_state

    config = alembic_config(app.engine.url.render_as_string(hide_password=False))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION
    run_migrations(app.engine, "base", down=True)
    with app.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    assert schema_state(app.engine).revisions == frozenset()
    run_migrations(app.engine, "head")
    assert schema_state(app.engine).current
    test_the_migrations_create_exactly_the_orm_schema(app)


def test_migration_0027_keeps_what_each_launched_letter_asked_for_and_renames_the_default_group_label(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    """Upgraded from 0026: a launched round's letter asked for its deadline, unless the whole round was extended
    since (then it is not known, and stays empty); an extension for one unit does not count. The label of the sở,
    ban, ngành loses "đoàn thể" where it is the old default, and gets it back on the way down; a label staff wrote
    is left alone both ways."""
    from models.db.database import run_migrations
    from models.db.tables import RoundRow, UnitGroupRow
    from workflows.engine.events import Extend

    at(clock, "2025-11-20T09:00")
    plain, extended, one_unit, not_launched = (make_round() for _ in range(4))
    for round_id in (plain, extended, one_unit):
        execute(app, round_id, Launch(), staff)
    at(clock, "2025-12-01T09:00")
    execute(app, extended, Extend(date(2025, 12, 19), None, "Dự thảo được bổ sung"), staff)
    execute(app, one_unit, Extend(date(2025, 12, 12), "SCT", "Sở Công Thương đề nghị"), staff)

    def launch_deadlines() -> dict[int, date | None]:
        with app.engine.connect() as connection:
            return dict(connection.execute(select(RoundRow.id, RoundRow.launch_deadline)).all())

    def label() -> str | None:
        with app.engine.connect() as connection:
            return connection.scalar(select(UnitGroupRow.label).where(UnitGroupRow.code == "so-ban-nganh"))

    assert launch_deadlines() == {plain: date(2025, 12, 5), extended: date(2025, 12, 5),
                                  one_unit: date(2025, 12, 5), not_launched: None}
    assert label() == "Các sở, ban, ngành tỉnh"
    run_migrations(app.engine, "0026", down=True)
    assert label() == "Các sở, ban, ngành, đoàn thể tỉnh"
    run_migrations(app.engine, "head")
    assert launch_deadlines() == {plain: date(2025, 12, 5), extended: None, one_unit: date(2025, 12, 5),
                                  not_launched: None}
    assert label() == "Các sở, ban, ngành tỉnh"
    with app.engine.begin() as connection:
        connection.execute(update(UnitGroupRow).where(UnitGroupRow.code == "so-ban-nganh")
                           .values(label="Các sở, ngành của tỉnh"))
    run_migrations(app.engine, "0026", down=True)
    run_migrations(app.engine, "head")
    assert label() == "Các sở, ngành của tỉnh"


def _tamper(app: App, round_id: int, seq: int, sql: str, **values: object) -> None:
    statement = text(sql)
    if "details" in values:
        statement = statement.bindparams(bindparam("details", type_=JSON))
    with app.engine.begin() as connection:
        connection.execute(statement, {"round_id": round_id, "seq": seq, **values})


def test_the_audit_chain_verifies_and_names_the_first_tampered_event(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    at(clock, "2025-11-26T10:15")
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, entered_by=staff,
                                   comments=(CommentInput("Bổ sung chỉ tiêu ISO 9001.", "Mục II.2"),)), staff)
    execute(app, round_id, Respond("STP", ResponseKind.AGREE, entered_by=staff), staff)
    events, broken = audit_trail(app, round_id)
    assert broken is None
    assert [e.action for e in events] == ["create", "launch", "respond", "respond"]

    # Someone with database access rewrites what SCT answered (event 3).
    _tamper(app, round_id, 3, "UPDATE audit_events SET details = :details WHERE round_id = :round_id AND seq = :seq",
            details={**events[2].details, "kind": "agree", "comments": 0})
    _, broken = audit_trail(app, round_id)
    assert broken is not None and broken.seq == 3
    assert "sửa" in broken.reason


def test_a_deleted_audit_event_breaks_the_chain_where_it_was(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    execute(app, round_id, Respond("STP", ResponseKind.AGREE, entered_by=staff), staff)
    _tamper(app, round_id, 2, "DELETE FROM audit_events WHERE round_id = :round_id AND seq = :seq")
    _, broken = audit_trail(app, round_id)
    assert broken is not None and broken.seq == 3
    assert "thiếu sự kiện số 2" in broken.reason


def race(apps: list[App], sweep_once: Callable[[App], SweepReport] = run_due,
         timeout: float = 120) -> list[SweepReport]:
    """Run `sweep_once` per App (one sweep by default) at the same moment, each in its own thread; an exception
    in a thread is raised here, in the test's."""
    barrier = threading.Barrier(len(apps))
    reports: list[SweepReport | BaseException] = [RuntimeError("did not run")] * len(apps)

    def sweep(index: int) -> None:
        barrier.wait()
        try:
            reports[index] = sweep_once(apps[index])
        except BaseException as error:  # noqa: BLE001  # reported below, in the test's thread
            reports[index] = error

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(len(apps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    for report in reports:
        if isinstance(report, BaseException):
            raise report
    return reports  # type: ignore[return-value]


def test_two_concurrent_sweeps_fire_each_timer_once_and_send_each_message_once(
        app: App, app_factory: Callable[[], App], clock: FrozenClock, mail,  # type: ignore[no-untyped-def]
        make_round: Callable[..., int], staff: str) -> None:
    rounds = [make_round(deadline=date(2025, 12, 5)) for _ in range(4)]
    at(clock, "2025-11-20T09:00")
    for round_id in rounds:
        execute(app, round_id, Launch(), staff)
    sweepers = [app_factory(), app_factory()]

    # On 03/12 each round has its reminder due and its invitations still queued; on 06/12 its close.
    for moment, per_round in (("2025-12-03T08:00", {"invitation": UNITS, "reminder_before": COMMENTING}),
                              ("2025-12-06T00:00", {})):
        at(clock, moment)
        reports = race(sweepers)
        assert sum(r.timers_fired for r in reports) == len(rounds), moment
        received = Counter((m["X-Ykien-Round"], m["X-Ykien-Unit"], m["X-Ykien-Kind"]) for m in mail.take())
        assert set(received.values()) <= {1}, moment
        assert Counter(kind for _, _, kind in received) == {k: n * len(rounds) for k, n in per_round.items()}
        assert sum(r.delivery.sent for r in reports) == sum(received.values())
    assert len(mail.message_ids) == len(set(mail.message_ids)) == len(rounds) * (UNITS + COMMENTING)
    with app.uow() as uow:
        statuses = Counter(uow.session.scalars(select(OutboxRow.status)))
        fired = Counter(uow.session.execute(select(TimerRow.round_id, TimerRow.key).where(
            TimerRow.status == "done")).all())
    assert statuses == {"sent": len(rounds) * (UNITS + COMMENTING)}
    assert len(fired) == 2 * len(rounds) and set(fired.values()) == {1}
    for round_id in rounds:
        events, broken = audit_trail(app, round_id)
        assert broken is None
        assert [e.action for e in events].count("timer_fired") == 2
        assert [e.action for e in events].count("deadline_passed") == 1


def test_rows_claimed_by_a_crashed_sweep_are_taken_over_once_the_lease_expires(
        app: App, clock: FrozenClock, mail, make_round: Callable[..., int], staff: str) -> None:  # type: ignore[no-untyped-def]
    round_id = make_round()
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    at(clock, "2025-12-03T08:00")
    lease = timedelta(seconds=2)
    with app.uow() as uow:  # a claimer without a heartbeat row (gone before it wrote one): only its lease counts
        timers = uow.timers.claim_due(clock.now(), 100, "crashed-host:1", lease)
        messages = uow.outbox.claim(clock.now(), 500, "crashed-host:1", lease)
        uow.commit()
    assert len(timers) == 1 and len(messages) == UNITS

    # The claimer died without finishing: while its lease runs, nobody else takes its rows.
    report = run_due(app)
    assert (report.timers_fired, report.delivery.sent) == (0, 0)
    assert mail.take_kinds() == Counter()

    clock.advance(lease + timedelta(seconds=1))  # leases run on the app's clock
    report = run_due(app)
    assert (report.timers_fired, report.delivery.sent) == (1, UNITS + COMMENTING)
    kinds = mail.take_kinds()
    assert Counter(kind for _, kind in kinds.elements()) == {"invitation": UNITS, "reminder_before": COMMENTING}
    assert set(kinds.values()) == {1}

    report = run_due(app)
    assert (report.timers_fired, report.delivery.sent) == (0, 0)
    events, _ = audit_trail(app, round_id)
    assert [e.action for e in events].count("timer_fired") == 1

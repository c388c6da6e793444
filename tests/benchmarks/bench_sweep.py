"""Sweep: the cost of one `run_due` tick with nothing due and with a few timers due, among few and very many
pending (future) timers. A scheduler calls it every interval, so it must not grow with the pending timers.
On PostgreSQL (run.py --postgres) the statements of one idle tick at the larger size are also EXPLAIN ANALYZEd."""
from __future__ import annotations

import statistics
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from functools import partial
from typing import Any

from bench_support import (
    ACTOR,
    DEADLINE,
    START,
    BenchmarkCheckFailed,
    Database,
    make_app,
    measured_database,
    ms,
    print_table,
    timed,
    verdict,
    write_units_csv,
)
from sqlalchemy import event, func, insert, select, text

from models.db.tables import TimerRow
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round
from workflows.service.sweep import run_due

TARGET_RATIO = 2.0
FEW_DUE = 5  # timers due at each "few due" tick
TIMER_SPACING_SECONDS = 300  # the pending timers are due one every 5 minutes from tomorrow on

PG_TIMERS = """INSERT INTO timers (round_id, name, key, state, due_at, payload, status)
SELECT :round_id, :name, 'bench-' || g, :state, CAST(:first AS timestamptz) + g * interval '{spacing} seconds',
       CAST('{{}}' AS json), 'pending'
FROM generate_series(1, :count) AS g"""
SQLITE_TIMERS = """INSERT INTO timers (round_id, name, key, state, due_at, payload, status)
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :count)
SELECT :round_id, :name, 'bench-' || n, :state,
       strftime('%Y-%m-%d %H:%M:%S', :first, '+' || (n * {spacing}) || ' seconds') || '.000000', '{{}}', 'pending'
FROM g"""
OUTBOX_COLUMNS = ("round_id, unit_code, kind, to_address, subject, text_body, html_body, message_id, status, "
                  "attempts, next_attempt_at, created_at, sent_at")
PG_SENT = f"""INSERT INTO outbox ({OUTBOX_COLUMNS})
SELECT :round_id, 'DV000001', 'invitation', 'vanthu.dv000001@bench.example.vn', 'Thư đã gửi', '…', '<p>…</p>',
       '<sent-' || g || '@bench.localhost>', 'sent', 1, :at, :at, :at
FROM generate_series(1, :count) AS g"""
SQLITE_SENT = f"""INSERT INTO outbox ({OUTBOX_COLUMNS})
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :count)
SELECT :round_id, 'DV000001', 'invitation', 'vanthu.dv000001@bench.example.vn', 'Thư đã gửi', '…', '<p>…</p>',
       '<sent-' || n || '@bench.localhost>', 'sent', 1, :at, :at, :at
FROM g"""


@dataclass
class SweepRun:
    app: App
    round_id: int
    timer: tuple[str, str]  # (state, timer name) of a state the round is not in: a due one is claimed and ignored
    timers: int
    sent_messages: int
    insert_seconds: float
    idle: list[float] = field(default_factory=list)
    few_due: list[float] = field(default_factory=list)
    next_due: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.timers:,} pending timers" + (f" + {self.sent_messages:,} sent messages"
                                                     if self.sent_messages else "")


def _dummy_round(app: App) -> int:
    """A round (left in draft) that the timer rows can belong to."""
    import_units(app, write_units_csv(app.settings.home / "units.csv", 1), ACTOR)
    new = NewRound(title="Đợt giả cho bộ hẹn giờ", subject="đo hiệu năng bộ hẹn giờ", workflow="consultation",
                   office="TĐC", deadline=DEADLINE,
                   addressees=(Addressee(groups=("xa-phuong",)),), contact_name="Cán bộ thử",
                   contact_phone="0206000000", signer_name="Người ký thử")
    return create_round(app, new, ACTOR)


def _foreign_timer(app: App, round_id: int) -> tuple[str, str]:
    """A timer of the round's workflow in a state the round is not in, asked of the definition: when one is due
    the sweep claims it, fires it and marks it done as ignored (the round left its state), touching no unit."""
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id)
    workflow = get_workflow(state.workflow)
    for name, definition in workflow.states.items():
        if name != state.status and definition.timers:
            return name, definition.timers[0].name
    raise BenchmarkCheckFailed(f"workflow {workflow.name} has no timer outside state {state.status}")


def _fill(app: App, round_id: int, timer: tuple[str, str], timers: int, sent_messages: int) -> None:
    """Pending timers over the coming years (none due at START) and sent messages, with one INSERT ... SELECT
    each (generate_series on PostgreSQL, a recursive CTE on SQLite): no rows built in Python."""
    postgres = app.engine.dialect.name == "postgresql"
    first = START + timedelta(days=1)
    sent_at = START - timedelta(days=30)
    with app.engine.begin() as connection:
        connection.execute(text((PG_TIMERS if postgres else SQLITE_TIMERS).format(spacing=TIMER_SPACING_SECONDS)),
                           {"round_id": round_id, "state": timer[0], "name": timer[1], "count": timers,
                            "first": first if postgres else first.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")})
        if sent_messages:
            at = sent_at if postgres else sent_at.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            connection.execute(text(PG_SENT if postgres else SQLITE_SENT),
                               {"round_id": round_id, "count": sent_messages, "at": at})
        if postgres:
            connection.execute(text("ANALYZE timers"))
            connection.execute(text("ANALYZE outbox"))
    with app.uow(read_only=True) as uow:
        counted = uow.session.scalar(select(func.count()).select_from(TimerRow).where(TimerRow.status == "pending"))
    if counted != timers:
        raise BenchmarkCheckFailed(f"{counted} pending timers inserted instead of {timers}")


def _add_due(run: SweepRun) -> None:
    """FEW_DUE timers due a minute before the clock's now."""
    due = START - timedelta(minutes=1)
    with run.app.engine.begin() as connection:
        connection.execute(insert(TimerRow), [
            {"round_id": run.round_id, "name": run.timer[1], "key": f"due-{i}", "state": run.timer[0], "due_at": due,
             "payload": {}, "status": "pending"} for i in range(FEW_DUE)])


def _prepared(db: Database, stack: ExitStack, timers: int, sent_messages: int = 0) -> SweepRun:
    url, home = stack.enter_context(db.fresh(f"sweep-{timers}-{sent_messages}"))
    app = make_app(url, home)
    stack.callback(app.close)
    round_id = _dummy_round(app)
    timer = _foreign_timer(app, round_id)
    insert_seconds, _ = timed(lambda: _fill(app, round_id, timer, timers, sent_messages))
    report = run_due(app)  # also the warm-up
    if report.timers_fired or report.delivery.sent:
        raise BenchmarkCheckFailed(f"sweep with {timers} future timers fired {report.timers_fired} timers "
                                   f"and sent {report.delivery.sent} messages")
    return SweepRun(app, round_id, timer, timers, sent_messages, insert_seconds)


def _next_due(app: App) -> object:
    with app.uow() as uow:
        return uow.timers.next_due()


def _tick_with_due(run: SweepRun) -> float:
    _add_due(run)
    seconds, report = timed(lambda: run_due(run.app))
    if report.timers_fired != FEW_DUE:
        raise BenchmarkCheckFailed(f"{run.label}: a tick with {FEW_DUE} due fired {report.timers_fired}")
    return seconds


def explain_idle_tick(app: App) -> list[tuple[str, str, str]]:
    """PostgreSQL: EXPLAIN ANALYZE every statement of one idle tick (in a transaction rolled back), as
    (statement, execution time, how it reads timers/outbox)."""
    statements: list[tuple[str, Any]] = []
    lock = threading.Lock()

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        with lock:
            statements.append((statement, parameters))

    event.listen(app.engine, "before_cursor_execute", seen)
    try:
        run_due(app)
    finally:
        event.remove(app.engine, "before_cursor_execute", seen)
    rows = []
    with app.engine.connect() as connection:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
                continue
            transaction = connection.begin()
            try:
                plan = [line for (line,) in connection.exec_driver_sql(f"EXPLAIN ANALYZE {statement}", parameters)]
            finally:
                transaction.rollback()
            took = next((line.split(":", 1)[1].strip() for line in plan if line.startswith("Execution Time")), "?")
            scans = sorted({line.strip().lstrip("-> ").split("  (")[0] for line in plan
                            if " on timers" in line or " on outbox" in line or " on instances" in line})
            rows.append((" ".join(statement.split())[:90], took, "; ".join(scans) or "-"))
    return rows


def run(db: Database, sizes: tuple[int, int], repeats: int) -> list[tuple[str, str, str, str]]:
    due_repeats = max(5, repeats // 5)
    with ExitStack() as stack:
        runs = [_prepared(db, stack, size) for size in sizes]
        runs.append(_prepared(db, stack, sizes[0], sent_messages=sizes[1]))
        database = measured_database(runs[0].app)
        for attempt in range(repeats):  # interleaved, so a busy moment of the machine hits every size alike
            for sweep in runs:
                sweep.idle.append(timed(partial(run_due, sweep.app))[0])
                sweep.next_due.append(timed(partial(_next_due, sweep.app))[0])
                if attempt < due_repeats:
                    sweep.few_due.append(_tick_with_due(sweep))
        plans = explain_idle_tick(runs[1].app) if runs[1].app.engine.dialect.name == "postgresql" else []
    small, large, old_mail = runs

    def median(values: list[float]) -> float:
        return statistics.median(values)

    factor = median(large.idle) / median(small.idle)
    due_factor = median(large.few_due) / median(small.few_due)
    mail_factor = median(old_mail.idle) / median(small.idle)
    wake_factor = median(large.next_due) / median(small.next_due)
    rows = [(r.label, ms(median(r.idle)), f"{ms(min(r.idle))} – {ms(max(r.idle))}", ms(median(r.few_due)),
             ms(median(r.next_due)), f"{r.insert_seconds:.1f} s") for r in runs]
    print_table(f"Sweep on {database}: one run_due tick (median of {repeats} idle ticks and {due_repeats} ticks with "
                f"{FEW_DUE} due, interleaved, after a warm-up)",
                ["database holds", "idle tick", "idle range", f"tick, {FEW_DUE} due", "next_due", "bulk insert"],
                rows, [
                    f"idle tick ratio {large.timers:,} / {small.timers:,} = {factor:.2f} "
                    f"(target <= {TARGET_RATIO}: {verdict(factor <= TARGET_RATIO)})",
                    f"tick with {FEW_DUE} due: ratio {due_factor:.2f}; each due timer is claimed, fired and marked "
                    "done as ignored (its state is not the round's), so the tick costs its claims, not a fan-out",
                    f"(info) with {old_mail.sent_messages:,} sent messages kept in the outbox: idle ratio "
                    f"{mail_factor:.2f} against {small.timers:,} timers alone",
                    f"next_due (the scheduler's query for its next wake-up) ratio = {wake_factor:.2f}",
                    f"a due timer costs {ms(median(large.few_due) / FEW_DUE)} of a tick at {large.timers:,} (its claim, "
                    "its own transaction and the delivery check that follows)",
                    "rows filled with one INSERT ... SELECT (generate_series, then ANALYZE, on PostgreSQL; a "
                    "recursive CTE on SQLite)",
                ])
    if plans:
        print_table(f"Sweep on {database}: EXPLAIN ANALYZE of each statement of one idle tick, "
                    f"{large.timers:,} pending timers", ["statement", "execution", "reads"], plans)
    return [(f"sweep: idle tick {large.timers:,} / {small.timers:,} timers", f"{factor:.2f}", f"<= {TARGET_RATIO}",
             verdict(factor <= TARGET_RATIO)),
            (f"sweep: idle tick at {large.timers:,} timers", ms(median(large.idle)), "(info)", "info"),
            (f"sweep: tick with {FEW_DUE} due, {large.timers:,} / {small.timers:,}", f"{due_factor:.2f}", "(info)",
             "info"),
            (f"sweep: idle tick with {old_mail.sent_messages:,} sent messages kept", f"{mail_factor:.2f}", "(info)",
             "info")]

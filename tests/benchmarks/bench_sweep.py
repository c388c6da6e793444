"""Sweep: the cost of `run_due` when nothing is due, with few and with very many future timers.
A scheduler calls it every interval, so it must not grow with the number of pending timers."""
from __future__ import annotations

import statistics
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta

from bench_support import (
    ACTOR,
    DEADLINE,
    START,
    BenchmarkCheckFailed,
    Database,
    make_app,
    ms,
    print_table,
    timed,
    verdict,
    write_units_csv,
)
from sqlalchemy import insert

from models.db.tables import OutboxRow, TimerRow
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.rounds import Addressee, NewRound, create_round
from workflows.service.sweep import run_due

INSERT_CHUNK = 10_000
TARGET_RATIO = 2.0


@dataclass
class SweepRun:
    timers: int
    sent_messages: int
    insert_seconds: float
    run_due: list[float] = field(default_factory=list)
    next_due: list[float] = field(default_factory=list)


def _dummy_round(app: App) -> int:
    """A round (left in draft) that the timer rows can belong to."""
    import_units(app, write_units_csv(app.settings.home / "units.csv", 1), ACTOR)
    new = NewRound(title="Đợt giả cho bộ hẹn giờ", subject="đo hiệu năng bộ hẹn giờ", workflow="consultation",
                   office="TĐC", deadline=DEADLINE,
                   addressees=(Addressee(groups=("xa-phuong",)),), contact_name="Cán bộ thử",
                   contact_phone="0206000000", signer_name="Người ký thử")
    return create_round(app, new, ACTOR)


def _insert_timers(app: App, round_id: int, count: int) -> None:
    """Pending timers spread over the coming year, none due at START; inserted with core in chunks."""
    first = START + timedelta(days=1)
    with app.engine.begin() as connection:
        for offset in range(0, count, INSERT_CHUNK):
            rows = [{"round_id": round_id, "name": "remind_before", "key": f"bench-{i}", "state": "circulating",
                     "due_at": first + timedelta(seconds=300 * i), "payload": {}, "status": "pending"}
                    for i in range(offset, min(offset + INSERT_CHUNK, count))]
            connection.execute(insert(TimerRow), rows)


def _insert_sent_messages(app: App, round_id: int, count: int) -> None:
    """Messages already sent, as the outbox of a department keeps them for years."""
    at = START - timedelta(days=30)
    with app.engine.begin() as connection:
        for offset in range(0, count, INSERT_CHUNK):
            rows = [{"round_id": round_id, "unit_code": "DV000001", "kind": "invitation",
                     "to_address": "vanthu.dv000001@bench.example.vn", "subject": "Thư đã gửi", "text_body": "…",
                     "html_body": "<p>…</p>", "message_id": f"<sent-{i}@bench.localhost>", "status": "sent",
                     "attempts": 1, "next_attempt_at": at, "created_at": at, "sent_at": at}
                    for i in range(offset, min(offset + INSERT_CHUNK, count))]
            connection.execute(insert(OutboxRow), rows)


def _prepared(db: Database, stack: ExitStack, timers: int, sent_messages: int = 0) -> tuple[App, SweepRun]:
    url, home = stack.enter_context(db.fresh(f"sweep-{timers}-{sent_messages}"))
    app = make_app(url, home)
    stack.callback(app.close)
    round_id = _dummy_round(app)

    def insert_rows() -> None:
        _insert_timers(app, round_id, timers)
        _insert_sent_messages(app, round_id, sent_messages)

    insert_seconds, _ = timed(insert_rows)
    report = run_due(app)  # also the warm-up
    if report.timers_fired or report.delivery.sent:
        raise BenchmarkCheckFailed(f"sweep with {timers} future timers fired {report.timers_fired} timers "
                                   f"and sent {report.delivery.sent} messages")
    return app, SweepRun(timers, sent_messages, insert_seconds)


def _next_due(app: App) -> object:
    with app.uow() as uow:
        return uow.timers.next_due()


def run(db: Database, sizes: tuple[int, int], repeats: int) -> list[tuple[str, str, str, str]]:
    with ExitStack() as stack:
        prepared = [_prepared(db, stack, size) for size in sizes]
        prepared.append(_prepared(db, stack, sizes[0], sent_messages=sizes[1]))
        for _ in range(repeats):  # interleaved, so a busy moment of the machine hits both sizes alike
            for app, result in prepared:
                result.run_due.append(timed(lambda app=app: run_due(app))[0])
                result.next_due.append(timed(lambda app=app: _next_due(app))[0])
    small, large, old_mail = (result for _, result in prepared)
    factor = statistics.median(large.run_due) / statistics.median(small.run_due)
    mail_factor = statistics.median(old_mail.run_due) / statistics.median(small.run_due)
    wake_factor = statistics.median(large.next_due) / statistics.median(small.next_due)

    def label(r: SweepRun) -> str:
        return f"{r.timers:,} pending timers" + (f" + {r.sent_messages:,} sent messages" if r.sent_messages else "")

    rows = [(label(r), ms(statistics.median(r.run_due)), f"{ms(min(r.run_due))} – {ms(max(r.run_due))}",
             ms(statistics.median(r.next_due)), f"{r.insert_seconds:.2f} s") for r in (small, large, old_mail)]
    print_table(f"Sweep: run_due with nothing due (median of {repeats} calls each, interleaved, after a warm-up)",
                ["database holds", "run_due median", "range", "next_due median", "bulk insert"], rows, [
                    f"run_due ratio {large.timers:,} / {small.timers:,} = {factor:.2f} "
                    f"(target <= {TARGET_RATIO}: {verdict(factor <= TARGET_RATIO)})",
                    f"(info) with {old_mail.sent_messages:,} sent messages kept in the outbox: ratio {mail_factor:.2f} "
                    f"against {small.timers:,} timers alone",
                    f"next_due (the scheduler's query for its next wake-up) ratio = {wake_factor:.2f}",
                ])
    return [(f"sweep: run_due {large.timers:,} / {small.timers:,} timers", f"{factor:.2f}", f"<= {TARGET_RATIO}",
             verdict(factor <= TARGET_RATIO)),
            (f"sweep: run_due with {old_mail.sent_messages:,} sent messages kept", f"{mail_factor:.2f}", "(info)",
             "info")]

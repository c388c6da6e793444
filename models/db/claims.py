"""Claiming due rows so that two sweeps never take the same one, and taking over the rows of a dead claimer.

PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, then the claim columns. SQLite: the write lock taken by BEGIN IMMEDIATE
serialises claimers. A claim names a process instance (InstanceRow.id) and carries a lease (claimed_until).

A claim holds while its instance's heartbeat is fresh and its lease has not run out. An instance whose heartbeat is
stale is dead (a crash, a kill -9, a restarted container): whoever claims next releases its rows at once
(release_stale_claims). The lease is the safety net for the rest: a claim whose holder is unknown (no instance row)
or alive but stuck. Every time here is the caller's clock (the App's), never the wall clock read here: tests move a
frozen clock instead of sleeping, and replicas on one database compare like with like.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Integer, Select, Update, bindparam, delete, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from models.db.tables import InstanceRow

WAITING = ("pending", "queued")  # the statuses of a timer or a message not yet done


def _rowcount(result: Any) -> int:
    # An UPDATE hands back a CursorResult (which has rowcount); Session.execute is typed as Result.
    return cast("CursorResult[Any]", result).rowcount or 0


def release_stale_claims(session: Session, tables: list[Any], stale_before: datetime) -> int:
    """Free the waiting rows claimed by instances whose last heartbeat is older than `stale_before`, and forget
    those instances (a live one that was only slow writes its row again at its next heartbeat). Returns how many
    rows were freed."""
    # SKIP LOCKED: an instance row locked by another transaction is being beaten (alive) or released right now
    stale = list(session.scalars(select(InstanceRow.id).where(InstanceRow.heartbeat_at < stale_before)
                                 .with_for_update(skip_locked=True)))
    if not stale:
        return 0
    released = 0
    for table in tables:
        released += _rowcount(session.execute(
            update(table).where(table.claimed_by.in_(stale), table.status.in_(WAITING))
            .values(claimed_until=None, claimed_by=None)))
    session.execute(delete(InstanceRow).where(InstanceRow.id.in_(stale)))
    return released


def release_own_claims(session: Session, tables: list[Any], worker: str) -> int:
    """Free the waiting rows `worker` claimed (it is stopping): another process may take them at once."""
    return sum(_rowcount(session.execute(
        update(table).where(table.claimed_by == worker, table.status.in_(WAITING))
        .values(claimed_until=None, claimed_by=None))) for table in tables)


def extend_leases(session: Session, table: Any, worker: str, until: datetime) -> None:
    """Move the lease of every waiting row `worker` holds to `until` (it is still working on them)."""
    session.execute(update(table).where(table.claimed_by == worker, table.status.in_(WAITING))
                    .values(claimed_until=until))


def _claimable(table: Any, due_column: InstrumentedAttribute[Any], now: Any, limit: Any, waiting: str,
               extra: Sequence[Any] | None) -> Select[Any]:
    """The ids of up to `limit` rows of `table` in status `waiting` due at `now` whose lease is free or has run out,
    locked (PostgreSQL: rows another claimer holds are skipped). One status, not the two of WAITING, lets the
    table's index on (…, status, due column) give the rows in order: with two the database must sort them all.
    `now` and `limit` are values, or bind parameters of a statement built once (claim_rows_statement)."""
    return (select(table.id)
            .where(table.status == waiting, due_column <= now,
                   or_(table.claimed_until.is_(None), table.claimed_until < now), *(extra or []))
            .order_by(due_column, table.id)
            .limit(limit)
            .with_for_update(skip_locked=True))


def claim_ids(session: Session, table: Any, due_column: InstrumentedAttribute[Any], now: datetime,
              limit: int, worker: str, lease: timedelta, waiting: str, extra: list[Any] | None = None) -> list[int]:
    """Claim for `worker` up to `limit` rows of `table` in status `waiting` due at `now` whose lease is free or has
    run out."""
    ids = list(session.scalars(_claimable(table, due_column, now, limit, waiting, extra)))
    if ids:
        session.execute(update(table).where(table.id.in_(ids)).values(claimed_until=now + lease, claimed_by=worker))
    return ids


def claim_rows_statement(table: Any, due_column: InstrumentedAttribute[Any], columns: Sequence[Any], waiting: str,
                         extra: Sequence[Any] = ()) -> Update:
    """`claim_ids` of the rows in status `waiting`, as one statement (UPDATE … RETURNING, on both backends) that hands
    back `columns` of the rows claimed, in no particular order. Built once by its caller and run with claim_rows: a
    fan-out claims hundreds of times, and building the statement each time cost as much CPU as running it. Its
    parameters are now, limit, until, worker, and those of `extra`."""
    when = table.claimed_until.type
    claimable = _claimable(table, due_column, bindparam("now", type_=when), bindparam("limit", type_=Integer),
                           waiting, extra).scalar_subquery()
    return (update(table).where(table.id.in_(claimable))
            .values(claimed_until=bindparam("until", type_=when), claimed_by=bindparam("worker"))
            .returning(*columns))


def claim_rows(session: Session, statement: Update, now: datetime, limit: int, worker: str, lease: timedelta,
               **parameters: Any) -> list[Any]:
    """Run a claim_rows_statement for `worker`: up to `limit` rows due at `now`, for `lease`."""
    return list(session.connection().execute(
        statement, {"now": now, "limit": limit, "until": now + lease, "worker": worker, **parameters}))

"""Claiming due rows so that two sweeps never take the same one.

PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, then a lease column. SQLite: the write lock taken by
BEGIN IMMEDIATE serialises claimers, and the same lease column lets a crashed claim expire.
Leases are measured on the wall clock: they are about processes dying, not about the domain time.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session


def wall_now() -> datetime:
    return datetime.now(UTC)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_dead_claims(session: Session, tables: list[Any], host: str) -> int:
    """Free the rows leased by processes of this host that no longer exist (a crash, a kill -9), so a
    restarted worker takes them over at once instead of waiting for the lease to run out."""
    released = 0
    now = wall_now()
    for table in tables:
        holders = session.scalars(select(table.claimed_by).where(
            table.claimed_until > now, table.claimed_by.like(f"{host}:%")).distinct())
        dead = [h for h in holders if h and h.rsplit(":", 1)[1].isdigit() and not _alive(int(h.rsplit(":", 1)[1]))]
        if dead:
            # An UPDATE hands back a CursorResult (which has rowcount); Session.execute is typed as Result.
            result = cast("CursorResult[Any]", session.execute(update(table).where(table.claimed_by.in_(dead))
                                                               .values(claimed_until=None, claimed_by=None)))
            released += result.rowcount or 0
    return released


def extend_lease(session: Session, table: Any, ids: list[int], lease: timedelta) -> None:
    if ids:
        session.execute(update(table).where(table.id.in_(ids)).values(claimed_until=wall_now() + lease))


def claim_ids(session: Session, table: Any, due_column: InstrumentedAttribute[Any], due_by: datetime,
              limit: int, worker: str, lease: timedelta, extra: list[Any] | None = None) -> list[int]:
    """Claim up to `limit` rows of `table` that are due and not leased to a live claimer."""
    now = wall_now()
    query = (select(table.id)
             .where(table.status.in_(["pending", "queued"]), due_column <= due_by,
                    or_(table.claimed_until.is_(None), table.claimed_until < now), *(extra or []))
             .order_by(due_column, table.id)
             .limit(limit)
             .with_for_update(skip_locked=True))
    ids = list(session.scalars(query))
    if ids:
        session.execute(update(table).where(table.id.in_(ids)).values(claimed_until=now + lease, claimed_by=worker))
    return ids

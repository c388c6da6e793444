"""Claiming due rows so that two sweeps never take the same one.

PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, then a lease column. SQLite: the write lock taken by
BEGIN IMMEDIATE serialises claimers, and the same lease column lets a crashed claim expire.
Leases are measured on the wall clock: they are about processes dying, not about the domain time.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session


def wall_now() -> datetime:
    return datetime.now(timezone.utc)


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
        values: dict[str, Any] = {"claimed_until": now + lease}
        if hasattr(table, "claimed_by"):
            values["claimed_by"] = worker
        session.execute(update(table).where(table.id.in_(ids)).values(**values))
    return ids

"""Timers are rows: set with a decision, claimed by the sweep, fired once."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.db.claims import claim_ids
from models.db.tables import RoundRow, TimerRow


class TimerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def cancel_pending(self, round_id: int) -> None:
        self.session.execute(update(TimerRow)
                             .where(TimerRow.round_id == round_id, TimerRow.status == "pending")
                             .values(status="cancelled"))

    def add(self, round_id: int, timers: Iterable[Any]) -> None:
        rows = [TimerRow(round_id=round_id, name=t.name, key=t.key, state=t.state, due_at=t.due_at,
                         payload=dict(t.payload), status="pending") for t in timers]
        self.session.add_all(rows)

    def claim_due(self, now: datetime, limit: int, worker: str, lease: timedelta) -> list[int]:
        """Claim for `worker` up to `limit` timers due at `now`, for `lease`; the claimer stays in claimed_by."""
        return claim_ids(self.session, TimerRow, TimerRow.due_at, now, limit, worker, lease, "pending")

    def release(self, ids: list[int], worker: str) -> None:
        """Free the timers of `ids` that `worker` still holds pending: the next sweep, of any process, takes them
        at once instead of after their lease."""
        if ids:
            self.session.execute(update(TimerRow).where(TimerRow.id.in_(ids), TimerRow.claimed_by == worker,
                                                        TimerRow.status == "pending")
                                 .values(claimed_until=None, claimed_by=None))

    def describe(self, ids: list[int]) -> list[tuple[int, int, str, str, str]]:
        """(timer id, round id, timer name, state, workflow) of the given timers."""
        if not ids:
            return []

        query = (select(TimerRow.id, TimerRow.round_id, TimerRow.name, TimerRow.state, RoundRow.workflow)
                 .join(RoundRow, RoundRow.id == TimerRow.round_id).where(TimerRow.id.in_(ids))
                 .order_by(TimerRow.due_at, TimerRow.id))
        return [(timer_id, round_id, name, state, workflow)
                for timer_id, round_id, name, state, workflow in self.session.execute(query)]

    def get_pending(self, timer_id: int) -> TimerRow | None:
        query = select(TimerRow).where(TimerRow.id == timer_id, TimerRow.status == "pending")
        return self.session.scalars(query.execution_options(populate_existing=True)).one_or_none()

    def mark_fired(self, row: TimerRow, at: datetime) -> None:
        row.status = "done"
        row.fired_at = at
        row.claimed_until = None

    def pending_for_round(self, round_id: int) -> list[TimerRow]:
        return list(self.session.scalars(select(TimerRow).where(
            TimerRow.round_id == round_id, TimerRow.status == "pending").order_by(TimerRow.due_at)))

    def next_due(self) -> datetime | None:
        return self.session.scalar(select(func.min(TimerRow.due_at)).where(TimerRow.status == "pending"))

    def next_due_by_round(self, round_ids: list[int]) -> dict[int, tuple[str, datetime]]:
        """The next pending timer (name, due) of each round, for dashboards."""
        if not round_ids:
            return {}
        first = (select(TimerRow.round_id, func.min(TimerRow.due_at).label("due"))
                 .where(TimerRow.round_id.in_(round_ids), TimerRow.status == "pending")
                 .group_by(TimerRow.round_id).subquery())
        query = select(TimerRow.round_id, TimerRow.name, TimerRow.due_at).join(
            first, (TimerRow.round_id == first.c.round_id) & (TimerRow.due_at == first.c.due)).where(
            TimerRow.status == "pending")
        return {rid: (name, due) for rid, name, due in self.session.execute(query)}

"""The transactional outbox: messages written with the decision, delivered after commit."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from models.db.claims import claim_ids, extend_lease
from models.db.tables import OutboxRow


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_all(self, rows: Iterable[OutboxRow]) -> None:
        self.session.add_all(rows)

    def claim(self, now: datetime, limit: int, worker: str, lease: timedelta,
              round_id: int | None = None) -> list[OutboxRow]:
        extra = [OutboxRow.round_id == round_id] if round_id is not None else []
        ids = claim_ids(self.session, OutboxRow, OutboxRow.next_attempt_at, now, limit, worker, lease, extra)
        if not ids:
            return []
        return list(self.session.scalars(select(OutboxRow).where(OutboxRow.id.in_(ids)).order_by(OutboxRow.id)))

    def extend_lease(self, ids: list[int], lease: timedelta) -> None:
        extend_lease(self.session, OutboxRow, ids, lease)

    def mark_sent(self, ids: list[int], at: datetime) -> None:
        if ids:
            self.session.execute(update(OutboxRow).where(OutboxRow.id.in_(ids)).values(
                status="sent", sent_at=at, claimed_until=None, claimed_by=None, attempts=OutboxRow.attempts + 1))

    def mark_failed(self, message_id: int, error: str) -> None:
        self.session.execute(update(OutboxRow).where(OutboxRow.id == message_id).values(
            status="failed", last_error=error, claimed_until=None, claimed_by=None, attempts=OutboxRow.attempts + 1))

    def retry_later(self, message_id: int, at: datetime, error: str) -> None:
        self.session.execute(update(OutboxRow).where(OutboxRow.id == message_id).values(
            next_attempt_at=at, last_error=error, claimed_until=None, claimed_by=None, attempts=OutboxRow.attempts + 1))

    def attempts(self, message_id: int) -> int:
        return self.session.scalar(select(OutboxRow.attempts).where(OutboxRow.id == message_id)) or 0

    def for_round(self, round_id: int) -> list[OutboxRow]:
        return list(self.session.scalars(select(OutboxRow).where(OutboxRow.round_id == round_id)
                                         .order_by(OutboxRow.id)))

    def status_by_unit(self, round_id: int) -> dict[str, tuple[int, int, int]]:
        """(queued, sent, failed) counts of messages per unit of a round, in one query."""
        query = (select(OutboxRow.unit_code,
                        func.sum(case((OutboxRow.status == "queued", 1), else_=0)),
                        func.sum(case((OutboxRow.status == "sent", 1), else_=0)),
                        func.sum(case((OutboxRow.status == "failed", 1), else_=0)))
                 .where(OutboxRow.round_id == round_id).group_by(OutboxRow.unit_code))
        return {code: (int(q or 0), int(s or 0), int(f or 0)) for code, q, s, f in self.session.execute(query)}

    def has_due(self, now: datetime) -> bool:
        return self.session.execute(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.status == "queued", OutboxRow.next_attempt_at <= now)).scalar_one() > 0

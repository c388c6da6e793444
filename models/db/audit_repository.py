"""Append audit events to a round's hash chain, and read the chain back."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import GENESIS, AuditEvent, seal
from models.db.tables import AuditRow


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _tip(self, round_id: int | None) -> tuple[int, str]:
        condition = AuditRow.round_id.is_(None) if round_id is None else AuditRow.round_id == round_id
        last = self.session.execute(select(AuditRow.seq, AuditRow.hash).where(condition)
                                    .order_by(AuditRow.seq.desc()).limit(1)).first()
        return (last[0], last[1]) if last else (0, GENESIS)

    def append(self, round_id: int | None, at: datetime, actor: str,
               entries: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Chain the entries after the round's last event. The caller holds the round's lock."""
        seq, prev = self._tip(round_id)
        # Microseconds are what the chain seals; the database must give back exactly the same value.
        at = at.replace(microsecond=at.microsecond)
        for action, details in entries:
            seq += 1
            digest = seal(round_id, seq, at, actor, action, details, prev)
            self.session.add(AuditRow(round_id=round_id, seq=seq, at=at, actor=actor, action=action,
                                      details=details, prev_hash=prev, hash=digest))
            prev = digest

    def events(self, round_id: int | None, actions: Iterable[str] | None = None) -> list[AuditEvent]:
        """The round's chain in order; with `actions`, only the events of those actions (a page that lists the
        signed documents reads those, not a 5,000-unit round's every answer)."""
        condition = AuditRow.round_id.is_(None) if round_id is None else AuditRow.round_id == round_id
        query = select(AuditRow).where(condition)
        if actions is not None:
            query = query.where(AuditRow.action.in_(list(actions)))
        rows = self.session.scalars(query.order_by(AuditRow.seq))
        return [AuditEvent(r.round_id, r.seq, r.at, r.actor, r.action, dict(r.details), r.prev_hash, r.hash)
                for r in rows]

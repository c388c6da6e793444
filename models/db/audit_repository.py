"""Append audit events to a round's hash chain, and read the chain back."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from models.audit import GENESIS, AuditEvent, seal
from models.db.tables import AuditRow, table_of

# pg_advisory_xact_lock(CHAIN_LOCK, round_id) guards one round's chain tip; the first key keeps it apart from any
# other advisory lock ("ykie" in ASCII).
CHAIN_LOCK = 0x796B6965
# Every answer runs these: built once, bound per call.
_HOLD_CHAIN = select(func.pg_advisory_xact_lock(CHAIN_LOCK, bindparam("round_id")))
_TIP = select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
_ROUND_TIP = _TIP.where(AuditRow.round_id == bindparam("round_id"))
_APPEND = insert(table_of(AuditRow))  # Core: no ORM bookkeeping of rows never read back


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _tip(self, round_id: int | None) -> tuple[int, str]:
        if round_id is None:
            last = self.session.execute(_TIP.where(AuditRow.round_id.is_(None))).first()
        else:
            last = self.session.execute(_ROUND_TIP, {"round_id": round_id}).first()
        return (last[0], last[1]) if last else (0, GENESIS)

    def _hold_chain(self, round_id: int | None) -> None:
        """Hold the round's chain until the transaction ends. Answers of different units hold the round's row only
        shared, so on PostgreSQL they meet here, and only here: the tip is read after the lock is granted (a new
        statement, a new snapshot under READ COMMITTED), so each appends after the one committed before it. The
        rest of the transaction is flushed first, so between this lock and the commit there is only the chain's
        own tip and insert. SQLite runs one writer at a time (BEGIN IMMEDIATE): nothing to take."""
        if round_id is None or self.session.get_bind().dialect.name != "postgresql":
            return
        self.session.flush()
        self.session.execute(_HOLD_CHAIN, {"round_id": round_id})

    def append(self, round_id: int | None, at: datetime, actor: str,
               entries: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Chain the entries after the round's last event; the caller holds the round's row (shared or not)."""
        chosen = list(entries)
        if not chosen:
            return
        self._hold_chain(round_id)
        seq, prev = self._tip(round_id)
        rows: list[dict[str, Any]] = []
        for action, details in chosen:
            seq += 1
            digest = seal(round_id, seq, at, actor, action, details, prev)
            rows.append({"round_id": round_id, "seq": seq, "at": at, "actor": actor, "action": action,
                         "details": details, "prev_hash": prev, "hash": digest})
            prev = digest
        self.session.execute(_APPEND, rows)

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

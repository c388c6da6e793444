"""The transactional outbox: messages written with the decision, delivered after commit."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from models.db.claims import claim_rows, claim_rows_statement, extend_leases
from models.db.tables import OutboxRow, RecipientRow, table_of

QUEUED = "queued"  # a message waiting to be sent (a first time, or again after a temporary failure)


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A composed email to queue for one unit of a round."""

    round_id: int
    recipient_id: int
    unit_code: str
    kind: str
    to_address: str
    subject: str
    text_body: str
    html_body: str
    message_id: str
    in_reply_to: str | None = None  # the Message-ID of the unit's invitation this message follows, if it had one


@dataclass(frozen=True, slots=True)
class ThreadRoot:
    """A unit's opening message of a round, which its later messages answer and cite: its Message-ID and when it
    was sent (when it was queued, while it waits)."""

    message_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A message claimed for sending: what its email needs, and how many attempts it has had."""

    id: int
    message_id: str
    round_id: int | None
    unit_code: str | None
    kind: str
    to_address: str
    subject: str
    text_body: str
    html_body: str
    attempts: int
    in_reply_to: str | None = None


_CLAIMED_COLUMNS = (OutboxRow.id, OutboxRow.message_id, OutboxRow.round_id, OutboxRow.unit_code, OutboxRow.kind,
                    OutboxRow.to_address, OutboxRow.subject, OutboxRow.text_body, OutboxRow.html_body,
                    OutboxRow.attempts, OutboxRow.in_reply_to)


_CLAIM_ANY = claim_rows_statement(OutboxRow, OutboxRow.next_attempt_at, _CLAIMED_COLUMNS, QUEUED)
_CLAIM_OF_ROUND = claim_rows_statement(OutboxRow, OutboxRow.next_attempt_at, _CLAIMED_COLUMNS, QUEUED,
                                       [OutboxRow.round_id == bindparam("of_round")])
_CLAIM_OF_UNITS = claim_rows_statement(OutboxRow, OutboxRow.next_attempt_at, _CLAIMED_COLUMNS, QUEUED,
                                       [OutboxRow.round_id == bindparam("of_round"),
                                        OutboxRow.unit_code.in_(bindparam("of_units", expanding=True))])


@dataclass(frozen=True)
class OutboxItem:
    """A queued or sent message without its bodies, with the name of the unit it went to."""

    id: int
    unit_code: str | None
    unit_name: str | None
    kind: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class OutboxMessage:
    """One message as it was composed: its header Message-ID and its text body."""

    item: OutboxItem
    message_id: str
    text_body: str


_ITEM_COLUMNS = (OutboxRow.id, OutboxRow.unit_code, RecipientRow.unit_name, OutboxRow.kind, OutboxRow.to_address,
                 OutboxRow.subject, OutboxRow.status, OutboxRow.attempts, OutboxRow.last_error, OutboxRow.created_at,
                 OutboxRow.sent_at)


def _item(row: Any) -> OutboxItem:
    """An OutboxItem of a row selected with _ITEM_COLUMNS."""
    return OutboxItem(row.id, row.unit_code, row.unit_name, row.kind, row.to_address, row.subject, row.status,
                      row.attempts, row.last_error, row.created_at, row.sent_at)


def _of_round(round_id: int, status: str | None, kind: str | None) -> list[ColumnElement[bool]]:
    conditions = [OutboxRow.round_id == round_id]
    if status:
        conditions.append(OutboxRow.status == status)
    if kind:
        conditions.append(OutboxRow.kind == kind)
    return conditions


# Built once: delivery writes each result as it comes back, so these run thousands of times a fan-out; on the
# connection, not through the ORM's session synchronisation (nothing in the session holds these rows).
_MARK_SENT = (update(OutboxRow).where(OutboxRow.id.in_(bindparam("ids", expanding=True)))
              .values(status="sent", sent_at=bindparam("at"), sent_by=bindparam("by"), claimed_until=None,
                      claimed_by=None, attempts=OutboxRow.attempts + 1))


@lru_cache(maxsize=64)
def _mark_sent_sql(count: int) -> str:
    """_MARK_SENT as PostgreSQL's driver takes it, for `count` ids: the text SQLAlchemy would write, written once."""
    table = OutboxRow.__tablename__
    ids = ", ".join(f"%(id{n})s" for n in range(count))
    return (f"UPDATE {table} SET status = 'sent', sent_at = %(at)s, sent_by = %(by)s, claimed_until = NULL, "
            f"claimed_by = NULL, attempts = {table}.attempts + 1 WHERE {table}.id IN ({ids})")


def mark_sent_on_postgresql(ids: list[int], at: datetime, sent_by: str | None) -> tuple[str, dict[str, object]]:
    """_MARK_SENT for `ids` as PostgreSQL's driver (psycopg) takes it: the text, written once per number of ids, and
    its parameters. `record_sent` runs it through SQLAlchemy's connection, async_sent_recorder on psycopg's own."""
    if at.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")  # as UTCDateTime does
    parameters: dict[str, object] = {f"id{n}": message_id for n, message_id in enumerate(ids)}
    parameters.update(at=at.astimezone(UTC), by=sent_by)
    return _mark_sent_sql(len(ids)), parameters


def record_sent(connection: Connection, ids: list[int], at: datetime, sent_by: str | None) -> None:
    """`OutboxRepository.mark_sent` on a bare connection (see sent_recorder.SentRecorder).

    On PostgreSQL the statement goes to the driver as text: a fan-out writes a few results at a time thousands of times,
    and compiling _MARK_SENT's expanding IN and binding through the column types cost the worker 0.043-0.059 ms of CPU
    a message, the text 0.015-0.031 (errors are SQLAlchemy's all the same, so a dropped connection is seen)."""
    if not ids:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(_MARK_SENT, {"ids": ids, "at": at, "by": sent_by})
        return
    connection.exec_driver_sql(*mark_sent_on_postgresql(ids, at, sent_by))


_QUEUE = insert(table_of(OutboxRow))  # each answer queues its receipt: built once, Core (no ORM bookkeeping)


# each answer looks up its unit's invitation, to thread the receipt under it: built once
_THREAD_ROOTS = (select(OutboxRow.recipient_id, OutboxRow.message_id, OutboxRow.sent_at, OutboxRow.created_at)
                 .where(OutboxRow.round_id == bindparam("round_id"),
                        OutboxRow.recipient_id.in_(bindparam("ids", expanding=True)),
                        OutboxRow.status.in_((QUEUED, "sent")), OutboxRow.kind == bindparam("kind"))
                 .order_by(OutboxRow.id.desc()))


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_all(self, rows: Iterable[OutboxRow]) -> None:
        self.session.add_all(rows)

    def queue(self, messages: Sequence[NewMessage], at: datetime) -> None:
        """Queue composed messages, due at `at`, in one multi-row insert (no per-row ORM bookkeeping)."""
        if not messages:
            return
        rows: list[dict[str, Any]] = [{
            "round_id": m.round_id, "recipient_id": m.recipient_id, "unit_code": m.unit_code, "kind": m.kind,
            "to_address": m.to_address, "subject": m.subject, "text_body": m.text_body, "html_body": m.html_body,
            "message_id": m.message_id, "in_reply_to": m.in_reply_to, "status": QUEUED, "attempts": 0,
            "next_attempt_at": at, "claimed_until": None, "claimed_by": None, "created_at": at, "sent_at": None,
            "sent_by": None, "last_error": None}
            for m in messages]
        self.session.execute(_QUEUE, rows)

    def thread_roots(self, round_id: int, recipient_ids: Collection[int], opening_kind: str) -> dict[int, ThreadRoot]:
        """The opening message (`opening_kind`) of each of these units of the round, by recipient id: the one queued
        first and not failed, its Message-ID and when it went (or was queued, not sent yet). A unit that has none (its
        invitation failed for good, or was never queued) is left out. Each unit's own mail is read through an index on
        its recipient id, never the round's."""
        if not recipient_ids:
            return {}
        rows = self.session.execute(_THREAD_ROOTS, {"round_id": round_id, "ids": sorted(set(recipient_ids)),
                                                    "kind": opening_kind}).all()
        # newest first, so that the first queued wins
        return {int(recipient_id): ThreadRoot(message_id, sent_at or created_at)
                for recipient_id, message_id, sent_at, created_at in rows if recipient_id is not None}

    def claim(self, now: datetime, limit: int, worker: str, lease: timedelta, round_id: int | None = None,
              unit_codes: Collection[str] | None = None) -> list[ClaimedMessage]:
        """Claim for `worker` up to `limit` messages due at `now` (of one round, or of all; of a round, those to
        `unit_codes` only when given) for `lease`, in the order they were queued."""
        if round_id is None:
            rows = claim_rows(self.session, _CLAIM_ANY, now, limit, worker, lease)
        elif unit_codes is None:
            rows = claim_rows(self.session, _CLAIM_OF_ROUND, now, limit, worker, lease, of_round=round_id)
        elif not unit_codes:
            return []
        else:
            rows = claim_rows(self.session, _CLAIM_OF_UNITS, now, limit, worker, lease, of_round=round_id,
                              of_units=sorted(unit_codes))
        return sorted((ClaimedMessage(*row) for row in rows), key=lambda message: message.id)

    def release(self, ids: Iterable[int], worker: str) -> int:
        """Free the rows of `ids` that `worker` still holds unsent (a delivery of its own broke off): another sweep,
        its own included, takes them at once instead of waiting out the lease."""
        chosen = list(ids)
        if not chosen:
            return 0
        result = self.session.execute(update(OutboxRow).where(
            OutboxRow.id.in_(chosen), OutboxRow.claimed_by == worker, OutboxRow.status == QUEUED)
            .values(claimed_until=None, claimed_by=None))
        return int(getattr(result, "rowcount", 0) or 0)

    def extend_leases(self, worker: str, until: datetime) -> None:
        """`worker` is still sending what it claimed: its leases run until `until`."""
        extend_leases(self.session, OutboxRow, worker, until)

    def mark_sent(self, ids: list[int], at: datetime, sent_by: str | None = None) -> None:
        """The messages went out at `at`, sent by the process instance `sent_by` (kept; the claim is cleared)."""
        record_sent(self.session.connection(), ids, at, sent_by)

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

    def texts(self, round_id: int, kind: str) -> list[tuple[str | None, str]]:
        """(unit code, plain-text body) of a round's messages of one kind, in the order they were queued."""
        rows = self.session.execute(select(OutboxRow.unit_code, OutboxRow.text_body)
                                    .where(OutboxRow.round_id == round_id, OutboxRow.kind == kind)
                                    .order_by(OutboxRow.id)).all()
        return [(code, body) for code, body in rows]

    def status_by_unit(self, round_id: int) -> dict[str, tuple[int, int, int]]:
        """(queued, sent, failed) counts of messages per unit of a round, in one query."""
        query = (select(OutboxRow.unit_code,
                        func.sum(case((OutboxRow.status == QUEUED, 1), else_=0)),
                        func.sum(case((OutboxRow.status == "sent", 1), else_=0)),
                        func.sum(case((OutboxRow.status == "failed", 1), else_=0)))
                 .where(OutboxRow.round_id == round_id).group_by(OutboxRow.unit_code))
        return {code: (int(q or 0), int(s or 0), int(f or 0)) for code, q, s, f in self.session.execute(query)}

    def has_due(self, now: datetime) -> bool:
        return self.session.execute(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.status == QUEUED, OutboxRow.next_attempt_at <= now)).scalar_one() > 0

    def due_rounds(self, now: datetime) -> list[int | None]:
        """The rounds that have messages due at `now` (None for messages of no round)."""
        return list(self.session.scalars(select(OutboxRow.round_id).where(
            OutboxRow.status == QUEUED, OutboxRow.next_attempt_at <= now).distinct()))

    def count_for_round(self, round_id: int, status: str | None = None, kind: str | None = None) -> int:
        return self.session.scalar(select(func.count()).select_from(OutboxRow)
                                   .where(*_of_round(round_id, status, kind))) or 0

    def page_for_round(self, round_id: int, limit: int, offset: int = 0, status: str | None = None,
                       kind: str | None = None) -> list[OutboxItem]:
        """A slice of the round's messages, newest first, without their bodies."""
        rows = self.session.execute(
            select(*_ITEM_COLUMNS).outerjoin(RecipientRow, RecipientRow.id == OutboxRow.recipient_id)
            .where(*_of_round(round_id, status, kind)).order_by(OutboxRow.id.desc()).limit(limit).offset(offset))
        return [_item(row) for row in rows]

    def problems(self, round_id: int) -> list[tuple[str, str, int, datetime | None]]:
        """The round's mail held back, grouped by status (queued for a retry, or failed) and error: (status, error,
        how many, the earliest next attempt)."""
        rows = self.session.execute(
            select(OutboxRow.status, OutboxRow.last_error, func.count(), func.min(OutboxRow.next_attempt_at))
            .where(OutboxRow.round_id == round_id, OutboxRow.last_error.is_not(None),
                   OutboxRow.status.in_((QUEUED, "failed")))
            .group_by(OutboxRow.status, OutboxRow.last_error)).all()
        return [(str(status), str(error or ""), int(count), next_at) for status, error, count, next_at in rows]

    def counts_by_status(self, round_id: int) -> dict[str, int]:
        """How many of the round's messages are in each status, in one query."""
        return {status: number for status, number in self.session.execute(
            select(OutboxRow.status, func.count()).where(OutboxRow.round_id == round_id).group_by(OutboxRow.status))}

    def message(self, round_id: int, message_id: int) -> OutboxMessage | None:
        """One message of the round with its text body; None when the round has no such message."""
        row = self.session.execute(
            select(*_ITEM_COLUMNS, OutboxRow.message_id, OutboxRow.text_body)
            .outerjoin(RecipientRow, RecipientRow.id == OutboxRow.recipient_id)
            .where(OutboxRow.id == message_id, OutboxRow.round_id == round_id)).first()
        if row is None:
            return None
        return OutboxMessage(_item(row), row.message_id, row.text_body)

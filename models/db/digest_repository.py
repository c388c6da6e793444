"""The daily digest's rows (who asked for it, which days were done) and the facts a digest reports, each read with
a query whose cost is that of the lines shown, not of the round: counts are SQL aggregates, names come LIMITed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.db.round_repository import declined_answer
from models.db.tables import OutboxRow, RecipientRow, RoundRow, TimerRow, UserRow
from models.db.tables_digest import DigestSentRow, DigestSubscriptionRow
from models.rounds import RecipientRole
from models.staff import Role, StaffUser
from models.unit_status import DeclineMatch


@dataclass(frozen=True)
class Subscriber:
    user: StaffUser
    email: str


@dataclass(frozen=True)
class LiveRound:
    """A launched round as the digest needs it."""

    id: int
    workflow: str
    status: str
    title: str
    deadline: date | None
    silence_is_agreement: bool
    entered_at: datetime | None


@dataclass(frozen=True)
class AnswerRow:
    unit_name: str
    response_kind: str
    responded_at: datetime
    late: bool
    revision: int
    declined: bool = False  # its answer declines (DeclineMatch)


@dataclass(frozen=True)
class Unanswered:
    pending_total: int
    overdue_total: int
    names: list[tuple[str, date | None]]  # the first few overdue, then the first few pending: (name, deadline)


@dataclass(frozen=True)
class DigestMessage:
    """The composed digest to queue for one staff member."""

    to_address: str
    subject: str
    text_body: str
    html_body: str
    message_id: str


def _user(row: Any) -> StaffUser:
    return StaffUser(row.id, row.username, row.display_name, Role(row.role), row.office)


class DigestRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- who asked for it -------------------------------------------------------------------------------------

    def subscription(self, user_id: int) -> str | None:
        """The address the user's digest goes to; None when they have not asked for it."""
        return self.session.scalar(select(DigestSubscriptionRow.email).where(DigestSubscriptionRow.user_id == user_id))

    def subscribe(self, user_id: int, email: str, at: datetime) -> None:
        row = self.session.get(DigestSubscriptionRow, user_id)
        if row is None:
            self.session.add(DigestSubscriptionRow(user_id=user_id, email=email, changed_at=at))
        else:
            row.email, row.changed_at = email, at

    def unsubscribe(self, user_id: int) -> None:
        self.session.execute(delete(DigestSubscriptionRow).where(DigestSubscriptionRow.user_id == user_id))

    def waiting(self, day: date) -> list[Subscriber]:
        """Active accounts that asked for the digest and have none for `day` yet."""
        done = select(DigestSentRow.id).where(DigestSentRow.user_id == UserRow.id, DigestSentRow.day == day)
        query = (select(UserRow.id, UserRow.username, UserRow.display_name, UserRow.role, UserRow.office,
                        DigestSubscriptionRow.email)
                 .join(DigestSubscriptionRow, DigestSubscriptionRow.user_id == UserRow.id)
                 .where(UserRow.active.is_(True), ~done.exists()).order_by(UserRow.id))
        return [Subscriber(_user(row), row.email) for row in self.session.execute(query)]

    # --- which days were done ---------------------------------------------------------------------------------

    def claim_day(self, user_id: int, day: date, covered_until: datetime) -> int | None:
        """Take the user's digest of `day` for this transaction: the new row's id, or None when another process
        has it already (INSERT ... ON CONFLICT DO NOTHING on the unique pair; on PostgreSQL a concurrent claim
        waits for the first to commit, then finds it)."""
        values = {"user_id": user_id, "day": day, "covered_until": covered_until, "outbox_id": None}
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            statement: Any = postgresql.insert(DigestSentRow).values(values).on_conflict_do_nothing(
                index_elements=["user_id", "day"])
        elif dialect == "sqlite":
            statement = sqlite.insert(DigestSentRow).values(values).on_conflict_do_nothing(
                index_elements=["user_id", "day"])
        else:  # pragma: no cover - ykien runs on these two (config.settings.check_database_url)
            raise RuntimeError(f"no digest claim for {dialect}")
        claimed: int | None = self.session.scalar(statement.returning(DigestSentRow.id))
        return claimed

    def previous_cover(self, user_id: int, day: date) -> datetime | None:
        """Up to when the user's latest digest before `day` reported."""
        return self.session.scalar(select(func.max(DigestSentRow.covered_until))
                                   .where(DigestSentRow.user_id == user_id, DigestSentRow.day < day))

    def queue(self, digest_id: int, message: DigestMessage, at: datetime) -> int:
        """Queue the digest in the outbox (a message of no round) and note it on the day's row."""
        outbox_id: int | None = self.session.scalar(insert(OutboxRow).values(
            round_id=None, recipient_id=None, unit_code=None, kind="digest", to_address=message.to_address,
            subject=message.subject, text_body=message.text_body, html_body=message.html_body,
            message_id=message.message_id, status="queued", attempts=0, next_attempt_at=at, claimed_until=None,
            claimed_by=None, created_at=at, sent_at=None, sent_by=None, last_error=None).returning(OutboxRow.id))
        assert outbox_id is not None
        self.session.execute(update(DigestSentRow).where(DigestSentRow.id == digest_id).values(outbox_id=outbox_id))
        return outbox_id

    def sent_days(self, user_id: int) -> list[tuple[date, int | None]]:
        """(day, outbox id or None when skipped) of the user's digests, oldest first."""
        return [(row.day, row.outbox_id) for row in self.session.execute(
            select(DigestSentRow.day, DigestSentRow.outbox_id).where(DigestSentRow.user_id == user_id)
            .order_by(DigestSentRow.day))]

    # --- what a digest reports --------------------------------------------------------------------------------

    def launched_rounds(self, office: str | None) -> list[LiveRound]:
        """Launched rounds (of one office, or of all), oldest first; which are still live the definitions say."""
        query = select(RoundRow.id, RoundRow.workflow, RoundRow.status, RoundRow.title, RoundRow.deadline,
                       RoundRow.silence_is_agreement, RoundRow.entered_at).where(RoundRow.launched_at.is_not(None))
        if office is not None:
            query = query.where(RoundRow.office == office)
        return [LiveRound(row.id, row.workflow, row.status, row.title, row.deadline, row.silence_is_agreement,
                          row.entered_at) for row in self.session.execute(query.order_by(RoundRow.id))]

    def answers_between(self, round_id: int, since: datetime, until: datetime, limit: int,
                        decline: DeclineMatch | None = None) -> tuple[int, list[AnswerRow]]:
        """How many units answered in (since, until], and the latest `limit` of them (with `decline`, whether each
        one's answer declines)."""
        where = (RecipientRow.round_id == round_id, RecipientRow.response_kind.is_not(None),
                 RecipientRow.responded_at > since, RecipientRow.responded_at <= until)
        total = self.session.scalar(select(func.count()).select_from(RecipientRow).where(*where)) or 0
        rows = self.session.execute(
            select(RecipientRow.unit_name, RecipientRow.response_kind, RecipientRow.responded_at,
                   RecipientRow.response_late, RecipientRow.response_revision,
                   declined_answer(decline).label("declined"))
            .where(*where).order_by(RecipientRow.responded_at.desc(), RecipientRow.id).limit(limit))
        return total, [AnswerRow(r.unit_name, r.response_kind, r.responded_at, r.response_late, r.response_revision,
                                 bool(r.declined)) for r in rows]

    def unanswered(self, round_id: int, today: date, limit: int) -> Unanswered:
        """The units asked to answer that have not: how many are past their own deadline (an extension, or the
        round's) on `today` and how many are not, with the first `limit` names of each."""
        deadline = func.coalesce(RecipientRow.deadline_override, RoundRow.deadline)
        base = (RecipientRow.round_id == round_id, RecipientRow.role == RecipientRole.COMMENT.value,
                RecipientRow.response_kind.is_(None))
        overdue: ColumnElement[bool] = deadline < today
        joined = select(func.count()).select_from(RecipientRow).join(RoundRow, RoundRow.id == RecipientRow.round_id)
        overdue_total = self.session.scalar(joined.where(*base, overdue)) or 0
        all_total = self.session.scalar(joined.where(*base)) or 0
        names: list[tuple[str, date | None]] = []
        for condition in (overdue, ~overdue | deadline.is_(None)):
            names.extend((row.unit_name, row.deadline) for row in self.session.execute(
                select(RecipientRow.unit_name, deadline.label("deadline"))
                .join(RoundRow, RoundRow.id == RecipientRow.round_id).where(*base, condition)
                .order_by(RecipientRow.id).limit(limit)))
        return Unanswered(all_total - overdue_total, overdue_total, names)

    def extensions_ending(self, round_id: int, first: date, last: date, limit: int
                          ) -> list[tuple[date, int, list[str]]]:
        """(day, how many, the first `limit` names) of the unanswered units whose extension ends in [first, last]."""
        where = (RecipientRow.round_id == round_id, RecipientRow.role == RecipientRole.COMMENT.value,
                 RecipientRow.response_kind.is_(None), RecipientRow.deadline_override >= first,
                 RecipientRow.deadline_override <= last)
        out: list[tuple[date, int, list[str]]] = []
        for day, count in self.session.execute(select(RecipientRow.deadline_override, func.count()).where(*where)
                                               .group_by(RecipientRow.deadline_override)
                                               .order_by(RecipientRow.deadline_override)):
            names = list(self.session.scalars(select(RecipientRow.unit_name)
                                              .where(*where, RecipientRow.deadline_override == day)
                                              .order_by(RecipientRow.id).limit(limit)))
            if day is not None:
                out.append((day, count, names))
        return out

    def timers_between(self, round_id: int, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
        """(name, due) of the round's planned timers due in [start, end), each name and instant once."""
        return [(name, due) for name, due in self.session.execute(
            select(TimerRow.name, TimerRow.due_at).where(TimerRow.round_id == round_id, TimerRow.status == "pending",
                                                         TimerRow.due_at >= start, TimerRow.due_at < end)
            .group_by(TimerRow.name, TimerRow.due_at).order_by(TimerRow.due_at))]

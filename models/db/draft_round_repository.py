"""What only a round never launched allows: its settings and recipients rewritten, or the round removed with every
row it owns. The use cases (workflows/service/draft_rounds.py) hold the round's lock and check it is a draft."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from models.db.tables import (
    AccessTokenRow,
    AuditRow,
    CommentRow,
    DraftVersionRow,
    HandlingRow,
    NumberingShownRow,
    OutboxRow,
    RecipientRow,
    RegisterEntryRow,
    ReplySignatureRow,
    ResponseRow,
    RoundRow,
    SavedAnswerRow,
    SubmissionRow,
    TimerRow,
)
from models.db.tables_assignments import AssignmentRow
from models.db.tables_attachments import AttachmentRow
from models.db.tables_jobs import JobFileRow, JobRow
from models.db.tables_reports import ConsolidatedHeadingRow, RoundOriginRow
from models.register import full_number
from models.rounds import RecipientState

# The columns of a round a draft's edit may write (never its state, dates of launch or its history).
EDITABLE = frozenset({
    "title", "subject", "office", "deadline", "deadline_working_days", "silence_is_agreement", "contact_name",
    "contact_title", "contact_phone", "signer_name", "signer_title", "draft_filename", "draft_sha256",
    "timer_overrides", "addressees", "legal_bases", "dates"})


@dataclass(frozen=True)
class Removed:
    """How many rows of each kind a round's removal took away."""

    recipients: int
    tokens: int
    timers: int
    outbox: int
    drafts: int
    audit_events: int


class DraftRoundRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def values(self, round_id: int) -> dict[str, Any]:
        """The editable columns as stored, to tell what an edit changed."""
        row = self.session.get(RoundRow, round_id)
        if row is None:
            raise LookupError(f"no round {round_id}")
        return {name: getattr(row, name) for name in EDITABLE}

    def update(self, round_id: int, values: dict[str, Any]) -> None:
        unknown = set(values) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        self.session.execute(update(RoundRow).where(RoundRow.id == round_id)
                             .values(**values, version=RoundRow.version + 1))
        self.session.expire_all()

    def replace_recipients(self, round_id: int, recipients: Iterable[RecipientState]) -> None:
        """The round's recipients become `recipients` (a draft has no link, answer or message for any of them)."""
        self.session.execute(delete(RecipientRow).where(RecipientRow.round_id == round_id))
        self.session.add_all(RecipientRow(
            round_id=round_id, unit_code=r.unit_code, unit_name=r.unit_name, email=r.email, group_code=r.group,
            contact_person=r.contact_person, role=r.role.value, response_late=False, response_revision=0,
            reminders_sent=0) for r in recipients)
        self.session.flush()

    def register_numbers(self, round_id: int) -> list[str]:
        """The numbers the register gave the round's documents, cancelled ones too: "05/SKHCN-TĐC"."""
        rows = self.session.execute(select(RegisterEntryRow.number, RegisterEntryRow.symbol)
                                    .where(RegisterEntryRow.round_id == round_id).order_by(RegisterEntryRow.id))
        return [full_number(number, symbol) for number, symbol in rows]

    def sent_messages(self, round_id: int) -> int:
        """Messages of the round that left, or may have left, for a mail server (anything but queued)."""
        return self.session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.round_id == round_id, OutboxRow.sent_at.is_not(None))) or 0

    def delete(self, round_id: int) -> Removed:
        """Remove the round and every row that names it, children first."""
        recipients = select(RecipientRow.id).where(RecipientRow.round_id == round_id)
        responses = select(ResponseRow.id).where(ResponseRow.round_id == round_id)

        def gone(statement: Any) -> int:
            return int(self.session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]

        # What a draft may already have beside its own rows: the round it follows (`round next`), the jobs that
        # rendered its documents; the rest is empty for a draft but named all the same, children first.
        gone(delete(RoundOriginRow).where(RoundOriginRow.round_id == round_id))
        gone(delete(JobFileRow).where(JobFileRow.job_id.in_(select(JobRow.id).where(JobRow.round_id == round_id))))
        gone(delete(JobRow).where(JobRow.round_id == round_id))
        gone(delete(AttachmentRow).where(AttachmentRow.round_id == round_id))
        gone(delete(AssignmentRow).where(AssignmentRow.round_id == round_id))
        gone(delete(SavedAnswerRow).where(SavedAnswerRow.round_id == round_id))
        gone(delete(NumberingShownRow).where(NumberingShownRow.round_id == round_id))
        gone(delete(ConsolidatedHeadingRow).where(ConsolidatedHeadingRow.round_id == round_id))
        tokens = gone(delete(AccessTokenRow).where(AccessTokenRow.recipient_id.in_(recipients)))
        gone(delete(CommentRow).where(CommentRow.response_id.in_(responses)))
        gone(delete(ResponseRow).where(ResponseRow.round_id == round_id))
        gone(delete(HandlingRow).where(HandlingRow.round_id == round_id))
        outbox = gone(delete(OutboxRow).where(OutboxRow.round_id == round_id))
        timers = gone(delete(TimerRow).where(TimerRow.round_id == round_id))
        drafts = gone(delete(DraftVersionRow).where(DraftVersionRow.round_id == round_id))
        gone(delete(SubmissionRow).where(SubmissionRow.round_id == round_id))
        gone(delete(ReplySignatureRow).where(ReplySignatureRow.round_id == round_id))
        removed_recipients = gone(delete(RecipientRow).where(RecipientRow.round_id == round_id))
        audit = gone(delete(AuditRow).where(AuditRow.round_id == round_id))
        gone(delete(RoundRow).where(RoundRow.id == round_id))
        self.session.expire_all()
        return Removed(removed_recipients, tokens, timers, outbox, drafts, audit)

    def drop_drafts(self, round_id: int) -> None:
        """Forget the draft versions recorded for the round (a draft's file is replaced before it ever went out)."""
        self.session.execute(delete(DraftVersionRow).where(DraftVersionRow.round_id == round_id))
        self.session.flush()

"""The units' answers and their comments: stored with a decision, read back (the latest revision of each unit for
one draft version) for pages, documents and triage, and the handling staff give the comments."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from models.consolidation import HANDLING_LABELS, Handling
from models.db.tables import CommentRow, HandlingRow, RecipientRow, ResponseRow, table_of
from models.rounds import ResponseChannel, ResponseKind
from models.signatures import SignatureReport


class CommentToStore(Protocol):
    """One comment of an answer as the engine records it (workflows.engine.events.CommentInput)."""

    @property
    def text(self) -> str: ...
    @property
    def section(self) -> str | None: ...
    @property
    def proposed_wording(self) -> str | None: ...
    @property
    def quote(self) -> str | None: ...


class ResponseToStore(Protocol):
    """An answer as the engine records it (workflows.engine.decision.ResponseRecord)."""

    @property
    def revision(self) -> int: ...
    @property
    def kind(self) -> ResponseKind: ...
    @property
    def entered_by(self) -> str: ...
    @property
    def channel(self) -> ResponseChannel: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def late(self) -> bool: ...
    @property
    def comments(self) -> Sequence[CommentToStore]: ...
    @property
    def proposals(self) -> Sequence[Mapping[str, str]]: ...
    @property
    def note(self) -> str | None: ...
    @property
    def attachment_name(self) -> str | None: ...
    @property
    def attachment_sha256(self) -> str | None: ...


@dataclass(frozen=True)
class CommentView:
    """One comment of a unit's latest answer (an answer without comments gives one line with no text)."""

    unit_code: str
    unit_name: str
    revision: int
    kind: str
    received_at: datetime
    late: bool
    entered_by: str
    channel: str
    section: str | None
    text: str | None
    proposed_wording: str | None
    # The filled forms of a form kind's answer, key -> value as stored (on the answer's first line only), so a
    # reader of `round show` sees what a form said, not only that one came.
    proposals: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class CommentLine:
    section: str | None
    text: str
    proposed_wording: str | None
    quote: str | None = None  # the draft's text the unit chose on its page


@dataclass(frozen=True)
class UnitAnswer:
    """A unit's latest answer to the current draft version, with the note staff typed (e.g. số công văn)."""

    unit_code: str
    unit_name: str
    revision: int
    kind: str
    received_at: datetime
    late: bool
    channel: str
    entered_by: str
    note: str | None
    attachment_name: str | None
    proposals: tuple[dict[str, str], ...]
    comments: list[CommentLine] = field(default_factory=list)
    signature: SignatureReport | None = None  # ký số of the attached reply PDF, when it was checked


@dataclass(frozen=True)
class AnswerRevision:
    """One revision a unit sent for a draft version, as the unit's own page shows it."""

    revision: int
    kind: str
    received_at: datetime
    late: bool
    channel: str
    note: str | None
    attachment_name: str | None
    proposals: tuple[dict[str, str], ...]
    comments: tuple[CommentLine, ...]


@dataclass(frozen=True)
class UnitProposal:
    """One filled form of a unit's latest answer (a unit that sent three forms gives three)."""

    unit_name: str
    proposal: dict[str, str]


def stored_proposals(value: Any) -> tuple[dict[str, str], ...]:
    """The forms of an answer as the JSON column holds them: a list of objects, or one object (rows written
    before forms could repeat), or nothing."""
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple({str(k): str(v) for k, v in item.items() if v is not None}
                 for item in value if isinstance(item, Mapping) and item)


@dataclass(frozen=True)
class TriageItem:
    comment_id: int
    unit_code: str
    unit_name: str
    section: str | None
    text: str
    proposed_wording: str | None
    late: bool
    handling_id: int | None
    decision: Handling | None
    explanation: str | None
    decided_by: str | None
    decided_at: datetime | None
    quote: str | None = None  # the draft's text the unit chose on its page

    @property
    def decision_label(self) -> str:
        return HANDLING_LABELS[self.decision] if self.decision else "Chưa xử lý"


# Each unit's latest revision: the answer whose revision is the one its recipient row counts.
_LATEST_REVISION = ResponseRow.revision == RecipientRow.response_revision


# A unit's page reads these on every visit and every answer: built once.
_REVISIONS = (select(ResponseRow).where(ResponseRow.recipient_id == bindparam("recipient_id"),
                                        ResponseRow.draft_version == bindparam("draft_version"))
              .order_by(ResponseRow.revision))
# Core inserts on the tables: an answer's rows are written and never read back in its transaction, so the ORM's
# bulk-insert bookkeeping has nothing to do
_ADD_RESPONSE = insert(table_of(ResponseRow)).returning(table_of(ResponseRow).c.id)
_ADD_COMMENTS = insert(table_of(CommentRow))


class ResponseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, round_id: int, recipient_id: int, draft_version: int, record: ResponseToStore) -> int:
        """Store one answer and its comments (numbered from 1); returns the answer's id. Plain inserts, written at
        once: every answer comes here, and the ORM's bookkeeping of objects nobody reads again cost 1-2 ms of CPU
        per answer."""
        response_id: int = self.session.execute(_ADD_RESPONSE, {
            "round_id": round_id, "recipient_id": recipient_id, "draft_version": draft_version,
            "revision": record.revision, "kind": record.kind.value, "entered_by": record.entered_by,
            "channel": record.channel.value, "received_at": record.received_at, "late": record.late,
            "note": record.note, "proposal": [dict(p) for p in record.proposals] or None,
            "attachment_name": record.attachment_name, "attachment_sha256": record.attachment_sha256,
        }).scalar_one()
        if record.comments:
            self.session.execute(_ADD_COMMENTS, [
                {"response_id": response_id, "position": i, "section": c.section, "text": c.text,
                 "proposed_wording": c.proposed_wording, "handling_id": None, "quote": c.quote}
                for i, c in enumerate(record.comments, start=1)])
        return response_id

    def latest_comments(self, round_id: int, draft_version: int) -> list[CommentView]:
        """The comments of each unit's latest revision for the draft version, in unit order, in one query."""
        rows = self.session.execute(
            select(RecipientRow.unit_code, RecipientRow.unit_name, ResponseRow, CommentRow)
            .join(ResponseRow, ResponseRow.recipient_id == RecipientRow.id)
            .outerjoin(CommentRow, CommentRow.response_id == ResponseRow.id)
            .where(ResponseRow.round_id == round_id, ResponseRow.draft_version == draft_version, _LATEST_REVISION)
            .order_by(RecipientRow.id, CommentRow.position)).all()
        return [CommentView(code, name, r.revision, r.kind, r.received_at, r.late, r.entered_by, r.channel,
                            c.section if c else None, c.text if c else None, c.proposed_wording if c else None,
                            stored_proposals(r.proposal) if c is None else ())
                for code, name, r, c in rows]

    def latest_answers(self, round_id: int, draft_version: int) -> list[UnitAnswer]:
        """Each unit's latest answer for the draft version with its comments, oldest first, in two queries."""
        answers = self.session.execute(
            select(RecipientRow.unit_code, RecipientRow.unit_name, ResponseRow)
            .join(ResponseRow, ResponseRow.recipient_id == RecipientRow.id)
            .where(ResponseRow.round_id == round_id, ResponseRow.draft_version == draft_version, _LATEST_REVISION)
            .order_by(ResponseRow.received_at, RecipientRow.id)).all()
        comments = self._comments_of(response.id for _, _, response in answers)
        return [UnitAnswer(code, name, r.revision, r.kind, r.received_at, r.late, r.channel, r.entered_by, r.note,
                           r.attachment_name, stored_proposals(r.proposal), comments.get(r.id, []))
                for code, name, r in answers]

    def revisions(self, recipient_id: int, draft_version: int) -> list[AnswerRevision]:
        """Every revision one unit sent for the draft version, with its comments, in two queries."""
        responses = list(self.session.scalars(_REVISIONS, {"recipient_id": recipient_id,
                                                            "draft_version": draft_version}))
        comments = self._comments_of(r.id for r in responses)
        return [AnswerRevision(r.revision, r.kind, r.received_at, r.late, r.channel, r.note, r.attachment_name,
                               stored_proposals(r.proposal), tuple(comments.get(r.id, []))) for r in responses]

    def repeats_previous(self, recipient_id: int, draft_version: int, record: ResponseToStore) -> datetime | None:
        """When the unit's previous revision (record.revision - 1, for the same draft version) said exactly what
        `record` says (kind, channel, comments, forms, note, attached file), the moment it was received; else None.
        Two statements, on this unit's rows only."""
        previous = self.session.scalars(select(ResponseRow).where(
            ResponseRow.recipient_id == recipient_id, ResponseRow.revision == record.revision - 1,
            ResponseRow.draft_version == draft_version)).one_or_none()
        if previous is None or (previous.kind, previous.channel, previous.note, previous.attachment_sha256) != (
                record.kind, record.channel, record.note, record.attachment_sha256):
            return None
        if stored_proposals(previous.proposal) != tuple(dict(p) for p in record.proposals):
            return None
        said = [(c.section, c.text, c.proposed_wording, c.quote) for c in self._comments_of([previous.id]).get(
            previous.id, [])]
        if said != [(c.section, c.text, c.proposed_wording, c.quote) for c in record.comments]:
            return None
        received_at: datetime = previous.received_at
        return received_at

    def _comments_of(self, response_ids: Iterable[int]) -> dict[int, list[CommentLine]]:
        """The comments of the given answers, in their order; no query when there are none."""
        ids = list(response_ids)
        comments: dict[int, list[CommentLine]] = {}
        if ids:
            for comment in self.session.scalars(select(CommentRow).where(CommentRow.response_id.in_(ids))
                                                .order_by(CommentRow.response_id, CommentRow.position)):
                comments.setdefault(comment.response_id, []).append(
                    CommentLine(comment.section, comment.text, comment.proposed_wording, comment.quote))
        return comments

    def latest_proposals(self, round_id: int, draft_version: int) -> list[UnitProposal]:
        """Every form of each unit's latest answer for the draft version, units in the round's order and each
        unit's forms in the order it sent them, in one query."""
        rows = self.session.execute(
            select(RecipientRow.unit_name, ResponseRow.proposal)
            .join(ResponseRow, ResponseRow.recipient_id == RecipientRow.id)
            .where(ResponseRow.round_id == round_id, ResponseRow.draft_version == draft_version, _LATEST_REVISION)
            .order_by(RecipientRow.id)).all()
        return [UnitProposal(unit_name, proposal) for unit_name, stored in rows
                for proposal in stored_proposals(stored)]

    def triage(self, round_id: int, draft_version: int) -> list[TriageItem]:
        """Every comment in the units' latest answers to the draft version with its handling, in unit order."""
        rows = self.session.execute(
            select(CommentRow, RecipientRow.unit_code, RecipientRow.unit_name, ResponseRow.late, HandlingRow)
            .join(ResponseRow, ResponseRow.id == CommentRow.response_id)
            .join(RecipientRow, RecipientRow.id == ResponseRow.recipient_id)
            .outerjoin(HandlingRow, HandlingRow.id == CommentRow.handling_id)
            .where(ResponseRow.round_id == round_id, ResponseRow.draft_version == draft_version, _LATEST_REVISION)
            .order_by(RecipientRow.id, CommentRow.position)).all()
        return [TriageItem(c.id, code, name, c.section, c.text, c.proposed_wording, late, c.handling_id,
                           Handling(h.decision) if h else None, h.explanation if h else None,
                           h.decided_by if h else None, h.decided_at if h else None, c.quote)
                for c, code, name, late, h in rows]

    def handle_comments(self, round_id: int, draft_version: int, comment_ids: Iterable[int], decision: Handling,
                        explanation: str | None, decided_by: str, decided_at: datetime) -> int:
        """Give the comments one new handling; returns its id."""
        row = HandlingRow(round_id=round_id, draft_version=draft_version, decision=decision.value,
                          explanation=explanation, decided_by=decided_by, decided_at=decided_at)
        self.session.add(row)
        self.session.flush()
        self.session.execute(update(CommentRow).where(CommentRow.id.in_(list(comment_ids)))
                             .values(handling_id=row.id))
        return row.id

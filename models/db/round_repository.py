"""Load and save RoundState through the ORM rows, writing only what changed."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.db.tables import CommentRow, RecipientRow, ResponseRow, RoundRow
from models.errors import DomainError, RoundNotFound
from models.rounds import RecipientRole, RecipientState, ResponseKind, RoundState, Task


class ConcurrentUpdate(DomainError):
    code = "concurrent_update"


@dataclass(frozen=True)
class RoundDetails:
    """Round fields that are not part of the engine state: people and the draft."""

    contact_name: str
    contact_title: str | None
    contact_phone: str
    signer_name: str
    signer_title: str
    draft_filename: str | None
    draft_sha256: str | None
    created_at: datetime
    created_by: str
    addressees: tuple[dict[str, Any], ...] = ()
    legal_bases: tuple[str, ...] = ()
    document_inputs: dict[str, Any] = field(default_factory=dict)  # what staff give the documents (V/v, reasons)


def _task_to_json(task: Task) -> dict[str, Any]:
    return {"name": task.name, "opened_at": task.opened_at.isoformat(),
            "done_at": task.done_at.isoformat() if task.done_at else None}


def _task_from_json(data: dict[str, Any]) -> Task:
    return Task(data["name"], datetime.fromisoformat(data["opened_at"]),
                datetime.fromisoformat(data["done_at"]) if data.get("done_at") else None)


RECIPIENT_COLUMNS = (RecipientRow.id, RecipientRow.unit_code, RecipientRow.unit_name, RecipientRow.email,
                     RecipientRow.group_code, RecipientRow.role, RecipientRow.contact_person,
                     RecipientRow.deadline_override, RecipientRow.response_kind, RecipientRow.responded_at,
                     RecipientRow.response_late, RecipientRow.response_revision, RecipientRow.reminders_sent)


def _recipient_state(row: Any) -> RecipientState:
    return RecipientState(
        unit_code=row.unit_code, unit_name=row.unit_name, email=row.email, group=row.group_code,
        role=RecipientRole(row.role), contact_person=row.contact_person,
        deadline_override=row.deadline_override,
        response_kind=ResponseKind(row.response_kind) if row.response_kind else None,
        responded_at=row.responded_at, response_late=row.response_late,
        response_revision=row.response_revision, reminders_sent=row.reminders_sent)


def _recipient_values(recipient: RecipientState) -> dict[str, Any]:
    """The columns the engine may change."""
    return {"deadline_override": recipient.deadline_override,
            "response_kind": recipient.response_kind.value if recipient.response_kind else None,
            "responded_at": recipient.responded_at, "response_late": recipient.response_late,
            "response_revision": recipient.response_revision, "reminders_sent": recipient.reminders_sent}


def _assign(row: object, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


@dataclass(frozen=True)
class RecipientRef:
    """Which round and unit a recipient row (a personal link's target) belongs to."""

    id: int
    round_id: int
    unit_code: str


class RoundRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[int, RoundRow] = {}
        # Recipients are read as plain rows (thousands per round): their ids and the state as loaded,
        # so save() writes only the units that changed.
        self._recipient_ids: dict[int, dict[str, int]] = {}
        self._loaded: dict[int, dict[str, RecipientState]] = {}
        self._partial: set[int] = set()

    def add(self, state: RoundState, details: RoundDetails) -> int:
        row = RoundRow(
            workflow=state.workflow, status=state.status, title=state.title, subject=state.subject,
            office=state.office, deadline=state.deadline, silence_is_agreement=state.silence_is_agreement,
            deadline_working_days=state.deadline_working_days, contact_name=details.contact_name,
            contact_title=details.contact_title, contact_phone=details.contact_phone, signer_name=details.signer_name,
            signer_title=details.signer_title, draft_filename=details.draft_filename,
            draft_sha256=details.draft_sha256, draft_version=state.draft_version,
            timer_overrides=dict(state.timer_overrides), tasks=[], outcome={},
            created_at=details.created_at, created_by=details.created_by, version=1,
            addressees=[dict(a) for a in details.addressees], legal_bases=list(details.legal_bases))
        self.session.add(row)
        self.session.flush()
        self.session.add_all(RecipientRow(
            round_id=row.id, unit_code=r.unit_code, unit_name=r.unit_name, email=r.email,
            group_code=r.group, contact_person=r.contact_person, role=r.role.value,
            response_late=False, response_revision=0, reminders_sent=0)
            for r in state.recipients.values())
        self.session.flush()
        return row.id

    def row(self, round_id: int, lock: bool = False) -> RoundRow:
        query = select(RoundRow).where(RoundRow.id == round_id)
        if lock:
            query = query.with_for_update()
        row = self.session.scalars(query).one_or_none()
        if row is None:
            raise RoundNotFound(f"Không tìm thấy đợt lấy ý kiến số {round_id}.")
        return row

    def get(self, round_id: int, lock: bool = True, only_unit: str | None = None) -> RoundState:
        """The round's state; with lock, the round row is held until the transaction ends.

        only_unit loads that one recipient (a unit's own page on a round of thousands); such a partial
        state is for reading and cannot be saved.
        """
        row = self.row(round_id, lock=lock)
        query = select(*RECIPIENT_COLUMNS).where(RecipientRow.round_id == round_id)
        if only_unit is not None:
            query = query.where(RecipientRow.unit_code == only_unit)
            self._partial.add(round_id)
        recipients = self.session.execute(query.order_by(RecipientRow.id)).all()
        self._rows[round_id] = row
        self._recipient_ids[round_id] = {r.unit_code: r.id for r in recipients}
        loaded = {r.unit_code: _recipient_state(r) for r in recipients}
        self._loaded[round_id] = loaded
        return RoundState(
            id=row.id, workflow=row.workflow, status=row.status, title=row.title, subject=row.subject,
            office=row.office, deadline=row.deadline, silence_is_agreement=row.silence_is_agreement,
            deadline_working_days=row.deadline_working_days, launched_at=row.launched_at, entered_at=row.entered_at,
            closed_at=row.closed_at,
            draft_version=row.draft_version, timer_overrides=dict(row.timer_overrides or {}),
            tasks=[_task_from_json(t) for t in row.tasks or []], outcome=dict(row.outcome or {}),
            recipients={code: replace(state) for code, state in loaded.items()},
            unhandled_comments=self.unhandled_comments(round_id, row.draft_version))

    def unhandled_comments(self, round_id: int, draft_version: int) -> int:
        """Comments in the units' latest answers to this draft version that have no handling yet."""
        query = (select(func.count(CommentRow.id))
                 .join(ResponseRow, ResponseRow.id == CommentRow.response_id)
                 .join(RecipientRow, RecipientRow.id == ResponseRow.recipient_id)
                 .where(ResponseRow.round_id == round_id, ResponseRow.draft_version == draft_version,
                        ResponseRow.revision == RecipientRow.response_revision, CommentRow.handling_id.is_(None)))
        return self.session.scalar(query) or 0

    def office_of(self, round_id: int) -> str | None:
        """The office that owns the round; None when there is no such round."""
        return self.session.scalar(select(RoundRow.office).where(RoundRow.id == round_id))

    def details(self, round_id: int) -> RoundDetails:
        row = self._rows.get(round_id) or self.row(round_id)
        return RoundDetails(row.contact_name, row.contact_title, row.contact_phone, row.signer_name,
                            row.signer_title, row.draft_filename, row.draft_sha256, row.created_at,
                            row.created_by, tuple(row.addressees or ()), tuple(row.legal_bases or ()),
                            dict(row.document_inputs or {}))

    def set_document_inputs(self, round_id: int, values: dict[str, Any]) -> None:
        """Replace the inputs staff gave the round's documents (a new dict, so the JSON column is written)."""
        self.row(round_id).document_inputs = dict(values)

    def recipient_id(self, round_id: int, unit_code: str) -> int:
        return self._recipient_ids[round_id][unit_code]

    def save(self, state: RoundState) -> None:
        """Write the state back over the rows loaded by get(); only changed columns are updated."""
        if state.id in self._partial:
            raise RuntimeError(f"round {state.id} was loaded for one unit only and cannot be saved")
        row = self._rows[state.id]
        _assign(row, {
            "status": state.status, "deadline": state.deadline, "launched_at": state.launched_at,
            "entered_at": state.entered_at, "closed_at": state.closed_at,
            "draft_version": state.draft_version, "timer_overrides": dict(state.timer_overrides),
            "tasks": [_task_to_json(t) for t in state.tasks], "outcome": dict(state.outcome),
        })
        row.version += 1
        ids, loaded = self._recipient_ids[state.id], self._loaded[state.id]
        changed = [{"id": ids[code], **_recipient_values(recipient)}
                   for code, recipient in state.recipients.items() if recipient != loaded.get(code)]
        if changed:
            self.session.execute(update(RecipientRow), changed)
            for code in (c for c, r in state.recipients.items() if r != loaded.get(c)):
                loaded[code] = replace(state.recipients[code])

    def list(self, status: str | None = None, office: str | None = None) -> list[RoundRow]:
        query = select(RoundRow).order_by(RoundRow.id)
        if status:
            query = query.where(RoundRow.status == status)
        if office:
            query = query.where(RoundRow.office == office)
        return list(self.session.scalars(query))

    def late_counts(self, round_ids: Iterable[int], today: date) -> dict[int, int]:
        """Units past their own deadline with no answer, per round, in one query."""
        ids = list(round_ids)
        if not ids:
            return {}
        deadline = func.coalesce(RecipientRow.deadline_override, RoundRow.deadline)
        query = (select(RecipientRow.round_id, func.count())
                 .join(RoundRow, RoundRow.id == RecipientRow.round_id)
                 .where(RecipientRow.round_id.in_(ids), RecipientRow.role == RecipientRole.COMMENT.value,
                        RecipientRow.response_kind.is_(None), RoundRow.launched_at.is_not(None), deadline < today)
                 .group_by(RecipientRow.round_id))
        return {rid: count for rid, count in self.session.execute(query)}

    def opened(self, round_id: int) -> dict[str, tuple[datetime | None, datetime | None]]:
        """(first, last) time each unit opened its personal link."""
        query = select(RecipientRow.unit_code, RecipientRow.first_opened_at, RecipientRow.last_opened_at).where(
            RecipientRow.round_id == round_id)
        return {code: (first, last) for code, first, last in self.session.execute(query)}

    def answer_counts(self, round_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """(answered, asked) per round, in one query."""
        ids = list(round_ids)
        if not ids:
            return {}
        query = (select(RecipientRow.round_id, func.count(RecipientRow.response_kind), func.count())
                 .where(RecipientRow.round_id.in_(ids), RecipientRow.role == RecipientRole.COMMENT.value)
                 .group_by(RecipientRow.round_id))
        return {rid: (answered, total) for rid, answered, total in self.session.execute(query)}

    def answering_units(self, round_id: int) -> dict[str, str]:
        """code -> name of the units the round asks to answer, in the round's order, in one query."""
        query = (select(RecipientRow.unit_code, RecipientRow.unit_name)
                 .where(RecipientRow.round_id == round_id, RecipientRow.role == RecipientRole.COMMENT.value)
                 .order_by(RecipientRow.id))
        return {code: name for code, name in self.session.execute(query)}

    def recipient(self, recipient_id: int) -> RecipientRef | None:
        row = self.session.get(RecipientRow, recipient_id)
        return RecipientRef(row.id, row.round_id, row.unit_code) if row is not None else None

    def record_opening(self, recipient_id: int, at: datetime) -> None:
        """The unit opened its personal link: the first time is kept, the last one moves."""
        row = self.session.get(RecipientRow, recipient_id)
        if row is None:
            raise LookupError(f"no recipient {recipient_id}")
        if row.first_opened_at is None:
            row.first_opened_at = at
        row.last_opened_at = at

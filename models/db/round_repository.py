"""Load and save RoundState through the ORM rows, writing only what changed."""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, false, func, literal, select, update
from sqlalchemy.orm import Session

from models.db.access_token_repository import AccessToken, LinkTarget
from models.db.search_match import match_rank
from models.db.tables import AccessTokenRow, CommentRow, OutboxRow, RecipientRow, ResponseRow, RoundRow, table_of
from models.errors import DomainError, RoundNotFound
from models.rounds import RecipientRole, RecipientState, ResponseKind, RoundState, Task, UnitCounts
from models.unit_status import DeclineMatch


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


# A personal link's token, its unit's row and its round's row: the first statement of a unit's page and of its
# answer. Built once: each request only binds the token's hash.
_BY_TOKEN = (select(RoundRow, *RECIPIENT_COLUMNS, AccessTokenRow.id.label("token_id"),
                    AccessTokenRow.created_at.label("token_created_at"),
                    AccessTokenRow.expires_at.label("token_expires_at"),
                    AccessTokenRow.revoked_at.label("token_revoked_at"))
             .join(RecipientRow, RecipientRow.round_id == RoundRow.id)
             .join(AccessTokenRow, AccessTokenRow.recipient_id == RecipientRow.id)
             .where(AccessTokenRow.token_hash == bindparam("token_hash")))


# The round's row with one unit's (RoundRepository._row_with_unit): read, locked, or held shared with the unit's
# row for update (PostgreSQL takes one locking clause per table). Built once, bound per call: every answer runs one.
_WITH_UNIT = (select(RoundRow, *RECIPIENT_COLUMNS).join(RecipientRow, RecipientRow.round_id == RoundRow.id)
              .where(RoundRow.id == bindparam("round_id"), RecipientRow.unit_code == bindparam("unit_code")))
_WITH_UNIT_LOCKED = _WITH_UNIT.with_for_update(of=RoundRow)
_WITH_UNIT_SHARED = (_WITH_UNIT.with_for_update(of=RecipientRow, key_share=True)
                     .suffix_with(f"FOR SHARE OF {RoundRow.__tablename__}", dialect="postgresql"))


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


# save() writes the units that changed by their id in a Core UPDATE: its SET names the columns of the values given
# (_recipient_values), without the ORM's bulk bookkeeping
_UPDATE_RECIPIENT = update(table_of(RecipientRow)).where(table_of(RecipientRow).c.id == bindparam("recipient_id"))


def _header_values(state: RoundState) -> dict[str, Any]:
    """The round row's columns the engine may change, as save() writes them."""
    return {"status": state.status, "deadline": state.deadline, "launch_deadline": state.launch_deadline,
            "launched_at": state.launched_at,
            "entered_at": state.entered_at, "closed_at": state.closed_at,
            "draft_version": state.draft_version, "timer_overrides": dict(state.timer_overrides),
            "tasks": [_task_to_json(t) for t in state.tasks], "outcome": dict(state.outcome)}


def _assign(row: object, values: dict[str, Any]) -> bool:
    """Set the values that differ; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


@dataclass(frozen=True)
class GridFilter:
    """The filters of a round's unit grid, by the values of models.unit_status (blank: no filter)."""

    answer: str = ""  # an AnswerStatus value
    email: str = ""  # an EmailStatus value
    opened: str = ""  # "yes" | "no" (units only informed get no link: never "no")
    late: bool = False
    extended: bool = False


@dataclass(frozen=True)
class GridRow:
    """One unit of the grid: its state, the status of the mail sent to it, when it opened its link."""

    id: int
    recipient: RecipientState
    email: str  # an EmailStatus value
    first_opened_at: datetime | None
    last_opened_at: datetime | None
    declined: bool = False  # its latest answer declines (the kind's response.decline)


GridRows = list[GridRow]
Ids = list[int]

# The rank of the worst status of the mail sent to one unit: failed over queued over sent (unit_status's rule).
_MAIL_RANK = {"failed": 3, "queued": 2, "sent": 1}


def declined_answer(decline: DeclineMatch | None) -> ColumnElement[bool]:
    """Whether the unit of the outer query's RecipientRow answered with a form that declines: its latest answer
    (the revision its row counts) holds one of the refusing values in the field, read by a JSON path into the
    first form, as the dashboard's counts read it. Always false when the kind's answers cannot decline."""
    if decline is None:
        return false()
    value: Any = ResponseRow.proposal[(0, decline.field)].as_string()
    return and_(RecipientRow.response_kind == ResponseKind.PROPOSALS.value,
                exists().where(ResponseRow.recipient_id == RecipientRow.id,
                               ResponseRow.revision == RecipientRow.response_revision,
                               value.in_(decline.values)))


class _Grid:
    """The grid's statuses as SQL expressions, classified as models.unit_status.unit_status classifies a unit
    (tests/integration/test_answer_path.py checks the two agree)."""

    def __init__(self, round_id: int, today: date, decline: DeclineMatch | None = None) -> None:
        self.round_id = round_id
        deadline = func.coalesce(RecipientRow.deadline_override, RoundRow.deadline)
        self.declined = declined_answer(decline)
        self.answer: ColumnElement[str] = case(
            (RecipientRow.role != RecipientRole.COMMENT.value, literal("not_asked")),
            *(((self.declined, literal("declined")),) if decline is not None else ()),
            (RecipientRow.response_kind.is_not(None), RecipientRow.response_kind),
            (deadline < today, literal("silent")), else_=literal("pending"))
        self.rank_of_row = func.max(case(*((OutboxRow.status == status, value) for status, value in _MAIL_RANK.items()),
                                         else_=0))  # over the outbox rows of one unit
        rank = select(self.rank_of_row).where(OutboxRow.recipient_id == RecipientRow.id).scalar_subquery()
        self.rank = func.coalesce(rank, 0)
        self.late = and_(RecipientRow.response_kind.is_not(None), RecipientRow.response_late.is_(True))
        self.extended = RecipientRow.deadline_override.is_not(None)
        self.opened = RecipientRow.first_opened_at.is_not(None)

    def where(self, grid_filter: GridFilter) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [RecipientRow.round_id == self.round_id]
        if grid_filter.answer:
            conditions.append(self.answer == grid_filter.answer)
        if grid_filter.email:
            conditions.append(self.rank == _MAIL_RANK.get(grid_filter.email, 0))
        if grid_filter.opened == "yes":
            conditions.append(self.opened)
        elif grid_filter.opened == "no":
            conditions.append(and_(RecipientRow.first_opened_at.is_(None),
                                   RecipientRow.role != RecipientRole.INFORM.value))
        if grid_filter.late:
            conditions.append(self.late)
        if grid_filter.extended:
            conditions.append(self.extended)
        return conditions


def _leaving_out(unit_codes: tuple[str | None, ...]) -> tuple[ColumnElement[bool], ...]:
    """The condition on a round's recipients that leaves the units named out (None names none); none at all."""
    codes = sorted({code for code in unit_codes if code is not None})
    if len(codes) == 1:
        return (RecipientRow.unit_code != codes[0],)
    return (RecipientRow.unit_code.not_in(codes),) if codes else ()


def _roles(every_role: bool) -> tuple[ColumnElement[bool], ...]:
    """The condition on a recipient's role of the unit searches: the units asked to answer, or every unit."""
    return () if every_role else (RecipientRow.role == RecipientRole.COMMENT.value,)


class RoundRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[int, RoundRow] = {}
        # Recipients are read as plain rows (thousands per round): their ids and the state as loaded,
        # so save() writes only the units that changed.
        self._recipient_ids: dict[int, dict[str, int]] = {}
        self._loaded: dict[int, dict[str, RecipientState]] = {}
        self._locked: set[int] = set()  # rounds whose row this transaction holds (SELECT ... FOR UPDATE)
        self._shared: set[int] = set()  # rounds whose row it holds shared (FOR SHARE): its state cannot change
        self._unit_rows: dict[tuple[int, str], Any] = {}  # a unit's row read (and locked) with its round's row

    def add(self, state: RoundState, details: RoundDetails) -> int:
        row = RoundRow(
            workflow=state.workflow, status=state.status, title=state.title, subject=state.subject,
            office=state.office, deadline=state.deadline, silence_is_agreement=state.silence_is_agreement,
            deadline_working_days=state.deadline_working_days, contact_name=details.contact_name,
            contact_title=details.contact_title, contact_phone=details.contact_phone, signer_name=details.signer_name,
            signer_title=details.signer_title, draft_filename=details.draft_filename,
            draft_sha256=details.draft_sha256, draft_version=state.draft_version,
            timer_overrides=dict(state.timer_overrides), tasks=[], outcome={},
            dates={key: day.isoformat() for key, day in state.dates.items()},
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

    def row(self, round_id: int, lock: bool = False, shared: bool = False) -> RoundRow:
        """The round's row; with lock, held until the transaction ends (read once per transaction when locked).

        `shared` (with lock) holds it FOR SHARE on PostgreSQL: events about one unit each (answers) run side by
        side, while an event that takes the row FOR UPDATE (a close, any change of the round's state) waits for
        them and they for it. SQLite has no row locks; its writers go one at a time anyway (BEGIN IMMEDIATE)."""
        if self._has_row(round_id, lock, shared):
            return self._rows[round_id]
        query = select(RoundRow).where(RoundRow.id == round_id)
        if lock:
            query = query.with_for_update(read=shared)
        row = self.session.scalars(query).one_or_none()
        if row is None:
            raise RoundNotFound(f"Không tìm thấy đợt số {round_id}.")
        self._rows[round_id] = row
        if lock:
            (self._shared if shared else self._locked).add(round_id)
        return row

    def _has_row(self, round_id: int, lock: bool, shared: bool = False) -> bool:
        """Whether row(round_id, lock, shared) would answer from this transaction's cache, without a query."""
        return round_id in self._rows and (not lock or round_id in self._locked
                                           or (shared and round_id in self._shared))

    def _row_with_unit(self, round_id: int, unit_code: str, lock: bool,
                       shared: bool = False) -> tuple[RoundRow, list[Any]]:
        """The round's row and that one unit's recipient row in one statement: a unit's page and its answer read
        both, and each statement costs a round trip. A round without that unit takes the two-query way.
        `shared` (with lock): the round's row FOR SHARE and the unit's FOR NO KEY UPDATE, both in this statement
        (PostgreSQL takes one locking clause per table)."""
        query = _WITH_UNIT_SHARED if lock and shared else _WITH_UNIT_LOCKED if lock else _WITH_UNIT
        found = self.session.execute(query, {"round_id": round_id, "unit_code": unit_code}).first()
        if found is None:
            return self.row(round_id, lock=lock, shared=shared), []
        row = found[0]
        self._rows[round_id] = row
        if lock:
            (self._shared if shared else self._locked).add(round_id)
        return row, [found]

    def by_token(self, token_hash: str) -> LinkTarget | None:
        """What a personal link opens, with its round's row and its unit's row, in one statement; the next
        get(round_id, lock=False, only_unit=unit_code) of this transaction reads them from it."""
        found = self.session.execute(_BY_TOKEN, {"token_hash": token_hash}).first()
        if found is None:
            return None
        row = found[0]
        self._rows.setdefault(row.id, row)
        self._unit_rows[(row.id, found.unit_code)] = found
        token = AccessToken(found.token_id, found.id, found.token_created_at, found.token_expires_at,
                            found.token_revoked_at)
        return LinkTarget(token, row.id, found.unit_code)

    def lock_for_unit(self, round_id: int, unit_code: str) -> RoundRow:
        """Hold the round's row shared and the unit's row for update (see row() and get()), in one statement; the
        next get(round_id, only_unit=unit_code, shared=True) of this transaction reads the unit from it."""
        row, recipients = self._row_with_unit(round_id, unit_code, lock=True, shared=True)
        if recipients:
            self._unit_rows[(round_id, unit_code)] = recipients[0]
        return row

    def get(self, round_id: int, lock: bool = True, only_unit: str | None = None, counts: bool = False,
            comments: bool = False, no_units: bool = False, deadlines: bool = False,
            shared: bool = False, some_units: Collection[str] | None = None) -> RoundState:
        """The round's state; with lock, the round row is held until the transaction ends.

        only_unit loads that one recipient (an event about one unit, a unit's own page, on a round of thousands),
        some_units those of the units named that the round has (a reminder to the units chosen), no_units none: a
        partial state, whose save() writes the units loaded only; `counts` adds how many of the
        other units are asked and answered (RoundState.others), `comments` the count of comments without
        handling, `deadlines` the distinct deadline overrides of the other units asked to answer
        (RoundState.other_deadlines). A whole round always has its comments counted.

        `shared` (with lock and only_unit) holds the round's row FOR SHARE and that unit's row FOR NO KEY UPDATE:
        answers of other units go on beside, two of the same unit one after the other (each on the revision the
        other wrote).
        """
        partial = only_unit is not None or no_units or some_units is not None
        recipients: list[Any] = []
        unit_row = self._unit_rows.pop((round_id, only_unit), None) if only_unit is not None else None
        if unit_row is not None and not no_units and self._has_row(round_id, lock, shared):
            row, recipients = self._rows[round_id], [unit_row]
        elif only_unit is not None and not no_units and not self._has_row(round_id, lock, shared):
            row, recipients = self._row_with_unit(round_id, only_unit, lock, shared)
        else:
            row = self.row(round_id, lock=lock, shared=shared)
            if not no_units:
                query = select(*RECIPIENT_COLUMNS).where(RecipientRow.round_id == round_id)
                if only_unit is not None:
                    query = query.where(RecipientRow.unit_code == only_unit)
                    if lock and shared:
                        query = query.with_for_update(key_share=True)
                elif some_units is not None:
                    query = query.where(RecipientRow.unit_code.in_(sorted(set(some_units))))
                recipients = list(self.session.execute(query.order_by(RecipientRow.id)).all())
        self._recipient_ids[round_id] = {r.unit_code: r.id for r in recipients}
        left_out = (only_unit,) if only_unit is not None else tuple(some_units or ())
        loaded = {r.unit_code: _recipient_state(r) for r in recipients}
        self._loaded[round_id] = loaded
        return RoundState(
            id=row.id, workflow=row.workflow, status=row.status, title=row.title, subject=row.subject,
            office=row.office, deadline=row.deadline, silence_is_agreement=row.silence_is_agreement,
            deadline_working_days=row.deadline_working_days, launch_deadline=row.launch_deadline,
            launched_at=row.launched_at, entered_at=row.entered_at,
            closed_at=row.closed_at,
            draft_version=row.draft_version, timer_overrides=dict(row.timer_overrides or {}),
            dates={key: date.fromisoformat(day) for key, day in (row.dates or {}).items()},
            tasks=[_task_from_json(t) for t in row.tasks or []], outcome=dict(row.outcome or {}),
            recipients={code: replace(state) for code, state in loaded.items()},
            unhandled_comments=self.unhandled_comments(round_id, row.draft_version)
            if comments or not partial else 0,
            partial=partial, others=self.counts_without(round_id, *left_out) if partial and counts else None,
            other_deadlines=self.deadlines_without(round_id, *left_out) if partial and deadlines else None)

    def counts_without(self, round_id: int, *unit_codes: str | None) -> UnitCounts:
        """Units asked to answer, units that answered and those that answered with content (not "agree"), leaving
        the units named out, in one aggregate query."""
        with_content = func.count(case((RecipientRow.response_kind != ResponseKind.AGREE.value, 1)))
        query = (select(func.count(), func.count(RecipientRow.response_kind), with_content)
                 .where(RecipientRow.round_id == round_id, RecipientRow.role == RecipientRole.COMMENT.value,
                        *_leaving_out(unit_codes)))
        asked, answered, content = self.session.execute(query).one()
        return UnitCounts(asked, answered, content)

    def deadlines_without(self, round_id: int, *unit_codes: str | None) -> frozenset[date | None]:
        """The distinct deadline overrides (None: the round's deadline) of the units asked to answer, leaving the
        units named out: one aggregate query, as many rows as distinct deadlines."""
        query = (select(RecipientRow.deadline_override).distinct()
                 .where(RecipientRow.round_id == round_id, RecipientRow.role == RecipientRole.COMMENT.value,
                        *_leaving_out(unit_codes)))
        return frozenset(self.session.scalars(query))

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

    def header_changed(self, state: RoundState) -> bool:
        """Whether save(state) would write the round's row (its status, deadline, tasks...), which an event that holds
        the row shared must not do."""
        row = self._rows[state.id]
        return any(getattr(row, name) != value for name, value in _header_values(state).items())

    def recipient_id(self, round_id: int, unit_code: str) -> int:
        return self._recipient_ids[round_id][unit_code]

    def save(self, state: RoundState) -> None:
        """Write the state back over the rows loaded by get(); only changed columns and units are updated.

        A partial state (one unit) writes that unit, and the round's row only when its header changed."""
        row = self._rows[state.id]
        changed_header = _assign(row, _header_values(state))
        if changed_header or not state.partial:
            row.version += 1
        ids, loaded = self._recipient_ids[state.id], self._loaded[state.id]
        changed = [{"recipient_id": ids[code], **_recipient_values(recipient)}
                   for code, recipient in state.recipients.items() if recipient != loaded.get(code)]
        if changed:
            self.session.execute(_UPDATE_RECIPIENT, changed)
            for code in (c for c, r in state.recipients.items() if r != loaded.get(c)):
                loaded[code] = replace(state.recipients[code])

    def list(self, status: str | None = None, office: str | None = None,
             workflow: str | None = None) -> list[RoundRow]:
        query = select(RoundRow).order_by(RoundRow.id)
        if status:
            query = query.where(RoundRow.status == status)
        if workflow:
            query = query.where(RoundRow.workflow == workflow)
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

    def declined_units(self, round_id: int, decline: DeclineMatch) -> set[str]:
        """The codes of the units whose latest answer declines, in one query."""
        query = select(RecipientRow.unit_code).where(RecipientRow.round_id == round_id, declined_answer(decline))
        return set(self.session.scalars(query))

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

    def unit_names(self, round_id: int) -> dict[str, str]:
        """code -> name of every unit of the round, whatever its role, in one query of those two columns."""
        query = select(RecipientRow.unit_code, RecipientRow.unit_name).where(RecipientRow.round_id == round_id)
        return {code: name for code, name in self.session.execute(query)}

    def unit_count(self, round_id: int) -> int:
        """How many units the round is sent to, whatever their role."""
        return self.session.scalar(select(func.count()).where(RecipientRow.round_id == round_id)) or 0

    def answering_units(self, round_id: int) -> dict[str, str]:
        """code -> name of the units the round asks to answer, in the round's order, in one query."""
        query = (select(RecipientRow.unit_code, RecipientRow.unit_name)
                 .where(RecipientRow.round_id == round_id, RecipientRow.role == RecipientRole.COMMENT.value)
                 .order_by(RecipientRow.id))
        return {code: name for code, name in self.session.execute(query)}

    def role_counts(self, round_id: int) -> dict[str, int]:
        """role -> how many units of the round have it, in one GROUP BY query."""
        query = (select(RecipientRow.role, func.count()).where(RecipientRow.round_id == round_id)
                 .group_by(RecipientRow.role))
        return {role: count for role, count in self.session.execute(query)}

    def first_unit(self, round_id: int) -> str | None:
        """The code of the round's first unit asked to answer, else of its first unit of any role (None: no unit)."""
        query = (select(RecipientRow.unit_code).where(RecipientRow.round_id == round_id)
                 .order_by(case((RecipientRow.role == RecipientRole.COMMENT.value, 0), else_=1), RecipientRow.id)
                 .limit(1))
        return self.session.scalar(query)

    def answering_units_matching(self, round_id: int, key: str, limit: int,
                                 every_role: bool = False) -> tuple[tuple[str, str, int], ...]:
        """(code, name, rank) of at most `limit` units the round asks to answer (with every_role: of its units in any
        role) whose code or name contains `key` (a models.text.search_key), best first: rank 0 the code is `key`, 1
        the name is, 2 the name starts with it, 3 it is elsewhere in the code or name, 4 it joins up their words
        ("khcn": "KH&CN"); then in the round's order. One query, whatever the round's size."""
        rank = match_rank(RecipientRow.unit_code_key, RecipientRow.unit_name_key, key)
        query = (select(RecipientRow.unit_code, RecipientRow.unit_name, rank.label("rank"))
                 .where(RecipientRow.round_id == round_id, rank.is_not(None), *_roles(every_role))
                 .order_by(rank, RecipientRow.id).limit(limit))
        return tuple((row.unit_code, row.unit_name, row.rank) for row in self.session.execute(query))

    def answering_unit_coded(self, round_id: int, codes: Collection[str],
                             every_role: bool = False) -> tuple[str, str] | None:
        """(code, name) of the unit the round asks to answer (with every_role: of any role) whose code is one of
        `codes` (as typed, in capitals): the unique index's lookup, before any search."""
        query = (select(RecipientRow.unit_code, RecipientRow.unit_name)
                 .where(RecipientRow.round_id == round_id, RecipientRow.unit_code.in_(codes),
                        *_roles(every_role)).limit(1))
        found = self.session.execute(query).first()
        return None if found is None else (found.unit_code, found.unit_name)

    def unit_names_of(self, round_id: int, codes: Collection[str]) -> dict[str, str]:
        """code -> name of the round's units among `codes`: the units an action names, not the round's."""
        query = select(RecipientRow.unit_code, RecipientRow.unit_name).where(
            RecipientRow.round_id == round_id, RecipientRow.unit_code.in_(codes))
        return {code: name for code, name in self.session.execute(query)}

    def grid_counts(self, round_id: int, today: date, decline: DeclineMatch | None = None) -> dict[str, int]:
        """The counts above a round's grid, in two GROUP BY queries with no join between them (a join of the units
        to their mail is planned as a nested loop while a new round's statistics are not yet gathered): units by
        answer status, with how many answered late, have an extension, opened their link; and units by the
        status of the mail sent to them ("email_<status>"). With `decline`, the units whose answer declines are
        counted as "declined", apart from the other answers."""
        grid = _Grid(round_id, today, decline)
        flags = {name: func.sum(case((condition, 1), else_=0)) for name, condition in
                 (("late", grid.late), ("extended", grid.extended), ("opened", grid.opened))}
        by_answer = (select(grid.answer.label("answer"), func.count().label("units"),
                            *(value.label(name) for name, value in flags.items()))
                     .select_from(RecipientRow).join(RoundRow, RoundRow.id == RecipientRow.round_id)
                     .where(RecipientRow.round_id == round_id).group_by(grid.answer))
        counts: dict[str, int] = {}
        for row in self.session.execute(by_answer):
            counts[row.answer] = row.units
            for name in flags:
                counts[name] = counts.get(name, 0) + int(getattr(row, name) or 0)
        ranks = (select(grid.rank_of_row.label("rank")).where(OutboxRow.round_id == round_id)
                 .group_by(OutboxRow.recipient_id).subquery())
        statuses = {value: status for status, value in _MAIL_RANK.items()}
        mailed = 0
        for rank, units in self.session.execute(select(ranks.c.rank, func.count()).group_by(ranks.c.rank)):
            email = f"email_{statuses.get(rank, 'none')}"
            counts[email] = counts.get(email, 0) + units
            mailed += units
        total = sum(n for key, n in counts.items() if key not in flags and not key.startswith("email_"))
        if total > mailed:
            counts["email_none"] = counts.get("email_none", 0) + total - mailed
        return counts

    def grid_units(self, round_id: int, today: date, grid_filter: GridFilter, key: str,
                   decline: DeclineMatch | None = None) -> Ids:
        """The ids of the units that pass the filter and whose code or name `key` fits (a models.text.search_key, as
        answering_units_matching matches it), in the round's order: one query, the names stay in the database."""
        grid = _Grid(round_id, today, decline)
        rank = match_rank(RecipientRow.unit_code_key, RecipientRow.unit_name_key, key)
        query = (select(RecipientRow.id).join(RoundRow, RoundRow.id == RecipientRow.round_id)
                 .where(*grid.where(grid_filter), rank.is_not(None)).order_by(RecipientRow.id))
        return list(self.session.scalars(query))

    def grid_matched(self, round_id: int, today: date, grid_filter: GridFilter,
                     decline: DeclineMatch | None = None) -> int:
        grid = _Grid(round_id, today, decline)
        query = (select(func.count()).select_from(RecipientRow).join(RoundRow, RoundRow.id == RecipientRow.round_id)
                 .where(*grid.where(grid_filter)))
        return self.session.scalar(query) or 0

    def grid_page(self, round_id: int, today: date, grid_filter: GridFilter, limit: int, offset: int = 0,
                  ids: Ids | None = None, decline: DeclineMatch | None = None) -> GridRows:
        """One page of the grid, in the round's order; `ids` (from grid_units) picks the units instead of
        limit and offset."""
        grid = _Grid(round_id, today, decline)
        query = (select(*RECIPIENT_COLUMNS, grid.rank.label("mail_rank"), RecipientRow.first_opened_at,
                        RecipientRow.last_opened_at, grid.declined.label("declined"))
                 .join(RoundRow, RoundRow.id == RecipientRow.round_id).order_by(RecipientRow.id))
        if ids is not None:
            query = query.where(RecipientRow.round_id == round_id, RecipientRow.id.in_(ids))
        else:
            query = query.where(*grid.where(grid_filter)).limit(limit).offset(offset)
        statuses = {value: status for status, value in _MAIL_RANK.items()}
        return [GridRow(row.id, _recipient_state(row), statuses.get(row.mail_rank, "none"), row.first_opened_at,
                        row.last_opened_at, bool(row.declined))
                for row in self.session.execute(query)]

    def record_opening(self, recipient_id: int, at: datetime) -> None:
        """The unit opened its personal link: the first time is kept, the last one moves."""
        row = self.session.get(RecipientRow, recipient_id)
        if row is None:
            raise LookupError(f"no recipient {recipient_id}")
        if row.first_opened_at is None:
            row.first_opened_at = at
        row.last_opened_at = at

"""Read models of the staff round page beyond views.py: the round's header, grid filters, answers with notes."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from models.db.round_repository import RoundDetails
from models.db.tables import CommentRow, RecipientRow, ResponseRow
from models.rounds import RecipientRole
from models.unit_status import AnswerStatus, EmailStatus, UnitStatus
from workflows.definition import Workflow
from workflows.definition.schema import Capability
from workflows.service.app import App
from workflows.service.rounds import draft_location

ACTIONS = ("launch", "remind", "extend", "respond", "close")
# What each staff action needs the round's state to allow (close has no capability: the state handles the event).
ACTION_CAPABILITIES: dict[str, tuple[Capability, ...]] = {
    "launch": (Capability.LAUNCH,), "remind": (Capability.REMIND,), "extend": (Capability.EXTEND,),
    "respond": (Capability.ANSWER, Capability.LATE_ANSWER),
}


@dataclass(frozen=True)
class RoundBrief:
    """Enough of a round to check permissions and choose the forms to show."""

    id: int
    title: str
    workflow: str
    office: str
    status: str
    draft_version: int


def round_brief(app: App, round_id: int) -> RoundBrief:
    """One small query; raises RoundNotFound."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        return RoundBrief(row.id, row.title, row.workflow, row.office, row.status, row.draft_version)


def round_details(app: App, round_id: int) -> RoundDetails:
    with app.uow(read_only=True) as uow:
        return uow.rounds.details(round_id)


@dataclass(frozen=True)
class Actions:
    """Which staff actions the round's current state accepts."""

    available: frozenset[str]
    respond_needs_late_accept: bool = False

    def __contains__(self, name: object) -> bool:
        return name in self.available


def available_actions(workflow: Workflow, status: str) -> Actions:
    """Asked of the definition: the capabilities of the state (and, for close, whether it handles the event)."""
    def available(action: str) -> bool:
        needs = ACTION_CAPABILITIES.get(action)
        if needs is None:
            return action in workflow.state(status).transitions
        return any(workflow.allows(status, capability) for capability in needs)

    late = workflow.allows(status, Capability.LATE_ANSWER) and not workflow.allows(status, Capability.ANSWER)
    return Actions(frozenset(a for a in ACTIONS if available(a)), late)


_CLI_FLAG = re.compile(r"\s*\(--[a-z][a-z-]*\)")


def without_cli_flags(message: str, instead: str = "") -> str:
    """An engine refusal written for the CLI (it names a flag such as "(--late)") as a page or the API says it:
    the flag left out, or replaced by what the reader uses instead."""
    return _CLI_FLAG.sub(instead, message)


@dataclass(frozen=True)
class UnitFilter:
    """The grid filters, from the query string; blank means no filter."""

    answer: str = ""
    email: str = ""
    opened: str = ""  # "yes" | "no"
    late: str = ""  # "yes"
    extended: str = ""  # "yes"
    q: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> UnitFilter:
        answer = query.get("answer", "")
        email = query.get("email", "")
        return cls(
            answer=answer if answer in {a.value for a in AnswerStatus} else "",
            email=email if email in {e.value for e in EmailStatus} else "",
            opened=query.get("opened", "") if query.get("opened") in ("yes", "no") else "",
            late="yes" if query.get("late") == "yes" else "",
            extended="yes" if query.get("extended") == "yes" else "",
            q=(query.get("q") or "").strip()[:100])

    def active(self) -> bool:
        return any((self.answer, self.email, self.opened, self.late, self.extended, self.q))

    def query(self, **changes: str) -> str:
        """The query string of this filter with some values changed ('' removes one)."""
        values = {**self.__dict__, **changes}
        return urlencode({k: v for k, v in values.items() if v})

    def keep(self, unit: UnitStatus) -> bool:
        if self.answer and unit.answer.value != self.answer:
            return False
        if self.email and unit.email.value != self.email:
            return False
        if self.opened == "yes" and unit.first_opened_at is None:
            return False
        if self.opened == "no" and (unit.first_opened_at is not None or unit.role == "inform"):  # inform: no link
            return False
        if self.late and not unit.late:
            return False
        if self.extended and not unit.extended:
            return False
        if self.q:
            needle = self.q.casefold()
            if needle not in unit.unit_code.casefold() and needle not in unit.unit_name.casefold():
                return False
        return True


def filter_units(units: Iterable[UnitStatus], unit_filter: UnitFilter) -> list[UnitStatus]:
    return [u for u in units if unit_filter.keep(u)]


@dataclass(frozen=True)
class CommentLine:
    section: str | None
    text: str
    proposed_wording: str | None


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
    proposal: dict[str, str] | None
    comments: list[CommentLine] = field(default_factory=list)


def latest_answers(app: App, round_id: int) -> list[UnitAnswer]:
    """Two queries whatever the number of units."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        answers = uow.session.execute(
            select(RecipientRow.unit_code, RecipientRow.unit_name, ResponseRow)
            .join(ResponseRow, ResponseRow.recipient_id == RecipientRow.id)
            .where(ResponseRow.round_id == round_id, ResponseRow.draft_version == row.draft_version,
                   ResponseRow.revision == RecipientRow.response_revision)
            .order_by(ResponseRow.received_at, RecipientRow.id)).all()
        comments: dict[int, list[CommentLine]] = {}
        ids = [response.id for _, _, response in answers]
        if ids:
            for comment in uow.session.scalars(select(CommentRow).where(CommentRow.response_id.in_(ids))
                                               .order_by(CommentRow.response_id, CommentRow.position)):
                comments.setdefault(comment.response_id, []).append(
                    CommentLine(comment.section, comment.text, comment.proposed_wording))
    return [UnitAnswer(code, name, r.revision, r.kind, r.received_at, r.late, r.channel, r.entered_by, r.note,
                       r.attachment_name, dict(r.proposal) if r.proposal else None, comments.get(r.id, []))
            for code, name, r in answers]


def staff_draft_file(app: App, round_id: int) -> Path | None:
    """The current draft of a round as stored under the home, for staff to download."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        filename, version = row.draft_filename, row.draft_version
    if not filename:
        return None
    path = draft_location(app, round_id, version, filename)
    return path if path.is_file() else None


def answering_units(app: App, round_id: int) -> dict[str, str]:
    """code -> name of the units a round asks to answer, in one query."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        rows = uow.session.execute(select(RecipientRow.unit_code, RecipientRow.unit_name).where(
            RecipientRow.round_id == round_id, RecipientRow.role == RecipientRole.COMMENT.value)
            .order_by(RecipientRow.id)).all()
    return {code: name for code, name in rows}

"""Read models of the pages after the deadline: the triage table, the units' answers by kind, the submission
packages and the UBND decision as recorded."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from models.consolidation import Handling
from models.db.tables import SubmissionRow
from models.rounds import RoundState
from models.unit_status import AnswerStatus, UnitStatus
from workflows.definition import Workflow
from workflows.service.app import App
from workflows.service.consolidation import TRIAGE_STATES_FORBIDDEN, TriageItem

SUBMIT_STEPS = ("submit", "report_submitted", "forward_proposals")
SUBMITTED_STATES = ("submitted", "issued", "returned", "reported", "forwarded")


@dataclass(frozen=True)
class TriageRow:
    """One comment with its number in the synthesis table and the numbers of the comments handled with it."""

    number: int
    item: TriageItem
    shared_with: tuple[int, ...]


def triage_rows(items: Iterable[TriageItem]) -> list[TriageRow]:
    listed = list(items)
    numbers: dict[int, list[int]] = {}
    for number, item in enumerate(listed, start=1):
        if item.handling_id is not None:
            numbers.setdefault(item.handling_id, []).append(number)
    return [TriageRow(number, item, tuple(n for n in numbers.get(item.handling_id or -1, []) if n != number))
            for number, item in enumerate(listed, start=1)]


def handling_counts(items: Iterable[TriageItem]) -> dict[str, int]:
    """Comments by handling value, plus "unhandled"."""
    counts = {h.value: 0 for h in Handling} | {"unhandled": 0}
    for item in items:
        counts[item.decision.value if item.decision else "unhandled"] += 1
    return counts


def can_triage(status: str) -> bool:
    return status not in TRIAGE_STATES_FORBIDDEN


@dataclass(frozen=True)
class UnitLists:
    """The units of a round by what they answered, for the lists under the triage table."""

    commented: list[UnitStatus]
    agreed: list[UnitStatus]
    silent: list[UnitStatus]
    pending: list[UnitStatus]
    not_asked: list[UnitStatus]


def unit_lists(state: RoundState, units: Iterable[UnitStatus]) -> UnitLists:
    """Once the round stops taking answers, a unit that has not answered is silent (as in the synthesis table)."""
    closed = state.status not in ("draft", "circulating")
    listed = list(units)

    def having(*answers: AnswerStatus) -> list[UnitStatus]:
        return [u for u in listed if u.answer in answers]

    silent = having(AnswerStatus.SILENT, AnswerStatus.PENDING) if closed else having(AnswerStatus.SILENT)
    return UnitLists(commented=having(AnswerStatus.COMMENTS, AnswerStatus.PROPOSALS), agreed=having(AnswerStatus.AGREE),
                     silent=silent, pending=[] if closed else having(AnswerStatus.PENDING),
                     not_asked=having(AnswerStatus.NOT_ASKED))


@dataclass(frozen=True)
class Package:
    filename: str
    sha256: str
    draft_version: int
    created_at: datetime
    created_by: str
    path: Path


def package_folder(app: App, round_id: int) -> Path:
    return app.settings.home / "submissions" / str(round_id)


def submission_packages(app: App, round_id: int) -> list[Package]:
    """The packages built for a round, newest first, with where they are stored."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        rows = list(uow.session.scalars(select(SubmissionRow).where(SubmissionRow.round_id == round_id)
                                        .order_by(SubmissionRow.id.desc())))
    folder = package_folder(app, round_id)
    return [Package(r.filename, r.sha256, r.draft_version, r.created_at, r.created_by, folder / r.filename)
            for r in rows]


def submission_step(workflow: Workflow, status: str) -> str | None:
    """The event that builds the package in this state (submit, report, forward), or None."""
    transitions = workflow.state(status).transitions
    return next((step for step in SUBMIT_STEPS if step in transitions), None)


def submission_refusal(status: str) -> str:
    """Why a round in this state cannot be submitted (the words of submit_round)."""
    if status in SUBMITTED_STATES:
        return "Đợt này đã được trình; không trình lại lần thứ hai."
    return "Chưa thể trình: đợt phải hoàn thành tổng hợp ý kiến trước."


def unhandled_refusal(count: int) -> str:
    """The words of the engine's guard, for the check made before asking to confirm."""
    return (f"Còn {count} ý kiến chưa được xử lý (tiếp thu / giải trình); "
            "hãy xử lý hết trước khi hoàn thành tổng hợp.")


@dataclass(frozen=True)
class Outcome:
    """What the round's outcome says: consolidated, submitted (which package), decided (issued or returned)."""

    consolidated_at: datetime | None = None
    submitted_at: datetime | None = None
    package: str | None = None
    decision: str | None = None  # "issued" | "returned"
    decided_at: datetime | None = None
    number: str | None = None
    issued_on: date | None = None
    reason: str | None = None

    @property
    def returned(self) -> bool:
        return self.decision == "returned"


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def round_outcome(state: RoundState) -> Outcome:
    values = state.outcome
    decision = {"decide_issued": "issued", "decide_returned": "returned"}.get(values.get("decision", ""))
    return Outcome(consolidated_at=_moment(values.get("consolidated_at")),
                   submitted_at=_moment(values.get("submitted_at")), package=values.get("submitted_package"),
                   decision=decision, decided_at=_moment(values.get("decided_at")),
                   number=values.get("decided_number"), issued_on=_day(values.get("decided_date")),
                   reason=values.get("decided_reason"))


def follow_up_possible(state: RoundState) -> bool:
    """A new round is offered once UBND returned the draft (before or after the draft is revised)."""
    return state.status == "returned" or (state.status == "draft" and round_outcome(state).returned)

"""Read models of the pages after the deadline: the triage table, the units' answers by kind and the UBND
decision as recorded. The queries behind them are the service's: triage_items (consolidation.py),
submission_packages (submission.py), follow_up_possible (followup.py)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from models.consolidation import Handling
from models.rounds import RoundState
from models.unit_status import AnswerStatus, UnitStatus
from workflows.definition import Workflow
from workflows.definition.schema import Capability
from workflows.engine.events import ENGINE_EVENTS
from workflows.service.consolidation import TriageItem, numbered
from workflows.service.followup import ISSUE_EVENT, RETURN_EVENT
from workflows.web.forms.consolidation_forms import decision_value


@dataclass(frozen=True)
class TriageRow:
    """One comment with its number in the synthesis table and the numbers of the comments handled with it."""

    number: int
    item: TriageItem
    shared_with: tuple[int, ...]


def triage_rows(items: Iterable[TriageItem]) -> list[TriageRow]:
    """The rows numbered as the synthesis table numbers them (service.consolidation.numbered)."""
    listed = numbered(items)
    numbers: dict[int, list[int]] = {}
    for number, item in listed:
        if item.handling_id is not None:
            numbers.setdefault(item.handling_id, []).append(number)
    return [TriageRow(number, item, tuple(n for n in numbers.get(item.handling_id or -1, []) if n != number))
            for number, item in listed]


def handling_counts(items: Iterable[TriageItem]) -> dict[str, int]:
    """Comments by handling value, plus "unhandled"."""
    counts = {h.value: 0 for h in Handling} | {"unhandled": 0}
    for item in items:
        counts[item.decision.value if item.decision else "unhandled"] += 1
    return counts


def can_triage(workflow: Workflow, status: str) -> bool:
    return workflow.allows(status, Capability.TRIAGE)


@dataclass(frozen=True)
class UnitLists:
    """The units of a round by what they answered, for the lists under the triage table."""

    commented: list[UnitStatus]
    agreed: list[UnitStatus]
    silent: list[UnitStatus]
    pending: list[UnitStatus]
    not_asked: list[UnitStatus]


def unit_lists(units: Iterable[UnitStatus]) -> UnitLists:
    """A unit that has not answered is silent once its own deadline has passed; before that (a round closed early,
    an extension still running) it is pending, as in the synthesis table, and never taken to agree."""
    listed = list(units)

    def having(*answers: AnswerStatus) -> list[UnitStatus]:
        return [u for u in listed if u.answer in answers]

    return UnitLists(commented=having(AnswerStatus.COMMENTS, AnswerStatus.PROPOSALS, AnswerStatus.DECLINED),
                     agreed=having(AnswerStatus.AGREE), silent=having(AnswerStatus.SILENT),
                     pending=having(AnswerStatus.PENDING), not_asked=having(AnswerStatus.NOT_ASKED))


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
    decision: str | None = None  # the decision's event (ISSUE_EVENT or RETURN_EVENT)
    decided_at: datetime | None = None
    number: str | None = None
    issued_on: date | None = None
    reason: str | None = None

    @property
    def issued(self) -> bool:
        return self.decision == ISSUE_EVENT

    @property
    def returned(self) -> bool:
        return self.decision == RETURN_EVENT

    @property
    def choice(self) -> str | None:
        """The decision as the decision form names it."""
        return decision_value(self.decision) if self.decision else None


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
    decision = values.get("decision")
    return Outcome(consolidated_at=_moment(values.get("consolidated_at")),
                   submitted_at=_moment(values.get("submitted_at")), package=values.get("submitted_package"),
                   decision=decision if decision in (ISSUE_EVENT, RETURN_EVENT) else None,
                   decided_at=_moment(values.get("decided_at")),
                   number=values.get("decided_number"), issued_on=_day(values.get("decided_date")),
                   reason=values.get("decided_reason"))


def target_state(workflow: Workflow, status: str, event: str) -> str | None:
    """Where the event leads from this state (its first alternative), or None when it stays or is not handled."""
    alternatives = workflow.state(status).transitions.get(event) or []
    return alternatives[0].to if alternatives else None


@dataclass(frozen=True)
class DecisionChoice:
    """One outcome of UBND's decision offered in a state: the form's value, its event, where it leads."""

    value: str
    event: str
    label: str  # the title of the state it leads to ("Đã ban hành", "Bị trả lại")
    final: bool


def decision_choices(workflow: Workflow, status: str) -> list[DecisionChoice]:
    """The decisions the state records (capability "decide"), in the definition's words."""
    if not workflow.allows(status, Capability.DECIDE):
        return []
    out = []
    for event in (ISSUE_EVENT, RETURN_EVENT):
        target = target_state(workflow, status, event)
        if target is not None:
            out.append(DecisionChoice(decision_value(event), event, workflow.state_title(target),
                                      workflow.state(target).final))
    return out


def arrival_message(workflow: Workflow, status: str) -> str | None:
    """What staff read after an action brought the round into `status`: the package's `done` text when a
    package's event leads there, else the event's title and the state's."""
    if status not in workflow.states:
        return None
    for name, state in workflow.states.items():
        package = state.package
        if package is not None and target_state(workflow, name, package.event) == status:
            return package.done
    for state in workflow.states.values():
        for event, alternatives in state.transitions.items():
            if event not in ENGINE_EVENTS and any(t.to == status for t in alternatives):
                title = workflow.event_title(event)
                return f"Đã {title}. Đợt chuyển sang trạng thái \"{workflow.state_title(status)}\"."
    return f"Đợt chuyển sang trạng thái \"{workflow.state_title(status)}\"."

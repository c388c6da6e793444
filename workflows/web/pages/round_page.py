"""Read models of the staff round page beyond the service's queries (workflows/service/views.py): the actions the
round's state offers, the grid filters, engine refusals without the CLI's flags."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from models.unit_status import AnswerStatus, EmailStatus, UnitStatus
from workflows.definition import Workflow
from workflows.definition.schema import Capability, GridColumn
from workflows.service.app import App
from workflows.service.report_sections import grid_column_values
from workflows.service.views import GridFilter

ACTIONS = ("launch", "remind", "extend", "respond", "close")
# What each staff action needs the round's state to allow (close has no capability: the state handles the event).
ACTION_CAPABILITIES: dict[str, tuple[Capability, ...]] = {
    "launch": (Capability.LAUNCH,), "remind": (Capability.REMIND,), "extend": (Capability.EXTEND,),
    "respond": (Capability.ANSWER, Capability.LATE_ANSWER),
}


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

    def grid(self) -> GridFilter:
        """The filters the service applies in SQL (the search `q` is passed on its own)."""
        return GridFilter(answer=self.answer, email=self.email, opened=self.opened, late=bool(self.late),
                          extended=bool(self.extended))

    def query(self, **changes: str) -> str:
        """The query string of this filter with some values changed ('' removes one)."""
        values = {**self.__dict__, **changes}
        return urlencode({k: v for k, v in values.items() if v})


@dataclass(frozen=True)
class OwnColumns:
    """The grid's columns that this kind of round asks for (Workflow.grid_columns), with each shown unit's value."""

    columns: tuple[GridColumn, ...]
    values: dict[str, dict[str, str]]  # column key -> unit code -> text

    def value(self, key: str, unit_code: str) -> str:
        return self.values.get(key, {}).get(unit_code, "")


def own_columns(app: App, workflow: Workflow, round_id: int, shown: list[UnitStatus]) -> OwnColumns:
    """Asked of the definition, computed for the units of the page only."""
    columns = tuple(workflow.grid_columns())
    if not columns:
        return OwnColumns((), {})
    return OwnColumns(columns, grid_column_values(app, round_id, workflow, [u.unit_code for u in shown]))

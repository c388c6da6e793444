"""The dashboard: every round with its progress, filtered by state and office."""
from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from models.staff import StaffUser
from workflows.definition.schema import Workflow
from workflows.service.kind_summaries import kind_summaries
from workflows.service.registry import shipped_workflows
from workflows.service.state_filter import StateFilter
from workflows.service.views import list_rounds
from workflows.web.security import require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)


def state_groups(kinds: Iterable[Workflow]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The state filter's entries, one group per kind (in the order given, the catalogue's, as the create form lists
    them) with its states in its definition's order, each (value, title): a title two kinds share ("Bản nháp")
    stays under each kind and finds only that kind's rounds, and a state's name two kinds share ("draft") is two
    entries, each in its kind's words."""
    return [(kind.title, [(StateFilter(kind.name, name).value, state.title) for name, state in kind.states.items()])
            for kind in kinds]


def filter_title(chosen: StateFilter, kinds: dict[str, Workflow]) -> str:
    """The filter in use as the note above the rows writes it: "Chuẩn bị hồ sơ (Thẩm định hồ sơ)"; a bare state's
    name reads as every title the kinds give it ("Bản nháp / Dự thảo")."""
    if chosen.kind is not None:
        kind = kinds.get(chosen.kind)
        if kind is None or chosen.state not in kind.states:
            return chosen.state
        return f"{kind.state_title(chosen.state)} ({kind.title})"
    titles = sorted({kind.states[chosen.state].title for kind in kinds.values() if chosen.state in kind.states})
    return " / ".join(titles) or chosen.state


@router.get("/")
def dashboard(request: Request, status: str | None = None, office: str | None = None,
              user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    chosen = StateFilter.read(status) if status else None
    if chosen is not None and not chosen.names_a_state:
        rounds = []
    else:
        rounds = list_rounds(app, chosen.state if chosen else None, office or None, chosen.kind if chosen else None)
    all_rounds = list_rounds(app) if (status or office) else rounds
    kinds = shipped_workflows()
    used = {r.workflow for r in all_rounds}
    in_use = [kind for name, kind in kinds.items() if name in used]
    offices = sorted({r.office for r in all_rounds})
    return render(request, "dashboard.html", {"rounds": rounds, "state_groups": state_groups(in_use),
                                              "offices": offices, "status": status or "", "office": office or "",
                                              "status_title": filter_title(chosen, kinds) if chosen else "",
                                              "summaries": kind_summaries(app, [(r.id, r.workflow) for r in rounds])})

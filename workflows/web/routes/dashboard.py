"""The dashboard: every round with its progress, filtered by state and office."""
from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from models.staff import StaffUser
from workflows.service.kind_summaries import kind_summaries
from workflows.service.registry import shipped_workflows
from workflows.service.views import list_rounds
from workflows.web.security import require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)


def state_choices(titled: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The state filter's entries, state name -> what it reads: every title the kinds give that state, joined
    ("Bản nháp / Dự thảo"), so the entry reads as the rows do and still finds each kind's rounds in that state.
    Ordered by what they read."""
    titles: dict[str, list[str]] = {}
    for name, title in titled:
        if title not in titles.setdefault(name, []):
            titles[name].append(title)
    joined = {name: " / ".join(sorted(found)) for name, found in titles.items()}
    return dict(sorted(joined.items(), key=lambda item: item[1]))


@router.get("/")
def dashboard(request: Request, status: str | None = None, office: str | None = None,
              user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    rounds = list_rounds(app, status or None, office or None)
    all_rounds = list_rounds(app) if (status or office) else rounds
    states = state_choices([(r.status, r.status_title) for r in all_rounds] +
                           [(name, s.title) for wf in shipped_workflows().values() for name, s in wf.states.items()])
    offices = sorted({r.office for r in all_rounds})
    return render(request, "dashboard.html", {"rounds": rounds, "states": dict(states), "offices": offices,
                                              "status": status or "", "office": office or "",
                                              "summaries": kind_summaries(app, [(r.id, r.workflow) for r in rounds])})

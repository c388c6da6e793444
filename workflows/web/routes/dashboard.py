"""The dashboard: every round with its progress, filtered by state and office."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from models.staff import StaffUser
from workflows.service.kind_summaries import kind_summaries
from workflows.service.registry import shipped_workflows
from workflows.service.views import list_rounds
from workflows.web.security import require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard(request: Request, status: str | None = None, office: str | None = None,
              user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    rounds = list_rounds(app, status or None, office or None)
    all_rounds = list_rounds(app) if (status or office) else rounds
    states = sorted({(r.status, r.status_title) for r in all_rounds} |
                    {(name, s.title) for wf in shipped_workflows().values() for name, s in wf.states.items()},
                    key=lambda item: item[1])
    offices = sorted({r.office for r in all_rounds})
    return render(request, "dashboard.html", {"rounds": rounds, "states": dict(states), "offices": offices,
                                              "status": status or "", "office": office or "",
                                              "summaries": kind_summaries(app, [(r.id, r.workflow) for r in rounds])})

"""The consolidation of a round whose form has headings (a programme report, seed 003): every unit's passage under
each heading with its source, the staff's consolidated text (edited heading by heading), the figures summed with
the units that gave them and last year's beside; and next year's round started from this one."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from config.calendar_words import not_a_date
from models.errors import DomainError, InvalidInput
from models.staff import StaffUser
from workflows.definition import Capability
from workflows.service.deadlines import read_date
from workflows.service.registry import get_workflow
from workflows.service.report_sections import (
    next_round_refusal,
    report_consolidation,
    save_heading_text,
    start_next_round,
)
from workflows.service.views import round_brief
from workflows.web.routes.rounds import Posted, PostedForm
from workflows.web.security import IdPath, require_change, require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the API

FLASH = {"saved": "Đã lưu nội dung tổng hợp của mục.", "started": "Đã tạo đợt tiếp theo (bản nháp, chưa gửi)."}


def _page(request: Request, round_id: int, user: StaffUser, typed: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, status: int = 200) -> Response:
    app = ykien(request)
    brief = round_brief(app, round_id)
    report = report_consolidation(app, round_id)  # DomainError for a kind without headings: the error page
    ok = request.query_params.get("ok", "")
    flash = {"flash": FLASH[ok], "flash_kind": "ok"} if ok in FLASH else {}
    if errors:  # said at the top too: an unknown heading has no place of its own on the page
        flash = {"flash": " ".join(errors.values()), "flash_kind": "error"}
    next_states = [report.workflow.state_title(name) for name in report.workflow.states_allowing(Capability.NEXT_ROUND)]
    return render(request, "report_consolidation.html", {
        "brief": brief, "tab": "consolidation", "workflow": report.workflow, "report": report,
        "can_change": user.can_change_round(brief.office), "typed": typed or {}, "errors": errors or {},
        "next_round_now": report.workflow.allows(brief.status, Capability.NEXT_ROUND), "next_round_states": next_states,
        **flash}, status_code=status)


@router.get("/rounds/{round_id:int}/consolidation/headings")
def headings_page(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    return _page(request, round_id, user)


@router.post("/rounds/{round_id:int}/consolidation/headings")
def save_heading(request: Request, round_id: IdPath, posted: Posted = PostedForm,
                 user: StaffUser = Depends(require_staff)) -> Response:
    """Staff's consolidated text of one heading (audited); refused with the heading named, the text kept."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    heading = (posted.values.get("heading") or [""])[0]
    text = (posted.values.get("text") or [""])[0]
    try:
        save_heading_text(app, round_id, heading, text, user.actor)
    except InvalidInput as problem:
        return _page(request, round_id, user, {heading: text}, {heading: problem.message}, 422)
    except DomainError as refusal:
        return _page(request, round_id, user, {heading: text}, {heading: refusal.message}, 409)
    return RedirectResponse(f"/rounds/{round_id}/consolidation/headings?ok=saved#heading-{heading}", status_code=303)


@router.post("/rounds/{round_id:int}/next-round")
def next_round(request: Request, round_id: IdPath, posted: Posted = PostedForm,
               user: StaffUser = Depends(require_staff)) -> Response:
    """Next year's round from this one: same headings and units, the new title and deadline typed."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    title = (posted.values.get("title") or [""])[0].strip()
    typed_deadline = (posted.values.get("deadline") or [""])[0].strip()
    typed = {"next_title": title, "next_deadline": typed_deadline}
    workflow = get_workflow(brief.workflow)
    if not workflow.allows(brief.status, Capability.NEXT_ROUND):  # the reason first, before what was typed
        return _next_round_refused(request, round_id, user, typed, next_round_refusal(workflow, round_id, brief.status))
    deadline = read_date(typed_deadline)
    if deadline is None:
        return _next_round_refused(request, round_id, user, typed, InvalidInput(
            not_a_date(typed_deadline, "Hạn gửi báo cáo"),
            "deadline_invalid"))
    try:
        new_id = start_next_round(app, round_id, title, deadline, user.actor)
    except (DomainError, InvalidInput) as refusal:
        return _next_round_refused(request, round_id, user, typed, refusal)
    return RedirectResponse(f"/rounds/{new_id}?ok=started", status_code=303)


def _next_round_refused(request: Request, round_id: int, user: StaffUser, typed: dict[str, str],
                        refusal: DomainError | InvalidInput) -> Response:
    """The headings page with the refusal at its form (422 for what was typed, 409 for the round); a kind without
    headings has no such page (a post none of its pages offers): the refusal itself is the error page."""
    if not get_workflow(round_brief(ykien(request), round_id).workflow).response.sections:
        raise refusal
    return _page(request, round_id, user, typed, {"next_round": refusal.message},
                 422 if isinstance(refusal, InvalidInput) else 409)

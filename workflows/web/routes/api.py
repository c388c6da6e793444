"""The JSON API under /api: the use cases of the CLI and the pages, through the same service layer.

Authentication is the staff session cookie (POST /api/session); every POST/DELETE also needs the
session's CSRF token in the X-CSRF-Token header. Errors are {"error": {"code", "message"}}.
"""
from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import APIKeyCookie, APIKeyHeader
from starlette.exceptions import HTTPException

from models.errors import InvalidInput, UnitUnknown
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from models.staff import Role, StaffUser
from workflows.engine.events import Close, Event, Extend, Remind, Respond
from workflows.engine.refusals import Refused
from workflows.service.answer_input import AnswerInvalid, check_answer, clean_comments, clean_proposals
from workflows.service.app import App
from workflows.service.commands import MAIL_HELD, CommandResult, CommandRunner, naming_the_date, run_command
from workflows.service.deadlines import DATE_HORIZON_YEARS, beyond_horizon, parse_deadline
from workflows.service.directory_edit import directory_units
from workflows.service.empty_groups import empty_groups
from workflows.service.launch import launch_round
from workflows.service.registry import WorkflowUnknown, get_workflow, shipped_workflows
from workflows.service.rounds import Addressee, NewRound, create_round, default_workflow_name
from workflows.service.staff import LoginRefused, TooManyAttempts, authenticate
from workflows.service.views import (
    RoundBrief,
    UnitAnswer,
    audit_trail,
    checked_list_filter,
    latest_answers,
    list_rounds,
    round_brief,
    round_grid,
)
from workflows.web.api_schemas import (
    AuditEventOut,
    AuditOut,
    ChainBreakOut,
    CloseIn,
    CommandOut,
    CommentOut,
    CreatedOut,
    DirectoryUnitOut,
    DoneOut,
    EmptyGroupOut,
    ErrorOut,
    ExtendIn,
    LaunchIn,
    LoginIn,
    NewRoundIn,
    RemindIn,
    RespondIn,
    ResponseFieldOut,
    ResponseSpecOut,
    RoundOut,
    RoundSummaryOut,
    SessionOut,
    SilenceOut,
    StateOut,
    TimerDefOut,
    TimerOut,
    UnitOut,
    UnitResponseOut,
    UserOut,
    WorkflowOut,
)
from workflows.web.json_numbers import too_long_number
from workflows.web.security import (
    CSRF_HEADER,
    MAX_ID,
    SESSION_COOKIE,
    client_address,
    current_user,
    finish_session,
    read_session,
    start_session,
    ykien,
)

DEFAULT_PER_PAGE = 200  # units per page of GET /api/rounds/{id}, as on the round page
MAX_PER_PAGE = 1000
ERROR_TEXT = {
    400: "Yêu cầu không đọc được (ví dụ thân yêu cầu không phải UTF-8)",
    401: "Chưa đăng nhập (hoặc phiên đã hết hạn)",
    403: "Không có quyền, hoặc thiếu/sai header X-CSRF-Token",
    404: "Không tìm thấy",
    409: "Quy trình không cho phép thao tác này ở trạng thái hiện tại",
    422: "Dữ liệu không hợp lệ",
    429: "Đăng nhập sai quá nhiều lần",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers an operation documents: the given ones, plus 400 for an unreadable request."""
    return {status: {"model": ErrorOut, "description": ERROR_TEXT[status]} for status in sorted({400, *statuses})}


# OpenAPI links: which answer gives the id (or the office, the unit, the workflow) the next request needs. They
# show in the API docs how a round is driven, and the stateful tests (schemathesis) follow them.
ROUND_TARGETS = {  # link name: (operationId, what the next request does, on the same round)
    "GetRound": ("getRound", "Xem bảng tình hình của đợt này"),
    "GetResponses": ("getRoundResponses", "Xem các lần trả lời mới nhất của đợt này"),
    "GetAudit": ("getRoundAudit", "Xem nhật ký của đợt này"),
    "Launch": ("launchRound", "Phát hành đợt này"),
    "Respond": ("respondForUnit", "Ghi nhận trả lời của một đơn vị cho đợt này"),
    "Extend": ("extendRound", "Gia hạn cho đợt này hoặc một đơn vị của đợt"),
    "Remind": ("remindUnits", "Đôn đốc các đơn vị chưa trả lời đợt này"),
    "Close": ("closeRound", "Kết thúc nhận trả lời của đợt này"),
}


def _round_links(*names: str, round_id: str = "$response.body#/id",
                 bodies: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Links to the named operations on the same round, whose id the answer holds at `round_id`."""
    links: dict[str, dict[str, Any]] = {}
    for name in names:
        operation_id, description = ROUND_TARGETS[name]
        links[name] = {"operationId": operation_id, "parameters": {"round_id": round_id}, "description": description}
        if bodies and name in bodies:
            links[name]["requestBody"] = bodies[name]
    return links


def _create_link(description: str, body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"CreateRound": {"operationId": "createRound", "requestBody": body, "description": description}}


def _answers(status: int, links: dict[str, dict[str, Any]], *errors: int) -> dict[int | str, dict[str, Any]]:
    """The success answer's links and the documented error answers of an operation."""
    return {status: {"links": links}, **_errors(*errors)}


FIRST_UNIT = {"unit": "$response.body#/units/0/unit_code"}  # the first unit of a round's grid
SESSION_LINKS = {
    **_create_link("Tạo đợt cho phòng của người đăng nhập", {"office": "$response.body#/user/office"}),
    "Logout": {"operationId": "logout", "description": "Đăng xuất"},
}


class ApiError(Exception):
    """An API refusal with its HTTP status and a stable code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return dependant.call is call or any(_depends_on(d, call) for d in dependant.dependencies)


class ApiRoute(APIRoute):
    """Answers ApiError (also raised by dependencies) and HTTP errors raised while reading the request (such
    as a body that is not UTF-8) with the API's error body.

    The login and the CSRF token are checked before the body is read: FastAPI reads the body first, so a request
    without a session would otherwise learn that its JSON is broken (422) instead of getting 401."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        needs_login, needs_csrf = _depends_on(self.dependant, api_user), _depends_on(self.dependant, api_csrf)

        async def handle(request: Request) -> Response:
            try:
                if needs_login:
                    api_user(request)
                if needs_csrf:
                    api_csrf(request, request.headers.get(CSRF_HEADER))
                return await handler(request)
            except ApiError as error:
                return JSONResponse({"error": {"code": error.code, "message": error.message}},
                                    status_code=error.status)
            except HTTPException as error:
                if error.status_code == 400 and isinstance(error.__cause__, ValueError):
                    found = too_long_number(await request.body())
                    if found is not None:  # FastAPI names no field for it: the 422 of any other bad value, by field
                        path, reason = found
                        raise RequestValidationError([{"type": "number_too_long", "loc": ("body", *path),
                                                       "msg": reason, "input": None}]) from None
                message = "Không đọc được nội dung yêu cầu." if error.status_code == 400 else str(error.detail)
                return JSONResponse({"error": {"code": "bad_request" if error.status_code == 400 else "http_error",
                                               "message": message}}, status_code=error.status_code,
                                    headers=error.headers)

        return handle


router = APIRouter(prefix="/api", route_class=ApiRoute)

SESSION_SCHEME = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, scheme_name="session",
                              description="Cookie phiên đăng nhập, nhận từ POST /api/session")
CSRF_SCHEME = APIKeyHeader(name=CSRF_HEADER, auto_error=False, scheme_name="csrf",
                           description="csrf_token nhận từ POST /api/session; bắt buộc với POST/DELETE")
RoundId = Annotated[int, Path(ge=1, le=MAX_ID, description="Số của đợt")]
ROUNDS_TAG = "đợt"  # every kind of round the definitions declare, not one of them


def api_user(request: Request, _cookie: str | None = Security(SESSION_SCHEME)) -> StaffUser:
    user = current_user(request)
    if user is None:
        raise ApiError(401, "login_required", "Cần đăng nhập (POST /api/session).")
    return user


def api_csrf(request: Request, given: str | None = Security(CSRF_SCHEME)) -> None:
    expected = read_session(request).csrf
    if not given or not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode()):
        raise ApiError(403, "csrf_failed", f"Thiếu hoặc sai header {CSRF_HEADER} (lấy từ POST /api/session).")


def changer(user: StaffUser = Depends(api_user), _csrf: None = Depends(api_csrf)) -> StaffUser:
    """A logged-in user sending a state-changing request with the right CSRF token."""
    return user


UserDep = Annotated[StaffUser, Depends(api_user)]
ChangerDep = Annotated[StaffUser, Depends(changer)]


def _user_out(user: StaffUser) -> UserOut:
    return UserOut(id=user.id, username=user.username, display_name=user.display_name, role=user.role.value,
                   office=user.office)


# Session ------------------------------------------------------------------------------------------

@router.post("/session", tags=["phiên đăng nhập"], response_model=SessionOut, operation_id="login",
             responses=_answers(200, {"WhoAmI": {"operationId": "getSession", "description": "Người đang đăng nhập"},
                                      **SESSION_LINKS}, 401, 422, 429),
             summary="Đăng nhập: đặt cookie phiên và trả về csrf_token")
def login(body: LoginIn, request: Request, response: Response) -> SessionOut:
    try:
        user = authenticate(ykien(request), body.username, body.password, client_address(request))
    except TooManyAttempts as refusal:
        raise ApiError(429, refusal.code, refusal.message) from None
    except LoginRefused as refusal:
        raise ApiError(401, refusal.code, refusal.message) from None
    session = start_session(request, response, user)  # a new session and CSRF token on every login
    return SessionOut(csrf_token=session.csrf, user=_user_out(user))


@router.get("/session", tags=["phiên đăng nhập"], response_model=SessionOut, operation_id="getSession",
            responses=_answers(200, SESSION_LINKS, 401), summary="Người đang đăng nhập và csrf_token của phiên")
def whoami(request: Request, user: UserDep) -> SessionOut:
    return SessionOut(csrf_token=read_session(request).csrf, user=_user_out(user))


@router.delete("/session", tags=["phiên đăng nhập"], response_model=DoneOut, operation_id="logout",
               responses=_errors(401, 403), summary="Đăng xuất")
def logout(request: Request, response: Response, _user: ChangerDep) -> DoneOut:
    finish_session(request, response)  # the server forgets the session: a copied cookie no longer works
    return DoneOut()


# Rounds (read) ------------------------------------------------------------------------------------

@router.get("/rounds", tags=[ROUNDS_TAG], response_model=list[RoundSummaryOut], operation_id="listRounds",
            responses=_answers(200, _round_links("GetRound", round_id="$response.body#/0/id"), 401, 422),
            summary="Danh sách các đợt, lọc theo trạng thái và phòng")
def rounds(request: Request, _user: UserDep,
           status: Annotated[str | None, Query(
               max_length=100, description="Một trạng thái của một quy trình, quy_trình:trạng_thái (ví dụ "
               "appraisal:preparing); hoặc chỉ tên trạng thái: trạng thái có tên đó ở mọi quy trình có nó. Tên quy "
               "trình và trạng thái: GET /api/workflows. Quy trình hoặc trạng thái không có: 422 status_unknown, "
               "liệt kê các tên hợp lệ")] = None,
           office: Annotated[str | None, Query(max_length=40, description="Mã phòng, ví dụ TĐC")] = None,
           ) -> list[RoundSummaryOut]:
    app = ykien(request)  # a state no kind has or an office the Sở lacks: 422, not an empty list
    return [RoundSummaryOut(id=r.id, title=r.title, workflow=r.workflow, office=r.office, status=r.status,
                            status_title=r.status_title, deadline=r.deadline, answered=r.answered, asked=r.asked,
                            late=r.late, next_timer=r.next_timer, next_timer_at=r.next_timer_at,
                            launched_at=r.launched_at, workflow_title=r.workflow_title,
                            next_timer_title=r.next_timer_title)
            for r in list_rounds(app, *checked_list_filter(app, status or None, office or None))]


@router.get("/rounds/{round_id}", tags=[ROUNDS_TAG], response_model=RoundOut, operation_id="getRound",
            responses=_answers(200, _round_links("GetResponses", "GetAudit", "Launch", "Respond", "Extend", "Remind",
                                                 "Close", bodies={"Respond": FIRST_UNIT, "Extend": FIRST_UNIT}),
                               401, 404, 422),
            summary="Một đợt: số đếm theo trạng thái và bảng tình hình từng đơn vị, theo trang")
def round_detail(request: Request, round_id: RoundId, user: UserDep,
                 page: Annotated[int, Query(ge=1, le=1_000_000, description="Trang của bảng đơn vị (từ 1)")] = 1,
                 per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE,
                                                description="Số đơn vị mỗi trang")] = DEFAULT_PER_PAGE,
                 ) -> RoundOut:
    # Counts from SQL aggregates over every unit, units one page at a time: the cost is that of a page.
    view = round_grid(ykien(request), round_id, page=page, page_size=per_page)
    state = view.state
    units = [UnitOut(unit_code=u.unit_code, unit_name=u.unit_name, role=u.role, email=u.email.value,
                     answer=u.answer.value, deadline=u.deadline, late=u.late, extended=u.extended,
                     counted_as_agreement=u.counted_as_agreement, reminders_sent=u.reminders_sent,
                     first_opened_at=u.first_opened_at, last_opened_at=u.last_opened_at, flags=view.flags(u),
                     answer_label=view.answer_label(u))
             for u in view.units]
    return RoundOut(id=state.id, title=state.title, subject=state.subject, workflow=state.workflow,
                    office=state.office, status=state.status, status_title=view.status_title,
                    deadline=state.deadline, dates=dict(state.dates),
                    silence_is_agreement=view.silence_label is not None,
                    silence_label=view.silence_label, workflow_title=view.workflow_title,
                    draft_version=state.draft_version, launched_at=state.launched_at, closed_at=state.closed_at,
                    today=view.today, counts=view.counts, units=units, units_total=view.total, page=view.page,
                    pages=view.pages, per_page=view.page_size,
                    pending_timers=[TimerOut(name=n, due_at=d, title=view.timer_titles.get(n, n))
                                    for n, d in view.pending_timers],
                    can_change=user.can_change_round(state.office),
                    empty_groups=[EmptyGroupOut(**group.as_data()) for group in view.empty_groups])


@router.get("/rounds/{round_id}/responses", tags=[ROUNDS_TAG], response_model=list[UnitResponseOut],
            operation_id="getRoundResponses", responses=_errors(401, 404, 422),
            summary="Lần trả lời mới nhất của mỗi đơn vị (dự thảo hiện hành)")
def responses(request: Request, round_id: RoundId, _user: UserDep) -> list[UnitResponseOut]:
    return [UnitResponseOut(unit_code=r.unit_code, unit_name=r.unit_name, revision=r.revision, kind=r.kind,
                            received_at=r.received_at, late=r.late, entered_by=r.entered_by, channel=r.channel,
                            note=r.note, attachment_name=r.attachment_name, proposals=list(r.proposals),
                            comments=[CommentOut(section=c.section, text=c.text, proposed_wording=c.proposed_wording)
                                      for c in r.comments])
            for r in _latest_answers(ykien(request), round_id)]


def _latest_answers(app: App, round_id: int) -> list[UnitAnswer]:
    round_brief(app, round_id)  # an unknown round is a 404, not an empty list
    return latest_answers(app, round_id)


@router.get("/rounds/{round_id}/audit", tags=[ROUNDS_TAG], response_model=AuditOut,
            operation_id="getRoundAudit", responses=_errors(401, 404, 422),
            summary="Nhật ký của đợt và kết quả kiểm tra chuỗi băm")
def audit(request: Request, round_id: RoundId, _user: UserDep) -> AuditOut:
    events, broken = audit_trail(ykien(request), round_id)
    return AuditOut(events=[AuditEventOut(seq=e.seq, at=e.at, actor=e.actor, action=e.action, details=e.details,
                                          prev_hash=e.prev_hash, hash=e.hash) for e in events],
                    chain_intact=broken is None,
                    chain_break=ChainBreakOut(seq=broken.seq, reason=broken.reason) if broken else None)


# Rounds (commands) --------------------------------------------------------------------------------

def _deadline(app: App, text: str, field: str) -> tuple[date, int | None]:
    """A date or "N ngày làm việc" from today, within a sane horizon (the calendar is finite)."""
    today = app.clock.now().astimezone(app.tz).date()
    due, working_days = parse_deadline(text, today, app.calendar, field)
    if beyond_horizon(due, today):
        raise InvalidInput(f"{field}: {due:%d/%m/%Y} quá xa: chỉ nhận trong vòng {DATE_HORIZON_YEARS} năm kể từ "
                           "hôm nay.", "deadline_out_of_range")
    return due, working_days


@router.post("/rounds", tags=[ROUNDS_TAG], response_model=CreatedOut, status_code=201,
             operation_id="createRound",
             responses=_answers(201, _round_links("GetRound", "GetAudit", "Launch"), 401, 403, 409, 422),
             summary="Tạo đợt theo một quy trình (chưa gửi)")
def create(request: Request, body: NewRoundIn, user: ChangerDep) -> CreatedOut:
    app = ykien(request)
    if not user.can_create_round():
        raise ApiError(403, "forbidden", "Tài khoản lãnh đạo chỉ được xem, không tạo đợt.")
    if user.role is Role.STAFF and body.office != user.office:
        raise ApiError(403, "forbidden", f"Cán bộ phòng {user.office} chỉ tạo đợt cho phòng mình.")
    due, working_days = _deadline(app, body.deadline, "deadline")
    new = NewRound(
        title=body.title, subject=body.subject or "",  # blank: the kind's default subject
        workflow=body.workflow or default_workflow_name(), office=body.office, deadline=due,
        addressees=tuple(Addressee(tuple(a.units), tuple(a.groups), RecipientRole(a.role))
                         for a in body.addressees if a.units or a.groups),
        contact_name=body.contact_name, contact_title=body.contact_title or None, contact_phone=body.contact_phone,
        signer_name=body.signer_name, signer_title=body.signer_title,
        silence_is_agreement=body.silence_is_agreement, timer_overrides=dict(body.timer_overrides),
        deadline_working_days=working_days, dates=dict(body.dates))
    try:
        round_id = create_round(app, new, user.actor)
    except (WorkflowUnknown, UnitUnknown) as unknown:  # unknown names in the request: bad input, not a refusal
        raise InvalidInput(unknown.message, unknown.code) from None
    return CreatedOut(id=round_id, deadline=due, deadline_working_days=working_days,
                      empty_groups=[EmptyGroupOut(**group.as_data()) for group in empty_groups(app, round_id)])


QUEUED_NOTICE = "Đã ghi nhận; thư nằm trong hộp thư đi và sẽ được gửi ở lần quét tới."


def _command(request: Request, user: StaffUser, round_id: int, event_of: Callable[[RoundBrief], Event],
             deliver: bool = True, run: CommandRunner = run_command) -> CommandOut:
    """Check the user may change the round, apply one event (audited) through `run` (the service's command path),
    then send what it queued (with deliver False, leave it to the delivery sweep: the answer says so)."""
    app = ykien(request)
    brief = _changeable_round(app, user, round_id)
    # mail failing now: a notice, not an error
    return _command_out(round_id, run(app, round_id, event_of(brief), user.actor, deliver=deliver))


def _changeable_round(app: App, user: StaffUser, round_id: int) -> RoundBrief:
    """The round, when `user` may change it; 403 naming why not."""
    brief = round_brief(app, round_id)
    if not user.can_change_round(brief.office):
        who = "Tài khoản lãnh đạo chỉ được xem" if user.role is Role.LEADER else \
            f"Đợt số {round_id} thuộc phòng {brief.office}; cán bộ phòng {user.office} không được thay đổi"
        raise ApiError(403, "forbidden", f"{who}.")
    return brief


def _command_out(round_id: int, result: CommandResult) -> CommandOut:
    state = result.decision.state
    notice = QUEUED_NOTICE if result.mail == MAIL_HELD else result.notice
    return CommandOut(id=round_id, status=state.status,
                      status_title=get_workflow(state.workflow).state_title(state.status),
                      messages=result.queued, mail_notice=notice)


def _command_route(operation_id: str, summary: str, *then: str,
                   bodies: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A round command's route options: its answer links to the operations `then` on the same round."""
    return {"tags": [ROUNDS_TAG], "response_model": CommandOut, "operation_id": operation_id,
            "summary": summary, "responses": _answers(200, _round_links(*then, bodies=bodies), 401, 403, 404, 409, 422)}


@router.post("/rounds/{round_id}/launch", **_command_route(
    "launchRound", "Phát hành: gửi văn bản của đợt tới mọi đơn vị",
    "GetRound", "Respond", "Extend", "Remind", "Close"))
def launch(request: Request, round_id: RoundId, user: ChangerDep, body: LaunchIn | None = None) -> CommandOut:
    # Refused (409, draft_required) when the round's kind needs a draft, it has none and no reason is given, as on
    # the staff pages and the CLI.
    app = ykien(request)
    _changeable_round(app, user, round_id)
    reason = body.no_draft_reason if body is not None else None
    return _command_out(round_id, launch_round(app, round_id, user.actor, reason))


@router.post("/rounds/{round_id}/respond", **_command_route(
    "respondForUnit", "Ghi nhận câu trả lời một đơn vị gửi bằng giấy, điện thoại, thư",
    "GetRound", "GetResponses", "Respond", "Close"))
def respond(request: Request, round_id: RoundId, body: RespondIn, user: ChangerDep) -> CommandOut:
    def event(brief: RoundBrief) -> Event:
        workflow = get_workflow(brief.workflow)
        spec = workflow.response
        kind = ResponseKind(body.kind)
        comments = clean_comments(((c.section, c.text, c.proposed_wording) for c in body.comments), workflow.terms)
        # Forms are read against the kind's fields only for an answer of forms: forms sent with another kind are
        # refused by check_answer for what they are, not field by field against a form the round does not have.
        proposals = clean_proposals(spec, body.proposals) if body.proposals and kind is ResponseKind.PROPOSALS \
            else tuple(body.proposals)
        try:
            check_answer(spec, kind, comments, proposals, workflow.terms)
        except AnswerInvalid as invalid:  # forms refused as such are named by the body's field
            raise InvalidInput("; ".join(f"proposals: {p.message}" if p.field == "proposals" else p.message
                                         for p in invalid.problems), invalid.code) from None
        return Respond(unit_code=body.unit, kind=kind, entered_by=user.actor[:200],
                       channel=ResponseChannel(body.channel), comments=comments, proposals=proposals,
                       note=body.note or None, late_accept=body.late_accept)

    try:  # the receipt waits in the outbox for the delivery sweep: an answer's cost is that of its one unit
        return _command(request, user, round_id, event, deliver=False)
    except Refused as refusal:  # the API names its own field for a late answer
        message = refusal.message
        if refusal.code == "round_closed":
            message += " Gửi kèm late_accept: true để ghi nhận trả lời muộn."
        raise ApiError(409, refusal.code, message) from None


@router.post("/rounds/{round_id}/extend", **_command_route(
    "extendRound", "Gia hạn cho cả đợt hoặc một đơn vị", "GetRound", "Respond", "Remind", "Close"))
def extend(request: Request, round_id: RoundId, body: ExtendIn, user: ChangerDep) -> CommandOut:
    def event(_brief: RoundBrief) -> Event:
        new_deadline, _ = _deadline(ykien(request), body.new_deadline, "new_deadline")
        return Extend(new_deadline, body.unit, body.reason or None)

    # a date the engine refuses is the body's field, not the step: 422 naming it
    return _command(request, user, round_id, event, run=naming_the_date("new_deadline"))


@router.post("/rounds/{round_id}/remind", **_command_route(
    "remindUnits", "Đôn đốc ngay các đơn vị chưa trả lời", "GetRound", "Respond", "Close"))
def remind(request: Request, round_id: RoundId, user: ChangerDep, body: RemindIn | None = None) -> CommandOut:
    units = tuple(body.units) if body is not None and body.units else None
    return _command(request, user, round_id, lambda _brief: Remind(units))


@router.post("/rounds/{round_id}/close", **_command_route(
    "closeRound", "Kết thúc nhận trả lời trước hạn", "GetRound", "GetResponses", "GetAudit", "Respond",
    bodies={"Respond": {"late_accept": True}}))
def close(request: Request, round_id: RoundId, user: ChangerDep, body: CloseIn | None = None) -> CommandOut:
    reason = body.reason if body is not None else None
    return _command(request, user, round_id, lambda _brief: Close(reason or None))


# Directory and workflows --------------------------------------------------------------------------

@router.get("/directory/units", tags=["danh bạ"], response_model=list[DirectoryUnitOut],
            operation_id="listDirectoryUnits",
            responses=_answers(200, _create_link("Tạo đợt gửi tới đơn vị đầu danh sách",
                                                 {"addressees": [{"units": ["$response.body#/0/code"]}]}), 401, 422),
            summary="Các cơ quan, đơn vị trong danh bạ")
def units(request: Request, _user: UserDep,
          group: Annotated[str | None, Query(max_length=60, description="Chỉ một nhóm, ví dụ so-ban-nganh")] = None,
          ) -> list[DirectoryUnitOut]:
    return [DirectoryUnitOut(code=u.code, name=u.name, group=u.group, group_label=u.group_label, email=u.email,
                             contact_person=u.contact_person, phone=u.phone)
            for u in directory_units(ykien(request), group or None)]


@router.get("/workflows", tags=["quy trình"], response_model=list[WorkflowOut], operation_id="listWorkflows",
            responses=_answers(200, _create_link("Tạo đợt theo quy trình đầu danh sách",
                                                 {"workflow": "$response.body#/0/name"}), 401),
            summary="Các quy trình có sẵn: trạng thái, sự kiện, bộ hẹn giờ, mẫu trả lời")
def workflows(_user: UserDep) -> list[WorkflowOut]:
    out = []
    for wf in shipped_workflows().values():
        states = [StateOut(name=name, title=s.title, final=s.final, allows=[str(c) for c in s.allows],
                           events=list(s.transitions),
                           timers=[TimerDefOut(name=t.name, title=t.title or t.name, at=str(t.at),
                                               time=t.time.strftime("%H:%M"), event=t.event)
                                   for t in s.timers])
                  for name, s in wf.states.items()]
        response = ResponseSpecOut(kind=wf.response.kind, allow_agree=wf.response.allow_agree,
                                   fields=[ResponseFieldOut(key=f.key, label=f.label, required=f.required, kind=f.kind,
                                                            options=list(f.options), max_length=f.max_length,
                                                            minimum=f.minimum, maximum=f.maximum)
                                           for f in wf.response.fields])
        out.append(WorkflowOut(name=wf.name, title=wf.title, initial=wf.initial,
                               recipient_roles=[str(r) for r in wf.recipient_roles], response=response, states=states,
                               silence=SilenceOut(agreement=wf.silence.agreement, possible=wf.silence.possible,
                                                  label=wf.silence.label),
                               grace_period=wf.grace_period, terms=wf.terms.model_dump()))
    return out

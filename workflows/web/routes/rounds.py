"""Staff pages of a round: create and preview, the per-unit grid with its actions, timeline, outbox, audit."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from models import limits
from models.errors import DomainError, InvalidInput
from models.rounds import ResponseKind
from models.staff import Role, StaffUser
from models.text import capfirst, grouped, lowfirst, whole_number
from models.unit_status import AnswerStatus, EmailStatus
from workflows.definition import Workflow
from workflows.definition.schema import Capability
from workflows.engine.events import Event, Launch, Remind
from workflows.engine.refusals import what_can_be_done
from workflows.service.app import App
from workflows.service.assignments import round_dates
from workflows.service.attachments import (
    ACCEPT,
    AttachmentRef,
    PendingFiles,
    Upload,
    check_upload,
    clean_filename,
    discard,
    file_inputs,
    open_pending,
    seal_pending,
    shown_size,
    store_for_unit,
    tie_pending,
)
from workflows.service.audit_view import audit_lines
from workflows.service.commands import deliver_decision, mail_notice, run_command, work_pool_of
from workflows.service.directory_edit import directory_by_group
from workflows.service.draft_rounds import (
    RoundLaunched,
    check_no_draft_reason,
    delete_round,
    draft_round,
    edit_round,
    is_draft_round,
    launch_needs_reason,
)
from workflows.service.empty_groups import empty_groups
from workflows.service.errors import FormErrors
from workflows.service.invitation_preview import PLACEHOLDER_LINK, preview_invitation
from workflows.service.jobs import JobControl, JobOutcome, mail_counter, running_job, runs_in_background, start_job
from workflows.service.launch import LetterNotReady, check_letter_ready, launch_round
from workflows.service.offices import office_codes, offices
from workflows.service.outbox_view import (
    KIND_LABELS,
    STATUS_LABELS,
    MessageNotFound,
    kind_labels_of,
    outbox_message,
    outbox_page,
)
from workflows.service.registry import get_workflow, shipped_workflows
from workflows.service.round_contact import CONTACT_FIELDS, kept_warnings
from workflows.service.rounds import NewRound, create_round, default_subject, default_workflow_name
from workflows.service.unit_lookup import UnitChoice, find_answering_unit, search_answering_units, unit_names_of
from workflows.service.views import (
    RoundBrief,
    answer_status_of,
    audit_trail,
    kind_answer_labels,
    latest_answers,
    role_labels,
    round_brief,
    round_details,
    round_grid,
    staff_draft_file,
    unit_count,
    unit_names,
    upcoming,
)
from workflows.web.forms.draft_upload import DraftUpload, check_draft_upload, staged
from workflows.web.forms.page_number import page_number
from workflows.web.forms.round_forms import (
    PAPER_CHANNELS,
    SIGNER_TITLES,
    DeadlineChoice,
    RoundForm,
    check_extend_form,
    check_respond_form,
    check_round_form,
    compute_deadline,
    count_by_role,
    default_policy,
    form_of_round,
    prefilled_subject,
    read_close,
    read_extend_form,
    read_respond_form,
    read_round_form,
)
from workflows.web.pages.round_page import UnitFilter, available_actions, own_columns
from workflows.web.pages.timeline import CHANNEL_LABELS, timeline
from workflows.web.security import (
    Forbidden,
    IdPath,
    check_csrf,
    read_session,
    require_change,
    require_staff,
    ykien,
)
from workflows.web.templating import render

# A 5,000-unit round in one page is 4.7 MB of HTML; filters and pages keep it readable and fast.
GRID_PAGE_SIZE = 200

router = APIRouter(include_in_schema=False)

MAX_FORM_FIELDS = 20_000  # a 5,000-unit grid may tick every unit
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
# {round} and {answer} are the words of the round's kind (its definition's terms).
ACTION_TITLES = {"launch": "Phát hành {round}", "remind": "Đôn đốc các đơn vị chưa trả lời",
                 "extend": "Gia hạn", "respond": "Ghi nhận {answer} nhận bằng văn bản giấy",
                 "close": "Kết thúc nhận {answer} trước hạn"}
FLASH = {
    "launch": "Đã phát hành {round}: {n} thư gửi các cơ quan, đơn vị.",
    "remind": "Đã đôn đốc: {n} thư đôn đốc.",
    "extend": "Đã gia hạn: {n} thư thông báo gia hạn.",
    "respond": "Đã ghi nhận {answer}; {n} thư xác nhận gửi cho đơn vị.",
    "respond_without_forms": "Đã ghi nhận trả lời \"{agreed}\"; {n} thư xác nhận gửi cho đơn vị.",
    "close": "Đã kết thúc nhận {answer}.",
    "created": "Đã tạo bản nháp {round}. Kiểm tra thư gửi đơn vị dưới đây rồi bấm \"Phát hành\".",
    "edited": "Đã lưu bản nháp {round}. Kiểm tra thư gửi đơn vị dưới đây rồi bấm \"Phát hành\".",
}


# --- helpers -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Posted:
    """A submitted form: its text values (repeated fields kept) and the files chosen, read into memory."""

    values: dict[str, list[str]]
    files: dict[str, tuple[str, bytes]]


async def posted_form(request: Request) -> Posted:
    """Check the size, parse the form once with room for large grids, check CSRF as every form does, and
    read the files, so that endpoints run in the thread pool like every other page (they send mail)."""
    limit_mb = ykien(request).settings.max_upload_mb
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > (limit_mb + 2) * 1024 * 1024:  # 2 MB for the form's other fields
        raise HTTPException(413, f"Dữ liệu gửi lên vượt quá giới hạn {limit_mb} MB; không có gì được lưu.")
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=4)
    await check_csrf(request)
    files: dict[str, tuple[str, bytes]] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile) and value.filename:
            files[key] = (value.filename, await value.read())
    return Posted(form_values(form), files)


PostedForm = Depends(posted_form)


def form_values(form: FormData) -> dict[str, list[str]]:
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


def _words(workflow: Workflow) -> dict[str, str]:
    return {"round": workflow.terms.round, "answer": workflow.terms.answer, "agreed": workflow.terms.agreed}


def _without_forms(workflow: Workflow, kind: str) -> bool:
    """Whether an answer of `kind` is the form kind's answer without forms ("Không có đề xuất"): the unit's answer,
    not one of its forms ("phiếu đề xuất")."""
    return kind == ResponseKind.AGREE.value and workflow.response.kind == "proposals" and workflow.response.allow_agree


def _action_title(action: str, workflow: Workflow, values: Mapping[str, list[str]] | None = None) -> str:
    """The action's title in the kind's words; recording a paper answer of a form kind that takes an answer without
    forms names what is recorded: that answer once chosen (`values`), else both."""
    if action == "respond" and _without_forms(workflow, ResponseKind.AGREE.value):
        chosen = ((values or {}).get("kind") or [""])[0]
        if _without_forms(workflow, chosen):
            return "Ghi nhận trả lời \"{agreed}\" nhận bằng văn bản giấy".format(**_words(workflow))
        if chosen != ResponseKind.PROPOSALS.value:
            return "Ghi nhận {answer} hoặc trả lời \"{agreed}\" nhận bằng văn bản giấy".format(**_words(workflow))
    return ACTION_TITLES[action].format(**_words(workflow))


def _flash(request: Request, workflow: Workflow) -> dict[str, str]:
    ok = request.query_params.get("ok", "")
    if ok not in FLASH:
        return {}
    count = request.query_params.get("n", "")
    text = FLASH[ok].format(n=whole_number(count) or 0, **_words(workflow))
    note = mail_notice(request.query_params.get("mail", ""), work_pool_of(ykien(request)))
    return {"flash": f"{text} {note}" if note else text, "flash_kind": "warn" if note else "ok"}


def _today(app: App) -> date:
    return app.clock.now().astimezone(app.tz).date()


def _deadline_view(choice: DeadlineChoice | None) -> dict[str, Any] | None:
    if choice is None:
        return None
    return {"due": choice.due, "weekday": WEEKDAYS[choice.due.weekday()], "working_days": choice.working_days,
            "days_off": [(d, WEEKDAYS[d.weekday()], name) for d, name in choice.days_off]}


# --- create ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Editing:
    """The draft round the create form edits: its number and the draft file it has."""

    round_id: int
    draft_filename: str | None


def _new_round_page(request: Request, user: StaffUser, form: RoundForm, errors: dict[str, str],
                    deadline: DeadlineChoice | None, status: int = 200, notice: str | None = None,
                    editing: Editing | None = None) -> Response:
    """The create form, or a draft's edit (`editing`), which also says which of the draft's groups its letter misses:
    a group with no unit is not offered, so saving leaves it out of the recipients."""
    app = ykien(request)
    groups = directory_by_group(app)
    pairs = [(u.code, g.code) for g in groups for u in g.units]
    counts = count_by_role(form.recipients, pairs)
    workflows = shipped_workflows()
    chosen = workflows.get(form.workflow) or workflows[default_workflow_name()]
    prefills = {prefilled_subject(w) for w in workflows.values()}
    if not form.subject or form.subject in prefills:  # the subject still as prefilled: the chosen kind's
        form = replace(form, subject=prefilled_subject(chosen))
    if form.workflow != chosen.name or not form.policy.choices:
        form = replace(form, workflow=chosen.name, policy=default_policy(chosen))
    return render(request, "round_new.html", {
        "form": form, "errors": errors, "groups": groups, "counts": counts, "total": sum(counts.values()),
        "workflows": workflows, "chosen": chosen, "prefilled": prefilled_subject(chosen),
        "role_labels": role_labels(chosen),
        "silence_on": chosen.silence.possible and (chosen.silence.agreement if form.silence_is_agreement is None
                                                   else form.silence_is_agreement),
        "deadline": _deadline_view(deadline), "signer_titles": SIGNER_TITLES,
        "fixed_office": user.office if user.role is Role.STAFF else None, "offices": offices(app),
        "max_upload_mb": app.settings.max_upload_mb, "notice": notice, "editing": editing,
        "empty_groups": empty_groups(app, editing.round_id) if editing else (),
        "chosen_units": {code for codes in form.recipients.units.values() for code in codes},
        "warnings": _kept_warnings(form, errors) if editing else {},
        "flash": "Biểu mẫu còn lỗi; xem lỗi ghi dưới từng mục." if errors else None, "flash_kind": "error",
    }, status_code=status)


def _kept_warnings(form: RoundForm, errors: dict[str, str]) -> dict[str, str]:
    """A draft's contact fields that hold a value the rules now refuse (kept from before them), each with the rule's
    words, except a field already refused as typed (its error says it)."""
    warnings = kept_warnings({field: getattr(form, field) for field in CONTACT_FIELDS})
    return {field: said for field, said in warnings.items() if field not in errors}


def _guard_create(user: StaffUser) -> None:
    if not user.can_create_round():
        raise Forbidden("Tài khoản lãnh đạo chỉ xem; không tạo được đợt mới.")


@router.get("/rounds/new")
def new_round(request: Request, workflow: str = "", user: StaffUser = Depends(require_staff)) -> Response:
    _guard_create(user)
    app = ykien(request)
    chosen = get_workflow(workflow if workflow in shipped_workflows() else default_workflow_name())
    form = RoundForm(workflow=chosen.name, office=user.office or "", policy=default_policy(chosen),
                     subject=prefilled_subject(chosen))
    deadline = compute_deadline("days", "", form.deadline_days, _today(app), app.calendar)
    return _new_round_page(request, user, form, {}, deadline)


def _form_deadline(app: App, form: RoundForm, today: date) -> tuple[DeadlineChoice | None, dict[str, str]]:
    """The deadline the create/edit form asks for, or what is wrong with it."""
    try:
        return compute_deadline(form.deadline_mode, form.deadline_date, form.deadline_days, today,
                                app.calendar), {}
    except FormErrors as problem:
        return None, dict(problem.errors)


def _document_word(workflow_name: str) -> str:
    """The file a round of this kind sends, inside a sentence ("dự thảo", "hồ sơ thẩm định"); a kind the form does not
    know (the page then says so) is spoken of as a draft."""
    workflow = shipped_workflows().get(workflow_name)
    return lowfirst(workflow.terms.document) if workflow is not None else "dự thảo"


def _checked_round(app: App, form: RoundForm, today: date, upload: tuple[str, bytes] | None,
                   errors: dict[str, str], deadline: DeadlineChoice | None, saved: NewRound | None = None
                   ) -> tuple[NewRound | None, DeadlineChoice | None, DraftUpload | None]:
    """The create/edit form checked against the directory, the offices and the upload limit; what is wrong goes
    into `errors` (a chosen file must be chosen again when anything is wrong: browsers do not keep it). `saved`: the
    draft being edited, whose contact and signer are checked only where the form changes them."""
    groups = directory_by_group(app)
    new = None
    try:
        new, deadline = check_round_form(
            form, today=today, calendar=app.calendar, workflows=shipped_workflows(),
            known_groups=[g.code for g in groups if g.units], known_units=[u.code for g in groups for u in g.units],
            offices=office_codes(app),
            kept={name: getattr(saved, name) for name in CONTACT_FIELDS} if saved is not None else None)
    except FormErrors as problem:
        errors.update(problem.errors)
    draft: DraftUpload | None = None
    if upload is not None:
        try:
            draft = check_draft_upload(upload[0], upload[1], app.settings.max_upload_mb)
        except FormErrors as problem:
            errors.update(problem.errors)
    if (errors or new is None) and upload is not None and "draft" not in errors:
        errors["draft"] = (f"Hãy chọn lại tệp {_document_word(form.workflow)} (trình duyệt không giữ tệp khi biểu mẫu "
                           "còn lỗi).")
    return new, deadline, draft


@router.post("/rounds")
def create(request: Request, posted: Posted = PostedForm, user: StaffUser = Depends(require_staff)) -> Response:
    _guard_create(user)
    app = ykien(request)
    values = posted.values
    upload = posted.files.get("draft")
    form = read_round_form(values, user.office if user.role is Role.STAFF else None, shipped_workflows())
    today = _today(app)
    deadline, deadline_errors = _form_deadline(app, form, today)
    if values.get("action", [""])[0] != "create":  # "Tính hạn" / "Xem trước": show the figures, keep the values
        notice = (f"Tệp {_document_word(form.workflow)} chưa được lưu: hãy chọn lại tệp trước khi tạo."
                  if upload else None)
        return _new_round_page(request, user, form, deadline_errors, deadline, notice=notice)
    errors: dict[str, str] = {}
    new, deadline, draft = _checked_round(app, form, today, upload, errors, deadline)
    if errors or new is None:
        return _new_round_page(request, user, form, errors, deadline, status=422)
    try:
        if draft is None:
            round_id = create_round(app, new, user.actor)
        else:
            with staged(draft) as path:
                round_id = create_round(app, replace(new, draft_path=path), user.actor)
    except (InvalidInput, DomainError) as refusal:
        return _new_round_page(request, user, form, {"form": refusal.message}, deadline, status=422)
    return RedirectResponse(f"/rounds/{round_id}/preview?ok=created", status_code=303)


# --- a draft's edit and removal -----------------------------------------------------------------------------

def _draft_or_409(request: Request, round_id: int, user: StaffUser) -> tuple[RoundBrief, NewRound, Editing]:
    """The draft round's values for its edit: 403 for those who may not change it, 409 once it has gone out."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    try:
        new, details = draft_round(app, round_id)
    except RoundLaunched as launched:
        raise HTTPException(409, launched.message) from None
    return brief, new, Editing(round_id, details.draft_filename)


@router.get("/rounds/{round_id:int}/edit")
def edit_form(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    """The create form, filled with the draft round's values."""
    app = ykien(request)
    _, new, editing = _draft_or_409(request, round_id, user)
    form = form_of_round(new, get_workflow(new.workflow))
    deadline: DeadlineChoice | None = None
    errors: dict[str, str] = {}
    try:
        deadline = compute_deadline(form.deadline_mode, form.deadline_date, form.deadline_days, _today(app),
                                    app.calendar)
    except FormErrors as problem:  # a draft left while its deadline passed: said at once, beside the field
        errors = problem.errors
    return _new_round_page(request, user, form, errors, deadline, editing=editing)


@router.post("/rounds/{round_id:int}/edit")
def edit(request: Request, round_id: IdPath, posted: Posted = PostedForm,
         user: StaffUser = Depends(require_staff)) -> Response:
    """Save a draft round's edit with the checks of create; a new draft file replaces the old one."""
    app = ykien(request)
    brief, saved, editing = _draft_or_409(request, round_id, user)
    values = posted.values
    upload = posted.files.get("draft")
    form = replace(read_round_form(values, user.office if user.role is Role.STAFF else None, shipped_workflows()),
                   workflow=brief.workflow)  # the kind stays
    today = _today(app)
    deadline, errors = _form_deadline(app, form, today)
    if values.get("action", [""])[0] != "save":  # "Tính hạn" / "Xem trước số đơn vị": the figures, values kept
        notice = (f"Tệp {_document_word(form.workflow)} chưa được lưu: hãy chọn lại tệp trước khi lưu."
                  if upload else None)
        return _new_round_page(request, user, form, errors, deadline, notice=notice, editing=editing)
    workflow = get_workflow(brief.workflow)
    if form.subject == default_subject(workflow, saved.title):  # the kind's subject follows a new title
        form = replace(form, subject="")
    new, deadline, draft = _checked_round(app, form, today, upload, errors, deadline, saved)
    if errors or new is None:
        return _new_round_page(request, user, form, errors, deadline, status=422, editing=editing)
    try:
        if draft is None:
            edit_round(app, round_id, new, user.actor)
        else:
            with staged(draft) as path:
                edit_round(app, round_id, replace(new, draft_path=path), user.actor)
    except RoundLaunched as launched:
        raise HTTPException(409, launched.message) from None
    except (InvalidInput, DomainError) as refusal:
        return _new_round_page(request, user, form, {"form": refusal.message}, deadline, status=422,
                               editing=editing)
    return RedirectResponse(f"/rounds/{round_id}/preview?ok=edited", status_code=303)


def _delete_page(request: Request, brief: RoundBrief, status: int = 200, refusal: str | None = None,
                 deleted: bool = False) -> Response:
    app = ykien(request)
    return render(request, "round_delete.html", {
        "brief": brief, "workflow": get_workflow(brief.workflow), "details": round_details(app, brief.id),
        "units": unit_count(app, brief.id) if not deleted else 0, "deleted": deleted,
        "flash": refusal, "flash_kind": "error"}, status_code=status)


@router.get("/rounds/{round_id:int}/delete")
def delete_form(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    """What deleting the draft removes, and the button that does it."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    if not is_draft_round(app, round_id):
        return _delete_page(request, brief, 409, f"Đợt số {round_id} đã phát hành: không xóa được.")
    return _delete_page(request, brief)


@router.post("/rounds/{round_id:int}/delete")
def delete(request: Request, round_id: IdPath, posted: Posted = PostedForm,
           user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    try:
        delete_round(app, round_id, user.actor)
    except DomainError as refused:  # launched, or numbered by the register
        return _delete_page(request, brief, 409, refused.message)
    return render(request, "round_delete.html", {"brief": brief, "workflow": get_workflow(brief.workflow),
                                                 "deleted": True, "flash": f"Đã xóa bản nháp số {round_id}.",
                                                 "flash_kind": "ok"})


@router.get("/rounds/deadline-preview")
def deadline_preview(request: Request, mode: str = "date", on: str = Query("", alias="date"), days: str = "",
                     user: StaffUser = Depends(require_staff)) -> Response:
    """The deadline the create and extend forms would compute, for the small script on those forms."""
    app = ykien(request)
    try:
        choice = compute_deadline(mode, on, days, _today(app), app.calendar)
    except FormErrors as problem:
        return JSONResponse({"ok": False, "error": " ".join(problem.errors.values())})
    return JSONResponse({"ok": True, "due": choice.due.isoformat(), "due_text": choice.due.strftime("%d/%m/%Y"),
                         "weekday": WEEKDAYS[choice.due.weekday()], "working_days": choice.working_days,
                         "days_off": [{"date": d.strftime("%d/%m/%Y"), "name": n} for d, n in choice.days_off]})


@router.get("/rounds/{round_id:int}/units")
def unit_search(request: Request, round_id: IdPath, q: str = "", role: str = "",
                user: StaffUser = Depends(require_staff)) -> Response:
    """The units a form's unit field may name, for its script as staff type: at most SUGGESTIONS, searched in SQL
    by code or name without diacritics or case; the units asked to answer, or with role=any every unit of the round
    (the letter's preview)."""
    found = search_answering_units(ykien(request), round_id, q, every_role=role == "any")
    return JSONResponse({"units": [{"code": code, "name": name} for code, name in found]})


@router.get("/rounds/{round_id:int}/preview")
def invitation_preview(request: Request, round_id: IdPath, unit: str | None = None,
                       user: StaffUser = Depends(require_staff)) -> Response:
    """The letter as one unit will get it: the unit the field names (a code or a name, found in SQL), else the
    first; a unit the round does not have is said at the field, above the first unit's letter."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    preview = preview_invitation(app, round_id, unit)
    workflow = get_workflow(brief.workflow)
    return render(request, "round_preview.html", {
        "errors": {"unit": preview.unit_problem} if preview.unit_problem else {},
        "brief": brief, "preview": preview, "placeholder": PLACEHOLDER_LINK, "details": round_details(app, round_id),
        "workflow": workflow, "can_change": user.can_change_round(brief.office),
        "actions": available_actions(workflow, brief.status), "from_address": app.settings.from_address,
        "draft_round": is_draft_round(app, round_id), "empty_groups": empty_groups(app, round_id),
        **_flash(request, workflow)})


@router.get("/rounds/{round_id:int}/draft")
def staff_draft(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    path = staff_draft_file(app, round_id)
    if path is None:
        raise HTTPException(404, f"Đợt này không có tệp {_document_word(round_brief(app, round_id).workflow)}.")
    return FileResponse(path, filename=path.name)


# --- the round page ----------------------------------------------------------------------------------------

@router.get("/rounds/{round_id:int}")
def round_page(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    unit_filter = UnitFilter.from_query(request.query_params)
    requested = request.query_params.get("page", "1")
    # The counts, the filters and the page come from SQL: the page costs the same for 50 units as for 5,000.
    view = round_grid(app, round_id, unit_filter.grid(), unit_filter.q,
                      page_number(requested), GRID_PAGE_SIZE)
    state = view.state
    workflow = get_workflow(state.workflow)
    page, pages, shown = view.page, view.pages, view.units
    other = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    page_links = [(n, urlencode([*other, ("page", str(n))])) for n in range(1, pages + 1)] if pages > 1 else []
    days_left = None  # counted only while the round takes answers: a round closed early has no days left
    answering_now = workflow.allows(state.status, Capability.ANSWER)
    if answering_now and state.deadline is not None and state.deadline >= view.today:
        days_left = app.calendar.working_days_between(view.today, state.deadline)
    draft_round = state.status == workflow.initial and state.launched_at is None
    details = round_details(app, round_id)
    return render(request, "round_detail.html", {
        "answer_labels": view.answer_labels, "silence_label": view.silence_label, "role_labels": role_labels(workflow),
        "answering_now": answering_now,
        "view": view, "state": state, "workflow": workflow, "details": details,
        "units": shown, "filter": unit_filter, "total": view.total, "days_left": days_left,
        "own_columns": own_columns(app, workflow, round_id, shown),
        "matched": view.matched, "page": page, "page_links": page_links, "first_shown": view.first_shown,
        "can_change": user.can_change_round(state.office), "actions": available_actions(workflow, state.status),
        "draft_round": draft_round,
        "contact_warnings": kept_warnings(_contact_of(details)) if draft_round else {},
        "empty_groups": view.empty_groups,
        "answer_statuses": _answer_statuses(workflow, view.counts), "email_statuses": list(EmailStatus),
        "channels": PAPER_CHANNELS, "channel_labels": CHANNEL_LABELS,
        "extend": read_extend_form({}), "respond": read_respond_form({}, workflow.response), "errors": {},
        "respond_title": _action_title("respond", workflow),
        "respond_files": _respond_files(app, round_id),
        "tab": "units", "dates": round_dates(app, round_id) if workflow.dates else {},
        **_flash(request, workflow)})


def _contact_of(details: Any) -> dict[str, str | None]:
    """The contact fields a round's details hold, by field."""
    return {field: getattr(details, field) for field in CONTACT_FIELDS}


def _tab_context(app: App, round_id: int, user: StaffUser, tab: str) -> dict[str, Any]:
    brief = round_brief(app, round_id)
    workflow = get_workflow(brief.workflow)
    return {"brief": brief, "tab": tab, "can_change": user.can_change_round(brief.office),
            "workflow": workflow, "answer_labels": kind_answer_labels(workflow)}


@router.get("/rounds/{round_id:int}/responses")
def responses_page(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    context = _tab_context(app, round_id, user, "responses")
    answers = latest_answers(app, round_id)
    statuses = {a.unit_code: answer_status_of(context["workflow"], a) for a in answers}  # "declined" apart
    given = Counter(statuses.values())
    # How many units gave each answer, in the grid's order: units that proposed nothing are not "N đơn vị" of forms.
    by_answer = [(context["answer_labels"].get(status.value, status.value), given[status.value])
                 for status in _answer_statuses(context["workflow"], given) if given[status.value]]
    return render(request, "round_responses.html", {**context, "answers": answers, "statuses": statuses,
                                                    "by_answer": by_answer,
                                                    "channel_labels": CHANNEL_LABELS,
                                                    "draft_filename": round_details(app, round_id).draft_filename})


@router.get("/rounds/{round_id:int}/timeline")
def timeline_page(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    context = _tab_context(app, round_id, user, "timeline")
    events, broken = audit_trail(app, round_id)
    entries = timeline(events, unit_names(app, round_id), context["workflow"])
    return render(request, "round_timeline.html", {
        **context, "entries": list(reversed(entries)), "broken": broken, "upcoming": upcoming(app, round_id)})


@router.get("/rounds/{round_id:int}/outbox")
def outbox_list(request: Request, round_id: IdPath, status: str = "", kind: str = "", page: str = "1",
                user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    context = _tab_context(app, round_id, user, "outbox")
    status = status if status in STATUS_LABELS else ""
    offered = kind_labels_of(context["workflow"])
    kind = kind if kind in offered else ""
    result = outbox_page(app, round_id, status or None, kind or None, page_number(page))
    return render(request, "round_outbox.html", {**context, "result": result, "status": status, "kind": kind,
                                                 "kind_labels": offered, "status_labels": STATUS_LABELS})


@router.get("/rounds/{round_id:int}/outbox/{message_id:int}")
def outbox_view(request: Request, round_id: IdPath, message_id: IdPath,
                user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    context = _tab_context(app, round_id, user, "outbox")
    try:
        message = outbox_message(app, round_id, message_id, hide_links=not context["can_change"])
    except MessageNotFound as missing:
        raise HTTPException(404, missing.message) from None
    return render(request, "round_message.html", {**context, "message": message, "kind_labels": KIND_LABELS,
                                                  "status_labels": STATUS_LABELS})


@router.get("/rounds/{round_id:int}/audit")
def audit_page(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    context = _tab_context(app, round_id, user, "audit")
    events, broken = audit_trail(app, round_id)
    names = unit_names(app, round_id)
    return render(request, "round_audit.html", {**context, "broken": broken,
                                                "lines": audit_lines(events, context["workflow"], names, app.tz)})


# --- actions -----------------------------------------------------------------------------------------------

def _letter_problem(app: App, round_id: int) -> LetterNotReady | None:
    """Why the round cannot be launched yet for its letter (service/launch.py), or None."""
    try:
        check_letter_ready(app, round_id)
    except LetterNotReady as problem:
        return problem
    return None


def _action_page(request: Request, round_id: int, action: str, values: dict[str, list[str]],
                 errors: dict[str, str], status: int, message: str | None = None, blank_forms: int = 0,
                 letter_problem: LetterNotReady | None = None) -> Response:
    """The form of one action on its own page, with the values typed and what is wrong (and, when staff asked
    for it, one more blank proposal form). A launch whose letter cannot be written yet says why, and where to fill
    in what it lacks, instead of its form (`letter_problem`, when the caller found it already)."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    workflow = get_workflow(brief.workflow)
    launchable = action == "launch" and action in available_actions(workflow, brief.status)
    if letter_problem is None and launchable:
        letter_problem = _letter_problem(app, round_id)
    return render(request, "round_action.html", {
        "letter_problem": letter_problem,
        "brief": brief, "workflow": workflow, "action": action, "action_title": _action_title(action, workflow, values),
        "actions": available_actions(workflow, brief.status),
        "extend": read_extend_form(values), "respond": read_respond_form(values, workflow.response, blank_forms),
        "close_reason": (values.get("reason") or [""])[0], "errors": errors, "channels": PAPER_CHANNELS,
        "needs_draft_reason": action == "launch" and launch_needs_reason(app, round_id),
        "no_draft_reason": (values.get("no_draft_reason") or [""])[0],
        "channel_labels": CHANNEL_LABELS, "selected": values.get("unit", []),
        "flash": message or ("Biểu mẫu còn lỗi; xem lỗi ghi dưới từng mục." if errors else None), "flash_kind": "error",
        "respond_files": _respond_files(app, round_id),
    }, status_code=status)


def _confirm_page(request: Request, round_id: int, action: str, lines: list[str],
                  values: dict[str, list[str]], sealed: list[str] | None = None) -> Response:
    """The confirmation of an action; `sealed` carries the files stored for it (cancelling discards them). A launch
    says again which groups the letter will not reach, against the directory as it is now, and to how many units it
    goes."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    hidden = [(k, v) for k, vs in values.items() if k not in ("csrf_token", "confirmed", PENDING) for v in vs]
    hidden += [(PENDING, value) for value in sealed or []]
    left_out = empty_groups(app, round_id) if action == "launch" else ()
    recipients = grouped(unit_count(app, round_id)) if left_out else None
    return render(request, "round_confirm.html", {"brief": brief, "action": action, "lines": lines, "hidden": hidden,
                                                  "action_title": _action_title(action, get_workflow(brief.workflow),
                                                                                values),
                                                  "cancel_discards": bool(sealed), "empty_groups": left_out,
                                                  "recipients": recipients})


NAMED = 15  # units a reminder's confirmation names; the others are counted


def _names(units: dict[str, str], codes: list[str], keep: int = NAMED) -> str:
    shown = [units.get(c, c) for c in codes[:keep]]
    more = f" và {len(codes) - keep} đơn vị khác" if len(codes) > keep else ""
    return ", ".join(shown) + more


def _no_draft_reason(app: App, round_id: int, values: dict[str, list[str]], workflow: Workflow) -> str | None:
    """The reason typed for launching without a draft, when the round's kind needs one and it has none; FormErrors
    when it is needed and missing, or too long. The file is named in the kind's word ("hồ sơ thẩm định")."""
    if not launch_needs_reason(app, round_id):
        return None
    document = lowfirst(workflow.terms.document)
    typed = (values.get("no_draft_reason") or [""])[0]
    if problem := limits.text_problem(f"Lý do không kèm {document}", typed, limits.NO_DRAFT_REASON):
        raise FormErrors({"no_draft_reason": problem})
    reason = check_no_draft_reason(typed)
    if reason is None:
        raise FormErrors({"no_draft_reason": f"Đợt chưa có tệp {document}: hãy sửa bản nháp để đính kèm tệp, hoặc "
                                             f"nhập lý do phát hành không kèm {document} (ghi vào nhật ký)."})
    return reason


def _build(app: App, round_id: int, action: str, values: dict[str, list[str]], workflow: Workflow,
           user: StaffUser, files: dict[str, str] | None = None,
           unit: UnitChoice | None = None) -> tuple[Event, list[str]]:
    """The event an action form asks for and the sentences of its confirmation; FormErrors when unusable.
    `files`: the references of the files sent with an answer, by input name; `unit`: the unit the form's unit
    field names (_unit_choice)."""
    if action == "launch":
        reason = _no_draft_reason(app, round_id, values, workflow)
        preview = preview_invitation(app, round_id)
        return Launch(no_draft_reason=reason), [
            f"Gửi thư \"{preview.email.subject}\" tới {unit_count(app, round_id)} cơ quan, đơn vị.",  # the kind's V/v
            f"Hạn trả lời: {preview.deadline:%d/%m/%Y}." if preview.deadline else "",
            f"Không kèm tệp {lowfirst(workflow.terms.document)}. Lý do (ghi vào nhật ký): {reason}" if reason else "",
            "Sau khi phát hành không sửa được nội dung thư đã gửi."]
    if action == "remind":
        everyone = (values.get("all") or [""])[0] == "yes"
        codes = [c for c in dict.fromkeys(values.get("unit", [])) if c]
        if not everyone and not codes:
            raise FormErrors({"unit": "Chưa chọn đơn vị nào để đôn đốc: đánh dấu các đơn vị trong bảng."})
        if everyone:
            return Remind(None), ["Gửi thư đôn đốc tới mọi đơn vị chưa trả lời."]
        named = unit_names_of(app, round_id, codes[:NAMED])  # the names shown, not the round's
        return Remind(tuple(codes)), [f"Gửi thư đôn đốc tới {len(codes)} đơn vị: {_names(named, codes)}.",
                                      "Đơn vị đã trả lời sẽ được bỏ qua."]
    if action == "extend":
        event, choice = check_extend_form(read_extend_form(values), unit, _today(app), app.calendar)
        whom = f"{unit.name} ({event.unit_code})" if event.unit_code and unit else "tất cả đơn vị"
        off = "; ".join(f"{d:%d/%m/%Y} ({name})" for d, name in choice.days_off)
        return event, [f"Gia hạn cho {whom} đến {choice.due:%d/%m/%Y} ({WEEKDAYS[choice.due.weekday()]}).",
                       f"Ngày nghỉ trong khoảng: {off}." if off else "",
                       f"Lý do: {event.reason}", "Đơn vị được gia hạn sẽ nhận thư thông báo gia hạn."]
    if action == "respond":
        form = read_respond_form(values, workflow.response)
        answer = check_respond_form(form, unit, workflow, user.actor, files)
        terms = workflow.terms
        forms = len(answer.proposals)
        what = {"agree": terms.agreed,
                "proposals": f"{forms} {terms.answer}" if forms > 1 else capfirst(terms.answer)
                }.get(answer.kind.value, f"{len(answer.comments)} {terms.answer}")
        # "Không có đề xuất" is no form: recorded as the unit's answer, not as its "phiếu đề xuất"
        without_forms = answer.kind is ResponseKind.AGREE and workflow.response.kind == "proposals"
        lines = [f"Ghi nhận {'trả lời' if without_forms else terms.answer} của {unit.name if unit else ''} "
                 f"({answer.unit_code}), nhận "
                 f"{CHANNEL_LABELS[answer.channel.value]}: {what}.",
                 f"Bạn ({user.actor}) ghi nhận thay mặt đơn vị; nhật ký ghi tên bạn."]
        lines += [f"{c.section + ': ' if c.section else ''}{c.text}"
                  + (f" → đề xuất sửa: {c.proposed_wording}" if c.proposed_wording else "") for c in answer.comments]
        lines += [f"Ghi chú: {answer.note}" if answer.note else "",
                  f"Chấp nhận {terms.answer} gửi sau khi đã kết thúc nhận trả lời." if answer.late_accept else ""]
        return answer, lines
    close = read_close(values)
    return close, [f"Kết thúc nhận {workflow.terms.answer} ngay; các đơn vị chưa trả lời không gửi được "
                   f"{workflow.terms.answer} qua đường dẫn nữa.",
                   f"Lý do: {close.reason}" if close.reason else ""]


@router.get("/rounds/{round_id:int}/{action}")
def action_form(request: Request, round_id: IdPath, action: str, unit: str = "",
                user: StaffUser = Depends(require_staff)) -> Response:
    """One action's form on its own page (e.g. from a unit's row: extend or record its answer)."""
    if action not in ACTION_TITLES or action == "remind":
        raise HTTPException(404, "Không tìm thấy trang.")
    brief = round_brief(ykien(request), round_id)
    require_change(user, brief.office)
    values = {"unit": [unit], "scope": ["unit" if unit else "all"]}
    return _action_page(request, round_id, action, values, {}, 200, _not_now(brief, action))


def _unit_choice(app: App, round_id: int, action: str, values: dict[str, list[str]]) -> UnitChoice | None:
    """The unit an extend or paper-answer form's unit field names (a code or a name, whole or in part), looked up
    in SQL among the round's answering units; None when the form names none (an extension for every unit)."""
    typed = (values.get("unit") or [""])[0].strip()
    if action not in ("extend", "respond") or not typed:
        return None
    if action == "extend" and (values.get("scope") or [""])[0] != "unit":
        return None
    return find_answering_unit(app, round_id, typed)


def _not_now(brief: RoundBrief, action: str) -> str | None:
    """Why the round's state refuses an action now, or None when it accepts it."""
    workflow = get_workflow(brief.workflow)
    if action in available_actions(workflow, brief.status):
        return None
    return (f"Không thể thực hiện \"{_action_title(action, workflow)}\" khi đợt đang ở trạng thái "
            f"\"{workflow.state_title(brief.status)}\".{what_can_be_done(workflow, brief.status)}")


def _launch_work(app: App, round_id: int, actor: str,
                 no_draft_reason: str | None) -> Callable[[JobControl], JobOutcome]:
    """A launch as a background job: the letters prepared (counted as they are queued), then sent (counted in the
    outbox); the round's page with the usual message afterwards."""
    def work(control: JobControl) -> JobOutcome:
        queued = launch_round(app, round_id, actor, no_draft_reason, deliver=False,
                              on_progress=control.step("prepare"))
        control.counted("send", queued.queued, mail_counter(app, round_id))
        result = deliver_decision(app, round_id, queued.decision)
        mail = result.mail if result.notice else ""
        return JobOutcome(f"/rounds/{round_id}?ok=launch&n={result.queued}" + (f"&mail={mail}" if mail else ""))
    return work


@router.post("/rounds/{round_id:int}/{action}")
def act(request: Request, round_id: IdPath, action: str, posted: Posted = PostedForm,
        user: StaffUser = Depends(require_staff)) -> Response:
    """Every action: check, confirm, execute (audited), send what it queued, and go back to the round."""
    if action not in ACTION_TITLES:
        raise HTTPException(404, "Không tìm thấy trang.")
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    values = posted.values
    workflow = get_workflow(brief.workflow)
    refusal = _not_now(brief, action)
    if refusal is not None:
        return _action_page(request, round_id, action, values, {}, 409, refusal)
    unit = _unit_choice(app, round_id, action, values)
    if unit is not None and unit.code is not None:  # what was typed named this unit: its code is carried on
        values = {**values, "unit": [unit.code]}
    if action == "respond":
        return _respond(request, app, round_id, posted, workflow, user, values, unit)
    if action == "launch" and (problem := _letter_problem(app, round_id)) is not None:  # before asking to confirm
        return _action_page(request, round_id, action, values, {}, 409,
                            f"Chưa phát hành, chưa gửi thư nào: {problem.letter} chưa soạn được.",
                            letter_problem=problem)
    try:
        event, lines = _build(app, round_id, action, values, workflow, user, unit=unit)
    except FormErrors as problem:
        if action == "launch" and "no_draft_reason" not in values:  # the first click: ask for the reason
            return _action_page(request, round_id, action, values, {}, 200, problem.errors["no_draft_reason"])
        return _action_page(request, round_id, action, values, problem.errors, 422)
    if (values.get("confirmed") or [""])[0] != "yes":
        return _confirm_page(request, round_id, action, [line for line in lines if line], values)
    if isinstance(event, Launch) and runs_in_background(app, round_id):  # thousands of letters: a progress page
        job_id = running_job(app, round_id, "launch") or start_job(
            app, round_id, "launch", user.actor, _launch_work(app, round_id, user.actor, event.no_draft_reason))
        return RedirectResponse(f"/rounds/{round_id}/jobs/{job_id}", status_code=303)
    try:  # committed first; mail that cannot go out now is a notice on the round's page (commands.py)
        if isinstance(event, Launch):  # a kind that needs a draft: checked again in the use case
            result = launch_round(app, round_id, user.actor, event.no_draft_reason)
        else:
            result = run_command(app, round_id, event, user.actor)
    except DomainError as refused:  # the engine words some refusals for the CLI: no command-line flag here
        return _action_page(request, round_id, action, values, {}, 409, refused.message)
    mail = result.mail if result.notice else ""
    target = f"/rounds/{round_id}?ok={action}&n={result.queued}" + (f"&mail={mail}" if mail else "")
    return RedirectResponse(target, status_code=303)


# --- a paper answer with files ---------------------------------------------------------------------------------

PENDING = "pending_file"  # the confirmation's hidden field carrying a stored file (service/attachments.seal_pending)
FILES_DROPPED = "Các tệp vừa chọn chưa được lưu: vui lòng chọn lại tệp."


def _answer_statuses(workflow: Workflow, counts: Mapping[str, int]) -> list[AnswerStatus]:
    """The answers the grid's filter offers: those a unit of this kind can give (a form, or comments; "agree" only
    where the kind allows it; a refusal apart where its form can decline), the waiting ones, and any the grid counts
    all the same."""
    content = AnswerStatus.PROPOSALS if workflow.response.kind == "proposals" else AnswerStatus.COMMENTS
    given = [AnswerStatus.AGREE] if workflow.response.allow_agree else []
    if workflow.response.decline is not None:
        given.append(AnswerStatus.DECLINED)
    # The answer with content first, then those without ("Có đề xuất", "Không có đề xuất"; "Tham dự", "Không tham
    # dự"), then the units that have not answered.
    offered = [content, *given, AnswerStatus.PENDING, AnswerStatus.SILENT, AnswerStatus.NOT_ASKED]
    return offered + [a for a in AnswerStatus if a not in offered and counts.get(a.value)]


def _respond_files(app: App, round_id: int) -> dict[str, Any]:
    """What the answer form's file inputs say: where a file is downloaded, the size limit, the types taken."""
    return {"url": f"/rounds/{round_id}/attachments/", "max_mb": app.settings.max_upload_mb, "accept": ACCEPT}


def _chosen_files(posted: Posted, workflow: Workflow, limit_mb: int
                  ) -> tuple[dict[str, tuple[str, bytes]], dict[str, str]]:
    """The files chosen for the form's file inputs (other parts ignored), and each one's mistake by input name."""
    inputs = file_inputs(workflow.response)
    chosen = {name: upload for name, upload in posted.files.items() if name in inputs}
    problems = {name: problem.message for name, (filename, content) in chosen.items()
                if (problem := check_upload(name, inputs[name], filename, content, limit_mb)) is not None}
    return chosen, problems


def _with_dropped(message: str | None, dropped: bool) -> str | None:
    if not dropped:
        return message
    return f"{message or 'Biểu mẫu còn lỗi; xem lỗi ghi dưới từng mục.'} {FILES_DROPPED}"


def _respond(request: Request, app: App, round_id: int, posted: Posted, workflow: Workflow,
             user: StaffUser, values: dict[str, list[str]], unit: UnitChoice | None) -> Response:
    """Record a unit's answer received on paper, with the files sent with it. The first post checks the form and
    the files together; only when nothing is wrong are the files stored (untied) and carried, sealed, to the
    confirmation; confirming ties them to the answer in its transaction; cancelling or any refusal discards them.
    A refused form comes back with everything typed (a browser never refills a file input: the page says so).
    `values`: the form, its unit field turned into the code of the unit it names (`unit`)."""
    action = "respond"
    typed = read_respond_form(values)
    unit_code = typed.unit
    takes_files = typed.kind == ResponseKind.PROPOSALS.value  # files belong to forms: none with "agree"
    sealed = values.get(PENDING, [])
    pending = (open_pending(app, read_session(request).csrf, round_id, unit_code, workflow.response, sealed)
               if sealed else PendingFiles())
    if not takes_files:
        discard(app, pending.owned)
        pending = PendingFiles()
    tied = False
    try:
        if "cancel" in values:
            return RedirectResponse(f"/rounds/{round_id}", status_code=303)
        confirmed = (values.get("confirmed") or [""])[0] == "yes"
        # Read with any kind of answer: files chosen with one that takes none ("Không có đề xuất") are refused.
        chosen, file_problems = ({}, {}) if confirmed else _chosen_files(posted, workflow, app.settings.max_upload_mb)
        refusal = _not_now(round_brief(app, round_id), action)
        if refusal is not None:
            return _action_page(request, round_id, action, values, {}, 409,
                                _with_dropped(refusal, bool(sealed) or bool(chosen)))
        if "add_item" in values:  # "Thêm một phiếu": the form again, one blank form more
            return _action_page(request, round_id, action, values, {}, 200, _with_dropped(None, bool(chosen)),
                                blank_forms=1)
        if confirmed:
            files = pending.values
            file_problems = {p.field: p.message for p in pending.problems}
        else:  # checked as if stored: stored only once nothing else is wrong
            files = {name: AttachmentRef(1, clean_filename(filename), shown_size(len(content))).value
                     for name, (filename, content) in chosen.items() if name not in file_problems}
        try:
            event, lines = _build(app, round_id, action, values, workflow, user, files, unit)
        except FormErrors as problem:
            return _refused_files(request, round_id, values, {**problem.errors, **file_problems}, chosen,
                                  bool(sealed))
        if file_problems:
            return _refused_files(request, round_id, values, file_problems, chosen, bool(sealed))
        try:
            if not confirmed:
                return _confirm_with_files(request, app, round_id, values, lines, chosen, unit_code, workflow)
            result = run_command(app, round_id, event, user.actor,
                                 also=lambda uow, decision: tie_pending(uow, pending, decision.responses[-1].revision))
        except (DomainError, InvalidInput) as refused:  # e.g. the round closed, or a file removed meanwhile
            return _action_page(request, round_id, action, values, {}, 409,
                                _with_dropped(refused.message, bool(sealed) or bool(chosen)))
        tied = True
    finally:
        if not tied:
            discard(app, pending.owned)
    mail = result.mail if result.notice else ""
    said = "respond_without_forms" if _without_forms(workflow, typed.kind or "") else action
    target = f"/rounds/{round_id}?ok={said}&n={result.queued}" + (f"&mail={mail}" if mail else "")
    return RedirectResponse(target, status_code=303)


def _refused_files(request: Request, round_id: int, values: dict[str, list[str]], errors: dict[str, str],
                   chosen: dict[str, tuple[str, bytes]], carried: bool) -> Response:
    """The form again with its mistakes; 413 when a chosen file is over the limit (its message says so)."""
    limit = ykien(request).settings.max_upload_mb * 1024 * 1024
    too_large = any(len(content) > limit for _, content in chosen.values())
    return _action_page(request, round_id, "respond", values, errors, 413 if too_large else 422,
                        _with_dropped(None, bool(chosen) or carried))


def _confirm_with_files(request: Request, app: App, round_id: int, values: dict[str, list[str]], lines: list[str],
                        chosen: dict[str, tuple[str, bytes]], unit_code: str, workflow: Workflow) -> Response:
    """The files stored (untied) and the confirmation listing them, each carried as a sealed hidden value."""
    inputs = file_inputs(workflow.response)
    names = list(chosen)
    refs = store_for_unit(app, round_id, unit_code, [Upload(_field_key(name), *chosen[name]) for name in names])
    session_key = read_session(request).csrf
    sealed = [seal_pending(app, session_key, round_id, unit_code, name, ref)
              for name, ref in zip(names, refs, strict=True)]
    lines += [f"Tệp gửi kèm: {ref.shown} — {inputs[name]}." for name, ref in zip(names, refs, strict=True)]
    return _confirm_page(request, round_id, "respond", [line for line in lines if line], values, sealed)


def _field_key(input_name: str) -> str:
    """The field of a file input ("p_budget_file", "p2_budget_file": budget_file; answer_input.proposal_input)."""
    return input_name.partition("_")[2]

"""Assigned tasks on the web: a unit hands in its task on its personal page (/r/<token>/tasks/<task>); staff see
every assignment of a round, assign a task to units, remove one and record a hand-in received on paper
(/rounds/<id>/assignments). Which tasks exist, who may get them and their fields come from the round's definition.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException

from models.errors import DomainError, InvalidInput
from models.rounds import ResponseChannel
from models.staff import StaffUser
from models.text import whole_number
from workflows.definition import ResponseField, Workflow
from workflows.service.answer_input import AnswerInvalid, Problem
from workflows.service.app import App
from workflows.service.assignment_files import hand_in_storing_files
from workflows.service.assignments import (
    assign,
    default_due,
    for_round,
    for_unit,
    round_dates,
    unassign,
)
from workflows.service.attachments import ACCEPT
from workflows.service.directory_edit import directory_by_group
from workflows.service.errors import FormErrors
from workflows.service.recipients import LinkInvalid, recipient_page, unit_actor
from workflows.service.registry import get_workflow
from workflows.service.views import RoundBrief, answering_units, round_brief
from workflows.web.forms.assignment_forms import (
    AssignForm,
    TaskView,
    check_assign_form,
    checked_task_files,
    eligible_units,
    kept_files,
    read_assign_form,
    read_task_values,
    split_field,
    task_fields,
    task_input,
    task_messages,
    task_views,
    tasks_open,
    unit_task_section,
)
from workflows.web.forms.capped_upload import read_capped_form
from workflows.web.forms.posted_files import cut_short, several_files
from workflows.web.forms.round_forms import PAPER_CHANNELS
from workflows.web.pages.timeline import CHANNEL_LABELS
from workflows.web.routes.recipient import CUT_SHORT, READ_AT_MOST, _link_invalid, _notice, _show
from workflows.web.routes.rounds import Posted, PostedForm
from workflows.web.security import IdPath, check_link_csrf, require_change, require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_TASK_FIELDS = 200
ASSIGN_FIELDS = ("unit", "due", "note")  # the assign form's fields a refusal may name
FLASH = {"assigned": "Đã giao nhiệm vụ cho {n} đơn vị.", "removed": "Đã bỏ giao nhiệm vụ.",
         "recorded": "Đã ghi nhận kết quả nhiệm vụ nhận bằng văn bản giấy."}


def _problems(error: InvalidInput | DomainError) -> list[Problem]:
    """What a refused hand-in says, field by field when the service named the fields (a form field's problems);
    a refusal of the whole task ("task: Đợt 1 đã kết thúc ...") has no field."""
    if isinstance(error, AnswerInvalid):
        return list(error.problems)
    if isinstance(error, FormErrors):
        return [Problem(name, message) for name, message in error.errors.items()]
    name, text = split_field(error.message)
    return [Problem("" if name in ("task", "unit") else name, text)]


# --- the unit's page ---------------------------------------------------------------------------------------------

@router.post("/r/{token}/tasks/{task}")
async def hand_in_task(request: Request, token: str, task: str) -> Response:
    """The unit hands in one of its tasks. Whatever is refused (a field missing or too long, a file of the wrong
    type, the round closed for tasks, a task not assigned to it), its page comes back with everything typed and the
    field named; nothing is saved (files stored for a refused hand-in are removed again)."""
    app = ykien(request)
    try:
        page = await run_in_threadpool(recipient_page, app, token)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    brief = await run_in_threadpool(round_brief, app, page.round_id)
    workflow = get_workflow(brief.workflow)
    if task not in workflow.assignments:
        return _notice(request, "Không có nhiệm vụ này", "Đợt này không giao nhiệm vụ này cho quý cơ quan.",
                       404, back=f"/r/{token}")
    fields = task_fields(workflow, task)
    limit = app.settings.max_upload_mb * 1024 * 1024
    try:
        read = await read_capped_form(request, file_cap=limit + 1, max_files=len(fields) + 1,
                                      max_fields=MAX_TASK_FIELDS, body_cap=READ_AT_MOST * limit + 1024 * 1024)
    except MultiPartException:
        return _notice(request, "Biểu mẫu không hợp lệ", "Trình duyệt gửi biểu mẫu không đọc được; vui lòng "
                       "tải lại trang và gửi lại.", 400, back=f"/r/{token}")
    form, sizes = read.form, read.sizes
    try:
        csrf = form.get("csrf_token")
        try:
            check_link_csrf(app, token, csrf if isinstance(csrf, str) else None)
        except HTTPException as refusal:
            return _notice(request, "Biểu mẫu không hợp lệ", str(refusal.detail), 403, back=f"/r/{token}")
        values = {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in form}
        typed = read_task_values(values, task, [f for f in fields if f.kind != "file"])
        places = {task_input(task, f.key): f.label for f in fields if f.kind == "file"}
        # Named p_<key> as the service names a field (task_messages puts each on its input).
        posted = [Problem("p_" + p.field.removeprefix(task_input(task, "")), p.message)
                  for p in several_files(read, places)
                  + cut_short(read, places, app.settings.max_upload_mb, READ_AT_MOST * limit + 1024 * 1024)]
        several = {p.field.removeprefix("p_") for p in posted}
        chosen = {key: file for key, file in (await _chosen_files(form, task, fields, "t")).items()
                  if key not in several}
        problems = posted + checked_task_files(task, fields, chosen, sizes, app.settings.max_upload_mb)
        if read.cut_at is not None and not posted:  # cut outside a file input: the form is not all there
            problems.append(Problem("", CUT_SHORT))
        try:
            if problems:
                raise AnswerInvalid(problems)
            mine = await run_in_threadpool(for_unit, app, page.round_id, page.unit_code)
            kept = kept_files(fields, next((a for a in mine if a.task == task), None))
            await run_in_threadpool(partial(hand_in_storing_files, app, page.round_id, page.unit_code, task, typed,
                                            chosen, kept, ResponseChannel.WEB,
                                            unit_actor(page.unit_name, page.unit_code), page.recipient_id))
        except LinkInvalid as error:
            return _link_invalid(request, error)
        except (InvalidInput, DomainError) as refusal:
            problems = _problems(refusal)
            messages = task_messages(task, [p for p in problems if p.field])
            flash = " ".join(p.message for p in problems if not p.field) or None
            section = await run_in_threadpool(partial(unit_task_section, app, page.round_id, page.unit_code,
                                                      {task: typed}, messages, task, flash))
            return await run_in_threadpool(partial(_show, request, token, page, tasks=section, status_code=422))
    finally:
        await form.close()
    return RedirectResponse(f"/r/{token}?task={task}#task-{task}", status_code=303)


async def _chosen_files(form: FormData, task: str, fields: Iterable[ResponseField],
                        prefix: str) -> dict[str, tuple[str, bytes]]:
    """field key -> (file name, content) of each file field a file was chosen for (an empty one posts no name)."""
    chosen = {}
    for item in fields:
        upload = form.get(task_input(task, item.key, prefix)) if item.kind == "file" else None
        if isinstance(upload, UploadFile) and upload.filename:
            chosen[item.key] = (upload.filename, await upload.read())
    return chosen


# --- staff: the round's assignments ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskKind:
    """One kind of task of the round's definition, with its assignments and the units it may still be given."""

    key: str
    title: str
    participants_title: str
    assigned: tuple[TaskView, ...]
    assignable: dict[str, str]  # code -> name of eligible units not yet given this task
    default_due: date | None  # what the definition gives when staff leave the due date blank

    @property
    def done(self) -> int:
        return sum(1 for t in self.assigned if t.assignment.done)

    @property
    def late(self) -> int:
        return sum(1 for t in self.assigned if t.late)


def _task_kinds(app: App, round_id: int, workflow: Workflow, today: date,
                typed: dict[int, dict[str, str]] | None = None) -> list[TaskKind]:
    recipients = answering_units(app, round_id)
    groups_of = {u.code: g.code for g in directory_by_group(app) for u in g.units}
    eligible = eligible_units(workflow, recipients, groups_of)
    assignments = for_round(app, round_id)
    participants = {p.key: p.title for p in workflow.participants}
    dates = round_dates(app, round_id)
    kinds = []
    for key, spec in workflow.assignments.items():
        mine = [a for a in assignments if a.task == key]
        views = task_views(workflow, mine, today)
        if typed:
            views = tuple(TaskView(v.assignment, v.title, v.fields, v.status, typed.get(v.assignment.id, v.values))
                          for v in views)
        given = {a.unit_code for a in mine}
        kinds.append(TaskKind(key, spec.title, participants.get(spec.participants, spec.participants),
                              tuple(sorted(views, key=lambda v: v.assignment.unit_name)),
                              {c: n for c, n in eligible.get(key, {}).items() if c not in given},
                              _default_due(app, workflow, key, dates)))
    return kinds


def _default_due(app: App, workflow: Workflow, task: str, dates: dict[str, date]) -> date | None:
    """The definition's due date for the task from the round's named dates (None when it counts from the deadline:
    the page does not load the round for it; the use case computes it)."""
    try:
        return default_due(app, workflow, task, None, dates)
    except (InvalidInput, ValueError):
        return None


def _brief_and_workflow(app: App, round_id: int) -> tuple[RoundBrief, Workflow]:
    brief = round_brief(app, round_id)
    workflow = get_workflow(brief.workflow)
    if not workflow.assignments:
        raise HTTPException(404, f"Quy trình \"{workflow.title}\" không giao nhiệm vụ cho đơn vị.")
    return brief, workflow


def _page(request: Request, round_id: int, user: StaffUser, status: int = 200, errors: dict[str, str] | None = None,
          form: AssignForm | None = None, flash: str | None = None, typed: dict[int, dict[str, str]] | None = None,
          record_errors: dict[str, str] | None = None, record_id: int | None = None) -> Response:
    app = ykien(request)
    brief, workflow = _brief_and_workflow(app, round_id)
    today = app.clock.now().astimezone(app.tz).date()
    ok = request.query_params.get("ok", "")
    count = request.query_params.get("n", "")
    notice = FLASH[ok].format(n=whole_number(count) or 0) if ok in FLASH and status == 200 else None
    return render(request, "round_assignments.html", {
        "brief": brief, "workflow": workflow, "tab": "assignments", "kinds": _task_kinds(app, round_id, workflow,
                                                                                          today, typed),
        "can_change": user.can_change_round(brief.office), "open": tasks_open(workflow, brief.status),
        "errors": errors or {}, "form": form or AssignForm(), "record_errors": record_errors or {},
        "record_id": record_id, "channels": PAPER_CHANNELS, "channel_labels": CHANNEL_LABELS,
        "files": {"url": f"/rounds/{round_id}/attachments/", "max_mb": app.settings.max_upload_mb, "accept": ACCEPT},
        "flash": flash or notice or (
            "Biểu mẫu còn lỗi; xem lỗi ghi dưới từng mục." if errors or record_errors else None),
        "flash_kind": "error" if status >= 400 else "ok"}, status_code=status)


@router.get("/rounds/{round_id:int}/assignments")
def assignments_page(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    return _page(request, round_id, user)


@router.post("/rounds/{round_id:int}/assignments")
def assign_task(request: Request, round_id: IdPath, posted: Posted = PostedForm,
                user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    brief, workflow = _brief_and_workflow(app, round_id)
    require_change(user, brief.office)
    form = read_assign_form(posted.values)
    recipients = answering_units(app, round_id)
    groups_of = {u.code: g.code for g in directory_by_group(app) for u in g.units}
    try:
        wanted = check_assign_form(form, workflow, eligible_units(workflow, recipients, groups_of))
        made = assign(app, round_id, wanted.task, list(wanted.units), wanted.due, wanted.note, user.actor)
    except FormErrors as problem:  # a task the kind has not (a forged form) is said above the page
        return _page(request, round_id, user, 422, {"form" if k == "task" else f"{form.task}-{k}": v
                                                    for k, v in problem.errors.items()}, form)
    except (InvalidInput, DomainError) as refusal:  # the use case's checks: "due: ... đã qua", "unit: ..."
        name, text = split_field(refusal.message)
        return _page(request, round_id, user, 422,
                     {f"{form.task}-{name if name in ASSIGN_FIELDS else 'form'}": text}, form)
    return RedirectResponse(f"/rounds/{round_id}/assignments?ok=assigned&n={len(made)}#task-{wanted.task}",
                            status_code=303)


@router.post("/rounds/{round_id:int}/assignments/{assignment_id:int}/remove")
def remove_assignment(request: Request, round_id: IdPath, assignment_id: IdPath, posted: Posted = PostedForm,
                      user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    brief, _ = _brief_and_workflow(app, round_id)
    require_change(user, brief.office)
    try:
        unassign(app, round_id, assignment_id, user.actor)
    except (InvalidInput, DomainError) as refusal:
        return _page(request, round_id, user, 409, flash=refusal.message)
    return RedirectResponse(f"/rounds/{round_id}/assignments?ok=removed", status_code=303)


@router.post("/rounds/{round_id:int}/assignments/{assignment_id:int}/hand-in")
def record_hand_in(request: Request, round_id: IdPath, assignment_id: IdPath, posted: Posted = PostedForm,
                   user: StaffUser = Depends(require_staff)) -> Response:
    """Staff record a task handed in on paper (or by phone, by email) on the unit's behalf, with its files when
    they came; audited in their name. Refused: the page again with the values typed and the field named."""
    app = ykien(request)
    brief, workflow = _brief_and_workflow(app, round_id)
    require_change(user, brief.office)
    unit = (posted.values.get("unit") or [""])[0]  # the row's unit: only its assignments are read
    found = next((a for a in for_unit(app, round_id, unit) if a.id == assignment_id), None) if unit else None
    if found is None:
        raise HTTPException(404, "Không tìm thấy nhiệm vụ đã giao này.")
    prefix = f"a{assignment_id}"
    fields = task_fields(workflow, found.task)
    typed = read_task_values(posted.values, found.task, [f for f in fields if f.kind != "file"], prefix)
    channel = (posted.values.get("channel") or [""])[0]
    if channel not in {c.value for c in PAPER_CHANNELS}:
        return _page(request, round_id, user, 422, typed={assignment_id: typed}, record_id=assignment_id,
                     record_errors={"channel": "Chọn cách nhận: văn bản giấy, thư điện tử hoặc điện thoại."})
    chosen = {f.key: posted.files[task_input(found.task, f.key, prefix)] for f in fields
              if f.kind == "file" and task_input(found.task, f.key, prefix) in posted.files}
    sizes = {task_input(found.task, key, prefix): len(content) for key, (_, content) in chosen.items()}
    try:
        problems = checked_task_files(found.task, fields, chosen, sizes, app.settings.max_upload_mb, prefix)
        if problems:
            raise AnswerInvalid(problems)
        hand_in_storing_files(app, round_id, found.unit_code, found.task, typed, chosen, kept_files(fields, found),
                              ResponseChannel(channel), user.actor)
    except (InvalidInput, DomainError) as refusal:
        problems = _problems(refusal)
        messages = (task_messages(found.task, [p for p in problems if p.field], prefix)
                    or {"form": " ".join(p.message for p in problems)})
        return _page(request, round_id, user, 422, typed={assignment_id: typed}, record_id=assignment_id,
                     record_errors=messages)
    return RedirectResponse(f"/rounds/{round_id}/assignments?ok=recorded#task-{found.task}", status_code=303)

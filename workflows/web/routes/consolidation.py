"""Staff pages after the deadline: triage of the comments (tiếp thu / giải trình), draft versions, the official
documents, the submission package, the UBND decision, a revised draft or a follow-up round, and the exports."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import FileResponse, RedirectResponse, Response

from models.consolidation import HANDLING_LABELS, Handling
from models.errors import DomainError, InvalidInput
from models.staff import StaffUser
from models.text import lowfirst, whole_number
from notifications.pdf import PdfError, pdf_name, pdf_sources, to_pdf
from workflows.definition import Workflow
from workflows.definition.schema import Capability
from workflows.engine.events import Command
from workflows.engine.refusals import GuardFailed
from workflows.service.app import App
from workflows.service.audit_export import audit_export
from workflows.service.commands import MAIL_NOTICES, mail_notice, run_command, work_pool_of
from workflows.service.consolidation import handle_comments, no_triage, triage_items, triages_comments
from workflows.service.documents import (
    DocumentChoice,
    RoundFacts,
    available_documents,
    inputs_of,
    kind_documents,
    render_document,
    set_document_inputs,
    state_documents,
    unit_list_workbook,
)
from workflows.service.drafts import add_version, latest_version, revise_round, versions
from workflows.service.errors import FormErrors
from workflows.service.followup import follow_up_possible, follow_up_refusal, follow_up_round
from workflows.service.jobs import JobControl, JobOutcome, running_job, runs_in_background, start_job
from workflows.service.registry import get_workflow
from workflows.service.render_jobs import start_render
from workflows.service.signed_documents import signed_documents
from workflows.service.submission import package_refusal, submission_packages, submit_round
from workflows.service.views import RoundBrief, round_brief, round_view
from workflows.web.forms.consolidation_forms import (
    ISSUE_EVENT,
    DeadlineForm,
    DecisionForm,
    DocumentInputsForm,
    DraftForm,
    FollowUpForm,
    HandleForm,
    check_deadline_form,
    check_decision_form,
    check_document_inputs_form,
    check_draft_form,
    check_follow_up_form,
    check_handle_form,
    decision_value,
    document_inputs_form,
    read_deadline_form,
    read_decision_form,
    read_document_inputs_form,
    read_draft_form,
    read_follow_up_form,
    read_handle_form,
)
from workflows.web.forms.draft_upload import staged
from workflows.web.forms.round_forms import DeadlineChoice
from workflows.web.pages.consolidation_page import (
    arrival_message,
    can_triage,
    decision_choices,
    handling_counts,
    round_outcome,
    target_state,
    triage_rows,
    unhandled_refusal,
    unit_lists,
)
from workflows.web.routes.rounds import WEEKDAYS, Posted, PostedForm
from workflows.web.security import IdPath, require_change, require_staff, ykien
from workflows.web.templating import render
from workflows.web.warm_pdf import warm_pdf_address

router = APIRouter(include_in_schema=False)

CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
}
TITLES = {"complete": "Hoàn thành tổng hợp ý kiến", "decision": "Ghi nhận quyết định của UBND tỉnh",
          "revise": "Soạn dự thảo mới", "follow-up": "Lấy ý kiến lại"}
# Flash messages after an action; an action that moves the round redirects with ?ok=<the state it reached>,
# and the message comes from the definition (arrival_message).
FLASH = {
    "handled": "Đã ghi cách xử lý cho {n} ý kiến.",
    "uploaded": "Đã lưu {document} phiên bản {n}; các phiên bản cũ được giữ nguyên.",
    "revised": "Đợt đã trở về soạn thảo với {document} phiên bản {n}. Tải lên tệp {document} đã sửa nếu chưa có.",
    "inputs": "Đã lưu thông tin cho văn bản.",
}


# --- helpers -----------------------------------------------------------------------------------------------

def _today(app: App) -> date:
    return app.clock.now().astimezone(app.tz).date()


def _flash(request: Request, workflow: Workflow) -> dict[str, str]:
    ok = request.query_params.get("ok", "")
    note = mail_notice(request.query_params.get("mail", ""), work_pool_of(ykien(request)))
    if ok in FLASH:
        count = request.query_params.get("n", "")
        document = workflow.terms.document[:1].lower() + workflow.terms.document[1:]
        text: str | None = FLASH[ok].format(n=whole_number(count) or 0, document=document)
    else:
        text = arrival_message(workflow, ok) if ok else None
    if note:  # the step is recorded; its mail waits for the next sweep (service/commands.py)
        return {"flash": f"{text} {note}" if text else note, "flash_kind": "warn"}
    return {"flash": text, "flash_kind": "ok"} if text else {}


def _mail(flag: str) -> str:
    """The `mail` query parameter that carries a command's mail notice (CommandResult.mail) to the next page."""
    return f"&mail={flag}" if flag in MAIL_NOTICES else ""


def _confirmed(values: dict[str, list[str]]) -> bool:
    return (values.get("confirmed") or [""])[0] == "yes"


def _context(app: App, round_id: int, user: StaffUser, tab: str) -> dict[str, Any]:
    brief = round_brief(app, round_id)
    return {"brief": brief, "tab": tab, "can_change": user.can_change_round(brief.office),
            "workflow": get_workflow(brief.workflow)}


def _confirm_page(request: Request, brief: RoundBrief, action: str, lines: list[str], values: dict[str, list[str]],
                  back: str, danger: bool = False, title: str | None = None) -> Response:
    hidden = [(k, v) for k, vs in values.items() if k not in ("csrf_token", "confirmed") for v in vs]
    return render(request, "consolidation_confirm.html", {
        "brief": brief, "action_url": f"/rounds/{brief.id}/{action}", "action_title": title or TITLES[action],
        "lines": [line for line in lines if line], "hidden": hidden, "back": back, "danger": danger})


def _download(content: bytes, filename: str) -> Response:
    """Generated files have ASCII names; the type follows the suffix."""
    media = CONTENT_TYPES.get(Path(filename).suffix.lower(), "application/octet-stream")
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _deadline_line(choice: DeadlineChoice) -> str:
    off = "; ".join(f"{d:%d/%m/%Y} ({name})" for d, name in choice.days_off)
    return (f"Hạn trả lời: {choice.due:%d/%m/%Y} ({WEEKDAYS[choice.due.weekday()]})."
            + (f" Ngày nghỉ trong khoảng: {off}." if off else ""))


# --- triage ------------------------------------------------------------------------------------------------

def _triage_page(request: Request, round_id: int, user: StaffUser, form: HandleForm | None = None,
                 errors: dict[str, str] | None = None, status: int = 200, message: str | None = None,
                 unhandled_listed: bool = False) -> Response:
    app = ykien(request)
    kind = get_workflow(round_brief(app, round_id).workflow)
    if kind.response.sections:  # consolidated heading by heading (routes/report_headings.py)
        return RedirectResponse(f"/rounds/{round_id}/consolidation/headings", status_code=303)
    if not triages_comments(kind):  # no tab leads here: an address typed or kept from another kind's round
        raise no_triage(kind)
    context = _context(app, round_id, user, "consolidation")
    view = round_view(app, round_id)
    items = triage_items(app, round_id)
    rows = triage_rows(items)
    show = request.query_params.get("show", "")
    if form is not None:
        show = ""  # a form that comes back shows every row, so the ticks typed stay visible
    shown = [r for r in rows if r.item.decision is None] if show == "unhandled" else rows
    workflow = context["workflow"]
    errors = errors or {}
    flash = _flash(request, workflow)
    if message or errors:
        flash = {"flash": message or "Biểu mẫu còn lỗi; xem lỗi ghi dưới từng mục.", "flash_kind": "error"}
    return render(request, "consolidation_triage.html", {
        **context, "state": view.state, "rows": shown, "total": len(rows), "show": show,
        "counts": handling_counts(items), "lists": unit_lists(view.units),
        "answering_now": workflow.allows(view.state.status, Capability.ANSWER),
        "unhandled": [r for r in rows if r.item.decision is None] if unhandled_listed else [],
        "can_handle": context["can_change"] and can_triage(workflow, view.state.status) and bool(rows),
        "can_complete": context["can_change"] and "consolidate" in workflow.state(view.state.status).transitions,
        "outcome": round_outcome(view.state), "handlings": list(Handling), "handling_labels": HANDLING_LABELS,
        "form": form or HandleForm(), "ticked": set((form or HandleForm()).comments), "errors": errors,
        **flash}, status_code=status)


@router.get("/rounds/{round_id:int}/consolidation")
def consolidation_page(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    return _triage_page(request, round_id, user)


@router.post("/rounds/{round_id:int}/consolidation/handle")
def handle(request: Request, round_id: IdPath, posted: Posted = PostedForm,
           user: StaffUser = Depends(require_staff)) -> Response:
    """One handling for the ticked comments (several units' identical comments share it); audited."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    form = read_handle_form(posted.values)
    workflow = get_workflow(brief.workflow)
    if not can_triage(workflow, brief.status):
        title = workflow.state_title(brief.status)
        return _triage_page(request, round_id, user, form, status=409,
                            message=f"Không thể xử lý ý kiến khi đợt đang ở trạng thái \"{title}\".")
    try:
        choice = check_handle_form(form, [i.comment_id for i in triage_items(app, round_id)])
    except FormErrors as problem:
        return _triage_page(request, round_id, user, form, problem.errors, 422)
    try:
        handle_comments(app, round_id, choice.comment_ids, choice.decision.value, choice.explanation, user.actor)
    except (DomainError, InvalidInput) as refusal:
        return _triage_page(request, round_id, user, form, status=409, message=refusal.message)
    show = "&show=unhandled" if (posted.values.get("show") or [""])[0] == "unhandled" else ""
    return RedirectResponse(f"/rounds/{round_id}/consolidation?ok=handled&n={len(choice.comment_ids)}{show}",
                            status_code=303)


@router.post("/rounds/{round_id:int}/consolidation/complete")
def complete(request: Request, round_id: IdPath, posted: Posted = PostedForm,
             user: StaffUser = Depends(require_staff)) -> Response:
    """Hoàn thành tổng hợp: refused, with the list of the unhandled comments, while one is left."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    workflow = get_workflow(brief.workflow)
    if "consolidate" not in workflow.state(brief.status).transitions:
        return _triage_page(request, round_id, user, status=409,
                            message=f"Không thể hoàn thành tổng hợp khi đợt đang ở trạng thái "
                                    f"\"{workflow.state(brief.status).title}\".")
    items = triage_items(app, round_id)
    pending = [i for i in items if i.decision is None]
    if pending:
        return _triage_page(request, round_id, user, status=409, message=unhandled_refusal(len(pending)),
                            unhandled_listed=True)
    target = target_state(workflow, brief.status, "consolidate") or brief.status
    if not _confirmed(posted.values):
        counts = handling_counts(items)
        summary = ", ".join(f"{HANDLING_LABELS[h].lower()}: {counts[h.value]}" for h in Handling if counts[h.value])
        return _confirm_page(request, brief, "complete", [
            f"{len(items)} ý kiến đã được xử lý" + (f" ({summary})." if summary else "."),
            f"Đợt chuyển sang trạng thái \"{workflow.state_title(target)}\""
            + ("." if workflow.allows(target, Capability.TRIAGE) else "; sau đó không sửa được cách xử lý ý kiến."),
            "Văn bản có ở trạng thái đó (mục \"Văn bản\"): "
            + "; ".join(d.title for d in workflow.documents_in(target).values()) + "."],
            posted.values, f"/rounds/{round_id}/consolidation")
    try:
        result = run_command(app, round_id, Command("consolidate"), user.actor)
    except GuardFailed as refusal:
        return _triage_page(request, round_id, user, status=409, message=refusal.message,
                            unhandled_listed=refusal.code == "comments_unhandled")
    except DomainError as refusal:
        return _triage_page(request, round_id, user, status=409, message=refusal.message)
    return RedirectResponse(f"/rounds/{round_id}/documents?ok={result.decision.state.status}{_mail(result.mail)}",
                            status_code=303)


# --- draft versions ----------------------------------------------------------------------------------------

def _drafts_page(request: Request, round_id: int, user: StaffUser, form: DraftForm | None = None,
                 errors: dict[str, str] | None = None, status: int = 200) -> Response:
    app = ykien(request)
    context = _context(app, round_id, user, "drafts")
    errors = errors or {}
    flash = _flash(request, context["workflow"])
    if errors:
        document = context["workflow"].terms.document
        flash = {"flash": f"Chưa lưu được {document[:1].lower()}{document[1:]}: " + " ".join(errors.values()),
                 "flash_kind": "error"}
    return render(request, "consolidation_drafts.html", {
        **context, "versions": list(reversed(versions(app, round_id))), "form": form or DraftForm(),
        "errors": errors, "max_upload_mb": app.settings.max_upload_mb, **flash}, status_code=status)


@router.get("/rounds/{round_id:int}/drafts")
def drafts_page(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    return _drafts_page(request, round_id, user)


@router.post("/rounds/{round_id:int}/drafts")
def upload_draft(request: Request, round_id: IdPath, posted: Posted = PostedForm,
                 user: StaffUser = Depends(require_staff)) -> Response:
    """A new version (DOCX or PDF, checked by content and size); the versions before it stay."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    form = read_draft_form(posted.values)
    try:
        new = check_draft_form(form, posted.files.get("draft"), app.settings.max_upload_mb,
                               lowfirst(get_workflow(brief.workflow).terms.document))
    except FormErrors as problem:
        return _drafts_page(request, round_id, user, form, problem.errors, 422)
    try:
        with staged(new.upload) as path:
            version = add_version(app, round_id, path, new.sections, new.note, user.actor)
    except (InvalidInput, DomainError) as refusal:
        return _drafts_page(request, round_id, user, form, {"draft": refusal.message}, 422)
    return RedirectResponse(f"/rounds/{round_id}/drafts?ok=uploaded&n={version}", status_code=303)


@router.get("/rounds/{round_id:int}/drafts/{version:int}")
def download_draft(request: Request, round_id: IdPath, version: IdPath,
                   user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    found = next((v for v in versions(app, round_id) if v.version == version), None)
    if found is None or not found.path.is_file():
        document = lowfirst(get_workflow(round_brief(app, round_id).workflow).terms.document)
        raise HTTPException(404, f"Không có tệp {document} phiên bản {version} của đợt này.")
    media = CONTENT_TYPES.get(found.path.suffix.lower(), "application/octet-stream")
    return FileResponse(found.path, media_type=media, filename=found.filename)


# --- documents, submission, decision -----------------------------------------------------------------------

def _documents_page(request: Request, round_id: int, user: StaffUser, *, decision: DecisionForm | None = None,
                    revise: DeadlineForm | None = None, follow_up: FollowUpForm | None = None,
                    inputs: DocumentInputsForm | None = None, errors: dict[str, dict[str, str]] | None = None,
                    status: int = 200, message: str | None = None) -> Response:
    app = ykien(request)
    context = _context(app, round_id, user, "documents")
    facts = RoundFacts(app, round_id)
    state = facts.state
    workflow: Workflow = context["workflow"]
    documents = state_documents(app, round_id, facts)
    package = workflow.package(state.status)
    by_key = {d.key: d for d in documents}
    every = {d.key: d for d in kind_documents(facts)} if package is not None else {}
    package_documents = [by_key.get(key) or every[key] for key in package.documents] if package is not None else []
    errors = errors or {}
    flash = _flash(request, workflow)
    if message or any(errors.values()):
        flash = {"flash": message or "Biểu mẫu còn lỗi; xem lỗi ghi dưới từng mục.", "flash_kind": "error"}
    follow = follow_up_possible(workflow, state)
    return render(request, "consolidation_documents.html", {
        **context, "state": state, "status_title": workflow.state_title(state.status),
        "documents": [d for d in documents if d.ready], "waiting": [d for d in documents if not d.ready],
        "pdfs": {source: name for name, source in pdf_sources([d.filename for d in documents if d.ready]).items()},
        "packages": submission_packages(app, round_id), "outcome": round_outcome(state),
        # The draft versions on file: a round may go out without a draft, and its package then names none.
        "stored_drafts": {version.version for version in versions(app, round_id)},
        "package": package, "package_documents": package_documents,
        "choices": decision_choices(workflow, state.status),
        "can_revise": workflow.allows(state.status, Capability.REVISE),
        "can_follow_up": follow, "units": facts.units if follow else [],
        "decision": decision or DecisionForm(outcome=decision_value(ISSUE_EVENT)),
        "revise": revise or DeadlineForm(wanted=False),
        "follow_up": follow_up or FollowUpForm(units=tuple(u.unit_code for u in facts.units)),
        "input_specs": inputs_of(workflow, workflow.documents_in(state.status)),
        "inputs": inputs or document_inputs_form(facts.inputs), "legal_bases": list(facts.details.legal_bases),
        "numbers": facts.numbers, "numbered": {key for key, d in workflow.documents.items() if d.numbered},
        "signed": signed_documents(app, round_id), "just_signed": request.query_params.get("signed"),
        "errors": errors, **flash}, status_code=status)


@router.get("/rounds/{round_id:int}/documents")
def documents_page(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    warm_pdf_address(request)  # LibreOffice started as staff come to the page of the PDFs and signing, not before
    return _documents_page(request, round_id, user)


@router.get("/rounds/{round_id:int}/documents/{filename}")
def download_document(request: Request, round_id: IdPath, filename: str,
                      user: StaffUser = Depends(require_staff)) -> Response:
    """A document of the round's current state, or a submission package as it was stored."""
    app = ykien(request)
    package = next((p for p in submission_packages(app, round_id) if p.filename == filename), None)
    if package is not None:
        if not package.path.is_file():
            raise HTTPException(404, f"Không tìm thấy tệp hồ sơ {filename} trong thư mục lưu trữ.")
        return FileResponse(package.path, media_type=CONTENT_TYPES[".zip"], filename=package.filename)
    try:
        document = render_document(app, round_id, filename)
    except DomainError as refusal:
        raise HTTPException(409, refusal.message) from None
    if document is None:
        raise HTTPException(404, "Văn bản này không có ở trạng thái hiện tại của đợt.")
    return _download(document.content, document.filename)


@router.get("/rounds/{round_id:int}/pdf/{filename}")
def download_document_pdf(request: Request, round_id: IdPath, filename: str,
                          user: StaffUser = Depends(require_staff)) -> Response:
    """`<name>.pdf`: the PDF/A-2b of the document of the round's current state it is made from (`pdf_sources`: the
    DOCX, or the XLSX that has no DOCX of its name), built as the document's own route builds it, then converted by
    LibreOffice (kept warm by `ykien serve`). Without LibreOffice, a page saying how to install it (503)."""
    if Path(filename).suffix.lower() != ".pdf":
        raise HTTPException(404, "Không có bản PDF này.")
    app = ykien(request)
    source = pdf_sources([d.filename for d in available_documents(app, round_id)]).get(filename)
    if source is None:
        raise HTTPException(404, "Văn bản này không có ở trạng thái hiện tại của đợt.")
    address = warm_pdf_address(request)
    if runs_in_background(app, round_id):  # a table of thousands of units takes LibreOffice a minute: a progress page
        job_id = start_render(app, round_id, filename, user.actor, address)
        return RedirectResponse(f"/rounds/{round_id}/jobs/{job_id}", status_code=303)
    try:
        document = render_document(app, round_id, source)
    except DomainError as refusal:
        raise HTTPException(409, refusal.message) from None
    if document is None:
        raise HTTPException(404, "Văn bản này không có ở trạng thái hiện tại của đợt.")
    try:
        pdf = to_pdf(document.content, document.filename, address)
    except PdfError as problem:
        raise HTTPException(503, problem.message) from None
    return _download(pdf, pdf_name(document.filename))


@router.post("/rounds/{round_id:int}/document-inputs")
def save_document_inputs(request: Request, round_id: IdPath, posted: Posted = PostedForm,
                         user: StaffUser = Depends(require_staff)) -> Response:
    """What the documents need and the data does not hold: the report's own V/v, the reasons, the Ministry
    letter answered, the call's number, where proposals are sent."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    form = read_document_inputs_form(posted.values)
    try:
        values = check_document_inputs_form(form)
        set_document_inputs(app, round_id, values, user.actor)
    except FormErrors as problem:
        return _documents_page(request, round_id, user, inputs=form, errors={"inputs": problem.errors}, status=422)
    except DomainError as refusal:
        return _documents_page(request, round_id, user, inputs=form, status=409, message=refusal.message)
    return RedirectResponse(f"/rounds/{round_id}/documents?ok=inputs#inputs", status_code=303)


def _package_lines(package_documents: list[DocumentChoice]) -> str:
    """The package's documents in one sentence, each title as it reads inside a sentence."""
    parts = []
    for document in package_documents:
        title = document.title[:1].lower() + document.title[1:]
        parts.append(f"{title}: {document.detail}" if document.detail else title)
    return "Hồ sơ gồm: " + "; ".join(parts) + "."


@router.post("/rounds/{round_id:int}/submission")
def submit(request: Request, round_id: IdPath, posted: Posted = PostedForm,
           user: StaffUser = Depends(require_staff)) -> Response:
    """The package of the round's state (the definition's `package:`): built and stored, and the round moves
    on, once."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    facts = RoundFacts(app, round_id)
    workflow = facts.workflow
    package = workflow.package(facts.state.status)
    if package is None:
        return _documents_page(request, round_id, user, status=409,
                               message=package_refusal(workflow, facts.state).message)
    every = {c.key: c for c in kind_documents(facts)}
    contents = [every[key] for key in package.documents]
    waiting = next((c for c in contents if not c.ready), None)
    if waiting is not None and waiting.not_ready is not None:
        return _documents_page(request, round_id, user, status=409, message=waiting.not_ready.message)
    if not _confirmed(posted.values):
        target = target_state(workflow, brief.status, package.event) or brief.status
        return _confirm_page(request, brief, "submission", [
            _package_lines(contents), f"Đợt chuyển sang trạng thái \"{workflow.state_title(target)}\".",
            "Hồ sơ chỉ lập một lần; không lập lại được."], posted.values, f"/rounds/{round_id}/documents",
            title=package.title)
    if runs_in_background(app, round_id):  # documents of thousands of units: a progress page
        job_id = running_job(app, round_id, "submission") or start_job(
            app, round_id, "submission", user.actor, _submission_work(app, round_id, user.actor))
        return RedirectResponse(f"/rounds/{round_id}/jobs/{job_id}", status_code=303)
    try:
        submitted = submit_round(app, round_id, user.actor)
    except DomainError as refusal:
        return _documents_page(request, round_id, user, status=409, message=refusal.message)
    status = round_brief(app, round_id).status
    return RedirectResponse(f"/rounds/{round_id}/documents?ok={status}{_mail(submitted.mail)}",
                            status_code=303)


def _submission_work(app: App, round_id: int, actor: str) -> Callable[[JobControl], JobOutcome]:
    """The package as a background job, counted document by document; the documents tab afterwards."""
    def work(control: JobControl) -> JobOutcome:
        submitted = submit_round(app, round_id, actor, on_progress=control.step("build"))
        status = round_brief(app, round_id).status
        return JobOutcome(f"/rounds/{round_id}/documents?ok={status}{_mail(submitted.mail)}")
    return work


@router.post("/rounds/{round_id:int}/decision")
def decide(request: Request, round_id: IdPath, posted: Posted = PostedForm,
           user: StaffUser = Depends(require_staff)) -> Response:
    """UBND tỉnh issued the plan (number and date) or returned it (reason)."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    form = read_decision_form(posted.values)
    workflow = get_workflow(brief.workflow)
    choices = {c.event: c for c in decision_choices(workflow, brief.status)}
    if not choices:
        return _documents_page(request, round_id, user, decision=form, status=409,
                               message=f"Chỉ ghi nhận quyết định của UBND tỉnh khi đợt đã trình; đợt đang ở "
                                       f"trạng thái \"{workflow.state_title(brief.status)}\".")
    try:
        command = check_decision_form(form, _today(app))
    except FormErrors as problem:
        return _documents_page(request, round_id, user, decision=form, errors={"decision": problem.errors},
                               status=422)
    if not _confirmed(posted.values):
        choice = choices.get(command.name)
        moves = (f"Đợt chuyển sang trạng thái \"{choice.label}\"" + (" và kết thúc." if choice.final else ".")
                 if choice is not None else "")
        if command.name == ISSUE_EVENT:
            issued_on = date.fromisoformat(command.data["date"])
            lines = [f"UBND tỉnh đã ban hành: số {form.number}, ngày {issued_on:%d/%m/%Y}.", moves]
        else:
            lines = [f"UBND tỉnh trả lại {lowfirst(workflow.terms.document)}. Lý do: {form.reason}", moves]
        return _confirm_page(request, brief, "decision", lines, posted.values, f"/rounds/{round_id}/documents")
    try:
        result = run_command(app, round_id, command, user.actor)
    except DomainError as refusal:
        return _documents_page(request, round_id, user, decision=form, status=409, message=refusal.message)
    return RedirectResponse(f"/rounds/{round_id}/documents?ok={result.decision.state.status}{_mail(result.mail)}",
                            status_code=303)


@router.post("/rounds/{round_id:int}/revise")
def revise(request: Request, round_id: IdPath, posted: Posted = PostedForm,
           user: StaffUser = Depends(require_staff)) -> Response:
    """Soạn dự thảo mới: the returned round goes back to drafting on the next draft version."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    form = read_deadline_form(posted.values, optional=True)
    workflow = get_workflow(brief.workflow)
    document = lowfirst(workflow.terms.document)
    if not workflow.allows(brief.status, Capability.REVISE):
        refusal = (f"Chỉ soạn {document} mới khi {document} bị UBND tỉnh trả lại."
                   if workflow.states_allowing(Capability.REVISE) else
                   f"Quy trình \"{workflow.title}\" không có bước soạn {document} mới.")
        return _documents_page(request, round_id, user, revise=form, status=409, message=refusal)
    try:
        deadline = check_deadline_form(form, _today(app), app.calendar)
    except FormErrors as problem:
        return _documents_page(request, round_id, user, revise=form, errors={"revise": problem.errors}, status=422)
    if not _confirmed(posted.values):
        latest = latest_version(app, round_id)
        version = max(brief.draft_version + 1, latest.version if latest else 0)
        named = workflow.terms.document
        adopted = (f"{named} phiên bản {version}: tệp {latest.filename} đã tải lên."
                   if latest and latest.version == version else
                   f"{named} phiên bản {version}: chưa có tệp; tải lên trong mục \"{named}\".")
        target = target_state(workflow, brief.status, "revise") or brief.status
        return _confirm_page(request, brief, "revise", [
            f"Đợt trở về trạng thái \"{workflow.state_title(target)}\"; các ý kiến của phiên bản "
            f"{brief.draft_version} được giữ trong lịch sử.", adopted,
            _deadline_line(deadline) if deadline else "Giữ hạn trả lời cũ (có thể sửa khi phát hành lại)."],
            posted.values, f"/rounds/{round_id}/documents")
    try:
        result = revise_round(app, round_id, deadline.due if deadline else None, user.actor)
    except DomainError as refusal:
        return _documents_page(request, round_id, user, revise=form, status=409, message=refusal.message)
    return RedirectResponse(f"/rounds/{round_id}/drafts?ok=revised&n={result.decision.state.draft_version}"
                            f"{_mail(result.mail)}", status_code=303)


@router.post("/rounds/{round_id:int}/follow-up")
def follow_up(request: Request, round_id: IdPath, posted: Posted = PostedForm,
              user: StaffUser = Depends(require_staff)) -> Response:
    """Lấy ý kiến lại: a new round (not launched) on the latest draft, to all or some of this round's units."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    require_change(user, brief.office)
    form = read_follow_up_form(posted.values)
    view = round_view(app, round_id)
    workflow = get_workflow(brief.workflow)
    if not follow_up_possible(workflow, view.state):
        return _documents_page(request, round_id, user, follow_up=form, status=409,
                               message=follow_up_refusal(workflow).message)
    units = {u.unit_code: u.unit_name for u in view.units}
    try:
        codes, deadline = check_follow_up_form(form, units, _today(app), app.calendar)
    except FormErrors as problem:
        return _documents_page(request, round_id, user, follow_up=form, errors={"follow_up": problem.errors},
                               status=422)
    if not _confirmed(posted.values):
        chosen = codes if codes is not None else list(units)
        names = ", ".join(units[c] for c in chosen[:15]) + (f" và {len(chosen) - 15} đơn vị khác"
                                                             if len(chosen) > 15 else "")
        latest = latest_version(app, round_id)
        return _confirm_page(request, brief, "follow-up", [
            f"Tạo {workflow.terms.round} mới (bản nháp, chưa gửi thư) trên dự thảo "
            + (f"phiên bản {latest.version} ({latest.filename})." if latest else "của đợt này."),
            ("Gửi cùng danh sách với đợt này: " if codes is None else f"Gửi {len(chosen)} cơ quan, đơn vị: ")
            + names + ".",
            _deadline_line(deadline)], posted.values, f"/rounds/{round_id}/documents")
    try:
        new_id = follow_up_round(app, round_id, deadline.due, user.actor, codes)
    except (DomainError, InvalidInput) as refusal:
        return _documents_page(request, round_id, user, follow_up=form, status=409, message=refusal.message)
    return RedirectResponse(f"/rounds/{new_id}/preview?ok=created", status_code=303)


# --- exports -----------------------------------------------------------------------------------------------

@router.get("/rounds/{round_id:int}/export.xlsx")
def export_round(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    """Units with their status, comments with their handling (cells are text: nothing is a formula)."""
    return _download(unit_list_workbook(ykien(request), round_id), f"dot-{round_id}.xlsx")


@router.get("/rounds/{round_id:int}/audit.csv")
def export_audit(request: Request, round_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    """The whole audit trail, UTF-8 with BOM so that Excel reads the Vietnamese."""
    return _download(audit_export(ykien(request), round_id), f"dot-{round_id}-nhat-ky.csv")

"""The recipient page /r/<token>: a unit reads the request, downloads the draft and answers, without login.

Everything is resolved from the token; form fields never choose the unit or the round.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException

from models.rounds import ResponseKind
from models.text import capfirst, whole_number
from workflows.definition import ResponseField
from workflows.engine.events import CommentInput
from workflows.engine.refusals import Refused
from workflows.service.answer_input import (
    AnswerInvalid,
    Problem,
    check_answer,
    clean_comments,
    clean_proposals,
    proposal_input,
    reply_pdf_problems,
)
from workflows.service.app import App
from workflows.service.assignments import titled_dates
from workflows.service.attachments import (
    ACCEPT,
    AttachmentMissing,
    AttachmentRef,
    check_upload,
    clean_filename,
    discard,
    disposition,
    file_fields,
    file_inputs,
    parse_ref,
    shown_size,
    store,
    tie,
    unit_file,
)
from workflows.service.commands import MAIL_LATER, MAIL_PARTIAL
from workflows.service.draft_html import Block, DraftPreview, draft_preview
from workflows.service.recipients import (
    AlreadyAnswered,
    FileMissing,
    LinkInvalid,
    ReadOnly,
    RecipientPage,
    SavedAnswer,
    answer,
    draft_file,
    letter_file,
    recipient_page,
    record_opening,
    reply_file,
    save_unsent,
    saved_answer,
)
from workflows.web.forms.assignment_forms import TaskSection, unit_task_section
from workflows.web.forms.capped_upload import CappedForm, read_capped_form
from workflows.web.forms.posted_files import cut_short, several_files, unread_notice
from workflows.web.forms.proposal_forms import read_proposal_forms, shown_proposal_forms
from workflows.web.security import IdPath, check_link_csrf, link_csrf, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)

FIRST_ROWS = 3
MAX_ROWS = 200
ROW_FIELDS = ("section", "comment", "proposed", "quote")  # a comment row; quote: the draft's text it is about
SAVED_NOTICE = ("Đã lưu nháp, chưa gửi. Quý cơ quan có thể mở lại đường dẫn này để tiếp tục đến hết hạn; Sở chỉ nhận "
                "được ý kiến khi bấm gửi.")
SAVED_WITHOUT_FILE = "Tệp đã chọn không được lưu cùng bản nháp: vui lòng chọn lại khi gửi."
FILES_DROPPED = "Các tệp gửi kèm vừa chọn chưa được lưu: vui lòng chọn lại tệp trước khi gửi."
READ_AT_MOST = 10  # a body is read up to ten times the upload limit: past it, the rest is left unread
REPLY_PLACE = "Văn bản trả lời"  # how a mistake names the reply PDF's input (reply_pdf; decline_pdf on a call)
CUT_SHORT = ("Biểu mẫu gửi lên quá lớn nên chưa đọc hết được; chưa có gì được lưu. Vui lòng kiểm tra lại những gì "
             "đã nhập và chọn tệp nhỏ hơn.")
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
}
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
# The answer is recorded whatever the mail server does, and its receipt queued for the delivery sweep
# (service/recipients.answer); the sent page says it will come. These notices are for links of the earlier
# behaviour, when the receipt was sent inside the request.
RECEIPT_NOTICES = {MAIL_LATER: "Đã ghi nhận; thư xác nhận sẽ gửi lại ở lần quét sau.",
                   MAIL_PARTIAL: "Đã ghi nhận; máy chủ thư không nhận thư xác nhận gửi tới địa chỉ thư điện tử của "
                                 "quý cơ quan."}
CHANNEL_LABELS = {"web": "qua đường dẫn", "paper": "văn bản giấy, do Sở ghi nhận thay mặt quý cơ quan",
                  "phone": "điện thoại, do Sở ghi nhận thay mặt quý cơ quan",
                  "email": "thư điện tử, do Sở ghi nhận thay mặt quý cơ quan"}


@dataclass
class AnswerForm:
    """The answer form as shown: the values typed (or the last revision), and the rows or forms to show."""

    answer: str | None = None
    rows: list[dict[str, str]] = field(default_factory=list)
    proposals: list[dict[str, str]] = field(default_factory=list)
    file_dropped: bool = False
    files: dict[str, str] = field(default_factory=dict)  # input name -> the file the answer last sent (kept)
    focus_row: int | None = None  # the row (from 1) a part of the draft was just chosen for




def _ask(page: RecipientPage) -> str:
    """What the unit is asked to do, in the words of the round's kind."""
    terms = page.terms
    if terms is None:
        return ""
    if page.role == "publish":
        return "Đăng tải lên Cổng thông tin điện tử."  # nothing to send back: the page takes no confirmation
    if page.role == "inform":
        return "Gửi để quý cơ quan biết."
    agree = f" (hoặc cho biết {terms.agreed[:1].lower()}{terms.agreed[1:]})" if page.response.allow_agree else ""
    return f"{capfirst(terms.verb)}: gửi {terms.awaited['comment']}{agree}."


def kind_labels(page: RecipientPage) -> dict[str, str]:
    """The kinds of answer as this round's kind calls them."""
    terms = page.terms
    if terms is None:
        return {}
    return {"comments": terms.answered, "agree": terms.agreed, "proposals": capfirst(terms.answer)}


def _padded(rows: list[dict[str, str]], blank: int = 0) -> list[dict[str, str]]:
    """The rows given, all of them (more than MAX_ROWS are refused with the page shown back, never cut), then
    `blank` empty rows more while there are fewer than MAX_ROWS, and at least FIRST_ROWS in all."""
    wanted = max(FIRST_ROWS, min(MAX_ROWS, len(rows) + blank))
    empty = dict.fromkeys(ROW_FIELDS, "")
    return rows + [dict(empty) for _ in range(wanted - len(rows))]


def _from_revision(page: RecipientPage) -> AnswerForm:
    current = page.current
    if current is None:
        return AnswerForm(answer="proposals" if page.response.kind == "proposals" else None, rows=_padded([]),
                          proposals=shown_proposal_forms(page.response, []))
    rows = [{"section": c.section or "", "comment": c.text, "proposed": c.proposed_wording or "",
             "quote": c.quote or ""} for c in current.comments]
    # A repeatable form: the forms last sent, and one blank group for the next.
    return AnswerForm(answer=current.kind, rows=_padded(rows, blank=1),
                      proposals=shown_proposal_forms(page.response, current.proposals, blank=1))


def _from_saved(page: RecipientPage, saved: SavedAnswer) -> AnswerForm:
    """The form as the unit saved it unsent."""
    rows = [{name: row.get(name, "") for name in ROW_FIELDS} for row in saved.rows]
    answer_kind = "proposals" if page.response.kind == "proposals" else saved.answer
    return AnswerForm(answer=answer_kind, rows=_padded(rows, blank=1),
                      proposals=shown_proposal_forms(page.response, list(saved.proposals),
                                                     blank=1 if saved.proposals else 0))


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _from_form(form: FormData, page: RecipientPage) -> AnswerForm:
    columns = {name: form.getlist(name) for name in ROW_FIELDS}
    count = max(len(values) for values in columns.values())  # bounded by the parser's max_fields

    def at(values: list[Any], i: int) -> str:
        return values[i] if i < len(values) and isinstance(values[i], str) else ""

    rows = [{name: at(values, i) for name, values in columns.items()} for i in range(count)]
    proposals = read_proposal_forms(page.response, form.keys(), lambda name: _text(form, name)) \
        if page.response.kind == "proposals" else []
    return AnswerForm(answer=_text(form, "answer") or None, rows=rows, proposals=proposals)


def _messages(problems: list[Problem]) -> dict[str, str]:
    """What to say next to each field: its problems, in the order found."""
    messages: dict[str, str] = {}
    for problem in problems:
        messages[problem.field] = f"{messages[problem.field]} {problem.message}" if problem.field in messages \
            else problem.message
    return messages


def _anchor(field_name: str) -> str:
    """The id of the element a problem of `field_name` is shown at (the summary links to it)."""
    if field_name.startswith("quote-"):
        return "row-" + field_name.removeprefix("quote-")  # the quote is a hidden field: its row
    return {"comments": "comment-rows", "proposals": "proposal-forms"}.get(field_name, field_name)


DECLINE_PDF = "decline_pdf"  # the file input of the answer without forms' own card; it posts as "reply_pdf" too


def _at_input_used(problems: list[Problem], form: AnswerForm, page: RecipientPage) -> list[Problem]:
    """The problems as the page shows them: a reply PDF's at the input the unit chose it in, the card of the answer
    without forms ("Không có đề xuất") when that is what was sent, not the forms' own file input."""
    if page.response.kind != "proposals" or form.answer != ResponseKind.AGREE.value:
        return problems
    return [Problem(DECLINE_PDF, p.message) if p.field == "reply_pdf" else p for p in problems]


def _preview(app: App, page: RecipientPage) -> DraftPreview | None:
    """The draft as the page shows it (read from its cache; converted the first time a version is shown)."""
    return draft_preview(app, page.round_id, page.draft_version, page.draft_filename, page.draft_sha256)


def _sections(page: RecipientPage, preview: DraftPreview | None) -> list[str]:
    """The sections a comment may name: the draft's headings in order, then those staff typed for the version."""
    found = list(preview.html.sections) if preview is not None and preview.html is not None else []
    return list(dict.fromkeys([*found, *page.sections]))


def _show(request: Request, token: str, page: RecipientPage, form: AnswerForm | None = None,
          problems: list[Problem] | None = None, flash: str | None = None, status_code: int = 200,
          preview: DraftPreview | None = None, tasks: TaskSection | None = None, unread: str | None = None) -> Response:
    """The page; reads the draft's cached HTML, so the async route calls it in the threadpool (`_show_later`). A
    page read only to record an answer (not `whole`) is read whole first."""
    app = ykien(request)
    page = page if page.whole else recipient_page(app, token)
    saved = saved_answer(app, page) if form is None else None
    form = form or (_from_saved(page, saved) if saved is not None else _from_revision(page))
    problems = _at_input_used(problems or [], form, page)
    preview = preview or _preview(app, page)
    if form.files:
        form.proposals = _with_files(page, form.proposals, form.files)
    response = render(request, "recipient.html", {
        "page": page, "token": token, "link_csrf": link_csrf(app, token), "form": form,
        "preview": preview, "sections": _sections(page, preview), "saved": saved,
        "problems": [(p, _anchor(p.field)) for p in problems], "bad_fields": {p.field for p in problems},
        "messages": _messages(problems), "ask": _ask(page),
        "max_upload_mb": app.settings.max_upload_mb, "max_upload_bytes": _limit(app), "kind_labels": kind_labels(page),
        "files": {"url": f"/r/{token}/attachments/", "max_mb": app.settings.max_upload_mb, "accept": ACCEPT},
        "channel_labels": CHANNEL_LABELS, "terms": page.terms, "dates": titled_dates(app, page.round_id),
        "flash": flash, "flash_kind": "error" if status_code >= 400 else "ok", "unread": unread,
        # The unit's assigned tasks (one query for this unit); ?task= names the one just handed in.
        "tasks": tasks if tasks is not None else unit_task_section(app, page.round_id, page.unit_code,
                                                                   sent_task=request.query_params.get("task"))},
        status_code=status_code)
    response.headers.update(PRIVATE)
    return response


async def _show_later(request: Request, token: str, page: RecipientPage, form: AnswerForm | None = None,
                      **options: Any) -> Response:
    try:
        return await run_in_threadpool(partial(_show, request, token, page, form, **options))
    except LinkInvalid as error:  # a page read whole again, after the link was revoked or replaced meanwhile
        return _link_invalid(request, error)


def _pick(typed: AnswerForm, block: Block) -> None:
    """A part of the draft chosen without the script: its section and text go to the first blank row (or a new
    one), which takes the focus when the page comes back."""
    blank = next((i for i, row in enumerate(typed.rows) if not any(v.strip() for v in row.values())), None)
    if blank is None:
        if len(typed.rows) >= MAX_ROWS:
            return
        typed.rows.append(dict.fromkeys(ROW_FIELDS, ""))
        blank = len(typed.rows) - 1
    typed.rows[blank].update(section=block.section, quote=block.quote)
    typed.answer = typed.answer or "comments"
    typed.focus_row = blank + 1


def _notice(request: Request, title: str, message: str, status_code: int, back: str | None = None) -> Response:
    response = render(request, "recipient_notice.html", {"heading": title, "message": message, "back": back},
                      status_code=status_code)
    response.headers.update(PRIVATE)
    return response


def _link_invalid(request: Request, error: LinkInvalid) -> Response:
    return _notice(request, "Đường dẫn không dùng được", error.message, 410 if error.gone else 404)


@router.get("/r/{token}")
def show_request(request: Request, token: str) -> Response:
    """Records nothing: a mail scanner fetching the link is not the unit opening it (see `opened`)."""
    try:
        page = recipient_page(ykien(request), token)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    flash = None
    if request.query_params.get("saved") == "1":
        flash = SAVED_NOTICE + (" " + SAVED_WITHOUT_FILE if request.query_params.get("file") == "1" else "")
    return _show(request, token, page, flash=flash)


@router.post("/r/{token}/opened")
def opened(request: Request, token: str) -> Response:
    """The signal of a person's browser: /static/opened.js posts it once the page has loaded.

    No CSRF token: the personal link is the only secret and the only thing this can change is the time of
    opening of that link's unit."""
    try:
        record_opening(ykien(request), token)
    except LinkInvalid as error:
        return Response(status_code=410 if error.gone else 404, headers=PRIVATE)
    return Response(status_code=204, headers=PRIVATE)


@router.get("/r/{token}/draft")
def download_draft(request: Request, token: str) -> Response:
    try:
        path = draft_file(ykien(request), token)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    except FileMissing as error:
        return _notice(request, "Không tải được tệp", error.message, 404, back=f"/r/{token}")
    return FileResponse(path, filename=path.name, headers=PRIVATE,
                        media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"))


@router.get("/r/{token}/letter")
def download_letter(request: Request, token: str) -> Response:
    """The round's letter as signed (a workshop's giấy mời, a consultation's công văn), which the invitation names."""
    try:
        path, name = letter_file(ykien(request), token)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    except FileMissing as error:
        return _notice(request, "Không có văn bản ký số", error.message, 404, back=f"/r/{token}")
    return FileResponse(path, filename=name, headers=PRIVATE, media_type="application/pdf")


@router.get("/r/{token}/reply/{revision}")
def download_reply(request: Request, token: str, revision: IdPath) -> Response:
    try:
        path = reply_file(ykien(request), token, revision)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    except FileMissing as error:
        return _notice(request, "Không có tệp", error.message, 404, back=f"/r/{token}")
    return FileResponse(path, filename=path.name, media_type="application/pdf", headers=PRIVATE)


@router.get("/r/{token}/attachments/{attachment_id}")
def download_attachment(request: Request, token: str, attachment_id: IdPath) -> Response:
    """A file the unit sent with its form; another unit's file is not found, whatever its id."""
    app = ykien(request)
    try:
        page = recipient_page(app, token)
        found = unit_file(app, page.round_id, page.recipient_id, attachment_id)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    except AttachmentMissing as error:
        return _notice(request, "Không có tệp", error.message, 404, back=f"/r/{token}")
    return Response(found.data, media_type=found.content_type, headers={
        **PRIVATE, "Content-Disposition": disposition(found.filename), "X-Content-Type-Options": "nosniff"})


@router.get("/r/{token}/sent")
def sent(request: Request, token: str) -> Response:
    try:
        page = recipient_page(ykien(request), token)
    except LinkInvalid as error:
        return _link_invalid(request, error)
    if page.current is None:
        return RedirectResponse(f"/r/{token}", status_code=303)
    response = render(request, "recipient_sent.html", {
        "page": page, "token": token, "kind_labels": kind_labels(page), "terms": page.terms,
        "mail_notice": RECEIPT_NOTICES.get(request.query_params.get("mail", ""))})
    response.headers.update(PRIVATE)
    return response


def _limit(app: App) -> int:
    return app.settings.max_upload_mb * 1024 * 1024


def _body_cap(app: App) -> int:
    """The bytes of a body read at most: reading more to find the typed text after a huge file is not worth it."""
    return READ_AT_MOST * _limit(app) + 1024 * 1024


def _file_places(page: RecipientPage) -> dict[str, str]:
    """Every file input the answer form posts, by input name, as a mistake names it."""
    return {"reply_pdf": REPLY_PLACE, **file_inputs(page.response)}


def _posted_problems(read: CappedForm, page: RecipientPage, app: App) -> tuple[list[Problem], str | None]:
    """The mistakes of the form's files as a whole (several for one input, a body cut short), and what the page
    says of a body cut short: in the summary of mistakes, what was not received after the file input it was cut
    at; at the top, that the form was not all read when it was cut elsewhere. A cut body is never recorded, so it
    always gives one or the other."""
    places = _file_places(page)
    problems = several_files(read, places) + cut_short(read, places, app.settings.max_upload_mb, _body_cap(app))
    if read.cut_at is not None and not problems:
        return [], CUT_SHORT
    return problems, unread_notice(read, places, last_input="reply_pdf")


Typed = tuple[ResponseKind | None, tuple[CommentInput, ...], tuple[dict[str, str], ...], list[Problem]]


def _problems_of(typed: AnswerForm, page: RecipientPage, files: dict[str, str] | None = None) -> Typed:
    """The kind, comments and forms typed, cleaned, and every mistake found in them (all at once)."""
    try:
        kind = _kind(typed, page)
        comments = clean_comments(((r["section"], r["comment"], r["proposed"], r["quote"]) for r in typed.rows),
                                  page.terms) \
            if kind is not ResponseKind.PROPOSALS else ()
        proposals = clean_proposals(page.response, typed.proposals, files) if kind is ResponseKind.PROPOSALS \
            else _filled(typed.proposals, {name: ref for name, ref in (files or {}).items()
                                           if typed.files.get(name) != ref})  # with "Không có đề xuất": refused
        check_answer(page.response, kind, comments, proposals, page.terms)
    except AnswerInvalid as invalid:
        return None, (), (), list(invalid.problems)
    return kind, comments, proposals, []


def _filled(forms: list[dict[str, str]], files: dict[str, str] | None) -> tuple[dict[str, str], ...]:
    """The forms with something typed in them, and one more when files were chosen, as posted."""
    typed = tuple(form for form in forms if any(value.strip() for value in form.values()))
    return typed + (({},) if files else ())


def _file_inputs(page: RecipientPage) -> list[tuple[str, ResponseField]]:
    """Every file input the form may post: (input name, field), for each group of a repeatable form."""
    spec = page.response
    return [(proposal_input(spec, number, item.key), item) for number in range(1, spec.items_allowed + 1)
            for item in file_fields(spec)]


def _kept_files(page: RecipientPage) -> dict[str, str]:
    """The files of the answer last sent, by input name: an answer sent again keeps them unless others are
    chosen."""
    current = page.current
    if current is None:
        return {}
    return {proposal_input(page.response, number, item.key): proposal[item.key]
            for number, proposal in enumerate(current.proposals, start=1) for item in file_fields(page.response)
            if parse_ref(proposal.get(item.key)) is not None}


def _with_files(page: RecipientPage, forms: list[dict[str, str]], files: dict[str, str]) -> list[dict[str, str]]:
    """The forms as shown: each file field with the file kept for it (the page says "Đã gửi: ...")."""
    shown = [dict(form) for form in forms]
    for number, form in enumerate(shown, start=1):
        for item in file_fields(page.response):
            kept = files.get(proposal_input(page.response, number, item.key))
            if kept and not form.get(item.key):
                form[item.key] = kept
    return shown


def _uploads(form: FormData, page: RecipientPage) -> dict[str, tuple[ResponseField, UploadFile]]:
    """The files chosen for the form's file fields, by input name (a field left empty posts a nameless part)."""
    chosen = {}
    for name, item in _file_inputs(page):
        upload = form.get(name)
        if isinstance(upload, UploadFile) and upload.filename:
            chosen[name] = (item, upload)
    return chosen


async def _checked_uploads(page: RecipientPage, uploads: dict[str, tuple[ResponseField, UploadFile]],
                           sizes: dict[str, int], limit_mb: int
                           ) -> tuple[dict[str, tuple[ResponseField, str, bytes]], list[Problem]]:
    """Each chosen file read (at most the limit and a byte: the parser kept no more) and checked."""
    places = file_inputs(page.response)  # "Phiếu 2: Bảng kê kinh phí" on a repeatable form
    good: dict[str, tuple[ResponseField, str, bytes]] = {}
    problems: list[Problem] = []
    for name, (item, upload) in uploads.items():
        content = await upload.read()
        problem = check_upload(name, places[name], upload.filename or "", content, limit_mb, size=sizes.get(name))
        if problem is not None:
            problems.append(problem)
        else:
            good[name] = (item, upload.filename or "", content)
    return good, problems


@router.post("/r/{token}")
async def submit_answer(request: Request, token: str) -> Response:
    """Async only to read the multipart body; every service call (database, SMTP) runs in the threadpool.

    Whatever is refused (a mistake, a file over the limit, a round closed meanwhile), the page comes back with
    everything typed; only a chosen file must be chosen again (a browser never refills a file field)."""
    app = ykien(request)
    try:
        # Read for recording: most posts are an answer sent, and any page shown back is read whole (_show).
        page = await run_in_threadpool(partial(recipient_page, app, token, whole=False))
    except LinkInvalid as error:
        return _link_invalid(request, error)
    try:
        read = await read_capped_form(request, file_cap=_limit(app) + 1, max_files=2 + len(_file_inputs(page)),
                                      max_fields=5 * MAX_ROWS + 100, body_cap=_body_cap(app))
    except MultiPartException:
        return _notice(request, "Biểu mẫu không hợp lệ", "Trình duyệt gửi biểu mẫu không đọc được; vui lòng "
                       "tải lại trang và gửi lại.", 400, back=f"/r/{token}")
    form, sizes = read.form, read.sizes
    stored: list[AttachmentRef] = []
    try:
        try:
            check_link_csrf(app, token, _text(form, "csrf_token") or None)
        except HTTPException as refusal:
            return _notice(request, "Biểu mẫu không hợp lệ", str(refusal.detail), 403, back=f"/r/{token}")
        typed = _from_form(form, page)
        upload = form.get("reply_pdf")
        has_pdf = isinstance(upload, UploadFile) and bool(upload.filename)
        uploads = _uploads(form, page)
        has_file = has_pdf or bool(uploads)
        typed.file_dropped = has_pdf  # shown only when the page comes back
        typed.files = _kept_files(page)
        dropped = FILES_DROPPED if uploads else None
        if _text(form, "action") == "add_row":
            typed.rows = _padded(typed.rows, blank=1)
            return await _show_later(request, token, page, typed, flash=dropped)
        if "add_item" in form:
            typed.proposals = shown_proposal_forms(page.response, typed.proposals, blank=1)
            return await _show_later(request, token, page, typed, flash=dropped)
        typed.rows = _padded(typed.rows)
        if _text(form, "pick"):  # a part of the draft chosen; a number not of this draft picks nothing
            picked = whole_number(_text(form, "pick"))
            try:
                page = await run_in_threadpool(recipient_page, app, token)  # the draft's version, to pick from
            except LinkInvalid as error:
                return _link_invalid(request, error)
            preview = await run_in_threadpool(_preview, app, page)
            block = preview.html.block(picked) if preview and preview.html and picked is not None else None
            if block is not None:
                _pick(typed, block)
            return await _show_later(request, token, page, typed, preview=preview)
        if _text(form, "action") == "save":
            try:
                await run_in_threadpool(save_unsent, app, token, typed.answer, typed.rows, typed.proposals, page)
            except AnswerInvalid as invalid:
                return await _show_later(request, token, page, typed, problems=invalid.problems, status_code=422)
            except (ReadOnly, AlreadyAnswered) as refusal:
                return await _show_later(request, token, page, typed, flash=refusal.message, status_code=409)
            return RedirectResponse(f"/r/{token}?saved=1{'&file=1' if has_file else ''}", status_code=303)
        if not page.can_answer:
            return await _show_later(request, token, page, typed, flash=page.read_only_reason, status_code=409)
        posted_problems, unread = _posted_problems(read, page, app)
        if read.cut_at is not None:  # what was posted is not all there: only what was cut is said
            if posted_problems:
                return await _show_later(request, token, page, typed, problems=posted_problems, flash=dropped,
                                         unread=unread, status_code=413)
            return await _show_later(request, token, page, typed, flash=unread, status_code=413)
        several = {p.field for p in posted_problems}  # checked as one file, the last would be (an empty part)
        chosen, problems = await _checked_uploads(page, {name: picked for name, picked in uploads.items()
                                                         if name not in several}, sizes, app.settings.max_upload_mb)
        problems = posted_problems + problems
        # Checked with the chosen files as if stored (they are stored only once nothing else is wrong).
        pending = {name: AttachmentRef(1, clean_filename(filename), shown_size(len(content))).value
                   for name, (_, filename, content) in chosen.items()}
        # A file refused still fills its heading for that check: its own mistake is said, not "chưa có nội dung" too.
        tried = {name: AttachmentRef(1, clean_filename(upload.filename or "") or "tệp", shown_size(0)).value
                 for name, (_, upload) in uploads.items()}
        kind, comments, proposals, form_problems = _problems_of(typed, page, {**typed.files, **tried, **pending})
        problems = form_problems + problems
        content = await upload.read() if isinstance(upload, UploadFile) and has_pdf else None
        if content is not None and "reply_pdf" not in several:
            problems += reply_pdf_problems(content, app.settings.max_upload_mb, sizes.get("reply_pdf"))
        if problems or kind is None:
            too_large = any(sizes.get(name, 0) > _limit(app) for name in [*uploads, "reply_pdf"])
            return await _show_later(request, token, page, typed, problems=problems, flash=dropped,
                                     status_code=413 if too_large else 422)
        try:
            if chosen:
                files = dict(typed.files)
                for name, (item, filename, data) in chosen.items():
                    ref = await run_in_threadpool(store, app, page.round_id, page.recipient_id, item.key, filename,
                                                  data)
                    stored.append(ref)
                    files[name] = ref.value
                proposals = clean_proposals(page.response, typed.proposals, files)
            receipt = await run_in_threadpool(partial(
                answer, app, token, kind, comments, proposals, content, page,
                also=lambda uow, decision: tie(uow, stored, page.recipient_id, decision.responses[-1].revision)))
            stored = []  # tied to the answer
        except AnswerInvalid as invalid:
            return await _show_later(request, token, page, typed, problems=invalid.problems, flash=dropped,
                                     status_code=422)
        except LinkInvalid as error:
            return _link_invalid(request, error)
        except Refused as refusal:
            page = await run_in_threadpool(recipient_page, app, token)
            return await _show_later(request, token, page, typed, flash=refusal.message, status_code=409)
    finally:
        if stored:  # the answer was refused: its files go too
            await run_in_threadpool(discard, app, stored)
        await form.close()
    mail = f"?mail={receipt.mail}" if receipt.mail in RECEIPT_NOTICES else ""
    return RedirectResponse(f"/r/{token}/sent{mail}", status_code=303)


def _kind(typed: AnswerForm, page: RecipientPage) -> ResponseKind:
    if page.response.kind == "proposals":  # the forms, or the answer without them ("Không có đề xuất") when chosen
        return ResponseKind.AGREE if typed.answer == ResponseKind.AGREE.value else ResponseKind.PROPOSALS
    if typed.answer in (ResponseKind.AGREE.value, ResponseKind.COMMENTS.value):
        return ResponseKind(typed.answer)
    if any(v.strip() for row in typed.rows for v in row.values()):
        return ResponseKind.COMMENTS  # comments typed, radio forgotten: the intent is plain
    labels = kind_labels(page)
    raise AnswerInvalid([Problem("answer", f"Hãy chọn \"{labels.get('agree', '')}\" hoặc "
                                           f"\"{labels.get('comments', '')}\".")])

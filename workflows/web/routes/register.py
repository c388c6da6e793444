"""The register of outgoing documents (sổ văn bản đi) on the web: a year's numbers, the XLSX export, and the forms
that take a number, enter the văn thư's number and cancel one. Leaders read; staff number their office's rounds."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from config.calendar_words import not_a_date
from models.errors import DomainError, InvalidInput, NotFound
from models.register import MAX_YEAR, MIN_YEAR, RECIPIENTS, SOURCE_LABELS, SUMMARY, RegisterEntry
from models.staff import StaffUser
from models.text import whole_number
from workflows.service.deadlines import read_date
from workflows.service.register import (
    EntryTexts,
    RegisterForbidden,
    cancel_entry,
    enter_number,
    export_xlsx,
    get_entry,
    numbering_choices,
    register_year,
    take_number,
    today,
)
from workflows.web.routes.rounds import Posted, PostedForm
from workflows.web.security import Forbidden, IdPath, require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLASH = {"taken": "Đã cấp số {n} cho \"{d}\".", "entered": "Đã ghi số {n} cho \"{d}\".",
         "cancelled": "Đã hủy số {n}; số này không cấp lại."}
YearQuery = Query(None, ge=MIN_YEAR, le=MAX_YEAR)
# The service names what is wrong by its field; the forms' fields are these.
FIELDS = {"document_key": "document", "number": "number", "date": "date", "summary": "summary", "signer": "signer",
          "recipients": "recipients", "reason": "reason"}


def _numberer(user: StaffUser = Depends(require_staff)) -> StaffUser:
    """Who may take, enter or cancel a number at all; a leader is refused before the form is read, as on every
    other page that changes something (the office of the round is checked with the number, in the service)."""
    if user.reads_only():
        raise Forbidden("Lãnh đạo xem sổ; chỉ cán bộ phòng và quản trị được cấp, nhập hoặc hủy số văn bản.")
    return user


NumbererDep = Depends(_numberer)


def _field(posted: Posted, name: str) -> str:
    return (posted.values.get(name) or [""])[0]


def _errors(problem: InvalidInput | DomainError) -> dict[str, str]:
    """A service message "field: what is wrong" put beside its field; others go above the form."""
    field, _, rest = problem.message.partition(": ")
    return {FIELDS[field]: rest} if rest and field in FIELDS else {"form": problem.message}


def _flash(request: Request, entries: list[RegisterEntry]) -> dict[str, str]:
    ok, entry_id = request.query_params.get("ok", ""), request.query_params.get("entry", "")
    found = next((e for e in entries if str(e.id) == entry_id), None)
    if ok not in FLASH or found is None:
        return {}
    return {"flash": FLASH[ok].format(n=found.full_number, d=found.document_title), "flash_kind": "ok"}


def _page(request: Request, user: StaffUser, year: int | None = None, *, form: str | None = None,
          values: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200,
          cancelling: int | None = None) -> Response:
    app = ykien(request)
    found = register_year(app, year)
    choices = numbering_choices(app, user)
    context: dict[str, Any] = {
        "register": found, "sources": SOURCE_LABELS, "sizes": {"summary": SUMMARY, "recipients": RECIPIENTS},
        "form": form, "values": values or {}, "errors": errors or {},
        "cancelling": cancelling, "today": today(app).isoformat(),
        "take_choices": [c for c in choices if c.offered_now], "enter_choices": choices,
        "may_cancel": {e.id for e in found.entries if not e.cancelled and user.can_change_round(e.office)},
    }
    if errors:
        context.update(flash=errors.get("form") or "Chưa ghi được: xem lỗi ghi dưới từng mục.", flash_kind="error")
    else:
        context.update(_flash(request, found.entries))
    return render(request, "register.html", context, status_code=status)


@router.get("/register")
def register_page(request: Request, year: int | None = YearQuery,
                  user: StaffUser = Depends(require_staff)) -> Response:
    return _page(request, user, year)


@router.get("/register/export.xlsx")
def register_export(request: Request, year: int | None = YearQuery,
                    _user: StaffUser = Depends(require_staff)) -> Response:
    exported = export_xlsx(ykien(request), year)
    return Response(exported.content, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'})


def _document(posted: Posted) -> tuple[int, str]:
    """The chosen "round:document" of a form's select."""
    round_part, _, key = _field(posted, "document").partition(":")
    round_id = whole_number(round_part, 1)
    if round_id is None or not key:
        raise InvalidInput("document_key: chọn văn bản của một đợt.", "document_unknown")
    return round_id, key


def _texts(posted: Posted) -> EntryTexts:
    return EntryTexts(_field(posted, "summary") or None, _field(posted, "signer") or None,
                      _field(posted, "recipients") or None)


def _number_form(request: Request, posted: Posted, user: StaffUser, form: str) -> Response:
    app = ykien(request)
    values = {key: _field(posted, key) for key in ("document", "number", "date", "summary", "signer", "recipients",
                                                   "again")}
    try:
        round_id, key = _document(posted)
        typed = values["date"].strip()
        issued_on = read_date(typed) if typed else None
        if typed and issued_on is None:
            raise InvalidInput(not_a_date(typed, "date", iso_too=True), "bad_date")
        again = values["again"] in ("1", "on", "yes")
        if form == "take":
            entry = take_number(app, round_id, key, user.actor, issued_on=issued_on, texts=_texts(posted), user=user,
                                again=again)
        else:
            if issued_on is None:
                raise InvalidInput("date: cần ghi ngày văn bản.", "bad_date")
            entry = enter_number(app, round_id, key, values["number"], issued_on, user.actor, texts=_texts(posted),
                                 user=user, again=again)
    except RegisterForbidden as refused:
        raise Forbidden(refused.message) from None
    except NotFound as missing:
        return _page(request, user, form=form, values=values, errors={"document": missing.message}, status=422)
    except InvalidInput as problem:
        return _page(request, user, form=form, values=values, errors=_errors(problem), status=422)
    except DomainError as problem:
        return _page(request, user, form=form, values=values, errors=_errors(problem), status=409)
    outcome = "taken" if form == "take" else "entered"
    return RedirectResponse(f"/register?year={entry.year}&ok={outcome}&entry={entry.id}#e-{entry.id}",
                            status_code=303)


@router.post("/register/take")
def take_form(request: Request, posted: Posted = PostedForm, user: StaffUser = NumbererDep) -> Response:
    return _number_form(request, posted, user, "take")


@router.post("/register/enter")
def enter_form(request: Request, posted: Posted = PostedForm, user: StaffUser = NumbererDep) -> Response:
    return _number_form(request, posted, user, "enter")


@router.post("/register/{entry_id}/cancel")
def cancel_form(request: Request, entry_id: IdPath, posted: Posted = PostedForm,
                user: StaffUser = NumbererDep) -> Response:
    app = ykien(request)
    entry = get_entry(app, entry_id)  # an unknown entry is a 404
    reason = _field(posted, "reason")
    try:
        cancelled = cancel_entry(app, entry_id, reason, user.actor, user=user)
    except RegisterForbidden as refused:
        raise Forbidden(refused.message) from None
    except InvalidInput as problem:
        return _page(request, user, entry.year, values={"reason": reason}, errors=_errors(problem), status=422,
                     cancelling=entry_id)
    except DomainError as problem:
        return _page(request, user, entry.year, errors={"form": problem.message}, status=409, cancelling=entry_id)
    return RedirectResponse(f"/register?year={cancelled.year}&ok=cancelled&entry={cancelled.id}#e-{cancelled.id}",
                            status_code=303)

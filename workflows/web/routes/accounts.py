"""Staff accounts on the web: admins add, disable and enable accounts, reset passwords and change roles and
offices (each step audited); every staff member changes their own password."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import RedirectResponse, Response

from models.errors import DomainError, InvalidInput
from models.offices import OFFICE_ACTIONS, Office
from models.staff import ACCOUNT_ACTIONS, ROLE_LABELS, Account, StaffUser
from models.text import capfirst
from workflows.service.accounts import (
    AccountNotFound,
    account,
    account_events,
    accounts,
    change_own_password,
    generated_password,
    reset_password,
    set_active,
    set_role,
)
from workflows.service.digest import DigestChoice, digest_choice, set_digest
from workflows.service.offices import add_office, office_events, offices, rename_office
from workflows.service.staff import add_user
from workflows.web.routes.rounds import Posted, PostedForm
from workflows.web.security import Forbidden, require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)

USERNAME = re.compile(r"[a-z0-9._-]{3,80}")
FLASH = {"role": "Đã đổi vai trò, phòng của {u}.", "disabled": "Đã khóa tài khoản {u}; các phiên của tài khoản đã "
         "kết thúc.", "enabled": "Đã mở khóa tài khoản {u}.", "unchanged": "Không có gì thay đổi.",
         "digest_on": "Đã lưu: {u} nhận thư tổng hợp hằng ngày.", "digest_off": "Đã lưu: {u} không nhận thư tổng hợp "
         "hằng ngày."}


def _admin(user: StaffUser = Depends(require_staff)) -> StaffUser:
    if not user.can_manage_accounts():
        raise Forbidden("Chỉ quản trị viên quản lý tài khoản.")
    return user


AdminDep = Depends(_admin)


def _field(posted: Posted, name: str) -> str:
    return (posted.values.get(name) or [""])[0]


def _field_errors(problem: InvalidInput | DomainError) -> dict[str, str]:
    """A service message "field: what is wrong" put beside its field; others go to the top of the form."""
    field, _, rest = problem.message.partition(": ")
    return {field: rest} if rest and field.isidentifier() else {"form": problem.message}


def _offices(request: Request) -> list[Office]:
    """The list the office of an account is picked from."""
    return offices(ykien(request))


def _list_page(request: Request, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               status: int = 200, created: tuple[str, str] | None = None) -> Response:
    app = ykien(request)
    found = accounts(app)
    context: dict[str, Any] = {
        "accounts": found, "offices": _offices(request), "roles": ROLE_LABELS, "values": values or {"role": "staff"},
        "errors": errors or {}, "events": account_events(app, 50), "actions": ACCOUNT_ACTIONS, "created": created}
    if errors:
        context.update(flash="Chưa thêm được tài khoản: xem lỗi ghi dưới từng mục.", flash_kind="error")
    elif created:
        context.update(flash=f"Đã thêm tài khoản {created[0]}.", flash_kind="ok")
    return render(request, "accounts.html", context, status_code=status)


@router.get("/accounts")
def accounts_page(request: Request, _user: StaffUser = AdminDep) -> Response:
    return _list_page(request)


@router.post("/accounts")
def add_account(request: Request, posted: Posted = PostedForm, user: StaffUser = AdminDep) -> Response:
    values = {name: _field(posted, name) for name in ("username", "display_name", "role", "office")}
    password = generated_password()
    try:
        added = add_user(ykien(request), values["username"], values["display_name"], values["role"], password,
                         values["office"] or None, user.actor)
    except (InvalidInput, DomainError) as problem:
        errors = _field_errors(problem)
        if "name" in errors:
            errors["display_name"] = errors.pop("name")
        return _list_page(request, values, errors, 422)
    return _list_page(request, created=(added.username, password))


def _account_or_404(request: Request, username: str) -> Account:
    if not USERNAME.fullmatch(username):
        raise HTTPException(404, "Không có tài khoản này.")
    try:
        return account(ykien(request), username)
    except AccountNotFound as missing:
        raise HTTPException(404, missing.message) from None


def _digest_values(choice: DigestChoice) -> dict[str, str]:
    return {"digest": "1" if choice.on else "", "digest_email": choice.email or ""}


def _posted_digest(posted: Posted) -> dict[str, str]:
    return {"digest": "1" if _field(posted, "digest") == "1" else "", "digest_email": _field(posted, "digest_email")}


def _digest_errors(problem: InvalidInput) -> dict[str, str]:
    errors = _field_errors(problem)
    if "email" in errors:
        errors["digest_email"] = errors.pop("email")
    return errors


def _account_page(request: Request, found: Account, user: StaffUser, errors: dict[str, str] | None = None,
                  values: dict[str, str] | None = None, status: int = 200, password: str | None = None,
                  digest: dict[str, str] | None = None) -> Response:
    flash_code = request.query_params.get("ok", "")
    context: dict[str, Any] = {
        "account": found, "roles": ROLE_LABELS, "offices": _offices(request),
        "values": values or {"role": found.user.role.value, "office": found.user.office or ""},
        "errors": errors or {}, "new_password": password, "is_self": found.user.id == user.id,
        "digest": digest or _digest_values(digest_choice(ykien(request), found.user.username)),
        "digest_time": ykien(request).settings.digest_time}
    if errors:
        context.update(flash=errors.get("form") or "Chưa lưu được: xem lỗi ghi dưới từng mục.", flash_kind="error")
    elif password:
        context.update(flash=f"Đã đặt lại mật khẩu của {found.user.username}; các phiên của tài khoản đã kết "
                             "thúc.", flash_kind="ok")
    elif flash_code in FLASH:
        context.update(flash=FLASH[flash_code].format(u=found.user.username), flash_kind="ok")
    return render(request, "account.html", context, status_code=status)


@router.get("/accounts/{username}")
def account_page(request: Request, username: str, user: StaffUser = AdminDep) -> Response:
    return _account_page(request, _account_or_404(request, username), user)


@router.post("/accounts/{username}/role")
def change_role(request: Request, username: str, posted: Posted = PostedForm, user: StaffUser = AdminDep) -> Response:
    found = _account_or_404(request, username)
    values = {"role": _field(posted, "role"), "office": _field(posted, "office")}
    try:
        changed = set_role(ykien(request), username, values["role"], values["office"] or None, user.actor)
    except (InvalidInput, DomainError) as problem:
        return _account_page(request, found, user, _field_errors(problem), values, 422)
    outcome = "unchanged" if changed == found else "role"
    return RedirectResponse(f"/accounts/{changed.user.username}?ok={outcome}", status_code=303)


@router.post("/accounts/{username}/digest")
def change_digest(request: Request, username: str, posted: Posted = PostedForm,
                  user: StaffUser = AdminDep) -> Response:
    found = _account_or_404(request, username)
    values = _posted_digest(posted)
    try:
        changed = set_digest(ykien(request), username, values["digest"] == "1", values["digest_email"], user.actor,
                             "digest_email")
    except InvalidInput as problem:
        return _account_page(request, found, user, _digest_errors(problem), status=422, digest=values)
    return RedirectResponse(f"/accounts/{changed.username}?ok={'digest_on' if changed.on else 'digest_off'}",
                            status_code=303)


@router.post("/accounts/{username}/active")
def change_active(request: Request, username: str, posted: Posted = PostedForm,
                  user: StaffUser = AdminDep) -> Response:
    found = _account_or_404(request, username)
    wanted = _field(posted, "active")
    if wanted not in ("0", "1"):
        return _account_page(request, found, user, {"form": "Yêu cầu không hợp lệ: chọn khóa hoặc mở khóa."},
                             status=422)
    try:
        changed = set_active(ykien(request), username, wanted == "1", user.actor, actor_id=user.id)
    except DomainError as refused:
        return _account_page(request, found, user, {"form": refused.message}, status=409)
    outcome = "unchanged" if changed == found else ("enabled" if changed.active else "disabled")
    return RedirectResponse(f"/accounts/{username}?ok={outcome}", status_code=303)


@router.post("/accounts/{username}/password")
def reset_account_password(request: Request, username: str, _posted: Posted = PostedForm,
                           user: StaffUser = AdminDep) -> Response:
    _account_or_404(request, username)
    password = reset_password(ykien(request), username, user.actor)
    # Shown once, on this response only (never cached: every page is no-store), never stored in clear.
    return _account_page(request, account(ykien(request), username), user, password=password)


OWN_FLASH = {"digest_on": "Đã lưu: bạn sẽ nhận thư tổng hợp mỗi ngày làm việc.",
             "digest_off": "Đã lưu: bạn không nhận thư tổng hợp nữa."}


def _own_page(request: Request, user: StaffUser, errors: dict[str, str] | None = None,
              digest: dict[str, str] | None = None, status: int = 200, flash: str | None = None) -> Response:
    """The staff member's own page: their password, and their daily digest."""
    context: dict[str, Any] = {
        "errors": errors or {},
        "digest": digest or _digest_values(digest_choice(ykien(request), user.username)),
        "digest_time": ykien(request).settings.digest_time}
    done = request.query_params.get("ok", "")
    if flash:
        context.update(flash=flash, flash_kind="error")
    elif done in OWN_FLASH:
        context.update(flash=OWN_FLASH[done], flash_kind="ok")
    return render(request, "account_password.html", context, status_code=status)


@router.get("/account/password")
def own_password_page(request: Request, user: StaffUser = Depends(require_staff)) -> Response:
    return _own_page(request, user)


@router.post("/account/digest")
def change_own_digest(request: Request, posted: Posted = PostedForm,
                      user: StaffUser = Depends(require_staff)) -> Response:
    values = _posted_digest(posted)
    try:
        changed = set_digest(ykien(request), user.username, values["digest"] == "1", values["digest_email"],
                             user.actor, "digest_email")
    except InvalidInput as problem:
        return _own_page(request, user, _digest_errors(problem), values, 422,
                         "Chưa lưu được thư tổng hợp: xem lỗi ghi dưới mục đó.")
    return RedirectResponse(f"/account/password?ok={'digest_on' if changed.on else 'digest_off'}", status_code=303)


@router.post("/account/password")
def change_password(request: Request, posted: Posted = PostedForm,
                    user: StaffUser = Depends(require_staff)) -> Response:
    current, new, again = _field(posted, "current"), _field(posted, "new_password"), _field(posted, "again")
    errors: dict[str, str] = {}
    if new != again:
        errors["again"] = "Hai lần nhập mật khẩu mới không khớp."
    else:
        try:
            change_own_password(ykien(request), user.id, current, new, user.actor)
        except InvalidInput as problem:
            errors = _field_errors(problem)
        except DomainError as refused:
            errors = {"current": refused.message}
    if errors:
        return _own_page(request, user, errors, status=422, flash="Chưa đổi được mật khẩu: xem lỗi ghi dưới từng mục.")
    # Every session of the account ended with the old password, this one too: log in again with the new one.
    return RedirectResponse("/login?changed=1", status_code=303)


# --- offices ---------------------------------------------------------------------------------------------------

OFFICE_FLASH = {"added": "Đã thêm phòng {c}.", "renamed": "Đã lưu phòng {c}; các đợt và tài khoản của phòng đã đổi "
                "theo.", "merged": "Đã gộp vào phòng {c}; các đợt và tài khoản đã chuyển sang."}


def _offices_page(request: Request, errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                  status: int = 200, editing: str | None = None) -> Response:
    app = ykien(request)
    context: dict[str, Any] = {"offices": offices(app), "errors": errors or {}, "values": values or {},
                               "events": office_events(app), "actions": OFFICE_ACTIONS, "editing": editing}
    done, code = request.query_params.get("ok", ""), request.query_params.get("code", "")
    if errors:
        context.update(flash=errors.get("form") or "Chưa lưu được: xem lỗi ghi dưới từng mục.", flash_kind="error")
    elif done in OFFICE_FLASH:
        context.update(flash=OFFICE_FLASH[done].format(c=code[:40]), flash_kind="ok")
    return render(request, "offices.html", context, status_code=status)


@router.get("/offices")
def offices_page(request: Request, _user: StaffUser = AdminDep) -> Response:
    return _offices_page(request)


@router.post("/offices")
def add_office_post(request: Request, posted: Posted = PostedForm, user: StaffUser = AdminDep) -> Response:
    values = {name: _field(posted, name) for name in ("code", "name")}
    try:
        added = add_office(ykien(request), values["code"], values["name"], user.actor)
    except (InvalidInput, DomainError) as problem:
        return _offices_page(request, _field_errors(problem), values, 409 if isinstance(problem, DomainError) else 422)
    return RedirectResponse(f"/offices?{urlencode({'ok': 'added', 'code': added.code})}", status_code=303)


@router.post("/offices/rename")
def rename_office_post(request: Request, posted: Posted = PostedForm, user: StaffUser = AdminDep) -> Response:
    values = {name: _field(posted, name) for name in ("code", "new_code", "new_name", "merge")}
    merge = values["merge"] == "yes"
    try:
        renamed = rename_office(ykien(request), values["code"], values["new_code"] or None,
                                values["new_name"] or None, user.actor, merge=merge)
    except (InvalidInput, DomainError) as problem:
        errors = _field_errors(problem)
        if "name" in errors:
            errors["new_name"] = errors.pop("name")
        if "code" in errors:  # the row's hidden field: an office renamed or merged meanwhile has no row to show it
            errors["form"] = capfirst(errors.pop("code"))
        status = 409 if isinstance(problem, DomainError) else 422
        return _offices_page(request, errors, values, status, editing=values["code"])
    outcome = "merged" if merge else "renamed"
    return RedirectResponse(f"/offices?{urlencode({'ok': outcome, 'code': renamed.code})}", status_code=303)

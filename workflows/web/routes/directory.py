"""The directory of recipient units: units by group, CSV import, editing one unit's email and contact."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import RedirectResponse, Response

from models.directory import COLUMNS, DirectoryImportError
from models.errors import InvalidInput, UnitUnknown
from models.staff import StaffUser
from models.text import whole_number
from workflows.service.directory_edit import (
    UnitContact,
    UnitInfo,
    add_group,
    check_contact,
    directory_by_group,
    edit_unit,
    get_unit,
    import_upload,
    rename_group,
)
from workflows.service.errors import FormErrors
from workflows.web.routes.rounds import Posted, PostedForm
from workflows.web.security import Forbidden, require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)

FLASH = {"imported": "Đã nhập danh bạ: {n} đơn vị ({a} thêm mới, {u} cập nhật).",
         "saved": "Đã lưu thông tin đơn vị {code}.", "unchanged": "Không có gì thay đổi.",
         "group_added": "Đã thêm nhóm {group}.", "group_renamed": "Đã đổi nhãn nhóm {group}."}


def _number(request: Request, name: str) -> int:
    value = request.query_params.get(name, "")
    return whole_number(value) or 0


def _flash(request: Request, codes: set[str], group_codes: set[str]) -> dict[str, str]:
    ok = request.query_params.get("ok", "")
    if ok not in FLASH:
        return {}
    code = request.query_params.get("code", "")
    group = request.query_params.get("group", "")
    return {"flash": FLASH[ok].format(n=_number(request, "n"), a=_number(request, "a"), u=_number(request, "u"),
                                      code=code if code in codes else "",
                                      group=group if group in group_codes else ""), "flash_kind": "ok"}


def _guard(user: StaffUser) -> None:
    if not user.can_manage_directory():
        raise Forbidden("Tài khoản lãnh đạo chỉ xem danh bạ; không sửa được.")


def _directory_page(request: Request, user: StaffUser, import_errors: list[str] | None = None,
                    filename: str | None = None, status: int = 200, group_error: str | None = None,
                    group_values: dict[str, str] | None = None) -> Response:
    groups = directory_by_group(ykien(request))
    codes = {u.code for g in groups for u in g.units}
    context = {"groups": groups, "total": len(codes), "columns": COLUMNS, "import_errors": import_errors or [],
               "filename": filename, "can_manage": user.can_manage_directory(),
               "max_upload_mb": ykien(request).settings.max_upload_mb, "group_error": group_error,
               "group_values": group_values or {}, **_flash(request, codes, {g.code for g in groups})}
    if import_errors:
        context.update(flash=f"Không nhập được: {len(import_errors)} lỗi; danh bạ không thay đổi.", flash_kind="error")
    if group_error:
        context.update(flash=group_error, flash_kind="error")
    return render(request, "directory.html", context, status_code=status)


def _field(posted: Posted, name: str) -> str:
    return (posted.values.get(name) or [""])[0]


@router.get("/directory")
def directory(request: Request, user: StaffUser = Depends(require_staff)) -> Response:
    return _directory_page(request, user)


@router.post("/directory/import")
def import_csv(request: Request, posted: Posted = PostedForm, user: StaffUser = Depends(require_staff)) -> Response:
    _guard(user)
    app = ykien(request)
    if "file" not in posted.files:
        return _directory_page(request, user, ["Chưa chọn tệp CSV."], None, 422)
    name, content = posted.files["file"]
    if len(content) > app.settings.max_upload_mb * 1024 * 1024:
        return _directory_page(request, user, [f"{name}: tệp lớn hơn giới hạn {app.settings.max_upload_mb} MB."],
                               name, 422)
    create_groups = _field(posted, "create_groups") in ("1", "on", "true")
    try:
        report = import_upload(app, name, content, user.actor, create_groups)
    except DirectoryImportError as invalid:
        return _directory_page(request, user, invalid.errors, name, 422)
    except InvalidInput as invalid:
        return _directory_page(request, user, [invalid.message], name, 422)
    return RedirectResponse(f"/directory?ok=imported&n={report.total}&a={report.added}&u={report.updated}",
                            status_code=303)


@router.post("/directory/groups")
def add_group_form(request: Request, posted: Posted = PostedForm, user: StaffUser = Depends(require_staff)) -> Response:
    _guard(user)
    code, label = _field(posted, "code"), _field(posted, "label")
    try:
        group = add_group(ykien(request), code, label, user.actor)
    except InvalidInput as invalid:
        return _directory_page(request, user, status=422, group_error=invalid.message,
                               group_values={"code": code, "label": label})
    return RedirectResponse(f"/directory?ok=group_added&group={group.code}#g-{group.code}", status_code=303)


@router.post("/directory/groups/{code}")
def rename_group_form(request: Request, code: str, posted: Posted = PostedForm,
                      user: StaffUser = Depends(require_staff)) -> Response:
    _guard(user)
    try:
        group = rename_group(ykien(request), code, _field(posted, "label"), user.actor)
    except InvalidInput as invalid:
        if invalid.code == "group_unknown":
            raise HTTPException(404, invalid.message) from None
        return _directory_page(request, user, status=422, group_error=invalid.message)
    return RedirectResponse(f"/directory?ok=group_renamed&group={group.code}#g-{group.code}", status_code=303)


def _unit_page(request: Request, user: StaffUser, unit: UnitInfo, values: UnitContact | None = None,
               errors: dict[str, str] | None = None, status: int = 200) -> Response:
    groups = {g.code: g.label for g in directory_by_group(ykien(request))}
    return render(request, "directory_unit.html", {
        "unit": unit, "group_label": groups.get(unit.group, unit.group), "values": values or unit,
        "errors": errors or {}, "can_manage": user.can_manage_directory(),
        "flash": "Biểu mẫu còn lỗi; xem lỗi ghi dưới từng mục." if errors else None, "flash_kind": "error",
    }, status_code=status)


def _unit(request: Request, code: str) -> UnitInfo:
    try:
        return get_unit(ykien(request), code)
    except UnitUnknown as missing:
        raise HTTPException(404, missing.message) from None


@router.get("/directory/units/{code}")
def unit_page(request: Request, code: str, user: StaffUser = Depends(require_staff)) -> Response:
    return _unit_page(request, user, _unit(request, code))


@router.post("/directory/units/{code}")
def save_unit(request: Request, code: str, posted: Posted = PostedForm,
              user: StaffUser = Depends(require_staff)) -> Response:
    _guard(user)
    unit = _unit(request, code)
    values = posted.values

    def one(name: str) -> str:
        return (values.get(name) or [""])[0]

    typed = UnitContact(one("email"), one("contact_person"), one("phone"))
    try:
        contact = check_contact(typed.email, typed.contact_person, typed.phone)
    except FormErrors as problem:
        return _unit_page(request, user, unit, typed, problem.errors, 422)
    before = unit
    after = edit_unit(ykien(request), code, contact, user.actor)
    outcome = "saved" if after != before else "unchanged"
    return RedirectResponse(f"/directory?ok={outcome}&code={code}#{code}", status_code=303)

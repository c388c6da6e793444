"""The directory for staff pages and the API: units by group or in one list, an uploaded CSV import, and editing
one unit's contact."""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from models.db.tables import UnitGroupRow, UnitRow
from models.directory import DEFAULT_GROUPS
from models.errors import UnitUnknown
from models.text import nfc, nfc_or_none
from workflows.service.app import App
from workflows.service.directory import ImportReport, import_units
from workflows.service.errors import FormErrors

_PHONE = re.compile(r"[0-9 +.\-()]+")  # the rule of the CSV import (models.directory)
_SAFE_NAME = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    group: str
    email: str
    contact_person: str | None
    phone: str | None
    updated_at: datetime


@dataclass(frozen=True)
class GroupUnits:
    code: str
    label: str
    units: list[UnitInfo]


def _info(row: UnitRow) -> UnitInfo:
    return UnitInfo(row.code, row.name, row.group_code, row.email, row.contact_person, row.phone, row.updated_at)


def directory_by_group(app: App) -> list[GroupUnits]:
    """Every group (the known ones even when empty) with its units, in two queries."""
    with app.uow(read_only=True) as uow:
        labels = {**DEFAULT_GROUPS, **uow.directory.groups()}
        units = [_info(row) for row in uow.directory.units()]
    by_group: dict[str, list[UnitInfo]] = {code: [] for code in labels}
    for unit in units:
        by_group.setdefault(unit.group, []).append(unit)
    order = list(DEFAULT_GROUPS) + sorted(set(by_group) - set(DEFAULT_GROUPS))
    return [GroupUnits(code, labels.get(code, code), by_group[code]) for code in order]


def get_unit(app: App, code: str) -> UnitInfo:
    with app.uow(read_only=True) as uow:
        row = uow.session.get(UnitRow, code)
        if row is None:
            raise UnitUnknown(f"Không có đơn vị \"{code}\" trong danh bạ.")
        return _info(row)


@dataclass(frozen=True)
class DirectoryUnit:
    code: str
    name: str
    group: str
    group_label: str
    email: str
    contact_person: str | None
    phone: str | None


def directory_units(app: App, group: str | None = None) -> list[DirectoryUnit]:
    with app.uow(read_only=True) as uow:
        query = (select(UnitRow, UnitGroupRow.label).join(UnitGroupRow, UnitGroupRow.code == UnitRow.group_code)
                 .order_by(UnitRow.group_code, UnitRow.code))
        if group:
            query = query.where(UnitRow.group_code == group)
        rows = uow.session.execute(query).all()
    return [DirectoryUnit(u.code, u.name, u.group_code, label, u.email, u.contact_person, u.phone) for u, label in rows]


@dataclass(frozen=True)
class UnitContact:
    """What staff may change on a unit: where its mail goes and whom to call."""

    email: str
    contact_person: str | None
    phone: str | None


def check_contact(email: str, contact_person: str | None, phone: str | None) -> UnitContact:
    """Validate like the CSV import; FormErrors names each bad field."""
    errors: dict[str, str] = {}
    email = nfc(email)
    normalized = email
    if not email:
        errors["email"] = "Nhập địa chỉ thư điện tử."
    else:
        try:
            normalized = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            errors["email"] = f"Địa chỉ \"{email}\" không hợp lệ: {error}"
    phone = nfc_or_none(phone)
    if phone is not None and (not _PHONE.fullmatch(phone) or not any(c.isdigit() for c in phone) or len(phone) > 40):
        errors["phone"] = "Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (tối đa 40 ký tự)."
    contact = nfc_or_none(contact_person)
    if contact is not None and len(contact) > 200:
        errors["contact_person"] = "Tên người liên hệ quá dài (tối đa 200 ký tự)."
    if errors:
        raise FormErrors(errors)
    return UnitContact(normalized, contact, phone)


def edit_unit(app: App, code: str, contact: UnitContact, actor: str) -> UnitInfo:
    """Change a unit's email and contact in one transaction with its audit entry (rounds already created
    keep the address they were sent to)."""
    now = app.clock.now()
    with app.uow() as uow:
        row = uow.session.scalars(select(UnitRow).where(UnitRow.code == code).with_for_update()).one_or_none()
        if row is None:
            raise UnitUnknown(f"Không có đơn vị \"{code}\" trong danh bạ.")
        changes = {name: [getattr(row, name), value] for name, value in contact.__dict__.items()
                   if getattr(row, name) != value}
        if changes:
            for name, (_, value) in changes.items():
                setattr(row, name, value)
            row.updated_at = now
            uow.audit.append(None, now, actor, [("unit_edited", {"unit": code, "changes": changes})])
            uow.commit()
        return _info(row)


def import_upload(app: App, filename: str, content: bytes, actor: str) -> ImportReport:
    """Import an uploaded CSV exactly as `ykien directory import` does; errors name the uploaded file."""
    name = _SAFE_NAME.sub("_", Path(filename or "danh-ba.csv").name).strip("._") or "danh-ba.csv"
    with tempfile.TemporaryDirectory(prefix="ykien-import-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        return import_units(app, path, actor)

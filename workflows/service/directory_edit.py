"""The directory for staff pages and the API: units by group or in one list, an uploaded CSV import, and editing
one unit's contact."""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from models import limits
from models.db.directory_repository import DirectoryUnit, UnitInfo, unit_info
from models.directory import ADD_GROUP_ON_PAGE, check_group_code, check_group_label
from models.email_address import EmailRefused, normalized_email
from models.errors import InvalidInput, UnitUnknown
from models.text import nfc, nfc_or_none
from workflows.service.app import App
from workflows.service.directory import ImportReport, import_units
from workflows.service.errors import FormErrors

_PHONE = re.compile(r"[0-9 +.\-()]+")  # the rule of the CSV import (models.directory)
_SAFE_NAME = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class GroupUnits:
    code: str
    label: str
    units: list[UnitInfo]


def directory_by_group(app: App) -> list[GroupUnits]:
    """Every group (even when empty) with its units, by group code, in two queries."""
    with app.uow(read_only=True) as uow:
        labels = uow.directory.groups()
        units = [unit_info(row) for row in uow.directory.units()]
    by_group: dict[str, list[UnitInfo]] = {code: [] for code in labels}
    for unit in units:
        by_group.setdefault(unit.group, []).append(unit)
    return [GroupUnits(code, labels.get(code, code), by_group[code]) for code in sorted(by_group)]


@dataclass(frozen=True)
class GroupInfo:
    code: str
    label: str
    units: int


def list_groups(app: App) -> list[GroupInfo]:
    with app.uow(read_only=True) as uow:
        counts = uow.directory.unit_counts()
        return [GroupInfo(code, label, counts.get(code, 0)) for code, label in uow.directory.groups().items()]


def _checked_label(label: str, code: str, groups: dict[str, str]) -> str:
    limits.check_text("label", label, limits.GROUP_LABEL)
    cleaned, problem = check_group_label(label)
    if problem:
        raise InvalidInput(f"{problem[0].upper()}{problem[1:]}.", "invalid_group_label")
    folded = cleaned.casefold()
    for other, other_label in groups.items():
        if other != code and other_label.casefold() == folded:
            raise InvalidInput(f"Nhãn \"{cleaned}\" đã là nhãn của nhóm {other}.", "group_exists")
    return cleaned


def add_group(app: App, code: str, label: str, actor: str) -> GroupInfo:
    """A new group of units; a code or label already used is refused (InvalidInput, exit 2)."""
    code = nfc(code)
    problem = check_group_code(code)
    if problem:
        raise InvalidInput(f"{problem}.", "invalid_group_code")
    now = app.clock.now()
    with app.uow() as uow:
        groups = uow.directory.groups()
        if code in groups:
            raise InvalidInput(f"Nhóm \"{code}\" đã có ({groups[code]}).", "group_exists")
        cleaned = _checked_label(label, code, groups)
        uow.directory.add_group(code, cleaned)
        uow.audit.append(None, now, actor, [("group_added", {"group": code, "label": cleaned})])
        uow.commit()
    return GroupInfo(code, cleaned, 0)


def rename_group(app: App, code: str, label: str, actor: str) -> GroupInfo:
    """Give a group a new label; an unknown group or a label used by another group is refused (exit 2)."""
    code = nfc(code)
    now = app.clock.now()
    with app.uow() as uow:
        groups = uow.directory.groups()
        if code not in groups:
            known = ", ".join(groups) or "(chưa có nhóm nào)"
            raise InvalidInput(f"Không có nhóm \"{code}\" trong danh bạ (có: {known}).", "group_unknown")
        cleaned = _checked_label(label, code, groups)
        old = uow.directory.rename_group(code, cleaned)
        if old != cleaned:
            uow.audit.append(None, now, actor,
                             [("group_renamed", {"group": code, "changes": {"label": [old, cleaned]}})])
        uow.commit()
        units = uow.directory.unit_counts().get(code, 0)
    return GroupInfo(code, cleaned, units)


def get_unit(app: App, code: str) -> UnitInfo:
    with app.uow(read_only=True) as uow:
        unit = uow.directory.unit(code)
    if unit is None:
        raise UnitUnknown(f"Không có đơn vị \"{code}\" trong danh bạ.")
    return unit


def directory_units(app: App, group: str | None = None) -> list[DirectoryUnit]:
    with app.uow(read_only=True) as uow:
        return uow.directory.units_with_group_labels(group)


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
    elif problem := limits.text_problem("Địa chỉ thư điện tử", email, limits.EMAIL):
        errors["email"] = problem
    else:
        try:
            normalized = normalized_email(email)
        except EmailRefused as refused:
            errors["email"] = f"Địa chỉ \"{email}\" không hợp lệ{refused.why}."
    phone = nfc_or_none(phone)
    if phone is not None and (not _PHONE.fullmatch(phone) or not any(c.isdigit() for c in phone)
                              or limits.length_of(phone) > limits.PHONE):
        errors["phone"] = f"Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (tối đa {limits.PHONE} ký tự)."
    contact = nfc_or_none(contact_person)
    if problem := limits.line_problem("Người liên hệ", contact, limits.CONTACT_PERSON):  # "Kính gửi: …", one line
        errors["contact_person"] = problem
    if errors:
        raise FormErrors(errors)
    return UnitContact(normalized, contact, phone)


def edit_unit(app: App, code: str, contact: UnitContact, actor: str) -> UnitInfo:
    """Change a unit's email and contact in one transaction with its audit entry (rounds already created
    keep the address they were sent to)."""
    now = app.clock.now()
    with app.uow() as uow:
        unit = uow.directory.unit(code, lock=True)
        if unit is None:
            raise UnitUnknown(f"Không có đơn vị \"{code}\" trong danh bạ.")
        changes = {name: [getattr(unit, name), value] for name, value in contact.__dict__.items()
                   if getattr(unit, name) != value}
        if not changes:
            return unit
        uow.directory.set_contact(code, contact.email, contact.contact_person, contact.phone, now)
        uow.audit.append(None, now, actor, [("unit_edited", {"unit": code, "changes": changes})])
        uow.commit()
    return replace(unit, email=contact.email, contact_person=contact.contact_person, phone=contact.phone,
                   updated_at=now)


def import_upload(app: App, filename: str, content: bytes, actor: str, create_groups: bool = False) -> ImportReport:
    """Import an uploaded CSV exactly as `ykien directory import` does; errors name the uploaded file."""
    name = _SAFE_NAME.sub("_", Path(filename or "danh-ba.csv").name).strip("._") or "danh-ba.csv"
    with tempfile.TemporaryDirectory(prefix="ykien-import-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        return import_units(app, path, actor, create_groups, ADD_GROUP_ON_PAGE)

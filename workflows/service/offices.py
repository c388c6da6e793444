"""The Sở's offices as a managed list: admins add and rename them; every round and account names one of them.
Each change is audited in the system's chain (round_id None), as account changes are."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from models.db.unit_of_work import UnitOfWork
from models.errors import DomainError, NotFound
from models.offices import OFFICE_ACTIONS, Office, OfficeExists, checked_code, checked_name, known_office, same_office
from workflows.service.app import App


class OfficeNotFound(NotFound):
    code = "office_not_found"


def offices(app: App) -> list[Office]:
    with app.uow(read_only=True) as uow:
        return uow.offices.all()


def office_codes(app: App) -> list[str]:
    with app.uow(read_only=True) as uow:
        return uow.offices.codes()


def known(uow: UnitOfWork, code: str, place: str = "office") -> str:
    """The office's code as the list keeps it; OfficeUnknown (bad input) naming the list and the code meant."""
    return known_office(code, uow.offices.codes(), place)


def add_office(app: App, code: str, name: str, actor: str) -> Office:
    """A new office. A code that is an existing one but for case or diacritics ("TDC" beside "TĐC") is refused
    with the existing one named."""
    office = Office(checked_code(code, "code"), checked_name(name))
    now = app.clock.now()
    with app.uow() as uow:
        _refuse_taken(uow.offices.codes(), office.code, "code")
        uow.offices.add(office, now)
        uow.audit.append(None, now, actor, [("office_added", {"office": office.code, "name": office.name})])
        uow.commit()
    return office


def rename_office(app: App, code: str, new_code: str | None, new_name: str | None, actor: str,
                  merge: bool = False) -> Office:
    """A new code and/or name for an office; the rounds and accounts that name it follow, in one transaction.

    With `merge`, `new_code` may be an office already in the list (the same office typed twice, "TDC" and "TĐC"):
    the rounds and accounts of `code` move to it and `code` leaves the list."""
    target_code = checked_code(new_code, "new_code") if new_code is not None else None
    target_name = checked_name(new_name) if new_name is not None else None
    now = app.clock.now()
    with app.uow() as uow:
        codes = uow.offices.codes()
        old_code = known_office(code, codes, "code")
        old = uow.offices.get(old_code, lock=True)
        if old is None:
            raise OfficeNotFound(f"Không có phòng \"{old_code}\".")
        rounds, accounts = uow.offices.usage(old.code)
        if merge:
            if target_code is None or target_code not in codes or target_code == old.code:
                raise DomainError(f"new_code: gộp phòng {old.code} vào một phòng khác đã có trong danh sách "
                                  f"({', '.join(c for c in codes if c != old.code)}).", "office_merge_target")
            uow.offices.merge(old.code, target_code)
            result = uow.offices.get(target_code)
            assert result is not None
            details: dict[str, Any] = {"office": [old.code, target_code], "merged": True}
        else:
            result = Office(target_code or old.code, target_name or old.name)
            if result == old:
                return old
            if result.code != old.code:
                _refuse_taken(codes, result.code, "new_code", but=old.code)
            uow.offices.rename(old.code, result)
            details = {"office": [old.code, result.code], "name": [old.name, result.name]}
        details.update(rounds=rounds, accounts=accounts)
        uow.audit.append(None, now, actor, [("office_renamed", details)])
        uow.commit()
    return result


def office_events(app: App, limit: int = 50) -> list[tuple[datetime, str, str, dict[str, Any]]]:
    """The latest changes to the list, newest first: (at, actor, action, details)."""
    with app.uow(read_only=True) as uow:
        events = uow.audit.events(None, actions=list(OFFICE_ACTIONS))
    return [(e.at, e.actor, e.action, e.details) for e in reversed(events[-limit:])]


def _refuse_taken(codes: list[str], code: str, place: str, but: str | None = None) -> None:
    if code in codes and code != but:
        raise OfficeExists(f"{place}: phòng \"{code}\" đã có trong danh sách.", "office_exists")
    existing = same_office(code, codes, but=but)
    if existing is not None:
        raise OfficeExists(f"{place}: \"{code}\" trùng với phòng \"{existing}\" đã có (chỉ khác chữ hoa, chữ thường "
                           f"hoặc dấu); dùng \"{existing}\".", "office_exists")

"""Account administration: disable and enable, reset or change a password, change role and office; each step
audited in the system's chain, and each one that takes a right away ends the account's sessions."""
from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime
from typing import Any

from models.db.unit_of_work import UnitOfWork
from models.errors import DomainError, InvalidInput, NotFound
from models.offices import known_office
from models.staff import ACCOUNT_ACTIONS, Account, Role
from models.text import nfc
from workflows.service.app import App
from workflows.service.staff import (
    LoginRefused,
    check_password,
    checked_office,
    hash_password,
    parse_role,
    verify_password,
)

GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters


class AccountNotFound(NotFound):
    code = "user_not_found"


def generated_password() -> str:
    """A password for a new or reset account, to be handed to its owner once."""
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def accounts(app: App) -> list[Account]:
    with app.uow(read_only=True) as uow:
        return uow.staff.accounts()


def account(app: App, username: str) -> Account:
    with app.uow(read_only=True) as uow:
        return _find(uow, username)


def set_active(app: App, username: str, active: bool, actor: str, actor_id: int | None = None) -> Account:
    """Disable (its sessions end at once) or enable an account. The last active admin stays."""
    now = app.clock.now()
    with app.uow() as uow:
        found = _find(uow, username, lock=True)
        if found.active == active:
            return found
        if not active:
            if found.user.id == actor_id:
                raise DomainError("Không thể tự khóa tài khoản đang dùng.", "self_disable")
            _keep_an_admin(uow, found)
        uow.staff.set_active(found.user.id, active)
        ended = 0 if active else uow.staff_sessions.end_all_of(found.user.id)
        details: dict[str, Any] = {"username": found.user.username}
        if not active:
            details["sessions_ended"] = ended
        uow.audit.append(None, now, actor, [("user_enabled" if active else "user_disabled", details)])
        uow.commit()
        return _find(uow, username)


def reset_password(app: App, username: str, actor: str, password: str | None = None) -> str:
    """A new password for the account (given, or generated when None): returned once, never stored in clear
    nor audited. Every session of the account ends."""
    new_password = password if password is not None else generated_password()
    check_password(new_password)
    new_hash = hash_password(new_password)
    now = app.clock.now()
    with app.uow() as uow:
        found = _find(uow, username, lock=True)
        uow.staff.set_password_hash(found.user.id, new_hash)
        ended = uow.staff_sessions.end_all_of(found.user.id)
        uow.audit.append(None, now, actor, [("password_reset", {"username": found.user.username,
                                                                 "generated": password is None,
                                                                 "sessions_ended": ended})])
        uow.commit()
    return new_password


def change_own_password(app: App, user_id: int, current: str, new: str, actor: str) -> None:
    """The user's own change: the current password must be right; every session of the account ends."""
    if unicodedata.normalize("NFC", current) == unicodedata.normalize("NFC", new):
        raise InvalidInput("new_password: mật khẩu mới phải khác mật khẩu hiện tại.", "same_password")
    check_password(new)
    now = app.clock.now()
    with app.uow() as uow:
        stored = uow.staff.password_hash(user_id)
        if stored is None or not verify_password(stored, current):
            raise LoginRefused("Mật khẩu hiện tại không đúng.")
        uow.staff.set_password_hash(user_id, hash_password(new))
        ended = uow.staff_sessions.end_all_of(user_id)
        username = uow.staff.active_user(user_id)
        uow.audit.append(None, now, actor, [("password_changed", {"username": username.username if username else
                                                                   str(user_id), "sessions_ended": ended})])
        uow.commit()


def set_role(app: App, username: str, role: str, office: str | None, actor: str) -> Account:
    """A new role and office; the account's pages follow at its next request (sessions read the account)."""
    parsed = parse_role(role)
    cleaned_office = checked_office(parsed, office)
    now = app.clock.now()
    with app.uow() as uow:
        found = _find(uow, username, lock=True)
        if cleaned_office is not None and cleaned_office != found.user.office:
            cleaned_office = known_office(cleaned_office, uow.offices.codes())
        if found.user.role is parsed and found.user.office == cleaned_office:
            return found
        if parsed is not Role.ADMIN:
            _keep_an_admin(uow, found)
        uow.staff.set_role(found.user.id, parsed, cleaned_office)
        uow.audit.append(None, now, actor, [("user_role_changed", {
            "username": found.user.username, "role": [found.user.role.value, parsed.value],
            "office": [found.user.office, cleaned_office]})])
        uow.commit()
        return _find(uow, username)


def account_events(app: App, limit: int = 200) -> list[tuple[datetime, str, str, dict[str, Any]]]:
    """The latest account events of the system's audit chain, newest first: (at, actor, action, details)."""
    with app.uow(read_only=True) as uow:
        events = uow.audit.events(None, actions=ACCOUNT_ACTIONS)
    return [(e.at, e.actor, e.action, e.details) for e in reversed(events[-limit:])]


def _find(uow: UnitOfWork, username: str, lock: bool = False) -> Account:
    name = nfc(username).lower()
    found = uow.staff.account(name, lock=lock) if 0 < len(name) <= 80 else None
    if found is None:
        raise AccountNotFound(f"Không có tài khoản \"{name[:80]}\".")
    return found


def _keep_an_admin(uow: UnitOfWork, changed: Account) -> None:
    if changed.user.role is Role.ADMIN and changed.active and uow.staff.active_admins() <= 1:
        raise DomainError("Đây là tài khoản quản trị cuối cùng còn hoạt động; hãy cấp quyền quản trị cho người "
                          "khác trước.", "last_admin")

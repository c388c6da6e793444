"""Staff accounts: creation, password check with argon2, and login rate limiting."""
from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from models.db.tables import LoginAttemptRow, UserRow
from models.errors import DomainError, InvalidInput
from models.staff import Role, StaffUser
from models.text import nfc
from workflows.service.app import App

HASHER = PasswordHasher()
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
MIN_PASSWORD = 10


class LoginRefused(DomainError):
    code = "login_refused"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"


def _user(row: UserRow) -> StaffUser:
    return StaffUser(row.id, row.username, row.display_name, Role(row.role), row.office)


def add_user(app: App, username: str, display_name: str, role: str, password: str, office: str | None,
             actor: str) -> StaffUser:
    username = nfc(username).lower()
    if not re.fullmatch(r"[a-z0-9._-]{3,80}", username):
        raise InvalidInput(f"username: \"{username}\" chỉ gồm chữ thường không dấu, số, . _ - (3–80 ký tự).",
                           "bad_username")
    try:
        parsed_role = Role(role)
    except ValueError:
        raise InvalidInput(f"role: \"{role}\" không hợp lệ (admin, staff, leader).", "bad_role") from None
    if parsed_role is Role.STAFF and not office:
        raise InvalidInput("office: cán bộ phòng phải thuộc một phòng (ví dụ TĐC).", "office_missing")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password: mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.", "weak_password")
    now = app.clock.now()
    with app.uow() as uow:
        if uow.session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
            raise DomainError(f"Tài khoản \"{username}\" đã có.", "user_exists")
        row = UserRow(username=username, display_name=nfc(display_name), role=parsed_role.value,
                      office=nfc(office) if office else None, password_hash=HASHER.hash(password), active=True,
                      created_at=now)
        uow.session.add(row)
        uow.flush()
        uow.audit.append(None, now, actor, [("user_added", {"username": username, "role": parsed_role.value,
                                                            "office": row.office})])
        uow.commit()
        return _user(row)


def get_user(app: App, user_id: int) -> StaffUser | None:
    with app.uow(read_only=True) as uow:
        row = uow.session.get(UserRow, user_id)
        return _user(row) if row is not None and row.active else None


def authenticate(app: App, username: str, password: str, client: str) -> StaffUser:
    """Check a password; too many recent failures for the account or the client refuse even a right one."""
    username = nfc(username).lower()
    now = app.clock.now()
    keys = (f"user:{username}", f"client:{client}")
    with app.uow() as uow:
        since = now - WINDOW
        counts = {key: uow.session.scalar(select(func.count()).select_from(LoginAttemptRow).where(
            LoginAttemptRow.key == key, LoginAttemptRow.at > since)) or 0 for key in keys}
        if counts[keys[0]] >= MAX_FAILURES_PER_USER or counts[keys[1]] >= MAX_FAILURES_PER_CLIENT:
            raise TooManyAttempts("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
        row = uow.session.scalar(select(UserRow).where(UserRow.username == username, UserRow.active.is_(True)))
        if row is None or not _verify(row.password_hash, password):
            uow.session.add_all(LoginAttemptRow(key=key, at=now) for key in keys)
            uow.session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < now - 4 * WINDOW))
            uow.commit()
            raise LoginRefused("Tên đăng nhập hoặc mật khẩu không đúng.")
        if HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = HASHER.hash(password)
        row.last_login_at = now
        uow.session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.key == keys[0]))
        uow.commit()
        return _user(row)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def list_users(app: App) -> list[StaffUser]:
    with app.uow(read_only=True) as uow:
        return [_user(r) for r in uow.session.scalars(select(UserRow).order_by(UserRow.username))]

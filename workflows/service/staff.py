"""Staff accounts: creation, password check with argon2, and login rate limiting."""
from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
        if uow.staff.username_taken(username):
            raise DomainError(f"Tài khoản \"{username}\" đã có.", "user_exists")
        user = uow.staff.add(username, nfc(display_name), parsed_role, nfc(office) if office else None,
                             HASHER.hash(password), now)
        uow.audit.append(None, now, actor, [("user_added", {"username": username, "role": parsed_role.value,
                                                            "office": user.office})])
        uow.commit()
        return user


def get_user(app: App, user_id: int) -> StaffUser | None:
    with app.uow(read_only=True) as uow:
        return uow.staff.active_user(user_id)


def authenticate(app: App, username: str, password: str, client: str) -> StaffUser:
    """Check a password; too many recent failures for the account or the client refuse even a right one."""
    username = nfc(username).lower()
    now = app.clock.now()
    keys = (f"user:{username}", f"client:{client}")
    with app.uow() as uow:
        since = now - WINDOW
        counts = uow.staff.failures_since(keys, since)
        if counts[keys[0]] >= MAX_FAILURES_PER_USER or counts[keys[1]] >= MAX_FAILURES_PER_CLIENT:
            raise TooManyAttempts("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
        found = uow.staff.credentials(username)
        if found is None or not _verify(found.password_hash, password):
            uow.staff.record_failure(keys, now, forget_before=now - 4 * WINDOW)
            uow.commit()
            raise LoginRefused("Tên đăng nhập hoặc mật khẩu không đúng.")
        rehashed = HASHER.hash(password) if HASHER.check_needs_rehash(found.password_hash) else None
        uow.staff.record_login(found.user.id, now, rehashed)
        uow.staff.clear_failures(keys[0])
        uow.commit()
        return found.user


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def list_users(app: App) -> list[StaffUser]:
    with app.uow(read_only=True) as uow:
        return uow.staff.all()

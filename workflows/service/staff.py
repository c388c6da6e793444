"""Staff accounts: creation, password check with argon2, and login rate limiting."""
from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import limits
from models.errors import DomainError, InvalidInput
from models.offices import known_office
from models.staff import Role, StaffUser
from models.text import nfc
from workflows.service.app import App

# argon2-cffi's defaults, RFC 9106's second recommendation: argon2id, 3 passes over 64 MiB in 4 lanes. About 200 ms of
# CPU per hash or check, on purpose. The tests' own processes lower it (tests/conftest.py).
HASHER = PasswordHasher()
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
MIN_PASSWORD = 10
MAX_PASSWORD = 200
MAX_OFFICE = limits.OFFICE
MAX_DISPLAY_NAME = limits.STAFF_NAME  # with the username, the audit's actor fits its VARCHAR(200)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LoginRefused(DomainError):
    code = "login_refused"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"


def add_user(app: App, username: str, display_name: str, role: str, password: str, office: str | None,
             actor: str) -> StaffUser:
    username, display_name, parsed_role, office = checked_new_user(username, display_name, role, office)
    check_password(password)
    now = app.clock.now()
    with app.uow() as uow:
        if office is not None:
            office = known_office(office, uow.offices.codes())
        if uow.staff.username_taken(username):
            raise _taken(username)
        user = uow.staff.add(username, display_name, parsed_role, office,
                             hash_password(password), now)
        uow.audit.append(None, now, actor, [("user_added", {"username": username, "role": parsed_role.value,
                                                            "office": user.office})])
        uow.commit()
        return user


def _taken(username: str) -> InvalidInput:
    # A login already taken is a wrong value typed, as a malformed one is: exit 2 on the command line.
    return InvalidInput(f"username: tài khoản \"{username}\" đã có; chọn tên đăng nhập khác.", "user_exists")


def check_username_free(app: App, username: str) -> None:
    """InvalidInput when the (checked, lower-case) username is taken: said before anyone types a password twice;
    add_user checks it again in its transaction."""
    with app.uow(read_only=True) as uow:
        if uow.staff.username_taken(username):
            raise _taken(username)


def checked_new_user(username: str, display_name: str, role: str,
                     office: str | None) -> tuple[str, str, Role, str | None]:
    """What an account is made of but its password, checked as add_user checks it (before anyone is asked for a
    password): the username in lower case, the name and the office in NFC, the role."""
    username = nfc(username).lower()
    if not re.fullmatch(r"[a-z0-9._-]{3,80}", username):
        raise InvalidInput(f"username: \"{username}\" chỉ gồm chữ thường không dấu, số, . _ - (3–80 ký tự).",
                           "bad_username")
    parsed_role = parse_role(role)
    return username, checked_name(display_name), parsed_role, checked_office(parsed_role, office)


def parse_role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        raise InvalidInput(f"role: \"{role}\" không hợp lệ (admin, staff, leader).", "bad_role") from None


def checked_office(role: Role, office: str | None) -> str | None:
    """The office in NFC; required for staff of an office, kept for others only when given. Whether the list of
    offices has it is checked in the transaction that writes it (models.offices.known_office)."""
    cleaned = nfc(office) if office else ""
    if role is Role.STAFF and not cleaned:
        raise InvalidInput("office: cán bộ phòng phải thuộc một phòng (ví dụ TĐC).", "office_missing")
    if len(cleaned) > MAX_OFFICE or _CONTROL.search(cleaned):
        raise InvalidInput(f"office: mã phòng tối đa {MAX_OFFICE} ký tự, không có ký tự điều khiển.", "bad_office")
    return cleaned or None


def checked_name(display_name: str) -> str:
    cleaned = nfc(display_name)
    if not cleaned or len(cleaned) > MAX_DISPLAY_NAME or _CONTROL.search(cleaned):
        raise InvalidInput(f"name: họ tên phải có, tối đa {MAX_DISPLAY_NAME} ký tự, không có ký tự điều khiển.",
                           "bad_name")
    return cleaned


def check_password(password: str) -> None:
    password = unicodedata.normalize("NFC", password)  # counted as kept: "ậ" is one character, typed in NFD three
    if not password.strip():
        raise InvalidInput("password: mật khẩu không được để trống hay chỉ gồm dấu cách.", "weak_password")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password: mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.", "weak_password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"password: mật khẩu tối đa {MAX_PASSWORD} ký tự.", "long_password")


def authenticate(app: App, username: str, password: str, client: str) -> StaffUser:
    """Check a password. An unknown or disabled name costs the same argon2 check as a known one, so the time of
    the answer does not tell which names exist. Five failures for one account from one client, or twenty from
    one client whatever the names, refuse that client for 15 minutes: a stranger cannot lock staff out of
    their own office's machines."""
    username = nfc(username).lower()
    now = app.clock.now()
    pair, client_key = f"user:{username}|client:{client}", f"client:{client}"
    with app.uow() as uow:
        counts = uow.staff.failures_since((pair, client_key), now - WINDOW)
        if counts[pair] >= MAX_FAILURES_PER_USER or counts[client_key] >= MAX_FAILURES_PER_CLIENT:
            raise TooManyAttempts("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
        found = uow.staff.credentials(username)
        matched = _matching_form(found.password_hash if found is not None else _dummy_hash(), password)
        if found is None or matched is None:
            uow.staff.record_failure((pair, client_key), now, forget_before=now - 4 * WINDOW)
            uow.commit()
            raise LoginRefused("Tên đăng nhập hoặc mật khẩu không đúng.")
        stale = matched != _kept_form(password) or HASHER.check_needs_rehash(found.password_hash)
        rehashed = hash_password(password) if stale else None
        uow.staff.record_login(found.user.id, now, rehashed)
        uow.staff.clear_failures(pair)
        uow.commit()
        return found.user


@cache
def _dummy_hash() -> str:
    """A hash of a random password, checked when the name is unknown so that it takes as long as a known one."""
    return hash_password(secrets.token_urlsafe(24))


def _kept_form(password: str) -> str:
    """A password as it is hashed: NFC, so that "Mậtkhẩu" typed on a Mac (NFD) and on Windows (NFC) is the same."""
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    return HASHER.hash(_kept_form(password))


def _matching_form(stored: str, password: str) -> str | None:
    """The form of `password` the hash `stored` was made from, or None. NFC first; then, for a hash made before
    passwords were normalised, as typed and in NFD (set on a Mac, typed on Windows), so nobody is locked out;
    `authenticate` hashes such a password again in NFC. One argon2 check for a password with no mark to compose."""
    for form in dict.fromkeys((_kept_form(password), password, unicodedata.normalize("NFD", password))):
        try:
            if HASHER.verify(stored, form):
                return form
        except (VerificationError, InvalidHashError):
            continue
    return None


def verify_password(stored: str, password: str) -> bool:
    return _matching_form(stored, password) is not None


def list_users(app: App) -> list[StaffUser]:
    with app.uow(read_only=True) as uow:
        return uow.staff.all()

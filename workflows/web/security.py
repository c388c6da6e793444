"""Sessions (signed, expiring cookies), CSRF tokens, and who is logged in."""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from hashlib import sha256
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Path, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from models.staff import StaffUser
from workflows.service.app import App
from workflows.service.staff import get_user

SESSION_COOKIE = "ykien_session"
SESSION_MAX_AGE = 8 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Every id taken from a path lies in 1 … MAX_ID: a larger one would overflow SQLite's INTEGER on the way (a 500);
# out of range, the app answers 404 as for any unknown id (app.py, _validation).
MAX_ID = 2**31 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


class LoginRequired(Exception):
    """Raised by the staff dependencies; the app answers with a redirect to /login (or 401 for /api)."""


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Session:
    user_id: int | None
    csrf: str


def ykien(request: Request) -> App:
    return request.app.state.ykien


def _serializer(app: App) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key, salt="ykien.session")


def read_session(request: Request) -> Session:
    """The session from the cookie; a missing, forged or expired cookie gives an anonymous session."""
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached
    raw = request.cookies.get(SESSION_COOKIE)
    data: dict[str, Any] = {}
    if raw:
        try:
            data = _serializer(ykien(request)).loads(raw, max_age=SESSION_MAX_AGE)
        except (BadSignature, SignatureExpired):
            data = {}
    session = Session(user_id=data.get("uid"), csrf=data.get("csrf") or secrets.token_urlsafe(24))
    request.state.session = session
    return session


def session_cookie(app: App, session: Session) -> str:
    return _serializer(app).dumps({"uid": session.user_id, "csrf": session.csrf})


def csrf_token(request: Request) -> str:
    return read_session(request).csrf


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


async def check_csrf(request: Request) -> None:
    """Every state-changing request must echo the session's CSRF token (form field or header)."""
    expected = read_session(request).csrf
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if "form" in content_type:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not _same(given, expected):
        raise HTTPException(status_code=403, detail="Phiên làm việc không hợp lệ (CSRF). Hãy tải lại trang và thử lại.")


def link_csrf(app: App, token: str) -> str:
    """The CSRF token of a recipient page: bound to the personal link, no session needed."""
    return hmac.new(app.secret_key.encode(), b"ykien.link:" + token.encode(), sha256).hexdigest()


def check_link_csrf(app: App, token: str, given: str | None) -> None:
    if not _same(given, link_csrf(app, token)):
        raise HTTPException(status_code=403, detail="Biểu mẫu không hợp lệ. Hãy tải lại trang và thử lại.")


def current_user(request: Request) -> StaffUser | None:
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    session = read_session(request)
    user = get_user(ykien(request), session.user_id) if session.user_id else None
    request.state.user = user
    return user


def require_staff(request: Request) -> StaffUser:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


StaffDep = Depends(require_staff)
CsrfDep = Depends(check_csrf)
CsrfField = Form(default=None, alias=CSRF_FIELD)

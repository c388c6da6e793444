"""Sessions (server-side rows behind a random cookie token), CSRF tokens, and who is logged in."""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from hashlib import sha256
from ipaddress import ip_address
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Path, Request, Response
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from models.staff import StaffUser
from workflows.service.app import App
from workflows.service.staff_sessions import end_session, open_session, resume_session

SESSION_COOKIE = "ykien_session"  # a logged-in staff session: a random token, the row is on the server
ANONYMOUS_COOKIE = "ykien_csrf"  # before login: a signed CSRF token for the login form, no rights
ANONYMOUS_MAX_AGE = 8 * 3600
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


def require_change(user: StaffUser, office: str) -> None:
    """Forbidden unless `user` may change a round of `office` (its staff, or an admin)."""
    if not user.can_change_round(office):
        raise Forbidden(f"Bạn chỉ xem được đợt này; chỉ cán bộ của phòng {office} hoặc quản trị mới thay đổi được.")


@dataclass(frozen=True)
class Session:
    """Who is behind a request: a staff member with a server-side session, or nobody (user None)."""

    user: StaffUser | None
    csrf: str
    token: str | None = None
    new_anonymous: bool = False  # the anonymous CSRF token was made for this request: the cookie must carry it


def ykien(request: Request) -> App:
    return request.app.state.ykien


def _serializer(app: App) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key, salt="ykien.anonymous")


def read_session(request: Request) -> Session:
    """The staff session of the cookie if it is live; otherwise an anonymous one with a CSRF token for forms."""
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached
    app = ykien(request)
    live = resume_session(app, request.cookies.get(SESSION_COOKIE, ""))
    if live is not None:
        session = Session(live.user, live.csrf, live.token)
    else:
        csrf = None
        raw = request.cookies.get(ANONYMOUS_COOKIE)
        if raw:
            try:
                csrf = _serializer(app).loads(raw, max_age=ANONYMOUS_MAX_AGE).get("csrf")
            except (BadSignature, SignatureExpired, AttributeError):
                csrf = None
        session = Session(None, csrf or secrets.token_urlsafe(24), new_anonymous=not csrf)
    request.state.session = session
    return session


def client_address(request: Request) -> str:
    """The client's address: the trusted proxy's header when one is configured (its last entry, the address the
    proxy itself saw), else the peer. Without that setting a client's own X-Forwarded-For is ignored."""
    header = ykien(request).settings.trusted_proxy_header
    if header:
        given = request.headers.get(header, "").rsplit(",", 1)[-1].strip()
        try:
            return str(ip_address(given))
        except ValueError:
            pass
    return request.client.host if request.client else "unknown"


def start_session(request: Request, response: Response, user: StaffUser) -> Session:
    """Log in: a new server-side session (a new token and CSRF token), and its cookie on the response."""
    app = ykien(request)
    opened = open_session(app, user, client_address(request))
    session = Session(user, opened.csrf, opened.token)
    request.state.session = session
    response.set_cookie(SESSION_COOKIE, opened.token, httponly=True, samesite="lax",
                        secure=app.settings.base_url.startswith("https"))
    response.delete_cookie(ANONYMOUS_COOKIE)
    request.state.session_written = True
    return session


def finish_session(request: Request, response: Response) -> None:
    """Log out: the server forgets the session, so a copy of the cookie is worth nothing."""
    session = read_session(request)
    if session.token is not None:
        end_session(ykien(request), session.token)
    response.delete_cookie(SESSION_COOKIE)
    request.state.session_written = True


def anonymous_cookie(app: App, session: Session) -> str:
    return _serializer(app).dumps({"csrf": session.csrf})


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
    return read_session(request).user


def require_staff(request: Request) -> StaffUser:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


StaffDep = Depends(require_staff)
CsrfDep = Depends(check_csrf)
CsrfField = Form(default=None, alias=CSRF_FIELD)

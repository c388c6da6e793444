"""Log in and out."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from workflows.service.staff import LoginRefused, TooManyAttempts, authenticate
from workflows.web.security import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    Session,
    check_csrf,
    read_session,
    session_cookie,
    ykien,
)
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send staff to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(request: Request, username: str = Form(...), password: str = Form(...),
          next: str | None = Form(None)) -> Response:
    app = ykien(request)
    client = request.client.host if request.client else "unknown"
    try:
        user = authenticate(app, username, password, client)
    except (LoginRefused, TooManyAttempts) as refusal:
        status = 429 if isinstance(refusal, TooManyAttempts) else 401
        return render(request, "login.html", {"next": _safe_next(next), "error": refusal.message,
                                              "username": username}, status_code=status)
    session = Session(user_id=user.id, csrf=secrets.token_urlsafe(24))  # a new session id on login
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, session_cookie(app, session), max_age=SESSION_MAX_AGE, httponly=True,
                        samesite="lax", secure=app.settings.base_url.startswith("https"))
    request.state.session_written = True
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    read_session(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    request.state.session_written = True
    return response

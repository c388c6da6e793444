"""Log in and out."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from workflows.service.staff import LoginRefused, TooManyAttempts, authenticate
from workflows.web.security import check_csrf, client_address, finish_session, start_session, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send staff to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, next: str | None = None, changed: str | None = None) -> Response:
    notice = "Đã đổi mật khẩu; mọi phiên cũ đã kết thúc. Hãy đăng nhập lại bằng mật khẩu mới." if changed else None
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "notice": notice})


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(request: Request, username: str = Form(...), password: str = Form(...),
          next: str | None = Form(None)) -> Response:
    try:
        user = authenticate(ykien(request), username, password, client_address(request))
    except (LoginRefused, TooManyAttempts) as refusal:
        status = 429 if isinstance(refusal, TooManyAttempts) else 401
        return render(request, "login.html", {"next": _safe_next(next), "error": refusal.message,
                                              "username": username}, status_code=status)
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(request, response, user)
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    finish_session(request, response)
    return response

"""Jinja2 for the pages: autoescaped, with the filters staff expect (Vietnamese dates, local times)."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from models.unit_status import ANSWER_LABELS, EMAIL_LABELS
from workflows.web.security import csrf_token, current_user, ykien

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
ENV = TEMPLATES.env
ENV.autoescape = True


def _vn_date(value: date | datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


ENV.filters["vn_date"] = _vn_date
ENV.globals["ANSWER_LABELS"] = {k.value: v for k, v in ANSWER_LABELS.items()}
ENV.globals["EMAIL_LABELS"] = {k.value: v for k, v in EMAIL_LABELS.items()}
ENV.globals["ROLE_LABELS"] = {"comment": "Góp ý", "publish": "Đăng tải", "inform": "Để biết"}


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    app = ykien(request)

    def local(moment: datetime | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
        return moment.astimezone(app.tz).strftime(fmt) if moment else "—"

    values = {"request": request, "user": current_user(request), "csrf_token": csrf_token(request),
              "local": local, "issuer_name": app.settings.issuer_name, "now": app.clock.now()}
    values.update(context or {})
    return TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)

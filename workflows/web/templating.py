"""Jinja2 for the pages: autoescaped, with the filters staff expect (Vietnamese dates, local times)."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from models import limits
from models.moments import MOMENT_FORMAT, local_moment, when_due, when_happened
from models.text import capfirst, grouped, lowfirst, whole_number
from models.unit_status import ANSWER_LABELS, EMAIL_LABELS
from notifications.documents.data import signature_lines
from workflows.definition import Capability
from workflows.service.deadlines import read_date
from workflows.service.registry import get_workflow
from workflows.service.views import role_labels
from workflows.web.security import csrf_token, current_user, ykien

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
ENV = TEMPLATES.env
ENV.autoescape = True


def _vn_date(value: date | datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _vn_value(value: object) -> object:
    """Booleans as staff read them in the audit log."""
    if value is True:
        return "có"
    if value is False:
        return "không"
    return value


def _typed_date(value: object) -> str:
    """A date in a date field as staff type it, 05/12/2025, whether stored so or as 2025-12-05; other text (what was
    typed and refused) unchanged. The fields are text, not the browser's date picker, which an English browser shows
    as mm/dd/yyyy: 05/12 typed there is the 12th of May."""
    found = read_date(str(value or ""))
    return found.strftime("%d/%m/%Y") if found else str(value or "")


def _field_text(value: object, kind: str | None) -> str:
    """A filled value as people read it: an amount "1.500.000.000 đồng", months "24 tháng", a count "1.200";
    anything else as it was typed (a "number" too: it may be a year)."""
    text = str(value)
    number = whole_number(text, 0, 10**18 - 1)
    if number is None:
        return text
    if kind == "money":
        return f"{grouped(number)} đồng"
    if kind == "months":
        return f"{text} tháng"
    return grouped(number) if kind == "count" else text


def _signer_title(title: str) -> str:
    """The signer's title as the letter's signature block reads it: "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC", as the setting is
    typed, reads "KT. GIÁM ĐỐC, PHÓ GIÁM ĐỐC"."""
    return ", ".join(signature_lines(title))


ENV.filters["vn_date"] = _vn_date
ENV.filters["signer_title"] = _signer_title
ENV.filters["field_text"] = _field_text
ENV.globals["limits"] = limits  # the maxlength of each field is the service's own limit
ENV.filters["typed_date"] = _typed_date
ENV.filters["vn_value"] = _vn_value
# Fallbacks only: the round pages pass the words of the round's kind (answer_labels).
ENV.globals["ANSWER_LABELS"] = {k.value: v for k, v in ANSWER_LABELS.items()}
ENV.globals["EMAIL_LABELS"] = {k.value: v for k, v in EMAIL_LABELS.items()}
# The roles in the words of a round's kind ("Góp ý", "Đề xuất", "Được mời"): `workflow|role_words`.
ENV.filters["role_words"] = role_labels


def round_tabs(workflow_name: str) -> list[tuple[str, str, str]]:
    """The tabs of a round's pages as (key, label, path), named in the kind's words (the file its rounds send is
    its terms.document: "Dự thảo", "Nội dung đề nghị đề xuất"); the consolidation tab only for a kind whose
    comments are triaged somewhere in its course."""
    workflow = get_workflow(workflow_name)
    answers = capfirst(workflow.terms.answer)
    triaged = any(Capability.TRIAGE in state.allows for state in workflow.states.values())
    tabs = [("units", "Tình hình đơn vị", ""), ("responses", f"{answers} đã nhận", "/responses")]
    if triaged:  # a form with headings is consolidated heading by heading (routes/report_headings.py)
        tabs.append(("consolidation", f"Tổng hợp {workflow.terms.answer}",
                     "/consolidation/headings" if workflow.response.sections else "/consolidation"))
    if workflow.assignments:  # tasks given to named units, each with its own due date (routes/assignment_routes.py)
        tabs.append(("assignments", "Nhiệm vụ", "/assignments"))
    tabs += [("drafts", capfirst(workflow.terms.document), "/drafts"), ("documents", "Văn bản", "/documents"),
             ("timeline", "Diễn biến", "/timeline"), ("outbox", "Thư đã gửi", "/outbox"),
             ("audit", "Nhật ký", "/audit"), ("preview", "Thư gửi đơn vị", "/preview")]
    return tabs


ENV.globals["round_tabs"] = round_tabs


ENV.filters["capfirst"] = capfirst
ENV.filters["lowfirst"] = lowfirst

_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _code_spans(text: str) -> Markup:
    """A notice written once for the API and the pages ("… cần chạy `ykien worker` …"): on a page, the command
    between backticks is shown as code, not with its backticks; everything else is escaped."""
    return Markup(_CODE_SPAN.sub(lambda found: f"<code>{found[1]}</code>", str(escape(text))))


ENV.filters["code_spans"] = _code_spans


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    app = ykien(request)

    def local(moment: datetime | None, fmt: str = MOMENT_FORMAT) -> str:
        return local_moment(moment, app.tz, fmt)

    def due(moment: datetime) -> str:
        return when_due(moment, app.tz)

    def happened(moment: datetime, end_of_day: bool = False) -> str:
        return when_happened(moment, app.tz, end_of_day)

    values = {"request": request, "user": current_user(request), "csrf_token": csrf_token(request),
              "local": local, "when_due": due, "when_happened": happened, "issuer_name": app.settings.issuer_name,
              "now": app.clock.now()}
    values.update(context or {})
    return TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)

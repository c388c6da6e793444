"""The pages of each of the four kinds keep the accessibility rules that can be read from their HTML
(tests/web/page_rules.py): the login (and its refusal), the dashboard, the new-round form of the kind (and its
refusal), every tab and action form of a launched round, and a unit's personal page with its answer form (and its
refusal, and the page after sending). A page that loses a label, an `<h1>`, a heading level, a table header's
scope or its skip link's target fails here, naming the element.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from page_rules import broken_rules
from test_recipient_page import links
from test_report_collection import REPORT
from test_round_kinds import PROPOSAL, log_in
from test_workshop_pages import (  # noqa: F401
    EVERY_GROUP,
    STAFF,
    TITLE,
    launch_workshop,
    staff,
    template_home,
    unit_client,
    workshop_clock,
    ykien_app,
)

from config.clock import FrozenClock
from notifications.testing import SmtpCapture
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.assignments import assign, for_round
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.staff import add_user
from workflows.service.steps import run_step
from workflows.service.sweep import run_due
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

ADMIN_PASSWORD = "mat-khau-quan-tri-dai"
KINDS = ("consultation", "proposal_call", "report_collection", "workshop")
ROUND_TABS = ("", "/responses", "/timeline", "/outbox", "/audit", "/preview", "/extend", "/respond", "/close",
              "/remind")
# What a unit typed wrong, per kind: the answer it sends leaves a required field empty.
REFUSED_ANSWER: dict[str, dict[str, Any]] = {
    "consultation": {"answer": "comments", "section": ["Mục I"], "comment": [""], "proposed": [""]},
    "proposal_call": {"answer": "proposals", **{f"p1_{k}": v for k, v in PROPOSAL.items() if k != "task_name"}},
    "report_collection": {"answer": "proposals"},
    "workshop": {"answer": "proposals", "p_attendance": "Cử người dự thay"},
}
# An answer the kind takes, to walk the page that says it was received.
TAKEN_ANSWER: dict[str, dict[str, Any]] = {
    "consultation": {"answer": "comments", "section": ["Mục I"], "comment": ["Đề nghị làm rõ nguồn kinh phí."],
                     "proposed": ["Bổ sung nguồn ngân sách tỉnh."]},
    "proposal_call": {"answer": "proposals", **{f"p1_{k}": v for k, v in PROPOSAL.items()}},
    "workshop": {"answer": "proposals", "p_attendance": "Không tham dự"},
}


def launch(app: App, workflow: str) -> int:
    if workflow == "workshop":
        return launch_workshop(app)
    new = NewRound(title=TITLE, subject="", workflow=workflow, office="TĐC", deadline=date(2025, 8, 20),
                   addressees=(Addressee(groups=("so-ban-nganh",)),), contact_name="Ông Phạm Phi Long",
                   contact_phone="0912 130 290", signer_name="Trịnh Trường Huy")
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


class Walk:
    """The pages walked by one test and the rules each broke, told all at once at the end."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.broken: dict[str, list[str]] = {}

    def page(self, path: str, answer: Response | None = None) -> str:
        answer = answer if answer is not None else self.client.get(path)
        assert answer.status_code < 500, (path, answer.status_code)
        if broken := broken_rules(answer.text):
            self.broken[f"{path} ({answer.status_code})"] = broken
        return answer.text

    def assert_clean(self) -> None:
        assert not self.broken, "\n".join(f"{path}\n  " + "\n  ".join(lines) for path, lines in self.broken.items())


def test_the_login_its_refusal_and_the_pages_of_a_bad_link_keep_the_rules(unit_client: TestClient) -> None:
    walk = Walk(unit_client)
    page = walk.page("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    refused = unit_client.post("/login", data={"csrf_token": csrf.group(1), "username": "long", "password": "sai"})
    assert 'role="alert"' in walk.page("POST /login", refused)
    for missing in ("/r/khong-co-duong-dan-nay", "/khong-co-trang-nay"):  # the pages that say what went wrong
        answer = unit_client.get(missing)
        assert 400 <= answer.status_code < 500, (missing, answer.status_code)
        walk.page(missing, answer)
    walk.assert_clean()


def test_the_admins_pages_and_their_refusals_keep_the_rules(ykien_app: App) -> None:
    add_user(ykien_app, "quantri", "Quản trị", "admin", ADMIN_PASSWORD, None, "test")
    admin = TestClient(create_web_app(ykien_app))
    signed_in = admin.post("/api/session", json={"username": "quantri", "password": ADMIN_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    admin.headers["X-CSRF-Token"] = signed_in.json()["csrf_token"]
    walk = Walk(admin)
    for path in ("/accounts", "/accounts/long", "/offices", "/account/password", "/directory",
                 "/directory/units/SCT"):
        walk.page(path)
    for missing in ("/rounds/99999", "/accounts/khong-co-ai", "/directory/units/KHONGCO"):
        answer = admin.get(missing)
        assert answer.status_code == 404, (missing, answer.status_code)
        walk.page(missing, answer)
    for path, data in (("/accounts", {"username": "", "display_name": "", "role": "staff", "password": "ngan"}),
                       ("/accounts/long/digest", {"digest": "1", "digest_email": "long.pp@"}),
                       ("/account/password", {"current": "sai", "new_password": "ngan", "again": "khac"}),
                       ("/offices", {"code": "", "name": ""}),
                       ("/directory/units/SCT", {"name": "", "email": "khong-phai-thu"}),
                       ("/register/take", {"document": "", "summary": ""}),
                       ("/register/enter", {"document": "", "number": "", "issued_on": "32/13/2025"})):
        refused = admin.post(path, data=data)
        assert 400 <= refused.status_code < 500, (path, refused.status_code)
        walk.page(f"POST {path}", refused)
    bad_file = admin.post("/directory/import", files={"file": ("don-vi.csv", b"code;name\nSCT;x\n", "text/csv")})
    assert bad_file.status_code == 422, bad_file.status_code
    walk.page("POST /directory/import", bad_file)
    walk.assert_clean()


@pytest.mark.parametrize("workflow", KINDS)
def test_the_staff_pages_of_a_round_keep_the_rules(
        ykien_app: App, staff: TestClient, workflow: str) -> None:
    round_id = launch(ykien_app, workflow)
    if workflow == "workshop":
        assign(ykien_app, round_id, "paper", ["SCT"], None, "Trình bày 10 phút", STAFF)
    walk = Walk(staff)
    walk.page("/")
    walk.page(f"/rounds/new?workflow={workflow}")
    refused = staff.post("/rounds", data={"action": "create", "workflow": workflow, "title": "", "office": "TĐC",
                                          "deadline_mode": "date", "deadline_date": "hôm qua"})
    assert refused.status_code == 422, refused.status_code
    html = walk.page(f"POST /rounds ({workflow})", refused)
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    for tab in ROUND_TABS:
        walk.page(f"/rounds/{round_id}{tab}")
    for action in ("extend", "respond"):  # each action's form sent empty: refused, the page drawn again
        refused = staff.post(f"/rounds/{round_id}/{action}", data={"unit": "SCT"})
        assert 400 <= refused.status_code < 500, (action, refused.status_code)
        walk.page(f"POST …/{action} ({workflow})", refused)
    if workflow == "workshop":
        walk.page(f"/rounds/{round_id}/assignments")
        assigned = staff.post(f"/rounds/{round_id}/assignments", data={"task": "paper", "unit": [], "due": "15/13/2025",
                                                                       "note": ""})
        assert assigned.status_code == 422
        walk.page("POST …/assignments", assigned)
        [given] = for_round(ykien_app, round_id)
        url = f"/rounds/{round_id}/assignments/{given.id}/hand-in"
        for channel in ("pigeon", "paper"):  # a forged channel, then a title left empty
            recorded = staff.post(url, data={"unit": "SCT", "channel": channel, f"a{given.id}_paper__paper_title": ""})
            assert recorded.status_code == 422
            walk.page(f"POST …/hand-in ({channel})", recorded)
    walk.assert_clean()


@pytest.mark.parametrize("workflow", KINDS)
def test_a_units_page_its_refused_answer_and_its_sent_page_keep_the_rules(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, workflow: str) -> None:
    round_id = launch(ykien_app, workflow)
    if workflow == "workshop":
        assign(ykien_app, round_id, "paper", ["SCT"], None, "Trình bày 10 phút", STAFF)
    token = links(capture)["SCT"]
    walk = Walk(unit_client)
    walk.page(f"/r/{token}")
    refused = unit_client.post(f"/r/{token}", data={"csrf_token": link_csrf(ykien_app, token), "action": "send",
                                                    **REFUSED_ANSWER[workflow]})
    assert refused.status_code == 422, (workflow, refused.status_code, refused.text[:2000])
    html = walk.page(f"POST /r/… ({workflow})", refused)
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    if workflow == "workshop":
        task = unit_client.post(f"/r/{token}/tasks/paper", data={"csrf_token": link_csrf(ykien_app, token),
                                                                 "t_paper__paper_title": ""})
        assert task.status_code == 422
        walk.page("POST /r/…/tasks/paper", task)
    if workflow in TAKEN_ANSWER:
        sent = unit_client.post(f"/r/{token}", data={"csrf_token": link_csrf(ykien_app, token), "action": "send",
                                                     **TAKEN_ANSWER[workflow]}, follow_redirects=False)
        assert sent.status_code == 303, (workflow, sent.status_code, sent.text[:2000])
        walk.page(sent.headers["location"])
        walk.page(f"/r/{token}")
    walk.assert_clean()


def links_under(html: str, prefix: str) -> set[str]:
    """The pages a page links to under `prefix`, files and fragments left out."""
    found = {href.split("#", 1)[0] for href in re.findall(r'<a [^>]*href="([^"]+)"', html)}
    return {href for href in found if href.startswith(prefix) and not re.search(r"\.(xlsx|csv|docx|pdf|zip)$|/(pdf|"
                                                                                 r"documents|attachments)/", href)}


@pytest.mark.parametrize("workflow", KINDS)
def test_every_page_a_closed_round_links_to_keeps_the_rules(
        ykien_app: App, staff: TestClient, unit_client: TestClient, capture: SmtpCapture,
        workshop_clock: FrozenClock, workflow: str) -> None:
    """Answered by one unit, then closed (or past its dates): the round's page and every page of the round it links
    to, as the kind has them (consolidation, documents, assignments ...), and the staff pages of the menu."""
    round_id = launch(ykien_app, workflow)
    token = links(capture)["SCT"]
    taken = {**TAKEN_ANSWER, "report_collection": {"answer": "proposals",
                                                   **{f"p_{k}": v for k, v in REPORT.items()}}}[workflow]
    sent = unit_client.post(f"/r/{token}", data={"csrf_token": link_csrf(ykien_app, token), "action": "send", **taken},
                            follow_redirects=False)
    assert sent.status_code == 303, sent.text[:2000]
    workshop_clock.set(workshop_clock.now() + timedelta(days=30))  # past every date of every kind
    run_due(ykien_app)
    log_in(staff)  # the session did not outlive a month
    walk = Walk(staff)
    seen: set[str] = set()
    waiting = [f"/rounds/{round_id}", "/", "/directory", "/register", "/mail", "/account/password"]
    while waiting:
        path = waiting.pop()
        if path in seen:
            continue
        seen.add(path)
        html = walk.page(path)
        if path.startswith(f"/rounds/{round_id}") and "?" not in path:
            waiting.extend(links_under(html, f"/rounds/{round_id}") - seen)
    assert len(seen) > 8, sorted(seen)
    if f"/rounds/{round_id}/consolidation" in seen:  # staff handle no comment chosen: refused
        handled = staff.post(f"/rounds/{round_id}/consolidation/handle", data={"decision": "", "explanation": ""})
        assert handled.status_code == 422, handled.status_code
        walk.page("POST …/consolidation/handle", handled)
    walk.page(f"/r/{token}", unit_client.get(f"/r/{token}"))
    walk.assert_clean()


STYLE = Path(__file__).resolve().parents[2] / "workflows" / "web" / "static" / "style.css"
TEXT_CONTRAST = 4.5  # WCAG 1.4.3, normal text
# Rules whose text sits on a background another rule paints: the dark top bar behind its white links.
PAINTED_BY = {".topbar ": ".topbar"}


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_text_colour_of_the_style_sheet_reads_at_4_5_to_1_on_its_background() -> None:
    """Each rule's text colour against the background the same rule paints, or else against both the page's
    background and a card's white; the colours are read from the style sheet, variables resolved."""
    css = re.sub(r"/\*.*?\*/", "", STYLE.read_text(encoding="utf-8"), flags=re.S)
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", css))

    def colour(value: str) -> str | None:
        value = value.strip()
        if found := re.fullmatch(r"var\((--[\w-]+)\)", value):
            return variables[found.group(1)]
        found = re.match(r"#[0-9a-fA-F]{3,6}\b", value)
        return found.group(0) if found else None

    rules = [(" ".join(selector.split()), dict(re.findall(
        r"(?<![-\w])(color|background|background-color)\s*:\s*([^;]+)", body)))
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]
    backgrounds: dict[str, str] = {}
    for selector, declared in rules:
        if painted := colour(declared.get("background") or declared.get("background-color") or ""):
            backgrounds.setdefault(selector, painted)
    checked, low = 0, []
    for selector, declared in rules:
        text = colour(declared["color"]) if "color" in declared else None
        if text is None:
            continue
        painted = colour(declared.get("background") or declared.get("background-color") or "")
        outer = next((backgrounds[owner] for inside, owner in PAINTED_BY.items() if selector.startswith(inside)), None)
        behind = [painted] if painted else [outer] if outer else [variables["--bg"], "#ffffff"]
        for background in behind:
            checked += 1
            if (ratio := contrast(text, background)) < TEXT_CONTRAST:
                low.append(f"{selector}: {text} on {background} is {ratio:.2f}:1")
    assert checked > 30, checked
    assert not low, "\n".join(low)

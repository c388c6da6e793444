"""A unit answers with the keyboard alone, on a phone's width, for each of the four kinds (Playwright + Debian's
chromium, pressing Tab, Space and Enter, and typing into the field that has the focus).

From the top of its personal page the unit tabs through the form: every stop shows a focus outline, every form
control it reaches is at least 24 px high, the fields of its answer are typed, the one choice it makes is taken
with Space, and Enter on the send button sends the answer. A refused answer puts the focus on the list of
problems, whose first link, followed with Enter, puts the focus in the field named. Screenshots go to
artifacts/screenshots/s8d-keyboard/.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_report_collection import REPORT
from test_round_kinds import PROPOSAL

from workflows.demo import seed_round
from workflows.engine.events import Launch
from workflows.service.outbox_view import message_texts
from workflows.service.rounds import Addressee, create_round, execute

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(240)

PHONE = {"width": 375, "height": 812}
STAFF = "Phạm Phi Long (TĐC)"
FOLDER = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "s8d-keyboard"
TARGET = 24  # px: WCAG 2.5.8, the least a control's height may be
FOCUSED = """(() => { const e = document.activeElement, style = getComputedStyle(e), box = e.getBoundingClientRect();
    return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '', id: e.id,
            checked: !!e.checked, outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
            shadow: style.boxShadow, height: box.height}; })()"""


@dataclass(frozen=True)
class Answer:
    """What a unit of the kind types (field name -> text) and the one choice it takes with Space."""

    typed: dict[str, str]
    chosen: tuple[str, str] | None = None  # (name, value) of the radio: the first of its group, where Tab enters


ANSWERS = {
    # typing a comment chooses "Có ý kiến góp ý" (recipient.js): no arrow key needed between the two choices
    "consultation": Answer({"section": "Mục IV", "comment": "Đề nghị tách rõ nguồn kinh phí.",
                            "proposed": "Nguồn ngân sách tỉnh và nguồn xã hội hóa ghi riêng."}),
    "proposal_call": Answer({f"p1_{key}": value for key, value in PROPOSAL.items()}),
    "report_collection": Answer({f"p_{key}": value for key, value in REPORT.items()}),
    "workshop": Answer({"p_attendee_name": "Nguyễn Văn An", "p_attendee_position": "Phó Giám đốc Sở"},
                       ("p_attendance", "Tham dự")),
}


def launched(site: LiveSite, workflow: str) -> str:
    """A round of the kind launched to the departments; the personal link token of SCT."""
    dates = {"event": date(2026, 1, 15)} if workflow == "workshop" else {}
    new = replace(seed_round(), workflow=workflow, deadline=date(2026, 1, 8), dates=dates, subject="",
                  addressees=(Addressee(groups=("so-ban-nganh",)),))
    round_id = create_round(site.app, new, STAFF)
    execute(site.app, round_id, Launch(), STAFF)
    body = next(text for code, text in message_texts(site.app, round_id, "invitation") if code == "SCT")
    found = re.search(r"/r/([A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


def tab_through(page: Any, answer: Answer, workflow: str, limit: int = 200) -> list[str]:
    """Tab from the top of the page to the send button, typing and choosing on the way; press Enter there.
    Returns the problems seen: a stop without a focus outline, a control under 24 px high."""
    problems: list[str] = []
    waiting = dict(answer.typed)  # each field typed once: the first of its name (a consultation's first comment)
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        where = f"{workflow}: <{stop['tag'].lower()} name={stop['name']!r} id={stop['id']!r}>"
        if stop["tag"] == "BODY":
            break
        if (stop["outline"] == "none" or stop["outlineWidth"] < 1) and stop["shadow"] in ("none", ""):
            problems.append(f"{where} has the focus but shows no outline")
        if stop["tag"] in ("INPUT", "SELECT", "TEXTAREA", "BUTTON") and stop["height"] < TARGET:
            problems.append(f"{where} is {stop['height']:.0f} px high")
        if stop["id"] == "send":
            page.keyboard.press("Enter")
            return problems
        if stop["type"] == "radio" and (stop["name"], stop["value"]) == answer.chosen and not stop["checked"]:
            page.keyboard.press("Space")
        elif stop["name"] in waiting and stop["tag"] in ("INPUT", "TEXTAREA") and not stop["value"]:
            page.keyboard.type(waiting.pop(stop["name"]))
    raise AssertionError(f"{workflow}: the send button is not reached with Tab; problems: {problems}")


def refused_or_answered(page: Any, within: float = 30) -> None:
    """Until the browser refused the form (the focus on a field it requires) or the server's answer replaced the page.
    Not page.wait_for_function: once the document is replaced it evaluates its predicate with eval, which the page's
    Content-Security-Policy (no 'unsafe-eval') refuses."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if page.evaluate("!window.beforeSending || document.activeElement.matches(':invalid')"):
                return
        except PlaywrightError:  # the document is being replaced by the server's answer
            pass
        page.wait_for_timeout(50)
    raise AssertionError("the form was neither refused by the browser nor answered by the server")


@pytest.mark.parametrize("workflow", list(ANSWERS))
def test_a_unit_answers_with_the_keyboard_alone_on_a_phone(live_site: LiveSite, chromium: Any,
                                                          workflow: str) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    token = launched(live_site, workflow)
    context = chromium.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_site.url(f"/r/{token}"))
    page.screenshot(path=str(FOLDER / f"{workflow}-page-375.png"), full_page=True)

    # Sent with nothing filled: refused, by the browser (the focus on the first field it requires) or by the server
    # (the focus on the list of problems, whose first link leads into its field).
    page.evaluate("window.beforeSending = true")  # gone once the server's answer is a new page
    refused = tab_through(page, Answer({}), workflow)
    refused_or_answered(page)
    page.wait_for_load_state()
    first = page.evaluate("[document.activeElement.id, document.activeElement.matches(':invalid')]")
    page.screenshot(path=str(FOLDER / f"{workflow}-refused-375.png"), full_page=True)
    if first[0] == "problems":
        page.keyboard.press("Tab")
        anchor = page.evaluate("document.activeElement.getAttribute('href')")
        assert anchor and anchor.startswith("#"), (workflow, anchor)
        page.keyboard.press("Enter")
        focused = page.evaluate("[document.activeElement.id, document.activeElement.getAttribute('aria-invalid')]")
        assert f"#{focused[0]}" == anchor or focused[1] == "true", (workflow, anchor, focused)
    else:
        assert first[1], (workflow, "refused, but the focus is not on a field to fill", first)
    page.goto(live_site.url(f"/r/{token}"))

    problems = tab_through(page, ANSWERS[workflow], workflow) + refused
    page.wait_for_url(re.compile(rf"/r/{token}/sent"))
    if workflow == "consultation":
        assert "Đề nghị tách rõ nguồn kinh phí." in page.goto(live_site.url(f"/r/{token}")).text()
    page.screenshot(path=str(FOLDER / f"{workflow}-sent-375.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(dict.fromkeys(problems))


TARGETS = "button, input:not([type=hidden]), select, textarea, summary, a.button, nav a, .tabs a"
SMALL_TARGETS = """[...document.querySelectorAll('TARGETS')].filter(e => e.offsetParent !== null)
    .map(e => { const r = e.getBoundingClientRect(); return [e.name || e.textContent.trim().slice(0, 40), r.width,
                                                             r.height]; })
    .filter(([, width, height]) => width < 24 || height < 24)""".replace("TARGETS", TARGETS)


def test_every_control_of_the_staff_pages_is_a_24_px_target_on_a_phone(live_site: LiveSite, chromium: Any) -> None:
    """Buttons, fields, the menu's links and the tabs at 375 px: 24 px high and wide at least (WCAG 2.5.8); and
    the first thirty stops of the Tab key on each page show a focus outline."""
    token = launched(live_site, "consultation")
    context = chromium.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = live_site.login(context)
    small = {}
    for path in ("/", "/rounds/1", "/rounds/1/responses", "/rounds/1/extend", "/rounds/1/respond", "/rounds/new",
                 "/directory", "/register", "/mail", f"/r/{token}"):
        page.goto(live_site.url(path))
        if found := page.evaluate(SMALL_TARGETS):
            small[path] = found
        for _ in range(30):  # the first stops of the Tab key, the menu's included: each shows where it is
            page.keyboard.press("Tab")
            stop = page.evaluate(FOCUSED)
            if stop["tag"] != "BODY" and stop["outline"] == "none" and stop["shadow"] in ("none", ""):
                small.setdefault(path, []).append(["no focus outline", stop["tag"], stop["name"] or stop["id"]])
    context.close()
    assert not small, small

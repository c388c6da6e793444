"""The emails of each of the four kinds as a unit's clerk and a staff member receive them: a round launched,
answered on time by one unit and late by another where the kind takes late answers, extended for a third,
reminded and digested day by day, every message delivered through the outbox to a loopback SMTP server.

Each message is checked as received: Subject encoded, Date, Message-ID, a plain-text part and an HTML part, the
Sở by name in From, no template syntax nor "None", dates as dd/mm/yyyy, no "góp ý" outside a consultation, and
the personal link the same in both parts and opening the unit's page (the receipt's too: it says the unit can
read there what it sent; a task's receipt too; and a receipt sent months after the deadline). The digest names each
round's deadline in the kind's words, "hết ngày …", and keeps unit names apart with "; " (a name may hold commas).
No email with a link scrolls sideways at 375 px in chromium.
"""
from __future__ import annotations

import csv
import html as html_lib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from test_recipient_page import links
from test_report_collection import REPORT
from test_round_kinds import PROPOSAL
from test_workshop_pages import (  # noqa: F401
    STAFF,
    START,
    UNITS,
    launch_workshop,
    paper_file,
    paper_form,
    template_home,
    unit_client,
    workshop_clock,
    ykien_app,
)

from config.clock import FrozenClock
from models.rounds import ResponseChannel, ResponseKind
from notifications.compose import compose
from notifications.testing import SmtpCapture
from workflows.engine.events import Extend, Launch, Respond
from workflows.service.app import App
from workflows.service.assignments import assign
from workflows.service.digest import set_digest
from workflows.service.outgoing import email_terms
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, default_subject, execute
from workflows.service.steps import run_step
from workflows.service.sweep import run_due
from workflows.service.views import round_view
from workflows.web.security import link_csrf

KINDS = ("consultation", "proposal_call", "report_collection", "workshop")
TITLE = "Giải pháp cải thiện Chỉ số đổi mới sáng tạo tỉnh Cao Bằng"
ANSWERS: dict[str, dict[str, Any]] = {
    "consultation": {"answer": "comments", "section": ["Mục I"], "comment": ["Đề nghị làm rõ nguồn kinh phí."],
                     "proposed": ["Bổ sung nguồn ngân sách tỉnh."]},
    "proposal_call": {"answer": "proposals", **{f"p1_{k}": v for k, v in PROPOSAL.items()}},
    "report_collection": {"answer": "proposals", **{f"p_{k}": v for k, v in REPORT.items()}},
    "workshop": {"answer": "proposals", "p_attendance": "Không tham dự"},
}
LINKED = ("invitation", "reminder_before", "reminder_overdue", "extension", "receipt", "task_reminder", "task_receipt")
# "Sở Văn hóa, Thể thao và Du lịch" holds a comma: in a list of names only "; " keeps it one name.
UNIT_WITH_A_COMMA = "Sở Văn hóa, Thể thao và Du lịch"
with UNITS.open(encoding="utf-8") as units_file:
    UNIT_NAMES = {row["code"]: row["name"] for row in csv.DictReader(units_file)}


@dataclass
class Received:
    kind: str  # the message's kind (X-Ykien-Kind)
    unit: str | None
    message: EmailMessage
    raw_headers: bytes
    subject: str
    text: str
    html: str


def launch(app: App, workflow: str) -> int:
    if workflow == "workshop":
        return launch_workshop(app)
    new = NewRound(title=TITLE, subject="", workflow=workflow, office="TĐC", deadline=date(2025, 8, 15),
                   addressees=(Addressee(groups=("so-ban-nganh",)),), contact_name="Ông Phạm Phi Long",
                   contact_phone="0912 130 290", signer_name="Trịnh Trường Huy")
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


def answer(app: App, client: TestClient, token: str, workflow: str) -> int:
    return client.post(f"/r/{token}", data={"csrf_token": link_csrf(app, token), "action": "send",
                                            **ANSWERS[workflow]}, follow_redirects=False).status_code


def a_round_lived(app: App, client: TestClient, capture: SmtpCapture, clock: FrozenClock,
                  workflow: str) -> list[Received]:
    """Launch, an answer on the first day, an extension, then three weeks of sweeps with a late answer after the
    deadline (taken only by a kind with a grace period); every message received, in order."""
    set_digest(app, "long", True, "long.pp@skhcn.caobang.gov.vn", STAFF)
    round_id = launch(app, workflow)
    run_due(app)
    tokens = links(capture)
    assert answer(app, client, tokens["SCT"], workflow) == 303
    own = round_view(app, round_id).state.deadline  # the workshop's is not the others'
    assert own is not None
    execute(app, round_id, Extend(app.calendar.next_working_day(own + timedelta(days=1)), "STC",
                                  "Sở Tài chính xin thêm thời gian"), STAFF)
    for day in range(1, 25):
        clock.set(START + timedelta(days=day))
        run_due(app)
        if clock.now().date() == own + timedelta(days=1):
            answer(app, client, tokens["SNV"], workflow)  # taken (late) or refused, as the kind says
            run_due(app)
    received = []
    for message in capture.messages:
        assert isinstance(message, EmailMessage)
        plain, rich = message.get_body(("plain",)), message.get_body(("html",))
        assert plain is not None and rich is not None, message["Subject"]
        raw_headers = bytes(message).replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        received.append(Received(str(message["X-Ykien-Kind"]), message["X-Ykien-Unit"], message, raw_headers,
                                 str(message["Subject"]), plain.get_content(), rich.get_content()))
    return received


def visible(markup: str) -> str:
    body = re.sub(r"<head>.*?</head>", " ", markup, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.parametrize("workflow", KINDS)
def test_every_message_of_a_round_reads_right_as_received(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, workshop_clock: FrozenClock,
        workflow: str) -> None:
    received = a_round_lived(ykien_app, unit_client, capture, workshop_clock, workflow)
    settings = ykien_app.settings
    kinds = {r.kind for r in received}
    assert {"invitation", "receipt", "extension", "reminder_before", "digest"} <= kinds, kinds
    for r in received:
        where = f"{workflow} {r.kind} to {r.unit}"
        assert re.search(rb"^Subject: =\?utf-8\?", r.raw_headers, re.M), (where, "Subject not RFC 2047 encoded")
        assert parsedate_to_datetime(str(r.message["Date"])) is not None, where
        assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", str(r.message["Message-ID"])), where
        sender = r.message["From"].addresses[0]
        assert (sender.display_name, sender.addr_spec) == (settings.issuer_name, settings.from_address), where
        if r.kind != "digest":  # a unit's letter opens with the letterhead in both parts, and is signed
            head = f"{settings.governing_body.upper()}\n{settings.issuer_name.upper()}\nV/v "
            assert r.text.startswith(head), (where, r.text[:200])
            assert "Kính gửi:" in r.text and "GIÁM ĐỐC\nTrịnh Trường Huy" in r.text, where
        shown = visible(r.html)
        for part, content in (("subject", r.subject), ("text", r.text), ("html", shown)):
            for leftover in ("None", "{{", "}}", "{%", "%}", "{#"):
                assert leftover not in content, (where, part, leftover)
            other_dates = re.sub(r"\b\d{2}/\d{2}/\d{4}\b", "", content)
            assert not re.search(r"\d{1,4}/\d{1,2}/\d{2,4}", other_dates), (where, part, "a date not dd/mm/yyyy")
            if workflow != "consultation":
                assert "góp ý" not in content.lower(), (where, part)
        if r.kind in LINKED:
            in_text = re.findall(r"https?://\S+/r/[A-Za-z0-9_-]+", r.text)
            in_html = re.findall(r'href="(https?://[^"]+/r/[A-Za-z0-9_-]+)"', r.html)
            assert len(in_text) == 1 and in_html == in_text, (where, in_text, in_html)
            opened = unit_client.get(urlsplit(in_text[0]).path)
            assert opened.status_code == 200, (where, opened.status_code)
            assert r.unit is not None and UNIT_NAMES[r.unit] in opened.text, where


@pytest.mark.parametrize("workflow", KINDS)
def test_the_receipt_gives_the_unit_its_link_to_read_what_was_received(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, workflow: str) -> None:
    launch(ykien_app, workflow)
    token = links(capture)["SCT"]
    assert answer(ykien_app, unit_client, token, workflow) == 303
    run_due(ykien_app)
    receipt = links(capture, "receipt")
    assert set(receipt) == {"SCT"}, receipt
    page = unit_client.get(f"/r/{receipt['SCT']}")
    assert page.status_code == 200 and "Sở Công Thương" in page.text


def test_the_receipt_of_a_task_handed_in_gives_the_unit_its_link_to_read_it(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app, "workshop")
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    token = links(capture)["SCT"]
    handed = unit_client.post(f"/r/{token}/tasks/paper", data=paper_form(ykien_app, token, "Tham luận của Sở"),
                              files=paper_file(), follow_redirects=False)
    assert handed.status_code == 303, handed.text[:2000]
    run_due(ykien_app)
    [message] = [m for m in capture.messages if str(m["X-Ykien-Kind"]) == "task_receipt"]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"https?://\S+/r/([A-Za-z0-9_-]+)", text)
    assert found and f'href="{found.group(0)}"' in html, text
    page = unit_client.get(f"/r/{found.group(1)}")
    assert page.status_code == 200 and "Tham luận của Sở" in page.text


def test_a_receipt_of_an_answer_accepted_long_after_the_deadline_has_a_link_that_still_opens(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, workshop_clock: FrozenClock) -> None:
    """Staff accept a paper answer four months late: the receipt's link is minted then, so it lasts from then."""
    round_id = launch(ykien_app, "consultation")
    workshop_clock.set(START + timedelta(days=120))
    run_due(ykien_app)
    execute(ykien_app, round_id, Respond("SCT", ResponseKind.AGREE, STAFF, ResponseChannel.PAPER, late_accept=True),
            STAFF)
    run_due(ykien_app)
    receipt = links(capture, "receipt")
    assert set(receipt) == {"SCT"}, receipt
    page = unit_client.get(f"/r/{receipt['SCT']}")
    assert page.status_code == 200 and "Sở Công Thương" in page.text, page.status_code


def test_the_digest_names_each_deadline_in_the_kinds_words_and_keeps_names_with_commas_whole(
        ykien_app: App, capture: SmtpCapture, workshop_clock: FrozenClock) -> None:
    set_digest(ykien_app, "long", True, "long.pp@skhcn.caobang.gov.vn", STAFF)
    launch(ykien_app, "report_collection")  # to the eight departments: every name shown
    workshop_clock.set(datetime(2025, 8, 14, 8, 0, tzinfo=START.tzinfo))  # the deadline, 15/08, is due tomorrow
    run_due(ykien_app)
    digest = [m for m in capture.messages if str(m["X-Ykien-Kind"]) == "digest"][-1]
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    markup = visible(digest.get_body(("html",)).get_content())  # type: ignore[union-attr]
    label = get_workflow("report_collection").terms.deadline_label
    for content in (text, markup):
        assert f"{label}: hết ngày 15/08/2025" in content, content
        assert f"Hết {label[:1].lower()}{label[1:]} của đợt" in content, content
        assert "hạn trả lời" not in content
        assert f"; {UNIT_WITH_A_COMMA};" in content, content



def composed(workflow: str, message: str, link: str) -> str:
    """The HTML of `message` as the outbox composes it for a department asked to answer, with `link`."""
    kind = get_workflow(workflow)
    values = {"title": TITLE, "issuer_name": "Sở Khoa học và Công nghệ", "governing_body": "UBND tỉnh Cao Bằng"}
    context: dict[str, Any] = {
        "unit_name": UNIT_WITH_A_COMMA, "unit_code": "SVHTTDL", "unit_contact": "Văn phòng Sở", "round_title": TITLE,
        "subject": default_subject(kind, TITLE), "deadline": date(2025, 8, 15), "link": link, "role": "comment",
        "issuer_name": values["issuer_name"], "governing_body": values["governing_body"],
        "contact_name": "Ông Phạm Phi Long", "contact_title": None, "contact_phone": "0912 130 290",
        "signer_name": "Trịnh Trường Huy", "signer_title": "Giám đốc", "terms": email_terms(kind, **values),
        "silence": None, "reference": "đợt 1", "days_overdue": 2, "old_deadline": date(2025, 8, 15),
        "new_deadline": date(2025, 8, 18), "reason": None, "response_kind": kind.response.kind, "comment_count": 1, "received_at": START, "late": False, "comments": []}
    return compose(message, context, template_set=workflow).html


# Last in the module: once chromium is open, Playwright's event loop refuses the asyncio.run() that sends mail, so
# this test composes its messages as the outbox does rather than through a round.
def test_the_html_of_every_message_with_a_link_fits_a_phone_without_scrolling_sideways(chromium: Any) -> None:
    page = chromium.new_page(viewport={"width": 375, "height": 812})
    link = "https://ykien.skhcn.caobang.gov.vn/r/" + "Zx81pQ" * 6  # as long as a real token: 32 characters and more
    wide = {}
    for workflow in KINDS:
        for message in ("invitation", "reminder_before", "reminder_overdue", "extension", "receipt"):
            html = composed(workflow, message, link)
            assert f'href="{link}"' in html, (workflow, message)
            page.set_content(html)
            sideways = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if sideways > 0:
                wide[(workflow, message)] = sideways
    page.close()
    assert not wide, wide

"""Every later email of each kind says only what is true of it, read at the SMTP server, as its invitation does
(test_s10c_first_mail_truth.py): a round is driven until it has sent each later email its kind has (the receipt of
an answer, an extension, the reminders its timers send by the injected clock, a task's reminder and receipt), and
each of them carries no attachment and says none; each file it names downloads at its link under that name; each
link opens; the letter it cites by number is in the register with that number and date; a round whose letter has no
number cites the unit's invitation by the day it went, never an unnamed "văn bản"; and none says the letter was
sent ("đã gửi quý cơ quan, đơn vị …") unless its signed copy is at the link."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from minimal_pdf import minimal_pdf
from test_report_collection import REPORT
from test_s10c_first_mail_truth import (
    CASES,
    CLAIMS_ATTACHED,
    FILE_NAMED,
    LINK,
    NO_ATTACHMENT,
    Case,
    _downloads,
    _issue_letter,
    _parts,
    _round,
    _visible,
)
from test_workshop_pages import (  # noqa: F401
    STAFF,
    START,
    template_home,
    unit_client,
    workshop_clock,
    ykien_app,
)

from config.clock import FrozenClock
from models.rounds import ResponseChannel, ResponseKind
from notifications.testing import SmtpCapture
from workflows.engine.events import Event, Extend, Launch, Respond
from workflows.service.app import App
from workflows.service.assignment_files import hand_in_storing_files
from workflows.service.assignments import assign
from workflows.service.outgoing import FILE_LIST_KINDS
from workflows.service.registry import get_workflow
from workflows.service.rounds import execute
from workflows.service.signed_documents import signed_letter
from workflows.service.steps import run_step
from workflows.service.sweep import run_due

TZ = START.tzinfo
ANSWERS = "SCT"  # answers before the deadline: its receipt (and, at a workshop, its paper's reminder and receipt)
EXTENDED = "STC"  # given more time: its extension notice
# A letter cited by its number: "Công văn số 01/SKHCN-TĐC ngày 4/8/2025", "Giấy mời số 02/GM-SKHCN ngày 04/08/2025".
CITED = re.compile(r"\b(Công văn|Giấy mời|Kế hoạch|Thông báo) số (\S+) ngày (\d{1,2})/(\d{1,2})/(\d{4})")
ON_THE_DAY = re.compile(r"thư điện tử ngày (\d{2})/(\d{2})/(\d{4})")
# Said of a letter only when its signed copy is at the link, and of nothing unnamed.
SAID_SENT = "đã gửi quý cơ quan, đơn vị"


def _answer(workflow: str) -> Event:
    """ANSWERS's answer in the kind's own form."""
    if workflow == "workshop":
        return Respond(ANSWERS, ResponseKind.PROPOSALS, entered_by=STAFF, channel=ResponseChannel.PAPER,
                       proposals=({"attendance": "Không tham dự"},))
    if workflow == "report_collection":
        return Respond(ANSWERS, ResponseKind.PROPOSALS, entered_by=STAFF, channel=ResponseChannel.PAPER,
                       proposals=(REPORT,))
    return Respond(ANSWERS, ResponseKind.AGREE, entered_by=STAFF, channel=ResponseChannel.PAPER)


@dataclass(frozen=True)
class Later:
    case: Case
    kinds: frozenset[str]  # the later emails the kind sends on this course


LATER = {
    "consultation": Later(CASES["consultation"], frozenset({"receipt", "extension", "reminder_before"})),
    "proposal_call": Later(CASES["proposal_call"], frozenset({"receipt", "extension", "reminder_before"})),
    "report_collection": Later(CASES["report_collection"],
                               frozenset({"receipt", "extension", "reminder_before", "reminder_overdue"})),
    "workshop": Later(CASES["workshop"], frozenset({"receipt", "extension", "reminder_before", "task_reminder",
                                                    "task_receipt"})),
}


def _at(clock: FrozenClock, day: date, hour: int = 8) -> None:
    clock.set(datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ))


def _drive(app: App, clock: FrozenClock, workflow: str, round_id: int) -> None:
    """From the launch (Monday 04/08/2025, the deadline Wednesday 13/08) to each later email the kind sends."""
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    run_due(app)
    kind = get_workflow(workflow)
    if kind.assignments:
        assign(app, round_id, next(iter(kind.assignments)), [ANSWERS], None, None, STAFF)  # due 15/08
    _at(clock, date(2025, 8, 5), 9)
    execute(app, round_id, _answer(workflow), STAFF)
    execute(app, round_id, Extend(date(2025, 8, 14), EXTENDED, "Đơn vị đề nghị lùi hạn"), STAFF)
    run_due(app)
    _at(clock, date(2025, 8, 11))  # two working days before the deadline: the reminder
    run_due(app)
    _at(clock, date(2025, 8, 13))  # two working days before the paper's due day: its reminder
    run_due(app)
    _at(clock, date(2025, 8, 14))  # a working day after the deadline: the overdue reminder of a kind with grace
    run_due(app)
    if kind.assignments:
        task = next(iter(kind.assignments))
        fields = kind.assignments[task].fields
        hand_in_storing_files(app, round_id, ANSWERS, task,
                              {f.key: "Tham luận đổi mới sáng tạo" for f in fields if f.kind in ("text", "long_text")},
                              {f.key: ("tham-luan.pdf", minimal_pdf()) for f in fields if f.kind == "file"}, {},
                              ResponseChannel.PAPER, STAFF)
        run_due(app)


def _invited_on(app: App, round_id: int, capture: SmtpCapture, unit: str) -> date:
    """The day the unit's invitation went by the round's clock, in Vietnam (its Date header is the wall clock's)."""
    invitation = next(str(m["Message-ID"]) for m in capture.messages
                      if str(m["X-Ykien-Unit"]) == unit and str(m["X-Ykien-Kind"]) == "invitation")
    with app.uow(read_only=True) as uow:
        sent_at = next(row.sent_at for row in uow.outbox.for_round(round_id) if row.message_id == invitation)
    assert sent_at is not None
    return sent_at.astimezone(TZ).date()


def _check_files(message: EmailMessage, text: str, shown: str, client: TestClient, app: App,
                 expected: list[str]) -> None:
    """Every link opens; every file named downloads at the link under that name; no more and no less than it has."""
    unit = (str(message["X-Ykien-Kind"]), str(message["X-Ykien-Unit"]))
    links = set(LINK.findall(text))
    assert links and links == set(LINK.findall(_parts(message)[1])), unit
    (link,) = links
    page = client.get(link.replace(app.settings.base_url, ""))
    assert page.status_code == 200, (unit, link)
    offered = _downloads(client, page.text)
    named = FILE_NAMED.findall(text)
    assert named == FILE_NAMED.findall(shown), unit
    assert set(named) <= set(offered), (unit, named, sorted(offered))
    assert named == expected, (unit, named)
    assert (NO_ATTACHMENT in text) == bool(expected), unit


@pytest.mark.parametrize("workflow", sorted(LATER))
def test_what_each_later_mail_cites_and_names_is_there(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, workshop_clock: FrozenClock, tmp_path: Path,
        workflow: str) -> None:
    later = LATER[workflow]
    case = later.case
    round_id = _round(ykien_app, case, tmp_path)
    _issue_letter(ykien_app, round_id, case, tmp_path)
    _drive(ykien_app, workshop_clock, case.workflow, round_id)
    mails = [m for m in capture.messages if str(m["X-Ykien-Kind"]) != "invitation"]
    assert {str(m["X-Ykien-Kind"]) for m in mails} == later.kinds
    assert {str(m["X-Ykien-Kind"]) for m in mails if str(m["X-Ykien-Unit"]) == EXTENDED} >= {"extension"}
    signed = signed_letter(ykien_app, round_id, get_workflow(case.workflow).letter)
    assert (signed is not None) == case.signed
    expected = [name for name in (case.draft, signed.name if signed is not None else None) if name]
    with ykien_app.uow(read_only=True) as uow:
        register = {(entry.full_number, entry.issued_on) for entry in uow.register.of_round(round_id)}
    assert bool(register) == case.numbered

    for message in mails:
        kind, unit = str(message["X-Ykien-Kind"]), str(message["X-Ykien-Unit"])
        text, markup = _parts(message)
        shown = _visible(markup)
        assert list(message.iter_attachments()) == [], (kind, unit)
        for body in (" ".join(text.split()), " ".join(shown.split())):
            said = body.split("Kính gửi:", 1)[1]
            assert not CLAIMS_ATTACHED.search(said.replace(NO_ATTACHMENT, "")), (kind, unit, said)
            assert "văn bản V/v" not in said and "tại văn bản" not in said, (kind, unit, said)
            if signed is None:
                assert SAID_SENT not in said, (kind, unit, said)
            cited = {(number, date(int(y), int(m), int(d))) for _, number, d, m, y in CITED.findall(said)}
            assert cited <= register, (kind, unit, cited, register)  # a letter cited is the register's
            if kind == "task_receipt":  # it answers the unit's own hand-in and cites no request
                continue
            if case.numbered:
                assert cited, (kind, unit, said)
            else:  # no number: the request is the unit's invitation, cited by the day it went
                days = {date(int(y), int(m), int(d)) for d, m, y in ON_THE_DAY.findall(said)}
                assert days == {_invited_on(ykien_app, round_id, capture, unit)}, (kind, unit, said)
        _check_files(message, text, shown, unit_client, ykien_app, expected if kind in FILE_LIST_KINDS else [])

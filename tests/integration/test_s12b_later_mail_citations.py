"""Which letter a later email is about, read at a real SMTP server on loopback (session 12, helper b, item 3).

(a) The văn thư numbers the round's letter after launch: the invitations went without its number, so a reminder
cites the letter by number and date and says the day of the invitation that told its content, so the unit can match
the two. (b) A unit whose invitation failed for good (550) is still told which letter a reminder is about: the
letter by its title while it has no number, by its number once it has one, and that it reads it at its link.
The letter's key and title are the definition's (`letter:`), never written here.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from config.clock import FrozenClock
from notifications.testing import SmtpCapture
from workflows.engine.events import Launch, Remind
from workflows.service import register
from workflows.service.app import App
from workflows.service.registry import get_workflow
from workflows.service.rounds import execute
from workflows.service.sweep import run_due

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FAILED = "SYT"  # its address refuses every message (550)
FAILED_ADDRESS = "syt@caobang.example.vn"
READ_AT_LINK = "(quý cơ quan xem nội dung đề nghị tại đường dẫn riêng dưới đây)"


def at(clock: FrozenClock, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=TZ))


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(part.get_content().split())


def html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return part.get_content()


def reminders(capture: SmtpCapture, seen: int) -> dict[str, EmailMessage]:
    return {str(m["X-Ykien-Unit"]): m for m in capture.messages[seen:] if str(m["X-Ykien-Kind"]) == "reminder_before"}


def test_a_letter_numbered_after_launch_is_cited_with_the_day_of_the_invitation_and_a_failed_unit_is_told_the_letter(
        app: App, clock: FrozenClock, capture: SmtpCapture, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round(deadline=date(2025, 12, 5))
    workflow = get_workflow("consultation")
    assert workflow.letter is not None
    title = workflow.documents[workflow.letter].title
    capture.reject(FAILED_ADDRESS)
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    assert run_due(app).delivery.failed == 1
    invitations = [m for m in capture.messages if str(m["X-Ykien-Kind"]) == "invitation"]
    assert invitations and not any("SKHCN-TĐC" in body(m) for m in invitations)  # the letter had no number yet

    # Before the letter has a number: the invited units are reminded of their invitation's day; the unit whose
    # invitation failed, of the letter by its title and where to read it.
    at(clock, "2025-11-24T09:00")
    seen = len(capture.messages)
    capture.accept(FAILED_ADDRESS)
    execute(app, round_id, Remind(("SCT", FAILED)), staff)
    run_due(app)
    sent = reminders(capture, seen)
    subject = str(sent["SCT"]["Subject"])
    assert "Tại thư điện tử ngày 20/11/2025 V/v " in body(sent["SCT"])
    assert READ_AT_LINK not in body(sent["SCT"])
    failed = body(sent[FAILED])
    assert f"Tại {title} V/v " in failed and READ_AT_LINK in failed, failed
    assert "/r/" in failed.split(READ_AT_LINK, 1)[1]  # the link it speaks of follows
    assert READ_AT_LINK in " ".join(html(sent[FAILED]).split())
    assert subject  # a reminder has its subject line

    # The văn thư numbers the letter on 21/11: every later mail cites it by that number; the invited unit is also
    # told the day of the invitation that carried its content, the failed one again where to read it.
    entry = register.take_number(app, round_id, workflow.letter, staff, issued_on=date(2025, 11, 21))
    cited = f"Công văn số {entry.full_number} ngày 21/11/2025"
    at(clock, "2025-11-25T09:00")
    seen = len(capture.messages)
    execute(app, round_id, Remind(("SCT", FAILED)), staff)
    run_due(app)
    sent = reminders(capture, seen)
    invited = body(sent["SCT"])
    assert f"Tại {cited} V/v " in invited, invited
    assert "(nội dung đã thông báo đến quý cơ quan, đơn vị qua thư điện tử ngày 20/11/2025)" in invited, invited
    failed = body(sent[FAILED])
    assert f"Tại {cited} V/v " in failed and READ_AT_LINK in failed, failed
    assert "thư điện tử ngày" not in failed.split("Mọi thông tin")[0]  # it never got the invitation
    for text in (invited, failed):
        assert "đã gửi quý cơ quan" not in text  # no letter is said to have been sent

"""The round's timeline says "hết ngày 13/08/2025" for what a timer that fires once its day is over ("24:00") did at
midnight, as the upcoming timers announced it, not "00:00 14/08/2025", which reads as a day late; a real time (an
answer at 14:32, a reminder at 08:00, a timer the sweep fired late) stays as it was."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from test_recipient_page import links
from test_round_kinds import log_in
from test_workshop_pages import (  # noqa: F401  (fixtures)
    TZ,
    launch_workshop,
    rsvp,
    staff,
    template_home,
    unit_client,
    workshop_clock,
    ykien_app,
)

from config.clock import FrozenClock
from models.audit import AuditEvent
from models.moments import when_happened
from notifications.testing import SmtpCapture
from workflows.service.app import App
from workflows.service.registry import get_workflow
from workflows.service.sweep import run_due
from workflows.web.pages.timeline import timeline


def test_an_end_of_day_moment_at_midnight_reads_as_the_day_it_ended() -> None:
    midnight = datetime(2025, 12, 12, 17, 0, 12, tzinfo=UTC)  # 00:00:12 on 13/12 in Hà Nội: the sweep's second
    assert when_happened(midnight, TZ, end_of_day=True) == "hết ngày 12/12/2025"
    assert when_happened(midnight, TZ, end_of_day=False) == "00:00 13/12/2025"  # not a timer's: a real time
    late = datetime(2025, 12, 12, 20, 5, tzinfo=UTC)  # 03:05 on 13/12: the sweep was down, fired late
    assert when_happened(late, TZ, end_of_day=True) == "03:05 13/12/2025"
    answer = datetime(2025, 12, 5, 7, 32, tzinfo=UTC)
    assert when_happened(answer, TZ, end_of_day=False) == "14:32 05/12/2025"


def event(seq: int, at: datetime, action: str, **details: object) -> AuditEvent:
    return AuditEvent(1, seq, at, "hệ thống (bộ hẹn giờ)", action, dict(details), "", "")


def test_the_timeline_marks_what_an_end_of_day_timer_did_and_only_that() -> None:
    workflow = get_workflow("proposal_call")
    close = workflow.any_timer("close")
    remind = workflow.any_timer("remind_before")
    assert close is not None and close.end_of_day and remind is not None and not remind.end_of_day
    midnight = datetime(2025, 12, 13, 0, 0, 12, tzinfo=TZ)
    events = [event(1, datetime(2025, 12, 11, 8, 0, tzinfo=TZ), "timer_fired", timer="remind_before", reminded=[]),
              event(2, datetime(2025, 12, 12, 14, 32, tzinfo=TZ), "respond", unit="SCT", kind="proposals",
                    channel="web", proposals=1),
              event(3, midnight, "timer_fired", timer="close"),
              event(4, midnight, "deadline_passed", timer="close", to="reviewing"),
              event(5, midnight, "task_opened", task="review")]
    entries = timeline(events, {"SCT": "Sở Công Thương"}, workflow)
    assert [(e.seq, e.end_of_day) for e in entries] == [(1, False), (2, False), (4, True), (5, True)]


def test_the_timeline_page_says_the_day_the_registration_ended(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture,
        workshop_clock: FrozenClock) -> None:
    round_id = launch_workshop(ykien_app)
    workshop_clock.set(datetime(2025, 8, 5, 14, 32, tzinfo=TZ))
    rsvp(ykien_app, unit_client, links(capture)["STC"], "Tham dự", "Trần Thị B")
    workshop_clock.set(datetime(2025, 8, 11, 8, 0, 10, tzinfo=TZ))  # the reminder, two working days before
    run_due(ykien_app)
    workshop_clock.set(datetime(2025, 8, 14, 0, 0, 5, tzinfo=TZ))  # the registration closes at the end of 13/08
    run_due(ykien_app)
    page = log_in(staff).get(f"/rounds/{round_id}/timeline").text  # days later: a new session
    times = dict((re.sub(r"<[^>]+>", "", what).strip(), when) for when, what in
                 re.findall(r"<time>([^<]*)</time> <span class=\"what\">(.*?)</span>", page))
    ended = next(text for text in times if text.startswith("Hết hạn"))
    assert times[ended] == "hết ngày 13/08/2025"
    answered = next(text for text in times if text.startswith("Sở Tài chính trả lời"))
    assert times[answered] == "14:32 05/08/2025"
    reminded = next(text for text in times if text.startswith("Nhắc đăng ký trước hạn"))
    assert times[reminded] == "08:00 11/08/2025"
    assert "00:00 14/08/2025" not in page

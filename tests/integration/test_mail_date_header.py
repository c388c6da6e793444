"""A message's Date header is when it goes on the application's clock: the day its text speaks of ("thư điện tử ngày
20/11/2025" in a later mail), also under a frozen clock, where it used to be the machine's time (2026 in 2025's mail)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from config.clock import FrozenClock
from notifications.testing import SmtpCapture
from workflows.engine.events import Launch, Remind
from workflows.service.app import App
from workflows.service.rounds import execute
from workflows.service.sweep import run_due

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_each_message_is_dated_when_it_goes_on_the_apps_clock(
        app: App, clock: FrozenClock, capture: SmtpCapture, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round(deadline=date(2025, 12, 5))
    launched_at = datetime(2025, 11, 20, 9, 0, 7, tzinfo=TZ)
    clock.set(launched_at)
    execute(app, round_id, Launch(), staff)
    run_due(app)
    invitations = list(capture.messages)
    assert invitations and {parsedate_to_datetime(str(m["Date"])) for m in invitations} == {launched_at}

    reminded_at = datetime(2025, 11, 27, 14, 30, tzinfo=TZ)
    clock.set(reminded_at)
    execute(app, round_id, Remind(("SCT",)), staff)
    run_due(app)
    (reminder,) = capture.messages[len(invitations):]
    assert parsedate_to_datetime(str(reminder["Date"])) == reminded_at

"""Moments as staff read them: a timer due at midnight ends the day before."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from models.moments import due_day, local_moment, when_due

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_timer_due_at_local_midnight_ends_the_day_before() -> None:
    midnight = datetime(2025, 12, 5, 17, 0, tzinfo=UTC)  # 00:00 on 06/12 in Hà Nội
    assert due_day(midnight, HANOI) == date(2025, 12, 5)
    assert when_due(midnight, HANOI) == "hết ngày 05/12/2025"


def test_any_other_moment_is_its_local_day_and_time() -> None:
    morning = datetime(2025, 12, 3, 1, 0, tzinfo=UTC)  # 08:00 on 03/12 in Hà Nội
    assert due_day(morning, HANOI) == date(2025, 12, 3)
    assert when_due(morning, HANOI) == "lúc 08:00 03/12/2025"
    assert local_moment(morning, HANOI) == "08:00 03/12/2025"
    assert local_moment(morning, HANOI, "%d/%m/%Y") == "03/12/2025"
    assert local_moment(None, HANOI) == "—"

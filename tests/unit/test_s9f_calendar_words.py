"""A deadline that falls on a day off is refused in one wording (config.calendar_words.day_off_problem): by the engine
when staff extend a round, and by the use cases when a date is typed, on the same calendar, the days off and make-up
working days the province announces included."""
from __future__ import annotations

from datetime import date

import pytest
from engine_helpers import TZ, launched, local, workflow

from config.calendar import vietnam_calendar
from config.calendar_words import day_off_problem
from workflows.engine.decide import decide
from workflows.engine.events import Extend
from workflows.engine.refusals import Refused
from workflows.service.deadlines import ahead_problem

TODAY = date(2026, 3, 12)  # the round of engine_helpers is launched, its deadline 17/03/2026
DAY_OFF = date(2026, 3, 23)  # a Monday the province gives off
MAKE_UP = date(2026, 3, 28)  # the Saturday worked in its place
CALENDAR = vietnam_calendar(days_off={DAY_OFF: "Nghỉ theo thông báo của UBND tỉnh"},
                            working_days={MAKE_UP: "Làm bù cho ngày 23/03/2026"})

CLOSED = [
    # a Saturday, followed by Sunday and the announced day off: the next working day is the Tuesday
    (date(2026, 3, 21), "Hạn mới 21/03/2026 không phải ngày làm việc (ngày nghỉ cuối tuần); ngày làm việc tiếp theo "
                        "là 24/03/2026."),
    (date(2026, 4, 30), "Hạn mới 30/04/2026 không phải ngày làm việc (Ngày Chiến thắng); ngày làm việc tiếp theo là "
                        "04/05/2026."),
    (DAY_OFF, "Hạn mới 23/03/2026 không phải ngày làm việc (Nghỉ theo thông báo của UBND tỉnh); ngày làm việc tiếp "
              "theo là 24/03/2026."),
]


@pytest.mark.parametrize(("day", "words"), CLOSED, ids=["weekend", "holiday", "announced-day-off"])
def test_the_engine_and_the_use_cases_refuse_a_day_off_in_the_same_words(day: date, words: str) -> None:
    assert day_off_problem(CALENDAR, day, "Hạn mới ") == words
    with pytest.raises(Refused) as refused:
        decide(launched().state, Extend(day), local(2026, 3, 12), workflow(), CALENDAR, TZ)
    assert (refused.value.code, refused.value.message) == ("deadline_not_working_day", words)
    assert ahead_problem(CALENDAR, TODAY, day, "Hạn mới ") == ("not_working_day", words)


def test_a_working_day_and_a_make_up_saturday_will_do_for_both() -> None:
    for day in (date(2026, 3, 24), MAKE_UP):
        assert day_off_problem(CALENDAR, day) is None and ahead_problem(CALENDAR, TODAY, day) is None
        decision = decide(launched().state, Extend(day), local(2026, 3, 12), workflow(), CALENDAR, TZ)
        assert decision.state.deadline == day


def test_without_a_noun_the_sentence_starts_with_the_date() -> None:
    assert day_off_problem(CALENDAR, date(2026, 3, 22)) == (
        "22/03/2026 không phải ngày làm việc (ngày nghỉ cuối tuần); ngày làm việc tiếp theo là 24/03/2026.")

"""A date set for something still to come, as the create form, the API and the use cases refuse it: one wording
(deadlines.ahead_problem), placed beside the field on a form and prefixed with the field's name elsewhere."""
from __future__ import annotations

from datetime import date

import pytest

from config.calendar import vietnam_calendar
from models.errors import InvalidInput
from workflows.service.deadlines import check_working_day_ahead
from workflows.service.errors import FormErrors
from workflows.web.forms.round_forms import compute_deadline

CALENDAR = vietnam_calendar()
TODAY = date(2025, 12, 1)  # a Monday

CASES = [
    (date(2025, 11, 28), "in_past", "28/11/2025 đã qua (hôm nay là 01/12/2025)."),
    (date(2031, 12, 5), "out_of_range", "05/12/2031 quá xa: chỉ nhận trong vòng 5 năm kể từ hôm nay."),
    (date(2025, 12, 6), "not_working_day",
     "06/12/2025 không phải ngày làm việc (ngày nghỉ cuối tuần); ngày làm việc tiếp theo là 08/12/2025."),
    (date(2026, 9, 2), "not_working_day", "02/09/2026 không phải ngày làm việc (Quốc khánh"),
]


@pytest.mark.parametrize(("day", "code", "words"), CASES)
def test_the_form_shows_the_problem_beside_its_field(day: date, code: str, words: str) -> None:
    with pytest.raises(FormErrors) as caught:
        compute_deadline("date", f"{day:%d/%m/%Y}", "", TODAY, CALENDAR, name="new_deadline")
    assert list(caught.value.errors) == ["new_deadline"]
    assert caught.value.errors["new_deadline"].startswith(f"Ngày {words}")


@pytest.mark.parametrize(("day", "code", "words"), CASES)
def test_the_use_cases_name_the_field_in_the_same_words(day: date, code: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_working_day_ahead(CALENDAR, TODAY, day, "due", noun="hạn ")
    assert str(caught.value).startswith(f"due: hạn {words}")
    assert caught.value.code == f"due_{code}"


def test_a_working_day_ahead_passes_both() -> None:
    day = date(2025, 12, 5)
    check_working_day_ahead(CALENDAR, TODAY, day, "deadline")
    choice = compute_deadline("date", "05/12/2025", "", TODAY, CALENDAR)
    assert choice.due == day and choice.working_days is None

"""WorkingCalendar's year figures: how many working days a year has and which days are made working days."""
from __future__ import annotations

from datetime import date

from config.calendar import vietnam_calendar


def test_a_year_counts_its_weekdays_less_its_holidays_plus_its_make_up_days() -> None:
    plain = vietnam_calendar()
    weekdays = sum(1 for o in range(date(2027, 1, 1).toordinal(), date(2027, 12, 31).toordinal() + 1)
                   if date.fromordinal(o).weekday() < 5)
    holidays_on_weekdays = sum(1 for d, _ in plain.days_off_between(date(2027, 1, 1), date(2027, 12, 31))
                               if d.weekday() < 5)
    assert plain.working_day_count(2027) == weekdays - holidays_on_weekdays == 249
    announced = vietnam_calendar({date(2027, 2, 3): "Nghỉ Tết"}, {date(2027, 1, 30): "Làm bù cho ngày 03/02/2027"})
    assert announced.working_day_count(2027) == 249  # one weekday off, one Saturday worked


def test_make_up_days_are_those_worked_in_exchange_in_either_order_of_the_bounds() -> None:
    calendar = vietnam_calendar({}, {date(2027, 1, 30): "Làm bù", date(2027, 2, 8): "Làm ngày mùng ba"})
    expected = [(date(2027, 1, 30), "Làm bù"), (date(2027, 2, 8), "Làm ngày mùng ba")]
    assert calendar.make_up_days_between(date(2027, 1, 1), date(2027, 12, 31)) == expected
    assert calendar.make_up_days_between(date(2027, 12, 31), date(2027, 1, 1)) == expected
    assert calendar.make_up_days_between(date(2027, 1, 31), date(2027, 2, 7)) == []
    assert (date(2027, 2, 8), "Mùng ba Tết Nguyên Đán") not in calendar.days_off_between(date(2027, 2, 8),
                                                                                         date(2027, 2, 8))

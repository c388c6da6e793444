"""Reading dates and deadlines as staff type them: 05/12/2025, 2025-12-05, "10 ngày làm việc"."""
from __future__ import annotations

import re
from datetime import date, timedelta

from config.calendar import WorkingCalendar
from config.calendar_words import day_off_problem, not_a_date
from models.errors import InvalidInput
from workflows.definition.timespec import DayKind, TimeSpecError, parse_relative_days

# How far from today a date staff type may lie: the working calendar is finite (config.calendar knows public
# holidays up to 2100), and a deadline or due date years away is a typing mistake (9999 for 2025), not a plan.
DATE_HORIZON_YEARS = 5
DATE_HORIZON = timedelta(days=DATE_HORIZON_YEARS * 366)


def beyond_horizon(day: date, start: date) -> bool:
    """Whether `day` lies further from `start`, before or after it, than any date staff may set (DATE_HORIZON)."""
    return abs(day - start) > DATE_HORIZON


def read_date(text: str) -> date | None:
    """2025-12-05 (a browser's date field) or 05/12/2025 (day first, as letters write it); None otherwise."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


def parse_date(text: str, option: str) -> date:
    found = read_date(text)
    if found is None:
        raise InvalidInput(not_a_date(text, option, iso_too=True),
                           "bad_date")
    return found


def parse_deadline(text: str, today: date, calendar: WorkingCalendar,
                   option: str = "--deadline") -> tuple[date, int | None]:
    """A date, or "N working days" / "N ngày làm việc" counted from today; the working-day count is
    returned too, so a round can count it again from the day it is launched."""
    if re.search(r"[a-zà-ỹ]", text.strip().lower()):
        try:
            days, kind = parse_relative_days(text)
        except (TimeSpecError, ValueError) as error:
            raise InvalidInput(f"{option}: {error}; hoặc một ngày (2026-12-17 hay 17/12/2026)",
                               "bad_deadline") from error
        if kind is DayKind.WORKING:
            return calendar.add_working_days(today, days), days
        return date.fromordinal(today.toordinal() + days), None
    return parse_date(text, option), None


def ahead_problem(calendar: WorkingCalendar, today: date, day: date, noun: str = "") -> tuple[str, str] | None:
    """What is wrong with `day` as a date still to come (a deadline, a due date): past, beyond DATE_HORIZON, or not a
    working day of the calendar, as (code, message); None when it will do. The message starts with `noun` and the
    date, names no field (the caller does: beside the field on a form, as a prefix elsewhere) and proposes the next
    working day (a day off in config.calendar_words' words, which the engine's refusal of an extension uses too)."""
    if day < today:
        return "in_past", f"{noun}{day:%d/%m/%Y} đã qua (hôm nay là {today:%d/%m/%Y})."
    if beyond_horizon(day, today):
        return "out_of_range", (f"{noun}{day:%d/%m/%Y} quá xa: chỉ nhận trong vòng {DATE_HORIZON_YEARS} năm kể từ "
                                "hôm nay.")
    day_off = day_off_problem(calendar, day, noun)
    return ("not_working_day", day_off) if day_off is not None else None


def check_working_day_ahead(calendar: WorkingCalendar, today: date, day: date, field: str, noun: str = "") -> None:
    """`ahead_problem` as InvalidInput naming `field` ("deadline: ..."; codes <field>_in_past,
    <field>_out_of_range, <field>_not_working_day)."""
    problem = ahead_problem(calendar, today, day, noun)
    if problem is not None:
        code, message = problem
        raise InvalidInput(f"{field}: {message}", f"{field}_{code}")

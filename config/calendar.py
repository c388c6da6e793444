"""Working days (ngày làm việc) in Vietnam: weekends, public holidays, announced extra days."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Protocol

from config.calendar_file import CalendarExtras, CalendarFileError, read_calendar_file

__all__ = [
    "CalendarFileError",
    "CalendarRangeError",
    "DayNames",
    "VietnamPublicHolidays",
    "WorkingCalendar",
    "load_calendar",
    "vietnam_calendar",
]

_EMPTY: Mapping[date, str] = {}


class CalendarRangeError(ValueError):
    """A date falls outside the years for which public holidays are known."""


class DayNames(Protocol):
    """Names of special days, looked up one date at a time (any `Mapping[date, str]` fits)."""

    def get(self, key: date, /) -> str | None: ...


class WorkingCalendar:
    """Which days are working days; pure once built.

    A day is a working day when it is listed in `extra_working_days` (a make-up working
    day, even a Saturday), or when it is Monday to Friday and not in `holidays` (public
    holidays and announced days off). Both arguments are only looked up by date, never
    iterated, so they may load years on demand; they must not change after construction.
    """

    def __init__(self, holidays: DayNames, extra_working_days: DayNames) -> None:
        self._holidays = holidays
        self._extra_working_days = extra_working_days
        self._working_ordinals: dict[int, list[int]] = {}

    def is_working_day(self, d: date) -> bool:
        """True on a working day."""
        if self._extra_working_days.get(d) is not None:
            return True
        return d.weekday() < 5 and self._holidays.get(d) is None

    def holiday_name(self, d: date) -> str | None:
        """The Vietnamese name of the holiday or day off on `d`, or None.

        None for plain weekends and for days made working days by `extra_working_days`.
        """
        name = self._holidays.get(d)
        if name is None or self._extra_working_days.get(d) is not None:
            return None
        return name

    def make_up_day_name(self, d: date) -> str | None:
        """The name of the make-up working day on `d` (e.g. "Làm bù cho ngày 13/02/2026"), or None."""
        return self._extra_working_days.get(d)

    def next_working_day(self, d: date) -> date:
        """`d` itself if it is a working day, else the first working day after it."""
        ordinal = d.toordinal()
        year = d.year
        while True:
            days = self._working_days_of(year)
            index = bisect_left(days, ordinal)
            if index < len(days):
                return date.fromordinal(days[index])
            year = _next_year(year)

    def previous_working_day(self, d: date) -> date:
        """`d` itself if it is a working day, else the last working day before it."""
        ordinal = d.toordinal()
        year = d.year
        while True:
            days = self._working_days_of(year)
            index = bisect_right(days, ordinal)
            if index > 0:
                return date.fromordinal(days[index - 1])
            year = _previous_year(year)

    def add_working_days(self, start: date, n: int) -> date:
        """The `n`-th working day after `start` (before it when `n` < 0).

        `start` itself is never counted, so a deadline "3 working days after 12/02/2026"
        is add_working_days(date(2026, 2, 12), 3). With `n` == 0 the result is `start`
        if it is a working day, else the next working day (a deadline never falls on a
        day off).
        """
        if n == 0:
            return self.next_working_day(start)
        ordinal = start.toordinal()
        year = start.year
        if n > 0:
            days = self._working_days_of(year)
            index = bisect_right(days, ordinal) + n - 1  # index of the answer in `days`
            while index >= len(days):
                index -= len(days)
                year = _next_year(year)
                days = self._working_days_of(year)
            return date.fromordinal(days[index])
        days = self._working_days_of(year)
        index = bisect_left(days, ordinal) + n  # n < 0
        while index < 0:
            year = _previous_year(year)
            days = self._working_days_of(year)
            index += len(days)
        return date.fromordinal(days[index])

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after `a` up to and including `b`; negative when `b` is before `a`.

        For working days a and b: add_working_days(a, working_days_between(a, b)) == b.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        for year in range(a.year, b.year + 1):
            days = self._working_days_of(year)
            count += bisect_right(days, b.toordinal()) - bisect_right(days, a.toordinal())
        return count

    def days_off_between(self, a: date, b: date) -> list[tuple[date, str]]:
        """Holidays and announced days off from `a` to `b` inclusive (either order), by date.

        Plain weekends are left out; a holiday that falls on a weekend is included.
        """
        first, last = min(a, b), max(a, b)
        result = []
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            d = date.fromordinal(ordinal)
            name = self.holiday_name(d)
            if name is not None:
                result.append((d, name))
        return result

    def working_day_count(self, year: int) -> int:
        """How many working days `year` has."""
        return len(self._working_days_of(year))

    def make_up_days_between(self, a: date, b: date) -> list[tuple[date, str]]:
        """Make-up working days (a weekend or a holiday worked in exchange for a day off) from `a` to `b` inclusive,
        by date."""
        first, last = min(a, b), max(a, b)
        days = (date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1))
        return [(d, name) for d in days if (name := self.make_up_day_name(d)) is not None]

    def _working_days_of(self, year: int) -> list[int]:
        """Sorted ordinals of the working days of `year`, computed once per year."""
        days = self._working_ordinals.get(year)
        if days is None:
            start = date(year, 1, 1).toordinal()
            end = date(year, 12, 31).toordinal()
            days = [o for o in range(start, end + 1) if self.is_working_day(date.fromordinal(o))]
            self._working_ordinals[year] = days
        return days


def _next_year(year: int) -> int:
    if year >= date.max.year:
        raise CalendarRangeError("không còn ngày làm việc nào trước hết năm 9999")
    return year + 1


def _previous_year(year: int) -> int:
    if year <= date.min.year:
        raise CalendarRangeError("không có ngày làm việc nào sau đầu năm 1")
    return year - 1


class VietnamPublicHolidays:
    """Vietnamese public holidays and make-up Saturdays from the `holidays` package.

    Years are loaded on first use and cached. A make-up Saturday can be announced with
    a holiday of the year before or after it, so a date's neighbours are loaded too.
    """

    def __init__(self) -> None:
        probe = _holidays_package().country_holidays("VN")
        self.first_year: int = probe.start_year
        self.last_year: int = probe.end_year
        self._queried_years: set[int] = set()
        self._complete_years: set[int] = set()
        self._days_off: dict[date, str] = {}
        self._working_days: dict[date, str] = {}

    def day_off(self, d: date) -> str | None:
        """The Vietnamese name of the public holiday on `d`, or None."""
        self._ensure(d.year)
        return self._days_off.get(d)

    def make_up_day(self, d: date) -> str | None:
        """A name for the weekend made a working day in exchange for a day off, or None."""
        self._ensure(d.year)
        return self._working_days.get(d)

    def _ensure(self, year: int) -> None:
        if year in self._complete_years:
            return
        if not self.first_year <= year <= self.last_year:
            raise CalendarRangeError(
                f"chỉ có lịch ngày lễ từ năm {self.first_year} đến năm {self.last_year}, chưa có năm {year}"
            )
        wanted = [
            y
            for y in (year - 1, year, year + 1)
            if self.first_year <= y <= self.last_year and y not in self._queried_years
        ]
        if wanted:
            loaded = _holidays_package().country_holidays("VN", language="vi", years=wanted)
            self._days_off.update(loaded.items())
            for workday in loaded.weekend_workdays:
                self._working_days[workday] = _make_up_label(workday, loaded)
            self._queried_years.update(wanted)
        self._complete_years.add(year)


def _holidays_package() -> ModuleType:
    # Imported on first use: it takes about 0.3 s, which every CLI call would otherwise pay.
    import holidays

    return holidays


def _make_up_label(workday: date, loaded: Mapping[date, str]) -> str:
    # The package names the day off "Ngày nghỉ (thay cho ngày 26/04/2025)"; find it.
    marker = workday.strftime("%d/%m/%Y")
    for day_off, name in loaded.items():
        if marker in name:
            return f"Làm bù cho ngày {day_off:%d/%m/%Y}"
    return "Ngày làm việc bù"


class _DaysOff:
    """Public holidays plus announced days off, minus announced working days."""

    def __init__(
        self, public: VietnamPublicHolidays, extra: Mapping[date, str], working: Mapping[date, str]
    ) -> None:
        self._public, self._extra, self._working = public, extra, working

    def get(self, key: date, /) -> str | None:
        name = self._extra.get(key)
        if name is not None:
            return name
        if key in self._working:
            return None
        return self._public.day_off(key)


class _WorkingDays:
    """Announced make-up working days plus the package's, minus announced days off."""

    def __init__(
        self, public: VietnamPublicHolidays, extra: Mapping[date, str], days_off: Mapping[date, str]
    ) -> None:
        self._public, self._extra, self._days_off = public, extra, days_off

    def get(self, key: date, /) -> str | None:
        name = self._extra.get(key)
        if name is not None:
            return name
        if key in self._days_off:
            return None
        return self._public.make_up_day(key)


def vietnam_calendar(
    days_off: Mapping[date, str] = _EMPTY, working_days: Mapping[date, str] = _EMPTY
) -> WorkingCalendar:
    """Vietnam's calendar with announced extra days off and make-up working days.

    The announced days win over the `holidays` package where they disagree. Dates
    outside the package's years raise `CalendarRangeError` instead of being guessed.
    """
    overlap = sorted(set(days_off) & set(working_days))
    if overlap:
        raise ValueError(f"ngày {overlap[0].isoformat()} vừa là ngày nghỉ vừa là ngày làm việc")
    public = VietnamPublicHolidays()
    days_off, working_days = dict(days_off), dict(working_days)
    return WorkingCalendar(
        holidays=_DaysOff(public, days_off, working_days),
        extra_working_days=_WorkingDays(public, working_days, days_off),
    )


def load_calendar(path: Path | None, named_by: str | None = None) -> WorkingCalendar:
    """Vietnam's calendar plus the extras in the calendar file `path` (None or missing: none; missing is an error
    when the setting `named_by` chose the file).

    Raises `CalendarFileError` listing every problem of the file as `file:line: message`.
    """
    extras = read_calendar_file(path, named_by) if path is not None else CalendarExtras()
    return vietnam_calendar(extras.days_off, extras.working_days)


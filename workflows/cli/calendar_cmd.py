"""`ykien calendar ...`: working-day arithmetic with Vietnamese holidays."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from workflows.cli.common import JSON_OPTION, guarded, print_json, say

if TYPE_CHECKING:
    from config.calendar import WorkingCalendar
    from config.calendar_file import CalendarExtras

app = typer.Typer(no_args_is_help=True)


def _calendar() -> WorkingCalendar:
    return _calendar_and_file()[0]


def _calendar_and_file() -> tuple[WorkingCalendar, CalendarExtras, Path]:
    """The working calendar, what the department's calendar file adds to it, and that file's path."""
    from config.calendar import vietnam_calendar
    from config.calendar_file import read_calendar_file
    from config.settings import load_settings

    settings = load_settings()
    path = settings.calendar_file_resolved
    extras = read_calendar_file(path, settings.calendar_file_named_by)
    return vietnam_calendar(extras.days_off, extras.working_days), extras, path


@app.command("add-working-days")
def add_working_days(start: str = typer.Argument(..., help="Ngày bắt đầu: 12/02/2026 hoặc 2026-02-12."),
                     days: int = typer.Argument(..., help="Số ngày làm việc cộng thêm."),
                     as_json: bool = JSON_OPTION) -> None:
    """Ngày sau N ngày làm việc kể từ START (bỏ qua cuối tuần, ngày lễ, ngày nghỉ bù)."""
    from config.calendar import CalendarRangeError
    from models.errors import InvalidInput
    from workflows.cli.parsing import parse_date

    with guarded(as_json):
        begin = parse_date(start, "START")
        calendar = _calendar()
        try:
            calendar.is_working_day(begin)
        except CalendarRangeError as error:
            raise InvalidInput(f"START: {begin:%d/%m/%Y}: {error}.",
                               "date_out_of_range") from None
        try:
            result = calendar.add_working_days(begin, days)
        except CalendarRangeError as error:
            raise InvalidInput(f"DAYS: {days} ngày làm việc kể từ {begin:%d/%m/%Y} vượt ra ngoài lịch: {error}.",
                               "date_out_of_range") from None
        low, high = sorted((begin, result))
        off = calendar.days_off_between(low, high)
    if as_json:
        print_json({"start": begin, "days": days, "result": result,
                    "days_off": [{"date": d, "name": n} for d, n in off]})
        return
    say(f"{begin:%d/%m/%Y} + {days} ngày làm việc = {result:%d/%m/%Y} ({_weekday(result)})")
    for day, name in off:
        say(f"  nghỉ {day:%d/%m/%Y}: {name}")


def _weekday(day: date) -> str:
    return ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][day.weekday()]


@app.command("year")
def year_days(year: str = typer.Argument(..., help="Năm, ví dụ 2027."), as_json: bool = JSON_OPTION) -> None:
    """Các ngày nghỉ (lễ, Tết, nghỉ bù) và ngày làm việc bù của một năm, mỗi ngày ghi nguồn: lịch có sẵn hay tệp
    lịch của Sở; kiểm tra trước mỗi năm, nhất là lịch nghỉ Tết."""
    from config.calendar import CalendarRangeError
    from models.errors import InvalidInput

    with guarded(as_json):
        wanted = year.strip()
        if not (wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= 9999):
            raise InvalidInput(f"YEAR: \"{year[:40]}\" không phải một năm; viết bốn chữ số, ví dụ 2027.",
                               "invalid_input")
        number = int(wanted)
        calendar, extras, path = _calendar_and_file()
        first, last = date(number, 1, 1), date(number, 12, 31)
        try:
            count = calendar.working_day_count(number)
            off = calendar.days_off_between(first, last)
            worked = calendar.make_up_days_between(first, last)
        except CalendarRangeError as error:
            raise InvalidInput(f"YEAR: {number}: {error}.", "date_out_of_range") from None
    from_file = set(extras.days_off) | set(extras.working_days)
    if as_json:
        print_json({"year": number, "working_days": count, "calendar_file": str(path),
                    "days_off": [{"date": d, "name": n, "from_file": d in from_file} for d, n in off],
                    "make_up_days": [{"date": d, "name": n, "from_file": d in from_file} for d, n in worked]})
        return
    say(f"Năm {number}: {count} ngày làm việc.")
    for heading, days in (("Ngày nghỉ (lễ, Tết, nghỉ bù, nghỉ theo thông báo)", off), ("Ngày làm việc bù", worked)):
        say(f"{heading}:" if days else f"{heading}: không có.")
        for day, name in days:
            source = " [tệp lịch]" if day in from_file else ""
            say(f"  {day:%d/%m/%Y} {_weekday(day):<9} {name}{source}")
    listed = sum(1 for d in from_file if d.year == number)
    say(f"Nguồn: lịch ngày lễ có sẵn theo Bộ luật Lao động; [tệp lịch]: {listed} ngày ghi trong \"{path}\" "
        "(YKIEN_CALENDAR_FILE). Lịch nghỉ Tết do Chính phủ thông báo từng năm: ghi thêm vào tệp lịch.")

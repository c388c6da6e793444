"""`ykien calendar ...`: working-day arithmetic with Vietnamese holidays."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import typer

from workflows.cli.common import JSON_OPTION, guarded, print_json, say

if TYPE_CHECKING:
    from config.calendar import WorkingCalendar

app = typer.Typer(no_args_is_help=True)


def _calendar() -> WorkingCalendar:
    from config.calendar import load_calendar
    from config.settings import load_settings

    settings = load_settings()
    return load_calendar(settings.calendar_file_resolved, settings.calendar_file_named_by)


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

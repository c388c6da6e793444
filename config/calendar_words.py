"""Why a day typed will not do, said once for every form, command and API field: text that is no date
(`not_a_date`), and a day set for something still to come (a deadline, a due date) that is not a working day
(`day_off_problem`: the engine refuses an extension with it and the use cases refuse a typed date with it, and
neither may import the other's words)."""
from __future__ import annotations

from datetime import date

from config.calendar import WorkingCalendar

WEEKEND = "ngày nghỉ cuối tuần"  # what a day off is called when it is no holiday
SHOWN_TYPED = 40  # characters of what was typed that a message quotes back


def not_a_date(typed: str, subject: str = "", iso_too: bool = False) -> str:
    """'{subject}: "31/02/2026" không phải ngày; viết ngày/tháng/năm, ví dụ 08/12/2026.', what was typed quoted back
    (its first characters when long). `iso_too`: where 2026-12-08 is read as well (the command line, the API)."""
    shown = typed if len(typed) <= SHOWN_TYPED else typed[:SHOWN_TYPED] + "…"
    lead = f"{subject}: " if subject else ""
    also = " hoặc 2026-12-08" if iso_too else ""
    return f"{lead}\"{shown}\" không phải ngày; viết ngày/tháng/năm, ví dụ 08/12/2026{also}."


def day_off_problem(calendar: WorkingCalendar, day: date, noun: str = "") -> str | None:
    """"{noun}06/12/2025 không phải ngày làm việc (ngày nghỉ cuối tuần); ngày làm việc tiếp theo là 08/12/2025."
    when `day` is not a working day of `calendar` (the holiday named when it is one), None when it is. `noun` ("Hạn
    mới ") leads the sentence; the caller names the field, if any."""
    if calendar.is_working_day(day):
        return None
    reason = calendar.holiday_name(day) or WEEKEND
    return (f"{noun}{day:%d/%m/%Y} không phải ngày làm việc ({reason}); ngày làm việc tiếp theo là "
            f"{calendar.next_working_day(day):%d/%m/%Y}.")

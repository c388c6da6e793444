"""Why a day set for something still to come (a deadline, a due date) will not do because it is not a working day,
said once: the engine refuses an extension with it and the use cases refuse a typed date with it, and neither may
import the other's words."""
from __future__ import annotations

from datetime import date

from config.calendar import WorkingCalendar

WEEKEND = "ngày nghỉ cuối tuần"  # what a day off is called when it is no holiday


def day_off_problem(calendar: WorkingCalendar, day: date, noun: str = "") -> str | None:
    """"{noun}06/12/2025 không phải ngày làm việc (ngày nghỉ cuối tuần); ngày làm việc tiếp theo là 08/12/2025."
    when `day` is not a working day of `calendar` (the holiday named when it is one), None when it is. `noun` ("Hạn
    mới ") leads the sentence; the caller names the field, if any."""
    if calendar.is_working_day(day):
        return None
    reason = calendar.holiday_name(day) or WEEKEND
    return (f"{noun}{day:%d/%m/%Y} không phải ngày làm việc ({reason}); ngày làm việc tiếp theo là "
            f"{calendar.next_working_day(day):%d/%m/%Y}.")

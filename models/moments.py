"""Moments as staff read them: local time "HH:MM dd/mm/yyyy", and a timer due at midnight as the end of the day
before ("hết ngày 04/12/2025"), never "00:00 05/12/2025", which reads as a day late."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

MOMENT_FORMAT = "%H:%M %d/%m/%Y"


def local_moment(moment: datetime | None, tz: tzinfo, fmt: str = MOMENT_FORMAT) -> str:
    """The moment in local time ("—" when there is none)."""
    return moment.astimezone(tz).strftime(fmt) if moment else "—"


def due_day(moment: datetime, tz: tzinfo) -> date:
    """The local day a timer belongs to: one due at midnight ends the day before."""
    here = moment.astimezone(tz)
    return here.date() - timedelta(days=1) if here.time() == time(0, 0) else here.date()


def when_due(moment: datetime, tz: tzinfo) -> str:
    """When a timer fires: "hết ngày 04/12/2025" at midnight, else "lúc 08:00 03/12/2025"."""
    if moment.astimezone(tz).time() == time(0, 0):
        return f"hết ngày {due_day(moment, tz):%d/%m/%Y}"
    return f"lúc {local_moment(moment, tz)}"


def when_happened(moment: datetime, tz: tzinfo, end_of_day: bool) -> str:
    """When a past event happened, as the timeline shows it: "HH:MM dd/mm/yyyy"; an event an end-of-day timer
    raised at midnight (the sweep fires it within the minute) as the day it ended, "hết ngày 12/12/2025", as
    when_due announced it. A real time, an answer at 14:32 or a timer fired late, stays as it was."""
    here = moment.astimezone(tz)
    if end_of_day and (here.hour, here.minute) == (0, 0):
        return f"hết ngày {here.date() - timedelta(days=1):%d/%m/%Y}"
    return local_moment(moment, tz)

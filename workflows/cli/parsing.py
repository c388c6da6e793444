"""Parsing what people type: dates, deadlines, comments. Errors name the option."""
from __future__ import annotations

import re
from datetime import date

from config.calendar import WorkingCalendar
from models.errors import InvalidInput
from workflows.definition.timespec import DayKind, TimeSpecError, parse_relative_days
from workflows.engine.events import CommentInput


def parse_date(text: str, option: str) -> date:
    """Accept 2025-12-05 or 05/12/2025 (day first, as Vietnamese letters write it)."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError as error:
        raise InvalidInput(f"{option}: \"{text}\" không phải ngày hợp lệ ({error}).", "bad_date") from error
    raise InvalidInput(f"{option}: \"{text}\" không phải ngày; viết 05/12/2025 hoặc 2025-12-05.", "bad_date")


def parse_deadline(text: str, today: date, calendar: WorkingCalendar,
                   option: str = "--deadline") -> tuple[date, int | None]:
    """A date, or "N working days" / "N ngày làm việc" counted from today; the working-day count is
    returned too, so a round can count it again from the day it is launched."""
    if re.search(r"[a-zà-ỹ]", text.strip().lower()):
        try:
            days, kind = parse_relative_days(text)
        except (TimeSpecError, ValueError) as error:
            raise InvalidInput(f"{option}: {error}", "bad_deadline") from error
        if kind is DayKind.WORKING:
            return calendar.add_working_days(today, days), days
        return date.fromordinal(today.toordinal() + days), None
    return parse_date(text, option), None


def parse_comment(text: str, option: str = "--comment") -> CommentInput:
    """"TEXT", "SECTION::TEXT" or "SECTION::TEXT::PROPOSED WORDING"."""
    parts = [p.strip() for p in text.split("::")]
    if len(parts) > 3 or not parts[-1 if len(parts) < 3 else 1]:
        raise InvalidInput(f"{option}: \"{text}\" phải có dạng \"nội dung\", \"Mục::nội dung\" "
                           "hoặc \"Mục::nội dung::đề xuất sửa\".", "bad_comment")
    if len(parts) == 1:
        return CommentInput(text=parts[0])
    if len(parts) == 2:
        return CommentInput(text=parts[1], section=parts[0] or None)
    return CommentInput(text=parts[1], section=parts[0] or None, proposed_wording=parts[2] or None)

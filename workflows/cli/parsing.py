"""Parsing what people type on the command line. Errors name the option."""
from __future__ import annotations

from datetime import date

from config.calendar import CalendarRangeError, WorkingCalendar
from models.errors import InvalidInput
from workflows.engine.events import CommentInput
from workflows.service import deadlines
from workflows.service.deadlines import parse_date

__all__ = ["parse_comment", "parse_date", "parse_deadline"]


def parse_deadline(text: str, today: date, calendar: WorkingCalendar,
                   option: str = "--deadline") -> tuple[date, int | None]:
    """The service's reading of a deadline (a date or "N ngày làm việc"), refused with the option's name when
    it falls outside the years whose public holidays are known."""
    try:
        found = deadlines.parse_deadline(text, today, calendar, option)
        calendar.is_working_day(found[0])
    except CalendarRangeError as error:
        raise InvalidInput(f"{option}: \"{text}\": {error}.",
                           "date_out_of_range") from None
    return found


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

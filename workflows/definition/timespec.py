"""The small grammar of timer dates: "deadline - 2 working days", "1 working day after deadline", ...

Pure: parsing and printing only; the engine turns a TimeSpec into a date with the calendar.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from config.choice_words import did_you_mean

MAX_DAYS = 365

# The grammar's own words ('<anchor> + N working days', 'repeat every') stay as the user must type them.
ACCEPTED_FORMS = (
    "hãy viết '<anchor>', '<anchor> + N working days', '<anchor> - N days' "
    "hoặc 'N working days before|after <anchor>' (mốc <anchor>: deadline, closing, launch, entered, hoặc một ngày "
    "quy trình khai báo dưới dates; "
    "N từ 0 đến 365), có thể thêm ', repeat every N working days, at most M times'"
)
ACCEPTED_DAY_FORMS = "hãy viết 'N working days', 'N days', 'N ngày làm việc' hoặc 'N ngày' (N từ 0 đến 365)"


class Anchor(StrEnum):
    """The date a timer counts from."""

    DEADLINE = "deadline"
    LAUNCH = "launch"
    ENTERED = "entered"  # the date the state was entered
    CLOSING = "closing"  # the deadline plus the workflow's grace period (the deadline when it has none)


_NAMED_DATE_RE = re.compile(r"^[a-z][a-z0-9_]*$")  # a date the workflow declares (`dates:`), or "due"


class DayKind(StrEnum):
    """Working days skip weekends and public holidays; calendar days do not."""

    WORKING = "working"
    CALENDAR = "calendar"


class TimeSpecError(ValueError):
    """A duration or timer date that does not follow the grammar; the message shows the accepted forms."""


@dataclass(frozen=True)
class TimeSpec:
    """anchor + offset days of day_kind, optionally repeated; max_times counts the first firing.

    The anchor is one of Anchor, or (a plain str) the key of a date the workflow declares under `dates:`
    ("event + 1 working day"), or "due" for the reminders of an assigned task.
    """

    anchor: Anchor | str
    offset: int
    day_kind: DayKind
    repeat_every: int | None = None
    repeat_kind: DayKind = DayKind.WORKING
    max_times: int = 1

    def __post_init__(self) -> None:
        if not -MAX_DAYS <= self.offset <= MAX_DAYS:
            raise TimeSpecError(f"số ngày lệch phải từ -{MAX_DAYS} đến {MAX_DAYS}, không phải {self.offset}")
        if self.repeat_every is not None and not 1 <= self.repeat_every <= MAX_DAYS:
            raise TimeSpecError(f"khoảng lặp lại phải từ 1 đến {MAX_DAYS} ngày, không phải {self.repeat_every}")
        if not 1 <= self.max_times <= MAX_DAYS:
            raise TimeSpecError(f"max_times phải từ 1 đến {MAX_DAYS}, không phải {self.max_times}")
        if self.repeat_every is None and self.max_times != 1:
            raise TimeSpecError("max_times lớn hơn 1 thì phải có repeat_every")

    def __str__(self) -> str:
        if self.offset == 0 and self.day_kind is DayKind.CALENDAR:
            text = str(self.anchor)
        else:
            sign = "-" if self.offset < 0 else "+"
            text = f"{self.anchor} {sign} {_days_text(abs(self.offset), self.day_kind)}"
        if self.repeat_every is not None:
            times = "time" if self.max_times == 1 else "times"
            text += (
                f", repeat every {_days_text(self.repeat_every, self.repeat_kind)}, "
                f"at most {self.max_times} {times}"
            )
        return text


def _days_text(n: int, kind: DayKind) -> str:
    unit = "working day" if kind is DayKind.WORKING else "day"
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


class _Bad(Exception):
    """Internal: what is wrong with one part of the text."""


_DAYS_RE = re.compile(
    r"^(?P<n>[0-9]+)\s*(?P<unit>working\s+days?|calendar\s+days?|days?|ngày\s+làm\s+việc|ngày)$"
)
_OFFSET_RE = re.compile(r"^(?P<anchor>[^\s+-]+)\s*(?P<sign>[+-])\s*(?P<days>.+)$")
_BEFORE_AFTER_RE = re.compile(r"^(?P<days>.+?)\s+(?P<dir>before|after)\s+(?P<anchor>\S+)$")
_REPEAT_RE = re.compile(r"^repeat\s+every\s+(?P<days>.+)$")
_AT_MOST_RE = re.compile(r"^at\s+most\s+(?P<n>\S+)\s+times?$")


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _days(text: str, *, minimum: int = 0) -> tuple[int, DayKind]:
    match = _DAYS_RE.match(text)
    if match is None:
        raise _Bad(f'"{text}" không phải số ngày')
    n = int(match["n"])
    if not minimum <= n <= MAX_DAYS:
        raise _Bad(f"số ngày phải từ {minimum} đến {MAX_DAYS}, không phải {n}")
    unit = match["unit"]
    kind = DayKind.WORKING if ("working" in unit or "làm" in unit) else DayKind.CALENDAR
    return n, kind


def _anchor(text: str, dates: Collection[str] | None) -> Anchor | str:
    try:
        return Anchor(text)
    except ValueError:
        if (dates is None and _NAMED_DATE_RE.match(text)) or (dates is not None and text in dates):
            return text
        names = [a.value for a in Anchor] + sorted(dates or ())
        raise _Bad(f'không có mốc "{text}"{did_you_mean(text, names)}') from None


def _then(reason: str, forms: str) -> str:
    """What is wrong, then how to write it, as two sentences ("… không phải số ngày. Hãy viết …")."""
    if not reason:
        return forms
    stop = "" if reason.endswith("?") else "."
    return f"{reason}{stop} {forms[0].upper()}{forms[1:]}"


def parse_relative_days(text: str) -> tuple[int, DayKind]:
    """Parse "10 working days", "1 ngày làm việc", "7 days" into (10, WORKING), (1, WORKING), (7, CALENDAR)."""
    normalised = _normalise(text)
    try:
        return _days(normalised)
    except _Bad as bad:
        reason = "" if str(bad) == f'"{normalised}" không phải số ngày' else str(bad)  # said once, not twice
        raise TimeSpecError(f'số ngày "{text}" không hợp lệ: {_then(reason, ACCEPTED_DAY_FORMS)}') from None


def parse_timespec(text: str, dates: Collection[str] | None = ()) -> TimeSpec:
    """Parse a timer date such as "1 working day after deadline, repeat every 2 working days, at most 3 times".

    `dates` are the other names an anchor may be (the workflow's declared dates); None takes any name, for a
    definition being read, whose validation then checks the names against what it declares.
    """
    if not isinstance(text, str):
        raise TimeSpecError(f"mốc thời gian {text!r} không hợp lệ: {_then('phải là văn bản', ACCEPTED_FORMS)}")
    try:
        return _parse(_normalise(text), dates)
    except _Bad as bad:
        raise TimeSpecError(f'mốc thời gian "{text}" không hợp lệ: {_then(str(bad), ACCEPTED_FORMS)}') from None


def _parse(text: str, dates: Collection[str] | None) -> TimeSpec:
    main, *suffixes = [part.strip() for part in text.split(",")]
    anchor, offset, kind = _parse_main(main, dates)
    repeat: tuple[int, DayKind] | None = None
    max_times: int | None = None
    for suffix in suffixes:
        if (match := _REPEAT_RE.match(suffix)) is not None:
            if repeat is not None:
                raise _Bad("'repeat every' được viết hai lần")
            repeat = _days(match["days"], minimum=1)
        elif (match := _AT_MOST_RE.match(suffix)) is not None:
            if max_times is not None:
                raise _Bad("'at most' được viết hai lần")
            if not match["n"].isdigit() or not 1 <= int(match["n"]) <= MAX_DAYS:
                raise _Bad(f"'at most' cần một số nguyên từ 1 đến {MAX_DAYS}, không phải \"{match['n']}\"")
            max_times = int(match["n"])
        else:
            raise _Bad(f'không hiểu "{suffix}"')
    if repeat is None:
        if max_times is not None:
            raise _Bad("có 'at most' nhưng thiếu 'repeat every'")
        return TimeSpec(anchor, offset, kind)
    if max_times is None:
        raise _Bad("có 'repeat every' nhưng thiếu 'at most N times': bộ hẹn giờ sẽ lặp lại mãi không dừng")
    return TimeSpec(anchor, offset, kind, repeat_every=repeat[0], repeat_kind=repeat[1], max_times=max_times)


def _parse_main(text: str, dates: Collection[str] | None) -> tuple[Anchor | str, int, DayKind]:
    if not text:
        raise _Bad("")
    if " " not in text and "+" not in text and "-" not in text:
        return _anchor(text, dates), 0, DayKind.CALENDAR
    if (match := _BEFORE_AFTER_RE.match(text)) is not None:
        n, kind = _days(match["days"])
        return _anchor(match["anchor"], dates), (-n if match["dir"] == "before" else n), kind
    if (match := _OFFSET_RE.match(text)) is not None:
        n, kind = _days(match["days"])
        return _anchor(match["anchor"], dates), (-n if match["sign"] == "-" else n), kind
    if _DAYS_RE.match(text):
        raise _Bad(f"thiếu mốc: hãy nói số ngày tính từ đâu, ví dụ 'deadline + {text}'")
    raise _Bad("")

"""Where a JSON body holds a whole number longer than Python converts (sys.get_int_max_str_digits(), 4,300 digits
by default). json.loads raises a bare ValueError for it, which FastAPI answers with "There was an error parsing the
body": nothing says which field. Parsed again here, keeping such a number aside, the field is found and named."""
from __future__ import annotations

import json
import sys

from models.text import grouped


class _TooLong:
    """A whole number that was not converted; `digits` counts its digits."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _whole(text: str) -> int | _TooLong:
    try:
        return int(text)
    except ValueError:
        return _TooLong(len(text.lstrip("-")))


def _find(value: object, path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], int] | None:
    if isinstance(value, _TooLong):
        return path, value.digits
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found = _find(child, (*path, key))
        if found is not None:
            return found
    return None


def too_long_number(body: bytes) -> tuple[tuple[str | int, ...], str] | None:
    """(the path of the first whole number in `body` too long to convert, why it is refused in Vietnamese), or None
    when there is none (or the body does not parse for another reason, which FastAPI's answer already covers)."""
    try:
        parsed = json.loads(body, parse_int=_whole)
        found = _find(parsed, ())  # nested nearly as deep as json allows, its walk may run out of stack too
    except (ValueError, RecursionError):
        return None
    if found is None:
        return None
    path, digits = found
    longest = grouped(sys.get_int_max_str_digits())
    return path, f"số có {grouped(digits)} chữ số, dài quá {longest} chữ số mà máy chủ đọc được"

"""The page of a long list asked for in a query string (?page=3)."""
from __future__ import annotations

from models.text import whole_number

LAST_PAGE = 999_999


def page_number(text: str | None) -> int:
    """The page asked for, counted from 1; the first when the text is not a whole number from 1 to LAST_PAGE
    (a link mangled or typed by hand shows the list, not an error)."""
    return whole_number(text or "", 1, LAST_PAGE) or 1

"""A word someone typed that is not one of the choices, said the same way everywhere: the choices as a phrase
("left, center, right hoặc justify") and the one probably meant ('. Có phải "body"?')."""
from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'. Có phải "body"?' when `word` is close to one of `choices`, else ""; put it last in a message."""
    # 0.65, not difflib's 0.6: at 0.6 "holidays" was taken for "working_days" (a calendar file means days_off)
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.65)
    return f'. Có phải "{close[0]}"?' if close else ""


def either(choices: tuple[str, ...], conjunction: str = "hoặc") -> str:
    """The choices as a phrase: "left, center, right hoặc justify", "days_off và working_days"."""
    return f"{', '.join(choices[:-1])} {conjunction} {choices[-1]}" if len(choices) > 1 else choices[0]

"""Numbers as Vietnamese writes them in the sentences ykien says: a decimal comma, no needless zeros."""
from __future__ import annotations


def decimal_words(value: float) -> str:
    """20 for 20.0, 0,5 for 0.5, 1,5 for 1.5."""
    return f"{value:g}".replace(".", ",")

"""Text as staff and units type it: always stored in NFC, trimmed."""
from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def nfc_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = nfc(value)
    return cleaned or None

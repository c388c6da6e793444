"""What may stand in a document's ký hiệu ("05/SKHCN-TĐC", "SKHCN-QLKH&SHTT"): the issuer's code (a setting) and an
office's code (data of the directory) follow one rule."""
from __future__ import annotations

import re

_CHARACTERS = re.compile(r"[\w&.\-]+")


def is_symbol_code(text: str) -> bool:
    """Letters (Vietnamese ones too: "TĐC"), digits and & . _ -, at least one letter; no space, no "/"."""
    return bool(_CHARACTERS.fullmatch(text)) and any(char.isalpha() for char in text)

"""What may not stand in a name written on one line (a unit, a contact person, an office, the Sở in a setting): line
breaks, control characters, and the invisible format characters that reorder or hide text. A name goes into "Kính
gửi: …", a letterhead, a mail header and table cells: a line break there breaks the line (or the header), an ESC
colours the terminal, a right-to-left override (U+202E) shows "Sở Y tế" as something else, and a zero-width space
makes two names that look the same differ. The settings and the directory follow this one rule."""
from __future__ import annotations

import unicodedata

_NAMED = {"\n": "xuống dòng", "\r": "về đầu dòng", "\t": "tab", "\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL",
          "\u2028": "xuống dòng", "\u2029": "xuống đoạn", "\u200b": "khoảng trắng vô hình",
          "\ufeff": "khoảng trắng vô hình", "\u00ad": "gạch nối ẩn"}


def _kind(char: str) -> str | None:
    """What `char` is, said for staff, when it may not stand in a one-line name; None when it may."""
    category = unicodedata.category(char)
    if category == "Cc":
        return "ký tự điều khiển"
    if category in ("Zl", "Zp"):
        return "ký tự xuống dòng"
    if category == "Cf":  # bidi overrides and isolates, zero-width spaces and joiners, soft hyphen, BOM
        return "ký tự định dạng vô hình"
    if category == "Cs":  # half of a character: bytes that were not UTF-8
        return "nửa ký tự (byte không phải UTF-8)"
    return None


def single_line_problem(text: str) -> str | None:
    """Why `text` cannot be a name on one line, naming the first character that may not stand in it ("có ký tự
    điều khiển U+000A (xuống dòng); tên chỉ được viết trên một dòng"); None when it can."""
    for position, char in enumerate(text, start=1):
        kind = _kind(char)
        if kind is not None:
            named = f" ({_NAMED[char]})" if char in _NAMED else ""
            return (f"có {kind} U+{ord(char):04X}{named} ở ký tự thứ {position}; tên chỉ được viết trên một dòng, "
                    "không có ký tự điều khiển hay ký tự vô hình (thường bị dính vào khi sao chép)")
    return None

"""What is wrong with the bytes or the characters of a text file someone wrote (a workflow, a wording, the calendar, a
template), in Vietnamese, and where: one wording for every loader."""
from __future__ import annotations

import yaml


def line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of the character at `position` of `text`."""
    line_start = text.rfind("\n", 0, position) + 1
    return text.count("\n", 0, position) + 1, position - line_start + 1


def not_utf8(byte_number: int) -> str:
    """A file whose `byte_number`-th byte (1-based) is not UTF-8."""
    return f"không phải văn bản UTF-8 (byte thứ {byte_number} không đọc được); hãy lưu lại tệp bằng bảng mã UTF-8"


def refused_character(error: yaml.reader.ReaderError) -> str:
    """A character YAML does not accept (NUL, other control characters), which PyYAML finds before parsing."""
    if isinstance(error.character, int):
        return f"lỗi YAML: tệp có ký tự không được phép #x{error.character:04x} (ở ký tự thứ {error.position + 1})"
    return f"lỗi YAML: {error}"

"""calendar.yaml that YAML cannot read is said in Vietnamese at its line, as a workflow definition is, and a file
nested hundreds deep is a CalendarFileError, not a RecursionError traceback under every command."""
from __future__ import annotations

import pytest

from config.calendar_file import CalendarFileError, parse_calendar_text


@pytest.mark.parametrize(("text", "said"), [
    ('days_off:\n\t- { date: "2026-01-02", name: "Nghỉ" }\n',
     "lich.yaml:2: lỗi cú pháp YAML: có ký tự tab: YAML chỉ cho thụt lề bằng dấu cách"),
    ('days_off:\n  - { date: "2026-01-02", name: "Nghỉ"\n',
     "lich.yaml:3: lỗi cú pháp YAML: thiếu dấu ',' hoặc '}': gặp hết tệp (khối {...} bắt đầu từ dòng 2)"),
    ('days_off: *ngay\n', "lich.yaml:1: lỗi cú pháp YAML: alias *ngay chưa được định nghĩa (không có anchor &ngay)"),
], ids=["tab", "unclosed-brace", "undefined-alias"])
def test_a_yaml_syntax_error_is_said_in_vietnamese_with_its_line(text: str, said: str) -> None:
    with pytest.raises(CalendarFileError) as raised:
        parse_calendar_text(text, "lich.yaml")
    assert raised.value.errors == [said]


def test_brackets_nested_a_thousand_deep_are_a_calendar_file_error() -> None:
    with pytest.raises(CalendarFileError) as raised:
        parse_calendar_text("days_off: " + "[" * 1000 + "]" * 1000 + "\n", "lich.yaml")
    assert raised.value.errors[0].startswith("lich.yaml: các khối lồng nhau quá sâu")

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


@pytest.mark.parametrize(("name", "said"), [
    # `ykien calendar year` printed them raw: the NUL, the BEL, and red text from the ESC
    ("Nghỉ\\x00bù", "lich.yaml:2: name có ký tự điều khiển U+0000 (NUL) ở ký tự thứ 5"),
    ("Nghỉ\\e[31mĐỎ", "lich.yaml:2: name có ký tự điều khiển U+001B (ESC) ở ký tự thứ 5"),
    ("Nghỉ\\a", "lich.yaml:2: name có ký tự điều khiển U+0007 ở ký tự thứ 5"),
    ("Nghỉ\\nbù", "lich.yaml:2: name có ký tự điều khiển U+000A (xuống dòng)"),
    ("Nghỉ\\u202ebù", "lich.yaml:2: name có ký tự định dạng vô hình U+202E"),
], ids=["nul", "escape", "bell", "newline", "bidi"])
def test_a_day_name_with_a_control_character_is_refused_at_its_line(name: str, said: str) -> None:
    with pytest.raises(CalendarFileError) as raised:
        parse_calendar_text(f'days_off:\n  - {{ date: "2027-02-22", name: "{name}" }}\n', "lich.yaml")
    assert len(raised.value.errors) == 1 and raised.value.errors[0].startswith(said), raised.value.errors


@pytest.mark.parametrize("day", ["9999-02-13", "1800-02-13", "1999-12-31", "2101-01-01"])
def test_a_day_outside_the_years_of_the_calendar_is_refused_at_its_line(day: str) -> None:
    with pytest.raises(CalendarFileError) as raised:
        parse_calendar_text(f'working_days:\n  - {{ date: "{day}", name: "Làm bù" }}\n', "lich.yaml")
    assert raised.value.errors == [f'lich.yaml:2: ngày "{day}": năm phải từ 2000 đến 2100 (năm ykien có lịch ngày lễ)']


def test_the_first_and_last_years_of_the_calendar_are_taken() -> None:
    extras = parse_calendar_text('days_off:\n  - { date: "2000-01-03", name: "Nghỉ" }\n'
                                 '  - { date: "2100-12-31", name: "Nghỉ cuối năm" }\n', "lich.yaml")
    assert [day.year for day in extras.days_off] == [2000, 2100]


def test_the_last_year_of_the_file_is_one_the_holidays_package_knows() -> None:
    """2100 is the holidays package's last year for Việt Nam: a later day off could never be used."""
    import holidays

    from config.calendar_file import YEARS

    known = holidays.country_holidays("VN")
    assert known.start_year <= YEARS[0] and YEARS[1] <= known.end_year

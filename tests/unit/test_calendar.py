"""Working days in Vietnam: public holidays, announced days off and make-up working days."""

from __future__ import annotations

import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest

from config.calendar import (
    CalendarFileError,
    CalendarRangeError,
    WorkingCalendar,
    load_calendar,
    vietnam_calendar,
)
from config.calendar_file import read_calendar_file

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "calendar.example.yaml"


@pytest.fixture(scope="module")
def vn() -> WorkingCalendar:
    return vietnam_calendar()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def step_by_step(calendar: WorkingCalendar, start: date, n: int) -> date:
    """Reference implementation: walk one day at a time."""
    if n == 0:
        day = start
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        return day
    step = timedelta(days=1 if n > 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if calendar.is_working_day(day):
            left -= 1
    return day


# --- public holidays from the `holidays` package --------------------------------------


def test_deadline_skips_tet_2026(vn: WorkingCalendar) -> None:
    # Thu 12/02: Fri 13/02 counts, Mon 16 - Fri 20/02 are Tết, then Mon 23 and Tue 24.
    assert vn.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert all(not vn.is_working_day(date(2026, 2, day)) for day in range(16, 21))


def test_deadline_skips_hung_kings_substitute_day_and_30_4_1_5_2026(vn: WorkingCalendar) -> None:
    # Giỗ Tổ falls on Sunday 26/04/2026, so Monday 27/04 is the day off in lieu.
    assert not vn.is_working_day(date(2026, 4, 27))
    assert vn.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)
    # 30/4 (Thu) and 1/5 (Fri), then the weekend.
    assert vn.add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)
    assert vn.add_working_days(date(2026, 4, 24), 5) == date(2026, 5, 6)


def test_holiday_names_are_vietnamese(vn: WorkingCalendar) -> None:
    name = vn.holiday_name(date(2026, 4, 27))
    assert name is not None and "Giỗ Tổ Hùng Vương" in name and "nghỉ bù" in name
    assert vn.holiday_name(date(2026, 4, 30)) == "Ngày Chiến thắng"
    assert vn.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert vn.holiday_name(date(2026, 2, 14)) is None  # a plain Saturday
    assert vn.holiday_name(date(2026, 2, 12)) is None


def test_make_up_saturday_from_the_package_is_a_working_day(vn: WorkingCalendar) -> None:
    # 2025: Friday 02/05 off, worked on Saturday 26/04 instead.
    assert not vn.is_working_day(date(2025, 5, 2))
    assert vn.is_working_day(date(2025, 4, 26))
    assert vn.make_up_day_name(date(2025, 4, 26)) == "Làm bù cho ngày 02/05/2025"
    assert vn.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)


def test_days_off_between_lists_tet_with_names(vn: WorkingCalendar) -> None:
    days = vn.days_off_between(date(2026, 2, 10), date(2026, 2, 25))
    assert [d for d, _ in days] == [date(2026, 2, day) for day in range(16, 21)]
    assert days[0][1] == "Giao thừa Tết Nguyên Đán"
    assert vn.days_off_between(date(2026, 2, 25), date(2026, 2, 10)) == days


def test_days_off_between_is_inclusive_and_keeps_holidays_on_weekends(vn: WorkingCalendar) -> None:
    days = dict(vn.days_off_between(date(2026, 4, 26), date(2026, 5, 1)))
    assert list(days) == [date(2026, 4, 26), date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1)]
    assert vn.days_off_between(date(2026, 3, 7), date(2026, 3, 8)) == []  # plain weekend


def test_negative_offsets_count_backwards(vn: WorkingCalendar) -> None:
    assert vn.add_working_days(date(2026, 2, 24), -3) == date(2026, 2, 12)
    assert vn.add_working_days(date(2026, 5, 4), -1) == date(2026, 4, 29)
    # counting back from a day off starts from the last working day before it
    assert vn.add_working_days(date(2026, 2, 18), -1) == date(2026, 2, 13)
    # "2 working days before 05/01/2026": Fri 02/01, then Wed 31/12/2025 (01/01 is a holiday)
    assert vn.add_working_days(date(2026, 1, 5), -2) == date(2025, 12, 31)


def test_zero_offset_moves_a_day_off_to_the_next_working_day(vn: WorkingCalendar) -> None:
    assert vn.add_working_days(date(2026, 2, 12), 0) == date(2026, 2, 12)
    assert vn.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 23)


def test_next_and_previous_working_day(vn: WorkingCalendar) -> None:
    assert vn.next_working_day(date(2026, 2, 13)) == date(2026, 2, 13)
    assert vn.next_working_day(date(2026, 2, 14)) == date(2026, 2, 23)
    assert vn.previous_working_day(date(2026, 2, 22)) == date(2026, 2, 13)
    assert vn.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 23)
    assert vn.next_working_day(date(2026, 12, 31)) == date(2026, 12, 31)
    assert vn.next_working_day(date(2027, 1, 1)) == date(2027, 1, 4)


def test_working_days_between_counts_after_a_up_to_b(vn: WorkingCalendar) -> None:
    assert vn.working_days_between(date(2026, 2, 12), date(2026, 2, 24)) == 3
    assert vn.working_days_between(date(2026, 2, 24), date(2026, 2, 12)) == -3
    assert vn.working_days_between(date(2026, 2, 12), date(2026, 2, 12)) == 0
    # 2026: 365 days, 104 weekend days, 13 holidays on weekdays, 1 make-up Saturday (22/08)
    weekday_holidays = [d for d, _ in vn.days_off_between(date(2026, 1, 1), date(2026, 12, 31)) if d.weekday() < 5]
    assert len(weekday_holidays) == 13
    assert vn.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 365 - 104 - 13 + 1


def test_jumps_agree_with_walking_day_by_day_across_years(vn: WorkingCalendar) -> None:
    starts = [date(2025, 12, 1) + timedelta(days=k) for k in range(0, 500, 7)]
    for start in starts:
        for n in (-45, -31, -10, -3, -1, 0, 1, 2, 5, 30, 45):
            assert vn.add_working_days(start, n) == step_by_step(vn, start, n), (start, n)


def test_working_days_between_inverts_add_working_days(vn: WorkingCalendar) -> None:
    a = date(2026, 2, 12)
    for n in range(-60, 61):
        b = vn.add_working_days(a, n)
        assert vn.working_days_between(a, b) == n


def test_crossing_the_new_year_counts_the_next_year_s_holidays(vn: WorkingCalendar) -> None:
    # Thu 31/12/2026 + 1: Fri 01/01/2027 is Tết Dương lịch, so Monday 04/01.
    assert vn.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    # fresh calendar, first question about 2027 Tết
    assert vietnam_calendar().add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)


def test_years_beyond_the_package_are_refused_not_guessed(vn: WorkingCalendar) -> None:
    with pytest.raises(CalendarRangeError):
        vn.is_working_day(date(2101, 1, 3))
    with pytest.raises(CalendarRangeError):
        vn.add_working_days(date(2100, 12, 1), 40)


def test_ten_thousand_thirty_day_deadlines_take_well_under_a_second() -> None:
    calendar = vietnam_calendar()
    starts = [date(2025, 1, 1) + timedelta(days=k % 1500) for k in range(10_000)]
    began = time.perf_counter()
    for start in starts:
        calendar.add_working_days(start, 30)
    assert time.perf_counter() - began < 1.0


# --- a calendar built from plain mappings ----------------------------------------------


def test_plain_calendar_knows_only_weekends_and_the_given_days() -> None:
    calendar = WorkingCalendar(
        holidays={date(2026, 3, 10): "Nghỉ"}, extra_working_days={date(2026, 3, 14): "Làm bù"}
    )
    assert calendar.is_working_day(date(2026, 2, 17))  # Tết is unknown to it
    assert not calendar.is_working_day(date(2026, 3, 10))
    assert calendar.is_working_day(date(2026, 3, 14))  # a Saturday
    assert calendar.add_working_days(date(2026, 3, 9), 4) == date(2026, 3, 14)
    assert calendar.holiday_name(date(2026, 3, 10)) == "Nghỉ"


def test_announced_extra_days_cannot_be_both_off_and_working() -> None:
    with pytest.raises(ValueError, match="2026-02-13"):
        vietnam_calendar({date(2026, 2, 13): "a"}, {date(2026, 2, 13): "b"})


# --- calendar.yaml --------------------------------------------------------------------


def test_extra_day_off_from_the_file_moves_the_deadline(tmp_path: Path) -> None:
    path = write(tmp_path, 'days_off:\n  - { date: "2026-02-13", name: "Nghỉ Tết Nguyên đán (theo thông báo)" }\n')
    calendar = load_calendar(path)
    assert not calendar.is_working_day(date(2026, 2, 13))
    assert calendar.holiday_name(date(2026, 2, 13)) == "Nghỉ Tết Nguyên đán (theo thông báo)"
    assert calendar.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 25)
    assert date(2026, 2, 13) in dict(calendar.days_off_between(date(2026, 2, 12), date(2026, 2, 24)))


def test_make_up_saturday_from_the_file_counts(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'days_off:\n'
        '  - { date: "2026-02-13", name: "Nghỉ Tết Nguyên đán (theo thông báo)" }\n'
        'working_days:\n'
        '  - { date: "2026-02-28", name: "Làm bù cho ngày 13/02/2026" }\n',
    )
    calendar = load_calendar(path)
    assert calendar.is_working_day(date(2026, 2, 28))
    assert calendar.make_up_day_name(date(2026, 2, 28)) == "Làm bù cho ngày 13/02/2026"
    assert calendar.add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert calendar.add_working_days(date(2026, 3, 2), -1) == date(2026, 2, 28)


def test_file_overrides_the_package(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'working_days:\n  - { date: "2026-04-27", name: "Đi làm bình thường" }\n'
        'days_off:\n  - { date: "2026-08-22", name: "Nghỉ" }\n',
    )
    calendar = load_calendar(path)
    assert calendar.is_working_day(date(2026, 4, 27))
    assert calendar.holiday_name(date(2026, 4, 27)) is None
    assert not calendar.is_working_day(date(2026, 8, 22))  # the package's make-up Saturday
    assert calendar.make_up_day_name(date(2026, 8, 22)) is None


def test_example_file_is_valid_and_adds_nothing() -> None:
    extras = read_calendar_file(EXAMPLE)
    assert extras.days_off == {} and extras.working_days == {}
    assert load_calendar(EXAMPLE).add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)


def test_missing_file_and_no_file_mean_no_extras(tmp_path: Path) -> None:
    for calendar in (load_calendar(tmp_path / "absent.yaml"), load_calendar(None)):
        assert calendar.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)


def test_empty_file_means_no_extras(tmp_path: Path) -> None:
    extras = read_calendar_file(write(tmp_path, "# nothing yet\n"))
    assert extras.days_off == {} and extras.working_days == {}


def errors_of(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(CalendarFileError) as caught:
        load_calendar(path)
    prefix = f"{path}:"
    assert all(error.startswith(prefix) for error in caught.value.errors)
    return [error[len(prefix):] for error in caught.value.errors]


def test_unquoted_date_is_refused_with_quote_it(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, 'days_off:\n  - { date: "2026-02-13", name: "a" }\n  - { date: 2026-02-16, name: "b" }\n')
    assert len(errors) == 1
    assert errors == ['3: date 2026-02-16 phải là một chuỗi: hãy đặt trong ngoặc kép, date: "2026-02-16"']


def test_duplicate_key_is_refused_with_both_lines(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, 'days_off:\n  - { date: "2026-02-13", name: "a" }\ndays_off: []\n')
    assert errors == ['3: khóa "days_off" bị lặp (đã có ở dòng 1)']


def test_duplicate_key_inside_an_entry_is_refused(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, 'days_off:\n  - date: "2026-02-13"\n    name: "a"\n    date: "2026-02-16"\n')
    assert errors == ['4: khóa "date" bị lặp (đã có ở dòng 2)']


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"2026-02-30"', 'ngày "2026-02-30" không tồn tại'),
        ('"13/02/2026"', 'ngày "13/02/2026" không hợp lệ: hãy viết dạng "YYYY-MM-DD", ví dụ "2026-02-13"'),
        ('"20260213"', 'ngày "20260213" không hợp lệ: hãy viết dạng "YYYY-MM-DD"'),
        ("20260213", 'date 20260213 phải là một chuỗi trong ngoặc kép, ví dụ "2026-02-13"'),
    ],
)
def test_invalid_dates_are_refused(tmp_path: Path, value: str, message: str) -> None:
    errors = errors_of(tmp_path, f'# lịch\nworking_days:\n  - {{ date: {value}, name: "x" }}\n')
    assert len(errors) == 1 and errors[0].startswith("3: ") and message in errors[0]


def test_date_in_both_lists_is_refused(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        'days_off:\n  - { date: "2026-02-13", name: "a" }\nworking_days:\n  - { date: "2026-02-13", name: "b" }\n',
    )
    assert errors == [
        "4: ngày 2026-02-13 vừa có trong working_days vừa có trong days_off (dòng 2); hãy bỏ một trong hai"
    ]


def test_same_date_twice_in_a_list_is_refused(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, 'days_off:\n  - { date: "2026-02-13", name: "a" }\n  - { date: "2026-02-13", name: "b" }\n')
    assert errors == ["3: ngày 2026-02-13 được liệt kê hai lần trong days_off (đã có ở dòng 2)"]


def test_unknown_keys_are_refused_with_a_suggestion(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, 'working_day:\n  - { date: "2026-02-28", name: "a" }\ndays_off:\n  - { date: "2026-02-13", nmae: "b" }\n')
    assert errors[0] == '1: không có khóa "working_day". Có phải "working_days"?'
    assert '4: không có khóa "nmae". Có phải "name"?' in errors
    assert "4: thiếu khóa name" in errors


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    errors = errors_of(
        tmp_path,
        'days_off:\n  - { date: 2026-02-13, name: "a" }\n  - { date: "2026-02-31", name: "b" }\nextra: []\n',
    )
    assert [error.split(":")[0] for error in errors] == ["2", "3", "4"]


def test_unquoted_non_string_name_is_refused(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, 'days_off:\n  - { date: "2026-02-13", name: yes }\n')
    assert errors == ['2: name yes phải là một chuỗi: hãy đặt trong ngoặc kép, name: "yes"']


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, 'days_off:\n  - { date: "2026-02-13", name: "a" \nworking_days: []\n')
    assert len(errors) == 1 and ": lỗi cú pháp YAML: " in errors[0]
    assert int(errors[0].split(":")[0]) in (2, 3)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, '- { date: "2026-02-13", name: "a" }\n')
    assert errors == ["1: tệp lịch phải là một khối khóa: giá trị với các khóa days_off và working_days"]


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    # Windows-1258 writes Vietnamese as base letters plus combining marks (NFD)
    text = unicodedata.normalize("NFD", 'days_off:\n  - { date: "2026-02-13", name: "Phòng Đào tạo" }\n')
    path.write_bytes(text.encode("cp1258"))
    with pytest.raises(CalendarFileError, match=r"calendar.yaml:2: không phải văn bản UTF-8 \(byte thứ \d+ không đọc "
                                                r"được\); hãy lưu lại tệp bằng bảng mã UTF-8$"):
        load_calendar(path)

"""`ykien calendar year YEAR`: the days off and make-up working days of a year, each with where it comes from (the
built-in holidays or the department's calendar file), so IT staff can check a year (Tết above all) before deadlines
fall in it; a year that is no year, or outside the known holidays, is refused naming YEAR."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli

ANNOUNCED = """days_off:
  - { date: "2027-02-03", name: "Nghỉ Tết Nguyên đán (theo thông báo)" }
working_days:
  - { date: "2027-01-30", name: "Làm bù cho ngày 03/02/2027" }
"""


def test_a_year_lists_its_holidays_with_weekdays_and_counts_its_working_days(cli: Cli) -> None:
    (cli.home / "calendar.yaml").unlink(missing_ok=True)
    out = cli("calendar", "year", "2027").out
    assert out.startswith("Năm 2027: 249 ngày làm việc."), out
    assert "  06/02/2027 Thứ Bảy   Tết Nguyên Đán\n" in out
    assert "  03/05/2027 Thứ Hai   Ngày Quốc tế Lao động (nghỉ bù)\n" in out
    assert "Ngày làm việc bù: không có." in out
    assert "[tệp lịch]: 0 ngày" in out


def test_the_calendar_files_days_are_marked_and_counted(cli: Cli) -> None:
    (cli.home / "calendar.yaml").write_text(ANNOUNCED, encoding="utf-8")
    out = cli("calendar", "year", "2027").out
    assert out.startswith("Năm 2027: 249 ngày làm việc."), out  # one day off more, one Saturday worked
    assert "  03/02/2027 Thứ Tư    Nghỉ Tết Nguyên đán (theo thông báo) [tệp lịch]\n" in out
    assert "Ngày làm việc bù:\n  30/01/2027 Thứ Bảy   Làm bù cho ngày 03/02/2027 [tệp lịch]\n" in out
    assert "[tệp lịch]: 2 ngày" in out
    shown = cli("calendar", "year", "2027", "--json").json
    assert shown["working_days"] == 249
    assert {"date": "2027-02-03", "name": "Nghỉ Tết Nguyên đán (theo thông báo)", "from_file": True} \
        in shown["days_off"]
    assert {"date": "2027-02-06", "name": "Tết Nguyên Đán", "from_file": False} in shown["days_off"]
    assert shown["make_up_days"] == [{"date": "2027-01-30", "name": "Làm bù cho ngày 03/02/2027", "from_file": True}]


def test_a_make_up_saturday_of_the_built_in_holidays_is_listed(cli: Cli) -> None:
    (cli.home / "calendar.yaml").unlink(missing_ok=True)
    out = cli("calendar", "year", "2026").out
    assert "  22/08/2026 Thứ Bảy   Làm bù cho ngày 31/08/2026\n" in out, out


@pytest.mark.parametrize("typed", ["abc", "0", "20270", "２０２７", "2027-01-01", "2027.0", ""])
def test_what_is_no_year_is_refused_naming_year(cli: Cli, typed: str) -> None:
    result = cli("calendar", "year", typed, expect=2)
    assert result.err.startswith(f'Lỗi: YEAR: "{typed}" không phải một năm; viết bốn chữ số, ví dụ 2027.'), result.err
    assert result.out == ""
    assert cli("calendar", "year", typed, "--json", expect=2).json["error"]["code"] == "invalid_input"


def test_a_year_beyond_the_known_holidays_is_refused_naming_year(cli: Cli) -> None:
    result = cli("calendar", "year", "2300", expect=2)
    assert result.err.startswith("Lỗi: YEAR: 2300: chỉ có lịch ngày lễ từ năm"), result.err
    assert result.out == ""


def test_a_broken_calendar_file_is_named_with_its_line(cli: Cli) -> None:
    (cli.home / "calendar.yaml").write_text('days_off:\n  - { date: "2027-02-31", name: "x" }\n', encoding="utf-8")
    result = cli("calendar", "year", "2027", expect=2)
    assert f"{cli.home / 'calendar.yaml'}:2" in result.err, result.err
    assert result.out == ""

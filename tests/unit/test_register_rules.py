"""The register of outgoing documents, its pure rules: the ký hiệu, numbers with a leading zero, reading what the
văn thư types, and the year in the Sở's time zone."""
from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from models.errors import InvalidInput
from models.register import (
    MAX_NUMBER,
    RegisterEntry,
    Source,
    check_issue_date,
    check_number_type,
    check_year,
    format_number,
    full_number,
    parse_number,
    register_year,
    symbol,
    type_name,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(("number_type", "expected"), [
    ("", "SKHCN-TĐC"), ("TTr", "TTr-SKHCN"), ("BC", "BC-SKHCN"), ("KH", "KH-SKHCN"), ("QĐ", "QĐ-SKHCN"),
])
def test_a_letter_carries_the_office_and_a_typed_document_its_type(number_type: str, expected: str) -> None:
    assert symbol("SKHCN", "TĐC", number_type) == expected


def test_the_symbol_is_built_in_nfc_whatever_the_codes_were_typed_in() -> None:
    assert symbol(nfd("SKHCN"), nfd("KHTỔNG"), "") == "SKHCN-KHTỔNG"
    assert symbol("KHCN", "QLKH", nfd(" QĐ ")) == "QĐ-KHCN"


@pytest.mark.parametrize(("number", "written"), [(1, "01"), (9, "09"), (10, "10"), (99, "99"), (123, "123")])
def test_numbers_below_ten_have_a_leading_zero(number: int, written: str) -> None:
    assert format_number(number) == written
    assert full_number(number, "SKHCN-TĐC") == f"{written}/SKHCN-TĐC"


@pytest.mark.parametrize(("typed", "number"), [
    ("123/SKHCN-TĐC", 123), ("05/SKHCN-TĐC", 5), ("5/SKHCN-TĐC", 5), ("Số: 05/SKHCN-TĐC", 5),
    ("số 7/SKHCN-TĐC", 7), (" 12 / SKHCN - TĐC ", 12), ("12/SKHCN–TĐC", 12), ("12/skhcn-tđc", 12), ("42", 42),
    (nfd("Số: 05/SKHCN-TĐC"), 5),
])
def test_the_number_the_van_thu_types_is_read_with_its_ky_hieu(typed: str, number: int) -> None:
    assert parse_number(typed, "SKHCN-TĐC") == number


def test_a_typed_document_number_is_read_against_its_own_ky_hieu() -> None:
    assert parse_number("4/TTr-SKHCN", "TTr-SKHCN") == 4
    with pytest.raises(InvalidInput) as wrong:
        parse_number("4/SKHCN-TĐC", "TTr-SKHCN")
    assert wrong.value.code == "wrong_symbol" and '"TTr-SKHCN"' in wrong.value.message


def test_a_number_in_another_offices_ky_hieu_is_refused_naming_the_right_one() -> None:
    with pytest.raises(InvalidInput) as wrong:
        parse_number("123/SKHCN-QLKH", "SKHCN-TĐC", "--number")
    assert wrong.value.code == "wrong_symbol"
    assert wrong.value.message.startswith("--number: ")
    assert '"SKHCN-QLKH"' in wrong.value.message and '"SKHCN-TĐC"' in wrong.value.message
    assert "Đ và chữ D" not in wrong.value.message


def test_d_typed_for_the_office_code_s_đ_is_another_office_and_the_message_says_why() -> None:
    with pytest.raises(InvalidInput) as wrong:
        parse_number("123/SKHCN-TDC", "SKHCN-TĐC")
    assert wrong.value.code == "wrong_symbol"
    assert "chữ Đ và chữ D" in wrong.value.message
    with pytest.raises(InvalidInput):
        parse_number("123/QD-SKHCN", "QĐ-SKHCN")


@pytest.mark.parametrize("typed", [
    "", "   ", "abc", "/SKHCN-TĐC", "12/", "-5/SKHCN-TĐC", "0/SKHCN-TĐC", "00/SKHCN-TĐC", "5.0/SKHCN-TĐC",
    f"{MAX_NUMBER + 1}/SKHCN-TĐC", "9" * 5000 + "/SKHCN-TĐC", "12/SKHCN-TĐC/extra", "12a/SKHCN-TĐC",
])
def test_what_is_not_a_number_is_refused_as_bad_input(typed: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        parse_number(typed, "SKHCN-TĐC", "--number")
    assert bad.value.message.startswith("--number: ")


def test_the_year_of_a_moment_is_the_year_in_the_sos_time_zone() -> None:
    new_year_in_hanoi = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 01/01/2026 in Hà Nội
    assert register_year(new_year_in_hanoi, TZ) == 2026
    assert register_year(datetime(2025, 12, 31, 16, 59, tzinfo=UTC), TZ) == 2025
    assert register_year(date(2025, 12, 31), TZ) == 2025
    with pytest.raises(ValueError):
        register_year(datetime(2025, 12, 31, 12, 0), TZ)


@pytest.mark.parametrize("year", [0, 1999, 2101, 99999, -2025])
def test_a_year_outside_what_a_register_holds_is_bad_input(year: int) -> None:
    with pytest.raises(InvalidInput) as bad:
        check_year(year, "--year")
    assert bad.value.code == "bad_year" and bad.value.message.startswith("--year: ")


def test_a_document_is_numbered_on_or_after_the_day_it_is_signed() -> None:
    today = date(2025, 11, 20)
    assert check_issue_date(today, today) == today
    assert check_issue_date(date(2025, 1, 1), today) == date(2025, 1, 1)
    with pytest.raises(InvalidInput) as future:
        check_issue_date(date(2025, 11, 21), today, "--date")
    assert future.value.code == "date_in_future" and future.value.message.startswith("--date: ")
    with pytest.raises(InvalidInput):
        check_issue_date(date(1999, 12, 31), today)


@pytest.mark.parametrize(("abbreviation", "name"), [
    ("", "Công văn"), ("TTr", "Tờ trình"), ("BC", "Báo cáo"), ("KH", "Kế hoạch"), ("QĐ", "Quyết định"),
    ("XYZ", "XYZ"),
])
def test_the_type_name_of_an_abbreviation(abbreviation: str, name: str) -> None:
    assert type_name(abbreviation) == name


def test_a_number_type_is_an_abbreviation_in_letters() -> None:
    assert check_number_type(" TTr ", "submission.yaml") == "TTr"
    assert check_number_type(nfd("QĐ"), "x") == "QĐ"
    assert check_number_type("", "x") == ""
    for bad in ("T Tr", "T/r", "BC1", "ABCDEFGHIJK"):
        with pytest.raises(InvalidInput):
            check_number_type(bad, "submission.yaml")


def test_an_entry_reads_as_the_register_writes_it() -> None:
    entry = RegisterEntry(
        id=1, register="di", year=2025, number=5, symbol="TTr-SKHCN", office="TĐC", issued_on=date(2025, 12, 1),
        document_type="TTr", document_title="Tờ trình UBND tỉnh", summary="Kế hoạch năm 2026", round_id=3,
        document_key="submission", signer="Nông Thị Thanh Huyền", recipients="UBND tỉnh", source=Source.ASSIGNED,
        created_at=datetime(2025, 12, 1, 2, 0, tzinfo=UTC), created_by="Văn thư")
    assert entry.full_number == "05/TTr-SKHCN" and entry.formatted_number == "05"
    assert entry.type_name == "Tờ trình" and not entry.cancelled
    assert entry.name_and_summary == "Tờ trình UBND tỉnh: Kế hoạch năm 2026"


def test_the_register_names_a_document_without_the_file_format_its_title_carries_on_the_rounds_page() -> None:
    entry = RegisterEntry(
        id=2, register="di", year=2026, number=7, symbol="SKHCN-QLKH", office="QLKH", issued_on=date(2026, 5, 6),
        document_type="", document_title="Danh mục đề xuất nhiệm vụ gửi Bộ KH&CN (DOCX)",
        summary="Chương trình 1322", round_id=2, document_key="proposal_list_docx", signer="Nông Thị Thanh Huyền",
        recipients="Bộ Khoa học và Công nghệ", source=Source.ASSIGNED,
        created_at=datetime(2026, 5, 6, 2, 0, tzinfo=UTC), created_by="Văn thư")
    assert entry.name_and_summary == "Danh mục đề xuất nhiệm vụ gửi Bộ KH&CN: Chương trình 1322"

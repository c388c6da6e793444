"""Parsing the recipient-unit directory CSV."""

from __future__ import annotations

import unicodedata

import pytest

from models.directory import (
    DEFAULT_GROUPS,
    DirectoryImportError,
    UnitRecord,
    parse_units_csv,
)

HEADER = "code,name,group,email,contact_person,phone\n"


def parse(text: str, groups: dict[str, str] | None = None) -> list[UnitRecord]:
    return parse_units_csv(text.encode("utf-8"), "units.csv", DEFAULT_GROUPS if groups is None else groups)


def errors_of(data: bytes | str) -> list[str]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(DirectoryImportError) as caught:
        parse_units_csv(raw, "units.csv", DEFAULT_GROUPS)
    assert str(caught.value) == "\n".join(caught.value.errors)
    return caught.value.errors


def test_good_file_with_bom_and_nfd_text_is_read_as_nfc() -> None:
    text = (
        HEADER
        + "SCT,Sở Công Thương,so-ban-nganh,VanPhong@SoCongThuong.CaoBang.gov.vn,Nguyễn Văn Hùng,0206 3852 123\n"
        + "\n"
        + 'XA-HOA-AN,Ủy ban nhân dân xã Hòa An,"Ủy ban nhân dân các xã, phường",ubnd@hoaan.caobang.gov.vn,,\n'
    )
    data = b"\xef\xbb\xbf" + unicodedata.normalize("NFD", text).encode("utf-8")
    records = parse_units_csv(data, "units.csv", DEFAULT_GROUPS)
    assert records == [
        UnitRecord(
            code="SCT",
            name="Sở Công Thương",
            group="so-ban-nganh",
            email="VanPhong@socongthuong.caobang.gov.vn",
            contact_person="Nguyễn Văn Hùng",
            phone="0206 3852 123",
            line=2,
        ),
        UnitRecord(
            code="XA-HOA-AN",
            name="Ủy ban nhân dân xã Hòa An",
            group="xa-phuong",
            email="ubnd@hoaan.caobang.gov.vn",
            contact_person=None,
            phone=None,
            line=4,
        ),
    ]
    assert all(unicodedata.is_normalized("NFC", r.name) for r in records)


def test_unquoted_comma_in_a_value_is_reported_as_a_surplus_value() -> None:
    errors = errors_of(HEADER + "X1,Xã A,Ủy ban nhân dân các xã, phường,a@xa.gov.vn,,\n")
    assert errors == [
        "units.csv:2: có 7 giá trị nhưng dòng tiêu đề chỉ có 6 cột (hãy đặt giá trị có dấu phẩy trong ngoặc kép)"
    ]


def test_header_is_case_insensitive_trimmed_and_in_any_order() -> None:
    text = " EMAIL , Code,Group,NAME\nsyt@caobang.gov.vn,SYT,SO-BAN-NGANH,Sở Y tế\n"
    [record] = parse(text)
    assert (record.code, record.name, record.group, record.email) == ("SYT", "Sở Y tế", "so-ban-nganh", "syt@caobang.gov.vn")
    assert record.contact_person is None and record.phone is None


def test_group_label_matches_ignoring_case_and_spacing() -> None:
    [record] = parse(HEADER + 'BCB,Báo Cao Bằng,"báo chí,  phát thanh   truyền hình",bcb@caobang.gov.vn,,\n')
    assert record.group == "bao-chi"


def test_bad_email_is_reported_with_its_line() -> None:
    errors = errors_of(HEADER + "SCT,Sở Công Thương,so-ban-nganh,sct@,,\n")
    assert len(errors) == 1
    assert errors[0] == 'units.csv:2: email "sct@" không phải địa chỉ email hợp lệ: không có gì sau dấu @'


def test_duplicate_code_names_both_lines() -> None:
    errors = errors_of(
        HEADER
        + "SCT,Sở Công Thương,so-ban-nganh,sct@caobang.gov.vn,,\n"
        + "SYT,Sở Y tế,so-ban-nganh,syt@caobang.gov.vn,,\n"
        + "sct,Sở Công Thương (2),so-ban-nganh,sct2@caobang.gov.vn,,\n"
    )
    assert errors == ['units.csv:4: mã "sct" bị lặp (đã có ở dòng 2)']


def test_missing_column_is_reported_on_the_header_line() -> None:
    errors = errors_of("code,name,group,contact_person\nSCT,Sở Công Thương,so-ban-nganh,A\n")
    assert len(errors) == 1
    assert errors[0].startswith("units.csv:1: thiếu cột email")


def test_optional_columns_may_be_left_out() -> None:
    [record] = parse("code,name,group,email\nSCT,Sở Công Thương,so-ban-nganh,sct@caobang.gov.vn\n")
    assert record.contact_person is None and record.phone is None


def test_extra_and_repeated_columns_are_refused() -> None:
    errors = errors_of("code,name,group,email,fax,Name\nSCT,Sở,so-ban-nganh,sct@caobang.gov.vn,1,x\n")
    assert len(errors) == 1
    assert 'không có cột "fax"' in errors[0] and 'cột "Name" bị lặp' in errors[0]
    assert errors[0].startswith("units.csv:1: ")


def test_unknown_group_lists_the_known_ones() -> None:
    errors = errors_of(HEADER + "SCT,Sở Công Thương,sở ngành,sct@caobang.gov.vn,,\n")
    assert len(errors) == 1
    assert errors[0].startswith('units.csv:2: không có nhóm "sở ngành"; các nhóm hiện có: ')
    for code, label in DEFAULT_GROUPS.items():
        assert f"{code} ({label})" in errors[0]


def test_groups_come_from_the_parameter() -> None:
    groups = {"khac": "Nhóm khác"}
    [record] = parse(HEADER + "K1,Đơn vị K,nhóm khác,k1@example.vn,,\n", groups)
    assert record.group == "khac"
    with pytest.raises(DirectoryImportError, match='không có nhóm "so-ban-nganh"'):
        parse(HEADER + "K1,Đơn vị K,so-ban-nganh,k1@example.vn,,\n", groups)


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_non_utf8_bytes_are_refused_with_the_line_and_a_hint(encoding: str) -> None:
    # Windows-1258 stores Vietnamese as base letters plus combining marks
    text = HEADER + "SYT,So Y te,so-ban-nganh,syt@caobang.gov.vn,,\nPHC,Phòng Hành chính,don-vi-thuoc-so,phc@skhcn.gov.vn,,\n"
    if encoding == "cp1258":
        text = unicodedata.normalize("NFD", text)
    errors = errors_of(text.encode(encoding))
    assert len(errors) == 1
    assert errors[0].startswith("units.csv:3: không phải văn bản UTF-8")
    assert "CSV UTF-8" in errors[0]


def test_bad_byte_right_after_a_bom_file_newline_is_on_the_right_line() -> None:
    data = b"\xef\xbb\xbf" + HEADER.encode() + b"\xd0a Nang,x,so-ban-nganh,a@b.vn,,\n"
    errors = errors_of(data)
    assert errors[0].startswith("units.csv:2: không phải văn bản UTF-8 (byte 0xD0 không đọc được)")


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n  \n", b",,,\n"])
def test_empty_file_is_refused(data: bytes) -> None:
    errors = errors_of(data)
    assert errors == ["units.csv:1: tệp rỗng; dòng đầu tiên phải là dòng tiêu đề code,name,group,email,contact_person,phone"]


def test_a_header_only_file_is_refused() -> None:
    errors = errors_of(HEADER + "\n,,,,,\n")
    assert len(errors) == 1
    assert errors[0].startswith("units.csv:1: không có đơn vị nào")


def test_formula_looking_name_is_stored_verbatim() -> None:
    [record] = parse(HEADER + "X1,\"=cmd|' /C calc'!A0\",so-ban-nganh,x1@caobang.gov.vn,@SUM(1),+84 206\n")
    assert record.name == "=cmd|' /C calc'!A0"
    assert record.contact_person == "@SUM(1)"
    assert record.phone == "+84 206"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "code không được để trống"),
        ("SỞ CT", 'code "SỞ CT" chỉ được gồm chữ cái không dấu'),
        ("A" * 41, "chỉ được gồm chữ cái không dấu"),
    ],
)
def test_bad_codes_are_refused(code: str, message: str) -> None:
    errors = errors_of(HEADER + f"{code},Sở Công Thương,so-ban-nganh,sct@caobang.gov.vn,,\n")
    assert len(errors) == 1 and errors[0].startswith("units.csv:2: ") and message in errors[0]


def test_longest_allowed_code_is_accepted() -> None:
    [record] = parse(HEADER + f"{'a.B_9-' * 6}abcd,Đơn vị,so-ban-nganh,x@caobang.gov.vn,,\n")
    assert len(record.code) == 40


def test_phone_with_letters_or_excel_number_is_refused() -> None:
    errors = errors_of(
        HEADER
        + "A1,Đơn vị A,so-ban-nganh,a@caobang.gov.vn,,0206 ext 12\n"
        + "A2,Đơn vị B,so-ban-nganh,b@caobang.gov.vn,,2.06385E+08\n"
    )
    assert errors[0] == 'units.csv:2: phone "0206 ext 12" chỉ được gồm chữ số, khoảng trắng và + . - ( )'
    assert errors[1].startswith('units.csv:3: phone "2.06385E+08"') and "hãy định dạng cột là Text" in errors[1]


def test_phone_punctuation_is_allowed() -> None:
    [record] = parse(HEADER + "A1,Đơn vị A,so-ban-nganh,a@caobang.gov.vn,,(+84) 206.385-2123\n")
    assert record.phone == "(+84) 206.385-2123"


def test_all_errors_are_collected_and_nothing_partial_returned() -> None:
    errors = errors_of(
        HEADER
        + "SCT,Sở Công Thương,so-ban-nganh,sct@caobang.gov.vn,,\n"
        + "SYT,,so-ban-nganh,syt@caobang.gov.vn,,\n"
        + "STC,Sở Tài chính,,stc@@caobang.gov.vn,,\n"
        + "SCT,Sở Công Thương,so-ban-nganh,sct@caobang.gov.vn,,\n"
    )
    assert [e.split(": ", 1)[0] for e in errors] == ["units.csv:3", "units.csv:4", "units.csv:4", "units.csv:5"]
    assert "name không được để trống" in errors[0]
    assert "group không được để trống" in errors[1]
    assert 'email "stc@@caobang.gov.vn"' in errors[2]


def test_quoted_cell_over_two_lines_keeps_the_line_of_its_start() -> None:
    text = HEADER + 'A1,"Đơn vị\nhai dòng",so-ban-nganh,a@caobang.gov.vn,,\nA2,Đơn vị B,so-ban-nganh,bad-email,,\n'
    errors = errors_of(text)  # the name on two lines is refused (a name is one line), at the line it starts on
    assert len(errors) == 2 and errors[0].startswith("units.csv:2: name có ký tự điều khiển U+000A (xuống dòng)")
    assert errors[1].startswith('units.csv:4: email "bad-email"')


def test_trailing_empty_columns_are_ignored_when_empty_everywhere() -> None:
    [record] = parse(HEADER.rstrip("\n") + ",,\nA1,Đơn vị A,so-ban-nganh,a@caobang.gov.vn,,,,\n")
    assert record.code == "A1"
    errors = errors_of(HEADER.rstrip("\n") + ",\nA1,Đơn vị A,so-ban-nganh,a@caobang.gov.vn,,,ghi chú\n")
    assert errors[0].startswith("units.csv:1: cột 7 có giá trị nhưng không có tên cột")


def test_semicolon_separated_file_gets_a_hint() -> None:
    errors = errors_of("code;name;group;email\nA1;Đơn vị A;so-ban-nganh;a@caobang.gov.vn\n")
    assert errors == ["units.csv:1: các cột được phân cách bằng dấu chấm phẩy (;); hãy lưu lại tệp với các cột phân cách "
                      "bằng dấu phẩy (CSV)"]


def test_crlf_line_endings_and_surrounding_spaces_are_accepted() -> None:
    [record] = parse(HEADER.replace("\n", "\r\n") + "  A1 , Đơn vị A\u00a0, so-ban-nganh ,  a@caobang.gov.vn ,,\r\n")
    assert (record.code, record.name, record.email) == ("A1", "Đơn vị A", "a@caobang.gov.vn")


def test_an_unknown_group_is_reported_once_with_the_lines_that_use_it() -> None:
    errors = errors_of(HEADER + "A,Đơn vị A,ban-qlda,a@caobang.gov.vn,,\nB,Đơn vị B,so-ban-nganh,b@caobang.gov.vn,,\n"
                       "C,Đơn vị C,ban-qlda,c@caobang.gov.vn,,\nD,Đơn vị D,ban-qlda,d@caobang.gov.vn,,\n")
    assert len(errors) == 1
    assert errors[0].startswith('units.csv:2: không có nhóm "ban-qlda" (dòng 2, 4, 5); các nhóm hiện có: ')
    assert "--create-groups" in errors[0]


def test_create_groups_takes_an_unknown_group_code_as_a_new_group() -> None:
    text = HEADER + "A,Đơn vị A,ban-qlda,a@caobang.gov.vn,,\nB,Đơn vị B,Ban QLDA mới,b@caobang.gov.vn,,\n"
    with pytest.raises(DirectoryImportError) as caught:
        parse_units_csv(text.encode(), "units.csv", DEFAULT_GROUPS, create_groups=True)
    assert caught.value.errors == [caught.value.errors[0]]
    assert caught.value.errors[0].startswith('units.csv:3: không tạo được nhóm "Ban QLDA mới": mã nhóm gồm')
    records = parse_units_csv((HEADER + "A,Đơn vị A,ban-qlda,a@caobang.gov.vn,,\n").encode(), "units.csv",
                              DEFAULT_GROUPS, create_groups=True)
    assert [r.group for r in records] == ["ban-qlda"]


@pytest.mark.parametrize(("cell", "where", "name"), [
    ("Sở\x00Y tế", "units.csv:2:7", "U+0000 (NUL)"),
    ('"Sở\tY tế"', "units.csv:2:8", "U+0009 (TAB)"),
    ("Sở\x1bY tế", "units.csv:2:7", "U+001B (ESC)"),
    ("Sở\x85Y tế", "units.csv:2:7", "U+0085 không được có"),
    ("Sở\x7fY tế", "units.csv:2:7", "U+007F (DEL)"),
], ids=["nul", "quoted-tab", "esc", "c1-nel", "del"])
def test_control_characters_are_refused_with_line_and_column(cell: str, where: str, name: str) -> None:
    errors = errors_of(HEADER + f"SYT,{cell},so-ban-nganh,syt@caobang.gov.vn,,\n")
    assert any(e.startswith(f"{where}: ký tự điều khiển {name}") for e in errors), errors


def test_an_unknown_header_names_the_accepted_headers_and_still_checks_the_rows() -> None:
    errors = errors_of("code,ten,group,email\nSCT,Sở Công Thương,so-ban-nganh,sct@\n,x,nhom-la,a@b.vn\n")
    assert errors[0].startswith('units.csv:1: thiếu cột name; không có cột "ten"')
    assert "các tên cột hợp lệ: code, name, group, email, contact_person, phone" in errors[0]
    assert any(e.startswith('units.csv:2: email "sct@"') for e in errors), errors
    assert "units.csv:3: code không được để trống" in errors
    assert any(e.startswith('units.csv:3: không có nhóm "nhom-la"') for e in errors), errors

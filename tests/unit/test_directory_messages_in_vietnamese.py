"""The directory import (`ykien directory import`, the "Danh bạ" upload) speaks Vietnamese: each sort of problem in
a CSV file is said in Vietnamese at its file:line(:column), with what the user typed (header names, codes, values,
the command to run) kept as typed, and no English left in the messages."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from email_validator import EmailNotValidError

from models import email_address
from models.directory import (
    DEFAULT_GROUPS,
    DirectoryImportError,
    check_group_code,
    check_group_label,
    parse_units_csv,
)
from models.email_address import email_problem, normalized_email

FIXTURES = Path(__file__).parents[1] / "fixtures"
HEADER = "code,name,group,email,contact_person,phone\n"
KNOWN = "; ".join(f"{code} ({label})" for code, label in DEFAULT_GROUPS.items())
ACCEPTED = ("(dòng tiêu đề phải là code,name,group,email,contact_person,phone; có thể bỏ contact_person và phone; "
            "các tên cột hợp lệ: code, name, group, email, contact_person, phone)")


def problems_of(data: bytes, filename: str = "danh-ba.csv", groups: dict[str, str] | None = None,
                create_groups: bool = False) -> list[str]:
    with pytest.raises(DirectoryImportError) as caught:
        parse_units_csv(data, filename, DEFAULT_GROUPS if groups is None else groups, create_groups)
    return caught.value.errors


def fixture(name: str) -> tuple[bytes, str]:
    return (FIXTURES / name).read_bytes(), name


def typed(text: str) -> tuple[bytes, str]:
    return text.encode("utf-8"), "danh-ba.csv"


# (the sort, the file and its name, every problem said) for each sort of problem the import finds.
SORTS: list[tuple[str, tuple[bytes, str], list[str]]] = [
    ("bad_email", fixture("units_bad_email.csv"), [
        'units_bad_email.csv:3: email "sct@" không phải địa chỉ email hợp lệ: không có gì sau dấu @',
    ]),
    ("duplicate_code", fixture("units_duplicate_codes.csv"), [
        'units_duplicate_codes.csv:4: mã "SKHCN-VP" bị lặp (đã có ở dòng 2)',
    ]),
    ("missing_column", fixture("units_missing_column.csv"), [
        f"units_missing_column.csv:1: thiếu cột email {ACCEPTED}",
    ]),
    ("unknown_group", fixture("units_unknown_group.csv"), [
        f'units_unknown_group.csv:3: không có nhóm "ban-quan-ly-du-an"; các nhóm hiện có: {KNOWN} '
        "(hãy thêm nhóm bằng `ykien directory groups add`, hoặc nhập lại với --create-groups)",
    ]),
    # Excel's "CSV (Comma delimited)" on a Vietnamese Windows (Windows-1258): "ò" is "o" and the byte CC.
    ("not_utf8", (HEADER.encode() + b"PHC,Pho\xccng Ha\xccnh chi\xecnh,don-vi-thuoc-so,phc@skhcn.gov.vn,,\n",
                  "danh-ba.csv"), [
        "danh-ba.csv:2: không phải văn bản UTF-8 (byte 0xCC không đọc được); hãy lưu lại tệp bằng bảng mã UTF-8 "
        '(trong Excel: Save As, chọn kiểu tệp "CSV UTF-8 (Comma delimited)")',
    ]),
    ("empty_file", typed("\n \n"), [
        "danh-ba.csv:1: tệp rỗng; dòng đầu tiên phải là dòng tiêu đề code,name,group,email,contact_person,phone",
    ]),
    ("header_only", typed(HEADER), [
        "danh-ba.csv:1: không có đơn vị nào: tệp chỉ có dòng tiêu đề; hãy ghi mỗi đơn vị một dòng bên dưới",
    ]),
    ("surplus_values", typed(HEADER + "X1,Xã A,Ủy ban nhân dân các xã, phường,a@xa.gov.vn,,\n"), [
        "danh-ba.csv:2: có 7 giá trị nhưng dòng tiêu đề chỉ có 6 cột (hãy đặt giá trị có dấu phẩy trong ngoặc kép)",
    ]),
    ("control_characters", typed(HEADER + "SYT,Sở\tY tế,so-ban-nganh,syt@caobang.gov.vn,,\n"
                                          "STC,Sở Tài\x85chính,so-ban-nganh,stc@caobang.gov.vn,,\n"), [
        "danh-ba.csv:2:7: ký tự điều khiển U+0009 (TAB) không được có trong tệp; hãy xóa ký tự này (ký tự này "
        "thường bị dính vào khi sao chép từ chương trình khác)",
        "danh-ba.csv:3:11: ký tự điều khiển U+0085 không được có trong tệp; hãy xóa ký tự này (ký tự này "
        "thường bị dính vào khi sao chép từ chương trình khác)",
    ]),
    ("unreadable_csv", typed(HEADER + "A1,Đơn vị A,so-ban-nganh,a@caobang.gov.vn,,\nA2,\"" + "x" * 140_000 + "\n"), [
        "danh-ba.csv:3: không đọc được CSV từ dòng này: có một giá trị dài quá 131072 ký tự (thường do một dấu ngoặc "
        "kép mở mà không đóng)",
    ]),
    # the quote opens on the first unit's line and swallows the rest: the line named is where it opened, and no
    # "không có đơn vị nào" follows, as if the file had none
    ("quote_never_closed", typed(HEADER + 'A1,"Đơn vị A,so-ban-nganh,a@caobang.gov.vn,,\n'
                                          "A2,Đơn vị B,so-ban-nganh,b@caobang.gov.vn,,\n" + "x" * 140_000), [
        "danh-ba.csv:2: không đọc được CSV từ dòng này: có một giá trị dài quá 131072 ký tự (thường do một dấu ngoặc "
        "kép mở mà không đóng)",
    ]),
    ("quote_never_closed_in_the_header", typed('"code,name,group,email\n' + "x" * 140_000), [
        "danh-ba.csv:1: không đọc được CSV từ dòng này: có một giá trị dài quá 131072 ký tự (thường do một dấu ngoặc "
        "kép mở mà không đóng)",
    ]),
    ("semicolons", typed("code;name;group;email\nA1;Đơn vị A;so-ban-nganh;a@caobang.gov.vn\n"), [
        "danh-ba.csv:1: các cột được phân cách bằng dấu chấm phẩy (;); hãy lưu lại tệp với các cột phân cách bằng "
        "dấu phẩy (CSV)",
    ]),
    ("tabs", typed("code\tname\tgroup\temail\nA1\tĐơn vị A\tso-ban-nganh\ta@caobang.gov.vn\n"), [
        "danh-ba.csv:1: các cột được phân cách bằng dấu tab; hãy lưu lại tệp với các cột phân cách bằng dấu phẩy "
        "(CSV)",
    ]),
    ("bad_header", typed("code,ten,group,fax,Code,\nSCT,Sở Công Thương,so-ban-nganh,1,x,ghi chú\n"), [
        f'danh-ba.csv:1: thiếu cột name và email; không có cột "ten"; không có cột "fax"; cột "Code" bị lặp; '
        f"cột 6 có giá trị nhưng không có tên cột {ACCEPTED}",
    ]),
    ("empty_values", typed(HEADER + ",,,,Văn thư,0206\n"), [
        "danh-ba.csv:2: code không được để trống",
        "danh-ba.csv:2: name không được để trống",
        f"danh-ba.csv:2: group không được để trống; các nhóm hiện có: {KNOWN}",
        "danh-ba.csv:2: email không được để trống",
    ]),
    ("bad_code", typed(HEADER + "SỞ CT,Sở Công Thương,so-ban-nganh,sct@caobang.gov.vn,,\n"), [
        'danh-ba.csv:2: code "SỞ CT" chỉ được gồm chữ cái không dấu A-Z, chữ số, "_", "." và "-" (tối đa 40 ký tự)',
    ]),
    ("bad_phone", typed(HEADER + "A1,Đơn vị A,so-ban-nganh,a@caobang.gov.vn,,0206 máy lẻ 12\n"
                                 "A2,Đơn vị B,so-ban-nganh,b@caobang.gov.vn,,2.06385E+08\n"), [
        'danh-ba.csv:2: phone "0206 máy lẻ 12" chỉ được gồm chữ số, khoảng trắng và + . - ( )',
        'danh-ba.csv:3: phone "2.06385E+08" chỉ được gồm chữ số, khoảng trắng và + . - ( ) (Excel đã đổi số điện '
        "thoại thành số dạng khoa học: hãy định dạng cột là Text rồi nhập lại)",
    ]),
]

# A group the file names that `--create-groups` cannot create, and a database with no group yet: (the sort, the
# file, the known groups, `create_groups`, every problem said).
GROUP_SORTS: list[tuple[str, tuple[bytes, str], dict[str, str], bool, list[str]]] = [
    ("group_cannot_be_created", typed(HEADER + "A,Đơn vị A,Ban QLDA mới,a@caobang.gov.vn,,\n"
                                               "B,Đơn vị B,Ban QLDA mới,b@caobang.gov.vn,,\n"), DEFAULT_GROUPS, True, [
        'danh-ba.csv:2: không tạo được nhóm "Ban QLDA mới" (dòng 2, 3): mã nhóm gồm 1 đến 60 ký tự, chỉ dùng chữ '
        'thường không dấu a-z, chữ số 0-9 và "-", "_", ".", bắt đầu bằng chữ cái hoặc chữ số; các nhóm hiện có: '
        f"{KNOWN}",
    ]),
    ("no_group_yet", typed(HEADER + "A,Đơn vị A,ban-qlda,a@caobang.gov.vn,,\n"), {}, False, [
        'danh-ba.csv:2: không có nhóm "ban-qlda"; các nhóm hiện có: (chưa có nhóm nào) (hãy thêm nhóm bằng '
        "`ykien directory groups add`, hoặc nhập lại với --create-groups)",
    ]),
]

# What email_validator refuses, and why, in the words the import uses after 'email "…" không phải địa chỉ email
# hợp lệ: '.
EMAILS = [
    ("sct@", "không có gì sau dấu @"),
    ("@caobang.gov.vn", "không có gì trước dấu @"),
    ("sct.caobang.gov.vn", "thiếu dấu @"),
    ("sct@caobang", "phần sau dấu @ thiếu dấu chấm (ví dụ caobang.gov.vn)"),
    ("sct..vp@caobang.gov.vn", "có hai dấu chấm liền nhau"),
    (".sct@caobang.gov.vn", "không được bắt đầu bằng dấu chấm"),
    ("sct.@caobang.gov.vn", "không được có dấu chấm ngay trước dấu @"),
    ("sct@-caobang.gov.vn", "không được có dấu gạch ngang ngay sau dấu @"),
    ("sct@caobang.gov.vn.", "không được kết thúc bằng dấu chấm"),
    ("sct@caobang-.gov.vn", "có dấu chấm và dấu gạch ngang đứng liền nhau"),
    ("văn phòng@caobang.gov.vn", "phần trước dấu @ có ký tự không hợp lệ: dấu cách"),
    ("sct@caobang_gov.vn", "phần sau dấu @ có ký tự không hợp lệ: '_'"),
    ("sct\u00a0vp@caobang.gov.vn", "phần trước dấu @ không được có chữ có dấu hay ký tự ngoài bảng mã ASCII: U+00A0"),
    ("sct＠caobang.gov.vn", "có dấu ＠ (toàn khổ) thay cho dấu @"),
    ("Sở Công Thương <sct@caobang.gov.vn>", "chỉ ghi địa chỉ email, không ghi kèm tên hay dấu < >"),
    ("sct@[10.0.0.1]", "sau dấu @ phải là tên miền, không phải địa chỉ IP"),
    ("sct@caobang.123", "phần sau dấu @ không có đuôi tên miền hợp lệ (như .vn, .com)"),
    ("sct@caobang.test", "phần sau dấu @ là tên miền dành riêng, không dùng được cho thư điện tử"),
    ("sct@xn--abc.vn", "phần sau dấu @ không phải tên miền hợp lệ"),
    # the envelope is ASCII: an accented name before the @ would be refused at every sending (SMTPUTF8)
    ("nguyễn.văn@caobang.gov.vn", "phần trước dấu @ không được có chữ có dấu hay ký tự ngoài bảng mã ASCII: 'ă', 'ễ'"),
    ("sct@" + "a" * 70 + ".vn", "sau dấu @, mỗi phần giữa hai dấu chấm chỉ được dài tối đa 63 ký tự (thừa 7 ký tự)"),
]


def email_messages(address: str) -> list[str]:
    return problems_of(typed(f'{HEADER}SCT,Sở Công Thương,so-ban-nganh,"{address}",,\n')[0])


def group_messages() -> list[str]:
    said = [check_group_code("Ban QLDA")]
    said += [check_group_label(label)[1] for label in ("   ", "Ban\x01QLDA", "B" * 201)]
    return [message for message in said if message is not None]


@pytest.mark.parametrize(("file", "messages"), [(file, messages) for _, file, messages in SORTS],
                         ids=[sort for sort, _, _ in SORTS])
def test_each_sort_of_problem_is_said_in_vietnamese_at_its_line(file: tuple[bytes, str], messages: list[str]) -> None:
    data, name = file
    assert problems_of(data, name) == messages


@pytest.mark.parametrize(("file", "groups", "create_groups", "messages"), [case[1:] for case in GROUP_SORTS],
                         ids=[case[0] for case in GROUP_SORTS])
def test_a_group_that_cannot_be_used_is_said_in_vietnamese(file: tuple[bytes, str], groups: dict[str, str],
                                                          create_groups: bool, messages: list[str]) -> None:
    data, name = file
    assert problems_of(data, name, groups, create_groups) == messages


@pytest.mark.parametrize(("address", "reason"), EMAILS, ids=[address for address, _ in EMAILS])
def test_why_an_email_is_refused_is_said_in_vietnamese(address: str, reason: str) -> None:
    assert email_messages(address) == [f'danh-ba.csv:2: email "{address}" không phải địa chỉ email hợp lệ: {reason}']


def test_a_reason_the_table_does_not_know_gives_an_example_instead_of_english(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str, check_deliverability: bool, allow_smtputf8: bool) -> None:
        raise EmailNotValidError("A reason a newer email_validator gives.")

    monkeypatch.setattr(email_address, "validate_email", refuse)
    assert email_problem("A reason a newer email_validator gives.") is None
    assert email_messages("sct@caobang.gov.vn") == [
        'danh-ba.csv:2: email "sct@caobang.gov.vn" không phải địa chỉ email hợp lệ (ví dụ vanthu@caobang.gov.vn)']


def test_a_group_code_or_label_that_cannot_be_used_is_said_in_vietnamese() -> None:
    assert group_messages() == [
        '"Ban QLDA" không phải mã nhóm hợp lệ (mã nhóm gồm 1 đến 60 ký tự, chỉ dùng chữ thường không dấu a-z, chữ '
        'số 0-9 và "-", "_", ".", bắt đầu bằng chữ cái hoặc chữ số)',
        "nhãn nhóm không được để trống",
        "nhãn nhóm có ký tự điều khiển U+0001 ở ký tự thứ 4; tên chỉ được viết trên một dòng, không có ký tự điều "
        "khiển hay ký tự vô hình (thường bị dính vào khi sao chép)",
        "nhãn nhóm dài quá 200 ký tự",
    ]


# --- no English left --------------------------------------------------------------------------------------------

# The English of the old messages. The header names (code, name, group, email, contact_person, phone) are what the
# user types and stay; so does a value as typed, in double quotes, and a group code ("mttq-doan-the").
ENGLISH = re.compile(r"\b(is|not|must|missing|unknown|duplicate|empty|already|cannot|values?|header|columns?|"
                     r"known|lines?|file|may|only|remove|allowed|valid|address|too|many)\b", re.IGNORECASE)
QUOTED = re.compile(r'"[^"]*"')


def english_in(message: str) -> list[str]:
    return ENGLISH.findall(QUOTED.sub("", message))


def everything_said() -> list[str]:
    said: list[str] = []
    for _, (data, name), _ in SORTS:
        said += problems_of(data, name)
    for _, (data, name), groups, create_groups, _ in GROUP_SORTS:
        said += problems_of(data, name, groups, create_groups)
    for address, _ in EMAILS:
        said += email_messages(address)
    return said + group_messages()


def test_no_english_is_left_in_what_the_import_says() -> None:
    said = everything_said()
    expected = [message for *_, messages in SORTS + GROUP_SORTS for message in messages]
    assert len(said) == len(expected) + len(EMAILS) + 4
    assert [(message, english_in(message)) for message in said if english_in(message)] == []
    assert all(unicodedata.is_normalized("NFC", message) for message in said)


def test_the_english_check_would_catch_the_old_messages() -> None:
    for old in ('units.csv:3: email "sct@" is not a valid address: There must be something after the @-sign.',
                'units.csv:4: duplicate code "SKHCN-VP", already on line 2',
                "units.csv:1: missing column email (the header must be code,name,group,email,contact_person,phone)",
                'units.csv:3: unknown group "ban-quan-ly-du-an"; known groups: (none)',
                'units.csv:2: not UTF-8 (byte 0xE9); save the file as UTF-8 (in Excel: Save As > "CSV UTF-8")',
                "units.csv:1: file is empty; the first line must be the header code,name,group,email",
                "units.csv:2: 7 values, but the header has 6 columns (put a value that contains a comma in double "
                "quotes)",
                "units.csv:2:7: control character U+0009 (TAB) is not allowed; remove it",
                "units.csv:2: cannot read CSV: field larger than field limit (131072)",
                "units.csv:1: the columns are separated by semicolons; save the file with commas (CSV)",
                "units.csv:1: column 3 has values but no name", "units.csv:2: code is empty",
                "units.csv:2: email is empty", "the group label is longer than 200 characters",
                'units.csv:3: group "x y" cannot be created (lines 3, 4)',
                "units.csv:1: không có đơn vị nào: the file has a header but no unit (no units in the file)",
                'units.csv:2: email "a b@x.vn" không phải địa chỉ email hợp lệ: The email address contains invalid '
                "characters before the @-sign: SPACE."):
        assert english_in(old), old


def test_a_vietnamese_domain_is_kept_as_mail_servers_write_it() -> None:
    assert normalized_email("VanThu@Sở.vn") == "VanThu@xn--s-lym.vn"
    assert normalized_email("vanthu@CaoBang.gov.vn") == "vanthu@caobang.gov.vn"

"""`round create` and `round edit` refuse the contact and signer the web's create form refuses (a blank name, a phone
number that is not one: service/round_contact.py), and `round respond` names a wrong --comment by its option and
number ("--comment 2: …"), as every other CLI error names its option; each exit 2, nothing written."""
from __future__ import annotations

import sqlite3

import pytest

from models import limits
from tests.e2e.conftest import Cli

CREATE = ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
          "--signer-name", "Nông Thị Thanh Huyền", "--group", "so-ban-nganh"]
CONTACT = ["--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290"]
PHONE_RULE = "Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (từ 6 đến 40 ký tự)."


def refused(cli: Cli, *args: str, code: str) -> str:
    before = cli.snapshot()
    as_json = cli(*args, "--json", expect=2).json
    assert as_json["error"]["code"] == code, as_json
    said = cli(*args, expect=2)
    assert said.out == "" and said.err.startswith("Lỗi: ") and "Traceback" not in said.err, said
    assert cli.snapshot() == before
    return said.err.removeprefix("Lỗi: ").strip()


@pytest.mark.parametrize(("contact", "code", "said"), [
    (["--contact-name", "", "--contact-phone", "0912130290"], "missing_field",
     "--contact-name: Nhập họ tên người liên hệ."),
    (["--contact-name", "   ", "--contact-phone", "0912130290"], "missing_field",
     "--contact-name: Nhập họ tên người liên hệ."),
    (["--contact-name", "Ông Phạm Phi Long", "--contact-phone", "abc"], "bad_phone",
     f'--contact-phone: "abc" không phải số điện thoại. {PHONE_RULE}'),
    (["--contact-name", "Ông Phạm Phi Long", "--contact-phone", "  "], "bad_phone", f"--contact-phone: {PHONE_RULE}"),
    (["--contact-name", "Ông Phạm Phi Long", "--contact-phone", "12345"], "bad_phone",
     f'--contact-phone: "12345" không phải số điện thoại. {PHONE_RULE}'),
    (["--contact-name", "Ông Phạm Phi Long", "--contact-phone", "(---)"], "bad_phone",
     f'--contact-phone: "(---)" không phải số điện thoại. {PHONE_RULE}'),
    (["--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0" * (limits.PHONE + 1)], "bad_phone",
     f'--contact-phone: "{"0" * (limits.PHONE + 1)}" không phải số điện thoại. {PHONE_RULE}'),
], ids=["name-empty", "name-spaces", "phone-letters", "phone-spaces", "phone-short", "phone-no-digit", "phone-long"])
def test_create_refuses_the_contact_the_web_form_refuses(cli: Cli, contact: list[str], code: str, said: str) -> None:
    assert refused(cli, *CREATE, *contact, code=code) == said


def test_create_takes_a_phone_as_the_web_form_does_and_keeps_it_trimmed(cli: Cli) -> None:
    cli(*CREATE, "--contact-name", "  Ông Phạm Phi Long ", "--contact-phone", " +84 (206) 3852.202 ")
    connection = sqlite3.connect(cli.database)
    try:
        kept = connection.execute("SELECT contact_name, contact_phone FROM rounds WHERE id = 1").fetchone()
    finally:
        connection.close()
    assert kept == ("Ông Phạm Phi Long", "+84 (206) 3852.202"), kept


def test_edit_refuses_what_create_refuses_for_the_options_given(cli: Cli) -> None:
    cli(*CREATE, *CONTACT)
    assert refused(cli, "round", "edit", "1", "--contact-name", " ", code="missing_field") == (
        "--contact-name: Nhập họ tên người liên hệ.")
    assert refused(cli, "round", "edit", "1", "--signer-name", "", code="missing_field") == (
        "--signer-name: Nhập họ tên người ký.")
    assert refused(cli, "round", "edit", "1", "--contact-phone", "không có", code="bad_phone") == (
        f'--contact-phone: "không có" không phải số điện thoại. {PHONE_RULE}')
    assert cli("round", "edit", "1", "--contact-phone", "0206 3852 202", "--json").json["changed"] == [
        "contact_phone"]


def test_a_wrong_comment_is_named_by_its_option_and_number(cli: Cli) -> None:
    cli(*CREATE, *CONTACT)
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")
    long_text = "x" * (limits.COMMENT + 1)
    long_section = "M" * (limits.SECTION + 1)
    both = refused(cli, "round", "respond", "1", "SCT", "--comment", "Mục I::Bổ sung chỉ tiêu",
                   "--comment", f"Mục II::{long_text}", "--comment", f"{long_section}::Bổ sung kinh phí",
                   code="answer_invalid")
    assert both == ("--comment 2: nội dung góp ý dài 20.001 ký tự, tối đa 20.000; "
                    "--comment 3: mục/phần dài 201 ký tự, tối đa 200."), both
    wording = refused(cli, "round", "respond", "1", "SCT", "--comment", f"Mục I::Bổ sung::{long_text}",
                      code="answer_invalid")
    assert wording == "--comment 1: đề xuất sửa đổi dài 20.001 ký tự, tối đa 20.000.", wording

"""`round edit` checks the contact and signer where the edit changes them (rounds.check_new_round, the one place every
create and edit passes): a draft kept with a phone the rule now refuses, made before it, has its title edited; a new
wrong value is refused, exit 2 naming the option, nothing written."""
from __future__ import annotations

import sqlite3

from tests.e2e.conftest import Cli

CREATE = ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
          "--signer-name", "Nông Thị Thanh Huyền", "--group", "so-ban-nganh", "--contact-name", "Ông Phạm Phi Long",
          "--contact-phone", "0912130290"]
PHONE_RULE = "Số điện thoại chỉ gồm chữ số, khoảng trắng và + . - ( ) (từ 6 đến 40 ký tự)."


def _kept(cli: Cli, column: str, value: str | None = None) -> str:
    connection = sqlite3.connect(cli.database)
    try:
        if value is not None:
            with connection:
                connection.execute(f"UPDATE rounds SET {column} = ? WHERE id = 1", (value,))
        return str(connection.execute(f"SELECT {column} FROM rounds WHERE id = 1").fetchone()[0])
    finally:
        connection.close()


def test_a_draft_kept_with_a_phone_the_rule_refuses_has_its_title_edited(cli: Cli) -> None:
    cli(*CREATE)
    _kept(cli, "contact_phone", "abc")
    assert cli("round", "edit", "1", "--title", "Kế hoạch đã sửa", "--json").json["changed"] == ["subject", "title"]
    assert _kept(cli, "contact_phone") == "abc"
    before = cli.snapshot()
    for option, value, code, said in (
            ("--contact-phone", "xyz", "bad_phone", f'--contact-phone: "xyz" không phải số điện thoại. {PHONE_RULE}'),
            ("--contact-name", "  ", "missing_field", "--contact-name: Nhập họ tên người liên hệ."),
            ("--signer-name", "", "missing_field", "--signer-name: Nhập họ tên người ký.")):
        refused = cli("round", "edit", "1", option, value, "--json", expect=2).json
        assert refused["error"] == {"code": code, "message": said}, refused
        plain = cli("round", "edit", "1", option, value, expect=2)
        assert plain.err.strip() == f"Lỗi: {said}" and "Traceback" not in plain.err, plain
    assert cli.snapshot() == before
    assert cli("round", "edit", "1", "--contact-phone", " 0206 3852 202 ", "--json").json["changed"] == [
        "contact_phone"]
    assert _kept(cli, "contact_phone") == "0206 3852 202"


def test_create_refuses_the_contact_before_writing_anything(cli: Cli) -> None:
    before = cli.snapshot()
    refused = cli(*CREATE[:-1], "abc", "--json", expect=2).json
    assert refused["error"] == {"code": "bad_phone",
                                "message": f'--contact-phone: "abc" không phải số điện thoại. {PHONE_RULE}'}
    assert cli.snapshot() == before

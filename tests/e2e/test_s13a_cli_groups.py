"""`round create` and `round edit` --group name a group as --publish and --inform do: its code or its label, whole or
in part, any case, with or without diacritics and punctuation; the command prints "Nhóm: <label> (<code>)", and with
--json lists what each option took ("recipients_taken") beside the keys it already had. A --group that fits several
groups or none, or is blank or too long, exits 2 naming the option, nothing written. On SQLite and PostgreSQL."""
from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, TEMPLATE_DATABASE
from tests.e2e.cli_refusals import refused
from tests.e2e.conftest import UNITS_CSV, Cli, MakeCli

BASE = ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
        "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền"]
_numbers = itertools.count(1)


@pytest.fixture(params=BACKENDS)
def any_cli(request: pytest.FixtureRequest, cli: Cli, make_cli: MakeCli, tmp_path: Path) -> Cli:
    """The CLI with the 12 units imported, on SQLite (the session's home) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return cli
    cluster = request.getfixturevalue("postgres_cluster")
    runner = make_cli(tmp_path / "pg-home")
    runner.home.mkdir()
    runner.env.update(cli.env, YKIEN_DATABASE_URL=cluster.create_database(f"s13a_{next(_numbers)}",
                                                                         template=TEMPLATE_DATABASE))
    runner("directory", "import", str(UNITS_CSV))
    return runner


def recipients(cli: Cli, round_id: int = 1) -> dict[str, str]:
    return {u["unit_code"]: u["role"] for u in cli("round", "show", str(round_id), "--json").json["units"]}


def test_group_takes_a_code_or_a_label_and_says_which(any_cli: Cli) -> None:
    made = any_cli(*BASE, "--group", "sở ban ngành", "--group", "XA-PHUONG",
                   "--group", unicodedata.normalize("NFD", "Ủy ban nhân dân các xã"), "--unit", "liên minh")
    assert made.out.splitlines() == [
        "Đơn vị: Liên minh Hợp tác xã tỉnh (LMHTX)", "Nhóm: Các sở, ban, ngành tỉnh (so-ban-nganh)",
        "Nhóm: Ủy ban nhân dân các xã, phường (xa-phuong)", "Đã tạo đợt số 1, hạn trả lời 05/12/2025."], made.out
    assert set(recipients(any_cli).values()) == {"comment"}
    assert {"SYT", "X-HOAAN", "P-TANGIANG", "LMHTX"} <= set(recipients(any_cli)) and "TTTT-VP" not in recipients(any_cli)


def test_json_says_what_each_option_took_beside_the_keys_it_had(any_cli: Cli) -> None:
    made = any_cli(*BASE, "--group", "so ban nganh", "--unit", "SYT", "--unit", "sở y tế", "--publish", "báo chí",
                   "--inform", "TTTT-VP", "--json").json
    assert {"id", "deadline", "empty_groups"} <= set(made) and made["id"] == 1
    assert made["recipients_taken"] == [
        {"option": "--unit", "typed": "SYT", "code": "SYT", "name": "Sở Y tế", "kind": "unit"},
        {"option": "--group", "typed": "so ban nganh", "code": "so-ban-nganh",
         "name": "Các sở, ban, ngành tỉnh", "kind": "group"},
        {"option": "--publish", "typed": "báo chí", "code": "bao-chi", "name": "Báo chí, phát thanh truyền hình",
         "kind": "group"},
        {"option": "--inform", "typed": "TTTT-VP", "code": "TTTT-VP",
         "name": "Trung tâm Thông tin - Văn phòng UBND tỉnh", "kind": "unit"}], made
    edited = any_cli("round", "edit", "1", "--group", "Hiệp hội", "--json").json
    assert edited["changed"] and "empty_groups" in edited and edited["id"] == 1
    assert edited["recipients_taken"] == [{"option": "--group", "typed": "Hiệp hội", "code": "hiep-hoi",
                                           "name": "Hiệp hội, Liên minh HTX", "kind": "group"}], edited
    assert recipients(any_cli) == {"LMHTX": "comment"}
    assert any_cli("round", "edit", "1", "--title", "Kế hoạch khác", "--json").json["recipients_taken"] == []


def test_group_refuses_what_fits_several_or_none_naming_the_option(any_cli: Cli) -> None:
    several = refused(any_cli, *BASE, "--group", "ủy ban", code="unit_ambiguous")
    assert several == ('--group: "ủy ban" khớp nhiều nhóm. Có phải: Ủy ban MTTQ và các đoàn thể tỉnh (mttq-doan-the), '
                       "Ủy ban nhân dân các xã, phường (xa-phuong)? Nhập mã nhóm (trong ngoặc) hoặc tên đầy đủ."), several
    unit = refused(any_cli, *BASE, "--group", "Sở Y tế", code="unit_unknown")  # a unit, not a group
    assert unit == '--group: Không có nhóm nào trong danh bạ có mã hoặc tên khớp "Sở Y tế".', unit
    unknown = refused(any_cli, *BASE, "--group", "nhom-khong-co", code="unit_unknown")
    assert unknown == '--group: Không có nhóm nào trong danh bạ có mã hoặc tên khớp "nhom-khong-co".', unknown
    blank = refused(any_cli, *BASE, "--group", " , ", code="unit_unknown")
    assert blank == "--group: Nhập mã hoặc tên nhóm.", blank
    long = refused(any_cli, *BASE, "--group", "Sở" * 200, code="unit_unknown")
    assert long == f'--group: "{"Sở" * 30}… (400 ký tự)": dài 400 ký tự, tối đa 300. Nhập mã hoặc tên nhóm.', long
    many = refused(any_cli, *BASE, "--group", "n", code="unit_ambiguous")  # every group's label has an n
    offered = many.split("Có phải: ")[1].split("?")[0]
    assert offered.count("(") == 8 and not offered.endswith("hay nhóm khác") and "nhóm " not in offered, many


def test_edit_refuses_a_group_alike_and_keeps_the_draft(any_cli: Cli) -> None:
    any_cli(*BASE, "--group", "so-ban-nganh")
    before = recipients(any_cli)
    said = any_cli("round", "edit", "1", "--group", "ủy ban", "--json", expect=2).json
    assert said["error"]["code"] == "unit_ambiguous" and said["error"]["message"].startswith(
        '--group: "ủy ban" khớp nhiều nhóm. Có phải: '), said
    assert recipients(any_cli) == before

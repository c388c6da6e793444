"""`round create` and `round edit` take --unit, --publish and --inform as the other unit arguments take a unit
(cli/unit_args.py, service/directory_lookup.py): a code or a name, whole or in part, any case, with or without
diacritics, NFC or NFD, among the directory's units (--publish and --inform: and its groups, by code or label); the
command prints what it took. Several that fit are listed, none is said, each exit 2 naming the option and nothing
written. On SQLite and PostgreSQL (models/db/search_match.py). One query a value, never
the directory whole."""
from __future__ import annotations

import itertools
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import event

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
    runner.env.update(cli.env, YKIEN_DATABASE_URL=cluster.create_database(f"s12a_{next(_numbers)}",
                                                                         template=TEMPLATE_DATABASE))
    runner("directory", "import", str(UNITS_CSV))
    return runner


def recipients(cli: Cli, round_id: int = 1) -> dict[str, str]:
    return {u["unit_code"]: u["role"] for u in cli("round", "show", str(round_id), "--json").json["units"]}


def test_create_takes_units_and_groups_by_code_or_name_and_says_which(any_cli: Cli) -> None:
    made = any_cli(*BASE, "--unit", "so y te", "--unit", unicodedata.normalize("NFD", "SỞ TƯ PHÁP"),
                   "--unit", "sct", "--publish", "trung tâm thông tin", "--inform", "HIỆP HỘI", "--inform", "ubnd-tinh")
    assert made.out.splitlines() == [
        "Đơn vị: Sở Y tế (SYT)", "Đơn vị: Sở Tư pháp (STP)", "Đơn vị: Sở Công Thương (SCT)",
        "Đơn vị: Trung tâm Thông tin - Văn phòng UBND tỉnh (TTTT-VP)",
        "Nhóm: Hiệp hội, Liên minh HTX (hiep-hoi)", "Nhóm: UBND tỉnh và Văn phòng UBND tỉnh (ubnd-tinh)",
        "Đã tạo đợt số 1, hạn trả lời 05/12/2025."], made.out
    assert recipients(any_cli) == {"SYT": "comment", "STP": "comment", "SCT": "comment", "TTTT-VP": "publish",
                                   "LMHTX": "inform"}


def test_create_refuses_a_value_that_fits_several_or_none_naming_the_option(any_cli: Cli) -> None:
    two = refused(any_cli, *BASE, "--unit", "sở t", code="unit_ambiguous")
    assert two == ('--unit: "sở t" khớp nhiều đơn vị. Có phải: Sở Tài chính (STC), Sở Tư pháp (STP)? Nhập mã đơn vị '
                   "(trong ngoặc) hoặc tên đầy đủ."), two
    mixed = refused(any_cli, *BASE, "--unit", "SCT", "--inform", "ủy ban", code="unit_ambiguous")
    assert mixed == ('--inform: "ủy ban" khớp nhiều đơn vị và nhóm. Có phải: Ủy ban nhân dân phường Tân Giang '
                     "(P-TANGIANG), Ủy ban nhân dân xã Bảo Lạc (X-BAOLAC), Ủy ban nhân dân xã Hòa An (X-HOAAN), "
                     "nhóm Ủy ban MTTQ và các đoàn thể tỉnh (mttq-doan-the), nhóm Ủy ban nhân dân các xã, phường "
                     "(xa-phuong)? Nhập mã (trong ngoặc) hoặc tên đầy đủ."), mixed
    many = refused(any_cli, *BASE, "--unit", "o", code="unit_ambiguous")  # all 12 units fit
    offered = many.split("Có phải: ")[1].split("?")[0]
    assert offered.count("(") == 10 and offered.endswith(" hay đơn vị khác"), many
    none = refused(any_cli, *BASE, "--unit", "Sở Ngoại vụ", code="unit_unknown")
    assert none == '--unit: Không có đơn vị nào trong danh bạ có mã hoặc tên khớp "Sở Ngoại vụ".', none
    group_as_unit = refused(any_cli, *BASE, "--unit", "hiep-hoi", code="unit_unknown")  # --unit takes units only
    assert group_as_unit == '--unit: Không có đơn vị nào trong danh bạ có mã hoặc tên khớp "hiep-hoi".', group_as_unit
    nothing = refused(any_cli, *BASE, "--unit", "SCT", "--publish", "xyz", code="unit_unknown")
    assert nothing == '--publish: Không có đơn vị hay nhóm nào trong danh bạ có mã hoặc tên khớp "xyz".', nothing
    blank = refused(any_cli, *BASE, "--unit", "  ", code="unit_unknown")
    assert blank == "--unit: Nhập mã hoặc tên đơn vị.", blank
    long = refused(any_cli, *BASE, "--unit", "SCT", "--inform", "Sở" * 200, code="unit_unknown")
    assert long == f'--inform: "{"Sở" * 30}… (400 ký tự)": dài 400 ký tự, tối đa 300. Nhập mã hoặc tên đơn vị hay nhóm.', long


def test_edit_takes_recipients_as_create_and_refuses_alike(any_cli: Cli) -> None:
    any_cli(*BASE, "--group", "so-ban-nganh")
    edited = any_cli("round", "edit", "1", "--unit", "xây dựng", "--inform", "lien minh hop tac")
    assert edited.out.splitlines() == ["Đơn vị: Sở Xây dựng (SXD)", "Đơn vị: Liên minh Hợp tác xã tỉnh (LMHTX)",
                                       "Đã sửa đợt số 1: nơi nhận."], edited.out
    assert recipients(any_cli) == {"SXD": "comment", "LMHTX": "inform"}
    before = any_cli.snapshot() if any_cli.database.exists() else None
    several = any_cli("round", "edit", "1", "--publish", "sở", "--json", expect=2).json
    assert several["error"]["code"] == "unit_ambiguous" and several["error"]["message"].startswith(
        '--publish: "sở" khớp nhiều đơn vị và nhóm. Có phải: '), several
    assert recipients(any_cli) == {"SXD": "comment", "LMHTX": "inform"}
    if before is not None:
        assert any_cli.snapshot() == before


def test_a_value_is_one_query_on_the_directory_never_all_of_it(cli: Cli) -> None:
    from config.settings import load_settings
    from workflows.cli.unit_args import chosen_recipients
    from workflows.service.app import build_app

    app = build_app(load_settings(home=cli.home, database_url=f"sqlite:///{cli.database}", smtp_url=None, now=None,
                                  calendar_file=None))
    seen: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        chosen = chosen_recipients(app, ["so y te", "hiep hoi", "TTTT-VP"], "--inform", groups=True)
    finally:
        event.remove(app.engine, "before_cursor_execute", record)
        app.close()
    assert [c.code for c in chosen] == ["SYT", "hiep-hoi", "TTTT-VP"]
    selects = [s for s in seen if s.upper().startswith("SELECT")]
    assert len(selects) == 3 and all("LIMIT" in s.upper() for s in selects), seen
    with sqlite3.connect(cli.database) as connection:
        assert connection.execute("SELECT count(*) FROM units").fetchone()[0] == 12

"""A round's unit named on the command line as the web's unit fields take one (service/unit_lookup.py): its code or
its name, whole or in part, any case, with or without diacritics, NFC or NFD; the command prints the unit it took
and --json carries its code; several that fit are listed (up to 10) and none is said, each exit 2 naming the
argument, nothing written. On SQLite and PostgreSQL (models/db/search_match.py)."""
from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import pytest
from letter_inputs import WORKSHOP_PLACE, give_letter_inputs
from minimal_pdf import minimal_pdf

from tests.conftest import BACKENDS, TEMPLATE_DATABASE
from tests.e2e.conftest import UNITS_CSV, Cli, MakeCli
from tests.e2e.test_cli_follow_up import returned, units

CREATE = ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
          "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền", "--group", "so-ban-nganh", "--group", "xa-phuong",
          "--group", "hiep-hoi", "--inform", "TTTT-VP"]
# A unit whose code is part of another's name and code (X-HOAAN, "xã Hòa An"): the code must win.
HOA_CSV = "code,name,group,email,contact_person,phone\nHOA,Hội Nông dân tỉnh,hiep-hoi,hoa@caobang.example.vn,,\n"
_numbers = itertools.count(1)


@pytest.fixture(params=BACKENDS)
def round_cli(request: pytest.FixtureRequest, cli: Cli, make_cli: MakeCli, tmp_path: Path) -> Cli:
    """A CLI on SQLite (the session's home) or on a fresh PostgreSQL database, the 12 units and HOA imported,
    round 1 launched to 12 units asked to answer and TTTT-VP informed."""
    runner = cli
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        runner = make_cli(tmp_path / "pg-home")
        runner.home.mkdir()
        runner.env.update(cli.env, YKIEN_DATABASE_URL=cluster.create_database(f"s11a_{next(_numbers)}",
                                                                             template=TEMPLATE_DATABASE))
        runner("directory", "import", str(UNITS_CSV))
    extra = tmp_path / "hoa.csv"
    extra.write_text(HOA_CSV, encoding="utf-8")
    runner("directory", "import", str(extra))
    runner(*CREATE)
    runner("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")
    return runner


def answers(cli: Cli) -> dict[str, str]:
    return {u["unit_code"]: u["answer"] for u in cli("round", "show", "1", "--json").json["units"]}


def refused(cli: Cli, *args: str, code: str) -> str:
    """The command stops with exit 2 and the JSON error `code`, nothing recorded; its message without --json."""
    before = answers(cli), cli("round", "audit", "1", "--json").out
    as_json = cli(*args, "--json", expect=2).json
    assert as_json["error"]["code"] == code, as_json
    said = cli(*args, expect=2)
    assert said.out == "" and "Traceback" not in said.err, said
    assert (answers(cli), cli("round", "audit", "1", "--json").out) == before
    return said.err.removeprefix("Lỗi: ").strip()


NFD = unicodedata.normalize("NFD", "SỞ Y TẾ")


@pytest.mark.parametrize(("typed", "code", "name"), [
    ("sct", "SCT", "Sở Công Thương"),  # a code in small letters
    (" STC ", "STC", "Sở Tài chính"),  # with spaces around
    (NFD, "SYT", "Sở Y tế"),  # the name in capitals, decomposed (NFD)
    ("so tu phap", "STP", "Sở Tư pháp"),  # without diacritics
    ("xây", "SXD", "Sở Xây dựng"),  # part of a name
    ("hoa", "HOA", "Hội Nông dân tỉnh"),  # the code, though "xã Hòa An" (X-HOAAN) contains it too
], ids=["code-lower", "code-spaces", "name-nfd-capitals", "no-diacritics", "part", "code-beats-name"])
def test_respond_takes_a_unit_by_code_or_name_and_says_which(round_cli: Cli, typed: str, code: str,
                                                             name: str) -> None:
    said = round_cli("round", "respond", "1", typed, "--agree")
    assert said.out.startswith(f"Đơn vị: {name} ({code})\nĐã ghi nhận trả lời của {name} ({code}): "), said.out
    assert answers(round_cli)[code] == "agree"
    again = round_cli("round", "respond", "1", typed, "--agree", "--json").json
    assert again["unit"] == code


def test_respond_refuses_a_unit_that_fits_several_or_none_naming_the_argument(round_cli: Cli) -> None:
    two = refused(round_cli, "round", "respond", "1", "sở t", "--agree", code="unit_ambiguous")
    assert two == ('UNIT: "sở t" khớp nhiều đơn vị. Có phải: Sở Tài chính (STC), Sở Tư pháp (STP)? Nhập mã đơn vị '
                   "(trong ngoặc) hoặc tên đầy đủ."), two
    many = refused(round_cli, "round", "respond", "1", "o", "--agree", code="unit_ambiguous")  # 12 units fit
    offered = many.split("Có phải: ")[1].split("?")[0]
    assert offered.count("(") == 10 and offered.endswith(" hay đơn vị khác"), many
    none = refused(round_cli, "round", "respond", "1", "Sở Ngoại vụ", "--agree", code="unit_unknown")
    assert none == ('UNIT: Không có đơn vị nào được đề nghị trả lời trong đợt này có mã hoặc tên khớp '
                    '"Sở Ngoại vụ".'), none
    informed = refused(round_cli, "round", "respond", "1", "TTTT-VP", "--agree", code="unit_unknown")
    assert informed == ("UNIT: Đơn vị \"Trung tâm Thông tin - Văn phòng UBND tỉnh\" (TTTT-VP) không được đề nghị "
                        "trả lời trong đợt này."), informed
    blank = refused(round_cli, "round", "respond", "1", "  ", "--agree", code="unit_unknown")
    assert blank == "UNIT: Nhập mã hoặc tên đơn vị.", blank
    long = refused(round_cli, "round", "respond", "1", "Sở" * 200, "--agree", code="unit_unknown")
    assert long == "UNIT: dài 400 ký tự, tối đa 300. Nhập mã hoặc tên đơn vị.", long
    decomposed = unicodedata.normalize("NFD", "Sở" * 140)  # 560 characters in NFD, 280 letters: not too long
    assert refused(round_cli, "round", "respond", "1", decomposed, "--agree", code="unit_unknown").startswith(
        "UNIT: Không có đơn vị nào được đề nghị trả lời trong đợt này có mã hoặc tên khớp \"SởSởSở")


def test_extend_and_remind_take_units_by_name_and_refuse_as_respond(round_cli: Cli) -> None:
    extended = round_cli("round", "extend", "1", "12/12/2025", "--unit", "so y te", "--reason", "Đơn vị đề nghị")
    assert extended.out.startswith("Đơn vị: Sở Y tế (SYT)\nĐã gia hạn cho Sở Y tế (SYT) đến hết ngày 12/12/2025"), \
        extended.out
    assert round_cli("round", "extend", "1", "15/12/2025", "--unit", "Hòa An", "--json").json["unit"] == "X-HOAAN"
    everyone = round_cli("round", "extend", "1", "16/12/2025", "--json").json
    assert everyone["unit"] is None
    several = refused(round_cli, "round", "extend", "1", "17/12/2025", "--unit", "sở t", code="unit_ambiguous")
    assert several.startswith('--unit: "sở t" khớp nhiều đơn vị. Có phải: Sở Tài chính (STC), Sở Tư pháp (STP)?')
    none = refused(round_cli, "round", "extend", "1", "17/12/2025", "--unit", "KHONGCO", code="unit_unknown")
    assert none.startswith("--unit: Không có đơn vị nào") and "KHONGCO" in none, none

    reminded = round_cli("round", "remind", "1", "--unit", "bảo lạc", "--unit", "TAN GIANG")
    assert reminded.out.startswith("Đơn vị: Ủy ban nhân dân xã Bảo Lạc (X-BAOLAC)\n"
                                   "Đơn vị: Ủy ban nhân dân phường Tân Giang (P-TANGIANG)\nĐã đôn đốc: 2 thư"), \
        reminded.out
    assert round_cli("round", "remind", "1", "--unit", "lien minh", "--json").json["units"] == ["LMHTX"]
    several = refused(round_cli, "round", "remind", "1", "--unit", "SCT", "--unit", "Sở", code="unit_ambiguous")
    assert several.startswith('--unit: "Sở" khớp nhiều đơn vị. Có phải: Sở Công Thương (SCT), '), several
    none = refused(round_cli, "round", "remind", "1", "--unit", "xyz", code="unit_unknown")
    assert none.startswith('--unit: Không có đơn vị nào') and '"xyz"' in none, none


WORKSHOP = ["round", "create", "--workflow", "workshop", "--title", "Hội thảo thử nghiệm", "--office", "TĐC",
            "--deadline", "12/08/2025", "--date", "event=21/08/2025", "--group", "so-ban-nganh",
            "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290", "--signer-name", "Trịnh Trường Huy"]


def test_assign_and_hand_in_take_units_by_name(cli: Cli, tmp_path: Path) -> None:
    cli.at("2025-08-01T09:00")
    cli(*WORKSHOP)
    give_letter_inputs(cli, "1", WORKSHOP_PLACE)
    cli("round", "launch", "1")
    given = cli("round", "assign", "1", "--task", "paper", "--unit", "cong thuong", "--unit", "Sở Tài")
    assert given.out.startswith("Đơn vị: Sở Công Thương (SCT)\nĐơn vị: Sở Tài chính (STC)\n"
                                "Đã giao nhiệm vụ cho 2 đơn vị"), given.out
    assert [row["unit"] for row in cli("round", "assignments", "1", "--json").json] == ["SCT", "STC"]
    before = cli.snapshot()
    for args, code, said in (
            (("--unit", "sở t"), "unit_ambiguous", '--unit: "sở t" khớp nhiều đơn vị. Có phải: Sở Tài chính (STC), '
                                                   "Sở Tư pháp (STP)?"),
            (("--unit", "Sở Ngoại vụ"), "unit_unknown", "--unit: Không có đơn vị nào trong nơi nhận của đợt này có mã "
                                                        'hoặc tên khớp "Sở Ngoại vụ".')):
        refused = cli("round", "assign", "1", "--task", "speech", *args, "--json", expect=2).json
        assert refused["error"]["code"] == code and refused["error"]["message"].startswith(said), refused
        handed = cli("round", "hand-in", "1", "--task", "paper", *args, "--field", "paper_title=Tham luận",
                     expect=2)
        assert handed.err.startswith(f"Lỗi: {said}") and handed.out == "", handed
    assert cli.snapshot() == before
    paper = tmp_path / "tham-luan.pdf"
    paper.write_bytes(minimal_pdf())
    done = cli("round", "hand-in", "1", "--unit", "so cong thuong", "--task", "paper", "--field",
               "paper_title=Giải pháp", "--attach", f"paper_file={paper}")
    assert done.out.startswith("Đơn vị: Sở Công Thương (SCT)\nĐã ghi nhận: Sở Công Thương — "), done.out


def test_follow_up_takes_units_by_name(cli: Cli, tmp_path: Path) -> None:
    returned(cli, tmp_path)
    before = cli.snapshot()
    several = cli("round", "follow-up", "1", "--deadline", "10 ngày làm việc", "--unit", "sở t", expect=2)
    assert several.err.startswith('Lỗi: --unit: "sở t" khớp nhiều đơn vị. Có phải: Sở Tài chính (STC), Sở Tư pháp '
                                  "(STP)?"), several.err
    none = cli("round", "follow-up", "1", "--deadline", "10 ngày làm việc", "--unit", "xyz", "--json", expect=2).json
    assert none["error"]["code"] == "unit_unknown" and '"xyz"' in none["error"]["message"], none
    assert cli.snapshot() == before
    made = cli("round", "follow-up", "1", "--deadline", "10 ngày làm việc", "--unit", "tu phap", "--unit", "TTTT-VP")
    assert made.out == ("Đơn vị: Sở Tư pháp (STP)\nĐơn vị: Trung tâm Thông tin - Văn phòng UBND tỉnh (TTTT-VP)\n"
                        "Đã tạo đợt số 2 (chưa phát hành).\n"), made.out
    assert units(cli, 2) == {"STP": "comment", "TTTT-VP": "publish"}

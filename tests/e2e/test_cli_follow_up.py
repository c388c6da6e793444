"""`ykien round follow-up` through the command line: once UBND tỉnh returns the draft, it creates a new round, not
launched, on the revised draft, to the same units as the old round or to the ones named by --unit; before the
return, with a unit the old round did not have, or with a date that does not exist, it is refused with one
Vietnamese line and no round is created.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

CREATE = ("round", "create", "--title", "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất giai đoạn 2026 – 2030",
          "--office", "TĐC", "--deadline", "10 ngày làm việc", "--group", "so-ban-nganh", "--group", "xa-phuong",
          "--publish", "TTTT-VP", "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền", "--json")
TEN_DAYS = "10 ngày làm việc"
TAKEN = [
        {"option": "--group", "typed": "so-ban-nganh", "code": "so-ban-nganh", "name": "Các sở, ban, ngành tỉnh",
         "kind": "group"},
        {"option": "--group", "typed": "xa-phuong", "code": "xa-phuong", "name": "Ủy ban nhân dân các xã, phường",
         "kind": "group"},
        {"option": "--publish", "typed": "TTTT-VP", "code": "TTTT-VP", "name": "Trung tâm Thông tin - Văn phòng UBND tỉnh",
         "kind": "unit"}]  # what --group and --publish took


def status(cli, round_id: int) -> str:  # type: ignore[no-untyped-def]
    return str(cli("round", "show", str(round_id), "--json").json["status"])


def units(cli, round_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The round's units, each with its role (comment, publish ...)."""
    return {u["unit_code"]: u["role"] for u in cli("round", "show", str(round_id), "--json").json["units"]}


def round_ids(cli) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(r["id"] for r in cli("round", "list", "--json").json)


def consolidated(cli) -> None:  # type: ignore[no-untyped-def]
    """Round 1 created, launched, answered by SCT, closed, its comment handled, consolidated (8/12/2025)."""
    assert cli(*CREATE).json == {"id": 1, "deadline": "2025-12-04", "empty_groups": [], "recipients_taken": TAKEN}
    cli.at("2025-11-20T09:00")
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")
    cli.at("2025-11-26T10:15")
    cli("round", "respond", "1", "SCT", "--channel", "web",
        "--comment", "Mục IV::Tách rõ nguồn ngân sách tỉnh và nguồn xã hội hóa.")
    cli.at("2025-12-08T09:00")
    cli("round", "close", "1", "--reason", "Đã đủ ý kiến để tổng hợp")
    cli("round", "handle", "1", "1", "--decision", "accepted")
    cli("round", "consolidate", "1")
    assert status(cli, 1) == "consolidated"


def returned(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Round 1 consolidated, its revised draft uploaded, submitted to UBND tỉnh, and returned by it."""
    consolidated(cli)
    document = Document()
    document.add_paragraph("Mục IV. Nguồn kinh phí: ngân sách tỉnh; xã hội hóa.")
    revised = tmp_path / "du-thao-chinh-ly.docx"
    document.save(str(revised))
    cli.at("2025-12-08T10:00")
    cli("round", "draft", "1", str(revised), "--note", "Đã tiếp thu ý kiến Sở Công Thương")
    cli("round", "submit", "1")
    assert status(cli, 1) == "submitted"
    cli("round", "decide", "1", "--returned", "--reason", "Bổ sung kinh phí thực hiện")
    assert status(cli, 1) == "returned"


def refused_in_one_line(cli, *args: str, expect: int) -> str:  # type: ignore[no-untyped-def]
    """The command exits `expect` with one Vietnamese line on stderr, no traceback, and nothing written."""
    before = cli.snapshot()
    result = cli(*args, expect=expect)
    assert "Traceback" not in result.err and "Traceback" not in result.out
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("Lỗi: "), lines[0]
    assert cli.snapshot() == before
    return lines[0]


def test_a_returned_draft_is_followed_up_by_an_unlaunched_round_to_the_same_units_or_fewer(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    returned(cli, tmp_path)
    old_units = units(cli, 1)
    assert len(old_units) == 11 and old_units["TTTT-VP"] == "publish"

    created = cli("round", "follow-up", "1", "--deadline", TEN_DAYS)
    assert created.out.strip() == "Đã tạo đợt số 2 (chưa phát hành)."
    assert "Traceback" not in created.err
    assert round_ids(cli) == [1, 2]
    second = cli("round", "show", "2", "--json").json
    assert second["status"] == "draft" and second["workflow"] == "consultation"
    assert second["deadline"] == "2025-12-22"  # Monday 08/12/2025 + 10 working days
    assert {u["unit_code"]: u["role"] for u in second["units"]} == old_units
    assert all(u["email"] == "none" for u in second["units"]), "a round not launched has sent no mail"
    assert status(cli, 1) == "returned"  # the old round stays as UBND left it
    (version,) = cli("round", "drafts", "2", "--json").json
    assert version["filename"] == "du-thao-chinh-ly.docx"  # the new round goes out on the revised draft

    fewer = cli("round", "follow-up", "1", "--deadline", TEN_DAYS, "--unit", "STP", "--json")
    assert fewer.json == {"id": 3, "units": ["STP"]}  # the units taken, by code
    assert units(cli, 3) == {"STP": "comment"}
    assert status(cli, 3) == "draft"
    assert round_ids(cli) == [1, 2, 3]


def test_follow_up_is_refused_until_ubnd_returns_the_draft(cli) -> None:  # type: ignore[no-untyped-def]
    consolidated(cli)  # comments handled, not yet submitted nor returned
    line = refused_in_one_line(cli, "round", "follow-up", "1", "--deadline", TEN_DAYS, expect=1)
    assert line == "Lỗi: Chỉ tạo đợt lấy ý kiến mới khi dự thảo bị UBND tỉnh trả lại."
    assert cli(*CREATE).json["id"] == 2  # a round never launched is no returned draft either
    refused_in_one_line(cli, "round", "follow-up", "2", "--deadline", TEN_DAYS, expect=1)
    refusal = cli("round", "follow-up", "1", "--deadline", TEN_DAYS, "--json", expect=1).json
    assert refusal["error"]["code"] == "round_not_returned"
    assert round_ids(cli) == [1, 2]


@pytest.mark.parametrize(("extra", "named"), [
    (("--deadline", TEN_DAYS, "--unit", "SCT", "--unit", "SKHCN-KHONGCO"), "SKHCN-KHONGCO"),
    (("--deadline", TEN_DAYS, "--unit", "LMHTX"), "LMHTX"),  # in the directory, not in round 1
    (("--deadline", "31/02/2025"), "--deadline"),
], ids=["unknown-unit", "unit-not-in-round", "impossible-date"])
def test_a_unit_outside_the_round_or_a_bad_deadline_is_refused_and_creates_no_round(  # type: ignore[no-untyped-def]
        cli, tmp_path, extra: tuple[str, ...], named: str) -> None:
    returned(cli, tmp_path)
    line = refused_in_one_line(cli, "round", "follow-up", "1", *extra, expect=2)
    assert named in line
    assert round_ids(cli) == [1]
    assert status(cli, 1) == "returned"

"""One number per comment: `round comments`, `round handle`, the messages that list comments and the bảng tổng
hợp number a comment alike, by its row's STT in the table (the draft's order), never by its id in the database.

The round is the demo's: Sở Công Thương comments on Mục II.2 and Mục IV (ids 1 and 2), then Sở Y tế on Mục III.1
(id 3); the table reads them in the draft's order, so Sở Y tế's comment is number 2 and its id is 3."""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from tests.e2e.conftest import Cli
from workflows.demo_drafts import PLAN_OUTLINE, write_draft

CREATE = ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
          "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền", "--group", "so-ban-nganh"]
EXPLANATION = "Nội dung đã có tại Mục V."


def consolidating_round(cli: Cli) -> None:
    """Round 1, with a draft whose parts are I to V, in consolidation with the demo's three comments."""
    draft = write_draft(cli.home.parent / "du-thao.docx", "KẾ HOẠCH", "Thử nghiệm", PLAN_OUTLINE)
    cli(*CREATE, "--draft", str(draft))
    cli("round", "launch", "1")
    cli("round", "respond", "1", "SCT", "--comment", "Mục II.2::Bổ sung chỉ tiêu ISO 9001",
        "--comment", "Mục IV::Tách rõ nguồn kinh phí")
    cli("round", "respond", "1", "SYT", "--comment", "Mục III.1::Bổ sung hỗ trợ dược liệu GACP")
    cli("round", "close", "1")


def listed(cli: Cli) -> list[tuple[int, int, str, str]]:
    """`round comments 1 --json` as (number, comment id, unit, section)."""
    return [(c["number"], c["comment_id"], c["unit_code"], c["section"])
            for c in cli("round", "comments", "1", "--json").json]


def test_round_comments_numbers_the_comments_as_the_synthesis_table_does(cli: Cli) -> None:
    consolidating_round(cli)
    assert listed(cli) == [(1, 1, "SCT", "Mục II.2"), (2, 3, "SYT", "Mục III.1"), (3, 2, "SCT", "Mục IV")]
    table = cli("round", "comments", "1").out
    assert number_column(table) == ["1", "2", "3"], table
    assert next(line for line in table.splitlines() if "Sở Y tế" in line).split("│")[1].strip() == "2", table


def number_column(table: str) -> list[str]:
    """The "Số" column of a table `rich` drew (a row whose cells wrap continues with that column empty)."""
    return [cells[1].strip() for line in table.splitlines()
            if len(cells := line.split("│")) > 2 and cells[1].strip().isdigit()]


def test_handle_records_on_the_comment_the_table_shows_at_that_number_and_says_which(cli: Cli) -> None:
    consolidating_round(cli)
    done = cli("round", "handle", "1", "2", "--decision", "not_accepted", "--explanation", EXPLANATION)
    handled = {c["unit_code"] + " " + c["section"]: c["decision"] for c in cli("round", "comments", "1", "--json").json}
    assert handled == {"SCT Mục II.2": None, "SYT Mục III.1": "not_accepted", "SCT Mục IV": None}
    assert done.out.startswith('Đã ghi cách xử lý "Không tiếp thu" cho 1 ý kiến:\n'), done.out
    assert "  số 2: Sở Y tế, Mục III.1: Bổ sung hỗ trợ dược liệu GACP\n" in done.out, done.out

    as_json = cli("round", "handle", "1", "3", "1", "--decision", "accepted", "--json").json
    assert as_json["numbers"] == [3, 1] and as_json["comments"] == [2, 1]
    assert [(c["number"], c["unit_code"], c["section"]) for c in as_json["handled"]] == [
        (3, "SCT", "Mục IV"), (1, "SCT", "Mục II.2")]

    # The bảng tổng hợp gives Sở Y tế's comment the number it was handled by, with its handling.
    out = cli.home.parent / "van-ban"
    cli("round", "documents", "1", "--out", str(out))
    sheet = load_workbook(io.BytesIO((out / "bang-tong-hop-y-kien.xlsx").read_bytes())).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)}
    assert rows[2][1] == "Sở Y tế" and str(rows[2][3]).startswith("Không tiếp thu"), rows
    assert rows[3][1] == "Sở Công Thương" and "Mục IV" in str(rows[3][2]), rows


def test_the_unhandled_comments_are_listed_by_their_numbers_in_the_table(cli: Cli, tmp_path: Path) -> None:
    consolidating_round(cli)
    documents = cli("round", "documents", "1", "--out", str(tmp_path / "a")).err
    assert "Còn 3 ý kiến chưa xử lý (số 1, 2, 3)" in documents, documents
    refused = cli("round", "consolidate", "1", "--json", expect=1).json["error"]
    assert refused["unhandled"] == [1, 2, 3] and refused["unhandled_comments"] == [1, 3, 2]

    cli("round", "handle", "1", "2", "--decision", "accepted")
    documents = cli("round", "documents", "1", "--out", str(tmp_path / "b")).err
    assert "Còn 2 ý kiến chưa xử lý (số 1, 3)" in documents, documents
    said = cli("round", "consolidate", "1", expect=1).err
    assert number_column(said) == ["1", "3"], said
    assert [c["number"] for c in cli("round", "comments", "1", "--unhandled", "--json").json] == [1, 3]


def refused_input(cli: Cli, *args: str, code: str) -> str:
    """A command that must stop with exit 2 and the JSON error `code`, writing nothing; its message."""
    before = cli.snapshot()
    assert cli(*args, "--json", expect=2).json["error"]["code"] == code
    said = cli(*args, expect=2).err
    assert said.startswith("Lỗi: ") and len(said.strip().splitlines()) == 1, said
    assert cli.snapshot() == before
    return said


def test_a_number_not_in_the_table_zero_or_repeated_is_bad_input_and_nothing_is_written(cli: Cli) -> None:
    consolidating_round(cli)
    handle = ("round", "handle", "1")
    accepted = ("--decision", "accepted")
    assert refused_input(cli, *handle, "2", "4", "7", *accepted, code="comment_unknown") == (
        "Lỗi: NUMBERS: Không có ý kiến số 4, 7 trong bảng tổng hợp của đợt này (từ 1 đến 3).\n")
    assert refused_input(cli, *handle, "2", "1", "2", *accepted, code="comment_repeated") == (
        "Lỗi: NUMBERS: Số 2 được nhập nhiều lần; mỗi ý kiến chỉ ghi một lần.\n")
    assert refused_input(cli, *handle, "0", *accepted, code="bad_number").startswith('Lỗi: NUMBERS: "0" không phải')
    before = cli.snapshot()  # a negative number comes after "--", or it is read as an option
    negative = cli(*handle, *accepted, "--json", "--", "-1", expect=2).json["error"]
    assert negative["code"] == "bad_number" and negative["message"].startswith('NUMBERS: "-1" không phải'), negative
    assert cli.snapshot() == before


def test_a_late_answer_moves_the_numbers_and_the_confirmation_names_the_comment_recorded(cli: Cli) -> None:
    """A number read before a late answer may point elsewhere after it: the command says which comment it took."""
    consolidating_round(cli)
    cli("round", "respond", "1", "STC", "--late", "--comment", "Mục I.1::Làm rõ mục đích")
    assert [(n, unit) for n, _, unit, _ in listed(cli)] == [(1, "STC"), (2, "SCT"), (3, "SYT"), (4, "SCT")]
    done = cli("round", "handle", "1", "3", "--decision", "accepted")
    assert "  số 3: Sở Y tế, Mục III.1:" in done.out, done.out


def test_numbers_a_late_answer_moved_since_the_table_was_shown_are_refused_until_it_is_shown_again(cli: Cli) -> None:
    """The clerk reads the table (3 comments), a unit answers late on Mục I.1, which comes first: every number moves.
    `round handle 1 2`, meant for Sở Y tế's comment as read, would have handled Sở Công Thương's: it is refused,
    saying what number 2 is now, and nothing is written; once the table is shown again, its numbers are taken."""
    clerk = {"YKIEN_ACTOR": "Hoàng Thị Lan"}
    consolidating_round(cli)
    cli("round", "comments", "1", **clerk)  # 1 SCT Mục II.2, 2 SYT Mục III.1, 3 SCT Mục IV
    cli("round", "respond", "1", "STC", "--late", "--comment", "Mục I.1::Làm rõ mục đích")
    before = cli.snapshot()
    refused = cli("round", "handle", "1", "2", "--decision", "accepted", expect=1, **clerk)
    assert refused.err.startswith("Lỗi: Số thứ tự trong bảng tổng hợp đã đổi từ lần bạn xem bảng lúc "), refused.err
    assert "số 2 nay là Sở Công Thương, Mục II.2: Bổ sung chỉ tiêu ISO 9001" in refused.err, refused.err
    assert "Chưa ghi gì" in refused.err and "ykien round comments 1" in refused.err, refused.err
    assert cli.snapshot() == before
    assert cli("round", "handle", "1", "2", "--decision", "accepted", "--json", expect=1, **clerk
               ).json["error"]["code"] == "numbers_moved"

    cli("round", "comments", "1", **clerk)  # 1 STC, 2 SCT Mục II.2, 3 SYT Mục III.1, 4 SCT Mục IV
    done = cli("round", "handle", "1", "3", "--decision", "accepted", **clerk)
    assert "  số 3: Sở Y tế, Mục III.1:" in done.out, done.out
    # Someone to whom no table was shown is not held to one (as before numbers were kept)
    other = cli("round", "handle", "1", "1", "--decision", "accepted", YKIEN_ACTOR="Lê Văn Minh")
    assert "  số 1: Sở Tài chính, Mục I.1:" in other.out, other.out


def test_numbers_a_late_answer_left_in_place_are_taken(cli: Cli) -> None:
    """A late comment on the last part of the draft comes after the others: the numbers read before it still name
    the same comments, and are taken as they are."""
    clerk = {"YKIEN_ACTOR": "Hoàng Thị Lan"}
    consolidating_round(cli)
    cli("round", "comments", "1", "--unhandled", **clerk)
    cli("round", "respond", "1", "STC", "--late", "--comment", "Mục V::Bổ sung tổ chức thực hiện")
    done = cli("round", "handle", "1", "2", "--decision", "accepted", **clerk)
    assert "  số 2: Sở Y tế, Mục III.1:" in done.out, done.out
    refused = cli("round", "handle", "1", "4", "--decision", "accepted", expect=1, **clerk)  # not in the table read
    assert "số 4 nay là Sở Tài chính, Mục V: Bổ sung tổ chức thực hiện" in refused.err, refused.err


def test_the_numbers_listed_by_a_refused_consolidate_are_held_like_those_of_round_comments(cli: Cli) -> None:
    clerk = {"YKIEN_ACTOR": "Hoàng Thị Lan"}
    consolidating_round(cli)
    cli("round", "consolidate", "1", expect=1, **clerk)  # lists 1, 2, 3 as unhandled
    cli("round", "respond", "1", "STC", "--late", "--comment", "Mục I.1::Làm rõ mục đích")
    refused = cli("round", "handle", "1", "3", "--decision", "accepted", expect=1, **clerk)
    assert "số 3 nay là Sở Y tế, Mục III.1" in refused.err, refused.err

"""Long text on the command line: one character over a limit of models.limits is refused with exit 2, a message
naming the option and the limit, and nothing written; the longest accepted texts, typed in NFD, go through a whole
consultation and `round documents` writes documents Word opens, with the full title in their body."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from test_cli_bad_input import create_args, rejected

from models import limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from long_text import one_line, padded, vietnamese

TITLE = vietnamese(limits.TITLE, "Kế hoạch", nfd=True)


def longest_round(*changes: str) -> list[str]:
    """`round create` with every text at its limit (`changes` replace options: the last one given wins)."""
    return create_args(
        "--group", "so-ban-nganh", "--publish", "TTTT-VP", "--title", TITLE,
        "--subject", vietnamese(limits.SUBJECT, "xin ý kiến góp ý", nfd=True),
        "--office", padded("QLKH&TĐC.", limits.OFFICE),
        "--contact-name", vietnamese(limits.PERSON_NAME, "Ông Phạm Phi Long"),
        "--contact-title", vietnamese(limits.JOB_TITLE, "Trưởng phòng", nfd=True),
        "--contact-phone", padded("0912 130 290 ", limits.PHONE - 1) + "0",
        "--signer-name", vietnamese(limits.PERSON_NAME, "Nông Thị Thanh Huyền"),
        "--signer-title", "KT. GIÁM ĐỐC/" + vietnamese(limits.JOB_TITLE - len("KT. GIÁM ĐỐC/"), "PHÓ GIÁM ĐỐC"),
        *(item for number in range(1, limits.LEGAL_BASES + 1)
          for item in ("--basis", vietnamese(limits.LEGAL_BASIS, f"Căn cứ {number}")))
    )[:-1] + list(changes) + ["--json"]


@pytest.mark.parametrize(("option", "value", "named"), [
    ("--title", vietnamese(limits.TITLE + 1, "Kế hoạch", nfd=True), "--title: dài 501 ký tự, tối đa 500."),
    ("--subject", vietnamese(limits.SUBJECT + 1, "xin ý kiến"), "--subject: dài 601 ký tự, tối đa 600."),
    ("--basis", vietnamese(limits.LEGAL_BASIS + 1, "Căn cứ"), "--basis 20: dài 1.001 ký tự, tối đa 1.000."),
], ids=["title", "subject", "basis"])
def test_a_text_one_character_over_its_limit_is_refused_naming_the_field(cli, option: str, value: str,  # type: ignore[no-untyped-def]
                                                                        named: str) -> None:
    args = longest_round(option, value)
    if option == "--basis":  # one more căn cứ would be too many: the 20th is replaced by the long one
        at = len(args) - 1 - args[::-1].index("--basis")
        args = args[:at - 2] + args[at:]
    message = rejected(cli, *args, code="text_too_long")
    assert message == named


def test_the_longest_texts_go_through_a_round_and_every_document_opens(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    round_args = longest_round()
    office = round_args[len(round_args) - 1 - round_args[::-1].index("--office") + 1]  # the last --office wins
    cli("office", "add", office, "--name", vietnamese(limits.OFFICE_NAME, "Phòng Quản lý Khoa học"), "--json")
    created = cli(*round_args)
    round_id = str(created.json["id"])
    cli("round", "launch", round_id, "--no-draft-reason", vietnamese(limits.NO_DRAFT_REASON, "Không kèm dự thảo"),
        "--json")

    section = vietnamese(limits.SECTION, "Mục II")
    comment = vietnamese(limits.COMMENT, "Đề nghị bổ sung", nfd=True)
    wording = vietnamese(limits.COMMENT, "Phấn đấu")
    over = rejected(cli, "round", "respond", round_id, "SCT", "--comment", f"{section}::{comment}x::{wording}",
                    code="answer_invalid")
    assert over == "--comment 1: nội dung góp ý dài 20.001 ký tự, tối đa 20.000."  # the option, not the form's row
    cli("round", "respond", round_id, "SCT", "--comment", f"{section}::{comment}::{wording}",
        "--note", vietnamese(limits.ANSWER_NOTE, "Công văn số 812/SCT"), "--json")
    reason = vietnamese(limits.REASON, "Đơn vị đề nghị")
    assert rejected(cli, "round", "extend", round_id, "12/12/2025", "--reason", reason + "x",
                    code="text_too_long") == "--reason: dài 2.001 ký tự, tối đa 2.000."
    cli("round", "close", round_id, "--reason", reason, "--json")

    number = str(cli("round", "comments", round_id, "--json").json[0]["number"])  # its STT, as `handle` takes
    explanation = vietnamese(limits.EXPLANATION, "Không tiếp thu vì", lines=True)
    assert rejected(cli, "round", "handle", round_id, number, "--decision", "not_accepted",
                    "--explanation", explanation + "x",
                    code="text_too_long") == "--explanation: dài 4.001 ký tự, tối đa 4.000."
    cli("round", "handle", round_id, number, "--decision", "not_accepted", "--explanation", explanation,
        "--json")

    out = tmp_path / "van-ban"
    written = cli("round", "documents", round_id, "--out", str(out), "--json").json
    files = {Path(item["path"]).name: Path(item["path"]) for item in written}
    assert {"cong-van-xin-y-kien.docx", "bang-tong-hop-y-kien.docx", "bang-tong-hop-y-kien.xlsx"} <= set(files)
    for name, path in files.items():
        if name.endswith(".docx"):
            document = docx.Document(io.BytesIO(path.read_bytes()))
            assert len(document.core_properties.title) <= 255
            body = one_line(" ".join([p.text for p in document.paragraphs] + [
                cell.text for table in document.tables for row in table.rows for cell in row.cells]))
            assert one_line(TITLE) in body, name
        else:
            book = load_workbook(path)
            assert all(len(v) <= 32_767 for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                       for v in row if isinstance(v, str))
    synthesis = files["bang-tong-hop-y-kien.docx"]
    text = one_line(" ".join(cell.text for table in docx.Document(synthesis).tables for row in table.rows
                             for cell in row.cells))
    assert one_line(comment) in text and one_line(explanation) in text
    shown = json.loads(cli("round", "show", round_id, "--json").out)
    assert shown["title"] == one_line(TITLE)

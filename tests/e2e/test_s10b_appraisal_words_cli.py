"""Every text a user of the fifth kind, "Thẩm định hồ sơ" (tests/fixtures/s9g_appraisal), meets on the command line
and in its mail is in that kind's words: the kind sends a dossier (hồ sơ thẩm định) for an appraisal, never a
"dự thảo" for "góp ý". The round is walked through create, edit, launch, a refused and an accepted answer, extend
(all, one unit), remind, the reminder timer, close, documents, audit, export and the result; every stdout, stderr
and mail body is read.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import openpyxl
from minimal_pdf import minimal_pdf

from notifications.testing import SmtpCapture

KIND_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "s9g_appraisal"
OPINION = {"conclusion": "Đạt yêu cầu", "findings": "Hồ sơ đủ thành phần.", "requests": ""}
CONSULTATION_WORDS = re.compile(r"dự thảo|góp ý", re.IGNORECASE)


def mail_text(capture: SmtpCapture) -> list[str]:
    """Each message's subject and every text part, as the unit reads them."""
    texts = []
    for message in capture.messages:
        parts = [str(message["Subject"])]
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        texts.append("\n".join(parts))
    return texts


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [p.text for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def workbook_text(path: Path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    return "\n".join([sheet.title for sheet in book] + [str(value) for sheet in book for row in
                                                         sheet.iter_rows(values_only=True) for value in row if value])


def offending_lines(texts: dict[str, str]) -> list[str]:
    return [f"{where}: {line.strip()}" for where, text in texts.items() for line in text.splitlines()
            if CONSULTATION_WORDS.search(line)]


def test_every_text_of_an_appraisal_round_on_the_cli_is_in_the_kinds_words(  # type: ignore[no-untyped-def]
        cli, capture: SmtpCapture, tmp_path: Path) -> None:
    shutil.copytree(KIND_DIR, cli.home / "workflows", dirs_exist_ok=True)
    said: dict[str, str] = {}

    def run(*args: str, expect: int = 0) -> str:
        result = cli(*args, expect=expect)
        said[" ".join(args)] = result.out + result.err
        return result.out

    dossier = tmp_path / "ho-so.pdf"
    dossier.write_bytes(minimal_pdf(b"ho so tham dinh"))
    opinion = tmp_path / "y-kien.json"
    opinion.write_text(json.dumps(OPINION, ensure_ascii=False), encoding="utf-8")
    cli.at("2025-11-20T09:00")
    run("workflow", "show", "appraisal")
    created = json.loads(run("round", "create", "--workflow", "appraisal", "--title", "Hồ sơ nhiệm vụ KH&CN năm 2025",
                             "--office", "QLKH", "--deadline", "05/12/2025", "--unit", "SCT", "--unit", "STC",
                             "--unit", "SYT", "--inform", "SNV", "--contact-name", "Ông Phạm Phi Long",
                             "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền", "--json"))
    round_id = str(created["id"])
    run("round", "launch", round_id, expect=1)  # no dossier yet
    run("round", "edit", round_id, "--draft", str(dossier))
    run("round", "show", round_id)
    run("round", "launch", round_id)
    run("round", "respond", round_id, "SCT", "--agree", expect=2)
    run("round", "respond", round_id, "SCT", "--comment", "Mục 2::Chưa đủ", expect=2)
    assert said[f"round respond {round_id} SCT --comment Mục 2::Chưa đủ"] == (
        "Lỗi: Đợt này nhận ý kiến thẩm định theo mẫu của đợt, không nhận các ý kiến viết tự do.\n")
    run("round", "respond", round_id, "SCT", "--proposal-file", str(opinion), "--channel", "paper")
    run("round", "show", round_id)
    run("round", "extend", round_id, "10/12/2025", "--unit", "STC", "--reason", "Xin thêm thời gian")
    run("round", "extend", round_id, "08/12/2025")
    run("round", "remind", round_id)
    assert run("round", "draft", round_id, str(dossier), "--note", "Bổ sung dự toán") == (
        "Đã lưu hồ sơ thẩm định phiên bản 2.\n")  # not "dự thảo phiên bản 2"
    run("round", "drafts", round_id)
    cli.at("2025-12-04T08:30")
    run("tick")
    run("round", "list")
    assert run("round", "comments", round_id, expect=1) == ""  # no table of comments, in a consultation's words
    assert said[f"round comments {round_id}"] == (
        'Lỗi: Quy trình "Thẩm định hồ sơ" không có bước tiếp thu, giải trình từng ý kiến: ý kiến thẩm định của các '
        'đơn vị xem ở mục "Ý kiến thẩm định đã nhận".\n')
    run("round", "documents", round_id, "--out", str(tmp_path / "vb"))
    run("round", "close", round_id)
    run("round", "show", round_id)
    run("round", "audit", round_id)
    run("round", "export", round_id, "--out", str(tmp_path / "xuat"))
    run("round", "follow-up", round_id, "--deadline", "20/12/2025", expect=1)
    assert said[f"round follow-up {round_id} --deadline 20/12/2025"] == (
        'Lỗi: Quy trình "Thẩm định hồ sơ" không tạo đợt thẩm định hồ sơ mới trên hồ sơ thẩm định đã sửa.\n')
    run("round", "submit", round_id)
    run("round", "show", round_id)
    for number, text in enumerate(mail_text(capture), 1):
        said[f"mail {number}"] = text
    for path in sorted((tmp_path / "vb").iterdir()):
        said[path.name] = docx_text(path)
    for path in sorted((tmp_path / "xuat").glob("*.xlsx")):
        said[path.name] = workbook_text(path)
    assert len([where for where in said if where.startswith("mail ")]) >= 9  # invitations, receipt, extensions...
    assert offending_lines(said) == []

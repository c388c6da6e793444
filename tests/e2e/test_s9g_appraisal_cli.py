"""A round of a department's own kind, "Thẩm định hồ sơ" (tests/fixtures/s9g_appraisal, in the home's workflows
folder), on the command line: validate, create, launch, an answer on the kind's form, the reminder two working days
before and the close at a frozen clock (`ykien tick` at YKIEN_NOW), the package.

`round show` tells what each form said, field by field under the kind's labels, and `--json` carries the forms
(`responses[].proposals`): a form kind's answers are not only "(ý kiến thẩm định)" there.
"""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import docx
from minimal_pdf import minimal_pdf

from notifications.testing import SmtpCapture

KIND_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "s9g_appraisal"
OPINION = {"conclusion": "Đạt, cần chỉnh sửa, bổ sung", "findings": "Hồ sơ đủ thành phần; dự toán mục 3 chưa khớp.",
           "requests": "Bổ sung bảng đối chiếu kinh phí."}


def docx_text(path: Path) -> str:
    """The letter's paragraphs, those of its layout tables too (the letterhead, "Nơi nhận:", the signature)."""
    document = docx.Document(str(path))
    cells = [p.text for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_an_appraisal_round_runs_on_the_cli_and_round_show_tells_what_each_form_said(  # type: ignore[no-untyped-def]
        cli, capture: SmtpCapture, tmp_path: Path) -> None:
    folder = cli.home / "workflows"
    shutil.copytree(KIND_DIR, folder, dirs_exist_ok=True)
    assert cli("workflow", "validate", str(folder / "appraisal.yaml"), "--json").json == {"valid": True,
                                                                                         "problems": []}
    draft = tmp_path / "ho-so.pdf"
    draft.write_bytes(minimal_pdf(b"ho so tham dinh"))
    cli.at("2025-11-20T09:00")
    created = cli("round", "create", "--workflow", "appraisal", "--title", "Hồ sơ nhiệm vụ KH&CN năm 2025",
                  "--office", "QLKH", "--deadline", "05/12/2025", "--draft", str(draft),
                  "--unit", "SCT", "--unit", "STC", "--unit", "SYT", "--contact-name", "Ông Phạm Phi Long",
                  "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền", "--json").json
    round_id = str(created["id"])
    edited = cli("round", "edit", round_id, "--title", "Hồ sơ nhiệm vụ KH&CN cấp tỉnh năm 2025").out
    assert edited == f"Đã sửa đợt số {round_id}: trích yếu, tên hồ sơ thẩm định.\n"
    cli("round", "launch", round_id)
    cli("round", "documents", round_id, "--out", str(tmp_path / "vb"))
    letter = docx_text(tmp_path / "vb" / "cong-van-de-nghi-tham-dinh.docx")
    assert "trân trọng gửi Quý cơ quan hồ sơ nhiệm vụ KH&CN cấp tỉnh năm 2025 và đề nghị" in letter  # its own wording
    assert "- Lãnh đạo Sở;" in letter and "UBND tỉnh (báo cáo)" not in letter  # its own receivers
    reminder = docx_text(tmp_path / "vb" / "cong-van-don-doc-tham-dinh.docx")
    assert "UBND tỉnh (báo cáo)" not in reminder and "dự thảo" not in reminder and "góp ý" not in reminder
    opinion = tmp_path / "y-kien.json"
    opinion.write_text(json.dumps(OPINION, ensure_ascii=False), encoding="utf-8")
    cli("round", "respond", round_id, "SCT", "--proposal-file", str(opinion), "--channel", "paper")

    cli.at("2025-12-03T08:30")  # Wednesday: two working days before Friday 05/12
    cli("tick")
    reminded = sorted(str(m["X-Ykien-Unit"]) for m in capture.messages if m["X-Ykien-Kind"] == "reminder_before")
    assert reminded == ["STC", "SYT"]
    cli.at("2025-12-06T08:00")
    cli("tick")

    shown = cli("round", "show", round_id, "--json").json
    assert (shown["status"], shown["status_title"]) == ("appraised", "Đã nhận ý kiến thẩm định")
    [answer] = shown["responses"]
    assert answer["unit_code"] == "SCT" and answer["proposals"] == [OPINION]
    text = cli("round", "show", round_id).out
    assert "- Sở Công Thương:\n  Kết luận thẩm định: Đạt, cần chỉnh sửa, bổ sung\n" in text
    assert "  Nội dung đề nghị chỉnh sửa, bổ sung: Bổ sung bảng đối chiếu kinh phí.\n" in text
    assert "(ý kiến thẩm định)" not in text and "appraisal_due" not in text

    package = cli("round", "submit", round_id, "--json").json
    with zipfile.ZipFile(package["path"]) as archive:
        assert archive.namelist() == ["cong-van-ket-qua-tham-dinh.docx", "tong-hop-y-kien-tham-dinh.xlsx"]
        (tmp_path / "ket-qua.docx").write_bytes(archive.read("cong-van-ket-qua-tham-dinh.docx"))
    result = docx.Document(str(tmp_path / "ket-qua.docx"))
    text = docx_text(tmp_path / "ket-qua.docx")
    assert "Kính gửi: Hội đồng Khoa học và Công nghệ tỉnh Cao Bằng." in text and "Bộ Khoa học" not in text
    assert "- Các cơ quan thẩm định;" in text and "UBND tỉnh (báo cáo)" not in text
    [appendix] = result.tables[-1:]
    header = [cell.text for cell in appendix.rows[0].cells]
    assert header == ["STT", "Cơ quan thẩm định", "Kết luận thẩm định", "Nhận xét, đánh giá hồ sơ",
                      "Nội dung đề nghị chỉnh sửa, bổ sung"], header  # no file was sent: no column of it
    assert [cell.text for cell in appendix.rows[1].cells][:3] == ["1", "Sở Công Thương", OPINION["conclusion"]]
    assert cli("round", "show", round_id, "--json").json["status"] == "result_sent"

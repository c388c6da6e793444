"""A report collection round (seed 003) driven through the `ykien` command line with a real SMTP server on loopback:
six departments report under the programme's headings; reminders before the deadline, overdue reminders in the
grace period; one department reports late within the grace period, one stays silent to the end (reminded, listed as
not reported); `round show` gives each unit's headings reported as the kind's own column."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from letter_inputs import give_letter_inputs

from notifications.testing import SmtpCapture
from workflows.service.registry import get_workflow

DEPARTMENTS = ("SCT", "STC", "SYT", "STP", "SXD", "SNV")
CREATE = ("round", "create", "--workflow", "report_collection",
          "--title", "Chương trình quốc gia hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng sản phẩm, hàng hóa "
                     "năm 2025",
          "--office", "TĐC", "--deadline", "05/12/2025", *(a for code in DEPARTMENTS for a in ("--unit", code)),
          "--basis", "Quyết định số 1322/QĐ-TTg ngày 31/8/2020 của Thủ tướng Chính phủ",
          "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nguyễn Thái Kiều Ngân", "--json")
REPORT = {"leadership_text": "Tham mưu ban hành Kế hoạch số 41/KH-UBND ngày 06/3/2025.", "decisions_issued": "2",
          "training_text": "Cử 03 công chức tham gia khóa đào tạo chuyên gia đánh giá TCVN ISO 9001:2015.",
          "trainings_held": "1", "people_trained": "3", "budget_state": "120.000.000"}


def kinds(capture: SmtpCapture, seen: int) -> Counter[tuple[str, str]]:
    return Counter((str(m["X-Ykien-Unit"]), str(m["X-Ykien-Kind"])) for m in capture.messages[seen:])


def report_file(folder: Path, name: str, **changes: str) -> str:
    path = folder / f"{name}.json"
    path.write_text(json.dumps({**REPORT, **changes}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_six_departments_report_one_late_in_the_grace_period_one_silent_to_the_end(
        cli, capture: SmtpCapture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    cli.at("2025-11-20T09:00")
    give_letter_inputs(cli)
    cli("round", "launch", "1")
    assert kinds(capture, 0) == Counter({(code, "invitation"): 1 for code in DEPARTMENTS})

    # A figure in words is refused naming its heading and field; nothing is written.
    before = cli.snapshot()
    wrong = report_file(tmp_path, "sai", trainings_held="một lớp")
    refused = cli("round", "respond", "1", "SCT", "--proposal-file", wrong, "--json", expect=2).json
    assert refused["error"]["message"] == (
        f"--proposal-file: {wrong}:1: 2.4. Đào tạo nguồn nhân lực cho hoạt động nâng cao năng suất chất lượng — Số lớp đào tạo, tập huấn: "
        "\"một lớp\" phải là số nguyên, ví dụ 12.")
    assert cli.snapshot() == before

    cli.at("2025-11-28T10:00")
    for code, trained in (("SCT", "3"), ("STC", "5"), ("SYT", "12"), ("STP", "0")):
        cli("round", "respond", "1", code, "--proposal-file", report_file(tmp_path, code, people_trained=trained))

    seen = len(capture.messages)
    cli.at("2025-12-03T09:00")  # deadline - 2 working days, 08:00: the two still owing are reminded
    cli("tick")
    assert kinds(capture, seen) == Counter({("SXD", "reminder_before"): 1, ("SNV", "reminder_before"): 1})

    seen = len(capture.messages)
    cli.at("2025-12-08T09:00")  # the first working day after the deadline: overdue reminders
    cli("tick")
    assert kinds(capture, seen) == Counter({("SXD", "reminder_overdue"): 1, ("SNV", "reminder_overdue"): 1})

    cli.at("2025-12-08T15:00")  # within the grace period (3 working days): taken, marked late
    cli("round", "respond", "1", "SXD", "--proposal-file",
        report_file(tmp_path, "SXD", leadership_text="Báo cáo muộn của Sở Xây dựng.", training_text="",
                    trainings_held="", people_trained=""))

    seen = len(capture.messages)
    cli.at("2025-12-09T09:00")  # the overdue reminder repeats for the one still silent
    cli("tick")
    assert kinds(capture, seen) == Counter({("SNV", "reminder_overdue"): 1})

    cli.at("2025-12-11T09:00")  # the close at the end of the grace period
    cli("tick")
    shown = cli("round", "show", "1", "--json").json
    definition = get_workflow("report_collection")
    assert shown["status"] == "consolidating"
    assert shown["columns"] == [{"key": "sections_reported", "title": "Mục đã báo cáo"}]
    units = {u["unit_code"]: u for u in shown["units"]}
    total = len(definition.response.answering_sections())
    assert units["SCT"]["columns"] == {"sections_reported": f"3/{total}"}
    assert units["SXD"]["columns"] == {"sections_reported": f"2/{total}"} and units["SXD"]["late"]
    assert units["SNV"]["answer"] == "silent" and units["SNV"]["columns"] == {"sections_reported": None}
    assert units["SNV"]["reminders_sent"] == 3
    human = cli("round", "show", "1").out
    assert "Mục đã báo cáo" in human and f"3/{total}" in human
    assert "coi như đồng ý" not in human and "góp ý" not in human.lower()


def test_the_consolidated_report_and_the_figures_workbook_follow_seed_003(
        cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import docx
    from openpyxl import load_workbook

    cli(*CREATE)
    cli.at("2025-11-20T09:00")
    give_letter_inputs(cli)
    cli("round", "launch", "1")
    cli.at("2025-11-28T10:00")
    for code, trained in (("SCT", "3"), ("STC", "5"), ("SYT", "12")):
        cli("round", "respond", "1", code, "--proposal-file", report_file(tmp_path, code, people_trained=trained))
    cli.at("2025-12-11T09:00")
    cli("tick")
    out = tmp_path / "docs"
    listed = cli("round", "documents", "1", "--out", str(out), "--json").json
    names = {Path(item["path"]).name for item in listed}
    assert {"bao-cao-tong-hop.docx", "so-lieu-bao-cao.xlsx"} <= names, listed

    report = docx.Document(str(out / "bao-cao-tong-hop.docx"))
    text = "\n".join(p.text for p in report.paragraphs)
    header = "\n".join(c.text for t in report.tables[:1] for row in t.rows for c in row.cells)
    assert "Số:" in header and "/BC-SKHCN" in header.replace(" ", "")
    assert "BÁO CÁO\nKết quả thực hiện Chương trình quốc gia hỗ trợ doanh nghiệp" in text
    assert "Thực hiện Quyết định số 1322/QĐ-TTg ngày 31/8/2020 của Thủ tướng Chính phủ." in text
    for heading in ("I. Tình hình triển khai và kết quả thực hiện Chương trình",
                    "2.4. Đào tạo nguồn nhân lực cho hoạt động nâng cao năng suất chất lượng",
                    "IV. Đề xuất, kiến nghị"):
        assert heading in text, heading
    assert "Sở Công Thương: Cử 03 công chức" in text  # the passage with its unit until staff edit it
    assert "Các cơ quan, đơn vị chưa gửi báo cáo: Sở Nội vụ; Sở Tư pháp; Sở Xây dựng." in text
    assert "trân trọng báo cáo UBND tỉnh" in text and "Bộ Khoa học và Công nghệ./." in text
    figures = [[c.text for c in row.cells] for t in report.tables[1:-1] for row in t.rows]
    assert ["2", "Số lượt người được đào tạo", "20", "Sở Công Thương: 3; Sở Tài chính: 5; Sở Y tế: 12"] in figures
    assert ["1", "Kinh phí ngân sách nhà nước (đồng)", "360.000.000",
            "Sở Công Thương: 120.000.000; Sở Tài chính: 120.000.000; Sở Y tế: 120.000.000"] in figures

    book = load_workbook(out / "so-lieu-bao-cao.xlsx")
    sheet = book["Số liệu"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][1] == "Cơ quan, đơn vị" and "Số lượt người được đào tạo" in " ".join(map(str, rows[0]))
    people = next(i for i, title in enumerate(rows[0]) if title and "Số lượt người" in str(title))
    assert [r[people] for r in rows[1:5]] == [3, 5, 12, 20] and rows[4][1] == "Tổng cộng"
    assert any("Cử 03 công chức" in str(c.value) for row in book["Nội dung"].iter_rows() for c in row)

    cli("round", "submit", "1")  # the package: the report and the workbook; the round is reported
    assert cli("round", "show", "1", "--json").json["status"] == "reported"


def test_staff_write_a_headings_text_and_next_years_round_shows_this_years_figures_beside(
        cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    cli.at("2025-11-20T09:00")
    give_letter_inputs(cli)
    cli("round", "launch", "1")
    for code in ("SCT", "STC"):
        cli("round", "respond", "1", code, "--proposal-file", report_file(tmp_path, code))
    cli.at("2025-12-11T09:00")
    cli("tick")
    text = tmp_path / "dao-tao.txt"
    text.write_text("Các sở đã cử 06 công chức tham gia khóa đào tạo chuyên gia đánh giá.", encoding="utf-8")
    before = cli.snapshot()
    unknown = cli("round", "heading-text", "1", "dao_tao", "--text-file", str(text), "--json", expect=2).json
    assert unknown["error"]["message"] == "Mục \"dao_tao\" không có trong đề cương báo cáo của đợt."
    assert cli.snapshot() == before
    cli("round", "heading-text", "1", "training", "--text-file", str(text))
    shown = cli("round", "headings", "1", "--json").json
    training = next(h for h in shown["headings"] if h["key"] == "training")
    assert training["edited"] and training["text"] == text.read_text(encoding="utf-8")
    assert [p["unit_name"] for p in training["passages"]] == ["Sở Công Thương", "Sở Tài chính"]
    assert shown["units_not_reported"] == ["Sở Nội vụ", "Sở Tư pháp", "Sở Xây dựng", "Sở Y tế"]

    started = cli("round", "next", "1", "--title", "Chương trình quốc gia hỗ trợ doanh nghiệp năm 2026",
                  "--deadline", "04/12/2026", "--json").json
    assert started == {"id": 2, "previous_round": 1}
    cli.at("2026-11-20T09:00")
    give_letter_inputs(cli, "2")
    cli("round", "launch", "2")
    cli("round", "respond", "2", "SCT", "--proposal-file", report_file(tmp_path, "SCT-2026", people_trained="7"))
    cli.at("2026-12-10T09:00")
    cli("tick")
    figures = {f["key"]: f for h in cli("round", "headings", "2", "--json").json["headings"] for f in h["figures"]}
    assert (figures["people_trained"]["total"], figures["people_trained"]["previous"]) == (7, 6)  # 3 + 3 last year
    assert "Đợt trước" in cli("round", "headings", "2").out

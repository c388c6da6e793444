"""A report collection round (seed 003) driven through the `ykien` command line with a real SMTP server on loopback:
six departments report under the programme's headings; reminders before the deadline, overdue reminders in the
grace period; one department reports late within the grace period, one stays silent to the end (reminded, listed as
not reported); `round show` gives each unit's headings reported as the kind's own column."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

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
    cli("round", "launch", "1")
    assert kinds(capture, 0) == Counter({(code, "invitation"): 1 for code in DEPARTMENTS})

    # A figure in words is refused naming its heading and field; nothing is written.
    before = cli.snapshot()
    refused = cli("round", "respond", "1", "SCT", "--proposal-file",
                  report_file(tmp_path, "sai", trainings_held="một lớp"), "--json", expect=2).json
    assert refused["error"]["message"] == (
        "2.4. Đào tạo nguồn nhân lực cho hoạt động nâng cao năng suất chất lượng — Số lớp đào tạo, tập huấn: "
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

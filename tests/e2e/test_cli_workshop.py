"""A workshop round (seed 004) driven through the `ykien` command line with a real SMTP server on loopback: twenty
units of several groups invited, mixed registrations (attending, a deputy, declined), one refused after the
registration date; two preparatory tasks, one handed in on time, one late after its reminders (counted at the SMTP
server); `ykien tick` with a frozen clock closes the registration and moves the round on at the workshop's date;
`round show` gives the kind's own columns; a hand-in once the round is over is refused, nothing saved.

No state, task or field key is typed here but those the definition declares: they are read from it.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from letter_inputs import WORKSHOP_PLACE, give_letter_inputs
from minimal_pdf import minimal_pdf

from notifications.testing import SmtpCapture
from workflows.service.registry import get_workflow

UNITS = Path(__file__).parents[1] / "fixtures" / "workshop" / "units_20.csv"
WORKSHOP = get_workflow("workshop")
PAPER, SPEECH = list(WORKSHOP.assignments)[:2]
EVENT_KEY = next(iter(WORKSHOP.dates))
CHOICE = next(f for f in WORKSHOP.response.fields if f.kind == "choice")
ATTEND, DEPUTY, DECLINE = CHOICE.options
NAME, POSITION = [f for f in WORKSHOP.response.fields if f.required_unless]


def codes() -> list[str]:
    with UNITS.open(encoding="utf-8", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def kinds(capture: SmtpCapture, seen: int) -> Counter[tuple[str, str]]:
    return Counter((str(m["X-Ykien-Unit"]), str(m["X-Ykien-Kind"])) for m in capture.messages[seen:])


def rsvp(folder: Path, code: str, choice: str, **values: str) -> str:
    path = folder / f"rsvp-{code}.json"
    path.write_text(json.dumps({CHOICE.key: choice, **values}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def text_fields(task: str, title: str) -> list[str]:
    return [a for f in WORKSHOP.assignments[task].fields if f.kind != "file" for a in ("--field", f"{f.key}={title}")]


def attachments(task: str, folder: Path) -> list[str]:
    pdf = folder / f"{task}.pdf"
    pdf.write_bytes(minimal_pdf())
    return [a for f in WORKSHOP.assignments[task].fields if f.kind == "file" for a in ("--attach", f"{f.key}={pdf}")]


def record_results(home: Path) -> None:
    """What the workshop concluded, for its report (staff write it on the round's documents page)."""
    from config.settings import load_settings
    from workflows.service.app import build_app
    from workflows.service.documents import set_document_inputs

    app = build_app(load_settings(home=home))
    try:
        set_document_inputs(app, 1, {"event_results": ["Hội thảo thống nhất 05 nhóm giải pháp nâng cao Chỉ số PII."]},
                            "Phạm Phi Long (TĐC)")
    finally:
        app.close()


def test_twenty_invitations_registrations_and_two_tasks_one_late(
        cli: Any, capture: SmtpCapture, tmp_path: Path) -> None:
    units = codes()
    assert len(units) == 20
    cli("directory", "import", str(UNITS), "--create-groups")
    cli.at("2025-08-01T09:00")
    create = ("round", "create", "--workflow", WORKSHOP.name,
              "--title", "Giải pháp cải thiện, nâng cao Chỉ số Đổi mới sáng tạo cấp địa phương (PII) tỉnh Cao Bằng "
                         "năm 2025 và những năm tiếp theo",
              "--office", "TĐC", "--deadline", "12/08/2025", *(a for code in units for a in ("--unit", code)),
              "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
              "--signer-name", "Trịnh Trường Huy")
    before = cli.snapshot()
    missing = cli(*create, "--json", expect=2).json  # the workshop's date is required
    assert missing["error"]["message"].startswith(f"--date {EVENT_KEY}: ")
    bad_date = cli(*create, "--date", f"{EVENT_KEY}=32/08/2025", "--json", expect=2).json
    assert bad_date["error"]["message"].startswith(f"--date {EVENT_KEY}: ")
    early = cli(*create, "--date", f"{EVENT_KEY}=08/08/2025", "--json", expect=2).json  # before registration closes
    assert early["error"]["message"].startswith(f"--date {EVENT_KEY}: ")
    unknown = cli(*create, "--date", f"{EVENT_KEY}=20/08/2025", "--date", "khong_co=20/08/2025", "--json",
                  expect=2).json
    assert unknown["error"]["message"].startswith("--date: ") and "khong_co" in unknown["error"]["message"]
    assert cli.snapshot() == before
    cli(*create, "--date", f"{EVENT_KEY}=21/08/2025")
    early = cli("round", "edit", "1", "--date", f"{EVENT_KEY}=11/08/2025", "--json", expect=2).json
    assert early["error"]["message"].startswith(f"--date {EVENT_KEY}: ")
    assert cli("round", "edit", "1", "--date", f"{EVENT_KEY}=20/08/2025", "--json").json["changed"] == ["dates"]
    give_letter_inputs(cli, "1", WORKSHOP_PLACE)
    cli("round", "launch", "1")
    assert kinds(capture, 0) == Counter({(code, "invitation"): 1 for code in units})

    cli.at("2025-08-05T10:00")
    for code, choice, values in (
            ("SCT", ATTEND, {NAME.key: "Nguyễn Văn An", POSITION.key: "Phó Giám đốc Sở"}),
            ("STC", DEPUTY, {NAME.key: "Lê Thị Bình", POSITION.key: "Trưởng phòng Tổng hợp"}),
            ("SNNMT", DECLINE, {}),
            ("BKHCN", ATTEND, {NAME.key: "Trần Minh Châu", POSITION.key: "Thứ trưởng"})):
        cli("round", "respond", "1", code, "--proposal-file", rsvp(tmp_path, code, choice, **values))
    before = cli.snapshot()
    nameless = cli("round", "respond", "1", "SXD", "--proposal-file", rsvp(tmp_path, "SXD", ATTEND), "--json",
                   expect=2).json
    assert NAME.label in nameless["error"]["message"] and POSITION.label in nameless["error"]["message"]

    # Tasks: bad input first, each naming its option or field, nothing saved.
    for args, field in ((("--task", "no_such_task", "--unit", "SCT"), "--task: "),
                        (("--task", PAPER, "--unit", "KHONG-CO"), "--unit: "),
                        (("--task", PAPER, "--unit", "NHNN-KV5"), "--unit: "),  # a bank is not a province department
                        (("--task", PAPER, "--unit", "SCT", "--due", "32/08/2025"), "--due: "),
                        (("--task", PAPER, "--unit", "SCT", "--due", "21/08/2025"), "--due: ")):  # after the workshop
        refused = cli("round", "assign", "1", *args, "--json", expect=2).json
        assert refused["error"]["message"].startswith(field), refused
    assert cli.snapshot() == before
    given = cli("round", "assign", "1", "--task", PAPER, "--unit", "SCT", "--unit", "STC", "--json").json
    assert [(g["unit"], g["due"]) for g in given] == [("SCT", "2025-08-15"), ("STC", "2025-08-15")]
    cli("round", "assign", "1", "--task", SPEECH, "--unit", "VP-UBND", "--due", "18/08/2025",
        "--note", "Gửi Văn phòng UBND tỉnh trước ngày 18/8/2025")

    seen = len(capture.messages)
    cli.at("2025-08-08T09:00")  # 2 working days before the registration date: those not registered
    cli("tick")
    assert kinds(capture, seen) == Counter({(code, "reminder_before"): 1 for code in units
                                            if code not in ("SCT", "STC", "SNNMT", "BKHCN")})

    seen = len(capture.messages)
    cli.at("2025-08-13T09:00")  # registration closed overnight; papers reminded 2 working days before 15/8
    cli("tick")
    assert kinds(capture, seen) == Counter({("SCT", "task_reminder"): 1, ("STC", "task_reminder"): 1})
    before = cli.snapshot()
    closed = cli("round", "respond", "1", "SXD", "--proposal-file",
                 rsvp(tmp_path, "SXD", ATTEND, **{NAME.key: "Hoàng Văn Dũng", POSITION.key: "Giám đốc Sở"}),
                 "--json", expect=None)
    assert closed.code in (1, 2) and WORKSHOP.event_title("respond") in closed.json["error"]["message"]
    assert cli.snapshot() == before

    cli.at("2025-08-14T10:00")
    no_file = cli("round", "hand-in", "1", "--unit", "SCT", "--task", PAPER, *text_fields(PAPER, "Tham luận"),
                  "--json", expect=2).json
    file_field = next(f for f in WORKSHOP.assignments[PAPER].fields if f.kind == "file")
    assert file_field.label in no_file["error"]["message"]
    complete = [*text_fields(PAPER, "x"), *attachments(PAPER, tmp_path)]
    hand_ins: list[tuple[list[str], str]] = [
        (["--unit", "SCT", "--task", PAPER, "--field", "khong_co=x"], "--field khong_co: "),
        (["--unit", "KHONG-CO", "--task", PAPER, *complete], "--unit: "),
        (["--unit", "SXD", "--task", PAPER, *complete], "--task: "),  # not given that task
        (["--unit", "SCT", "--task", "khong_co"], "--task: ")]
    for options, field in hand_ins:
        refused = cli("round", "hand-in", "1", *options, "--json", expect=2).json
        assert refused["error"]["message"].startswith(field), refused
    assert cli.snapshot() == before
    seen = len(capture.messages)
    on_time = cli("round", "hand-in", "1", "--unit", "SCT", "--task", PAPER,
                  *text_fields(PAPER, "Giải pháp nâng cao năng lực đổi mới sáng tạo của doanh nghiệp công nghiệp"),
                  *attachments(PAPER, tmp_path), "--json").json
    assert on_time["label"] == "Đã nộp 14/8" and not on_time["late"]
    assert kinds(capture, seen) == Counter({("SCT", "task_receipt"): 1})

    for day in ("2025-08-15T09:00", "2025-08-18T09:00", "2025-08-19T09:00"):
        cli.at(day)
        cli("tick")
    reminders = kinds(capture, 0)
    assert reminders[("STC", "task_reminder")] == 3  # before its due date, then overdue twice (at most 2 times)
    assert reminders[("SCT", "task_reminder")] == 1
    assert reminders[("VP-UBND", "task_reminder")] == 2  # a working day before 18/8, and a working day after

    cli.at("2025-08-19T10:00")
    late = cli("round", "hand-in", "1", "--unit", "STC", "--task", PAPER, *text_fields(PAPER, "Nguồn lực tài chính"),
               *attachments(PAPER, tmp_path), "--json").json
    assert late["late"] and late["label"] == "Nộp trễ 19/8"

    cli.at("2025-08-21T09:00")  # the workshop was held yesterday
    cli("tick")
    shown = cli("round", "show", "1", "--json").json
    assert shown["status_title"] == WORKSHOP.state_title(shown["status"])
    titles = {c["key"]: c["title"] for c in shown["columns"]}
    assert titles[f"field:{CHOICE.key}"] == CHOICE.column
    assert titles[f"task:{PAPER}"] == WORKSHOP.assignments[PAPER].column
    grid = {u["unit_code"]: u["columns"] for u in shown["units"]}
    assert grid["STC"][f"field:{CHOICE.key}"] == DEPUTY and grid["SNNMT"][f"field:{CHOICE.key}"] == DECLINE
    assert grid["SCT"][f"task:{PAPER}"] == "Đã nộp 14/8" and grid["STC"][f"task:{PAPER}"] == "Nộp trễ 19/8"
    assert grid["VP-UBND"][f"task:{SPEECH}"] == "Quá hạn (hạn 18/8)"
    assert grid["SXD"][f"task:{PAPER}"] is None
    human = cli("round", "show", "1").out
    assert CHOICE.column in human and "Nộp trễ" in human and "Quá hạn" in human  # long titles wrap in the table
    assert "nhắc tiếp" not in cli("round", "assignments", "1").out  # every reminder sent or the task handed in
    listed = cli("round", "assignments", "1", "--json").json
    assert sorted((a["unit"], a["task"], a["status"]) for a in listed) == [
        ("SCT", PAPER, "done"), ("STC", PAPER, "done_late"), ("VP-UBND", SPEECH, "overdue")]

    record_results(cli.home)
    cli("round", "submit", "1")  # the package of the held workshop: the round is over
    cells, report = _documents(cli, tmp_path)
    assert {"Lê Thị Bình", "Nguyễn Văn An", "Trần Minh Châu"} <= cells
    assert "Hội thảo thống nhất 05 nhóm giải pháp" in report
    before = cli.snapshot()
    over = cli("round", "hand-in", "1", "--unit", "VP-UBND", "--task", SPEECH,
               *text_fields(SPEECH, "Bài phát biểu khai mạc"), *attachments(SPEECH, tmp_path), "--json",
               expect=2).json
    assert over["error"]["message"].startswith("--task: ") and "đã kết thúc" in over["error"]["message"]
    assert WORKSHOP.assignments[SPEECH].title in over["error"]["message"]
    assert cli.snapshot() == before


def _documents(cli: Any, folder: Path) -> tuple[set[str], str]:
    """The round's documents written by `round documents`, reopened: the workbook's cell texts, the report's text."""
    import docx
    from openpyxl import load_workbook

    out = folder / "docs"
    listed = cli("round", "documents", "1", "--out", str(out), "--json").json
    paths = {Path(item["path"]).name: Path(item["path"]) for item in listed}
    workbook = load_workbook(paths[WORKSHOP.documents["attendee_list_xlsx"].filename])
    cells = {str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row if c.value}
    report = docx.Document(str(paths[WORKSHOP.documents["workshop_report"].filename]))
    return cells, "\n".join(p.text for p in report.paragraphs)

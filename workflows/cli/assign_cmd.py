"""`ykien round assign|unassign|assignments|hand-in`: preparatory tasks given to named units of a round (the kinds of
task come from the round's definition: `assignments:`), each with its own due date, and what they hand in."""
from __future__ import annotations

import typer

from workflows.cli.common import (
    ACTOR_OPTION,
    JSON_OPTION,
    ROUND_ARGUMENT,
    actor_name,
    check_id,
    guarded,
    open_app,
    print_json,
    say,
)


def register(app: typer.Typer) -> None:
    app.command("assign")(assign)
    app.command("unassign")(unassign)
    app.command("assignments")(assignments)
    app.command("hand-in")(hand_in)


def assign(
    round_id: int = ROUND_ARGUMENT,
    task: str = typer.Option(..., "--task", help="Loại nhiệm vụ của quy trình (xem `ykien round assignments`)."),
    units: list[str] = typer.Option([], "--unit", help="Đơn vị được giao: mã hoặc tên, đủ hoặc một phần (lặp lại "
                                    "được)."),
    due: str | None = typer.Option(None, "--due", help="Hạn riêng: 15/08/2025 hoặc 2025-08-15. "
                                   "Mặc định: hạn quy trình đặt cho nhiệm vụ."),
    note: str | None = typer.Option(None, "--note", help="Ghi chú cho đơn vị, ví dụ \"trình bày 10 phút\"."),
    actor: str | None = ACTOR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Giao một nhiệm vụ chuẩn bị (tham luận, bài phát biểu ...) cho các đơn vị của đợt, với hạn riêng."""
    from models.text import nfc, nfc_or_none
    from workflows.cli.unit_args import chosen_units
    from workflows.service import assignments as service
    from workflows.service.deadlines import parse_date

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        due_date = parse_date(due, "--due") if due is not None else None
        ykien = open_app()
        chosen = chosen_units(ykien, round_id, units, "--unit", every_role=True)
        given = service.assign(ykien, round_id, nfc(task), [unit.code for unit in chosen], due_date,
                               nfc_or_none(note), actor_name(actor))
    if as_json:
        print_json([_row(a) for a in given])
        return
    for unit in chosen:
        say(unit.line)
    say(f"Đã giao nhiệm vụ cho {len(given)} đơn vị, hạn {given[0].due:%d/%m/%Y}: "
        + ", ".join(a.unit_code for a in given) + ".")


def unassign(round_id: int = ROUND_ARGUMENT,
             assignment_id: int = typer.Argument(..., help="Số nhiệm vụ (xem `round assignments`)."),
             actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Hủy một nhiệm vụ đã giao mà đơn vị chưa nộp."""
    from workflows.service import assignments as service

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        check_id(assignment_id, "ASSIGNMENT_ID")
        service.unassign(open_app(), round_id, assignment_id, actor_name(actor))
    if as_json:
        print_json({"id": assignment_id, "removed": True})
    else:
        say(f"Đã hủy nhiệm vụ số {assignment_id}.")


def assignments(round_id: int = ROUND_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Các nhiệm vụ đã giao: từng đơn vị, hạn, tình trạng, ngày nộp."""
    from models.assignments import ASSIGNMENT_LABELS
    from workflows.service import assignments as service
    from workflows.service.registry import get_workflow
    from workflows.service.views import round_brief

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        workflow = get_workflow(round_brief(ykien, round_id).workflow)
        given = service.for_round(ykien, round_id)
    today = ykien.clock.now().astimezone(ykien.tz).date()
    if as_json:
        print_json([{**_row(a), "status": a.status(today).value, "status_label": ASSIGNMENT_LABELS[a.status(today)],
                     "label": a.label(today, ykien.tz)} for a in given])
        return
    if not workflow.assignments:
        say(f"Quy trình \"{workflow.title}\" không có nhiệm vụ giao riêng cho đơn vị.")
        return
    for key, task in workflow.assignments.items():
        mine = [a for a in given if a.task == key]
        say(f"{task.title} ({key}): {len(mine)} đơn vị")
        for a in mine:
            upcoming = (f" · nhắc tiếp: {a.next_reminder_at.astimezone(ykien.tz):%H:%M %d/%m/%Y}"
                        if a.next_reminder_at else "")
            say(f"  #{a.id:<4} {a.unit_code:<12} {a.label(today, ykien.tz):<22} {a.unit_name}"
                + (f" — {a.note}" if a.note else "") + upcoming)


def hand_in(
    round_id: int = ROUND_ARGUMENT,
    unit: str = typer.Option(..., "--unit", help="Đơn vị nộp: mã hoặc tên, đủ hoặc một phần."),
    task: str = typer.Option(..., "--task", help="Loại nhiệm vụ."),
    fields: list[str] = typer.Option([], "--field", help="TRƯỜNG=nội dung (lặp lại được), ví dụ "
                                     "paper_title=\"Giải pháp ...\"."),
    attach: list[str] = typer.Option([], "--attach", help="Tệp cho một trường tệp: TRƯỜNG=ĐƯỜNG_DẪN."),
    channel: str = typer.Option("paper", "--channel", help="paper | phone | email | web"),
    actor: str | None = ACTOR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Ghi nhận kết quả nhiệm vụ một đơn vị nộp (nhận bằng văn bản giấy, thư điện tử ...)."""
    from models.errors import InvalidInput
    from models.rounds import ResponseChannel
    from models.text import nfc
    from workflows.cli.stoppable import run_sending
    from workflows.cli.text_files import checked_attachments
    from workflows.cli.unit_args import chosen_unit
    from workflows.service.assignment_files import hand_in_with_files
    from workflows.service.assignments import task_definition
    from workflows.service.attachments import read_attachments
    from workflows.service.commands import deliver_queued
    from workflows.service.registry import get_workflow
    from workflows.service.views import round_brief

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        try:
            how = ResponseChannel(channel)
        except ValueError:
            raise InvalidInput(f"--channel: \"{channel}\" không hợp lệ (paper, phone, email, web).",
                               "bad_channel") from None
        values: dict[str, str | None] = {}
        for item in fields:
            key, sep, text = nfc(item).partition("=")
            if not sep or not key.strip():
                raise InvalidInput(f"--field: \"{item[:80]}\" phải có dạng TRƯỜNG=nội dung.", "bad_field")
            if key.strip() in values:
                raise InvalidInput(f"--field {key.strip()[:40]}: chỉ ghi một lần.", "bad_field")
            values[key.strip()] = text
        ykien = open_app()
        workflow = get_workflow(round_brief(ykien, round_id).workflow)
        handing_in = chosen_unit(ykien, round_id, unit, "--unit", every_role=True)
        form = task_definition(workflow, task).form()
        for key in values:
            if key not in {f.key for f in form.fields if f.kind != "file"}:
                known = ", ".join(f.key for f in form.fields if f.kind != "file")
                raise InvalidInput(f"--field {key[:40]}: nhiệm vụ \"{workflow.assignments[task].title}\" không có "
                                   f"trường này (có: {known}; tệp gửi bằng --attach).", "bad_field")
        uploads = read_attachments(form, checked_attachments(attach), ykien.settings.max_upload_mb)
        done = hand_in_with_files(ykien, round_id, handing_in.code, task, values, uploads, how,
                                          actor_name(actor))
        handed, finish = run_sending(ykien, lambda: deliver_queued(ykien, round_id, [handing_in.code]))
    today = ykien.clock.now().astimezone(ykien.tz).date()
    if as_json:
        print_json({**_row(done), "label": done.label(today, ykien.tz), "mail_error": handed.error})
    else:
        say(handing_in.line)
        say(f"Đã ghi nhận: {done.unit_name} — {workflow.assignments[task].title}: {done.label(today, ykien.tz)}.")
        if handed.error:
            say("Thư xác nhận sẽ gửi lại ở lần quét sau.")
    finish()


def _row(a: object) -> dict[str, object]:
    from models.assignments import Assignment

    assert isinstance(a, Assignment)
    return {"id": a.id, "task": a.task, "unit": a.unit_code, "unit_name": a.unit_name, "due": a.due, "note": a.note,
            "done_at": a.done_at, "late": a.late, "values": a.values, "reminders_sent": a.reminders_sent,
            "next_reminder_at": a.next_reminder_at}

"""`ykien round comments|handle|consolidate|draft|drafts|revise|follow-up`: from comments to a new draft."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from workflows.cli.common import (
    ACTOR_OPTION,
    EXIT_REFUSED,
    JSON_OPTION,
    ROUND_ARGUMENT,
    actor_name,
    check_id,
    console,
    err_console,
    error_line,
    fail,
    guarded,
    open_app,
    plain,
    print_json,
    say,
)

if TYPE_CHECKING:
    from workflows.service.consolidation import NumberedComment

# `round handle` takes the numbers `round comments` shows: the STT of each comment in the bảng tổng hợp.
NUMBERS_ARGUMENT = typer.Argument(..., show_default=False,
                                  help="Số thứ tự của ý kiến trong bảng tổng hợp (cột Số của `ykien round comments`); "
                                       "nhiều số: một cách xử lý chung cho các ý kiến giống nhau.")


def register(app: typer.Typer) -> None:
    app.command("comments")(comments)
    app.command("handle")(handle)
    app.command("consolidate")(consolidate)
    app.command("draft")(draft)
    app.command("drafts")(drafts)
    app.command("revise")(revise)
    app.command("follow-up")(follow_up)


def _render_items(items: Iterable[NumberedComment], title: str, on: Console = console) -> None:
    table = Table(title=title)
    for column in ("Số", "Đơn vị", "Mục", "Ý kiến", "Đề xuất sửa", "Xử lý", "Giải trình"):
        table.add_column(column)
    for number, item in items:
        table.add_row(*plain(number, item.unit_name + (" (muộn)" if item.late else ""), item.section or "",
                             item.text, item.proposed_wording or "", item.decision_label, item.explanation or ""))
    on.print(table)


def _comment_json(entry: NumberedComment) -> dict[str, object]:
    """A comment as --json gives it: `number` its STT in the table (what `round handle` takes), `comment_id` its id
    in the database (never changes; a late answer may move the numbers)."""
    number, item = entry
    return {"number": number, **item.__dict__, "decision_label": item.decision_label}


def comments(round_id: int = ROUND_ARGUMENT,
             unhandled: bool = typer.Option(False, "--unhandled", help="Chỉ ý kiến chưa xử lý."),
             as_json: bool = JSON_OPTION) -> None:
    """Các ý kiến của dự thảo hiện hành, đánh số như bảng tổng hợp, kèm cách xử lý (tiếp thu / giải trình)."""
    from models.text import capfirst
    from workflows.service.consolidation import comments_to_triage, numbered, show_numbers

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        workflow, triaged = comments_to_triage(ykien, round_id)  # refused for a kind without such a step
        items = [entry for entry in numbered(triaged) if not unhandled or entry.item.decision is None]
        show_numbers(ykien, round_id, triaged, actor_name(None))  # what `round handle` holds these numbers against
    if as_json:
        print_json([_comment_json(entry) for entry in items])
    else:
        _render_items(items, f"{capfirst(workflow.terms.answer)} của đợt {round_id}")


def _handled_line(entry: NumberedComment) -> str:
    """"số 2: Sở Y tế, Mục III.1: Đề nghị bổ sung …": what was recorded, for the clerk to check against the table."""
    from workflows.service.consolidation import comment_line

    return f"  {comment_line(entry)}"


def handle(round_id: int = ROUND_ARGUMENT,
           numbers: list[int] = NUMBERS_ARGUMENT,
           decision: str = typer.Option(..., "--decision", help="accepted | partly_accepted | not_accepted | noted"),
           explanation: str | None = typer.Option(None, "--explanation",
                                                  help="Giải trình (bắt buộc khi không/tiếp thu một phần)."),
           actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Xử lý một hoặc nhiều ý kiến theo số trong bảng tổng hợp: tiếp thu, tiếp thu một phần, không tiếp thu (kèm
    giải trình), ghi nhận; in lại đơn vị và mục của từng ý kiến đã ghi.

    Số là số trong danh sách `round comments` bạn xem lần gần nhất: khi có đơn vị trả lời muộn làm một số trong đó
    nay chỉ ý kiến khác, lệnh không ghi gì và nói số đó nay là ý kiến nào; hãy xem lại danh sách."""
    from models.consolidation import HANDLING_LABELS, ExplanationRequired, Handling
    from models.errors import InvalidInput
    from workflows.service.consolidation import handle_numbered_comments

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        for number in numbers:
            check_id(number, "NUMBERS")
        try:
            # The numbers are held against the table last shown to this person (YKIEN_ACTOR, else the system
            # user), whoever --by names as the author.
            handled = handle_numbered_comments(open_app(), round_id, numbers, decision, explanation,
                                               actor_name(actor), shown_to=actor_name(None))
        except ExplanationRequired as missing:  # an option left out, not a rule of the round
            raise InvalidInput(f"--explanation: {missing.message}", missing.code) from None
        except InvalidInput as wrong:
            if wrong.code not in ("comment_unknown", "comment_repeated"):
                raise
            raise InvalidInput(f"NUMBERS: {wrong.message}", wrong.code) from None
    if as_json:
        print_json({"handling": handled.handling_id, "comments": [e.item.comment_id for e in handled.comments],
                    "numbers": [e.number for e in handled.comments],
                    "handled": [{"number": e.number, "comment_id": e.item.comment_id, "unit_code": e.item.unit_code,
                                 "unit_name": e.item.unit_name, "section": e.item.section}
                                for e in handled.comments]})
    else:
        label = HANDLING_LABELS[Handling(decision)]  # a valid one: the handling is recorded
        say(f"Đã ghi cách xử lý \"{label}\" cho {len(handled.comments)} ý kiến:")
        for entry in handled.comments:
            say(_handled_line(entry))


def consolidate(round_id: int = ROUND_ARGUMENT, actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Hoàn thành tổng hợp; từ chối và liệt kê các ý kiến chưa xử lý."""
    from workflows.cli.stoppable import run_sending
    from workflows.engine.events import Command
    from workflows.engine.refusals import GuardFailed
    from workflows.service.commands import run_command
    from workflows.service.consolidation import numbered, show_numbers, triage_items

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        try:
            result, finish = run_sending(ykien, lambda: run_command(ykien, round_id, Command("consolidate"),
                                                                    actor_name(actor)))
        except GuardFailed as refusal:
            if refusal.code != "comments_unhandled":
                raise
            table = triage_items(ykien, round_id)
            pending = [entry for entry in numbered(table) if entry.item.decision is None]
            show_numbers(ykien, round_id, table, actor_name(None))
            if as_json:  # the numbers `round handle` takes, and the comments' ids
                print_json({"error": {"code": refusal.code, "message": refusal.message,
                                      "unhandled": [entry.number for entry in pending],
                                      "unhandled_comments": [entry.item.comment_id for entry in pending]}})
            else:
                err_console.print(error_line(refusal.message))  # a refusal, on stderr as every other
                _render_items(pending, "Ý kiến chưa xử lý", err_console)
            raise typer.Exit(EXIT_REFUSED) from None
    if as_json:
        print_json({"id": round_id, "status": result.decision.state.status, "notice": result.notice})
    else:
        say("Đã hoàn thành tổng hợp ý kiến.")
        if result.notice:
            say(result.notice)
    finish()


def draft(round_id: int = ROUND_ARGUMENT,
          file: Path = typer.Argument(..., help="Tệp mới (DOCX hoặc PDF): dự thảo, hồ sơ ... theo quy trình."),
          sections: str | None = typer.Option(None, "--sections", help="Các mục, cách nhau bởi ';'."),
          note: str | None = typer.Option(None, "--note", help="Ghi chú cho phiên bản này."),
          actor: str | None = ACTOR_OPTION,
          as_json: bool = JSON_OPTION) -> None:
    """Tải lên phiên bản mới của tệp đợt gửi đi (dự thảo, hồ sơ ...; DOCX/PDF); các phiên bản cũ được giữ nguyên."""
    from models.text import lowfirst, nfc_or_none
    from workflows.cli.text_files import check_input_file, upload_limit
    from workflows.service.drafts import add_version, parse_sections
    from workflows.service.registry import get_workflow
    from workflows.service.views import round_brief

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        check_input_file(file, "FILE", "file_missing")  # a folder, a FIFO or a device: refused before anything opens
        ykien = open_app()
        check_input_file(file, "FILE", "file_missing", *upload_limit(ykien.settings.max_upload_mb))
        version = add_version(ykien, round_id, file, parse_sections(sections), nfc_or_none(note), actor_name(actor))
        document = lowfirst(get_workflow(round_brief(ykien, round_id).workflow).terms.document)
    if as_json:
        print_json({"version": version})
    else:
        say(f"Đã lưu {document} phiên bản {version}.")  # the kind's word: "hồ sơ thẩm định phiên bản 2"


def drafts(round_id: int = ROUND_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Các phiên bản của tệp đợt gửi đi (dự thảo, hồ sơ ...)."""
    from workflows.service.drafts import versions

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        found = versions(open_app(), round_id)
    if as_json:
        print_json([{**v.__dict__, "path": str(v.path)} for v in found])
        return
    for v in found:
        say(f"v{v.version}\t{v.filename}\t{v.uploaded_at:%d/%m/%Y}\t{v.uploaded_by}\t"
            f"{'; '.join(v.sections)}")


def revise(round_id: int = ROUND_ARGUMENT,
           deadline: str | None = typer.Option(None, "--deadline", help="Hạn mới cho lần lấy ý kiến sau."),
           actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Dự thảo bị trả lại: chuyển về soạn thảo với phiên bản dự thảo mới nhất."""
    from workflows.cli.parsing import parse_deadline
    from workflows.service.drafts import revise_round

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        new_deadline = None
        if deadline:
            today = ykien.clock.now().astimezone(ykien.tz).date()
            new_deadline = parse_deadline(deadline, today, ykien.calendar)[0]
        result = revise_round(ykien, round_id, new_deadline, actor_name(actor))
    state = result.decision.state
    if as_json:
        print_json({"id": round_id, "status": state.status, "draft_version": state.draft_version,
                    "notice": result.notice})
    else:
        say(f"Đợt {round_id} trở về soạn thảo, dự thảo phiên bản {state.draft_version}.")
        if result.notice:
            say(result.notice)


def follow_up(round_id: int = ROUND_ARGUMENT,
              deadline: str = typer.Option(..., "--deadline", help="Hạn trả lời của đợt mới: 15/01/2026 hoặc "
                                           "\"10 ngày làm việc\"."),
              units: list[str] = typer.Option([], "--unit", help="Chỉ gửi cho các đơn vị này: mã hoặc tên, đủ hoặc một "
                                              "phần (mặc định: như đợt cũ)."),
              actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Tạo đợt mới (cùng loại) trên dự thảo đã sửa, gửi cùng danh sách hoặc ít đơn vị hơn."""
    from workflows.cli.parsing import parse_deadline
    from workflows.cli.unit_args import chosen_units
    from workflows.service.followup import follow_up_round

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        today = ykien.clock.now().astimezone(ykien.tz).date()
        due = parse_deadline(deadline, today, ykien.calendar)[0]
        chosen = chosen_units(ykien, round_id, units, "--unit", every_role=True)
        new_id = follow_up_round(ykien, round_id, due, actor_name(actor), [unit.code for unit in chosen] or None)
    if as_json:
        print_json({"id": new_id, **({"units": [unit.code for unit in chosen]} if chosen else {})})
    else:
        for unit in chosen:
            say(unit.line)
        say(f"Đã tạo đợt số {new_id} (chưa phát hành).")


__all__ = ["fail", "register"]

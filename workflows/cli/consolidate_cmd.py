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
    from workflows.service.consolidation import TriageItem


def register(app: typer.Typer) -> None:
    app.command("comments")(comments)
    app.command("handle")(handle)
    app.command("consolidate")(consolidate)
    app.command("draft")(draft)
    app.command("drafts")(drafts)
    app.command("revise")(revise)
    app.command("follow-up")(follow_up)


def _render_items(items: Iterable[TriageItem], title: str, on: Console = console) -> None:
    table = Table(title=title)
    for column in ("Số", "Đơn vị", "Mục", "Ý kiến", "Đề xuất sửa", "Xử lý", "Giải trình"):
        table.add_column(column)
    for item in items:
        table.add_row(*plain(item.comment_id, item.unit_name + (" (muộn)" if item.late else ""), item.section or "",
                             item.text, item.proposed_wording or "", item.decision_label, item.explanation or ""))
    on.print(table)


def comments(round_id: int = ROUND_ARGUMENT,
             unhandled: bool = typer.Option(False, "--unhandled", help="Chỉ ý kiến chưa xử lý."),
             as_json: bool = JSON_OPTION) -> None:
    """Các ý kiến của dự thảo hiện hành, kèm cách xử lý (tiếp thu / giải trình)."""
    from models.text import capfirst
    from workflows.service.consolidation import comments_to_triage

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        workflow, triaged = comments_to_triage(open_app(), round_id)  # refused for a kind without such a step
        items = [i for i in triaged if not unhandled or i.decision is None]
    if as_json:
        print_json([{**i.__dict__, "decision_label": i.decision_label} for i in items])
    else:
        _render_items(items, f"{capfirst(workflow.terms.answer)} của đợt {round_id}")


def handle(round_id: int = ROUND_ARGUMENT,
           comment_ids: list[int] = typer.Argument(..., help="Số ý kiến (gộp nhiều ý kiến giống nhau)."),
           decision: str = typer.Option(..., "--decision", help="accepted | partly_accepted | not_accepted | noted"),
           explanation: str | None = typer.Option(None, "--explanation",
                                                  help="Giải trình (bắt buộc khi không/tiếp thu một phần)."),
           actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Xử lý một hoặc nhiều ý kiến: tiếp thu, tiếp thu một phần, không tiếp thu (kèm giải trình), ghi nhận."""
    from models.consolidation import ExplanationRequired
    from models.errors import DomainError, InvalidInput
    from workflows.service.consolidation import handle_comments

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        for comment_id in comment_ids:
            check_id(comment_id, "COMMENT_IDS")
        try:
            handling_id = handle_comments(open_app(), round_id, comment_ids, decision, explanation,
                                          actor_name(actor))
        except ExplanationRequired as missing:  # an option left out, not a rule of the round
            raise InvalidInput(f"--explanation: {missing.message}", missing.code) from None
        except DomainError as refusal:
            if refusal.code != "comment_unknown":  # a number typed that the round has not: wrong input
                raise
            raise InvalidInput(f"COMMENT_IDS: {refusal.message}", refusal.code) from None
    if as_json:
        print_json({"handling": handling_id, "comments": comment_ids})
    else:
        say(f"Đã ghi cách xử lý cho {len(comment_ids)} ý kiến.")


def consolidate(round_id: int = ROUND_ARGUMENT, actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Hoàn thành tổng hợp; từ chối và liệt kê các ý kiến chưa xử lý."""
    from workflows.cli.stoppable import run_sending
    from workflows.engine.events import Command
    from workflows.engine.refusals import GuardFailed
    from workflows.service.commands import run_command
    from workflows.service.consolidation import triage_items

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        try:
            result, finish = run_sending(ykien, lambda: run_command(ykien, round_id, Command("consolidate"),
                                                                    actor_name(actor)))
        except GuardFailed as refusal:
            if refusal.code != "comments_unhandled":
                raise
            pending = [i for i in triage_items(ykien, round_id) if i.decision is None]
            if as_json:
                print_json({"error": {"code": refusal.code, "message": refusal.message,
                                      "unhandled": [i.comment_id for i in pending]}})
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
    from models.errors import InvalidInput
    from models.text import lowfirst, nfc_or_none
    from workflows.service.drafts import add_version, parse_sections
    from workflows.service.registry import get_workflow
    from workflows.service.views import round_brief

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        if file.is_dir():
            raise InvalidInput(f"{file}: đây là một thư mục, không phải tệp.", "file_missing")
        if not file.is_file():
            raise InvalidInput(f"{file}: không tìm thấy tệp.", "file_missing")
        ykien = open_app()
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

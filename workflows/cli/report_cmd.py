"""`ykien round headings|heading-text|next`: a round whose form has headings (a programme report, seed 003),
consolidated heading by heading, and next year's round started from it."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from models.text import grouped
from workflows.cli.common import (
    ACTOR_OPTION,
    JSON_OPTION,
    ROUND_ARGUMENT,
    actor_name,
    check_id,
    console,
    guarded,
    open_app,
    plain,
    print_json,
    say,
)


def register(app: typer.Typer) -> None:
    app.command("headings")(headings)
    app.command("heading-text")(heading_text)
    app.command("next")(next_round)


def headings(round_id: int = ROUND_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Tổng hợp báo cáo theo từng mục: nội dung từng đơn vị, nội dung tổng hợp, số liệu cộng theo mục."""
    from workflows.service.report_sections import report_consolidation

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        report = report_consolidation(open_app(), round_id)
    if as_json:
        print_json({"round": round_id, "units_reported": report.reported, "units_not_reported": report.not_reported,
                    "previous_round": report.previous_round_id,
                    "headings": [{"key": h.section.key, "heading": h.section.heading, "text": h.text,
                                  "edited": h.consolidated is not None,
                                  "passages": [{"unit": p.unit_code, "unit_name": p.unit_name, "text": p.text,
                                                "late": p.late} for p in h.passages],
                                  "figures": [{"key": f.field.key, "label": f.field.label, "total": f.total,
                                               "previous": f.previous,
                                               "by_unit": [{"unit_name": n, "value": v} for n, v in f.by_unit]}
                                              for f in h.figures]}
                                 for h in report.headings]})
        return
    say(f"Đã báo cáo ({len(report.reported)}): {'; '.join(report.reported) or '—'}")
    say(f"Chưa báo cáo ({len(report.not_reported)}): {'; '.join(report.not_reported) or '—'}")
    for h in report.headings:
        console.print(f"[bold]{h.section.heading}[/bold]", highlight=False)
        for p in h.passages:
            say(f"  - {p.unit_name}{' (trễ hạn)' if p.late else ''}: {p.text}")
        if h.figures:
            table = Table(show_lines=False)
            for column in ("Số liệu", "Tổng", *(["Đợt trước"] if report.previous_round_id else []),
                           "Đơn vị cung cấp"):
                table.add_column(column)
            for f in h.figures:
                previous = [grouped(f.previous) if f.previous is not None else "—"] \
                    if report.previous_round_id else []
                table.add_row(*plain(f.field.label, f.shown if f.by_unit else "—", *previous,
                                     "; ".join(f"{n}: {grouped(v)}" for n, v in f.by_unit) or "—"))
            console.print(table)


def heading_text(round_id: int = ROUND_ARGUMENT,
                 heading: str = typer.Argument(..., help="Mã mục trong đề cương (vd. training)."),
                 text_file: Path = typer.Option(..., "--text-file", help="Tệp văn bản UTF-8: nội dung tổng hợp."),
                 actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Ghi nội dung tổng hợp của một mục (thay nội dung ghép từ các đơn vị)."""
    from models.errors import InvalidInput
    from workflows.cli.text_files import read_text_file
    from workflows.service.report_sections import save_heading_text

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        text = read_text_file(text_file, "--text-file", "bad_text_file")
        try:
            save_heading_text(open_app(), round_id, heading, text, actor_name(actor))
        except InvalidInput as problem:
            if problem.code not in ("text_too_long", "control_character"):  # about the file's text: name the file
                raise
            raise InvalidInput(f"--text-file {text_file}: {problem.message}", problem.code) from None
    if as_json:
        print_json({"round": round_id, "heading": heading})
    else:
        say(f"Đã ghi nội dung tổng hợp của mục \"{heading}\".")


def next_round(round_id: int = ROUND_ARGUMENT, title: str = typer.Option(..., "--title", help="Tên đợt mới."),
               deadline: str = typer.Option(..., "--deadline", help="Hạn gửi báo cáo (dd/mm/yyyy)."),
               actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Tạo đợt tiếp theo (năm sau) từ đợt này: cùng đề cương, cùng cơ quan, đơn vị; chưa phát hành.

    Chỉ ở trạng thái mà quy trình cho phép (allows: next_round, ví dụ đợt thu thập báo cáo đang tổng hợp); ở trạng
    thái khác: từ chối, kể các bước làm được (mã thoát 1)."""
    from models.errors import InvalidInput
    from workflows.cli.parsing import parse_deadline
    from workflows.service.report_sections import start_next_round

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        if not title.strip():  # the service says it as the web form's field; here it is an option
            raise InvalidInput("--title: chưa có tên đợt mới (bắt buộc).", "title_missing")
        ykien = open_app()
        today = ykien.clock.now().astimezone(ykien.tz).date()
        new_id = start_next_round(ykien, round_id, title, parse_deadline(deadline, today, ykien.calendar)[0],
                                  actor_name(actor))
    if as_json:
        print_json({"id": new_id, "previous_round": round_id})
    else:
        say(f"Đã tạo đợt số {new_id} từ đợt {round_id} (chưa phát hành).")

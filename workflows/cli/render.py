"""Human output of the read commands: rich tables in Vietnamese."""
from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from models.audit import AuditEvent, ChainBreak
from models.moments import local_moment, when_due
from models.text import capfirst
from models.unit_status import EMAIL_LABELS, AnswerStatus
from workflows.cli.common import console, plain, say
from workflows.definition.schema import ResponseSpec
from workflows.service.attachments import shown_value
from workflows.service.registry import get_workflow

# Columns whose cells are codes or dates: cut to "04/12/…" or "P-NUNGT…" they say nothing (and a unit code is what
# `round respond` needs), so they are never narrower than their longest value; the columns of words wrap instead.
WHOLE_COLUMNS = frozenset({"Số", "Mã", "Hạn", "Thời gian"})
MOMENT_COLUMNS = frozenset({"Việc hẹn tiếp theo"})  # "… lúc 08:00 02/12/2025": the date stays whole
DATE_WIDTH = len("04/12/2025")


def _fits(table: Table, rows: Sequence[Sequence[Text]]) -> bool:
    """Whether `table` shows at the console's width with no line too long and no word cut short ("…")."""
    import io

    from rich.console import Console

    trial = Console(file=io.StringIO(), width=console.width, color_system=None, highlight=False)
    with trial.capture() as captured:
        trial.print(table, crop=False)
    shown = captured.get()
    cut = "…" in shown and not any("…" in cell.plain for row in rows for cell in row)
    return not cut and all(cell_len(line) <= console.width for line in shown.splitlines())


def fitted_table(headers: Sequence[str], rows: Sequence[Sequence[Text]], title: str | None = None,
                 key_columns: int = 2) -> None:
    """`rows` under `headers` as a table when every column can show its longest word at the console's width;
    else each row as a block ("CODE · name", then its "header: value" pairs on an indented line), so that a
    narrow terminal never shows "Th…" for a header nor "04/12/…" for a date. The first `key_columns` cells name
    the row in a block."""
    table = Table(title=title, show_lines=False)
    for index, header in enumerate(headers):
        longest = max((cell_len(row[index].plain) for row in rows), default=0)
        floor = longest if header in WHOLE_COLUMNS else DATE_WIDTH if header in MOMENT_COLUMNS else 0
        table.add_column(header, min_width=floor or None)
    for row in rows:
        table.add_row(*row)
    if not rows or _fits(table, rows):
        console.print(table)
        return
    if title:
        console.print(Text(title, style="bold"))
    for row in rows:
        console.print(Text(" · ").join(row[:key_columns]), style="bold")
        shown = [Text.assemble(f"{header}: ", cell)
                 for header, cell in zip(headers[key_columns:], row[key_columns:], strict=True)
                 if cell.plain.strip() and cell.plain != "—"]
        if shown:
            console.print(Padding(Text(" · ").join(shown), (0, 0, 0, 4), expand=False))


def render_round_list(rounds: Sequence, tz: ZoneInfo) -> None:
    headers = ("Số", "Tên", "Quy trình", "Phòng", "Trạng thái", "Hạn", "Đã trả lời", "Việc hẹn tiếp theo")
    rows = [plain(r.id, r.title, r.workflow_title, r.office, r.status_title,
                  f"{r.deadline:%d/%m/%Y}" if r.deadline else "—", f"{r.answered}/{r.asked}",
                  f"{r.next_timer_title} {when_due(r.next_timer_at, tz)}" if r.next_timer else "—")
            for r in rounds]
    fitted_table(headers, rows, title="Các đợt")


def render_round(view, comments, tz: ZoneInfo, mail_problems: Sequence | None = None,
                 own_columns: Sequence[tuple[str, dict[str, str]]] = ()) -> None:
    """The round in the words of its kind: its answer labels, its role names and its silence rule; with
    `mail_problems` (outbox_view.outbox_problems), what of its mail waits for a retry or failed, and why;
    `own_columns` are the kind's own grid columns as (title, unit code -> text), shown after the answer."""
    from workflows.service.views import role_labels

    state = view.state
    workflow = get_workflow(state.workflow)
    terms = workflow.terms
    console.print(Text.assemble((f"Đợt {state.id}: {state.title}", "bold"), f" ({workflow.title})"))
    silence = ""
    if workflow.silence.possible:
        silence = (f" · Quá hạn không trả lời: {view.silence_label}" if view.silence_label
                   else " · Quá hạn không trả lời: không được coi là đồng ý")
    deadline = f"{state.deadline:%d/%m/%Y}" if state.deadline else "—"
    say(f"Trạng thái: {view.status_title} · Hạn chung: {deadline} · "
        f"Ngày hiện tại: {view.today:%d/%m/%Y}{silence}")
    if view.silence_label and workflow.silence.sentence:
        console.print(Text(workflow.silence.sentence, style="dim"))
    # A column with nothing in it for any unit (no notes yet, no reminder sent) is left out: at 80 columns its
    # header alone takes the room the names and dates need.
    notes = any(view.flags(unit) for unit in view.units)
    reminded = any(unit.reminders_sent for unit in view.units)
    headers = ("Mã", "Cơ quan, đơn vị", "Vai trò", "Thư", "Trả lời", *(t for t, _ in own_columns), "Hạn",
               *(("Ghi chú",) if notes else ()), *(("Đôn đốc",) if reminded else ()))
    colors = {AnswerStatus.COMMENTS: "green", AnswerStatus.AGREE: "green", AnswerStatus.PROPOSALS: "green",
              AnswerStatus.DECLINED: "blue",
              AnswerStatus.PENDING: "yellow", AnswerStatus.SILENT: "red", AnswerStatus.NOT_ASKED: "dim"}
    roles = {role: label.lower() for role, label in role_labels(workflow).items()}
    rows = [plain(unit.unit_code, unit.unit_name, roles.get(unit.role, unit.role), EMAIL_LABELS[unit.email],
                  Text(view.answer_label(unit), style=colors[unit.answer]),
                  *(values.get(unit.unit_code) or "—" for _, values in own_columns),
                  f"{unit.deadline:%d/%m/%Y}" if unit.deadline and unit.role == "comment" else "—",
                  *((", ".join(view.flags(unit)),) if notes else ()),
                  *((unit.reminders_sent or "",) if reminded else ()))
            for unit in view.units]
    fitted_table(headers, rows)
    counts = view.counts
    say("Tổng: " + ", ".join(f"{view.answer_labels.get(a.value, a.value)}: {counts.get(a.value, 0)}"
                              for a in AnswerStatus if counts.get(a.value)) +
        f"; trễ hạn: {counts.get('late', 0)}; gia hạn: {counts.get('extended', 0)}; "
        f"thư lỗi: {counts.get('email_failed', 0)}")
    if view.pending_timers:
        say("Việc hẹn giờ: " + "; ".join(f"{title} {when_due(due, tz)}"
                                         for title, due in view.upcoming()[:6]))
    render_mail_problems(mail_problems or ())
    if comments:
        console.print(Text(f"{terms.answer[:1].upper()}{terms.answer[1:]} đã nhận", style="bold"))
        # a kind whose forms can decline says which each unit's form says ("Tham dự", "Không tham dự")
        said = {u.unit_code: view.answer_label(u) for u in view.units} if workflow.response.decline else {}
        for c in comments:
            where = f"[{c.section}] " if c.section else ""
            if c.text:
                what = c.text
            elif c.kind == "agree":
                what = terms.agreed
            elif c.unit_code in said or not c.proposals:  # the forms themselves follow, field by field
                what = f"({said.get(c.unit_code) or terms.answer})"
            else:
                what = ""
            late = " (trễ hạn)" if c.late else ""
            say(f"- {c.unit_name}{late}:{' ' if where or what else ''}{where}{what}" +
                (f" → đề xuất: {c.proposed_wording}" if c.proposed_wording else ""))
            for number, form in enumerate(c.proposals, start=1):
                render_form(workflow.response, form, number if len(c.proposals) > 1 else None)


def render_form(response: ResponseSpec, values: dict[str, str], number: int | None) -> None:
    """One filled form under its unit's line: each filled field by its label, in form order ("Kết luận thẩm định:
    Đạt yêu cầu"), a file by its name and size."""
    if number is not None:
        say(f"  Phiếu {number}:")
    indent = "    " if number is not None else "  "
    for field in response.fields:
        value = values.get(field.key, "").strip()
        if value:
            say(f"{indent}{field.label}: {shown_value(field, value)}")


def render_mail_problems(problems: Sequence) -> None:
    """One line per reason: mail waiting for a retry (when, why), then mail that failed (the server's reply)."""
    for problem in problems:
        console.print(Text(problem.text, style="yellow" if problem.status == "queued" else "red"))


def render_audit(events: Sequence[AuditEvent], broken: ChainBreak | None, tz: ZoneInfo, workflow_name: str,
                 unit_names: dict[str, str]) -> None:
    """The log in the words the audit page uses (workflows/service/audit_view.py): the kind's event titles, the
    states' and timers' titles, units by name, dates as dd/mm/yyyy, "có"/"không"; never "late_accept=False",
    "to=circulating" or "deadline=2025-12-04"."""
    from workflows.service.audit_view import audit_lines

    lines = audit_lines(events, get_workflow(workflow_name), unit_names, tz)
    rows = [plain(line.seq, local_moment(line.at, tz), line.actor, capfirst(line.action),
                  "\n".join(f"{d.label}: {d.value}" for d in line.details) or "—")  # one a line: a value may end in "."
            for line in lines]
    fitted_table(("STT", "Thời gian", "Người thực hiện", "Sự kiện", "Chi tiết"), rows, title="Nhật ký của đợt",
                 key_columns=4)
    if broken is None:
        console.print(Text(f"Chuỗi băm toàn vẹn ({len(events)} sự kiện).", style="green"))
    else:
        console.print(Text(f"Chuỗi băm bị phá vỡ tại sự kiện số {broken.seq}: {broken.reason}.", style="bold red"))

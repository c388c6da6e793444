"""Human output of the read commands: rich tables in Vietnamese."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text

from models.audit import AuditEvent, ChainBreak
from models.unit_status import EMAIL_LABELS, AnswerStatus
from workflows.cli.common import console, plain, say
from workflows.service.registry import get_workflow


def local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M %d/%m/%Y") if moment else "—"


def render_round_list(rounds: Sequence, tz: ZoneInfo) -> None:
    table = Table(title="Các đợt", show_lines=False)
    for column in ("Số", "Tên", "Quy trình", "Phòng", "Trạng thái", "Hạn", "Đã trả lời", "Việc hẹn tiếp theo"):
        table.add_column(column)
    for r in rounds:
        table.add_row(*plain(r.id, r.title, r.workflow_title, r.office, r.status_title,
                             f"{r.deadline:%d/%m/%Y}" if r.deadline else "—", f"{r.answered}/{r.asked}",
                             f"{r.next_timer_title} lúc {local(r.next_timer_at, tz)}" if r.next_timer else "—"))
    console.print(table)


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
    table = Table(show_lines=False)
    for column in ("Mã", "Cơ quan, đơn vị", "Vai trò", "Thư", "Trả lời", *(t for t, _ in own_columns), "Hạn",
                   "Ghi chú", "Đôn đốc"):
        table.add_column(column)
    colors = {AnswerStatus.COMMENTS: "green", AnswerStatus.AGREE: "green", AnswerStatus.PROPOSALS: "green",
              AnswerStatus.PENDING: "yellow", AnswerStatus.SILENT: "red", AnswerStatus.NOT_ASKED: "dim"}
    roles = {role: label.lower() for role, label in role_labels(workflow).items()}
    for unit in view.units:
        table.add_row(*plain(unit.unit_code, unit.unit_name, roles.get(unit.role, unit.role), EMAIL_LABELS[unit.email],
                             Text(view.answer_label(unit), style=colors[unit.answer]),
                             *(values.get(unit.unit_code) or "—" for _, values in own_columns),
                             f"{unit.deadline:%d/%m/%Y}" if unit.deadline and unit.role == "comment" else "—",
                             ", ".join(view.flags(unit)),
                             unit.reminders_sent or ""))
    console.print(table)
    counts = view.counts
    say("Tổng: " + ", ".join(f"{view.answer_labels.get(a.value, a.value)}: {counts.get(a.value, 0)}"
                              for a in AnswerStatus if counts.get(a.value)) +
        f"; trễ hạn: {counts.get('late', 0)}; gia hạn: {counts.get('extended', 0)}; "
        f"thư lỗi: {counts.get('email_failed', 0)}")
    if view.pending_timers:
        say("Việc hẹn giờ: " + "; ".join(f"{title} lúc {local(due, tz)}"
                                         for title, due in view.upcoming()[:6]))
    render_mail_problems(mail_problems or ())
    if comments:
        console.print(Text(f"{terms.answer[:1].upper()}{terms.answer[1:]} đã nhận", style="bold"))
        for c in comments:
            where = f"[{c.section}] " if c.section else ""
            what = c.text if c.text else (terms.agreed if c.kind == "agree" else f"({terms.answer})")
            late = " (trễ hạn)" if c.late else ""
            say(f"- {c.unit_name}{late}: {where}{what}" +
                (f" → đề xuất: {c.proposed_wording}" if c.proposed_wording else ""))


def render_mail_problems(problems: Sequence) -> None:
    """One line per reason: mail waiting for a retry (when, why), then mail that failed (the server's reply)."""
    for problem in problems:
        console.print(Text(problem.text, style="yellow" if problem.status == "queued" else "red"))


def _short(value: object, keep: int = 5) -> str:
    """Long unit lists are cut for people; --json keeps them whole."""
    if isinstance(value, list) and len(value) > keep:
        return f"{len(value)} đơn vị: {', '.join(map(str, value[:keep]))}, …"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def render_audit(events: Sequence[AuditEvent], broken: ChainBreak | None, tz: ZoneInfo) -> None:
    table = Table(title="Nhật ký của đợt")
    for column in ("#", "Thời gian", "Người thực hiện", "Sự kiện", "Chi tiết"):
        table.add_column(column)
    for e in events:
        details = ", ".join(f"{k}={_short(v)}" for k, v in e.details.items() if v not in (None, [], ""))
        table.add_row(*plain(e.seq, local(e.at, tz), e.actor, e.action, details))
    console.print(table)
    if broken is None:
        console.print(Text(f"Chuỗi băm toàn vẹn ({len(events)} sự kiện).", style="green"))
    else:
        console.print(Text(f"Chuỗi băm bị phá vỡ tại sự kiện số {broken.seq}: {broken.reason}.", style="bold red"))

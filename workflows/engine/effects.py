"""Named effects a workflow may attach to transitions, state entry and timers.

An effect changes the state being decided and appends rows to the decision; it never does I/O.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from config.calendar_words import day_off_problem
from models.rounds import RecipientState, ResponseKind, Task
from workflows.engine.context import EngineContext
from workflows.engine.decision import AuditEntry, MessageIntent, ResponseRecord
from workflows.engine.events import Command, Extend, Remind, Respond
from workflows.engine.needs import Needs, needs
from workflows.engine.refusals import Refused

Effect = Callable[[EngineContext], None]



def _queue(ctx: EngineContext, kind: str, recipients: list[RecipientState], **extra: object) -> None:
    for recipient in recipients:
        ctx.decision.messages.append(MessageIntent(kind, recipient.unit_code, dict(extra)))


@needs(Needs.ROUND)
def send_invitations(ctx: EngineContext) -> None:
    """Fix the deadline, stamp the launch and queue one invitation per unit."""
    state = ctx.state
    if state.deadline_working_days is not None:
        # "N working days" counts from the day the letter goes out, not from the day it was drafted.
        state.deadline = ctx.calendar.add_working_days(ctx.today, state.deadline_working_days)
    if state.deadline is None:
        raise Refused("Đợt chưa có hạn trả lời.", "deadline_missing")
    if state.deadline < ctx.today:
        raise Refused(f"Hạn trả lời {state.deadline:%d/%m/%Y} đã qua; hãy đặt hạn mới.", "deadline_in_past")
    if not state.recipients:
        raise Refused("Đợt chưa có cơ quan, đơn vị nhận.", "no_recipients")
    state.launched_at = ctx.now
    state.launch_deadline = state.deadline
    _queue(ctx, "invitation", list(state.recipients.values()))


def _reminder(ctx: EngineContext, recipients: list[RecipientState]) -> None:
    for recipient in recipients:
        deadline = recipient.deadline(ctx.state.deadline)
        recipient.reminders_sent += 1
        if deadline is not None and ctx.today > deadline:
            overdue = ctx.calendar.working_days_between(deadline, ctx.today)
            _queue(ctx, "reminder_overdue", [recipient], days_overdue=overdue)
        else:
            _queue(ctx, "reminder_before", [recipient])


@needs(Needs.ROUND)
def remind_pending(ctx: EngineContext) -> None:
    """Remind the units still silent whose deadline is the one this timer was set for, while it has not passed: a
    reminder before the deadline that fires after it (the process was down, the sweep catches up) sends no letter;
    the units past their deadline hear from the kind's overdue reminder, if it plans one."""
    group = ctx.timer_payload.get("deadline")
    targets = [r for r in ctx.state.pending()
               if (group is None or str(r.deadline(ctx.state.deadline)) == group)
               and not ((d := r.deadline(ctx.state.deadline)) is not None and ctx.today > d)]
    _reminder(ctx, targets)
    ctx.scratch["reminded"] = [r.unit_code for r in targets]


@needs(Needs.ROUND)
def remind_overdue(ctx: EngineContext) -> None:
    """Remind the units still silent whose own deadline has passed (of this timer's deadline group)."""
    group = ctx.timer_payload.get("deadline")
    targets = [r for r in ctx.state.pending()
               if (d := r.deadline(ctx.state.deadline)) is not None and ctx.today > d
               and (group is None or str(d) == group)]
    _reminder(ctx, targets)
    ctx.scratch["reminded"] = [r.unit_code for r in targets]


@needs(Needs.UNIT)  # the chosen units; a reminder to all that have not answered names none: every unit is loaded
def remind_selected(ctx: EngineContext) -> None:
    """Remind now the chosen units (all that have not answered when none are chosen)."""
    assert isinstance(ctx.event, Remind)
    pending = {r.unit_code: r for r in ctx.state.pending()}
    if ctx.event.unit_codes is None:
        targets = list(pending.values())
    else:
        for code in ctx.event.unit_codes:
            if code not in ctx.state.recipients:
                raise Refused(f"Đơn vị \"{code}\" không thuộc đợt này.", "unit_unknown")
        targets = [pending[c] for c in ctx.event.unit_codes if c in pending]
        ctx.scratch["skipped"] = [c for c in ctx.event.unit_codes if c not in pending]
    if not targets:
        raise Refused("Không có cơ quan, đơn vị nào cần đôn đốc (tất cả đã trả lời).", "nothing_pending")
    _reminder(ctx, targets)
    ctx.scratch["reminded"] = [r.unit_code for r in targets]


@needs(Needs.UNIT)
def record_response(ctx: EngineContext) -> None:
    """Record one unit's answer as a new revision."""
    event = ctx.event
    assert isinstance(event, Respond)
    recipient = ctx.state.recipient(event.unit_code)
    if recipient is None:
        raise Refused(f"Đơn vị \"{event.unit_code}\" không thuộc đợt này.", "unit_unknown")
    if not recipient.answers:
        raise Refused(f"{recipient.unit_name} chỉ nhận văn bản để đăng tải/để biết, không được đề nghị trả lời.",
                      "unit_not_asked")
    spec = ctx.workflow.response
    if event.kind is ResponseKind.AGREE and not spec.allow_agree:
        raise Refused(f"Quy trình này không nhận trả lời \"{ctx.workflow.terms.agreed}\".", "agree_not_allowed")
    if event.kind is ResponseKind.COMMENTS:
        if spec.kind != "comments":
            raise Refused("Đợt này nhận phiếu theo mẫu, không nhận danh sách ý kiến.", "wrong_response_kind")
        if not event.comments:
            raise Refused("Trả lời có ý kiến phải có ít nhất một ý kiến.", "comments_missing")
    if event.kind is ResponseKind.PROPOSALS:
        if spec.kind != "proposals":
            raise Refused("Đợt này nhận danh sách ý kiến, không nhận phiếu theo mẫu.", "wrong_response_kind")
        if not event.proposals:
            raise Refused("Trả lời theo mẫu phải có ít nhất một phiếu.", "proposal_incomplete")
        if len(event.proposals) > spec.items_allowed:
            limit = f"nhiều nhất {spec.items_allowed} phiếu" if spec.repeatable else "một phiếu"
            raise Refused(f"Mỗi lần gửi nhận {limit} (đang có {len(event.proposals)}).", "too_many_proposals")
        for number, proposal in enumerate(event.proposals, start=1):
            missing = [f.label for f in spec.fields
                       if f.required_for(proposal) and not str(proposal.get(f.key) or "").strip()]
            if missing:
                place = f"Phiếu {number}" if len(event.proposals) > 1 else "Phiếu đề xuất"
                raise Refused(f"{place} còn thiếu: " + ", ".join(missing) + ".", "proposal_incomplete")
    deadline = recipient.deadline(ctx.state.deadline)
    late = deadline is not None and ctx.today > deadline
    recipient.response_kind = event.kind
    recipient.responded_at = ctx.now
    recipient.response_late = late
    recipient.response_revision += 1
    ctx.decision.responses.append(ResponseRecord(
        unit_code=recipient.unit_code, revision=recipient.response_revision, kind=event.kind,
        entered_by=event.entered_by, channel=event.channel, received_at=ctx.now, late=late,
        comments=event.comments, proposals=event.proposals, note=event.note,
        attachment_name=event.attachment_name, attachment_sha256=event.attachment_sha256))


@needs(Needs.UNIT)
def send_receipt(ctx: EngineContext) -> None:
    event = ctx.event
    assert isinstance(event, Respond)
    recipient = ctx.state.recipients[event.unit_code]
    _queue(ctx, "receipt", [recipient], response_kind=event.kind.value,
           comment_count=len(event.proposals) if event.kind is ResponseKind.PROPOSALS else len(event.comments),
           received_at=ctx.now.isoformat(),
           late=recipient.response_late,
           comments=[{"section": c.section, "text": c.text, "proposed_wording": c.proposed_wording}
                     for c in event.comments])


@needs(Needs.UNIT | Needs.DEADLINES)  # an extension for the whole round names no unit: every unit is loaded
def move_deadline(ctx: EngineContext) -> None:
    """Extend the deadline of one unit or of the whole round, and re-plan deadline timers (from the distinct
    deadlines: for one unit, its own and those of the others, read in one aggregate query)."""
    event = ctx.event
    assert isinstance(event, Extend)
    day_off = day_off_problem(ctx.calendar, event.new_deadline, "Hạn mới ")
    if day_off is not None:
        raise Refused(day_off, "deadline_not_working_day")
    state = ctx.state
    affected: list[tuple[RecipientState, date | None]] = []
    if event.unit_code is not None:
        recipient = state.recipient(event.unit_code)
        if recipient is None:
            raise Refused(f"Đơn vị \"{event.unit_code}\" không thuộc đợt này.", "unit_unknown")
        if not recipient.answers:
            raise Refused(f"{recipient.unit_name} không được đề nghị trả lời nên không cần gia hạn.",
                          "unit_not_asked")
        affected.append((recipient, recipient.deadline(state.deadline)))
        recipient.deadline_override = event.new_deadline
    else:
        for recipient in state.answering():
            old = recipient.deadline(state.deadline)
            if old is not None and old >= event.new_deadline:
                continue
            affected.append((recipient, old))
            recipient.deadline_override = None
        state.deadline = event.new_deadline
    ctx.scratch["extended"] = affected
    ctx.reschedule = True


@needs(Needs.HEADER)
def notify_extension(ctx: EngineContext) -> None:
    event = ctx.event
    assert isinstance(event, Extend)
    for recipient, old in ctx.scratch.get("extended", []):
        ctx.decision.messages.append(MessageIntent("extension", recipient.unit_code, {
            "old_deadline": old.isoformat() if old else None,
            "new_deadline": event.new_deadline.isoformat(),
            "reason": event.reason,
        }))


@needs(Needs.HEADER)
def mark_closed(ctx: EngineContext) -> None:
    ctx.state.closed_at = ctx.now


@needs(Needs.HEADER)
def open_tasks(ctx: EngineContext) -> None:
    """Open for staff the tasks the state declares (`opens:`), each once while it is open."""
    for name in ctx.workflow.state(ctx.state.status).opens:
        if not any(t.name == name and t.done_at is None for t in ctx.state.tasks):
            ctx.state.tasks.append(Task(name, ctx.now))
            ctx.decision.audit.append(AuditEntry("task_opened", {"task": name}))


@needs(Needs.HEADER)
def complete_task(ctx: EngineContext) -> None:
    for task in ctx.state.open_tasks():
        task.done_at = ctx.now
        ctx.decision.audit.append(AuditEntry("task_done", {"task": task.name}))


def _record_outcome(ctx: EngineContext, key: str) -> None:
    ctx.state.outcome[key] = ctx.now.isoformat()
    if isinstance(ctx.event, Command):
        for name, value in ctx.event.data.items():
            if value is not None:
                ctx.state.outcome[f"{key.removesuffix('_at')}_{name}"] = str(value)


@needs(Needs.HEADER)
def record_consolidation(ctx: EngineContext) -> None:
    _record_outcome(ctx, "consolidated_at")


@needs(Needs.HEADER)
def record_submission(ctx: EngineContext) -> None:
    _record_outcome(ctx, "submitted_at")


@needs(Needs.HEADER)
def record_decision(ctx: EngineContext) -> None:
    _record_outcome(ctx, "decided_at")
    ctx.state.outcome["decision"] = ctx.event.name


@needs(Needs.ROUND)
def new_draft_version(ctx: EngineContext) -> None:
    """Start the next draft version: the answers to the previous version stay in history."""
    state = ctx.state
    uploaded = ctx.event.data.get("version") if isinstance(ctx.event, Command) else None
    state.draft_version = max(state.draft_version + 1, int(uploaded or 0))
    state.launched_at = None
    state.launch_deadline = None
    state.closed_at = None
    if isinstance(ctx.event, Command) and ctx.event.data.get("deadline"):
        state.deadline = date.fromisoformat(str(ctx.event.data["deadline"]))
    for recipient in state.recipients.values():
        recipient.deadline_override = None
        recipient.response_kind = None
        recipient.responded_at = None
        recipient.response_late = False
        recipient.reminders_sent = 0


EFFECTS: dict[str, Effect] = {
    "send_invitations": send_invitations,
    "remind_pending": remind_pending,
    "remind_overdue": remind_overdue,
    "remind_selected": remind_selected,
    "record_response": record_response,
    "send_receipt": send_receipt,
    "move_deadline": move_deadline,
    "notify_extension": notify_extension,
    "mark_closed": mark_closed,
    "open_tasks": open_tasks,
    "complete_task": complete_task,
    "record_consolidation": record_consolidation,
    "record_submission": record_submission,
    "record_decision": record_decision,
    "new_draft_version": new_draft_version,
}

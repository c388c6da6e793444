"""Preparatory tasks given to named units of a round (seed 004: papers by named departments, speeches to the UBND
office before a date), each with its own due date and reminders, handed in apart from the unit's answer.

The kinds of task, who may be given them, their default due dates, reminders and fields come from the round's
definition (`assignments:`); nothing here names one. A hand-in or a reminder reads and writes that one assignment
(and the unit's recipient row for its email), whatever the size of the round.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from models.assignments import Assignment
from models.db.assignment_repository import DONE, PENDING
from models.db.tables_assignments import AssignmentRow
from models.db.unit_of_work import UnitOfWork
from models.errors import DomainError, InvalidInput
from models.rounds import ResponseChannel, RoundState
from workflows.definition import Capability, ResponseSpec, Workflow
from workflows.definition.schema import AssignmentDef
from workflows.engine.decision import MessageIntent
from workflows.engine.timers import next_reminder, spec_date
from workflows.service.answer_input import clean_proposals, clean_text
from workflows.service.app import App
from workflows.service.deadlines import check_working_day_ahead
from workflows.service.delivery import worker_name
from workflows.service.outgoing import OutboxWriter
from workflows.service.registry import get_workflow

log = logging.getLogger("ykien.assignments")

NOTE_LIMIT = 500
REMINDER_BATCH = 20
REMINDER_LEASE = timedelta(minutes=5)
SCHEDULER = "hệ thống (bộ hẹn giờ)"
REMINDER_MESSAGE = "task_reminder"
RECEIPT_MESSAGE = "task_receipt"


# The audit actions recorded here, as staff read them (for the pages that show a round's audit trail).
AUDIT_ACTIONS: dict[str, str] = {
    "task_assigned": "giao nhiệm vụ", "task_unassigned": "hủy nhiệm vụ đã giao",
    "task_handed_in": "nhận kết quả nhiệm vụ", "task_reminded": "đôn đốc nhiệm vụ",
}


def action_labels() -> Mapping[str, str]:
    return AUDIT_ACTIONS


class AssignmentNotFound(DomainError):
    code = "assignment_not_found"


def _today(app: App, now: datetime | None = None) -> date:
    return (now or app.clock.now()).astimezone(app.tz).date()


def task_definition(workflow: Workflow, task: str) -> AssignmentDef:
    """The workflow's task `task`; InvalidInput naming the field "task" and the tasks there are, or saying that the
    workflow gives units none."""
    if task not in workflow.assignments:
        shown = task[:40]
        if not workflow.assignments:
            raise InvalidInput(f"task: quy trình \"{workflow.title}\" không giao nhiệm vụ riêng nào cho đơn vị "
                               f"(không có nhiệm vụ \"{shown}\").", "task_unknown")
        raise InvalidInput(f"task: quy trình \"{workflow.title}\" không có nhiệm vụ \"{shown}\" (có: "
                           f"{', '.join(workflow.assignments)}).", "task_unknown")
    return workflow.assignments[task]


def task_form(workflow: Workflow, task: str) -> ResponseSpec:
    """The fields a unit hands in for `task`, as a one-page form; InvalidInput naming --task/task when unknown."""
    return task_definition(workflow, task).form()


def round_dates(app: App, round_id: int) -> dict[str, date]:
    """The named dates the round was given at its creation ({"event": date(2025, 8, 20)})."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        return {key: date.fromisoformat(day) for key, day in (row.dates or {}).items()}


def titled_dates(app: App, round_id: int) -> tuple[tuple[str, date], ...]:
    """The round's named dates as its kind titles them, in date order (Workflow.titled_dates)."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        given = {key: date.fromisoformat(day) for key, day in (row.dates or {}).items()}
    return get_workflow(row.workflow).titled_dates(given)


def default_due(app: App, workflow: Workflow, task: str, deadline: date | None,
                dates: Mapping[str, date]) -> date | None:
    """The due date the definition gives a task of this round (None when the date it counts from is not given)."""
    return spec_date(app.calendar, task_definition(workflow, task).due, deadline, dict(dates), workflow.grace_days())


def _check_due(app: App, workflow: Workflow, spec: AssignmentDef, due: date, dates: Mapping[str, date]) -> None:
    check_working_day_ahead(app.calendar, _today(app), due, "due", noun="hạn ")
    anchor = spec.due.anchor
    if isinstance(anchor, str) and anchor in workflow.dates and anchor in dates and due > dates[anchor]:
        title = workflow.dates[anchor].title
        raise InvalidInput(f"due: hạn {due:%d/%m/%Y} sau {title.lower()} ({dates[anchor]:%d/%m/%Y}).",
                           "due_after_date")


def _plan(app: App, row: AssignmentRow, spec: AssignmentDef, after: datetime) -> None:
    """Set the assignment's next reminder after `after` (none left, or handed in: no reminder)."""
    upcoming = None if row.done_at is not None else next_reminder(spec.reminders, row.due, after, app.calendar,
                                                                  app.tz)
    row.claimed_by = None
    row.claimed_until = None
    if upcoming is None:
        row.status, row.remind_at = DONE, None
        return
    row.status, row.remind_at = PENDING, upcoming.at
    row.remind_index, row.remind_occurrence = upcoming.index, upcoming.occurrence


def _unit(uow: UnitOfWork, round_id: int, unit_code: str) -> RoundState:
    """The round's state with that one unit loaded (its row locked); InvalidInput when it is not a recipient."""
    state = uow.rounds.get(round_id, lock=True, only_unit=unit_code)
    if unit_code not in state.recipients:
        raise InvalidInput(f"unit: đơn vị \"{unit_code}\" không thuộc đợt này.", "unit_unknown")
    return state


def assign(app: App, round_id: int, task: str, unit_codes: Iterable[str], due: date | None, note: str | None,
           actor: str) -> list[Assignment]:
    """Give `task` to each unit (all or none): due defaults to the definition's; a unit already given it gets the
    new due date and note. InvalidInput names the field: an unknown task, a unit not in the round or not in the
    task's participants, a due date past, on a day off or after the date the task prepares for."""
    codes = list(dict.fromkeys(code.strip() for code in unit_codes if code.strip()))
    now = app.clock.now()
    with app.uow() as uow:
        head = uow.rounds.row(round_id, lock=True)
        workflow = get_workflow(head.workflow)
        spec = task_definition(workflow, task)
        if workflow.states[head.status].final:
            raise DomainError(f"Đợt {round_id} đã kết thúc, không giao thêm nhiệm vụ \"{spec.title}\".",
                              "round_final")
        if not codes:
            raise InvalidInput("unit: chưa chọn đơn vị nào để giao nhiệm vụ.", "missing_field")
        cleaned_note = clean_text(note, "note", NOTE_LIMIT)
        dates = {key: date.fromisoformat(day) for key, day in (head.dates or {}).items()}
        if due is None:
            due = spec_date(app.calendar, spec.due, head.deadline, dates, workflow.grace_days())
            if due is None:
                raise InvalidInput(f"due: chưa có ngày để tính hạn nhiệm vụ \"{spec.title}\" ({spec.due}); "
                                   "hãy ghi hạn.", "due_missing")
        _check_due(app, workflow, spec, due, dates)
        groups = set(workflow.participant_group(spec.participants).groups)
        title = workflow.participant_group(spec.participants).title
        rows: list[AssignmentRow] = []
        for code in codes:
            state = _unit(uow, round_id, code)
            recipient = state.recipients[code]
            if recipient.group not in groups:
                raise InvalidInput(f"unit: {recipient.unit_name} không thuộc thành phần \"{title}\" được giao "
                                   f"nhiệm vụ \"{spec.title}\".", "unit_not_in_participants")
            recipient_id = uow.rounds.recipient_id(round_id, code)
            row = uow.assignments.find(round_id, recipient_id, task, lock=True)
            if row is not None and row.done_at is not None:
                raise InvalidInput(f"unit: {recipient.unit_name} đã nộp nhiệm vụ \"{spec.title}\"; không giao lại.",
                                   "task_done")
            if row is None:
                row = uow.assignments.add(round_id, recipient_id, task, due, cleaned_note, now, actor)
            else:
                row.due, row.note = due, cleaned_note
            _plan(app, row, spec, now)
            rows.append(row)
        uow.audit.append(round_id, now, actor, [("task_assigned", {
            "task": task, "units": codes, "due": due.isoformat(), "note": cleaned_note})])
        uow.flush()
        assigned = [uow.assignments.load(row) for row in rows]
        uow.commit()
    return assigned


def unassign(app: App, round_id: int, assignment_id: int, actor: str) -> None:
    """Take back an assignment not yet handed in."""
    now = app.clock.now()
    with app.uow() as uow:
        head = uow.rounds.row(round_id, lock=True)
        workflow = get_workflow(head.workflow)
        row = uow.assignments.row(assignment_id, lock=True)
        if row is None or row.round_id != round_id:
            raise AssignmentNotFound(f"Không có nhiệm vụ số {assignment_id} trong đợt {round_id}.")
        found = uow.assignments.load(row)
        title = workflow.assignments[row.task].title if row.task in workflow.assignments else row.task
        if row.done_at is not None:
            raise DomainError(f"{found.unit_name} đã nộp nhiệm vụ \"{title}\"; không hủy được.", "task_done")
        uow.assignments.remove(assignment_id)
        uow.audit.append(round_id, now, actor, [("task_unassigned", {
            "task": row.task, "unit": found.unit_code, "due": row.due.isoformat()})])
        uow.commit()


def for_round(app: App, round_id: int) -> list[Assignment]:
    with app.uow(read_only=True) as uow:
        return uow.assignments.of_round(round_id)


def for_unit(app: App, round_id: int, unit_code: str) -> list[Assignment]:
    with app.uow(read_only=True) as uow:
        return uow.assignments.of_units(round_id, [unit_code])


def for_units(uow: UnitOfWork, round_id: int, unit_codes: Iterable[str]) -> list[Assignment]:
    """The assignments of one page of units, in the caller's transaction (the grid)."""
    return uow.assignments.of_units(round_id, unit_codes)


def _closed(workflow: Workflow, status: str, round_id: int, spec: AssignmentDef) -> InvalidInput:
    if workflow.states[status].final:
        return InvalidInput(f"task: Đợt {round_id} đã kết thúc, không nhận kết quả nhiệm vụ \"{spec.title}\".",
                            "round_final")
    return InvalidInput(f"task: Đợt {round_id} đang ở trạng thái \"{workflow.state_title(status)}\", chưa nhận "
                        f"kết quả nhiệm vụ \"{spec.title}\".", "tasks_not_open")


def hand_in(app: App, round_id: int, unit_code: str, task: str, values: Mapping[str, str | None],
            channel: ResponseChannel, actor: str, now: datetime | None = None,
            files: Mapping[str, str] | None = None) -> Assignment:
    """Record what a unit hands in for its task (through its page, or staff for it): the task's fields checked like
    an answer's, marked late after the due date while the round's state still takes tasks; refused once it does
    not. Writes that one assignment, its audit entry and the unit's receipt email (queued).

    A file field's value comes from `files` (input name "p_<key>" -> the reference of the file the entry point
    stored, workflows/service/attachments.py), never typed."""
    now = now or app.clock.now()
    with app.uow() as uow:
        head = uow.rounds.row(round_id, lock=True)
        workflow = get_workflow(head.workflow)
        spec = task_definition(workflow, task)
        if not workflow.allows(head.status, Capability.TASKS):
            raise _closed(workflow, head.status, round_id, spec)
        state = _unit(uow, round_id, unit_code)
        recipient = state.recipients[unit_code]
        row = uow.assignments.find(round_id, uow.rounds.recipient_id(round_id, unit_code), task, lock=True)
        if row is None:
            raise InvalidInput(f"task: {recipient.unit_name} không được giao nhiệm vụ \"{spec.title}\".",
                               "task_not_assigned")
        cleaned = clean_proposals(spec.form(), [dict(values)], files)
        today = _today(app, now)
        row.values = dict(cleaned[0]) if cleaned else {}
        row.done_at = now
        row.late = today > row.due
        _plan(app, row, spec, now)
        uow.audit.append(round_id, now, actor, [("task_handed_in", {
            "task": task, "unit": unit_code, "due": row.due.isoformat(), "late": row.late,
            "channel": channel.value, "fields": sorted(row.values)})])
        intent = MessageIntent(RECEIPT_MESSAGE, unit_code, {
            "task_title": spec.title, "task_due": row.due, "received_at": now.isoformat(), "late": row.late})
        uow.flush()
        OutboxWriter(app, workflow).write(uow, state, uow.rounds.details(round_id), [intent],
                                          {unit_code: uow.rounds.recipient_id(round_id, unit_code)}, now)
        done = uow.assignments.load(row)
        uow.commit()
    return done


@dataclass
class ReminderReport:
    """Reminders of assigned tasks sent, and those skipped (the round's state took no tasks then)."""

    sent: int = 0
    skipped: int = 0


def fire_due_reminders(app: App) -> ReminderReport:
    """Send every task reminder due at the clock's now: one email to the unit whose task is not handed in, while its
    round's state takes tasks; then plan its next reminder. Claimed like timers, so replicas never send one twice."""
    report = ReminderReport()
    while not app.stopping.is_set():
        now = app.clock.now()
        with app.uow() as uow:
            ids = uow.assignments.claim_due(now, REMINDER_BATCH, worker_name(app), REMINDER_LEASE)
            uow.commit()
        if not ids:
            return report
        for assignment_id in ids:
            _remind_one(app, assignment_id, now, report)
    return report


def _remind_one(app: App, assignment_id: int, now: datetime, report: ReminderReport) -> None:
    with app.uow() as uow:
        row = uow.assignments.row(assignment_id)
        if row is None:
            return
        head = uow.rounds.row(row.round_id, lock=True)
        row = uow.assignments.row(assignment_id, lock=True)  # re-read under the round lock
        if row is None:
            return
        if row.status != PENDING or row.remind_at is None or row.remind_at > now:  # handed in or moved meanwhile
            row.claimed_by, row.claimed_until = None, None
            uow.commit()
            return
        workflow = get_workflow(head.workflow)
        spec = workflow.assignments.get(row.task)
        if spec is None or workflow.states[head.status].final:
            row.status, row.remind_at, row.claimed_by, row.claimed_until = DONE, None, None, None
            uow.commit()
            return
        if row.done_at is None and workflow.allows(head.status, Capability.TASKS):
            unit = uow.assignments.load(row)
            state = uow.rounds.get(row.round_id, lock=True, only_unit=unit.unit_code)
            today = _today(app, now)
            overdue = app.calendar.working_days_between(row.due, today) if today > row.due else 0
            row.reminders_sent += 1
            intent = MessageIntent(REMINDER_MESSAGE, unit.unit_code, {
                "task_title": spec.title, "task_due": row.due, "days_overdue": overdue})
            OutboxWriter(app, workflow).write(uow, state, uow.rounds.details(row.round_id), [intent],
                                              {unit.unit_code: row.recipient_id}, now)
            uow.audit.append(row.round_id, now, SCHEDULER, [("task_reminded", {
                "task": row.task, "unit": unit.unit_code, "due": row.due.isoformat(),
                "reminder": row.remind_index + 1, "occurrence": row.remind_occurrence})])
            report.sent += 1
        else:
            report.skipped += 1
        _plan(app, row, spec, now)
        uow.commit()

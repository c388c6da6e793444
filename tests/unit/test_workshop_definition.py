"""The workshop kind's general parts (seed 004): named dates, participants, assigned tasks with their own due dates and
reminders, a conditional required field, the grid's own columns; and `workflow validate` naming the file:line of a
task or a field that references an unknown group, field or date."""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.calendar import load_calendar
from models.assignments import Assignment, AssignmentStatus
from models.rounds import RoundState
from workflows.definition import Capability, WorkflowError, load_workflow_text, parse_timespec
from workflows.definition.timespec import Anchor, TimeSpecError
from workflows.engine.timers import next_reminder, plan_state_timers, spec_date
from workflows.service.answer_input import AnswerInvalid, clean_proposals
from workflows.service.registry import engine_registry, get_workflow
from workflows.service.views import role_labels

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCE = (Path(__file__).parents[2] / "workflows" / "definitions" / "workshop.yaml").read_text(encoding="utf-8")
CALENDAR = load_calendar(Path("/nonexistent-calendar.yaml"))
WORKSHOP = get_workflow("workshop")


def problems(text: str) -> list[str]:
    with pytest.raises(WorkflowError) as caught:
        load_workflow_text(text, "workshop.yaml", engine_registry())
    return [str(p) for p in caught.value.problems]


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def changed(old: str, new: str) -> str:
    assert SOURCE.count(old) >= 1, old
    return SOURCE.replace(old, new, 1)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('participants: "province"', 'participants: "provinces"', 'không có nhóm participants "provinces". '
                                                                'Có phải "province"?'),
    ('due: "event - 3 working days"', 'due: "evnt - 3 working days"', 'không có mốc ngày "evnt"'),
    ('{ at: "due - 2 working days", time: "08:00" }', '{ at: "event - 2 working days", time: "08:00" }',
     'không có mốc ngày "event"'),
    ('{ key: "paper_title", label', '{ key: "attendee_name", label', 'khóa trường "attendee_name" đã được dùng '
                                                                      'trong phiếu trả lời'),
    ('required_unless: { attendance: ["Không tham dự"] }\n      column',
     'required_unless: { attendence: ["Không tham dự"] }\n      column',
     'required_unless: không có trường "attendence" trong phiếu. Có phải "attendance"?'),
    ('required_unless: { attendance: ["Không tham dự"] }\n      column',
     'required_unless: { attendance: ["Vắng"] }\n      column',
     '"Vắng" không phải một lựa chọn của trường "attendance"'),
    ('at: "event", time: "24:00"', 'at: "evnt", time: "24:00"',
     'không có mốc ngày "evnt" trong "evnt". Có phải "event"?'),
])
def test_validate_names_the_line_of_an_unknown_group_field_or_date(old: str, new: str, message: str) -> None:
    text = changed(old, new)
    found = problems(text)
    expected_line = line_of(text, new.splitlines()[0])
    assert any(f"workshop.yaml:{expected_line}:" in p and message in p for p in found), found


def test_the_shipped_workshop_declares_dates_participants_and_tasks_in_the_plans_order() -> None:
    assert list(WORKSHOP.dates) == ["event"] and WORKSHOP.dates["event"].not_before == "deadline"
    assert [p.title for p in WORKSHOP.participants][:2] == ["Đại biểu Cơ quan Trung ương",
                                                            "Đại biểu các cơ quan thuộc tỉnh"]
    states_with_tasks = [name for name in WORKSHOP.states if WORKSHOP.allows(name, Capability.TASKS)]
    assert len(states_with_tasks) == 3 and not any(WORKSHOP.states[s].final for s in states_with_tasks)
    columns = WORKSHOP.grid_columns()
    assert [c.title for c in columns] == ["Tham dự", "Người dự", *(t.column or t.title
                                                                    for t in WORKSHOP.assignments.values())]
    assert all(len(c.title) <= 15 for c in columns)  # short headings: the grid has many columns at 1366 px
    assert role_labels(WORKSHOP)["comment"] == WORKSHOP.terms.role != WORKSHOP.terms.verb  # the verb is too long
    assert role_labels(get_workflow("consultation"))["comment"] == "Góp ý"  # a kind without one: its verb
    assert not any(c.numeric for c in columns)  # words, aligned left
    assert [c.numeric for c in get_workflow("report_collection").grid_columns()] == [True]  # "8/11" aligns right


def test_a_name_is_required_unless_the_unit_declines() -> None:
    spec = WORKSHOP.response
    choice = next(f for f in spec.fields if f.kind == "choice")
    attend, _, decline = choice.options
    assert clean_proposals(spec, [{choice.key: decline}]) == ({choice.key: decline},)
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(spec, [{choice.key: attend}])
    labels = [f.label for f in spec.fields if f.required_unless]
    assert len(labels) == 2 and all(label in refused.value.message for label in labels)
    # NFD text (a Mac keyboard) is the same choice
    nfd = unicodedata.normalize("NFD", decline)
    assert all(not f.required_for({choice.key: nfd}) for f in spec.fields if f.required_unless)


def test_a_timespec_anchors_on_a_declared_date_only_when_asked() -> None:
    assert parse_timespec("event + 1 working day", ["event"]).anchor == "event"
    assert parse_timespec("deadline", ["event"]).anchor is Anchor.DEADLINE
    with pytest.raises(TimeSpecError, match=r'không có mốc "evnt"\. Có phải "event"\?'):
        parse_timespec("evnt - 2 days", ["event"])
    with pytest.raises(TimeSpecError, match='không có mốc "event"'):
        parse_timespec("event - 2 days")
    assert str(parse_timespec("event - 3 working days", None)) == "event - 3 working days"


def test_a_tasks_due_date_counts_from_its_date_and_its_reminders_from_its_own_due_date() -> None:
    paper = next(iter(WORKSHOP.assignments.values()))
    due = spec_date(CALENDAR, paper.due, dt.date(2025, 8, 12), {"event": dt.date(2025, 8, 20)})
    assert due == dt.date(2025, 8, 15)  # Wednesday 20/8 - 3 working days
    assert spec_date(CALENDAR, paper.due, dt.date(2025, 8, 12), {}) is None
    start = dt.datetime(2025, 8, 1, 9, 0, tzinfo=TZ)
    moments = []
    after = start
    while (upcoming := next_reminder(paper.reminders, due, after, CALENDAR, TZ)) is not None:
        moments.append(upcoming.at.astimezone(TZ).strftime("%d/%m %H:%M"))
        after = upcoming.at
    assert moments == ["13/08 08:00", "18/08 08:00", "19/08 08:00"]  # before, then overdue twice (at most 2)
    late_start = dt.datetime(2025, 8, 18, 9, 0, tzinfo=TZ)  # a missed reminder is not caught up
    upcoming = next_reminder(paper.reminders, due, late_start, CALENDAR, TZ)
    assert upcoming is not None and upcoming.at.astimezone(TZ).date() == dt.date(2025, 8, 19)


def test_a_state_timer_fires_on_the_rounds_named_date() -> None:
    preparing = next(s for s in WORKSHOP.states.values() if any(not isinstance(t.at.anchor, Anchor) for t in s.timers))
    state = RoundState(id=1, workflow=WORKSHOP.name, status="x", title="t", subject="s", office="TĐC",
                       deadline=dt.date(2025, 8, 12), dates={"event": dt.date(2025, 8, 20)})
    planned = plan_state_timers(state, preparing.timers, dt.datetime(2025, 8, 13, tzinfo=TZ), CALENDAR, TZ)
    assert [p.due_at.astimezone(TZ) for p in planned] == [dt.datetime(2025, 8, 21, 0, 0, tzinfo=TZ)]
    state.dates.clear()
    assert plan_state_timers(state, preparing.timers, dt.datetime(2025, 8, 13, tzinfo=TZ), CALENDAR, TZ) == []


@pytest.mark.parametrize(("done_at", "late", "today", "status", "label"), [
    (None, False, dt.date(2025, 8, 14), AssignmentStatus.OPEN, "Chưa nộp (hạn 15/8)"),
    (None, False, dt.date(2025, 8, 15), AssignmentStatus.OPEN, "Chưa nộp (hạn 15/8)"),
    (None, False, dt.date(2025, 8, 18), AssignmentStatus.OVERDUE, "Quá hạn (hạn 15/8)"),
    (dt.datetime(2025, 8, 14, 20, 0, tzinfo=dt.UTC), False, dt.date(2025, 8, 20), AssignmentStatus.DONE,
     "Đã nộp 15/8"),  # 03:00 on 15/8 in Hà Nội
    (dt.datetime(2025, 8, 19, 3, 0, tzinfo=dt.UTC), True, dt.date(2025, 8, 20), AssignmentStatus.DONE_LATE,
     "Nộp trễ 19/8"),
])
def test_an_assignment_says_where_it_stands(done_at: dt.datetime | None, late: bool, today: dt.date,
                                            status: AssignmentStatus, label: str) -> None:
    given = Assignment(1, 1, "paper", "SCT", "Sở Công Thương", dt.date(2025, 8, 15), done_at=done_at, late=late)
    assert given.status(today) is status
    assert given.label(today, TZ) == label



def test_reminders_skip_the_national_day_holidays() -> None:
    paper = next(iter(WORKSHOP.assignments.values()))
    due = dt.date(2025, 9, 3)  # Wednesday after Quốc khánh (1-2/9 off, 30-31/8 a weekend)
    first = next_reminder(paper.reminders, due, dt.datetime(2025, 8, 20, tzinfo=TZ), CALENDAR, TZ)
    assert first is not None and first.at.astimezone(TZ) == dt.datetime(2025, 8, 28, 8, 0, tzinfo=TZ)
    overdue = next_reminder(paper.reminders, due, first.at, CALENDAR, TZ)
    assert overdue is not None and overdue.at.astimezone(TZ).date() == dt.date(2025, 9, 4)

"""Preparatory tasks of a workshop round (seed 004) through the service and the sweep, on SQLite and PostgreSQL, with
a real SMTP server on loopback: assigned to named units with their own due dates, reminded on them, handed in on time
or late, refused once the round is over, each refusal naming its field and changing nothing.

No state, task or field key is named here: the tests ask the definition for them.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from config.clock import FrozenClock
from models.assignments import AssignmentStatus
from models.errors import InvalidInput
from models.rounds import ResponseChannel
from notifications.testing import SmtpCapture
from workflows.definition import Capability, Workflow
from workflows.engine.events import Command, Launch
from workflows.service.app import App
from workflows.service.assignments import assign, for_round, for_unit, hand_in, round_dates, unassign
from workflows.service.directory import import_units
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.sweep import run_due
from workflows.service.views import audit_trail, round_view

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = Path(__file__).parents[1] / "fixtures" / "workshop" / "units_20.csv"
STAFF = "Nguyễn Văn Minh (QLKH)"
KIND = "workshop"
REGISTRATION = date(2025, 8, 12)  # Tuesday
EVENT = date(2025, 8, 20)  # Wednesday: papers due 15/8 (3 working days before), speeches 18/8


def at(clock: FrozenClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).replace(tzinfo=TZ))


def workflow() -> Workflow:
    return get_workflow(KIND)


def task_keys() -> tuple[str, str]:
    first, second = list(workflow().assignments)[:2]
    return first, second


def filled(task: str, **files: str) -> tuple[dict[str, str], dict[str, str]]:
    """Values for every text field of the task and a stored reference for every file field."""
    values = {f.key: f"Nội dung {f.label}" for f in workflow().assignments[task].fields if f.kind != "file"}
    refs = {f"p_{f.key}": files.get(f.key, "tham-luan.pdf (12 KB) [tệp đính kèm số 1]")
            for f in workflow().assignments[task].fields if f.kind == "file"}
    return values, refs


@pytest.fixture
def round_id(app: App, clock: FrozenClock) -> int:
    at(clock, "2025-08-01T09:00")
    import_units(app, UNITS, STAFF, create_groups=True)
    event_key = next(iter(workflow().dates))
    made = create_round(app, NewRound(
        title="Giải pháp cải thiện, nâng cao Chỉ số đổi mới sáng tạo cấp địa phương (PII) tỉnh Cao Bằng",
        subject="", workflow=KIND, office="TĐC", deadline=REGISTRATION,
        addressees=(Addressee(groups=tuple({g for p in workflow().participants for g in p.groups})),),
        contact_name="Ông Nguyễn Văn Minh", contact_phone="0206 3852 999", signer_name="Nông Thị Thanh Huyền",
        dates={event_key: EVENT}), STAFF)
    execute(app, made, Launch(), STAFF)
    run_due(app)
    return made


def kinds(capture: SmtpCapture, since: int) -> Counter[tuple[str, str]]:
    return Counter((str(m["X-Ykien-Unit"]), str(m["X-Ykien-Kind"])) for m in capture.messages[since:])


def test_a_task_is_reminded_on_its_own_due_date_and_a_late_one_is_marked(
        app: App, clock: FrozenClock, capture: SmtpCapture, round_id: int) -> None:
    paper, speech = task_keys()
    assert round_dates(app, round_id) == {next(iter(workflow().dates)): EVENT}
    papers = assign(app, round_id, paper, ["SCT", "STC"], None, "Trình bày 10 phút", STAFF)
    assert [(a.unit_code, a.due, a.note) for a in papers] == [
        ("SCT", date(2025, 8, 15), "Trình bày 10 phút"), ("STC", date(2025, 8, 15), "Trình bày 10 phút")]
    speeches = assign(app, round_id, speech, ["VP-UBND"], None, None, STAFF)
    assert speeches[0].due == date(2025, 8, 18)
    upcoming = round_view(app, round_id).upcoming()  # what staff read as "Việc hẹn giờ tiếp theo"
    assert upcoming == sorted(upcoming, key=lambda planned: planned[1])
    paper_reminders = [due for title, due in upcoming if title == f"Nhắc nhiệm vụ: {workflow().assignments[paper].title}"]
    assert paper_reminders == [datetime(2025, 8, 13, 8, 0, tzinfo=TZ)]  # one line for both units' reminder
    at(clock, "2025-08-08T08:01")  # the registration's own reminder, 2 working days before its date
    run_due(app)
    assert {kind for _, kind in kinds(capture, 0)} == {"invitation", "reminder_before"}
    sent = len(capture.messages)

    at(clock, "2025-08-13T08:01")  # 2 working days before the papers' due date; registration closed overnight
    run_due(app)
    assert kinds(capture, sent) == Counter({("SCT", "task_reminder"): 1, ("STC", "task_reminder"): 1})
    reminder = capture.messages[sent]
    assert workflow().assignments[paper].title in str(reminder["Subject"])
    assert "15/08/2025" in str(reminder["Subject"])
    assert "/r/" in reminder.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    sent = len(capture.messages)

    at(clock, "2025-08-14T10:00")
    values, refs = filled(paper)
    done = hand_in(app, round_id, "SCT", paper, values, ResponseChannel.WEB, "SCT", files=refs)
    assert done.status(date(2025, 8, 14)) is AssignmentStatus.DONE and not done.late
    run_due(app)
    assert kinds(capture, sent) == Counter({("SCT", "task_receipt"): 1})
    sent = len(capture.messages)

    at(clock, "2025-08-18T08:01")  # a working day after the papers' due date: STC only; and the speech's
    run_due(app)  # reminder of 15/8 (a working day before its own due date), sent at this first sweep since
    assert kinds(capture, sent) == Counter({("STC", "task_reminder"): 1, ("VP-UBND", "task_reminder"): 1})
    sent = len(capture.messages)

    at(clock, "2025-08-19T09:00")
    values, refs = filled(paper)
    late = hand_in(app, round_id, "STC", paper, values, ResponseChannel.PAPER, STAFF, files=refs)
    assert late.late and late.status(date(2025, 8, 19)) is AssignmentStatus.DONE_LATE
    by_unit = {(a.unit_code, a.task): a for a in for_round(app, round_id)}
    assert by_unit[("STC", paper)].reminders_sent == 2  # before its due date, and once overdue
    assert by_unit[("SCT", paper)].reminders_sent == 1
    assert by_unit[("VP-UBND", speech)].reminders_sent == 1
    assert [a.task for a in for_unit(app, round_id, "SCT")] == [paper]
    actions = [entry.action for entry in audit_trail(app, round_id)[0]]
    assert actions.count("task_assigned") == 2 and actions.count("task_handed_in") == 2
    assert actions.count("task_reminded") == 4


def test_a_reminder_claimed_by_a_stopping_process_is_freed_at_once(
        app: App, clock: FrozenClock, capture: SmtpCapture, round_id: int) -> None:
    paper, _ = task_keys()
    assign(app, round_id, paper, ["SCT"], None, None, STAFF)
    at(clock, "2025-08-13T08:01")  # the paper's first reminder is due
    with app.uow() as uow:
        claimed = uow.assignments.claim_due(clock.now(), 10, "a-process-that-stops", timedelta(minutes=5))
        uow.commit()
    assert len(claimed) == 1
    with app.uow() as uow:  # nobody else may take it while the claim holds
        assert uow.assignments.claim_due(clock.now(), 10, "another", timedelta(minutes=5)) == []
        assert uow.instances.retire("a-process-that-stops") == 1
        uow.commit()
    sent = len(capture.messages)
    run_due(app)  # the next sweep sends it, without waiting out the lease
    assert [unit for unit, kind in kinds(capture, sent) if kind == "task_reminder"] == ["SCT"]


def test_bad_assignments_are_refused_naming_the_field_and_nothing_is_saved(
        app: App, clock: FrozenClock, round_id: int) -> None:
    paper, _ = task_keys()
    outsiders = [code for code, group in (("NHNN-KV5", "ngan-hang"), ("HHDN", "hiep-hoi"))
                 if group not in workflow().participant_group(workflow().assignments[paper].participants).groups]
    cases: list[tuple[dict[str, object], str]] = [
        ({"task": "no_such_task", "units": ["SCT"]}, "task: "),
        ({"task": paper, "units": ["KHONG-CO"]}, "unit: "),
        ({"task": paper, "units": ["SCT", outsiders[0]]}, "unit: "),
        ({"task": paper, "units": ["SCT"], "due": date(2025, 8, 21)}, "due: "),  # after the workshop
        ({"task": paper, "units": ["SCT"], "due": date(2025, 8, 16)}, "due: "),  # a Saturday
        ({"task": paper, "units": ["SCT"], "due": date(2025, 7, 30)}, "due: "),  # past
        ({"task": paper, "units": []}, "unit: "),
    ]
    for case, field in cases:
        with pytest.raises(InvalidInput) as refused:
            assign(app, round_id, str(case["task"]), list(case["units"]),  # type: ignore[call-overload]
                   case.get("due"), None, STAFF)  # type: ignore[arg-type]
        assert refused.value.message.startswith(field), refused.value.message
    assert for_round(app, round_id) == []


def test_a_hand_in_checks_the_fields_and_is_refused_once_the_round_is_over(
        app: App, clock: FrozenClock, round_id: int) -> None:
    paper, speech = task_keys()
    given = assign(app, round_id, paper, ["SCT", "SNNMT"], None, None, STAFF)
    title_field = next(f for f in workflow().assignments[paper].fields if f.required and f.kind != "file")
    with pytest.raises(InvalidInput) as missing:
        hand_in(app, round_id, "SCT", paper, {}, ResponseChannel.WEB, "SCT")
    assert title_field.label in missing.value.message
    with pytest.raises(InvalidInput, match="không được giao"):
        hand_in(app, round_id, "STC", paper, filled(paper)[0], ResponseChannel.WEB, "STC", files=filled(paper)[1])
    with pytest.raises(InvalidInput, match=r"^task: "):
        hand_in(app, round_id, "SCT", "no_such_task", {}, ResponseChannel.WEB, "SCT")
    assert all(not a.done for a in for_round(app, round_id))

    unassign(app, round_id, given[1].id, STAFF)
    assert [a.unit_code for a in for_round(app, round_id)] == ["SCT"]

    # Past the workshop, a paper is still taken (late) while the state takes tasks; not once the round is over.
    at(clock, "2025-08-21T09:00")
    run_due(app)
    flow = workflow()
    status = _status(app, round_id)
    assert flow.allows(status, Capability.TASKS) and not flow.states[status].final
    package = flow.package(status)
    assert package is not None
    execute(app, round_id, Command(package.event), STAFF)
    assert flow.states[_status(app, round_id)].final
    values, refs = filled(paper)
    with pytest.raises(InvalidInput) as closed:
        hand_in(app, round_id, "SCT", paper, values, ResponseChannel.WEB, "SCT", files=refs)
    assert closed.value.message.startswith("task: ") and flow.assignments[paper].title in closed.value.message
    assert not for_round(app, round_id)[0].done
    with pytest.raises(Exception, match="đã kết thúc"):
        assign(app, round_id, speech, ["VP-UBND"], None, None, STAFF)


def _status(app: App, round_id: int) -> str:
    with app.uow(read_only=True) as uow:
        return uow.rounds.row(round_id).status


def test_a_hand_in_reads_and_writes_its_own_assignment_only_in_a_round_of_20_as_of_200(
        app: App, clock: FrozenClock, tmp_path: Path) -> None:
    province = workflow().participant_group(workflow().assignments[task_keys()[0]].participants).groups[0]
    csv_path = tmp_path / "units.csv"
    csv_path.write_text("code,name,group,email\n" + "".join(
        f"DV{i:04d},Đơn vị {i},{province},dv{i}@caobang.example.vn\n" for i in range(1, 201)), encoding="utf-8")
    at(clock, "2025-08-01T09:00")
    import_units(app, csv_path, STAFF, create_groups=True)
    paper, _ = task_keys()
    logs: dict[int, list[tuple[str, int]]] = {}

    @contextmanager
    def statements(log: list[tuple[str, int]]) -> Iterator[None]:
        def seen(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            verb = statement.lstrip().split(None, 1)[0].upper()
            log.append((" ".join(statement.split()), cursor.rowcount if verb in ("INSERT", "UPDATE") else -1))
        event.listen(app.engine, "after_cursor_execute", seen)
        try:
            yield
        finally:
            event.remove(app.engine, "after_cursor_execute", seen)

    for size in (20, 200):
        made = create_round(app, NewRound(
            title=f"Hội thảo {size}", subject="", workflow=KIND, office="TĐC", deadline=REGISTRATION,
            addressees=(Addressee(units=tuple(f"DV{i:04d}" for i in range(1, size + 1))),),
            contact_name="Ông Nguyễn Văn Minh", contact_phone="0206 3852 999", signer_name="Nông Thị Thanh Huyền",
            dates={next(iter(workflow().dates)): EVENT}), STAFF)
        execute(app, made, Launch(), STAFF)
        assign(app, made, paper, ["DV0001", "DV0002"], None, None, STAFF)
        values, refs = filled(paper)
        logs[size] = []
        with statements(logs[size]):
            hand_in(app, made, "DV0002", paper, values, ResponseChannel.WEB, "DV0002", files=refs)
    small, large = logs[20], logs[200]
    assert [s for s, _ in small] == [s for s, _ in large], "the statements of one hand-in differ with the round's size"
    reads = [s for s, _ in large if s.startswith("SELECT") and re.search(r"\b(FROM|JOIN) recipients\b", s)]
    assert reads and all(re.search(r"WHERE .*recipients\.(id|unit_code) = ", s) for s in reads), reads
    updated = [(s.split()[1], n) for s, n in large if s.startswith("UPDATE")]
    assert updated == [("assignments", 1)], updated
    inserted = Counter(s.split()[2] for s, _ in large if s.startswith("INSERT"))
    assert set(inserted) <= {"outbox", "audit_events", "access_tokens"} and inserted["outbox"] == 1, inserted


def test_taking_back_the_newest_task_frees_no_number(app: App, round_id: int) -> None:
    """Staff name a task by its number (`round unassign ROUND N`): once taken back, N is never another task's, on
    SQLite (AUTOINCREMENT, migration 0021) as on PostgreSQL."""
    paper, _ = task_keys()
    given = assign(app, round_id, paper, ["SCT", "SNNMT"], None, None, STAFF)
    newest = max(a.id for a in given)
    unassign(app, round_id, newest, STAFF)
    again = assign(app, round_id, paper, ["STC"], None, None, STAFF)
    assert [a.id for a in again] == [newest + 1]

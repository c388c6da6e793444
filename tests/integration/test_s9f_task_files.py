"""A file handed in with a task stays: no answer ever takes it, and it used to be removed as an abandoned upload the
next time its unit stored a file a day or more later (another task's, an answer's), leaving the task naming a file
that opened nothing. A file no task and no answer names is still removed after PENDING_FOR. SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from minimal_pdf import minimal_pdf

from config.clock import FrozenClock
from models.assignments import Assignment
from models.rounds import RecipientRole, ResponseChannel
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.assignment_files import hand_in_storing_files
from workflows.service.assignments import assign
from workflows.service.attachments import AttachmentMissing, parse_ref, round_file, store, unit_recipient
from workflows.service.directory import import_units
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF = "Phạm Phi Long (QLKH)"
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
KIND = "workshop"
PDF = minimal_pdf()


def _at(clock: FrozenClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).replace(tzinfo=TZ))


def _workshop(app: App) -> int:
    workflow = get_workflow(KIND)
    import_units(app, UNITS_CSV, STAFF)
    round_id = create_round(app, NewRound(
        title="Hội thảo đổi mới sáng tạo", subject="", workflow=KIND, office="QLKH", deadline=date(2025, 8, 13),
        addressees=(Addressee(units=("SCT",), role=RecipientRole.COMMENT),), contact_name="Ông A",
        contact_phone="0912130290", signer_name="Bà B", dates={next(iter(workflow.dates)): date(2025, 8, 20)}),
        STAFF)
    execute(app, round_id, Launch(), STAFF)
    for task in workflow.assignments:
        assign(app, round_id, task, ["SCT"], None, None, STAFF)
    return round_id


def _hand_in(app: App, round_id: int, task: str, filename: str) -> Assignment:
    fields = get_workflow(KIND).assignments[task].fields
    return hand_in_storing_files(app, round_id, "SCT", task,
                                 {f.key: "Tham luận" for f in fields if f.kind in ("text", "long_text")},
                                 {f.key: (filename, PDF) for f in fields if f.kind == "file"}, {},
                                 ResponseChannel.PAPER, STAFF)


def _files_named(task: Assignment) -> list[int]:
    return [ref.attachment_id for value in task.values.values() if (ref := parse_ref(str(value))) is not None]


def test_a_tasks_file_outlives_the_units_next_upload_a_day_later(app: App, clock: FrozenClock) -> None:
    _at(clock, "2025-08-04T09:00")
    round_id = _workshop(app)
    first, second = list(get_workflow(KIND).assignments)[:2]
    handed = _files_named(_hand_in(app, round_id, first, "tham-luan.pdf"))
    assert handed
    _at(clock, "2025-08-06T10:00")  # two days later the unit hands in its other task, with its own file
    assert _files_named(_hand_in(app, round_id, second, "tai-lieu.pdf"))
    for attachment_id in handed:
        kept = round_file(app, round_id, attachment_id)
        assert (kept.filename, kept.data) == ("tham-luan.pdf", PDF)


def test_a_file_nothing_names_is_still_removed_after_a_day(app: App, clock: FrozenClock) -> None:
    _at(clock, "2025-08-04T09:00")
    round_id = _workshop(app)
    recipient_id = unit_recipient(app, round_id, "SCT")
    field = next(f.key for task in get_workflow(KIND).assignments.values() for f in task.fields if f.kind == "file")
    abandoned = store(app, round_id, recipient_id, field, "bo-do.pdf", PDF)
    _at(clock, "2025-08-05T09:30")
    store(app, round_id, recipient_id, field, "moi.pdf", PDF)
    with pytest.raises(AttachmentMissing):
        round_file(app, round_id, abandoned.attachment_id)

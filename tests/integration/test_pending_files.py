"""Files waiting on a staff confirmation, on SQLite and PostgreSQL: sealed to the round, unit, field and session;
opened back (one query for the unit, one for the files); tied to the answer in its transaction, every one or the
answer is refused; and a file left a day untied goes when the unit's next file is stored, not before and not
another unit's."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from config.clock import FrozenClock
from models.db.tables import ResponseRow
from models.db.tables_attachments import AttachmentRow
from models.rounds import ResponseChannel, ResponseKind
from workflows.engine.events import Launch, Respond
from workflows.service.app import App
from workflows.service.attachments import (
    PendingGone,
    Upload,
    discard,
    open_pending,
    seal_pending,
    store_for_unit,
    tie_pending,
)
from workflows.service.commands import run_command
from workflows.service.registry import get_workflow
from workflows.service.rounds import execute

STAFF = "Phạm Phi Long (TĐC)"
REPORT = {"leadership_text": "Ban hành Kế hoạch số 41/KH-UBND.", "budget_state": "120000000"}
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4
SESSION = "csrf-of-the-session"


def launched(app: App, make_round: Callable[..., int]) -> int:
    round_id = make_round(workflow="report_collection")
    execute(app, round_id, Launch(), STAFF)
    return round_id


def files(app: App) -> dict[str, tuple[str, int | None]]:
    with app.uow(read_only=True) as uow:
        return {str(r.filename): (str(r.field_key), r.response_id) for r in uow.session.execute(
            select(AttachmentRow.filename, AttachmentRow.field_key, AttachmentRow.response_id))}


def test_a_sealed_file_opens_for_its_round_unit_field_and_session_only_and_is_tied_to_the_answer(
        app: App, make_round: Callable[..., int]) -> None:
    round_id = launched(app, make_round)
    spec = get_workflow("report_collection").response
    [ref] = store_for_unit(app, round_id, "SCT", [Upload("budget_file", "bang-ke.pdf", PDF)])
    sealed = seal_pending(app, SESSION, round_id, "SCT", "p_budget_file", ref)
    for session, unit, value in (("another-session", "SCT", sealed), (SESSION, "SNV", sealed),
                                 (SESSION, "SCT", sealed.replace(f":{ref.attachment_id}:",
                                                                 f":{ref.attachment_id + 1}:"))):
        refused = open_pending(app, session, round_id, unit, spec, [value])
        assert refused.values == {} and refused.owned == []
        assert [p.field for p in refused.problems] == ["p_budget_file"]
        assert refused.problems[0].message.startswith("3. Kinh phí thực hiện — Bảng kê kinh phí: tệp gửi kèm không")
    opened = open_pending(app, SESSION, round_id, "SCT", spec, [sealed])
    assert opened.problems == [] and opened.values == {"p_budget_file": ref.value} and opened.owned == [ref]

    event = Respond(unit_code="SCT", kind=ResponseKind.PROPOSALS, entered_by=STAFF, channel=ResponseChannel.PAPER,
                    proposals=({**REPORT, "budget_file": ref.value},))
    run_command(app, round_id, event, STAFF, deliver=False,
                also=lambda uow, decision: tie_pending(uow, opened, decision.responses[-1].revision))
    assert files(app)["bang-ke.pdf"][1] is not None
    again = open_pending(app, SESSION, round_id, "SCT", spec, [sealed])
    assert again.owned == [] and "không còn chờ xác nhận" in again.problems[0].message


def test_an_answer_whose_file_went_meanwhile_is_refused_whole(app: App, make_round: Callable[..., int]) -> None:
    round_id = launched(app, make_round)
    spec = get_workflow("report_collection").response
    [ref] = store_for_unit(app, round_id, "SCT", [Upload("budget_file", "bang-ke.pdf", PDF)])
    opened = open_pending(app, SESSION, round_id, "SCT", spec,
                          [seal_pending(app, SESSION, round_id, "SCT", "p_budget_file", ref)])
    discard(app, opened.owned)  # e.g. cancelled from another tab
    event = Respond(unit_code="SCT", kind=ResponseKind.PROPOSALS, entered_by=STAFF, channel=ResponseChannel.PAPER,
                    proposals=({**REPORT, "budget_file": ref.value},))
    with pytest.raises(PendingGone):
        run_command(app, round_id, event, STAFF, deliver=False,
                    also=lambda uow, decision: tie_pending(uow, opened, decision.responses[-1].revision))
    with app.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ResponseRow)) == 0
    assert files(app) == {}


def test_a_file_left_a_day_untied_goes_when_the_units_next_file_is_stored(
        app: App, make_round: Callable[..., int], clock: FrozenClock) -> None:
    round_id = launched(app, make_round)
    store_for_unit(app, round_id, "SCT", [Upload("budget_file", "cu.pdf", PDF)])
    store_for_unit(app, round_id, "SNV", [Upload("budget_file", "snv.pdf", PDF)])
    clock.advance(timedelta(hours=23))
    store_for_unit(app, round_id, "SCT", [Upload("budget_file", "chieu.pdf", PDF)])
    assert set(files(app)) == {"cu.pdf", "snv.pdf", "chieu.pdf"}
    clock.advance(timedelta(hours=2))
    store_for_unit(app, round_id, "SCT", [Upload("budget_file", "moi.pdf", PDF)])
    assert set(files(app)) == {"snv.pdf", "chieu.pdf", "moi.pdf"}

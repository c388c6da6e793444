"""Attached files on SQLite and PostgreSQL: the bytes go into the database and come back unchanged (every byte
value), are tied to the answer they came with in its transaction, and go again when the answer is refused."""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from models.db.tables import OutboxRow
from models.db.tables_attachments import AttachmentRow
from models.rounds import ResponseChannel, ResponseKind
from workflows.engine.events import Launch, Respond
from workflows.engine.refusals import Refused
from workflows.service.app import App
from workflows.service.attachments import Upload, parse_ref, respond_with_files, round_file, store, tie, unit_file
from workflows.service.recipients import answer, recipient_page
from workflows.service.rounds import execute

STAFF = "Phạm Phi Long (TĐC)"
REPORT = {"leadership_text": "Ban hành Kế hoạch số 41/KH-UBND.", "budget_state": "120000000"}
EVERY_BYTE = b"%PDF-1.7\n" + bytes(range(256)) * 40


def launched(app: App, make_round: Callable[..., int]) -> tuple[int, str]:
    round_id = make_round(workflow="report_collection")
    execute(app, round_id, Launch(), STAFF)
    with app.uow(read_only=True) as uow:
        body = uow.session.scalar(select(OutboxRow.text_body).where(
            OutboxRow.round_id == round_id, OutboxRow.kind == "invitation", OutboxRow.unit_code == "SCT"))
    found = re.search(r"/r/([A-Za-z0-9_-]+)", body or "")
    assert found
    return round_id, found.group(1)


def rows(app: App) -> list[tuple[int, int | None, str]]:
    with app.uow(read_only=True) as uow:
        return [tuple(r) for r in uow.session.execute(  # type: ignore[misc]
            select(AttachmentRow.id, AttachmentRow.response_id, AttachmentRow.sha256).order_by(AttachmentRow.id))]


def test_a_file_is_stored_whole_tied_to_its_answer_and_read_back_by_its_unit_only(
        app: App, make_round: Callable[..., int]) -> None:
    round_id, token = launched(app, make_round)
    page = recipient_page(app, token)
    ref = store(app, round_id, page.recipient_id, "budget_file", "Bảng kê.pdf", EVERY_BYTE)
    assert rows(app)[0][1] is None  # stored, not yet any answer's
    receipt = answer(app, token, ResponseKind.PROPOSALS, proposals=({**REPORT, "budget_file": ref.value},),
                     page=page, also=lambda uow, decision: tie(uow, [ref], page.recipient_id,
                                                                 decision.responses[-1].revision))
    [(attachment_id, response_id, sha)] = rows(app)
    assert response_id is not None and attachment_id == ref.attachment_id
    back = round_file(app, round_id, attachment_id)
    assert back.data == EVERY_BYTE and back.size == len(EVERY_BYTE) and back.sha256 == sha
    assert back.filename == "Bảng kê.pdf" and back.content_type == "application/pdf"
    assert unit_file(app, round_id, page.recipient_id, attachment_id).data == EVERY_BYTE
    current = recipient_page(app, token).current
    assert current is not None and current.revision == receipt.revision
    assert parse_ref(current.proposals[0]["budget_file"]) == ref


def test_staff_recording_an_answer_the_round_refuses_leaves_no_file(
        app: App, make_round: Callable[..., int]) -> None:
    round_id, _ = launched(app, make_round)
    event = Respond(unit_code="LMHTX", kind=ResponseKind.PROPOSALS, entered_by=STAFF, channel=ResponseChannel.PAPER,
                    proposals=(REPORT,))  # LMHTX has the round for information: it is not asked to report
    with pytest.raises(Refused):
        respond_with_files(app, round_id, event, [Upload("budget_file", "bang-ke.pdf", EVERY_BYTE)], STAFF)
    assert rows(app) == []
    done = respond_with_files(app, round_id, Respond(unit_code="SCT", kind=ResponseKind.PROPOSALS, entered_by=STAFF,
                                                     channel=ResponseChannel.PAPER, proposals=(REPORT,)),
                              [Upload("budget_file", "bang-ke.pdf", EVERY_BYTE)], STAFF, deliver=False)
    assert done.decision.responses[-1].proposals[0]["budget_file"].startswith("bang-ke.pdf (10 KB) [tệp đính kèm số ")
    [(_, response_id, _)] = rows(app)
    assert response_id is not None
    with app.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(AttachmentRow)) == 1

"""A kind that circulates no draft is not told in a consultation's words: a workshop's package is listed without the
column "Dự thảo đã lấy ý kiến" ("không gửi kèm dự thảo" on every row), its answers tab does not say the answers
were given "cho dự thảo phiên bản 1", and its page lists no "Dự thảo: —" among the round's facts."""
from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from test_round_kinds import log_in
from test_workshop_pages import (  # noqa: F401  (fixtures)
    STAFF,
    TZ,
    launch_workshop,
    staff,
    template_home,
    workshop_clock,
    ykien_app,
)

from config.clock import FrozenClock
from models.rounds import ResponseChannel, ResponseKind
from workflows.engine.events import Close, Respond
from workflows.service.app import App
from workflows.service.documents import set_document_inputs
from workflows.service.rounds import execute
from workflows.service.submission import submit_round
from workflows.service.sweep import run_due

RSVP = {"attendance": "Tham dự", "attendee_name": "Ông Nguyễn Văn Hùng", "attendee_position": "Phó Giám đốc Sở"}


def test_a_workshop_is_not_told_of_drafts(ykien_app: App, staff: TestClient,
                                          workshop_clock: FrozenClock) -> None:
    round_id = launch_workshop(ykien_app)
    execute(ykien_app, round_id, Respond("SCT", ResponseKind.PROPOSALS, STAFF, channel=ResponseChannel.PAPER,
                                         proposals=(RSVP,)), STAFF)
    assert "<dt>Dự thảo</dt>" not in staff.get(f"/rounds/{round_id}").text  # no "Dự thảo —" among its facts
    answers = staff.get(f"/rounds/{round_id}/responses").text
    assert "Lần trả lời mới nhất của mỗi đơn vị." in answers and "cho dự thảo phiên bản" not in answers
    execute(ykien_app, round_id, Close("Đủ thành phần"), STAFF)
    workshop_clock.set(datetime(2025, 8, 21, 9, 0, tzinfo=TZ))
    run_due(ykien_app)
    set_document_inputs(ykien_app, round_id, {"event_results": "Hội thảo thống nhất 05 nhóm giải pháp."}, STAFF)
    submit_round(ykien_app, round_id, STAFF)
    documents = log_in(staff).get(f"/rounds/{round_id}/documents").text  # days later: a new session
    assert 'id="packages"' in documents
    assert "gửi kèm</th>" not in documents and "không gửi kèm" not in documents  # no column of a draft sent with it

"""The audit tab of a workshop tells its preparatory tasks in Vietnamese: "Giao nhiệm vụ" with the task's title and
"hạn nộp", never the stored codes ("Task_assigned", "paper", "due"), and an RSVP is not counted in comments."""
from __future__ import annotations

from fastapi.testclient import TestClient
from test_workshop_pages import (  # noqa: F401  (fixtures)
    STAFF,
    launch_workshop,
    staff,
    template_home,
    workshop_clock,
    ykien_app,
)

from models.rounds import ResponseChannel, ResponseKind
from workflows.engine.events import Respond
from workflows.service.app import App
from workflows.service.assignments import assign
from workflows.service.rounds import execute

RSVP = {"attendance": "Tham dự", "attendee_name": "Ông Nguyễn Văn Hùng", "attendee_position": "Phó Giám đốc Sở"}


def test_audit_tells_the_tasks_of_a_workshop_in_vietnamese(ykien_app: App, staff: TestClient) -> None:
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    page = staff.get(f"/rounds/{round_id}/audit").text
    assert "Giao nhiệm vụ" in page and "Chuẩn bị tham luận trình bày tại Hội thảo" in page and "hạn nộp" in page
    assert "Task_assigned" not in page and ">paper<" not in page and "due:" not in page


def test_audit_counts_an_rsvp_in_the_words_of_the_kind(ykien_app: App, staff: TestClient) -> None:
    round_id = launch_workshop(ykien_app)
    execute(ykien_app, round_id, Respond("SCT", ResponseKind.PROPOSALS, STAFF, channel=ResponseChannel.PAPER,
                                         proposals=(RSVP,)), STAFF)
    page = staff.get(f"/rounds/{round_id}/audit").text
    assert "số đăng ký tham dự" in page
    assert "số ý kiến" not in page and "phiếu đề xuất" not in page

"""A staff action the round's state does not take is refused on its page with what that state offers instead (the
kind's steps), after the sentence that names the action and the state; the API's refusal by the engine too.
Real web app, real SQLite database."""
from __future__ import annotations

from fastapi.testclient import TestClient
from test_round_kinds import STAFF, department, launch, staff, template_home, ykien_app  # noqa: F401

from workflows.engine.events import Close
from workflows.service.app import App
from workflows.service.rounds import execute


def test_an_action_the_state_does_not_take_says_what_it_offers(ykien_app: App, staff: TestClient) -> None:
    round_id = launch(ykien_app, "proposal_call")
    execute(ykien_app, round_id, Close("Đã đủ thời gian thông báo"), STAFF)  # nobody proposed: "Không có đề xuất"
    page = staff.post(f"/rounds/{round_id}/remind", data={"scope": "all", "confirmed": "yes"})
    assert page.status_code == 409
    assert ("Không thể thực hiện &#34;Đôn đốc các đơn vị chưa trả lời&#34; khi đợt đang ở trạng thái "
            "&#34;Không có đề xuất&#34;. Ở trạng thái này có thể: ghi nhận đã báo cáo UBND tỉnh.") in page.text
    api = staff.post(f"/api/rounds/{round_id}/close")
    assert api.status_code == 409
    assert api.json()["error"]["message"] == (
        "Không thể kết thúc nhận trả lời khi đợt đang ở trạng thái \"Không có đề xuất\". "
        "Ở trạng thái này có thể: ghi nhận đã báo cáo UBND tỉnh.")

"""The API's extend says a date the engine refuses (engine.refusals.DATE_REFUSALS) as the CLI does, through the one
wrapper both use (service/commands.naming_the_date): 422 naming new_deadline with the engine's words (the CLI: exit 2
naming NEW_DEADLINE, tests/e2e/test_s10d_bad_input.py), nothing changed; a refusal of the step itself stays 409."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from staff_site import staff, template_home, ykien_app  # noqa: F401

BODY = {"title": "Kế hoạch thử", "office": "TĐC", "deadline": "2025-12-05", "addressees": [{"units": ["SCT", "STC"]}],
        "contact_name": "Ông Phạm Phi Long", "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền"}


def _round(staff: TestClient, launch: bool = True) -> int:
    round_id = staff.post("/api/rounds", json=BODY).json()["id"]
    if launch:
        assert staff.post(f"/api/rounds/{round_id}/launch", json={"no_draft_reason": "Gửi bản giấy"}).status_code == 200
    return int(round_id)


@pytest.mark.parametrize(("body", "code", "said"), [
    ({"new_deadline": "2025-12-06"}, "deadline_not_working_day",
     "new_deadline: Hạn mới 06/12/2025 không phải ngày làm việc (ngày nghỉ cuối tuần); ngày làm việc tiếp theo là "
     "08/12/2025."),
    ({"new_deadline": "2025-11-19"}, "deadline_in_past", "new_deadline: Hạn mới 19/11/2025 phải sau ngày hôm nay "
                                                         "(20/11/2025)."),
    ({"new_deadline": "2025-12-02", "unit": "SCT"}, "deadline_not_later",
     "new_deadline: Hạn mới 02/12/2025 phải sau hạn hiện tại 05/12/2025."),
], ids=["day-off", "past", "not-later"])
def test_a_date_the_engine_refuses_is_422_naming_new_deadline(staff: TestClient, body: dict[str, str], code: str,
                                                              said: str) -> None:
    round_id = _round(staff)
    before = staff.get(f"/api/rounds/{round_id}/audit").json()["events"]
    answer = staff.post(f"/api/rounds/{round_id}/extend", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == {"code": code, "message": said}
    assert staff.get(f"/api/rounds/{round_id}/audit").json()["events"] == before


def test_an_extension_the_round_does_not_take_stays_a_refusal(staff: TestClient) -> None:
    draft = _round(staff, launch=False)
    answer = staff.post(f"/api/rounds/{draft}/extend", json={"new_deadline": "2025-12-10"})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "event_not_allowed", answer.text
    launched = _round(staff)
    done = staff.post(f"/api/rounds/{launched}/extend", json={"new_deadline": "2025-12-10", "unit": "SCT"})
    assert done.status_code == 200, done.text

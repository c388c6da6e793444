"""Dates years away (9999 typed for 2025, 2101 past the holiday calendar) on every web form and API body that takes
one: refused with the field named in Vietnamese and a 4xx, nothing saved; never a 500 from the finite calendar."""
from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from staff_site import STAFF, staff, template_home, ykien_app  # noqa: F401

from models.rounds import RecipientRole
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.assignments import for_round
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.steps import run_step
from workflows.service.views import list_rounds, round_view

FAR = ("9999-12-31", "05/01/2101")
NEW_ROUND = {"action": "create", "title": "Kế hoạch thử", "workflow": "consultation", "office": "TĐC",
             "g_comment": "so-ban-nganh", "deadline_mode": "date", "contact_name": "Ông Phạm Phi Long",
             "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền", "signer_title": "GIÁM ĐỐC"}


def _launched(app: App, workflow: str, **changes: object) -> int:
    new = NewRound(title="Hội thảo thử", subject="", workflow=workflow, office="TĐC", deadline=date(2025, 12, 5),
                   addressees=(Addressee(units=("SCT", "STC"), role=RecipientRole.COMMENT),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền",
                   **changes)  # type: ignore[arg-type]
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


@pytest.mark.parametrize("typed", FAR)
def test_the_new_round_form_refuses_a_deadline_years_away_by_its_field(ykien_app: App, staff: TestClient,
                                                                      typed: str) -> None:
    answer = staff.post("/rounds", data={**NEW_ROUND, "deadline_date": typed}, follow_redirects=False)
    assert answer.status_code == 422, answer.text[:300]
    assert 'id="err-deadline"' in answer.text and "quá xa" in answer.text
    assert list_rounds(ykien_app) == []


def test_the_deadline_preview_says_a_date_years_away_is_too_far(staff: TestClient) -> None:
    answer = staff.get("/rounds/deadline-preview", params={"mode": "date", "date": "9999-12-31"})
    assert answer.status_code == 200 and answer.json()["ok"] is False
    assert "quá xa" in answer.json()["error"]


def test_the_extend_form_refuses_a_new_deadline_years_away(ykien_app: App, staff: TestClient) -> None:
    round_id = _launched(ykien_app, "consultation")
    answer = staff.post(f"/rounds/{round_id}/extend", data={
        "scope": "all", "deadline_mode": "date", "deadline_date": "9999-12-31", "reason": "Đơn vị đề nghị"})
    assert answer.status_code == 422, answer.text[:300]
    assert 'id="err-new_deadline"' in answer.text and "quá xa" in answer.text
    assert round_view(ykien_app, round_id).state.deadline == date(2025, 12, 5)


def test_a_task_due_years_away_is_refused_by_its_field(ykien_app: App, staff: TestClient) -> None:
    round_id = _launched(ykien_app, "workshop", dates={"event": date(2025, 12, 19)})
    answer = staff.post(f"/rounds/{round_id}/assignments",
                        data={"task": "paper", "unit": "SCT", "due": "31/12/9999", "note": ""})
    assert answer.status_code == 422, answer.text[:300]
    assert "quá xa" in answer.text
    assert for_round(ykien_app, round_id) == []


@pytest.mark.parametrize("event", ["9999-12-31", "0001-01-01"])
def test_the_api_refuses_a_kinds_date_years_from_the_deadline(ykien_app: App, staff: TestClient, event: str) -> None:
    answer = staff.post("/api/rounds", json={
        "title": "Hội thảo thử", "workflow": "workshop", "office": "TĐC", "deadline": "2025-12-05",
        "addressees": [{"units": ["SCT"]}], "contact_name": "Ông A", "contact_phone": "0912130290",
        "signer_name": "Bà B", "dates": {"event": event}})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "date_out_of_range"
    assert answer.json()["error"]["message"].startswith("date event: ")
    assert list_rounds(ykien_app) == []

"""More comment rows than an answer takes (200), posted on the unit's page (sent or saved unsent) or on the staff form
of a paper answer, are refused with the limit said and every row shown back: never cut to the first 200 and the rest
dropped without a word."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from staff_site import log_in, template_home, trial_consultation, ykien_app  # noqa: F401
from test_recipient_page import links

from notifications.testing import SmtpCapture
from workflows.service.app import App
from workflows.service.recipients import recipient_page, saved_answer
from workflows.service.views import latest_responses
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

ROWS = 201


@pytest.fixture
def round_id(ykien_app: App) -> int:
    return trial_consultation(ykien_app)


def _rows(count: int) -> dict[str, list[str]]:
    return {"section": [f"Mục {n}" for n in range(1, count + 1)], "comment": [f"Ý kiến {n}" for n in range(1, count + 1)],
            "proposed": [""] * count, "quote": [""] * count}


@pytest.mark.parametrize("action", ["send", "save"])
def test_the_units_page_refuses_more_rows_than_an_answer_takes_and_shows_them_all_back(
        ykien_app: App, capture: SmtpCapture, round_id: int, action: str) -> None:
    token = links(capture)["SCT"]
    unit = TestClient(create_web_app(ykien_app), raise_server_exceptions=False)
    answer = unit.post(f"/r/{token}", data={"csrf_token": link_csrf(ykien_app, token), "action": action,
                                            "answer": "comments", **_rows(ROWS)}, follow_redirects=False)
    assert answer.status_code == 422, answer.text[:300]
    assert "Nhiều nhất 200 ý kiến" in answer.text
    assert f">Ý kiến {ROWS}</textarea>" in answer.text  # the last row typed comes back with the others
    assert latest_responses(ykien_app, round_id) == []
    assert saved_answer(ykien_app, recipient_page(ykien_app, token)) is None


def test_the_staff_form_of_a_paper_answer_refuses_more_rows_than_an_answer_takes(
        ykien_app: App, round_id: int) -> None:
    staff = log_in(TestClient(create_web_app(ykien_app), raise_server_exceptions=False))
    rows = _rows(ROWS)
    answer = staff.post(f"/rounds/{round_id}/respond", data={
        "unit": "SCT", "kind": "comments", "channel": "paper", "confirmed": "yes", "section": rows["section"],
        "comment": rows["comment"], "wording": rows["proposed"]}, follow_redirects=False)
    assert answer.status_code == 422, answer.text[:300]
    assert "Nhiều nhất 200 ý kiến góp ý trong một lần ghi nhận (đang có 201)" in answer.text
    assert latest_responses(ykien_app, round_id) == []

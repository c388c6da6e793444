"""Numbers typed into URLs and forms that str.isdigit() takes and int() refuses ("²", a digit to Unicode; thousands of
digits, past int's 4,300): a page, a refusal naming the field, or nothing picked; never a 500."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from staff_site import STAFF, staff, template_home, ykien_app  # noqa: F401
from test_recipient_page import links, plan_docx

from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from models.text import whole_number
from notifications.testing import SmtpCapture
from workflows.engine.events import Close, CommentInput, Launch, Respond
from workflows.service.app import App
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.steps import run_step
from workflows.service.views import latest_responses, list_rounds
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

NOT_INT = ("²", "9" * 5000)  # both pass str.isdigit(); int() refuses both


def _launched(app: App, draft: Path | None = None) -> int:
    new = NewRound(title="Kế hoạch thử", subject="", workflow="consultation", office="TĐC",
                   deadline=date(2025, 12, 5), addressees=(Addressee(units=("SCT", "STC"), role=RecipientRole.COMMENT),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền",
                   draft_path=draft)
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


def _consolidating(app: App) -> int:
    round_id = _launched(app)
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF, ResponseChannel.PAPER,
                                   comments=(CommentInput(text="Đề nghị bổ sung chỉ tiêu.", section="Mục II"),)), STAFF)
    execute(app, round_id, Close("thử"), STAFF)
    return round_id


def test_a_whole_number_is_ascii_digits_within_bounds() -> None:
    assert whole_number("12") == 12 and whole_number("007", 1, 10) == 7
    assert whole_number("²") is None and whole_number("9" * 5000) is None and whole_number("") is None
    assert whole_number("-1") is None and whole_number(" 1") is None and whole_number("11", 1, 10) is None
    assert whole_number("0" * 5000 + "5", 1, 10) == 5


@pytest.mark.parametrize("typed", NOT_INT)
def test_page_and_count_parameters_that_are_not_numbers_show_the_first_page(
        ykien_app: App, staff: TestClient, typed: str) -> None:
    round_id = _consolidating(ykien_app)
    for url in (f"/mail?page={typed}", f"/rounds/{round_id}?page={typed}", f"/rounds/{round_id}/outbox?page={typed}",
                f"/rounds/{round_id}/consolidation?ok=handled&n={typed}", f"/directory?page={typed}"):
        answer = staff.get(url)
        assert answer.status_code == 200, (url[:80], answer.text[:300])


@pytest.mark.parametrize("typed", NOT_INT)
def test_working_days_that_are_not_a_number_are_refused_by_their_field(
        ykien_app: App, staff: TestClient, typed: str) -> None:
    answer = staff.post("/rounds", data={
        "action": "create", "title": "Kế hoạch thử", "workflow": "consultation", "office": "TĐC",
        "g_comment": "so-ban-nganh", "deadline_mode": "days", "deadline_days": typed,
        "contact_name": "Ông A", "contact_phone": "0912130290", "signer_name": "Bà B", "signer_title": "GIÁM ĐỐC"})
    assert answer.status_code == 422, answer.text[:300]
    assert 'id="err-deadline"' in answer.text and "Số ngày làm việc phải là số nguyên" in answer.text
    assert list_rounds(ykien_app) == []


def test_a_comment_ticked_by_a_number_that_is_not_one_is_refused(ykien_app: App, staff: TestClient) -> None:
    round_id = _consolidating(ykien_app)
    answer = staff.post(f"/rounds/{round_id}/consolidation/handle",
                        data={"comment": "²", "decision": "accepted", "explanation": ""})
    assert answer.status_code == 422, answer.text[:300]


def test_a_picked_part_that_is_not_a_number_picks_nothing_and_records_nothing(
        ykien_app: App, capture: SmtpCapture, tmp_path: Path) -> None:
    draft = tmp_path / "Dự thảo Kế hoạch.docx"
    draft.write_bytes(plan_docx())
    round_id = _launched(ykien_app, draft)
    token = links(capture)["SCT"]
    unit = TestClient(create_web_app(ykien_app), raise_server_exceptions=False)
    answer = unit.post(f"/r/{token}", data={"csrf_token": link_csrf(ykien_app, token), "pick": "²",
                                            "answer": "agree"})
    assert answer.status_code == 200, answer.text[:300]
    assert 'name="pick"' in answer.text  # the page again, with its draft to pick from
    assert latest_responses(ykien_app, round_id) == []

"""What a unit sent, as staff read it on the answers tab: an amount of money grouped in thousands with its unit
("1.500.000.000 đồng"), a duration in months, a count grouped, never the bare digits stored."""
from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from test_workshop_pages import STAFF, staff, template_home, workshop_clock, ykien_app  # noqa: F401  (fixtures)

from models.rounds import ResponseChannel, ResponseKind
from workflows.engine.events import Launch, Respond
from workflows.service.app import App
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.steps import run_step
from workflows.web.templating import _field_text

PROPOSAL = {"task_name": "Ứng dụng công cụ Lean", "urgency": "Cấp thiết", "objectives": "Mục tiêu",
            "main_contents": "Nội dung", "expected_results": "Kết quả", "expected_impact": "Hiệu quả",
            "application_sites": "Doanh nghiệp chế biến", "duration_months": "24", "budget_state": "1500000000",
            "budget_other": "300000000", "organisation": "Công ty cổ phần Măng gan Cao Bằng",
            "address": "Phường Thục Phán", "contact_person": "Bà Hoàng Thị Lan, Giám đốc", "phone": "0206 3852 202",
            "email": "lan@manggan.vn"}


def test_the_answers_tab_shows_amounts_and_months_as_people_write_them(ykien_app: App,
                                                                      staff: TestClient) -> None:
    new = NewRound(title="Nhiệm vụ KH&CN cấp quốc gia thuộc Chương trình 1322", subject="", workflow="proposal_call",
                   office="TĐC", deadline=date(2025, 8, 13), addressees=(Addressee(groups=("so-ban-nganh",)),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền")
    round_id = create_round(ykien_app, new, STAFF)
    execute(ykien_app, round_id, Launch(), STAFF)
    run_step(ykien_app, "circulate", round_id=round_id)
    execute(ykien_app, round_id, Respond("SCT", ResponseKind.PROPOSALS, STAFF, channel=ResponseChannel.PAPER,
                                         proposals=(PROPOSAL,)), STAFF)
    page = staff.get(f"/rounds/{round_id}/responses").text
    assert "1.500.000.000 đồng" in page and "300.000.000 đồng" in page and "24 tháng" in page
    assert "1500000000" not in page


def test_a_figure_typed_otherwise_or_a_plain_number_stays_as_typed() -> None:
    assert _field_text("1.500.000.000 đồng", "money") == "1.500.000.000 đồng"
    assert _field_text("1200", "count") == "1.200"
    assert _field_text("2026", "number") == "2026"
    assert _field_text("0206 3852 202", "phone") == "0206 3852 202"

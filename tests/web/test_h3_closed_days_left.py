"""A round closed before its deadline no longer counts the working days left to answer: the header of a proposal call
closed early reads its deadline, not "còn 8 ngày làm việc", while a round still taking answers counts them."""
from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from test_workshop_pages import STAFF, staff, template_home, workshop_clock, ykien_app  # noqa: F401  (fixtures)

from workflows.engine.events import Close, Launch
from workflows.service.app import App
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.steps import run_step


def launch_call(app: App) -> int:
    new = NewRound(title="Nhiệm vụ KH&CN cấp quốc gia thuộc Chương trình 1322", subject="", workflow="proposal_call",
                   office="TĐC", deadline=date(2025, 8, 13), addressees=(Addressee(groups=("so-ban-nganh",)),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền")
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


def test_a_round_closed_early_counts_no_days_left(ykien_app: App, staff: TestClient) -> None:
    round_id = launch_call(ykien_app)
    assert "Hạn 13/08/2025 · còn 7 ngày làm việc" in staff.get(f"/rounds/{round_id}").text
    execute(ykien_app, round_id, Close(), STAFF)
    page = staff.get(f"/rounds/{round_id}").text
    assert "Hạn 13/08/2025" in page and "ngày làm việc</span>" not in page and "· còn" not in page

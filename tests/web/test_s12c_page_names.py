"""What a screen reader and a phone's card say on the staff pages and a unit's page, read from the HTML the real web
app serves on a real SQLite database:

- a column of numbers is headed by a word, not a "#" a screen reader reads as a sign ("Số" for a message's number,
  as the dashboard heads a round's; "STT" for a running order, as the synthesis table heads it, which the triage
  headed "TT"), and a phone's card says it ("Số: 13", not "#: 13");
- every navigation landmark has a name of its own: a page with the top bar and a pager had two unnamed ones;
- a unit's row in the grid names the unit in its links ("Gia hạn cho Sở Y tế"), where every row said "Gia hạn";
- the workshop's task form says how to choose several units on a phone too, where it said "giữ Ctrl" alone.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from staff_site import STAFF, staff, template_home, ykien_app  # noqa: F401
from test_recipient_page import links

from models.rounds import ResponseKind
from notifications.testing import SmtpCapture
from workflows.demo import seed_round
from workflows.engine.events import Close, CommentInput, Launch, Respond
from workflows.service.app import App
from workflows.service.rounds import Addressee, create_round, execute
from workflows.service.steps import run_step
from workflows.web.app import create_web_app

TEMPLATES = Path(__file__).resolve().parents[2] / "workflows" / "web" / "templates"


def answered_round(app: App) -> int:
    """A consultation launched to the departments, Sở Tài chính's two comments recorded."""
    new = replace(seed_round(), deadline=date(2025, 12, 5), addressees=(Addressee(groups=("so-ban-nganh",)),))
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    execute(app, round_id, Respond("STC", ResponseKind.COMMENTS, "STC", comments=(
        CommentInput("Đề nghị làm rõ nguồn kinh phí.", "Mục IV"), CommentInput("Bổ sung chỉ tiêu.", "Mục II"))), "STC")
    return round_id


def number_columns(page: str) -> list[str]:
    """The heading and the card labels of every column of numbers, where a "#" stood."""
    return re.findall(r'<th scope="col">(#|Số|STT)</th>', page) + re.findall(r'data-label="(#|Số|STT)"', page)


def test_columns_of_numbers_are_headed_by_a_word(ykien_app: App, staff: TestClient, capture: SmtpCapture) -> None:
    round_id = answered_round(ykien_app)
    outbox = staff.get(f"/rounds/{round_id}/outbox").text
    assert set(number_columns(outbox)) == {"Số"}
    assert set(number_columns(staff.get("/mail").text)) <= {"Số"}
    audit = staff.get(f"/rounds/{round_id}/audit").text
    assert set(number_columns(audit)) == {"STT"}
    responses = staff.get(f"/rounds/{round_id}/responses").text
    assert set(number_columns(responses)) == {"STT"}
    unit = TestClient(create_web_app(ykien_app)).get(f"/r/{links(capture)['STC']}").text
    assert '<th scope="col">STT</th>' in unit
    for page in (outbox, audit, responses, unit):
        assert '<th scope="col">#</th>' not in page and 'data-label="#"' not in page
    # the triage numbers a comment as the synthesis table will (its column "STT"), where it headed it "TT"
    execute(ykien_app, round_id, Close("Đã đủ ý kiến"), STAFF)
    triage = staff.get(f"/rounds/{round_id}/consolidation").text
    assert '<th scope="col">STT</th>' in triage and 'data-label="STT"' in triage and ">TT<" not in triage


def test_every_navigation_landmark_has_a_name() -> None:
    unnamed = [f"{path.name}: {nav}" for path in sorted(TEMPLATES.glob("*.html"))
               for nav in re.findall(r"<nav\b[^>]*>", path.read_text(encoding="utf-8"))
               if "aria-label" not in nav]
    assert unnamed == []


def test_a_units_actions_in_the_grid_name_the_unit(ykien_app: App, staff: TestClient) -> None:
    round_id = answered_round(ykien_app)
    page = staff.get(f"/rounds/{round_id}").text
    assert f'<a href="/rounds/{round_id}/extend?unit=SYT" aria-label="Gia hạn cho Sở Y tế">Gia hạn</a>' in page
    assert (f'<a href="/rounds/{round_id}/respond?unit=SYT" aria-label="Ghi nhận trả lời của Sở Y tế">Ghi nhận</a>'
            in page)
    names = re.findall(r'<nav\b[^>]*aria-label="([^"]+)"', page)
    assert len(names) == len(set(names)) and "Các trang chính" in names


def test_the_task_forms_unit_list_says_how_to_choose_several_on_any_device(ykien_app: App, staff: TestClient) -> None:
    workshop = replace(seed_round(), workflow="workshop", subject="", deadline=date(2025, 12, 5),
                       addressees=(Addressee(groups=("so-ban-nganh",)),), dates={"event": date(2025, 12, 19)})
    round_id = create_round(ykien_app, workshop, STAFF)
    execute(ykien_app, round_id, Launch(), STAFF)
    page = staff.get(f"/rounds/{round_id}/assignments").text
    labels = re.findall(r'<label for="units-[^"]+">([^<]+)</label>', page)
    assert labels and set(labels) == {"Đơn vị (chọn được nhiều; trên máy tính, giữ Ctrl khi bấm)"}

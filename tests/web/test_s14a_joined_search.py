"""The web's searches take a code or a name typed without its spaces or punctuation: the unit field's suggestions
(/rounds/<id>/units), a unit field sent as typed, and the search box above a round's units. Real web app on a real
SQLite database (both backends: tests/integration/test_s14a_search_joined.py)."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from staff_site import staff, template_home, ykien_app  # noqa: F401
from test_round_kinds import launch

from workflows.service.app import App

EXTEND = {"scope": "unit", "deadline_mode": "days", "deadline_days": "20", "reason": "Đơn vị đề nghị"}


@pytest.fixture
def round_id(ykien_app: App) -> int:
    return launch(ykien_app, "consultation")  # the 7 Sở answer; TTTT-VP publishes only


def suggested(staff: TestClient, round_id: int, typed: str, role: str = "") -> list[str]:
    answer = staff.get(f"/rounds/{round_id}/units", params={"q": typed, "role": role})
    assert answer.status_code == 200
    return [unit["code"] for unit in answer.json()["units"]]


def test_the_unit_field_suggests_units_typed_without_spaces(staff: TestClient, round_id: int) -> None:
    assert suggested(staff, round_id, "sotuphap") == suggested(staff, round_id, "SởTưPháp") == ["STP"]
    assert suggested(staff, round_id, "giaoducvadaotao") == ["SGDDT"]
    assert suggested(staff, round_id, "ttttvp", role="any") == ["TTTT-VP"]  # the code's words joined up
    assert suggested(staff, round_id, "thongtinvanphong") == []  # TTTT-VP is not asked to answer
    assert suggested(staff, round_id, "") == suggested(staff, round_id, "&–.") == []
    assert suggested(staff, round_id, "ot") == []  # 2 letters: not looked for across words
    assert suggested(staff, round_id, "s" * 301) == []


def test_a_unit_field_sent_joined_up_takes_that_unit(staff: TestClient, round_id: int) -> None:
    asked = staff.post(f"/rounds/{round_id}/extend", data={**EXTEND, "unit": "soyte"})
    assert asked.status_code == 200 and "Gia hạn cho Sở Y tế (SYT) đến" in asked.text


def test_the_grid_search_box_finds_joined_up_names(staff: TestClient, round_id: int) -> None:
    page = staff.get(f"/rounds/{round_id}", params={"q": "sotuphap"}).text
    codes = re.findall(r'name="unit" value="([^"]+)"', page)
    assert codes == ["STP"], codes

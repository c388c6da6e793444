"""The answer filter of a round's grid offers what a unit of its kind can answer: a workshop's units register (a
form) or decline (the kind's response.decline), they never send comments nor "agree", so neither is offered, and the
form's label is not offered twice."""
from __future__ import annotations

import re

from fastapi.testclient import TestClient
from test_workshop_pages import launch_workshop, staff, template_home, workshop_clock, ykien_app  # noqa: F401

from workflows.service.app import App


def options_of_answer_filter(page: str) -> list[str]:
    found = re.search(r'<select name="answer">(.*?)</select>', page, re.S)
    assert found, page[:300]
    return re.findall(r'<option value="([a-z_]*)"', found.group(1))


def test_the_answer_filter_offers_only_what_the_kind_answers(ykien_app: App, staff: TestClient) -> None:
    offered = options_of_answer_filter(staff.get(f"/rounds/{launch_workshop(ykien_app)}").text)
    assert offered == ["", "proposals", "declined", "pending", "silent", "not_asked"]

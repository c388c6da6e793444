"""The dashboard says a filter matched nothing, with the way back to every round, rather than "Chưa có đợt nào."
as if the Sở had no rounds at all."""
from __future__ import annotations

from fastapi.testclient import TestClient
from test_round_kinds import department, launch, staff, template_home, ykien_app  # noqa: F401

from workflows.service.app import App


def test_a_filter_that_matches_nothing_says_so_and_links_back_to_every_round(ykien_app: App,
                                                                             staff: TestClient) -> None:
    empty = staff.get("/")
    assert "Chưa có đợt nào." in empty.text and "khớp bộ lọc" not in empty.text
    launch(ykien_app, "consultation")
    filtered = staff.get("/?status=submitted")
    assert filtered.status_code == 200
    assert "Không có đợt nào khớp bộ lọc" in filtered.text and 'href="/">xem tất cả các đợt</a>' in filtered.text
    assert "Chưa có đợt nào." not in filtered.text
    assert "khớp bộ lọc" not in staff.get("/").text

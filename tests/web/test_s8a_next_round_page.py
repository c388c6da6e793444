"""The web's "Tạo đợt tiếp theo" (POST /rounds/<id>/next-round) follows the kind's definition as `ykien round next`
does: refused (4xx, not a new round) for a consultation and for a report round still collecting, with the reason
on the page; allowed once the report round is being consolidated (tests/web/test_report_collection.py)."""
from __future__ import annotations

from fastapi.testclient import TestClient
from test_report_collection import (  # noqa: F401  (fixtures)
    launch_consultation,
    launch_report_round,
    staff,
    template_home,
    unit_client,
    ykien_app,
)
from test_round_kinds import STAFF

from workflows.engine.events import Close, Launch
from workflows.service.app import App
from workflows.service.rounds import execute

NEXT = {"title": "Đợt năm 2026", "deadline": "04/12/2026"}


def _rounds(app: App) -> int:
    with app.uow(read_only=True) as uow:
        return len(uow.rounds.list())


def test_a_report_round_still_collecting_starts_no_next_round(ykien_app: App, staff: TestClient) -> None:
    round_id = launch_report_round(ykien_app)
    before = _rounds(ykien_app)
    refused = staff.post(f"/rounds/{round_id}/next-round", data=NEXT, follow_redirects=False)
    assert refused.status_code == 409, refused.text
    assert "chỉ cho tạo đợt tiếp theo khi đợt ở trạng thái" in refused.text
    assert "Đang thu thập báo cáo" in refused.text
    assert _rounds(ykien_app) == before


def test_a_consultation_starts_no_next_round(ykien_app: App, staff: TestClient) -> None:
    round_id = launch_consultation(ykien_app)
    execute(ykien_app, round_id, Launch(no_draft_reason="Thử"), STAFF)
    execute(ykien_app, round_id, Close("Thử"), STAFF)
    before = _rounds(ykien_app)
    refused = staff.post(f"/rounds/{round_id}/next-round", data=NEXT, follow_redirects=False)
    assert 400 <= refused.status_code < 500, refused.text
    assert _rounds(ykien_app) == before


def test_the_headings_page_offers_the_next_round_only_where_the_kind_allows_it(ykien_app: App,
                                                                               staff: TestClient) -> None:
    round_id = launch_report_round(ykien_app)
    collecting = staff.get(f"/rounds/{round_id}/consolidation/headings")
    assert collecting.status_code == 200
    assert f'action="/rounds/{round_id}/next-round"' not in collecting.text
    assert "Tạo được đợt tiếp theo khi đợt này ở trạng thái \"Đang tổng hợp báo cáo\"" in collecting.text
    execute(ykien_app, round_id, Close("Thử"), STAFF)
    consolidating = staff.get(f"/rounds/{round_id}/consolidation/headings")
    assert f'action="/rounds/{round_id}/next-round"' in consolidating.text
    assert "Tạo được đợt tiếp theo khi" not in consolidating.text

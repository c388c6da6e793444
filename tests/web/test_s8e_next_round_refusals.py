"""A post to "Tạo đợt tiếp theo" that no page of its kind offers (a consultation has no headings page) is answered
with why no next round is made, not with the missing page: the kind's reason and what its state offers, a 4xx,
nothing created, also when what was typed is wrong. On a report round the refusals stay on its headings page, the
round's reason before a mistyped date. Real web app, real SQLite database."""
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
NO_HEADINGS = "không có đề cương báo cáo theo mục"


def _rounds(app: App) -> int:
    with app.uow(read_only=True) as uow:
        return len(uow.rounds.list())


def test_a_consultation_is_told_why_it_has_no_next_round(ykien_app: App, staff: TestClient) -> None:
    round_id = launch_consultation(ykien_app)
    execute(ykien_app, round_id, Launch(no_draft_reason="Thử"), STAFF)
    execute(ykien_app, round_id, Close("Thử"), STAFF)
    before = _rounds(ykien_app)
    for typed in (NEXT, {**NEXT, "deadline": "ngày mai"}, {"title": "", "deadline": ""}):
        refused = staff.post(f"/rounds/{round_id}/next-round", data=typed, follow_redirects=False)
        assert refused.status_code == 409, refused.text
        assert (f"Không tạo được đợt tiếp theo từ đợt {round_id}: quy trình &#34;Lấy ý kiến góp ý dự thảo&#34; "
                "không có bước tạo đợt tiếp theo.") in refused.text
        assert "Các bước làm được ở trạng thái &#34;Đang tổng hợp&#34;:" in refused.text
        assert NO_HEADINGS not in refused.text
    assert _rounds(ykien_app) == before


def test_a_report_round_says_its_state_before_a_mistyped_date_and_a_mistyped_date_when_allowed(
        ykien_app: App, staff: TestClient) -> None:
    round_id = launch_report_round(ykien_app)
    before = _rounds(ykien_app)
    collecting = staff.post(f"/rounds/{round_id}/next-round", data={**NEXT, "deadline": "ngày mai"})
    assert collecting.status_code == 409
    assert "chỉ cho tạo đợt tiếp theo khi đợt ở trạng thái" in collecting.text and "không phải ngày" not in collecting.text
    assert 'id="who-reported"' in collecting.text  # on the headings page, not an error page
    execute(ykien_app, round_id, Close("Thử"), STAFF)
    mistyped = staff.post(f"/rounds/{round_id}/next-round", data={**NEXT, "deadline": "ngày mai"})
    assert mistyped.status_code == 422
    assert "Hạn gửi báo cáo: &#34;ngày mai&#34; không phải ngày" in mistyped.text
    untitled = staff.post(f"/rounds/{round_id}/next-round", data={**NEXT, "title": " "})
    assert untitled.status_code == 422 and "Tên đợt mới: chưa có (bắt buộc)." in untitled.text
    assert _rounds(ykien_app) == before

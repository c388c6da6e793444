"""The documents tab of a report collection asks for the Sở's address and email to receive reports, not proposals:
the request letter that waits for them says "để ghi nơi nhận báo cáo", and no input is called "nhận đề xuất"."""
from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from test_workshop_pages import STAFF, staff, template_home, workshop_clock, ykien_app  # noqa: F401  (fixtures)

from workflows.service.app import App
from workflows.service.rounds import Addressee, NewRound, create_round


def test_a_report_request_waits_for_where_reports_are_received(ykien_app: App, staff: TestClient) -> None:
    new = NewRound(title="Chương trình 1322 năm 2025", subject="", workflow="report_collection", office="TĐC",
                   deadline=date(2025, 8, 13), addressees=(Addressee(groups=("so-ban-nganh",)),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền")
    page = staff.get(f"/rounds/{create_round(ykien_app, new, STAFF)}/documents").text
    assert "để ghi nơi nhận báo cáo" in page
    assert "Địa chỉ của Sở nhận văn bản trả lời" in page and "nhận đề xuất của Sở" not in page

"""The documents tab says what the round's workbook holds in its kind's words: for a workshop, the units and the
state of their registrations, not "ý kiến và cách xử lý" a workshop never takes."""
from __future__ import annotations

from fastapi.testclient import TestClient
from test_h3_role_words import draft_workshop
from test_workshop_pages import staff, template_home, workshop_clock, ykien_app  # noqa: F401  (fixtures)

from workflows.service.app import App


def test_the_export_link_of_a_workshop_speaks_of_registrations(ykien_app: App, staff: TestClient) -> None:
    page = staff.get(f"/rounds/{draft_workshop(ykien_app)}/documents").text
    assert "đợt: các đơn vị và tình trạng đăng ký tham dự (XLSX)" in page
    assert "ý kiến và cách xử lý" not in page

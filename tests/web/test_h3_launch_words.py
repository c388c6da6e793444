"""The confirmation before launching quotes the round's own subject (V/v), so a workshop's reads "V/v mời dự Hội
thảo …", never the consultation's "thư xin ý kiến"."""
from __future__ import annotations

from fastapi.testclient import TestClient
from test_h3_role_words import draft_workshop
from test_workshop_pages import staff, template_home, workshop_clock, ykien_app  # noqa: F401  (fixtures)

from workflows.service.app import App


def test_launch_confirmation_quotes_the_subject_of_the_kind(ykien_app: App, staff: TestClient) -> None:
    page = staff.post(f"/rounds/{draft_workshop(ykien_app)}/launch", data={}).text
    assert "Gửi thư &#34;V/v mời dự Hội thảo Giải pháp cải thiện" in page
    assert "xin ý kiến" not in page

"""A unit invited to a workshop reads the day of the workshop on its own page, beside the registration deadline
(the email says it; the page did not)."""
from __future__ import annotations

from fastapi.testclient import TestClient
from test_recipient_page import links
from test_workshop_pages import launch_workshop, template_home, unit_client, workshop_clock, ykien_app  # noqa: F401

from notifications.testing import SmtpCapture
from workflows.service.app import App


def test_the_invited_unit_reads_the_day_of_the_workshop(ykien_app: App, unit_client: TestClient,
                                                         capture: SmtpCapture) -> None:
    launch_workshop(ykien_app)
    page = unit_client.get(f"/r/{links(capture)['SCT']}").text
    assert "<dt>Ngày tổ chức hội thảo</dt><dd class=\"r-date\">20/08/2025</dd>" in page
    assert "13/08/2025" in page  # the registration deadline, as before

"""On a call's unit page, a reply PDF refused with the answer without forms ("Không có đề xuất") is shown at the
file input of that answer's card, the one the unit used: the summary links there, that input is marked and
described by the problem, and the forms' own file input is left alone; the same file refused with the forms is
shown at the forms' input. The summary says what was not sent. Nothing is recorded. Real web app, real SQLite database, loopback SMTP."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from minimal_pdf import minimal_pdf
from sqlite_template import copy_home_database
from test_recipient_page import links
from test_round_kinds import PROPOSAL, answer_form, department, launch, template_home, unit_client  # noqa: F401

from config.clock import FrozenClock
from config.settings import load_settings
from notifications.testing import SmtpCapture
from workflows.service.app import App, build_app
from workflows.service.recipients import recipient_page
from workflows.web.security import link_csrf

TOO_LARGE = ("tra-loi.pdf", minimal_pdf() + b"x" * (2 * 1024 * 1024), "application/pdf")
NOT_PDF = ("tra-loi.pdf", b"GIF89a not a pdf", "application/pdf")


@pytest.fixture
def ykien_app(template_home: Path, tmp_path: Path, capture: SmtpCapture, clock: FrozenClock) -> Iterator[App]:
    """The site with a 1 MB upload limit."""
    copy_home_database(template_home, tmp_path)
    app = build_app(load_settings(home=tmp_path, database_url=None, now=None, calendar_file=None, max_upload_mb=1,
                                  smtp_url=f"smtp://127.0.0.1:{capture.target.port}", secret_key="d" * 40), clock)
    yield app
    app.close()


def summary_links(page: str) -> list[str]:
    box = re.search(r'<div class="flash error r-problems".*?</div>', page, re.S)
    assert box is not None, "no summary of problems"
    return re.findall(r'<a href="#([^"]+)">', box.group(0))


def file_input(page: str, input_id: str) -> str:
    found = re.search(rf'<input type="file" id="{input_id}"[^>]*>', page)
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize(("upload", "status", "message"), [(TOO_LARGE, 413, "vượt giới hạn 1 MB"),
                                                           (NOT_PDF, 422, "không phải PDF")])
def test_a_pdf_refused_with_the_answer_without_forms_is_shown_at_that_cards_input(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, upload: tuple[str, bytes, str],
        status: int, message: str) -> None:
    launch(ykien_app, "proposal_call")
    token = links(capture)["SCT"]
    declined = {"csrf_token": link_csrf(ykien_app, token), "action": "send", "answer": "agree"}
    page = unit_client.post(f"/r/{token}", data=declined, files={"reply_pdf": upload})
    assert page.status_code == status, page.text
    assert summary_links(page.text) == ["decline_pdf"]
    assert "<strong>Chưa gửi được trả lời.</strong>" in page.text  # not "phiếu đề xuất": none was sent
    assert 'aria-invalid="true" aria-describedby="decline_pdf-error"' in file_input(page.text, "decline_pdf")
    assert re.search(rf'<span class="field-error" id="decline_pdf-error">[^<]*{message}', page.text)
    assert "aria-invalid" not in file_input(page.text, "reply_pdf") and 'id="reply_pdf-error"' not in page.text
    assert recipient_page(ykien_app, token).revisions == []

    with_forms = unit_client.post(f"/r/{token}", data=answer_form(ykien_app, token, PROPOSAL, "p1_"),
                                  files={"reply_pdf": upload})
    assert with_forms.status_code == status
    assert summary_links(with_forms.text) == ["reply_pdf"]
    assert "<strong>Chưa gửi được phiếu đề xuất.</strong>" in with_forms.text
    assert 'aria-describedby="reply_pdf-error"' in file_input(with_forms.text, "reply_pdf")
    assert "aria-invalid" not in file_input(with_forms.text, "decline_pdf")
    assert recipient_page(ykien_app, token).revisions == []

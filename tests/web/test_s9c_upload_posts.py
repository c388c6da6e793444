"""Every file input of a unit's page, posted as a browser without script posts it, with bad files: the reply PDF of a
consultation, the PDF of "Không có đề xuất" on a call, the budget table of a report, the paper of a workshop task.
Each mistake is said in Vietnamese beside its own input (never another one), what the unit typed comes back, and
nothing is recorded nor stored: no answer, no hand-in, no attachment row. Real web app, real SQLite, loopback SMTP;
the upload limit is 1 MB, so a body is read up to 11 MB."""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from minimal_pdf import minimal_pdf
from sqlalchemy import text
from sqlite_template import copy_home_database
from staff_site import STAFF
from test_recipient_page import links
from test_round_kinds import department, template_home  # noqa: F401

from config.clock import FrozenClock
from config.settings import load_settings
from notifications.testing import SmtpCapture
from workflows.engine.events import Launch
from workflows.service.app import App, build_app
from workflows.service.assignments import assign, for_unit
from workflows.service.recipients import recipient_page
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.steps import run_step
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

MB = 1024 * 1024
PDF = minimal_pdf()
TYPED = "Đề nghị bổ sung chỉ tiêu về số doanh nghiệp đổi mới công nghệ."
NFD_NAME = unicodedata.normalize("NFD", "Bảng kê kinh phí Sở Công Thương.pdf")


@pytest.fixture
def ykien_app(template_home: Path, tmp_path: Path, capture: SmtpCapture, clock: FrozenClock) -> Iterator[App]:
    """The site with a 1 MB upload limit."""
    copy_home_database(template_home, tmp_path)
    app = build_app(load_settings(home=tmp_path, database_url=None, now=None, calendar_file=None, max_upload_mb=1,
                                  smtp_url=f"smtp://127.0.0.1:{capture.target.port}", secret_key="s" * 40), clock)
    yield app
    app.close()


@pytest.fixture
def client(ykien_app: App) -> TestClient:
    return TestClient(create_web_app(ykien_app))


@dataclass(frozen=True)
class Input:
    """One file input of a unit's page: the kind whose page has it, where it posts, the name it posts under, the id
    its mistake is shown at, the text typed with it (name, value, and how the page shows it back)."""

    kind: str
    post_to: str  # "" for the answer, "/tasks/paper" for the workshop's task
    posted_as: str
    shown_at: str
    label: str
    typed: dict[str, str]


INPUTS = [
    Input("consultation", "", "reply_pdf", "reply_pdf", "Văn bản trả lời",
          {"action": "send", "answer": "comments", "comment": TYPED}),
    Input("proposal_call", "", "reply_pdf", "decline_pdf", "Văn bản trả lời", {"action": "send", "answer": "agree"}),
    Input("report_collection", "", "p_budget_file", "p_budget_file", "3. Kinh phí thực hiện — Bảng kê kinh phí",
          {"action": "send", "answer": "proposals", "p_leadership_text": TYPED, "p_budget_state": "120.000.000"}),
    Input("workshop", "/tasks/paper", "t_paper__paper_file", "t_paper__paper_file", "Tệp tham luận",
          {"t_paper__paper_title": TYPED}),
]
IDS = [i.kind for i in INPUTS]


def open_page(app: App, capture: SmtpCapture, kind: str) -> str:
    """A round of `kind` launched (a workshop's paper given to Sở Công Thương); Sở Công Thương's token."""
    new = NewRound(title="Kế hoạch phát triển khoa học và công nghệ năm 2026", subject="", workflow=kind,
                   office="TĐC", deadline=date(2025, 12, 5), addressees=(Addressee(groups=("so-ban-nganh",)),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền",
                   dates={"event": date(2025, 12, 12)} if kind == "workshop" else {})
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    if kind == "workshop":
        assign(app, round_id, "paper", ["SCT"], None, None, STAFF)
    return links(capture)["SCT"]


def post(client: TestClient, app: App, token: str, where: Input, files: list[tuple[str, tuple[str, bytes, str]]]
         ) -> tuple[int, str]:
    response = client.post(f"/r/{token}{where.post_to}", data={"csrf_token": link_csrf(app, token), **where.typed},
                           files=files, follow_redirects=False)
    return response.status_code, response.text


def field_error(page: str, shown_at: str) -> str:
    found = re.search(rf'<span class="field-error" id="{shown_at}-error">([^<]*)</span>', page)
    assert found is not None, f"no mistake at {shown_at}"
    return html.unescape(found.group(1))


def other_errors(page: str, shown_at: str) -> list[str]:
    return [name for name in re.findall(r'<span class="field-error" id="([^"]+)-error">', page) if name != shown_at]


def typed_back(page: str, where: Input) -> None:
    """What the unit typed with the file is in the page shown back (the decline form has nothing to type)."""
    if where.kind != "proposal_call":
        assert html.escape(TYPED, quote=False) in page or TYPED in html.unescape(page)


def nothing_recorded(app: App, token: str, where: Input) -> None:
    page = recipient_page(app, token)
    assert page.revisions == []
    if where.kind == "workshop":
        assert not any(a.done for a in for_unit(app, page.round_id, "SCT"))
    with app.uow(read_only=True) as uow:
        assert uow.session.execute(text("SELECT count(*) FROM attachments")).scalar_one() == 0


BAD_FILES = {
    "empty": ("tra-loi.pdf", b"", "rỗng (0 byte)"),
    "not-pdf": ("tra-loi.pdf", b"GIF89a this is not a pdf", "không phải PDF"),
    "pdf-header-only": ("tra-loi.pdf", b"%PDF-1.4\nonly the first bytes of a PDF", "bị hỏng, không đọc được"),
    "over-limit": ("tra-loi.pdf", PDF + b"0" * (MB + MB // 2), "tệp 1,5 MB, vượt giới hạn 1 MB"),
    "nfd-name-not-pdf": (NFD_NAME, b"<html>not a pdf</html>", "không phải PDF"),
    "long-name-not-pdf": ("Công văn trả lời " * 30 + ".pdf", b"not a pdf", "không phải PDF"),
    "path-name-not-pdf": ("..\\..\\Văn bản\\tra-loi.pdf", b"not a pdf", "không phải PDF"),
}


@pytest.mark.parametrize("where", INPUTS, ids=IDS)
@pytest.mark.parametrize("bad", list(BAD_FILES))
def test_a_bad_file_is_named_at_its_own_input_with_the_typed_text_kept_and_nothing_stored(
        ykien_app: App, client: TestClient, capture: SmtpCapture, where: Input, bad: str) -> None:
    token = open_page(ykien_app, capture, where.kind)
    filename, content, said = BAD_FILES[bad]
    status, page = post(client, ykien_app, token, where, [(where.posted_as, (filename, content, "application/pdf"))])
    assert status in (413, 422), page[:500]
    message = field_error(page, where.shown_at)
    assert message.startswith(where.label + ":") and said in message, message
    assert other_errors(page, where.shown_at) == []
    assert "Traceback" not in page and "tra-loi.pdf\\" not in page and "..\\" not in message
    assert unicodedata.is_normalized("NFC", message)
    typed_back(page, where)
    nothing_recorded(ykien_app, token, where)


@pytest.mark.parametrize("where", INPUTS, ids=IDS)
def test_a_body_too_large_to_read_names_the_input_the_big_file_was_in_and_keeps_what_was_typed_before_it(
        ykien_app: App, client: TestClient, capture: SmtpCapture, where: Input) -> None:
    token = open_page(ykien_app, capture, where.kind)
    status, page = post(client, ykien_app, token, where,
                        [(where.posted_as, ("tra-loi.pdf", PDF + b"0" * (12 * MB), "application/pdf"))])
    assert status in (413, 422)
    message = field_error(page, where.shown_at)
    assert message == (f"{where.label}: tệp lớn hơn 11,0 MB, vượt xa giới hạn 1 MB nên không nhận được. "
                       "Hãy chọn tệp nhỏ hơn.")
    assert other_errors(page, where.shown_at) == []  # not at the reply PDF when the file was the budget table
    assert "hãy nhập lại ý kiến" not in page
    typed_back(page, where)
    if where.kind == "report_collection":  # inputs after the file were not read: the summary says so
        assert (f"Tệp quá lớn nên Sở chỉ đọc được biểu mẫu đến ô \"{where.label}\": những gì nhập trước ô đó vẫn "
                "còn nguyên, những gì nhập sau ô đó chưa nhận được và cần nhập lại;") in html.unescape(page)
    nothing_recorded(ykien_app, token, where)


@pytest.mark.parametrize("where", INPUTS, ids=IDS)
def test_two_files_for_an_input_of_one_are_refused_at_that_input(
        ykien_app: App, client: TestClient, capture: SmtpCapture, where: Input) -> None:
    token = open_page(ykien_app, capture, where.kind)
    status, page = post(client, ykien_app, token, where, [(where.posted_as, ("mot.pdf", PDF, "application/pdf")),
                                                          (where.posted_as, ("hai.pdf", PDF, "application/pdf"))])
    assert status == 422
    assert field_error(page, where.shown_at) == (f"{where.label}: chỉ nhận một tệp, nhưng đã gửi 2 tệp. "
                                                 "Hãy chọn lại một tệp.")
    assert other_errors(page, where.shown_at) == []
    typed_back(page, where)
    nothing_recorded(ykien_app, token, where)


def test_a_required_file_missing_is_named_at_its_input(ykien_app: App, client: TestClient,
                                                        capture: SmtpCapture) -> None:
    where = INPUTS[-1]
    token = open_page(ykien_app, capture, where.kind)
    status, page = post(client, ykien_app, token, where, [(where.posted_as, ("", b"", "application/octet-stream"))])
    assert status == 422
    assert field_error(page, where.shown_at) == "Tệp tham luận: chưa chọn tệp (bắt buộc)."
    typed_back(page, where)
    nothing_recorded(ykien_app, token, where)


AWKWARD_NAMES = {
    "nfd": (unicodedata.normalize("NFD", "Bảng kê kinh phí.pdf"), "Bảng kê kinh phí.pdf"),
    "path": ("C:\\Users\\Văn thư\\Bảng kê.pdf", "Bảng kê.pdf"),
    "long": ("Bảng kê " * 40 + ".pdf", ("Bảng kê " * 40).strip()[:146].rstrip() + ".pdf"),
}


@pytest.mark.parametrize("name", list(AWKWARD_NAMES))
@pytest.mark.parametrize("where", INPUTS[2:], ids=IDS[2:])
def test_a_good_file_with_an_awkward_name_is_stored_under_a_clean_name(
        ykien_app: App, client: TestClient, capture: SmtpCapture, where: Input, name: str) -> None:
    token = open_page(ykien_app, capture, where.kind)
    given, stored = AWKWARD_NAMES[name]
    status, page = post(client, ykien_app, token, where, [(where.posted_as, (given, PDF, "application/pdf"))])
    assert status == 303, re.findall(r'class="flash[^"]*"[^>]*>(.*?)</', page, re.S)
    with ykien_app.uow(read_only=True) as uow:
        names = list(uow.session.execute(text("SELECT filename FROM attachments")).scalars())
    assert names == [stored] and len(stored) <= 150
    page = client.get(f"/r/{token}").text
    assert html.escape(stored, quote=False) in page or stored in html.unescape(page)


def test_a_reply_pdf_with_an_nfd_name_is_accepted(ykien_app: App, client: TestClient, capture: SmtpCapture) -> None:
    where = INPUTS[0]
    token = open_page(ykien_app, capture, where.kind)
    status, _ = post(client, ykien_app, token, where, [(where.posted_as, (NFD_NAME, PDF, "application/pdf"))])
    assert status == 303
    assert [r.attachment_name is not None for r in recipient_page(ykien_app, token).revisions] == [True]


def test_a_refused_file_is_the_only_mistake_of_the_heading_it_was_given_for(
        ykien_app: App, client: TestClient, capture: SmtpCapture) -> None:
    """The budget table alone answers "3. Kinh phí thực hiện": refused, it is named, not the heading as empty too."""
    where = INPUTS[2]
    token = open_page(ykien_app, capture, where.kind)
    alone = Input(where.kind, where.post_to, where.posted_as, where.shown_at, where.label,
                  {"action": "send", "answer": "proposals", "p_leadership_text": TYPED})
    status, page = post(client, ykien_app, token, alone, [(where.posted_as, ("bang-ke.pdf", b"not a pdf",
                                                                             "application/pdf"))])
    assert status == 422
    assert "không phải PDF" in field_error(page, where.shown_at)
    assert other_errors(page, where.shown_at) == []
    assert "chưa có nội dung" not in page
    nothing_recorded(ykien_app, token, where)


@pytest.mark.parametrize("where", INPUTS[:2], ids=IDS[:2])
def test_a_reply_pdf_that_only_starts_like_a_pdf_is_refused_at_its_input(
        ykien_app: App, client: TestClient, capture: SmtpCapture, where: Input) -> None:
    token = open_page(ykien_app, capture, where.kind)
    status, page = post(client, ykien_app, token, where,
                        [(where.posted_as, ("tra-loi.pdf", b"%PDF-1.4\nonly the first bytes of a PDF",
                                            "application/pdf"))])
    assert status == 422
    message = field_error(page, where.shown_at)
    assert message == ("Văn bản trả lời: tệp PDF bị hỏng, không đọc được (tệp bị cắt dở hoặc cấu trúc PDF sai). Hãy "
                       "chọn bản PDF đã ký."), message  # not pyHanko's "PdfReadError"
    typed_back(page, where)
    nothing_recorded(ykien_app, token, where)


@pytest.mark.parametrize("where", INPUTS[:2], ids=IDS[:2])
def test_the_note_to_choose_the_pdf_again_is_in_the_card_it_was_chosen_in(
        ykien_app: App, client: TestClient, capture: SmtpCapture, where: Input) -> None:
    token = open_page(ykien_app, capture, where.kind)
    _, page = post(client, ykien_app, token, where, [(where.posted_as, ("tra-loi.pdf", b"not a pdf",
                                                                        "application/pdf"))])
    notes = re.findall(r'<p class="flash warn" id="([a-z_]+)-dropped">Tệp PDF đã chọn chưa được lưu', page)
    assert notes == [where.shown_at]

"""The recipient page /r/<token> against a real SQLite App, the real service layer and a loopback SMTP server.

A round on the 12-unit directory is launched; each unit's personal link is read from its invitation email,
as the unit would. Covers what the page shows, answering and revising, the signed PDF, read-only after the
deadline (unless extended), bad links, and that one unit's link never reaches another unit.
"""
from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from minimal_pdf import minimal_pdf
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlite_template import copy_home_database
from starlette.requests import Request

from config.clock import FrozenClock
from config.settings import load_settings
from models.db.tables import AccessTokenRow
from models.rounds import RecipientRole
from notifications.testing import SmtpCapture, smtp_capture
from workflows.engine.events import Close, Extend, Launch
from workflows.service.app import App, build_app
from workflows.service.commands import deliver_queued
from workflows.service.consolidation import handle_comments, triage_items
from workflows.service.directory import import_units
from workflows.service.documents import render_document
from workflows.service.outgoing import hash_token
from workflows.service.recipients import recipient_page
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.steps import run_step
from workflows.service.views import round_view
from workflows.web.app import create_web_app
from workflows.web.routes import recipient as recipient_routes
from workflows.web.security import link_csrf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 20, 8, 30, tzinfo=TZ)
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
STAFF = "Phạm Phi Long (TĐC)"
TITLE = "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng giai đoạn 2026 – 2030"
PDF = minimal_pdf()
TERMS = get_workflow("consultation").terms  # the page speaks the words of the round's kind


def settings_for(home: Path, capture: SmtpCapture, **extra: object):  # type: ignore[no-untyped-def]
    return load_settings(home=home, database_url=None, now=None, calendar_file=None,
                         smtp_url=f"smtp://127.0.0.1:{capture.target.port}", secret_key="r" * 40, **extra)


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the directory, made once and copied for each test."""
    home = tmp_path_factory.mktemp("template")
    with smtp_capture() as capture:
        app = build_app(settings_for(home, capture), FrozenClock(START), create_schema=True)
        import_units(app, UNITS_CSV, STAFF)
        app.close()
    return home


@pytest.fixture
def upload_limit_mb() -> int:
    return 20


@pytest.fixture
def ykien_app(template_home: Path, tmp_path: Path, capture: SmtpCapture, clock: FrozenClock,
              upload_limit_mb: int) -> Iterator[App]:
    copy_home_database(template_home, tmp_path)
    app = build_app(settings_for(tmp_path, capture, max_upload_mb=upload_limit_mb), clock)
    yield app
    app.close()


@pytest.fixture
def client(ykien_app: App) -> TestClient:
    return TestClient(create_web_app(ykien_app))


def launch(app: App, tmp_path: Path, workflow: str = "consultation", draft: bool = True,
           docx: bytes | None = None) -> int:
    source = tmp_path / ("Dự thảo Kế hoạch.docx" if docx is not None else "Dự thảo Kế hoạch.pdf")
    source.write_bytes(docx if docx is not None else PDF + b"draft body")
    new = NewRound(
        title=TITLE, subject=f"xin ý kiến góp ý đối với dự thảo {TITLE}", workflow=workflow, office="TĐC",
        deadline=date(2025, 12, 5),
        addressees=(Addressee(groups=("so-ban-nganh", "xa-phuong")),
                    Addressee(units=("TTTT-VP",), role=RecipientRole.PUBLISH),
                    Addressee(units=("LMHTX",), role=RecipientRole.INFORM)),
        contact_name="Ông Phạm Phi Long", contact_title="Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng",
        contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền", draft_path=source if draft else None)
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


def links(capture: SmtpCapture, kind: str = "invitation") -> dict[str, str]:
    """unit code -> token, read from the plain-text part of each email of that kind."""
    found = {}
    for message in capture.messages:
        if message["X-Ykien-Kind"] == kind:
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            match = re.search(r"/r/([A-Za-z0-9_-]+)", text)
            if match:
                found[str(message["X-Ykien-Unit"])] = match.group(1)
    return found


@pytest.fixture
def tokens(ykien_app: App, tmp_path: Path, capture: SmtpCapture) -> dict[str, str]:
    source_dir = tmp_path / "in"
    source_dir.mkdir()
    launch(ykien_app, source_dir)
    return links(capture)


def form(app: App, token: str, **fields: object) -> dict[str, object]:
    return {"csrf_token": link_csrf(app, token), "action": "send", **fields}


def comments_form(app: App, token: str, *rows: tuple[str, str, str]) -> dict[str, object]:
    return form(app, token, answer="comments", section=[r[0] for r in rows], comment=[r[1] for r in rows],
                proposed=[r[2] for r in rows])


def unit(app: App, code: str):  # type: ignore[no-untyped-def]
    return next(u for u in round_view(app, 1).units if u.unit_code == code)


def receipts(capture: SmtpCapture, app: App | None = None) -> list[EmailMessage]:
    """The receipts the SMTP server got; with `app`, after a delivery sweep (an answer only queues its receipt)."""
    if app is not None:
        deliver_queued(app)
    return [m for m in capture.messages if m["X-Ykien-Kind"] == "receipt"]


def replies_stored(app: App) -> list[Path]:
    folder = app.settings.home / "replies"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# What the page shows ------------------------------------------------------------------------------

def test_page_shows_the_request_and_records_first_and_last_opening(client: TestClient, ykien_app: App,
                                                                   tokens: dict[str, str], clock: FrozenClock) -> None:
    assert unit(ykien_app, "SCT").first_opened_at is None
    page = client.get(f"/r/{tokens['SCT']}")
    assert page.status_code == 200
    text = page.text
    for expected in ("Sở Khoa học và Công nghệ", f"V/v xin ý kiến góp ý đối với dự thảo {TITLE}", TITLE,
                     "Kính gửi: <strong>Sở Công Thương</strong>", "chậm nhất trong ngày <strong>05/12/2025</strong>",
                     "Ông Phạm Phi Long", "0912 130 290", 'href="tel:0912130290"',
                     f"{TERMS.verb.capitalize()}: gửi {TERMS.awaited['comment']}",
                     f'href="/r/{tokens["SCT"]}/draft"', "Đồng ý / không có ý kiến", "Có ý kiến góp ý",
                     "Mục/phần của dự thảo", "Nội dung góp ý", "Đề xuất sửa đổi", 'name="reply_pdf"',
                     "được hiểu là thống nhất"):
        assert expected in text, expected
    assert "được gia hạn" not in text
    assert page.headers["cache-control"] == "no-store"
    # The GET alone (a mail scanner) records nothing; the page's script reports the opening after it loads.
    assert unit(ykien_app, "SCT").first_opened_at is None
    assert f'data-opened="/r/{tokens["SCT"]}/opened"' in text
    assert client.post(f"/r/{tokens['SCT']}/opened").status_code == 204
    opened = unit(ykien_app, "SCT")
    assert opened.first_opened_at == START and opened.last_opened_at == START
    assert unit(ykien_app, "STC").first_opened_at is None

    clock.advance(timedelta(hours=3))
    client.post(f"/r/{tokens['SCT']}/opened")
    again = unit(ykien_app, "SCT")
    assert again.first_opened_at == START and again.last_opened_at == START + timedelta(hours=3)


def test_draft_download_is_an_attachment_with_the_stored_file(client: TestClient, tokens: dict[str, str]) -> None:
    answer = client.get(f"/r/{tokens['SCT']}/draft")
    assert answer.status_code == 200
    assert answer.content == PDF + b"draft body"
    assert answer.headers["content-type"] == "application/pdf"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "D%E1%BB%B1%20th%E1%BA%A3o" in disposition


def test_round_without_draft_answers_404_for_the_download(client: TestClient, ykien_app: App, tmp_path: Path,
                                                          capture: SmtpCapture) -> None:
    launch(ykien_app, tmp_path, draft=False)
    token = links(capture)["SCT"]
    assert "/draft" not in client.get(f"/r/{token}").text
    missing = client.get(f"/r/{token}/draft")
    assert missing.status_code == 404 and "Đợt này không có tệp đính kèm." in missing.text


def test_publish_and_inform_units_see_the_request_without_an_answer_form(client: TestClient,
                                                                          tokens: dict[str, str]) -> None:
    page = client.get(f"/r/{tokens['TTTT-VP']}")
    assert page.status_code == 200
    assert "Đăng tải lên Cổng thông tin điện tử." in page.text
    assert TERMS.awaited["publish"] not in page.text  # "xác nhận đã đăng tải": the page has no way to confirm
    assert f"không cần gửi {TERMS.answer}" in page.text
    assert 'id="answer-form"' not in page.text
    # a unit informed gets its link too: the mail says the draft is sent "để biết" and carries no attachment
    informed = client.get(f"/r/{tokens['LMHTX']}")
    assert informed.status_code == 200 and 'id="answer-form"' not in informed.text
    assert f"không cần gửi {TERMS.answer}" in informed.text and "/draft" in informed.text


# Answering ----------------------------------------------------------------------------------------

def test_agreeing_records_the_answer_confirms_it_and_sends_a_receipt(client: TestClient, ykien_app: App,
                                                                     tokens: dict[str, str],
                                                                     capture: SmtpCapture) -> None:
    answer = client.post(f"/r/{tokens['STC']}", data=form(ykien_app, tokens["STC"], answer="agree"),
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/r/{tokens['STC']}/sent"
    confirmation = client.get(answer.headers["location"])
    assert "Đã gửi ý kiến" in confirmation.text and "lần gửi 1" in confirmation.text
    assert unit(ykien_app, "STC").answer.value == "agree"
    assert "Thư xác nhận sẽ được gửi" in confirmation.text and receipts(capture) == []  # queued, not sent yet
    sent = receipts(capture, ykien_app)
    assert [str(m["To"]).endswith("stc@caobang.example.vn") for m in sent] == [True]


def test_comments_are_kept_with_their_sections_and_each_revision_is_kept(client: TestClient, ykien_app: App,
                                                                          tokens: dict[str, str],
                                                                          capture: SmtpCapture) -> None:
    token = tokens["SCT"]
    first = comments_form(ykien_app, token, ("Mục II.2", "Bổ sung chỉ tiêu năng suất", "Đạt 5%/năm"),
                          ("", "", ""), ("Mục III", "Làm rõ kinh phí", ""))
    assert client.post(f"/r/{token}", data=first).status_code == 200
    second = comments_form(ykien_app, token, ("Mục II.2", "Bổ sung chỉ tiêu năng suất lao động", "Đạt 6%/năm"))
    assert client.post(f"/r/{token}", data=second).status_code == 200

    revisions = recipient_page(ykien_app, token).revisions
    assert [r.revision for r in revisions] == [1, 2]
    assert [(c.section, c.text, c.proposed_wording) for c in revisions[0].comments] == [
        ("Mục II.2", "Bổ sung chỉ tiêu năng suất", "Đạt 5%/năm"), ("Mục III", "Làm rõ kinh phí", None)]
    assert [c.text for c in revisions[1].comments] == ["Bổ sung chỉ tiêu năng suất lao động"]
    page = client.get(f"/r/{token}").text
    assert "Lần gửi 1" in page and "Lần gửi 2" in page and "Làm rõ kinh phí" in page
    assert f"Sửa {TERMS.answer} đã gửi (lần gửi 3)" in page
    assert ">Bổ sung chỉ tiêu năng suất lao động</textarea>" in page  # the form starts from the latest revision
    assert len(receipts(capture, ykien_app)) == 2


def test_a_script_in_a_comment_is_shown_as_text_on_the_page_and_in_the_receipt(client: TestClient, ykien_app: App,
                                                                               tokens: dict[str, str],
                                                                               capture: SmtpCapture) -> None:
    token = tokens["SCT"]
    script = "<script>alert('x')</script>"
    client.post(f"/r/{token}", data=comments_form(ykien_app, token, (script, f"Ý kiến {script}", script)))
    page = client.get(f"/r/{token}").text
    assert script not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    confirmation = client.get(f"/r/{token}/sent").text
    assert script not in confirmation
    receipt = receipts(capture, ykien_app)[0]
    html = receipt.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script" not in html
    assert recipient_page(ykien_app, token).current.comments[0].text == f"Ý kiến {script}"  # type: ignore[union-attr]


def test_a_signed_pdf_reply_is_stored_and_can_be_downloaded_again(client: TestClient, ykien_app: App,
                                                                  tokens: dict[str, str]) -> None:
    token = tokens["SYT"]
    answered = client.post(f"/r/{token}", data=form(ykien_app, token, answer="agree"),
                           files={"reply_pdf": ("cong-van-tra-loi.pdf", PDF, "application/pdf")})
    assert answered.status_code == 200 and "kèm văn bản trả lời (PDF)" in answered.text
    assert [p.read_bytes() for p in replies_stored(ykien_app)] == [PDF]
    assert f"/r/{token}/reply/1" in client.get(f"/r/{token}").text
    download = client.get(f"/r/{token}/reply/1")
    assert download.status_code == 200 and download.content == PDF
    assert client.get(f"/r/{tokens['STP']}/reply/1").status_code == 404  # another unit: nothing to see


@pytest.mark.parametrize("upload_limit_mb", [1])
def test_a_wrong_type_or_too_large_reply_is_refused_with_a_message_and_nothing_is_stored(
        client: TestClient, ykien_app: App, tokens: dict[str, str], capture: SmtpCapture) -> None:
    token = tokens["SCT"]
    data = comments_form(ykien_app, token, ("Mục I", "Góp ý có kèm tệp", ""))
    cases = [
        (("tra-loi.pdf", b"GIF89a not a pdf", "application/pdf"), 422, "không phải PDF"),
        (("tra-loi.pdf", PDF + b"x" * (1024 * 1024), "application/pdf"), 413, "tệp 1,0 MB, vượt giới hạn 1 MB"),
        (("tra-loi.pdf", PDF + b"x" * (3 * 1024 * 1024), "application/pdf"), 413, "tệp 3,0 MB, vượt giới hạn 1 MB"),
        (("tra-loi.pdf", b"", "application/pdf"), 422, "tệp rỗng"),
    ]
    for upload, status, message in cases:
        answer = client.post(f"/r/{token}", data=data, files={"reply_pdf": upload})
        assert answer.status_code == status, upload[1][:10]
        assert message in answer.text
        # The form comes back as typed, the file named at its field, asking for the file again.
        assert ">Góp ý có kèm tệp</textarea>" in answer.text and "vui lòng chọn lại tệp" in answer.text
        assert 'id="reply_pdf-error"' in answer.text and 'aria-describedby="reply_pdf-error"' in answer.text
    assert unit(ykien_app, "SCT").answer.value == "pending"
    assert replies_stored(ykien_app) == [] and receipts(capture, ykien_app) == []


def test_form_mistakes_are_shown_with_the_values_typed_and_nothing_is_recorded(client: TestClient, ykien_app: App,
                                                                                tokens: dict[str, str]) -> None:
    token = tokens["SCT"]
    typed = comments_form(ykien_app, token, ("Mục IV", "", "Sửa thành ..."), ("Mục V", "Ý kiến hợp lệ", ""))
    answer = client.post(f"/r/{token}", data=typed)
    assert answer.status_code == 422
    assert "Ý kiến 1: chưa có nội dung góp ý." in answer.text
    assert 'value="Mục IV"' in answer.text and ">Sửa thành ...</textarea>" in answer.text
    assert ">Ý kiến hợp lệ</textarea>" in answer.text
    nothing = client.post(f"/r/{token}", data=form(ykien_app, token))
    assert nothing.status_code == 422 and "Hãy chọn" in nothing.text
    empty = client.post(f"/r/{token}", data=comments_form(ykien_app, token, ("", "", "")))
    assert empty.status_code == 422 and "chưa nhập ý kiến nào" in empty.text
    both = client.post(f"/r/{token}", data={**comments_form(ykien_app, token, ("", "Góp ý", "")), "answer": "agree"})
    assert both.status_code == 422 and "Đồng ý / không có ý kiến" in both.text
    assert recipient_page(ykien_app, token).revisions == []


def test_a_refused_form_comes_back_filled_with_each_mistake_tied_to_its_field(client: TestClient, ykien_app: App,
                                                                               tokens: dict[str, str]) -> None:
    token = tokens["SCT"]
    typed = comments_form(ykien_app, token, ("Mục I", "Ý kiến đầu", "Sửa câu đầu"), ("Mục II.2", "", "Đạt 6%/năm"),
                          ("Mục III", "Ý kiến ba", ""))
    answer = client.post(f"/r/{token}", data=typed)
    assert answer.status_code == 422
    page = answer.text
    # Everything typed is there: every row, section, proposed wording and the choice.
    for value in ('value="Mục I"', ">Ý kiến đầu</textarea>", ">Sửa câu đầu</textarea>", 'value="Mục II.2"',
                  ">Đạt 6%/năm</textarea>", 'value="Mục III"', ">Ý kiến ba</textarea>"):
        assert value in page, value
    assert re.search(r'name="answer" value="comments" checked', page)
    # The list at the top takes the focus and links to the field; the field says it is wrong and by what.
    assert re.search(r'<div class="flash error r-problems" role="alert" id="problems" tabindex="-1" autofocus>', page)
    assert '<a href="#comment-2">Ý kiến 2: chưa có nội dung góp ý.</a>' in page
    assert re.search(r'<textarea id="comment-2" name="comment" rows="3" aria-invalid="true" '
                     r'aria-describedby="comment-2-error">', page)
    assert '<span class="field-error" id="comment-2-error">Ý kiến 2: chưa có nội dung góp ý.</span>' in page
    assert 'id="comment-1" name="comment" rows="3">' in page  # a right field is not marked
    assert recipient_page(ykien_app, token).revisions == []


@pytest.mark.parametrize("upload_limit_mb", [1])
def test_a_too_large_reply_that_reaches_the_server_comes_back_with_everything_typed(
        client: TestClient, ykien_app: App, tokens: dict[str, str]) -> None:
    token = tokens["SCT"]
    typed = comments_form(ykien_app, token, ("Mục I", "Ý kiến một", "Đề xuất một"), ("Mục II", "Ý kiến hai", ""))
    answer = client.post(f"/r/{token}", data=typed,
                         files={"reply_pdf": ("tra-loi.pdf", PDF + b"x" * (5 * 1024 * 1024), "application/pdf")})
    assert answer.status_code == 413
    for value in ('value="Mục I"', ">Ý kiến một</textarea>", ">Đề xuất một</textarea>", 'value="Mục II"',
                  ">Ý kiến hai</textarea>", "vui lòng chọn lại tệp", "tệp 5,0 MB, vượt giới hạn 1 MB"):
        assert value in answer.text, value
    assert re.search(r'name="answer" value="comments" checked', answer.text)
    # The limit the browser checks before sending comes from the page.
    assert f'data-max-bytes="{1024 * 1024}"' in answer.text
    assert recipient_page(ykien_app, token).revisions == [] and replies_stored(ykien_app) == []


def test_adding_a_comment_row_works_without_javascript(client: TestClient, ykien_app: App,
                                                       tokens: dict[str, str]) -> None:
    token = tokens["SCT"]
    assert client.get(f"/r/{token}").text.count('name="comment"') == 3
    rows = [("Mục I", "Một", ""), ("Mục II", "Hai", ""), ("Mục III", "Ba", "")]
    more = client.post(f"/r/{token}", data={**comments_form(ykien_app, token, *rows), "action": "add_row"})
    assert more.status_code == 200
    assert more.text.count('name="comment"') == 4 and ">Ba</textarea>" in more.text
    assert recipient_page(ykien_app, token).revisions == []


def test_a_comment_typed_without_choosing_the_radio_counts_as_comments(client: TestClient, ykien_app: App,
                                                                        tokens: dict[str, str]) -> None:
    token = tokens["SCT"]
    data = comments_form(ykien_app, token, ("", "Chỉ nhập ý kiến", ""))
    del data["answer"]
    assert client.post(f"/r/{token}", data=data).status_code == 200
    assert unit(ykien_app, "SCT").answer.value == "comments"


def test_sql_looking_input_is_stored_verbatim(client: TestClient, ykien_app: App, tokens: dict[str, str]) -> None:
    token = tokens["SCT"]
    tricky = ("1' OR '1'='1", "'; DROP TABLE responses; --", "%_\\ \" ")
    client.post(f"/r/{token}", data=comments_form(ykien_app, token, tricky))
    stored = recipient_page(ykien_app, token).current.comments[0]  # type: ignore[union-attr]
    assert (stored.section, stored.text, stored.proposed_wording) == (tricky[0], tricky[1], tricky[2].strip())


# Deadlines and closed rounds ----------------------------------------------------------------------

def test_after_the_deadline_the_page_is_read_only_and_says_why(client: TestClient, ykien_app: App,
                                                               tokens: dict[str, str], clock: FrozenClock) -> None:
    token = tokens["SCT"]
    clock.set(datetime(2025, 12, 6, 9, 0, tzinfo=TZ))
    page = client.get(f"/r/{token}")
    assert page.status_code == 200
    assert f"Đã hết hạn gửi {TERMS.answer} (hạn cuối là ngày 05/12/2025)" in page.text
    assert 'id="answer-form"' not in page.text
    refused = client.post(f"/r/{token}", data=form(ykien_app, token, answer="agree"))
    assert refused.status_code == 409 and "Đã hết hạn gửi ý kiến" in refused.text
    assert recipient_page(ykien_app, token).revisions == []


def test_an_extended_unit_can_still_answer_after_the_round_deadline(client: TestClient, ykien_app: App,
                                                                    tokens: dict[str, str],
                                                                    clock: FrozenClock) -> None:
    execute(ykien_app, 1, Extend(date(2025, 12, 12), "SYT", "Sở Y tế xin thêm thời gian"), STAFF)
    clock.set(datetime(2025, 12, 8, 9, 0, tzinfo=TZ))
    page = client.get(f"/r/{tokens['SYT']}")
    assert "được gia hạn" in page.text and "chậm nhất trong ngày <strong>12/12/2025</strong>" in page.text
    assert 'id="answer-form"' in page.text
    assert client.post(f"/r/{tokens['SYT']}", data=form(ykien_app, tokens["SYT"], answer="agree")).status_code == 200
    assert unit(ykien_app, "SYT").answer.value == "agree" and not unit(ykien_app, "SYT").late
    other = client.get(f"/r/{tokens['STC']}")
    assert "Đã hết hạn gửi ý kiến" in other.text and 'id="answer-form"' not in other.text


def test_a_closed_round_takes_no_more_answers(client: TestClient, ykien_app: App, tokens: dict[str, str]) -> None:
    from workflows.engine.events import Close

    execute(ykien_app, 1, Close("Đủ ý kiến"), STAFF)
    page = client.get(f"/r/{tokens['SCT']}")
    assert f"{TERMS.round.capitalize()} đã kết thúc nhận {TERMS.answer}." in page.text
    assert 'id="answer-form"' not in page.text
    refused = client.post(f"/r/{tokens['SCT']}", data=form(ykien_app, tokens["SCT"], answer="agree"))
    assert refused.status_code == 409


# Bad links and isolation --------------------------------------------------------------------------

def test_unknown_expired_and_revoked_links_get_a_clear_page(client: TestClient, ykien_app: App,
                                                            tokens: dict[str, str], clock: FrozenClock) -> None:
    for path in ("/r/khong-co-duong-dan-nay", "/r/" + "x" * 300, "/r/%00%3Cscript%3E", "/r/khong-co/draft",
                 "/r/khong-co/sent", "/r/khong-co/reply/1"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Đường dẫn không dùng được" in answer.text and "Traceback" not in answer.text
    assert client.post("/r/khong-co", data={"answer": "agree"}).status_code == 404

    with ykien_app.uow() as uow:
        uow.session.execute(update(AccessTokenRow).where(AccessTokenRow.token_hash == hash_token(tokens["STC"]))
                            .values(revoked_at=START))
        uow.commit()
    revoked = client.get(f"/r/{tokens['STC']}")
    assert revoked.status_code == 410 and "đã bị thu hồi" in revoked.text

    with ykien_app.uow() as uow:
        expires = uow.session.scalar(select(AccessTokenRow.expires_at).where(
            AccessTokenRow.token_hash == hash_token(tokens["SCT"])))
    clock.set(expires + timedelta(minutes=1))
    expired = client.get(f"/r/{tokens['SCT']}")
    assert expired.status_code == 410 and "đã hết hiệu lực" in expired.text
    assert client.post(f"/r/{tokens['SCT']}", data=form(ykien_app, tokens["SCT"], answer="agree")).status_code == 410


def test_one_units_link_never_reads_or_changes_another_units_answer(client: TestClient, ykien_app: App,
                                                                    tokens: dict[str, str]) -> None:
    a, b = tokens["SCT"], tokens["STC"]
    client.post(f"/r/{b}", data=comments_form(ykien_app, b, ("Mục I", "Ý kiến riêng của Sở Tài chính", "")))
    tampered = {**comments_form(ykien_app, a, ("Mục I", "Ý kiến của Sở Công Thương", "")),
                "unit_code": "STC", "unit": "STC", "recipient_id": "2", "round_id": "999", "token": b}
    assert client.post(f"/r/{a}", data=tampered).status_code == 200
    assert [c.text for c in recipient_page(ykien_app, b).current.comments] == [  # type: ignore[union-attr]
        "Ý kiến riêng của Sở Tài chính"]
    assert [c.text for c in recipient_page(ykien_app, a).current.comments] == [  # type: ignore[union-attr]
        "Ý kiến của Sở Công Thương"]
    assert "Sở Tài chính" not in client.get(f"/r/{a}").text
    assert "Ý kiến của Sở Công Thương" not in client.get(f"/r/{b}").text
    # A's form token does not work on B's link.
    crossed = client.post(f"/r/{b}", data=form(ykien_app, a, answer="agree"))
    assert crossed.status_code == 403
    assert len(recipient_page(ykien_app, b).revisions) == 1


def test_the_form_token_is_required(client: TestClient, ykien_app: App, tokens: dict[str, str]) -> None:
    token = tokens["SCT"]
    for data in ({"answer": "agree"}, {"answer": "agree", "csrf_token": "forged"}):
        answer = client.post(f"/r/{token}", data=data)
        assert answer.status_code == 403 and "Biểu mẫu không hợp lệ" in answer.text
    assert recipient_page(ykien_app, token).revisions == []


# Proposal calls -----------------------------------------------------------------------------------

def test_a_proposal_call_shows_the_a1_form_and_requires_its_fields(client: TestClient, ykien_app: App,
                                                                   tmp_path: Path, capture: SmtpCapture) -> None:
    launch(ykien_app, tmp_path, workflow="proposal_call")
    token = links(capture)["SCT"]
    page = client.get(f"/r/{token}").text
    assert "Mẫu A1-ĐXNV" in page and 'name="p1_task_name"' in page and 'name="p1_budget_other"' in page
    assert "Tên nhiệm vụ <span class=\"req\"" in page and "Đồng ý / không có ý kiến" not in page
    incomplete = client.post(f"/r/{token}", data=form(ykien_app, token, answer="proposals",
                                                      p1_task_name="Ứng dụng IoT trong nông nghiệp",
                                                      p1_duration_months="hai năm"))
    assert incomplete.status_code == 422
    assert "Tính cấp thiết của nhiệm vụ: chưa điền (bắt buộc)." in incomplete.text
    assert "phải là số tháng" in incomplete.text and 'value="hai năm"' in incomplete.text
    values = {"task_name": "Ứng dụng IoT trong nông nghiệp", "urgency": "Cần thiết", "objectives": "Tăng năng suất",
              "main_contents": "Khảo sát; thử nghiệm", "expected_results": "Mô hình", "expected_impact": "Hiệu quả",
              "application_sites": "Hợp tác xã", "duration_months": "24", "budget_state": "1.500.000.000",
              "organisation": "Sở Công Thương", "address": "Cao Bằng", "contact_person": "Ông A, Trưởng phòng",
              "phone": "0206 3852 202", "email": "sct@caobang.example.vn"}
    done = client.post(f"/r/{token}", data=form(ykien_app, token, answer="proposals",
                                                **{f"p1_{k}": v for k, v in values.items()}))
    assert done.status_code == 200 and "phiếu đề xuất" in done.text
    proposals = recipient_page(ykien_app, token).current.proposals  # type: ignore[union-attr]
    assert proposals == ({**values, "budget_state": "1500000000"},)



A1 = {"task_name": "Ứng dụng IoT trong nông nghiệp", "urgency": "Cần thiết", "objectives": "Tăng năng suất",
      "main_contents": "Khảo sát; thử nghiệm", "expected_results": "Mô hình", "expected_impact": "Hiệu quả",
      "application_sites": "Hợp tác xã", "duration_months": "24", "budget_state": "1.500.000.000",
      "organisation": "Sở Công Thương", "address": "Cao Bằng", "contact_person": "Ông A, Trưởng phòng",
      "phone": "0206 3852 202", "email": "sct@caobang.example.vn"}


def numbered(number: int, values: dict[str, str]) -> dict[str, str]:
    return {f"p{number}_{k}": v for k, v in values.items()}


def test_a_unit_sends_two_proposals_in_one_answer_and_both_reach_the_proposal_list(
        client: TestClient, ykien_app: App, tmp_path: Path, capture: SmtpCapture, clock: FrozenClock) -> None:
    round_id = launch(ykien_app, tmp_path, workflow="proposal_call")
    token = links(capture)["SCT"]
    page = client.get(f"/r/{token}").text
    assert "Phiếu đề xuất 1" in page and "Phiếu đề xuất 2" not in page and 'name="add_item"' in page
    assert "<script>" not in page  # the button is a plain submit: the CSP forbids inline scripts

    # "Thêm một phiếu" brings the page back with what was typed and one blank group more; nothing is stored.
    first = numbered(1, A1)
    more = client.post(f"/r/{token}", data=form(ykien_app, token, answer="proposals", add_item="1", **first))
    assert more.status_code == 200 and "Phiếu đề xuất 2" in more.text and "Phiếu đề xuất 3" not in more.text
    assert 'name="p1_task_name" type="text" value="Ứng dụng IoT trong nông nghiệp"' in more.text
    assert 'id="p2_task_name" name="p2_task_name" type="text" value="" maxlength="500">' in more.text  # not required
    assert recipient_page(ykien_app, token).revisions == []

    second = {**A1, "task_name": "Năng suất xanh trong chế biến nông sản", "budget_state": "800.000.000"}
    half = client.post(f"/r/{token}", data=form(ykien_app, token, answer="proposals", **first,
                                                **numbered(2, {**second, "task_name": ""})))
    assert half.status_code == 422 and "Phiếu 2: Tên nhiệm vụ: chưa điền (bắt buộc)." in half.text
    assert 'value="Ứng dụng IoT trong nông nghiệp"' in half.text and 'value="800.000.000"' in half.text

    done = client.post(f"/r/{token}", data=form(ykien_app, token, answer="proposals", **first,
                                                **numbered(2, second), **numbered(3, dict.fromkeys(A1, ""))))
    assert done.status_code == 200 and "(2 phiếu đề xuất)" in done.text
    current = recipient_page(ykien_app, token).current
    assert current is not None
    assert [p["task_name"] for p in current.proposals] == [A1["task_name"], second["task_name"]]
    [receipt] = receipts(capture, ykien_app)
    body = receipt.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "đã nhận được 2 Phiếu đề xuất nhiệm vụ KH&CN (Mẫu A1-ĐXNV)" in body, body

    again = client.get(f"/r/{token}").text  # the forms sent, then one blank group for the next
    assert "Phiếu đề xuất 3" in again and "Phiếu đề xuất 4" not in again
    assert 'name="p2_task_name" type="text" value="Năng suất xanh trong chế biến nông sản"' in again

    clock.set(datetime(2025, 12, 8, 9, 0, tzinfo=TZ))
    execute(ykien_app, round_id, Close("Hết hạn"), STAFF)
    workflow = get_workflow("proposal_call")
    listing = render_document(ykien_app, round_id, workflow.documents["proposal_list_xlsx"].filename)
    assert listing is not None
    sheet = load_workbook(io.BytesIO(listing.content)).active
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if any(row)]
    # the unit that sent them, who proposes (the form's own field, after it), then the task
    assert [(row[1], row[3]) for row in rows] == [("Sở Công Thương", A1["task_name"]),
                                                  ("Sở Công Thương", second["task_name"])]


# The draft on the page (a DOCX), comments on a part of it, saving unsent -------------------------------------------

def plan_docx() -> bytes:
    """A plan as a Sở types it: heading styles, a list, a table."""
    import docx

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng")
    document.add_heading("I. MỤC ĐÍCH, YÊU CẦU", 1)
    document.add_heading("1. Mục đích", 2)
    document.add_paragraph("Nâng cao năng suất và chất lượng sản phẩm, hàng hóa của doanh nghiệp.")
    document.add_heading("II. NỘI DUNG", 1)
    document.add_heading("1. Chỉ tiêu", 2)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Chỉ tiêu", "Năm 2030"
    table.cell(1, 0).text, table.cell(1, 1).text = "Doanh nghiệp được hỗ trợ", "100"
    document.add_heading("2. Nhiệm vụ", 2)
    document.add_paragraph("Tổ chức 05 lớp đào tạo về năng suất mỗi năm.", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def docx_tokens(ykien_app: App, tmp_path: Path, capture: SmtpCapture) -> dict[str, str]:
    source_dir = tmp_path / "in"
    source_dir.mkdir()
    launch(ykien_app, source_dir, docx=plan_docx())
    return links(capture)


def block_number(page: str, quote_start: str) -> str:
    """The number of the part of the draft whose text starts so, as the page's button posts it."""
    match = re.search(r'id="d-(\d+)" data-section="[^"]*">(?:<[^>]+>)*' + re.escape(quote_start), page)
    assert match, quote_start
    return match.group(1)


def test_the_page_shows_a_docx_draft_as_html_converted_once(client: TestClient, ykien_app: App,
                                                            docx_tokens: dict[str, str]) -> None:
    token = docx_tokens["SCT"]
    page = client.get(f"/r/{token}").text
    assert 'id="draft-html"' in page and "<h3>I. MỤC ĐÍCH, YÊU CẦU</h3>" in page and "<h4>2. Nhiệm vụ</h4>" in page
    assert "<td><p>Doanh nghiệp được hỗ trợ</p></td>" in page and "<li " in page
    assert 'data-section="Mục II.2"' in page and 'name="pick"' in page and "Góp ý đoạn này" in page
    assert f'href="/r/{token}/draft"' in page  # the DOCX itself stays downloadable
    download = client.get(f"/r/{token}/draft")
    assert download.content.startswith(b"PK") and download.headers["content-type"].endswith("document")
    assert '<option value="Mục II.1">' in page  # the draft's sections are offered for the section field
    # Converted once: the page is read from the cache beside the draft, not converted again.
    [cache] = (ykien_app.settings.home / "drafts").rglob(".*.html.json")
    cache.write_text(cache.read_text("utf-8").replace("Nâng cao năng suất", "Nâng cao (từ bộ nhớ đệm) năng suất"),
                     "utf-8")
    assert "Nâng cao (từ bộ nhớ đệm) năng suất" in client.get(f"/r/{docx_tokens['STC']}").text
    # Read-only (a unit asked to publish): the draft without buttons.
    publish = client.get(f"/r/{docx_tokens['TTTT-VP']}").text
    assert 'id="draft-html"' in publish and 'name="pick"' not in publish


def test_a_pdf_draft_is_only_downloaded_and_the_section_stays_free_text(client: TestClient,
                                                                        tokens: dict[str, str]) -> None:
    page = client.get(f"/r/{tokens['SCT']}").text
    assert 'id="draft-html"' not in page and 'name="pick"' not in page
    assert "Dự thảo là tệp PDF nên chỉ tải về để đọc" in page and f'href="/r/{tokens["SCT"]}/draft"' in page
    assert 'id="section-1" name="section" value=""' in page


def test_choosing_a_paragraph_without_the_script_fills_a_row_with_its_section_and_text(
        client: TestClient, ykien_app: App, docx_tokens: dict[str, str]) -> None:
    token = docx_tokens["SCT"]
    page = client.get(f"/r/{token}").text
    number = block_number(page, "Nâng cao năng suất")
    typed = comments_form(ykien_app, token, ("Mục I", "Ý kiến đã nhập", ""))
    chosen = client.post(f"/r/{token}", data={**typed, "action": "", "pick": number, "quote": [""]})
    assert chosen.status_code == 200
    text = chosen.text
    assert ">Ý kiến đã nhập</textarea>" in text  # what was typed stays
    assert 'id="section-2" name="section" value="Mục I.1"' in text
    assert ('id="quote-2" value="Nâng cao năng suất và chất lượng sản phẩm, hàng hóa của doanh nghiệp."' in text)
    assert 'id="comment-2" name="comment" rows="3" autofocus>' in text
    assert recipient_page(ykien_app, token).revisions == []


def test_an_answer_refused_for_a_mistake_comes_back_on_the_whole_page_with_the_draft_and_its_sections(
        client: TestClient, ykien_app: App, docx_tokens: dict[str, str]) -> None:
    # The post reads the page for recording only (no draft, no earlier answers); the page it shows is read whole.
    token = docx_tokens["SCT"]
    refused = client.post(f"/r/{token}", data=form(ykien_app, token, answer="", section=[""], comment=[""],
                                                    proposed=[""]))
    assert refused.status_code == 422 and "Hãy chọn" in refused.text
    text = refused.text
    assert 'id="draft-html"' in text and 'name="pick"' in text and f'href="/r/{token}/draft"' in text
    assert '<option value="Mục II.1">' in text
    saved = client.post(f"/r/{token}", data={**comments_form(ykien_app, token, ("Mục I", "Nháp", "")),
                                              "action": "save"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/r/{token}?saved=1"
    sent = client.post(f"/r/{token}", data=comments_form(ykien_app, token, ("Mục I", "Đã gửi", "")),
                       follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith(f"/r/{token}/sent")
    again = client.post(f"/r/{token}", data={**comments_form(ykien_app, token, ("Mục I", "Nháp mới", "")),
                                              "action": "save"})
    # Saving after sending is refused by the whole page's earlier answers, shown with the answer sent.
    assert again.status_code == 409 and "không lưu nháp được nữa" in again.text and "Đã gửi" in again.text


def test_a_page_shown_back_after_the_link_was_revoked_meanwhile_says_so_instead_of_failing(
        client: TestClient, ykien_app: App, tokens: dict[str, str]) -> None:
    # The post read the page for recording; the link is revoked before the page comes back (read whole again).
    token = tokens["SCT"]
    page = recipient_page(ykien_app, token, whole=False)
    with ykien_app.uow() as uow:
        uow.session.execute(update(AccessTokenRow).where(AccessTokenRow.token_hash == hash_token(token))
                            .values(revoked_at=START))
        uow.commit()
    request = Request({"type": "http", "app": client.app, "method": "POST", "path": f"/r/{token}", "headers": [],
                       "query_string": b""})
    shown = asyncio.run(recipient_routes._show_later(request, token, page, status_code=422))
    assert shown.status_code == 410 and "đã bị thu hồi" in bytes(shown.body).decode()


def test_a_comment_on_a_part_of_the_draft_keeps_its_section_and_text_and_the_synthesis_follows_the_draft(
        client: TestClient, ykien_app: App, docx_tokens: dict[str, str], clock: FrozenClock) -> None:
    quote_tasks = "Tổ chức 05 lớp đào tạo về năng suất mỗi năm."
    quote_purpose = "Nâng cao năng suất và chất lượng sản phẩm, hàng hóa của doanh nghiệp."
    # SCT comes first in the units' order, on the later section; STC on the earlier one.
    for code, rows in (("SCT", [("Mục II.2", "Tăng lên 10 lớp", "Tổ chức 10 lớp", quote_tasks),
                                ("Phụ lục", "Bổ sung phụ lục kinh phí", "", "")]),
                       ("STC", [("Mục I.1", "Làm rõ mục đích", "", quote_purpose),
                                ("Mục II.1", "Chỉ tiêu 100 doanh nghiệp là cao", "", "")])):
        token = docx_tokens[code]
        data = form(ykien_app, token, answer="comments", section=[r[0] for r in rows], comment=[r[1] for r in rows],
                    proposed=[r[2] for r in rows], quote=[r[3] for r in rows])
        assert client.post(f"/r/{token}", data=data).status_code == 200
    stored = recipient_page(ykien_app, docx_tokens["SCT"]).current.comments  # type: ignore[union-attr]
    assert [(c.section, c.quote) for c in stored] == [("Mục II.2", quote_tasks), ("Phụ lục", None)]
    again = client.get(f"/r/{docx_tokens['SCT']}").text  # the next revision starts from it, its text shown
    assert f"Đoạn dự thảo được góp ý:</span> {quote_tasks}</blockquote>" in again

    clock.set(datetime(2025, 12, 8, 9, 0, tzinfo=TZ))
    execute(ykien_app, 1, Close("Hết hạn"), STAFF)
    items = triage_items(ykien_app, 1)
    assert [i.section for i in items] == ["Mục I.1", "Mục II.1", "Mục II.2", "Phụ lục"]  # the draft's order
    handle_comments(ykien_app, 1, [i.comment_id for i in items], "accepted", None, STAFF)
    workflow = get_workflow("consultation")
    table = render_document(ykien_app, 1, workflow.documents["synthesis_xlsx"].filename)
    assert table is not None
    sheet = load_workbook(io.BytesIO(table.content)).active
    rows = [(row[1], row[2]) for row in sheet.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]
    assert [(unit, str(comment).split(":")[0]) for unit, comment in rows] == [
        ("Sở Tài chính", "Mục I.1"), ("Sở Tài chính", "Mục II.1"), ("Sở Công Thương", "Mục II.2"),
        ("Sở Công Thương", "Phụ lục")]


def test_an_answer_saved_unsent_comes_back_on_the_link_and_sending_clears_it(
        client: TestClient, ykien_app: App, docx_tokens: dict[str, str], capture: SmtpCapture) -> None:
    token = docx_tokens["SCT"]
    assert "Lưu nháp, chưa gửi" in client.get(f"/r/{token}").text
    typed = {**form(ykien_app, token, answer="comments", section=["Mục I.1", ""], comment=["Nửa chừng", ""],
                    proposed=["Sửa thành ...", ""], quote=["Nâng cao năng suất", ""]), "action": "save"}
    saved = client.post(f"/r/{token}", data=typed, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/r/{token}?saved=1"
    page = client.get(saved.headers["location"]).text
    assert "Đã lưu nháp, chưa gửi." in page and 'id="saved-notice"' in page
    reloaded = client.get(f"/r/{token}").text  # later, from the same link
    assert 'value="Mục I.1"' in reloaded and ">Nửa chừng</textarea>" in reloaded and ">Sửa thành ...</textarea>" in reloaded
    assert 'id="quote-1" value="Nâng cao năng suất"' in reloaded
    assert re.search(r'name="answer" value="comments" checked', reloaded)
    assert "Nửa chừng" not in client.get(f"/r/{docx_tokens['STC']}").text  # another unit sees nothing of it
    assert unit(ykien_app, "SCT").answer.value == "pending" and receipts(capture, ykien_app) == []  # nothing sent

    sent = client.post(f"/r/{token}", data=form(ykien_app, token, answer="comments", section=["Mục I.1"],
                                                comment=["Ý kiến hoàn chỉnh"], proposed=[""], quote=[""]))
    assert sent.status_code == 200 and "Đã gửi ý kiến" in sent.text
    after = client.get(f"/r/{token}").text
    assert 'id="saved-notice"' not in after and "Nửa chừng" not in after and "Lưu nháp, chưa gửi" not in after
    assert ">Ý kiến hoàn chỉnh</textarea>" in after
    with ykien_app.uow(read_only=True) as uow:
        assert uow.saved_answers.get(recipient_page(ykien_app, token).recipient_id) is None


def test_saving_unsent_is_refused_after_the_deadline_and_after_the_unit_answered(
        client: TestClient, ykien_app: App, docx_tokens: dict[str, str], clock: FrozenClock) -> None:
    answered, late = docx_tokens["SCT"], docx_tokens["STC"]
    client.post(f"/r/{answered}", data=form(ykien_app, answered, answer="agree"))
    again = client.post(f"/r/{answered}", data={**comments_form(ykien_app, answered, ("Mục I", "Đổi ý", "")),
                                                 "action": "save"})
    assert again.status_code == 409 and "không lưu nháp được nữa" in again.text
    assert ">Đổi ý</textarea>" in again.text  # refused, but what was typed is still there
    clock.set(datetime(2025, 12, 6, 9, 0, tzinfo=TZ))
    refused = client.post(f"/r/{late}", data={**comments_form(ykien_app, late, ("Mục I", "Quá hạn", "")),
                                              "action": "save"})
    assert refused.status_code == 409 and "Đã hết hạn gửi ý kiến" in refused.text
    with ykien_app.uow(read_only=True) as uow:
        for token in (answered, late):
            assert uow.saved_answers.get(recipient_page(ykien_app, token).recipient_id) is None

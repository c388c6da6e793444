"""A department's own kind whose units answer with comments, "Phản biện đề cương nhiệm vụ" (tests/fixtures/
s11d_review), speaks its own words wherever only a kind answering with comments is seen: the pick buttons under the
outline's parts and the line that explains them, the quoted part of a row (as the page and its script label it),
the comment rows' mistakes, and the comment column of the round's workbook. None of them says "góp ý"; the
consultation still does.

The draft's HTML is cached once per file, shared by every page: the words of the buttons are put in when a page is
made, never stored, so a kind whose terms change after a draft was converted shows its new words.
"""
from __future__ import annotations

import io
import os
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest
from department_kinds import REVIEW, kinds_folder, new_round, visible
from fastapi.testclient import TestClient
from staff_site import STAFF, launched_round, staff, template_home, ykien_app  # noqa: F401
from test_recipient_page import links

from config.clock import FrozenClock
from models.rounds import RecipientRole
from notifications.testing import SmtpCapture
from workflows.engine.events import Close
from workflows.service.app import App
from workflows.service.documents import render_document
from workflows.service.draft_html import cache_location
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, execute
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "Nghiên cứu ứng dụng công nghệ sinh học trong sản xuất giống lúa chất lượng cao"
QUOTE = "Đánh giá hiện trạng sản xuất giống lúa tại địa phương."


@pytest.fixture(autouse=True)
def department(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    return kinds_folder(tmp_path_factory, monkeypatch, REVIEW)


def outline(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_heading("I. MỤC TIÊU", 1)
    document.add_paragraph(QUOTE)
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ("Nội dung", "Kinh phí", "Khảo sát", "120"), strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "de-cuong.docx"
    path.write_bytes(buffer.getvalue())
    return path


def launch(app: App, tmp_path: Path, workflow: str = "review") -> int:
    return launched_round(app, new_round(workflow, TITLE, date(2025, 12, 5), Addressee(units=("SCT", "STC")),
                                         Addressee(units=("LMHTX",), role=RecipientRole.INFORM),
                                         draft_path=outline(tmp_path)))


def block_number(page: str, quote_start: str) -> str:
    match = re.search(r'id="d-(\d+)" data-section="[^"]*">(?:<[^>]+>)*' + re.escape(quote_start), page)
    assert match, quote_start
    return match.group(1)


def rows(app: App, token: str, *typed: tuple[str, str, str, str]) -> dict[str, object]:
    return {"csrf_token": link_csrf(app, token), "action": "send", "answer": "comments",
            "section": [r[0] for r in typed], "comment": [r[1] for r in typed], "proposed": [r[2] for r in typed],
            "quote": [r[3] for r in typed]}


def test_the_units_page_picks_parts_of_the_outline_in_the_kinds_verb(ykien_app: App, capture: SmtpCapture,
                                                                     tmp_path: Path) -> None:
    launch(ykien_app, tmp_path)
    token = links(capture)["SCT"]
    unit = TestClient(create_web_app(ykien_app))
    page = unit.get(f"/r/{token}").text
    assert ">Phản biện mục này</button>" in page and ">Phản biện đoạn này</button>" in page
    assert ">Phản biện bảng này</button>" in page and 'aria-label="Phản biện đoạn này: Mục I"' in page
    assert 'Để phản biện đúng chỗ, bấm "Phản biện đoạn này" dưới một đoạn (hoặc "Phản biện mục này"' in page
    assert 'data-quote-label="Đoạn đề cương được phản biện:"' in page  # what the script labels a chosen part with
    assert "góp ý" not in visible(page, data_words=True).lower() and "<!--pick" not in page

    # Without the script, a button posts the form: the row comes back with the part, labelled in the kind's words.
    chosen = unit.post(f"/r/{token}", data={**rows(ykien_app, token, ("", "", "", "")), "action": "",
                                            "pick": block_number(page, QUOTE)})
    assert chosen.status_code == 200
    assert f'<span class="muted">Đoạn đề cương được phản biện:</span> {QUOTE}</blockquote>' in chosen.text
    assert "góp ý" not in visible(chosen.text, data_words=True).lower()

    # A row with the part chosen but nothing typed is refused, named in the kind's words.
    refused = unit.post(f"/r/{token}", data=rows(ykien_app, token, ("Mục I", "", "", QUOTE)))
    assert refused.status_code == 422
    assert '<a href="#comment-1">Ý kiến 1: chưa có nội dung phản biện.</a>' in refused.text
    too_long = unit.post(f"/r/{token}", data=rows(ykien_app, token, ("Mục I", "x" * 20_001, "", QUOTE)))
    assert "Ý kiến 1 (nội dung phản biện): dài 20.001 ký tự, tối đa 20.000." in too_long.text
    over_quote = unit.post(f"/r/{token}", data=rows(ykien_app, token, ("Mục I", "Ý kiến", "", "x" * 20_001)))
    assert "Ý kiến 1 (đoạn đề cương được phản biện): dài 20.001 ký tự, tối đa 20.000." in over_quote.text
    for page_shown in (refused.text, too_long.text, over_quote.text):
        assert "góp ý" not in visible(page_shown, data_words=True).lower()


def test_the_cached_outline_holds_no_words_of_a_kind_and_a_changed_verb_shows_at_once(
        ykien_app: App, capture: SmtpCapture, tmp_path: Path, department: Path) -> None:
    launch(ykien_app, tmp_path)
    token = links(capture)["SCT"]
    unit = TestClient(create_web_app(ykien_app))
    assert ">Phản biện đoạn này</button>" in unit.get(f"/r/{token}").text
    [cache] = (ykien_app.settings.home / "drafts").rglob(".*.html.json")
    assert cache == cache_location(ykien_app, 1, 1, "de-cuong.docx")
    stored = cache.read_text("utf-8")
    assert "Phản biện" not in stored and "Góp ý" not in stored and "<!--pick:paragraph-->" in stored
    # The department renames its verb: the page, read from the same cache, says the new one.
    kind = department / "review.yaml"
    kind.write_text(kind.read_text("utf-8").replace('verb: "phản biện"', 'verb: "nhận xét"'), "utf-8")
    os.utime(kind, (kind.stat().st_atime, kind.stat().st_mtime + 5))  # read again: the folder's files changed
    page = unit.get(f"/r/{token}").text
    assert ">Nhận xét đoạn này</button>" in page and "Phản biện đoạn này" not in page
    assert cache.read_text("utf-8") == stored


def test_the_workbook_heads_the_comments_in_the_kinds_verb(ykien_app: App, capture: SmtpCapture,
                                                           clock: FrozenClock, tmp_path: Path) -> None:
    round_id = launch(ykien_app, tmp_path)
    token = links(capture)["SCT"]
    unit = TestClient(create_web_app(ykien_app))
    sent = unit.post(f"/r/{token}", data=rows(ykien_app, token, ("Mục I", "Cần nêu rõ địa bàn khảo sát.", "",
                                                                   QUOTE)), follow_redirects=False)
    assert sent.status_code == 303, sent.text
    clock.set(datetime(2025, 12, 3, 9, 0, tzinfo=TZ))
    execute(ykien_app, round_id, Close("Đủ ý kiến"), STAFF)
    filename = get_workflow("review").documents["review_units"].filename
    workbook = render_document(ykien_app, round_id, filename)
    assert workbook is not None
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["Ý kiến"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["STT", "Cơ quan, đơn vị", "Mục", "Nội dung phản biện", "Đề xuất sửa thành", "Xử lý",
                      "Giải trình"]
    assert sheet["D2"].value == "Cần nêu rõ địa bàn khảo sát."
    assert not any("góp ý" in str(cell.value).lower() for row in sheet.iter_rows() for cell in row if cell.value)


def test_the_consultation_still_says_gop_y(ykien_app: App, capture: SmtpCapture, tmp_path: Path) -> None:
    launch(ykien_app, tmp_path, workflow="consultation")
    token = links(capture)["SCT"]
    page = TestClient(create_web_app(ykien_app)).get(f"/r/{token}").text
    assert ">Góp ý mục này</button>" in page and ">Góp ý đoạn này</button>" in page
    assert ">Góp ý bảng này</button>" in page and 'data-quote-label="Đoạn dự thảo được góp ý:"' in page
    assert 'Để góp ý đúng chỗ, bấm "Góp ý đoạn này" dưới một đoạn (hoặc "Góp ý mục này" dưới một đề mục)' in page

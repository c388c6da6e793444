"""From comments to the submission to UBND, on SQLite and PostgreSQL: triage, documents, package, decision.

The documents are opened again with python-docx / openpyxl / zipfile and checked for what staff look at.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.shared import Mm
from minimal_pdf import minimal_pdf
from openpyxl import load_workbook

from config.clock import FrozenClock
from models.consolidation import ExplanationRequired
from models.errors import DomainError
from models.rounds import ResponseKind
from workflows.engine.events import Close, Command, CommentInput, Launch, Respond
from workflows.engine.refusals import GuardFailed, Refused
from workflows.service.app import App
from workflows.service.consolidation import handle_comments, triage_items
from workflows.service.documents import request_letter, round_documents, synthesis_documents
from workflows.service.drafts import add_version
from workflows.service.rounds import execute
from workflows.service.submission import submit_round
from workflows.service.views import round_view

STAFF = "Phạm Phi Long (TĐC)"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)

SAME = "Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001."


def _text(document: Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _consulted_round(app: App, clock: FrozenClock, make_round: Callable[..., int]) -> int:
    round_id = make_round(deadline=date(2025, 12, 5))
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-11-26T10:00"))
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF, comments=(
        CommentInput(SAME, "Mục II.2", "Phấn đấu 50 doanh nghiệp."),
        CommentInput("<script>alert(1)</script> Kinh phí cần tách nguồn.", "Mục IV"))), STAFF)
    execute(app, round_id, Respond("STC", ResponseKind.COMMENTS, STAFF, comments=(CommentInput(SAME, "Mục II.2"),)),
            STAFF)
    execute(app, round_id, Respond("STP", ResponseKind.AGREE, STAFF), STAFF)
    clock.set(local("2025-12-01T09:00"))
    execute(app, round_id, Close("đủ ý kiến"), STAFF)
    return round_id


def test_consolidation_refuses_until_every_comment_is_handled_then_documents_follow(
        app: App, clock: FrozenClock, make_round: Callable[..., int], tmp_path) -> None:  # type: ignore[no-untyped-def]
    round_id = _consulted_round(app, clock, make_round)
    items = triage_items(app, round_id)
    assert [(i.unit_code, i.section) for i in items] == [("SCT", "Mục II.2"), ("SCT", "Mục IV"), ("STC", "Mục II.2")]

    with pytest.raises(GuardFailed) as refused:
        execute(app, round_id, Command("consolidate"), STAFF)
    assert refused.value.code == "comments_unhandled" and "3 ý kiến" in refused.value.message

    with pytest.raises(ExplanationRequired):
        handle_comments(app, round_id, [items[1].comment_id], "not_accepted", "  ", STAFF)
    assert all(i.decision is None for i in triage_items(app, round_id))

    # The identical comment of two units gets one handling.
    shared = handle_comments(app, round_id, [items[0].comment_id, items[2].comment_id], "accepted", None, STAFF)
    handle_comments(app, round_id, [items[1].comment_id], "not_accepted",
                    "Kinh phí bố trí theo dự toán hằng năm.", STAFF)
    handled = triage_items(app, round_id)
    assert handled[0].handling_id == handled[2].handling_id == shared
    execute(app, round_id, Command("consolidate"), STAFF)
    assert round_view(app, round_id).state.status == "consolidated"

    docx_doc, xlsx_doc = synthesis_documents(app, round_id)
    table_doc = Document(io.BytesIO(docx_doc.content))
    table = next(t for t in table_doc.tables if t.rows[0].cells[0].text.strip() == "STT")
    body = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert len(body) == 3
    assert [row[1] for row in body] == ["Sở Công Thương", "Sở Công Thương", "Sở Tài chính"]
    assert [row[3].split("\n")[0] for row in body] == ["Tiếp thu", "Không tiếp thu", "Tiếp thu"]
    assert "<script>alert(1)</script>" in body[1][2]
    text = _text(table_doc)
    assert "Sở Tư pháp" in text  # agreed
    assert "Trung tâm Thông tin" in text  # asked to publish, not to comment
    sheet = load_workbook(io.BytesIO(xlsx_doc.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Không tiếp thu\nKinh phí bố trí theo dự toán hằng năm." in values  # handling and giải trình, one cell

    letter = Document(io.BytesIO(request_letter(app, round_id).content))
    section = letter.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert abs(section.left_margin - Mm(30)) < Mm(1)
    header = _text(letter)
    for expected in ("UBND TỈNH CAO BẰNG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "/SKHCN-TĐC", "V/v xin ý kiến góp ý",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Kính gửi",
                     "Nơi nhận", "GIÁM ĐỐC", "Nông Thị Thanh Huyền", "05/12/2025", "0912130290"):
        assert expected in header, expected
    assert "./." in header

    add_version(app, round_id, _pdf(tmp_path), ["Mục I", "Mục II"], "đã chỉnh lý", STAFF)
    package = submit_round(app, round_id, STAFF)
    names = zipfile.ZipFile(package.path).namelist()
    assert package.path.name == f"ho-so-dot-{round_id}-{package.sha256[:8]}.zip"  # no v1 beside the v2 it holds
    assert names == ["to-trinh.docx", "du-thao-v2.pdf", "bang-tong-hop-y-kien.docx", "bang-tong-hop-y-kien.xlsx",
                     "danh-sach-don-vi.xlsx"]
    submission = Document(io.BytesIO(zipfile.ZipFile(package.path).read("to-trinh.docx")))
    assert "TỜ TRÌNH" in _text(submission)
    assert round_view(app, round_id).state.status == "submitted"

    with pytest.raises(DomainError) as twice:
        submit_round(app, round_id, STAFF)
    assert twice.value.code == "already_submitted"
    assert len(list(package.path.parent.iterdir())) == 1  # the refused attempt left no file behind

    execute(app, round_id, Command("decide_issued", {"number": "123/KH-UBND", "date": "2025-12-20"}), STAFF)
    state = round_view(app, round_id).state
    assert state.status == "issued" and state.outcome["decided_number"] == "123/KH-UBND"


def test_deciding_a_round_never_submitted_is_refused(app: App, clock: FrozenClock,
                                                     make_round: Callable[..., int]) -> None:
    round_id = _consulted_round(app, clock, make_round)
    with pytest.raises(Refused) as refused:
        execute(app, round_id, Command("decide_issued", {"number": "1/KH-UBND"}), STAFF)
    assert refused.value.code == "event_not_allowed"
    assert round_view(app, round_id).state.status == "consolidating"


def test_a_call_with_no_proposals_ends_with_the_report_to_ubnd_and_the_draft_reply(
        app: App, clock: FrozenClock, make_round: Callable[..., int]) -> None:
    from workflows.service.sweep import run_due

    round_id = make_round(workflow="proposal_call", deadline=date(2025, 12, 5))
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-12-06T00:00"))
    run_due(app)
    assert round_view(app, round_id).state.status == "no_proposals"
    titles = [d.title for d in round_documents(app, round_id)]
    assert "Báo cáo UBND tỉnh (không có đề xuất)" in titles and "Dự thảo công văn trả lời Bộ KH&CN" in titles

    package = submit_round(app, round_id, STAFF)
    archive = zipfile.ZipFile(package.path)
    assert archive.namelist() == ["bao-cao-khong-co-de-xuat.docx", "du-thao-cong-van-tra-loi-bo.docx"]
    report = _text(Document(io.BytesIO(archive.read("bao-cao-khong-co-de-xuat.docx"))))
    assert "không đề xuất" in report
    state = round_view(app, round_id).state
    assert state.status == "reported" and state.open_tasks() == []


def _pdf(folder) -> object:  # type: ignore[no-untyped-def]
    path = folder / "du-thao-v2.pdf"
    path.write_bytes(minimal_pdf())
    return path

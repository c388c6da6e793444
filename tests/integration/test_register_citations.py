"""Documents print the number the register gives them and cite earlier documents by number and date; the emails to
units quote the round's letter once it has a number (SQLite and PostgreSQL). The documents are opened again with
python-docx and openpyxl and read as a clerk would."""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from config.clock import FrozenClock
from models.db.tables import OutboxRow
from models.rounds import ResponseKind
from workflows.engine.events import Close, Command, CommentInput, Extend, Launch, Remind, Respond
from workflows.service import register
from workflows.service.app import App
from workflows.service.consolidation import handle_comments, triage_items
from workflows.service.documents import render_document, set_document_inputs
from workflows.service.rounds import execute

STAFF = "Phạm Phi Long (TĐC)"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BLANK_NUMBER, BLANK_DAY = " " * 10, " " * 6
RUNNING_NUMBER, RUNNING_DAY = "\u00a0" * 10, "\u00a0" * 6  # in running text: a line's wrap cannot swallow them


def at(clock: FrozenClock, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=TZ))


def docx_text(app: App, round_id: int, filename: str) -> str:
    rendered = render_document(app, round_id, filename)
    assert rendered is not None, filename
    document = Document(io.BytesIO(rendered.content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def header_cells(app: App, round_id: int, filename: str) -> tuple[str, str]:
    """The number line (left) and the place and date line (right) of a document's header."""
    rendered = render_document(app, round_id, filename)
    assert rendered is not None, filename
    table = Document(io.BytesIO(rendered.content)).tables[0]
    left, right = table.cell(1, 0).text, table.cell(1, 1).text
    return left.splitlines()[0], right


def mails(app: App, round_id: int, kind: str) -> list[str]:
    with app.engine.connect() as connection:
        return list(connection.scalars(select(OutboxRow.text_body).where(
            OutboxRow.round_id == round_id, OutboxRow.kind == kind).order_by(OutboxRow.id)))


def test_a_consultation_numbers_its_documents_and_each_cites_the_ones_before_it(
        app: App, clock: FrozenClock, make_round: Callable[..., int]) -> None:
    at(clock, "2025-11-18T08:00")  # the round is made before its letter is signed
    round_id = make_round(deadline=date(2025, 12, 5))
    at(clock, "2025-11-19T15:00")
    # Before the văn thư numbers it, the letter keeps its blanks.
    assert header_cells(app, round_id, "cong-van-xin-y-kien.docx")[0] == f"Số:{BLANK_NUMBER}/SKHCN-TĐC"
    letter = register.take_number(app, round_id, "request_letter", STAFF)
    assert letter.full_number == "01/SKHCN-TĐC"
    number, dated = header_cells(app, round_id, "cong-van-xin-y-kien.docx")
    assert (number, dated) == ("Số: 01/SKHCN-TĐC", "Cao Bằng, ngày 19 tháng 11 năm 2025")

    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), STAFF)
    invitations = mails(app, round_id, "invitation")
    assert invitations and all("Công văn số 01/SKHCN-TĐC ngày 19/11/2025 V/v xin ý kiến góp ý" in body
                               for body in invitations)

    at(clock, "2025-11-26T10:00")
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF, comments=(
        CommentInput("Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001.", "Mục II.2"),)), STAFF)
    reminder = docx_text(app, round_id, "cong-van-don-doc.docx")
    assert "ban hành Công văn số 01/SKHCN-TĐC về việc xin ý kiến góp ý" in reminder
    assert "Ngày 19/11/2025" in reminder  # the letter's own date, not the day the round went out
    assert header_cells(app, round_id, "cong-van-don-doc.docx")[0] == f"Số:{BLANK_NUMBER}/SKHCN-TĐC"
    assert register.take_number(app, round_id, "reminder_letter", STAFF).full_number == "02/SKHCN-TĐC"
    assert header_cells(app, round_id, "cong-van-don-doc.docx") == ("Số: 02/SKHCN-TĐC",
                                                                   "Cao Bằng, ngày 26 tháng 11 năm 2025")
    execute(app, round_id, Remind(("STC",)), STAFF)
    assert "Tại Công văn số 01/SKHCN-TĐC ngày 19/11/2025 V/v" in \
        "\n".join(mails(app, round_id, "reminder_before"))
    execute(app, round_id, Extend(date(2025, 12, 10), "STC", "Đơn vị đề nghị"), STAFF)
    assert "đã đề nghị tại Công văn số 01/SKHCN-TĐC ngày 19/11/2025 V/v" in "\n".join(mails(app, round_id, "extension"))

    at(clock, "2025-12-01T09:00")
    execute(app, round_id, Close("đủ ý kiến"), STAFF)
    items = triage_items(app, round_id)
    handle_comments(app, round_id, [item.comment_id for item in items], "accepted", None, STAFF)
    execute(app, round_id, Command("consolidate"), STAFF)
    set_document_inputs(app, round_id, {"necessity": ["Cần thiết."]}, STAFF)

    # The synthesis table goes with a tờ trình not numbered yet: its number and day are blank, its ký hiệu shown.
    synthesis = docx_text(app, round_id, "bang-tong-hop-y-kien.docx")
    assert f"(Kèm theo Tờ trình số{RUNNING_NUMBER}/TTr-SKHCN ngày{RUNNING_DAY}tháng 12 năm 2025 của Sở Khoa học và Công " \
        "nghệ)" in synthesis
    submission = docx_text(app, round_id, "to-trinh.docx")
    assert "Công văn số 01/SKHCN-TĐC ngày 19/11/2025" in submission

    at(clock, "2025-12-02T10:00")
    assert register.take_number(app, round_id, "submission", STAFF).full_number == "03/TTr-SKHCN"
    assert header_cells(app, round_id, "to-trinh.docx") == ("Số: 03/TTr-SKHCN", "Cao Bằng, ngày 02 tháng 12 năm 2025")
    synthesis = docx_text(app, round_id, "bang-tong-hop-y-kien.docx")
    assert "(Kèm theo Tờ trình số 03/TTr-SKHCN ngày 02/12/2025 của Sở Khoa học và Công nghệ)" in synthesis
    rendered = render_document(app, round_id, "bang-tong-hop-y-kien.xlsx")
    assert rendered is not None
    sheet = load_workbook(io.BytesIO(rendered.content)).active
    assert sheet is not None
    assert sheet.cell(3, 1).value == "(Kèm theo Tờ trình số 03/TTr-SKHCN ngày 02/12/2025 của Sở Khoa học và Công nghệ)"
    assert sheet.cell(4, 1).value == "STT"

    # A cancelled number is no longer cited: the tờ trình goes back to its blanks.
    entry = register.round_numbers(app, round_id)["submission"]
    register.cancel_entry(app, entry.id, "Ký lại", STAFF)
    assert header_cells(app, round_id, "to-trinh.docx")[0] == f"Số:{BLANK_NUMBER}/TTr-SKHCN"


def test_a_call_with_no_proposals_cites_the_call_by_its_register_number_or_the_one_staff_typed(
        app: App, clock: FrozenClock, make_round: Callable[..., int]) -> None:
    from workflows.service.sweep import run_due

    at(clock, "2025-11-18T08:00")
    round_id = make_round(workflow="proposal_call", deadline=date(2025, 12, 5))
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), STAFF)
    at(clock, "2025-12-06T00:00")
    run_due(app)
    set_document_inputs(app, round_id, {"call_letter_number": "123/SKHCN-TĐC"}, STAFF)
    report = docx_text(app, round_id, "bao-cao-khong-co-de-xuat.docx")
    assert "Công văn số 123/SKHCN-TĐC ngày 20/11/2025" in report  # typed: the call went out before ykien numbered

    register.enter_number(app, round_id, "call_letter", "45/SKHCN-TĐC", date(2025, 11, 19), STAFF)
    report = docx_text(app, round_id, "bao-cao-khong-co-de-xuat.docx")
    assert "Công văn số 45/SKHCN-TĐC ngày 19/11/2025" in report and "123/SKHCN-TĐC" not in report
    assert register.take_number(app, round_id, "zero_response_report", STAFF).full_number == "01/SKHCN-TĐC"
    assert header_cells(app, round_id, "bao-cao-khong-co-de-xuat.docx")[0] == "Số: 01/SKHCN-TĐC"

"""Issue 11 item 2: the defects reviewers found in the consultation round's documents, each read back from the DOCX
or XLSX a clerk would sign or file.

The round is the demo's seed-000 round (39 units of Cao Bằng, deadline 05/12/2025, launched 20/11/2025), on SQLite:
what is checked is what the documents say, not how the round is stored (the other integration tests run both
backends).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.table import Table
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from test_consolidation_documents import STAFF, _text, local
from test_proposal_call_documents import REPORT_SUBJECT, _call

from config.clock import FrozenClock
from models.rounds import ResponseChannel, ResponseKind
from models.unit_status import EMAIL_LABELS
from notifications.documents.exports import UNIT_HEADER_ROW
from workflows.demo import UNITS_CSV, seed_round
from workflows.engine.events import Close, Command, CommentInput, Extend, Launch, Respond
from workflows.service.app import App
from workflows.service.consolidation import handle_comments, triage_items
from workflows.service.directory import import_units
from workflows.service.documents import RoundFacts, build_document, set_document_inputs, state_documents
from workflows.service.drafts import add_version
from workflows.service.rounds import create_round, execute
from workflows.service.submission import submit_round

NBSP = "\u00a0"  # the blanks for the clerk in running text are no-break spaces
REPO = Path(__file__).resolve().parents[2]
PROPOSED = "Phấn đấu có ít nhất 50 doanh nghiệp áp dụng hệ thống quản lý chất lượng ISO 9001."
EXPLANATION = "Kinh phí bố trí theo dự toán ngân sách hằng năm; nguồn xã hội hóa do doanh nghiệp tự cân đối."
NECESSITY = "Năng suất lao động của doanh nghiệp trên địa bàn tỉnh còn thấp so với bình quân cả nước."
PURPOSE = "Hỗ trợ doanh nghiệp nâng cao năng suất, chất lượng dựa trên khoa học, công nghệ và đổi mới sáng tạo."
CONTENTS = "Dự thảo Kế hoạch gồm 05 phần: mục đích, yêu cầu; mục tiêu; nhiệm vụ, giải pháp; kinh phí; tổ chức thực hiện."


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# --- the round -------------------------------------------------------------------------------------------------

def launched(app: App, clock: FrozenClock, **changes: object) -> int:
    """The seed-000 round of the demo (39 units), launched on 20/11/2025 with deadline 05/12/2025."""
    import_units(app, UNITS_CSV, STAFF)
    round_id = create_round(app, replace(seed_round(), **changes), STAFF)  # type: ignore[arg-type]
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    return round_id


def answered_by_some(app: App, clock: FrozenClock, round_id: int) -> None:
    """Sở Công Thương comments (with proposed wording), Sở Tư pháp agrees on paper, Sở Y tế gets until 12/12."""
    clock.set(local("2025-11-26T10:15"))
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF, comments=(
        CommentInput("Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001 đến năm 2030.", "Mục II.2",
                     PROPOSED),
        CommentInput("Kinh phí thực hiện cần tách rõ nguồn ngân sách tỉnh và nguồn xã hội hóa.", "Mục IV"))), STAFF)
    execute(app, round_id, Respond("STP", ResponseKind.AGREE, STAFF, channel=ResponseChannel.PAPER), STAFF)
    clock.set(local("2025-12-04T11:00"))
    execute(app, round_id, Extend(date(2025, 12, 12), "SYT", "Sở Y tế đề nghị gia hạn"), STAFF)


def consolidated(app: App, clock: FrozenClock, tmp_path: Path, revised: bool = True, **changes: object) -> int:
    """The round after the deadline with four comments handled (one of each handling) and a revised draft (unless
    not `revised`)."""
    round_id = launched(app, clock, **changes)
    answered_by_some(app, clock, round_id)
    clock.set(local("2025-12-11T14:20"))
    execute(app, round_id, Respond("SYT", ResponseKind.COMMENTS, STAFF, comments=(
        CommentInput("Đề nghị bổ sung nội dung hỗ trợ cơ sở sản xuất dược liệu áp dụng GACP.", "Mục III.1"),
        CommentInput("Thống nhất với bố cục của dự thảo.", None))), STAFF)
    clock.set(local("2025-12-15T09:00"))
    execute(app, round_id, Close("hết hạn"), STAFF)
    items = triage_items(app, round_id)
    handle_comments(app, round_id, [items[0].comment_id], "accepted", None, STAFF)
    handle_comments(app, round_id, [items[1].comment_id], "not_accepted", EXPLANATION, STAFF)
    handle_comments(app, round_id, [items[2].comment_id], "partly_accepted", "Bổ sung vào Mục III.1.", STAFF)
    handle_comments(app, round_id, [items[3].comment_id], "noted", None, STAFF)
    execute(app, round_id, Command("consolidate"), STAFF)
    if not revised:
        return round_id
    draft = tmp_path / "du-thao-v2.docx"
    docx.Document().save(draft)
    add_version(app, round_id, draft, ["Mục I", "Mục II"], "đã chỉnh lý", STAFF)
    return round_id


def document(app: App, round_id: int, key: str) -> bytes:
    return build_document(RoundFacts(app, round_id), key).content


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs if p.text.strip()]


def unit_table(content: bytes) -> Table:
    """The table whose header names the units ("Cơ quan, đơn vị"): the synthesis table, a list attached."""
    return next(t for t in docx.Document(io.BytesIO(content)).tables
                if "Cơ quan, đơn vị" in [cell.text for cell in t.rows[0].cells])


def addressee_lines(content: bytes) -> list[str]:
    """What "Kính gửi:" names: the one line "Kính gửi: X." or the dashed lines under it."""
    texts = paragraphs(content)
    start = next(i for i, text in enumerate(texts) if text.startswith("Kính gửi:"))
    if texts[start] != "Kính gửi:":
        return [texts[start].removeprefix("Kính gửi:").strip()]
    return [text for text in texts[start + 1:] if text.startswith("- ")]


def sheet(content: bytes, title: str | None = None) -> Worksheet:
    book = load_workbook(io.BytesIO(content))
    found = book[title] if title else book.active
    assert isinstance(found, Worksheet)
    return found


def dates_in(text: str) -> list[date]:
    return [date(int(y), int(m), int(d)) for d, m, y in re.findall(r"\b(\d{2})/(\d{1,2})/(\d{4})\b", text)]


# --- the reminder ----------------------------------------------------------------------------------------------

def test_reminder_before_the_deadline_asks_for_the_recorded_deadline_not_an_earlier_day(
        app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    clock.set(local("2025-11-26T10:00"))  # today + 3 working days would be 01/12, before the deadline 05/12
    body = " ".join(paragraphs(document(app, round_id, "reminder_letter")))
    assert "chậm nhất trong ngày 05/12/2025." in body
    assert min(dates_in(body.split("Đến nay", 1)[1])) == date(2025, 12, 5)


def test_reminder_after_an_extension_goes_to_the_extended_unit_for_its_extended_deadline(
        app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    answered_by_some(app, clock, round_id)
    clock.set(local("2025-12-08T09:00"))  # the others' deadline has passed: silence counts as agreement
    content = document(app, round_id, "reminder_letter")
    assert addressee_lines(content) == ["Sở Y tế."]
    assert "chậm nhất trong ngày 12/12/2025" in " ".join(paragraphs(content))


def test_reminder_is_not_offered_once_every_silent_unit_is_taken_to_agree(app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    answered_by_some(app, clock, round_id)
    clock.set(local("2025-12-11T14:20"))
    execute(app, round_id, Respond("SYT", ResponseKind.AGREE, STAFF), STAFF)
    # The round still circulates (it closes at the end of 12/12), but no silent unit can be asked any more.
    reminder = next(d for d in state_documents(app, round_id) if d.key == "reminder_letter")
    assert reminder.not_ready is not None and reminder.not_ready.code == "deadline_passed"
    assert "coi như đồng ý" in reminder.not_ready.message


def test_reminder_to_many_units_is_addressed_to_the_attached_list_grouped_as_the_request_letter(
        app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    answered_by_some(app, clock, round_id)
    clock.set(local("2025-12-03T08:00"))
    content = document(app, round_id, "reminder_letter")
    assert addressee_lines(content) == ["Các cơ quan, đơn vị có tên tại danh sách kèm theo."]
    listed = [[cell.text for cell in row.cells] for row in unit_table(content).rows[1:]]
    units = [name for number, name in listed if number.isdigit()]
    assert len(units) == 38 - 2 and "Sở Y tế" in units and "Sở Công Thương" not in units
    groups = [name for number, name in listed if not number.isdigit()]
    assert groups[:3] == ["Cơ quan trung ương", "Ủy ban Mặt trận Tổ quốc Việt Nam và các đoàn thể tỉnh",
                          "Các sở, ban, ngành tỉnh"]
    assert "(riêng Sở Y tế: chậm nhất trong ngày 12/12/2025)" in " ".join(paragraphs(content))


def test_reminder_of_a_kind_without_silence_rule_asks_within_its_grace_period(
        app: App, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Data, not code: a kind whose silence counts nothing and whose grace period is 3 working days offers the
    reminder after the deadline, for the last day of grace, and not after it."""
    folder = tmp_path / "kinds"
    folder.mkdir()
    kind = (REPO / "tests" / "fixtures" / "kinds" / "survey_grace.yaml").read_text(encoding="utf-8")
    kind = kind.replace('name: "survey_grace"', 'name: "survey_letters"') + (
        '\ndocuments:\n  reminder_letter:\n    title: "Công văn đôn đốc"\n    builder: "reminder_letter"\n'
        '    filename: "cong-van-don-doc.docx"\n    states: ["circulating"]\n')
    (folder / "survey_letters.yaml").write_text(kind, encoding="utf-8")
    monkeypatch.setenv("YKIEN_WORKFLOWS_DIR", str(folder))
    round_id = launched(app, clock, workflow="survey_letters")
    clock.set(local("2025-12-08T09:00"))  # deadline Friday 05/12; grace until Wednesday 10/12
    body = " ".join(paragraphs(document(app, round_id, "reminder_letter")))
    assert "chậm nhất trong ngày 10/12/2025" in body and "Phiếu khảo sát nhu cầu" in body
    assert "thống nhất" not in body
    clock.set(local("2025-12-11T09:00"))
    reminder = next(d for d in state_documents(app, round_id) if d.key == "reminder_letter")
    assert reminder.not_ready is not None and reminder.not_ready.code == "deadline_passed"


def test_reminder_after_the_round_is_extended_quotes_the_first_letter_and_asks_for_the_new_day(
        app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    clock.set(local("2025-12-03T09:00"))
    execute(app, round_id, Extend(date(2025, 12, 19), None, "Dự thảo được bổ sung"), STAFF)
    clock.set(local("2025-12-15T09:00"))
    first, then = _reminder_body(app, round_id)
    assert "chậm nhất ngày 05/12/2025." in first  # what Công văn of 20/11 asked for, not the day it moved to
    assert "chậm nhất trong ngày 19/12/2025." in then and "đúng thời hạn nêu trên" not in then


def test_reminder_cites_a_first_letter_not_numbered_yet_with_its_number_blank_as_the_tờ_trình_does(
        app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    clock.set(local("2025-12-03T09:00"))
    first, _ = _reminder_body(app, round_id)
    assert first.startswith("Ngày 20/11/2025, Sở Khoa học và Công nghệ ban hành Công văn số" + NBSP * 10 + "/SKHCN-TĐC về "
                            "việc xin ý kiến")  # the blank for the clerk, as the letter it cites has it
    assert "\ue000" not in first


def _reminder_body(app: App, round_id: int) -> tuple[str, str]:
    """The reminder's paragraph quoting the first letter ("Ngày …, … ban hành Công văn …") and the one after it."""
    texts = paragraphs(document(app, round_id, "reminder_letter"))
    start = next(i for i, text in enumerate(texts) if text.startswith("Ngày 20/11/2025"))
    return texts[start], texts[start + 1]


# --- the invitation email --------------------------------------------------------------------------------------

def test_invitation_email_says_what_the_draft_is_to_be_issued_as_as_the_letter_does(
        app: App, clock: FrozenClock) -> None:
    from sqlalchemy import select

    from models.db.tables import OutboxRow

    round_id = launched(app, clock)
    with app.engine.connect() as connection:
        body = connection.scalar(select(OutboxRow.text_body).where(
            OutboxRow.round_id == round_id, OutboxRow.kind == "invitation", OutboxRow.unit_code == "SCT"))
    assert body is not None
    said = " ".join(body.split())
    assert "có cơ sở trình UBND tỉnh Cao Bằng ban hành Kế hoạch, Sở Khoa học và Công nghệ trân trọng đề nghị" in said
    assert "{" not in said


# --- the request letter ----------------------------------------------------------------------------------------

def test_request_letter_keeps_the_deadline_it_went_out_with_once_the_round_is_extended(
        app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    clock.set(local("2025-12-03T09:00"))
    execute(app, round_id, Extend(date(2025, 12, 19), None, "Dự thảo được bổ sung"), STAFF)
    letter = _text(docx.Document(io.BytesIO(document(app, round_id, "request_letter"))))
    assert "chậm nhất ngày 05/12/2025." in letter
    assert "19/12/2025" not in letter


def test_request_letter_names_the_asked_units_in_one_sentence_closed_by_the_related_units(
        app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    ask = next(text for text in paragraphs(document(app, round_id, "request_letter")) if text.startswith("1. "))
    named = ask.split(" nghiên cứu, đóng góp ý kiến")[0]
    assert "; Các " not in named and "; các sở, ban, ngành tỉnh;" in named
    assert named.endswith("và các đơn vị liên quan")


def test_request_letter_spells_out_the_group_labels_it_addresses(app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    content = document(app, round_id, "request_letter")
    assert "- Ủy ban Mặt trận Tổ quốc Việt Nam và các đoàn thể tỉnh;" in addressee_lines(content)
    assert "MTTQ" not in _text(docx.Document(io.BytesIO(content)))


def test_deadlines_are_written_as_the_last_day_included(app: App, clock: FrozenClock) -> None:
    round_id = launched(app, clock)
    letter = _text(docx.Document(io.BytesIO(document(app, round_id, "request_letter"))))
    assert "gửi về Sở Khoa học và Công nghệ chậm nhất ngày 05/12/2025." in letter
    clock.set(local("2025-11-26T10:00"))
    reminder = _text(docx.Document(io.BytesIO(document(app, round_id, "reminder_letter"))))
    assert "trước ngày" not in letter + reminder


def test_no_email_page_wording_or_kind_says_before_the_day() -> None:
    """"trước ngày 05/12" means by 04/12; the round takes answers through 05/12."""
    places = [*(REPO / "notifications" / "templates").rglob("*.j2"),
              *(REPO / "notifications" / "documents" / "templates").glob("*.yaml"),
              *(REPO / "workflows" / "definitions").glob("*.yaml"),
              *(REPO / "notifications" / "documents").glob("*.py"),  # documents written in code (the workshop's)
              *(path for pattern in ("recipient*.html", "round_*.html", "consolidation_*.html")
                for path in (REPO / "workflows" / "web" / "templates").glob(pattern))]
    assert len(places) > 20
    saying = [str(path.relative_to(REPO)) for path in places if "trước ngày" in path.read_text(encoding="utf-8")]
    assert saying == []


# --- the synthesis table ---------------------------------------------------------------------------------------

def test_synthesis_keeps_the_wording_the_unit_proposed(app: App, clock: FrozenClock, tmp_path: Path) -> None:
    round_id = consolidated(app, clock, tmp_path)
    rows = unit_table(document(app, round_id, "synthesis_docx")).rows
    assert f"Đề xuất sửa thành: {PROPOSED}" in rows[1].cells[2].text
    values = [str(cell.value) for row in sheet(document(app, round_id, "synthesis_xlsx")).iter_rows() for cell in row]
    assert any(PROPOSED in value for value in values)


def test_synthesis_has_the_four_columns_officials_expect(app: App, clock: FrozenClock, tmp_path: Path) -> None:
    round_id = consolidated(app, clock, tmp_path)
    header = ["STT", "Cơ quan, đơn vị", "Nội dung góp ý", "Ý kiến tiếp thu, giải trình"]
    table = unit_table(document(app, round_id, "synthesis_docx"))
    assert [cell.text for cell in table.rows[0].cells] == header
    handling = [row.cells[3].text for row in table.rows[1:]]
    assert handling == ["Tiếp thu", f"Không tiếp thu\n{EXPLANATION}", "Tiếp thu một phần\nBổ sung vào Mục III.1.",
                        "Ghi nhận"]
    rows = list(sheet(document(app, round_id, "synthesis_xlsx")).iter_rows(values_only=True))
    start = rows.index(tuple(header))
    assert [row[0] for row in rows[start + 1:start + 5]] == [1, 2, 3, 4]  # numbers, not texts
    assert rows[start + 2][3] == f"Không tiếp thu\n{EXPLANATION}"


def test_synthesis_cells_are_left_aligned_not_justified(app: App, clock: FrozenClock, tmp_path: Path) -> None:
    round_id = consolidated(app, clock, tmp_path)
    table = unit_table(document(app, round_id, "synthesis_docx"))
    for row in table.rows[1:]:
        assert row.cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert [cell.paragraphs[0].alignment for cell in row.cells[1:]] == [WD_ALIGN_PARAGRAPH.LEFT] * 3
    xlsx = sheet(document(app, round_id, "synthesis_xlsx"))
    assert {xlsx.cell(row, column).alignment.horizontal for row in range(5, 9) for column in (2, 3, 4)} == {"left"}


# --- the tờ trình ----------------------------------------------------------------------------------------------

def test_submission_shows_the_need_purpose_and_contents_staff_wrote(
        app: App, clock: FrozenClock, tmp_path: Path) -> None:
    round_id = consolidated(app, clock, tmp_path)
    set_document_inputs(app, round_id, {"necessity": [NECESSITY], "purpose": [PURPOSE], "main_contents": [CONTENTS]},
                        STAFF)
    texts = paragraphs(document(app, round_id, "submission"))
    parts = [text for text in texts if re.match(r"^[IVX]+\. [A-ZĐ]", text)]
    assert parts == ["I. SỰ CẦN THIẾT BAN HÀNH KẾ HOẠCH", "II. MỤC ĐÍCH, YÊU CẦU",
                     "III. QUÁ TRÌNH XÂY DỰNG VÀ LẤY Ý KIẾN GÓP Ý DỰ THẢO", "IV. NỘI DUNG CHÍNH CỦA DỰ THẢO KẾ HOẠCH",
                     "V. ĐỀ XUẤT, KIẾN NGHỊ"]
    assert texts[texts.index(parts[0]) + 1] == NECESSITY and texts[texts.index(parts[1]) + 1] == PURPOSE
    assert texts[texts.index(parts[3]) + 1] == CONTENTS


def test_submission_counts_every_row_of_the_synthesis_table(app: App, clock: FrozenClock, tmp_path: Path) -> None:
    round_id = consolidated(app, clock, tmp_path)
    rows = len(unit_table(document(app, round_id, "synthesis_docx")).rows) - 1
    body = " ".join(paragraphs(document(app, round_id, "submission")))
    assert f"Trên cơ sở {rows:02d} ý kiến góp ý" in body
    assert ("đã tiếp thu 01 ý kiến, tiếp thu một phần 01 ý kiến, không tiếp thu 01 ý kiến, ghi nhận 01 ý kiến"
            in body)


def test_submission_names_its_attachments_as_a_clerk_does(app: App, clock: FrozenClock, tmp_path: Path) -> None:
    round_id = consolidated(app, clock, tmp_path)
    texts = paragraphs(document(app, round_id, "submission"))
    start = texts.index("Hồ sơ trình kèm theo gồm:")
    assert texts[start + 1:start + 4] == ["1. Dự thảo Kế hoạch (đã chỉnh lý);",
                                          "2. Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý;",
                                          "3. Danh sách cơ quan, đơn vị được lấy ý kiến."]
    assert "phiên bản" not in " ".join(texts)


def test_submission_cites_the_request_letter_with_its_number_blank_until_the_register_gives_one(
        app: App, clock: FrozenClock, tmp_path: Path) -> None:
    round_id = consolidated(app, clock, tmp_path)
    body = " ".join(paragraphs(document(app, round_id, "submission")))
    # for the clerk to write in, as on the letter: no-break spaces, which a line's wrap cannot swallow
    assert f"tại Công văn số{NBSP * 10}/SKHCN-TĐC ngày 20/11/2025" in body
    assert "\ue000" not in body


def test_a_draft_taking_in_comments_is_not_offered_as_revised_until_a_newer_version_is_uploaded(
        app: App, clock: FrozenClock, tmp_path: Path) -> None:
    """The tờ trình says the draft was completed with the comments taken in: the version the units saw is not
    handed in as "Dự thảo đã chỉnh lý" (the reviewer's package held du-thao-v1 with the wording a comment changed)."""
    circulated = tmp_path / "du-thao-v1.docx"
    docx.Document().save(circulated)
    round_id = consolidated(app, clock, tmp_path, revised=False, draft_path=circulated)
    revised = next(d for d in state_documents(app, round_id) if d.key == "revised_draft")
    assert revised.not_ready is not None and revised.not_ready.code == "revised_draft_missing"
    assert "Đã tiếp thu 2 ý kiến" in revised.not_ready.message, revised.not_ready.message
    draft = tmp_path / "du-thao-v2.docx"
    docx.Document().save(draft)
    add_version(app, round_id, draft, ["Mục I"], "đã chỉnh lý", STAFF)
    assert next(d for d in state_documents(app, round_id) if d.key == "revised_draft").not_ready is None


def test_submission_never_says_issue_twice(app: App, clock: FrozenClock, tmp_path: Path) -> None:
    title = "Quyết định ban hành Quy chế quản lý nhiệm vụ khoa học và công nghệ cấp tỉnh"
    round_id = consolidated(app, clock, tmp_path, title=title, subject="")
    text = " ".join(paragraphs(document(app, round_id, "submission")))
    assert "Về việc ban hành Quy chế quản lý nhiệm vụ khoa học và công nghệ cấp tỉnh" in text
    assert text.count("ban hành Quyết định ban hành") == 0


# --- the unit list of the package ------------------------------------------------------------------------------

def test_unit_list_says_group_role_email_and_answer_in_words(app: App, clock: FrozenClock, tmp_path: Path) -> None:
    round_id = consolidated(app, clock, tmp_path)
    package = submit_round(app, round_id, STAFF)
    units = sheet(zipfile.ZipFile(package.path).read("danh-sach-don-vi.xlsx"), "Đơn vị")
    assert units["A1"].value == "DANH SÁCH CƠ QUAN, ĐƠN VỊ ĐƯỢC LẤY Ý KIẾN"  # consultation.yaml's title of the list
    rows = list(units.iter_rows(min_row=UNIT_HEADER_ROW, values_only=True))
    column = {title: index for index, title in enumerate(rows[0])}
    with app.uow(read_only=True) as uow:
        labels = set(uow.directory.groups().values())  # the directory's groups are data: whatever staff named them
    assert {row[column["Nhóm"]] for row in rows[1:]} <= labels
    assert {row[column["Vai trò"]] for row in rows[1:]} == {"Góp ý", "Đăng tải"}
    assert {row[column["Tình trạng thư"]] for row in rows[1:]} <= set(EMAIL_LABELS.values())
    answers = {row[column["Tên cơ quan, đơn vị"]]: row[column["Trả lời"]] for row in rows[1:]}
    assert answers["Sở Công Thương"] == "Có ý kiến góp ý"
    assert answers["Sở Tư pháp"] == "Đồng ý / không có ý kiến"
    assert answers["Sở Xây dựng"] == "Không trả lời (coi như đồng ý)"
    assert [row[0] for row in rows[1:4]] == [1, 2, 3]


# --- the zero-response report ----------------------------------------------------------------------------------

def test_zero_response_report_recommends_not_proposing_what_was_called_for(app: App, clock: FrozenClock) -> None:
    """Seed 002: "... báo cáo UBND tỉnh không đề xuất nhiệm vụ khoa học và công nghệ cấp quốc gia thuộc Chương trình
    trên", the reason (nobody proposed) said once, in the paragraph before."""
    round_id = _call(app)
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-12-08T09:00"))
    execute(app, round_id, Close("Hết hạn, không có đề xuất"), STAFF)
    set_document_inputs(app, round_id, {"report_subject": REPORT_SUBJECT}, STAFF)
    report = " ".join(paragraphs(document(app, round_id, "zero_response_report")))
    reply = " ".join(paragraphs(document(app, round_id, "ministry_reply")))
    assert f"báo cáo UBND tỉnh không {REPORT_SUBJECT} (có dự thảo công văn" in report
    assert f"Ủy ban nhân dân tỉnh Cao Bằng không {REPORT_SUBJECT}." in reply
    assert "không có cơ quan, đơn vị, doanh nghiệp nào gửi đề xuất" not in report + reply

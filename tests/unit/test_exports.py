"""Exports staff open in Excel: the round workbook, the synthesis sheet and the audit CSV."""
from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

# The seeds' documents as renderer input live with the other fixtures.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from models.audit import GENESIS, AuditEvent, seal
from notifications.documents import cells
from notifications.documents.exports import (
    UNIT_COLUMNS,
    UNIT_HEADER_ROW,
    AuditWords,
    CommentRow,
    UnitRow,
    audit_csv,
    round_workbook,
)
from notifications.documents.synthesis import render_synthesis_xlsx

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RISKY = ["=1+2", "+SUM(A1:A2)", "-2+3", "@cmd", "\tindented", "\rreturn", '=HYPERLINK("http://evil","x")']

UNITS = [
    UnitRow("SCT", "Sở Công Thương", "Sở, ban, ngành", "Góp ý", "Đã gửi", "Có ý kiến góp ý", date(2025, 12, 5),
            late=False, extended=False, answered_at=datetime(2025, 11, 26, 10, 15, tzinfo=VIETNAM_TZ)),
    UnitRow("SYT", "Sở Y tế", "Sở, ban, ngành", "Góp ý", "Đã gửi", "Chưa trả lời", date(2025, 12, 12),
            late=False, extended=True),
    UnitRow("TTTT-VP", "Trung tâm Thông tin - Văn phòng UBND tỉnh", "Khác", "Đăng tải", "Đã gửi", "",
            None, late=False, extended=False),
    UnitRow("STP", "Sở Tư pháp", "Sở, ban, ngành", "Góp ý", "Lỗi gửi thư", "Thống nhất", date(2025, 12, 5),
            late=True, extended=False),
]
COMMENTS = [
    CommentRow("Sở Công Thương", "II.2", "Đề nghị bổ sung chỉ tiêu hằng năm.", "Mỗi năm hỗ trợ ít nhất 10 doanh"
               " nghiệp.", "accepted", "Đã bổ sung."),
    CommentRow("Sở Tài chính", None, "- Đề nghị nêu rõ nguồn kinh phí.", None, None, None),
    CommentRow("=cmd|' /C calc'!A0", "@SUM(1)", "<script>alert('x')</script>", "+1", "not_accepted", "-giải trình"),
]


def load(content: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(content))


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                       if name.startswith("xl/worksheets/sheet"))


def test_round_workbook_has_a_units_sheet_and_a_comments_sheet() -> None:
    book = load(round_workbook(UNITS, COMMENTS))
    assert book.sheetnames == ["Đơn vị", "Ý kiến"]
    units = [[cell.value for cell in row] for row in book["Đơn vị"].iter_rows(min_row=UNIT_HEADER_ROW)]
    assert units[0] == ["STT", "Mã đơn vị", "Tên cơ quan, đơn vị", "Nhóm", "Vai trò", "Tình trạng thư", "Trả lời",
                        "Ngày trả lời", "Hạn trả lời", "Trả lời muộn", "Được gia hạn"]
    assert units[1][:7] == [1, "SCT", "Sở Công Thương", "Sở, ban, ngành", "Góp ý", "Đã gửi", "Có ý kiến góp ý"]
    assert [row[0] for row in units[1:]] == [1, 2, 3, 4]  # numbers Excel sorts as numbers
    assert units[1][7] == datetime(2025, 11, 26, 10, 15)  # the local time it answered, a real date and time
    assert book["Đơn vị"].cell(UNIT_HEADER_ROW + 1, 8).number_format == "dd/mm/yyyy"
    assert units[2][7] is None  # not answered yet
    assert units[1][8] == datetime(2025, 12, 5)  # a real date Excel can sort and filter
    assert units[2][10] == "Có" and units[4][9] == "Có"
    assert units[3][8] is None
    assert len(units) == 1 + len(UNITS)


# The communes' codes of Cao Bằng (workflows/demo_data/units_cao_bang.csv): 12 capitals wrapped onto 3 lines in a
# column 13 wide, and the row's height cut the third off.
COMMUNES = [UnitRow(code, f"Ủy ban nhân dân {name}", "Ủy ban nhân dân các xã, phường", "Góp ý", "Đã gửi",
                    "Không trả lời (coi như đồng ý)", date(2025, 12, 5), late=False, extended=False)
            for code, name in (("P-NUNGTRICAO", "phường Nùng Trí Cao"), ("X-NGUYENBINH", "xã Nguyên Bình"),
                               ("X-QUANGUYEN", "xã Quảng Uyên"), ("X-THACHAN", "xã Thạch An"), ("SYT", "Sở Y tế"))]


def test_the_units_sheet_is_titled_with_what_it_lists_and_the_round_above_its_filtered_header_row() -> None:
    content = round_workbook(COMMUNES, [], title="Danh sách cơ quan, đơn vị được lấy ý kiến",
                             subtitle="Dự thảo Kế hoạch thực hiện Chương trình 1322 năm 2026")
    sheet = load(content)["Đơn vị"]
    assert sheet["A1"].value == "DANH SÁCH CƠ QUAN, ĐƠN VỊ ĐƯỢC LẤY Ý KIẾN" and sheet["A1"].font.b
    assert sheet["A2"].value == "Dự thảo Kế hoạch thực hiện Chương trình 1322 năm 2026"
    assert {str(merged) for merged in sheet.merged_cells.ranges} == {"A1:K1", "A2:K2"}  # within the table's width
    assert [cell.value for cell in sheet[UNIT_HEADER_ROW]][:3] == ["STT", "Mã đơn vị", "Tên cơ quan, đơn vị"]
    assert sheet.auto_filter.ref == f"A{UNIT_HEADER_ROW}:K{UNIT_HEADER_ROW + len(COMMUNES)}"
    assert sheet.freeze_panes == f"A{UNIT_HEADER_ROW + 1}"
    assert str(sheet.print_title_rows).replace("$", "") == f"{UNIT_HEADER_ROW}:{UNIT_HEADER_ROW}"


def test_unit_codes_print_on_one_line_and_no_row_is_shorter_than_its_text() -> None:
    sheet = load(round_workbook(COMMUNES, []))["Đơn vị"]
    width = cells.column_width(sheet, 2)
    assert all(cells.text_lines(unit.code, width, 12) == 1 for unit in COMMUNES), width
    assert width * cells.POINTS_PER_WIDTH >= 12 * 7.5  # 12 capitals of Times New Roman 12, about 7.5 points each
    assert sum(cells.column_width(sheet, column) for column in range(1, 12)) == sum(w for _, w in UNIT_COLUMNS)
    for row in sheet.iter_rows(min_row=UNIT_HEADER_ROW + 1):
        height = sheet.row_dimensions[row[0].row].height or 15.0
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                needed = cells.text_height(cell.value, cells.column_width(sheet, cell.column), 12)
                lines = cells.text_lines(cell.value, cells.column_width(sheet, cell.column), 12)
                assert lines == 1 or height >= needed, (cell.coordinate, cell.value, height)


def test_comments_sheet_shows_the_handling_in_vietnamese() -> None:
    sheet = load(round_workbook(UNITS, COMMENTS))["Ý kiến"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["STT", "Cơ quan, đơn vị", "Mục", "Nội dung góp ý", "Đề xuất sửa thành", "Xử lý", "Giải trình"]
    assert rows[1] == [1, "Sở Công Thương", "II.2", "Đề nghị bổ sung chỉ tiêu hằng năm.",
                       "Mỗi năm hỗ trợ ít nhất 10 doanh nghiệp.", "Tiếp thu", "Đã bổ sung."]
    assert rows[2][5] == "Chưa xử lý"
    assert rows[3][5] == "Không tiếp thu"


def test_texts_that_look_like_formulas_stay_text_with_the_apostrophe_prefix() -> None:
    comments = [CommentRow("Sở Y tế", None, text) for text in RISKY]
    content = round_workbook([], comments)
    sheet = load(content)["Ý kiến"]
    for row, text in enumerate(RISKY, start=2):
        cell = sheet.cell(row, 4)
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix  # Excel's own apostrophe: shown as text, never evaluated
    assert "<f>" not in sheet_xml(content)


def test_ordinary_text_gets_no_prefix_and_markup_stays_literal() -> None:
    sheet = load(round_workbook(UNITS, COMMENTS))["Ý kiến"]
    assert sheet.cell(4, 4).value == "<script>alert('x')</script>"
    assert not sheet.cell(4, 4).quotePrefix
    assert not sheet.cell(2, 4).quotePrefix
    assert sheet.cell(4, 2).quotePrefix and sheet.cell(4, 3).quotePrefix  # "=cmd..." and "@SUM(1)"


def test_synthesis_sheet_has_one_row_per_comment_and_guards_formulas() -> None:
    data = seed_data.synthesis()
    content = render_synthesis_xlsx(data)
    sheet = load(content).active
    assert sheet.title == "Tổng hợp ý kiến"
    assert sheet["A1"].value == "BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN GÓP Ý"
    assert [c.value for c in sheet[4]] == ["STT", "Cơ quan, đơn vị", "Nội dung góp ý", "Ý kiến tiếp thu, giải trình"]
    rows = [[c.value for c in sheet[row]] for row in range(5, 5 + len(data.rows))]
    assert [(r[0], r[1], r[3].split("\n")[0]) for r in rows] == [
        (1, "Sở Công Thương", "Tiếp thu"), (2, "Sở Công Thương", "Tiếp thu một phần"),
        (3, "Sở Tài chính", "Không tiếp thu"), (4, "Hiệp hội Doanh nghiệp tỉnh", "Ghi nhận"),
    ]
    assert rows[0][2].startswith("Mục II.2: Đề nghị bổ sung")
    assert sheet.cell(8, 3).quotePrefix and sheet.cell(8, 3).value.startswith("=HYPERLINK")
    assert "<f>" not in sheet_xml(content)
    listed = " ".join(str(sheet.cell(row, 1).value) for row in range(10, 13))
    assert "Sở Y tế, Sở Xây dựng" in listed and "được hiểu là thống nhất" in listed
    assert sheet.page_setup.orientation == "landscape"


def audit_events() -> list[AuditEvent]:
    entries = [
        (datetime(2025, 11, 20, 1, 30, tzinfo=UTC), "Phạm Phi Long (TĐC)", "round.launched",
         {"tiêu_đề": "Kế hoạch nâng cao năng suất", "đơn_vị": 39}),
        (datetime(2025, 12, 5, 9, 0, tzinfo=UTC), "=cmd|' /C calc'!A0", "response.recorded",
         {"unit": "Sở Tư pháp", "kind": "agree"}),
    ]
    events: list[AuditEvent] = []
    previous = GENESIS
    for seq, (at, actor, action, details) in enumerate(entries, start=1):
        digest = seal(1, seq, at, actor, action, details, previous)
        events.append(AuditEvent(1, seq, at, actor, action, details, previous, digest))
        previous = digest
    return events


AUDIT_WORDS = [AuditWords("Phát hành", "số đơn vị: 39"), AuditWords("Ghi nhận trả lời", "đơn vị: Sở Tư pháp")]


def test_audit_csv_starts_with_a_bom_and_round_trips_vietnamese() -> None:
    content = audit_csv(audit_events(), AUDIT_WORDS)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Số thứ tự", "Thời gian (giờ Việt Nam)", "Người thực hiện", "Hành động", "Chi tiết",
                       "Mã hành động", "Chi tiết (JSON)", "Mã băm"]
    first = rows[1]
    assert first[:6] == ["1", "20/11/2025 08:30:00", "Phạm Phi Long (TĐC)", "Phát hành", "số đơn vị: 39",
                         "round.launched"]
    assert json.loads(first[6]) == {"tiêu_đề": "Kế hoạch nâng cao năng suất", "đơn_vị": 39}
    assert first[7] == audit_events()[0].hash
    assert len(rows) == 3


def test_audit_csv_refuses_words_that_do_not_match_the_events() -> None:
    with pytest.raises(ValueError, match="1 descriptions for 2 events"):
        audit_csv(audit_events(), AUDIT_WORDS[:1])


def test_audit_csv_prefixes_formula_like_fields_with_an_apostrophe() -> None:
    rows = list(csv.reader(io.StringIO(audit_csv(audit_events(), AUDIT_WORDS).decode("utf-8-sig"), newline="")))
    assert rows[2][2] == "'=cmd|' /C calc'!A0"
    assert rows[2][1] == "05/12/2025 16:00:00"


def test_audit_csv_uses_crlf_line_ends_for_excel() -> None:
    assert audit_csv(audit_events(), AUDIT_WORDS).count(b"\r\n") == 3


@pytest.mark.parametrize("handling", ["approved", "Tiếp thu"])
def test_comment_row_refuses_an_unknown_handling(handling: str) -> None:
    with pytest.raises(ValueError, match="handling must be one of accepted, partly_accepted"):
        CommentRow("Sở Y tế", None, "Đồng ý", handling=handling)  # type: ignore[arg-type]


def test_cells_of_one_look_share_its_style_but_not_the_apostrophe_of_a_risky_neighbour() -> None:
    from openpyxl import Workbook

    from notifications.documents import cells

    book = Workbook()
    sheet = cells.first_sheet(book)
    cells.put(sheet.cell(1, 1), "=HYPERLINK(\"http://x\")")
    cells.put(sheet.cell(2, 1), "Sở Y tế")
    cells.put(sheet.cell(3, 1), "Sở Tài chính", bold=True)
    cells.put(sheet.cell(4, 1), date(2025, 12, 5))
    assert (sheet.cell(1, 1).quotePrefix, sheet.cell(2, 1).quotePrefix) == (True, False)
    assert sheet.cell(2, 1).font.name == "Times New Roman" and not sheet.cell(2, 1).font.bold
    assert sheet.cell(3, 1).font.bold and sheet.cell(2, 1).border.left.style == "thin"
    assert (sheet.cell(4, 1).number_format, sheet.cell(2, 1).number_format) == ("DD/MM/YYYY", "General")
    other = cells.first_sheet(Workbook())  # another workbook makes its own styles
    cells.put(other.cell(1, 1), "Sở Y tế")
    assert other.cell(1, 1).font.name == "Times New Roman"

"""How the XLSX documents print (what LibreOffice's PDF and Excel's print take from the file), and which PDF each
document of a round gets. Pure: openpyxl reads back what the renderers wrote; LibreOffice's rendering is tested in
tests/integration/test_pdf.py."""
from __future__ import annotations

import io
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications.documents import cells
from notifications.documents.data import ProposalListData
from notifications.documents.exports import UNIT_HEADER_ROW, CommentRow, UnitRow, round_workbook
from notifications.documents.programme_report import FigureColumn, FiguresWorkbookData, UnitFigures, render_figures_xlsx
from notifications.documents.proposals import render_proposal_list_xlsx
from notifications.documents.synthesis import render_synthesis_xlsx
from notifications.pdf import converts, pdf_sources

INCH = 25.4
UNITS = [UnitRow("TTTT-VP", "Trung tâm Thông tin - Văn phòng UBND tỉnh", "Khác", "Đăng tải", "Đã gửi", "", None,
                 late=False, extended=False)]
COMMENTS = [CommentRow("Sở Công Thương", "II.2", "Đề nghị bổ sung chỉ tiêu. " * 12, None, "accepted", "Đã bổ sung.")]


def sheets(content: bytes) -> list[Worksheet]:
    return [sheet for sheet in load_workbook(io.BytesIO(content)).worksheets if isinstance(sheet, Worksheet)]


def workbooks() -> dict[str, bytes]:
    return {
        "bang-tong-hop-y-kien.xlsx": render_synthesis_xlsx(seed_data.synthesis()),
        "danh-sach-don-vi.xlsx": round_workbook(UNITS, COMMENTS),
        "danh-sach-de-xuat.xlsx": render_proposal_list_xlsx(seed_data.proposal_list()),
    }


@pytest.mark.parametrize("name", list(workbooks()))
def test_every_sheet_prints_on_landscape_a4_with_the_decree_margins_and_its_header_row_on_each_page(name: str) -> None:
    for sheet in sheets(workbooks()[name]):
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", int(Worksheet.PAPERSIZE_A4)), sheet.title
        margins = sheet.page_margins
        assert [round(value * INCH) for value in (margins.top, margins.bottom, margins.left, margins.right)] == \
            [20, 20, 30, 15]
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and int(setup.fitToHeight) == 0
        header_row = {"bang-tong-hop-y-kien.xlsx": 4, "danh-sach-don-vi.xlsx": UNIT_HEADER_ROW}.get(name, 1)
        if sheet.title != "Đơn vị" and name == "danh-sach-don-vi.xlsx":
            header_row = 1  # the comments sheet has no title rows
        assert str(sheet.print_title_rows).replace("$", "") == f"{header_row}:{header_row}"
        assert "&P" in str(sheet.oddHeader.center.text) and sheet.HeaderFooter.differentFirst  # from page 2


def test_the_unit_list_and_the_synthesis_fit_one_page_wide_at_a_readable_scale() -> None:
    books = workbooks()
    for name in ("bang-tong-hop-y-kien.xlsx", "danh-sach-don-vi.xlsx"):
        for sheet in sheets(books[name]):
            assert int(sheet.page_setup.fitToWidth) == 1, (name, sheet.title)
            width = sum(cells.column_width(sheet, column) for column in range(1, sheet.max_column + 1))
            scale = cells.text_width_points(True) / (width * cells.POINTS_PER_WIDTH)
            assert scale >= cells.MIN_SCALE or name.startswith("bang-tong-hop"), (sheet.title, scale)


def test_the_proposal_list_goes_across_pages_repeating_the_number_and_the_unit_rather_than_shrinking() -> None:
    sheet = sheets(workbooks()["danh-sach-de-xuat.xlsx"])[0]
    assert sheet.max_column == 17  # the 15 fields of Mẫu A1-ĐXNV after STT and the unit
    assert int(sheet.page_setup.fitToWidth) > 1
    assert str(sheet.print_title_cols).replace("$", "") == "A:B"
    assert sheet.oddHeader.left.text == "&A"  # the sheet's name above the table on every page


def test_wrapped_rows_get_the_height_of_their_longest_cell_and_short_rows_keep_the_default() -> None:
    units, comments = sheets(round_workbook(UNITS, COMMENTS))
    long_comment = comments.row_dimensions[2].height
    assert long_comment is not None and long_comment > 4 * 15  # 312 letters in a column 46 wide: 8 lines
    assert units.row_dimensions[UNIT_HEADER_ROW + 1].height is not None  # the unit's name wraps in its column
    book = Workbook()
    sheet = cells.first_sheet(book)
    cells.put(cells.at(sheet, 1, 1), "Có")
    cells.fit_row_heights(sheet)
    assert sheet.row_dimensions[1].height is None


def test_a_text_height_grows_with_its_lines() -> None:
    one = cells.text_height("Sở Y tế", 30, 12)
    assert cells.text_height("Sở Y tế\nSở Tư pháp", 30, 12) == pytest.approx(2 * one - cells.ROW_PADDING)
    assert cells.text_height("x" * 270, 30, 12) > 9 * 12


# The first piece of a long "Mục tiêu" as LibreOffice printed it in the proposal list's column 36 wide (Times New
# Roman 12, read from its PDF), and the distance between its lines there, in points of the sheet.
PRINTED_LINES = [
    "(1) Nâng cao năng lực quản lý năng", "lượng cho các doanh nghiệp nhỏ và vừa",
    "trên địa bàn tỉnh Cao Bằng, áp dụng hệ", "thống quản lý năng lượng theo tiêu", "chuẩn ISO 50001 và các công cụ năng",
    "suất xanh; (2) Nâng cao năng lực quản lý", "năng lượng cho các doanh nghiệp nhỏ và",
    "vừa trên địa bàn tỉnh Cao Bằng, áp dụng", "hệ thống quản lý năng lượng theo tiêu",
    "chuẩn ISO 50001 và các công cụ năng", "suất xanh;",
]
PRINTED_LINE = 13.34


def test_a_wrapped_text_s_row_is_as_tall_as_the_lines_libreoffice_prints_it_in_with_less_than_a_line_to_spare() -> None:
    """The estimate counted 32 letters to a line that holds 37 and 15 points to a line of 13.3: these eleven printed
    lines got a row of thirteen lines, 199 points, and the PDF about four blank lines under them."""
    text = " ".join(PRINTED_LINES)
    assert cells.text_lines(text, 36, 12) == len(PRINTED_LINES)
    printed = len(PRINTED_LINES) * PRINTED_LINE
    assert printed <= cells.text_height(text, 36, 12) < printed + PRINTED_LINE


def test_a_text_in_nfd_is_measured_as_in_nfc() -> None:
    """Decomposed diacritics (a text pasted from a Mac) are marks on their letters, not letters of their own."""
    text = " ".join(PRINTED_LINES)
    decomposed = unicodedata.normalize("NFD", text)
    assert len(decomposed) > len(text)
    assert cells.text_lines(decomposed, 36, 12) == cells.text_lines(text, 36, 12)
    assert cells.one_line_width([decomposed], minimum=1) == cells.one_line_width([text], minimum=1)


def test_a_text_cut_into_row_pieces_is_cut_between_words_each_piece_as_tall_as_its_lines() -> None:
    """A piece is as many whole lines as PIECE_HEIGHT holds, so its row has no blank line under it; a word longer
    than a line (an address of 300 letters) stays in one piece rather than being cut between two cells."""
    text = " ".join(PRINTED_LINES * 4)
    pieces = cells.text_pieces(text, 36)
    assert " ".join(pieces) == text and len(pieces) == 4
    full = int((cells.PIECE_HEIGHT - cells.ROW_PADDING) / (12 * cells.LINE_FACTOR))
    assert [cells.text_lines(piece, 36, 12) for piece in pieces] == [full, full, full, 4 * 11 - 3 * full]
    address = "lienhe." * 40 + "@caobang.gov.vn"  # eight lines, from the tenth: the eleventh is inside it
    text = " ".join([*PRINTED_LINES[:9], address, "Cao Bằng"])
    pieces = cells.text_pieces(text, 36)
    assert " ".join(pieces) == text and pieces[0] == " ".join(PRINTED_LINES[:9]) and address in pieces[1]


def test_pages_wide_counts_the_repeated_columns_on_every_page() -> None:
    book = Workbook()
    sheet = cells.first_sheet(book)
    for column, width in enumerate((6, 30, 40, 40, 40, 40, 40, 40), start=1):
        cells.put(cells.at(sheet, 1, column), "x")
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    page = cells.text_width_points(True) / cells.MIN_SCALE / cells.POINTS_PER_WIDTH  # widths on one page
    assert 36 + 3 * 40 <= page < 36 + 4 * 40  # so three fields a page beside STT and the unit
    assert cells.pages_wide(sheet, landscape=True, title_columns="A:B") == 2
    assert cells.pages_wide(sheet, landscape=True) == 2


# --- which PDF each document gets ----------------------------------------------------------------------------

def test_pdf_sources_name_a_pdf_for_every_docx_and_xlsx_the_docx_keeping_a_shared_stem() -> None:
    files = ["cong-van-xin-y-kien.docx", "bang-tong-hop-y-kien.xlsx", "bang-tong-hop-y-kien.docx",
             "danh-sach-don-vi.xlsx", "dot-1-nhat-ky.csv", "to-trinh.docx"]
    assert pdf_sources(files) == {
        "cong-van-xin-y-kien.pdf": "cong-van-xin-y-kien.docx",
        "bang-tong-hop-y-kien.pdf": "bang-tong-hop-y-kien.docx",
        "danh-sach-don-vi.pdf": "danh-sach-don-vi.xlsx",
        "to-trinh.pdf": "to-trinh.docx",
    }
    assert list(pdf_sources(files)) == ["cong-van-xin-y-kien.pdf", "bang-tong-hop-y-kien.pdf", "danh-sach-don-vi.pdf",
                                        "to-trinh.pdf"]  # in the order the sources come
    assert pdf_sources(["bang-tong-hop-y-kien.DOCX", "bang-tong-hop-y-kien.xlsx"]) == {
        "bang-tong-hop-y-kien.pdf": "bang-tong-hop-y-kien.DOCX"}
    assert pdf_sources(["Danh sách.xlsx", "danh-sach-de-xuat.xlsx"]) == {
        "Danh-sach.pdf": "Danh sách.xlsx", "danh-sach-de-xuat.pdf": "danh-sach-de-xuat.xlsx"}
    assert pdf_sources([]) == {}


def test_only_docx_and_xlsx_convert() -> None:
    assert converts("a.docx") and converts("B.XLSX")
    assert not any(converts(name) for name in ("a.doc", "a.xls", "a.csv", "a.pdf", "docx"))


SILENT = ["Liên minh Hợp tác xã tỉnh Cao Bằng", "Hiệp hội doanh nghiệp tỉnh Cao Bằng", "Sở Nông nghiệp và Môi trường",
          "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Xây dựng", "Sở Nội vụ", "Sở Tư pháp", "Báo Cao Bằng",
          "Đài Phát thanh và Truyền hình tỉnh", "Ủy ban nhân dân phường Thục Phán", "Thanh tra tỉnh"]


def test_the_figures_title_and_the_units_that_did_not_report_wrap_within_the_tables_width() -> None:
    """A line running past the table (the silent units, one after another) made the page, fit to its width, print
    at half size: each line under or over the table is merged across it, wrapped, and its row as tall as it."""
    columns = [FigureColumn("2.4. Đào tạo", "Số lớp đào tạo, tập huấn", "trainings_held", "2.4."),
               FigureColumn("3. Kinh phí", "Kinh phí ngân sách nhà nước", "budget_state", "3.")]
    data = FiguresWorkbookData("Kết quả thực hiện Chương trình 1322 năm 2025", columns, [],
                               [UnitFigures("Sở Công Thương", False, {"trainings_held": "2"})], SILENT)
    sheet = sheets(render_figures_xlsx(data))[0]
    last = get_column_letter(2 + len(columns))
    note_row = sheet.max_row
    note = sheet.cell(note_row, 1)
    assert note.value == "Chưa báo cáo: " + "; ".join(SILENT) + "."
    assert {str(merged) for merged in sheet.merged_cells.ranges} == {f"A1:{last}1", f"A{note_row}:{last}{note_row}"}
    assert note.alignment.wrap_text and sheet.cell(1, 1).alignment.wrap_text
    width = sum(cells.column_width(sheet, column) for column in range(1, 3 + len(columns)))
    assert (sheet.row_dimensions[note_row].height or 0) >= cells.text_height(str(note.value), width, 12)
    assert int(sheet.page_setup.fitToWidth) == 1


def test_the_proposal_list_sizes_short_fields_to_their_values_and_goes_across_four_pages_not_six() -> None:
    """Mẫu A1-ĐXNV's 15 fields cannot be read on one page's width (README): a sum, a phone number, an email take
    the width of their longest value, a long text the widest column, so a proposal spreads over four pages, not six."""
    data = replace(seed_data.proposal_list(), proposer_key="organisation")
    sheet = sheets(render_proposal_list_xlsx(data))[0]
    widths = {sheet.cell(1, column).value: cells.column_width(sheet, column)
              for column in range(1, sheet.max_column + 1)}
    assert widths["Tính cấp thiết của nhiệm vụ"] == 36 and widths["Tên tổ chức/cá nhân đề xuất"] == 28
    assert widths["Điện thoại"] <= 12 and widths["Kinh phí ngân sách nhà nước"] <= 16
    assert all(cells.text_lines("3.500.000.000", widths[label], 12) == 1  # the largest sum, on one line
               for label in ("Kinh phí ngân sách nhà nước", "Kinh phí đối ứng từ tổ chức, doanh nghiệp"))
    assert int(sheet.page_setup.fitToWidth) == 4
    assert str(sheet.print_title_cols).replace("$", "") == "A:C"


def _long_objectives(letters: int) -> tuple[ProposalListData, str]:
    """The seed's list with the first proposal's "Mục tiêu" `letters` long, in numbered words ("mục001 tiêu ...")."""
    words: list[str] = []
    while len(" ".join(words)) < letters:
        words.append(f"mục{len(words) // 2 + 1:03d}" if len(words) % 2 == 0 else "tiêu")
    text = " ".join(words)[:letters].strip()
    data = seed_data.proposal_list()
    first = data.proposals[0]
    fields = [replace(f, value=text) if f.label.lower().startswith("mục tiêu") else f for f in first.fields]
    return replace(data, proposals=[replace(first, fields=fields), *data.proposals[1:]]), text


def test_a_proposal_text_longer_than_the_tallest_row_goes_on_in_the_rows_below_and_prints_whole() -> None:
    """Excel's tallest row (409 pt) holds about 1,000 letters of a long column: a 3,000-letter "Mục tiêu" was cut on
    the printed page. It now goes on in the rows below, each as tall as its piece, one border around the pieces; the
    next proposal starts after them, and the sheet still prints on A4 landscape."""
    data, text = _long_objectives(3_000)
    sheet = sheets(render_proposal_list_xlsx(data))[0]
    column = next(c for c in range(1, sheet.max_column + 1) if str(sheet.cell(1, c).value).startswith("Mục tiêu"))
    width = cells.column_width(sheet, column)
    second = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == 2)
    pieces = [str(sheet.cell(r, column).value) for r in range(2, second)]
    assert len(pieces) > 1 and " ".join(pieces) == text, pieces
    for offset, piece in enumerate(pieces):
        height = sheet.row_dimensions[2 + offset].height or 0
        assert cells.text_height(piece, width, 12) <= height <= cells.PIECE_HEIGHT
    assert sheet.cell(2, 1).value == 1 and sheet.cell(second + 1, 1).value == 3
    first, last = sheet.cell(2, column).border, sheet.cell(second - 1, column).border  # one border around the pieces
    assert (first.bottom is None or first.bottom.style is None) and last.bottom is not None and last.bottom.style
    assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4


def test_every_row_a_long_proposal_goes_on_in_names_it_in_the_columns_printed_on_every_page() -> None:
    """Its number and sending unit were merged down its rows: LibreOffice and Excel print a merged cell's text on the
    page the merge begins on, so the pages after it showed a piece of "Mục tiêu" beside blank cells and no word of
    whose it was. Each row after the first now repeats the number and "<unit> (tiếp theo)" (the columns repeated on
    every page across); nothing is merged, the other cells framed as one down the rows."""
    data, _ = _long_objectives(3_000)
    sheet = sheets(render_proposal_list_xlsx(data))[0]
    second = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == 2)
    assert second > 3 and not sheet.merged_cells.ranges
    assert sheet.cell(2, 2).value == "Hiệp hội doanh nghiệp tỉnh" and not sheet.cell(2, 2).font.i
    for row in range(3, second):
        assert sheet.cell(row, 1).value == 1
        assert sheet.cell(row, 2).value == "Hiệp hội doanh nghiệp tỉnh (tiếp theo)" and sheet.cell(row, 2).font.i
        assert sheet.cell(row, 3).value is None  # the task's name, once, framed down the rows
        assert sheet.cell(row, 3).border.top is None or sheet.cell(row, 3).border.top.style is None
    assert str(sheet.print_title_cols).replace("$", "") == "A:B"


def test_every_text_of_a_proposal_that_goes_on_over_rows_is_cut_into_its_rows_too() -> None:
    """A "Tính cấp thiết" of 700 letters fits one row (409 pt) by itself; beside a "Mục tiêu" cut into pieces it made
    the first row 334 points tall, and the first piece of "Mục tiêu" sat above a blank half page. Every text of such
    a proposal now goes on in its rows, so no row of it is taller than a piece."""
    data, _ = _long_objectives(3_000)
    first = data.proposals[0]
    urgency = ("Doanh nghiệp trên địa bàn tỉnh còn ít áp dụng công cụ cải tiến năng suất chất lượng. " * 9)[:700]
    fields = [replace(f, value=urgency) if f.key == "urgency" else f for f in first.fields]
    data = replace(data, proposals=[replace(first, fields=fields), *data.proposals[1:]])
    sheet = sheets(render_proposal_list_xlsx(data))[0]
    column = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(1, c).value == "Tính cấp thiết của nhiệm vụ")
    second = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == 2)
    assert " ".join(str(sheet.cell(r, column).value) for r in range(2, second) if sheet.cell(r, column).value) == \
        urgency.strip()
    assert all((sheet.row_dimensions[r].height or 0) <= cells.PIECE_HEIGHT for r in range(2, second))


def test_the_proposal_list_s_title_row_is_as_tall_as_its_longest_label_needs_on_every_page() -> None:
    """A field's column was as wide as its values alone: "24" months made "Thời gian thực hiện (tháng)" a column 10
    wide, its label four lines, and the title row (one height for every page across) four lines tall (64 points,
    59 once lines were measured) above the two-line titles of page 1. Each field's column now holds its label in three lines, as the longest
    label needs in the widest column, and the row is three printed lines tall with less than one to spare."""
    names = ["Sở Y tế", "Sở Xây dựng", "Sở Tư pháp"]  # who proposes, short: a column sized to them would be narrow
    proposals = [replace(p, fields=[replace(f, value=name) if f.key == "organisation" else f for f in p.fields])
                 for p, name in zip(seed_data.PROPOSALS, names, strict=True)]
    for data in (seed_data.proposal_list(), replace(seed_data.proposal_list(), proposer_key="organisation",
                                                    proposals=proposals)):
        sheet = sheets(render_proposal_list_xlsx(data))[0]
        assert (sheet.row_dimensions[1].height or 0) < 4 * PRINTED_LINE


def test_a_proposal_list_typed_in_nfd_is_the_list_typed_in_nfc() -> None:
    """The same cells, row heights and column widths: a text with decomposed diacritics prints as its NFC twin."""
    data, _ = _long_objectives(3_000)

    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    decomposed = replace(data, proposals=[
        replace(p, unit=nfd(p.unit), fields=[replace(f, label=nfd(f.label), value=nfd(f.value)) for f in p.fields])
        for p in data.proposals])
    composed, typed = (sheets(render_proposal_list_xlsx(d))[0] for d in (data, decomposed))
    assert [[c.value for c in row] for row in typed.iter_rows()] == \
        [[c.value for c in row] for row in composed.iter_rows()]
    assert [typed.row_dimensions[r].height for r in range(1, typed.max_row + 1)] == \
        [composed.row_dimensions[r].height for r in range(1, composed.max_row + 1)]
    assert [cells.column_width(typed, c) for c in range(1, typed.max_column + 1)] == \
        [cells.column_width(composed, c) for c in range(1, composed.max_column + 1)]


def test_a_proposal_whose_texts_fit_one_row_keeps_one_row() -> None:
    data, _ = _long_objectives(800)
    sheet = sheets(render_proposal_list_xlsx(data))[0]
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == [1, 2, 3]
    assert not sheet.merged_cells.ranges

"""The documents of a call for proposals (seeds 001 and 002), rendered and read back.

The call letter (seed 001) is checked sentence by sentence; the list forwarded to the Ministry as DOCX
and XLSX; the zero-response report (seed 002) with its own V/v, the call letter cited by number and
date, the considerations in order and the draft reply citing the Ministry's letter.
"""
from __future__ import annotations

import io
import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Length
from docx.table import Table
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

# The seeds' documents as renderer input live with the other fixtures.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications.documents.data import DocumentDataError, LetterHead, LetterRef, Proposal, ProposalField
from notifications.documents.letters import render_call_letter, render_ministry_reply_draft, render_zero_response_report
from notifications.documents.proposals import parse_money, render_proposal_list_docx, render_proposal_list_xlsx
from notifications.documents.wording import load_wording

LONG = 1_200  # characters: a title or purpose longer than 1,000 must still render


def mm(*lengths: Length | None) -> tuple[int, ...]:
    """Lengths rounded to whole millimetres (Word stores twips)."""
    assert all(length is not None for length in lengths)
    return tuple(round(length.mm) for length in lengths if length is not None)


def open_docx(content: bytes) -> DocxDocument:
    return Document(io.BytesIO(content))


def texts(document: DocxDocument) -> list[str]:
    """Top-level paragraphs with text, in order (the header and footer tables are not paragraphs)."""
    return [p.text for p in document.paragraphs if p.text.strip()]


def all_text(document: DocxDocument) -> str:
    """Every text of the document: paragraphs and every table cell (header, footer, grids)."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def header_left(document: DocxDocument) -> list[str]:
    table = document.tables[0]
    return [p.text for row in table.rows for p in row.cells[0].paragraphs if p.text.strip()]


def footer_cells(document: DocxDocument, table: Table | None = None) -> tuple[list[str], list[str]]:
    footer = table if table is not None else document.tables[-1]
    left = [p.text for p in footer.cell(0, 0).paragraphs if p.text.strip()]
    right = [p.text for p in footer.cell(0, 1).paragraphs if p.text.strip()]
    return left, right


def one(items: list[str], start: str) -> str:
    found = [item for item in items if item.startswith(start)]
    assert len(found) == 1, (start, found)
    return found[0]


# -- the call letter (seed 001) ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def call() -> DocxDocument:
    return open_docx(render_call_letter(seed_data.call_letter()))


def test_call_letter_head_is_a_cong_van_of_the_department_with_its_v_v(call: DocxDocument) -> None:
    left = header_left(call)
    assert left[:2] == ["UBND TỈNH CAO BẰNG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert re.fullmatch(r"Số: {6,}/SKHCN-QLKH&SHTT", left[2])
    assert left[3] == f"V/v {seed_data.CALL_LETTER_SUBJECT}"
    section = call.sections[0]
    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.left_margin, section.right_margin) == (30, 15)


def test_kinh_gui_lists_the_groups_in_the_given_order(call: DocxDocument) -> None:
    body = texts(call)
    start = body.index("Kính gửi:")
    assert body[start + 1:start + 7] == [
        "- Các sở, ban, ngành;",
        "- Ủy ban nhân dân các xã, phường;",
        "- Hiệp hội doanh nghiệp tỉnh;",
        "- Liên minh Hợp tác xã;",
        "- Báo Cao Bằng;",
        "- Các phòng, đơn vị trực thuộc Sở.",
    ]


def test_the_letter_acts_on_the_references_and_cites_the_ministry_letter(call: DocxDocument) -> None:
    opening = one(texts(call), "Thực hiện ")
    assert opening.startswith("Thực hiện Quyết định số 1322/QĐ-TTg ngày 31/8/2020 của Thủ tướng Chính phủ")
    assert "(sau đây viết tắt là Chương trình 1322) và nhiệm vụ Lãnh đạo Ủy ban nhân dân tỉnh giao" in opening
    assert "tại Công văn số 3584/VP-KT ngày 28/7/2025 của Văn phòng UBND tỉnh" in opening
    assert opening.endswith(", Sở Khoa học và Công nghệ trân trọng đề nghị:")
    guidance = ("theo hướng dẫn tại Công văn số 3347/BKHCN-TĐC ngày 24/7/2025 của Bộ Khoa học và Công nghệ"
                " (gửi kèm theo Công văn này)")
    assert guidance in one(texts(call), "- Căn cứ chức năng, nhiệm vụ")


def test_item_1_asks_the_outside_bodies_to_study_propose_and_inform_businesses(call: DocxDocument) -> None:
    body = texts(call)
    assert "1. Các sở, ban, ngành, đơn vị, địa phương và Hiệp hội doanh nghiệp tỉnh (được nêu tại phần Kính" \
           " gửi):" in body
    study = one(body, "- Căn cứ chức năng, nhiệm vụ")
    assert "chủ động nghiên cứu nội dung Quyết định số 1322/QĐ-TTg; Thông tư số 15/2022/TT-BKHCN" in study
    assert "đồng thời đề xuất nhiệm vụ KH&CN cấp quốc gia dự kiến thực hiện từ năm 2026 thuộc Chương trình" \
           " 1322 theo hướng dẫn" in study
    assert study.endswith("được xác định tại mục 2, phần II của Công văn nêu trên để đề xuất.")
    inform = one(body, "- Tuyên truyền, phổ biến")
    assert "đến các doanh nghiệp trên địa bàn tỉnh" in inform
    assert "khuyến khích doanh nghiệp chủ động đề xuất nhiệm vụ KH&CN cấp quốc gia dự kiến thực hiện từ năm" \
           " 2026 thuộc Chương trình 1322, nhất là các nhiệm vụ KH&CN" in inform


def test_outside_bodies_send_to_the_department_address_and_email_with_the_form(call: DocxDocument) -> None:
    send = one(texts(call), "- Nội dung đề xuất gửi về")
    assert send == (
        "- Nội dung đề xuất gửi về Sở Khoa học và Công nghệ (địa chỉ: tầng 6 tòa nhà C, trụ sở làm việc các"
        " sở, ban, ngành tỉnh, Khu đô thị mới, phường Thục Phán tỉnh Cao Bằng; thư điện tử:"
        " skhcn@caobang.gov.vn) chậm nhất ngày 09/8/2025 (lưu ý: Phiếu đề xuất nhiệm vụ thực hiện theo Mẫu"
        " A1-ĐXNV, Thông tư số 15/2022/TT-BKHCN, được gửi kèm theo Công văn này)."
    )
    assert seed_data.INTERNAL_OFFICE not in send


def test_item_2_tells_the_departments_own_units_to_send_to_the_internal_office(call: DocxDocument) -> None:
    body = texts(call)
    internal = one(body, "2. ")
    assert internal == (
        "2. Các phòng, đơn vị trực thuộc Sở chủ động nghiên cứu, tham mưu đề xuất nhiệm vụ KH&CN cấp quốc gia"
        " dự kiến thực hiện từ năm 2026 thuộc Chương trình 1322 theo hướng dẫn tại Công văn số"
        " 3347/BKHCN-TĐC ngày 24/7/2025 của Bộ Khoa học và Công nghệ và gửi về Phòng Quản lý Khoa học và Sở"
        " hữu trí tuệ chậm nhất ngày 09/8/2025."
    )
    assert body.index(one(body, "1. ")) < body.index(one(body, "- Nội dung đề xuất")) < body.index(internal)


def test_the_portal_unit_publishes_and_the_contact_is_named_with_a_phone(call: DocxDocument) -> None:
    body = texts(call)
    assert ("Trung tâm Ứng dụng tiến bộ KH&CN kịp thời đăng tải nội dung văn bản này và các thông tin liên"
            " quan lên Cổng thông tin điện tử thành phần của Sở để tuyên truyền, phổ biến.") in body
    assert ("Mọi thông tin cần trao đổi, liên hệ qua Ông Phạm Phi Long, trưởng phòng Quản lý Tiêu chuẩn Đo"
            " lường Chất lượng, điện thoại 0912130290.") in body


def test_a_call_never_says_silence_is_agreement_nor_asks_for_comments(call: DocxDocument) -> None:
    text = all_text(call).casefold()
    assert "được hiểu là thống nhất" not in text
    assert "góp ý" not in text
    assert "thống nhất với" not in text


def test_call_letter_ends_with_the_closing_request_then_noi_nhan_and_the_director(call: DocxDocument) -> None:
    body = texts(call)
    assert body[-1] == ("Sở Khoa học và Công nghệ trân trọng đề nghị Thủ trưởng các cơ quan, đơn vị, địa phương"
                        " quan tâm, chỉ đạo và phối hợp tổ chức triển khai thực hiện./.")
    assert sum("./." in text for text in body) == 1
    receivers, signature = footer_cells(call)
    assert receivers == ["Nơi nhận:", "- Như trên;", "- TT Tỉnh ủy (b/c);", "- TT HĐND tỉnh (b/c);",
                         "- UBND tỉnh (b/c);", "- Ban Giám đốc Sở;", "- Lưu: VT, QLKH&SHTT."]
    assert signature == ["GIÁM ĐỐC", "Nông Thị Thanh Huyền"]


def test_a_deputy_signs_the_call_on_behalf_of_the_director() -> None:
    document = open_docx(render_call_letter(replace(seed_data.call_letter(), signer=seed_data.DEPUTY)))
    assert footer_cells(document)[1] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Quốc Anh"]


def test_a_call_without_internal_units_has_one_unnumbered_request_and_no_publisher() -> None:
    data = replace(seed_data.call_letter(), internal_units=None, internal_office=None, publishers=[],
                   addressees=seed_data.CALL_ADDRESSEES[:-1])
    body = texts(open_docx(render_call_letter(data)))
    assert "Các sở, ban, ngành, đơn vị, địa phương và Hiệp hội doanh nghiệp tỉnh (được nêu tại phần Kính gửi):" \
           in body
    assert not any(re.match(r"[12]\. ", text) for text in body)
    assert not any("Phòng Quản lý Khoa học" in text or "đăng tải" in text for text in body)
    assert any(text.startswith("- Nội dung đề xuất gửi về Sở Khoa học và Công nghệ") for text in body)


def test_call_letter_references_given_with_their_opener_are_not_doubled() -> None:
    data = replace(seed_data.call_letter(), references=["Thực hiện Kế hoạch số 12/KH-UBND ngày 02/01/2025;"])
    opening = one(texts(open_docx(render_call_letter(data))), "Thực hiện ")
    assert opening.startswith("Thực hiện Kế hoạch số 12/KH-UBND ngày 02/01/2025, Sở Khoa học và Công nghệ")


@pytest.mark.parametrize(("changes", "field"), [
    ({"department_email": "skhcn caobang"}, "CallLetterData.department_email"),
    ({"department_address": " "}, "CallLetterData.department_address"),
    ({"ministry_letter": ""}, "CallLetterData.ministry_letter"),
    ({"form": ""}, "CallLetterData.form"),
    ({"contact_phone": ""}, "CallLetterData.contact_phone"),
    ({"references": []}, "CallLetterData.references"),
    ({"addressees": []}, "CallLetterData.addressees"),
    ({"internal_office": None}, "CallLetterData.internal_office"),
])
def test_incomplete_call_letter_data_is_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(DocumentDataError, match=re.escape(field)):
        replace(seed_data.call_letter(), **changes)


# -- the list of proposals forwarded to the Ministry --------------------------------------------------------


@pytest.fixture(scope="module")
def proposal_docx() -> DocxDocument:
    return open_docx(render_proposal_list_docx(seed_data.proposal_list()))


def proposal_table(document: DocxDocument) -> Table:
    return next(t for t in document.tables if t.rows[0].cells[0].text == "STT")


def test_proposal_list_is_a_letter_to_the_ministry_citing_its_letter_and_the_call(
        proposal_docx: DocxDocument) -> None:
    left = header_left(proposal_docx)
    assert left[3] == f"V/v {seed_data.CALL_PURPOSE}"
    body = texts(proposal_docx)
    assert "Kính gửi: Bộ Khoa học và Công nghệ." in body
    opening = one(body, "Thực hiện ")
    assert opening.startswith("Thực hiện Công văn số 3347/BKHCN-TĐC ngày 24/7/2025 của Bộ Khoa học và Công nghệ"
                              " về việc đề xuất nhiệm vụ KH&CN cấp quốc gia")
    assert "của Bộ Khoa học và Công nghệ của Bộ" not in opening
    assert "đã thông báo đến các cơ quan, đơn vị, địa phương và doanh nghiệp trên địa bàn tỉnh tại Công văn số" \
           " 1650/SKHCN-QLKH&SHTT ngày 29/7/2025" in opening
    received = one(body, "Hết thời hạn đề xuất")
    assert "(ngày 09/8/2025)" in received and "đã nhận được 03 phiếu đề xuất nhiệm vụ theo Mẫu A1-ĐXNV của 03" \
           " cơ quan, đơn vị" in received
    assert sum("./." in text for text in body) == 1
    letter_footer = next(t for t in proposal_docx.tables if "Nơi nhận:" in t.cell(0, 0).text)
    receivers, signature = footer_cells(proposal_docx, letter_footer)
    assert receivers[-1] == "- Lưu: VT, QLKH&SHTT." and signature == ["GIÁM ĐỐC", "Nông Thị Thanh Huyền"]


def test_proposal_list_has_one_table_row_per_proposal_with_its_unit(proposal_docx: DocxDocument) -> None:
    table = proposal_table(proposal_docx)
    assert [c.text for c in table.rows[0].cells] == [
        "STT", "Tên nhiệm vụ", "Tổ chức đề xuất", "Mục tiêu", "Kết quả dự kiến", "Thời gian", "Kinh phí NSNN (đồng)",
        "Kinh phí nguồn khác (đồng)",
    ]
    rows = [[c.text for c in row.cells] for row in table.rows[1:-1]]  # the last row: the totals
    assert len(rows) == len(seed_data.PROPOSALS)
    assert [(r[0], r[2]) for r in rows] == [
        ("1", "Hiệp hội doanh nghiệp tỉnh"),
        ("2", "Sở Nông nghiệp và Môi trường"),
        ("3", "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng"),
    ]
    assert rows[0][1].startswith("Hỗ trợ doanh nghiệp tỉnh Cao Bằng áp dụng hệ thống quản lý năng lượng ISO 50001")
    assert rows[0][3] == "Hỗ trợ 10 doanh nghiệp áp dụng ISO 50001, giảm tiêu hao năng lượng."
    assert rows[0][4].startswith("10 doanh nghiệp được chứng nhận ISO 50001")
    assert [r[5] for r in rows] == ["24 tháng", "18 tháng", "12 tháng"]
    assert [r[6] for r in rows] == ["3.500.000.000", "2,5 tỷ đồng", "1.500.000.000"]  # as typed when not a number
    assert [r[7] for r in rows] == ["1.200.000.000", "", "300.000.000"]


def test_proposal_list_shows_the_budget_from_other_sources_and_totals_each_money_column() -> None:
    """Mẫu A1-ĐXNV asks the budget from the state and from other sources: the list to the Ministry has both, and a
    total row sums each; an amount not written as a number is named as left out of its total."""
    first, second, third = seed_data.PROPOSALS
    amounts = {"budget_state": "1.250.500.000", "budget_other": "1.250.500.000"}
    first = replace(first, fields=[replace(f, value=amounts.get(f.key or "", f.value)) for f in first.fields])
    data = replace(seed_data.proposal_list(), proposals=[first, second, third])
    rows = [[c.text for c in row.cells] for row in proposal_table(open_docx(render_proposal_list_docx(data))).rows]
    assert rows[1][6:] == ["1.250.500.000", "1.250.500.000"]
    total = rows[-1]
    assert total[1] == "Tổng cộng" and total[6:] == ["2.750.500.000 (chưa gồm 2,5 tỷ đồng)", "1.550.500.000"]
    assert total[0] == total[2] == total[5] == ""
    numbers_only = replace(data, proposals=[first, third])
    assert [c.text for c in proposal_table(open_docx(render_proposal_list_docx(numbers_only))).rows[-1].cells][6:] \
        == ["2.750.500.000", "1.550.500.000"]


def test_the_other_sources_column_is_found_by_the_forms_label_without_a_key() -> None:
    pairs = [("Tên nhiệm vụ", "Ứng dụng ISO 9001"), ("Kinh phí ngân sách nhà nước", "900.000.000"),
             ("Kinh phí đối ứng từ tổ chức, doanh nghiệp", "100.000.000")]
    data = replace(seed_data.proposal_list(), proposals=[Proposal.from_pairs("Liên minh Hợp tác xã", pairs)])
    rows = proposal_table(open_docx(render_proposal_list_docx(data))).rows
    assert [c.text for c in rows[1].cells][6:] == ["900.000.000", "100.000.000"]


def test_proposal_list_appendix_is_landscape_a4_with_the_decree_margins(proposal_docx: DocxDocument) -> None:
    letter, appendix = proposal_docx.sections
    assert mm(letter.page_width, letter.page_height) == (210, 297)
    assert mm(appendix.page_width, appendix.page_height) == (297, 210)
    for section in (letter, appendix):
        assert mm(section.top_margin, section.bottom_margin) == (20, 20)
        assert mm(section.left_margin, section.right_margin) == (30, 15)
    body = texts(proposal_docx)
    assert "DANH MỤC ĐỀ XUẤT NHIỆM VỤ" in body
    assert re.search(r"\(Kèm theo Công văn số[ \u00a0]{6,}/SKHCN-QLKH&SHTT ngày[ \u00a0]{4,}tháng 8 năm 2025 của Sở Khoa học"
                     r" và Công nghệ\)", "\n".join(body))


def test_proposals_given_as_label_value_pairs_find_their_columns_by_label() -> None:
    pairs = [("Tên nhiệm vụ", "Ứng dụng ISO 9001 tại hợp tác xã"), ("Mục tiêu của nhiệm vụ", "Nâng cao chất lượng"),
             ("Dự kiến kết quả, sản phẩm của nhiệm vụ", "05 hợp tác xã áp dụng"),
             ("Thời gian thực hiện (tháng)", "12"), ("Kinh phí ngân sách nhà nước", "900.000.000 đồng")]
    data = replace(seed_data.proposal_list(), proposals=[Proposal.from_pairs("Liên minh Hợp tác xã", pairs)],
                   call_letter=None, deadline=None)
    document = open_docx(render_proposal_list_docx(data))
    row = [c.text for c in proposal_table(document).rows[1].cells]
    assert row == ["1", "Ứng dụng ISO 9001 tại hợp tác xã", "Liên minh Hợp tác xã", "Nâng cao chất lượng",
                   "05 hợp tác xã áp dụng", "12 tháng", "900.000.000", ""]
    body = texts(document)
    assert "Đến nay, Sở Khoa học và Công nghệ đã nhận được 01 phiếu đề xuất" in one(body, "Đến nay")
    assert " tại Công văn" not in one(body, "Thực hiện ")  # no call letter given: none cited


def test_a_list_without_proposals_is_refused_naming_the_field() -> None:
    with pytest.raises(DocumentDataError, match=r"ProposalListData\.proposals"):
        replace(seed_data.proposal_list(), proposals=[])
    with pytest.raises(DocumentDataError, match=r"ProposalListData\.ministry_letter"):
        replace(seed_data.proposal_list(), ministry_letter=" ")


def sheet_of(content: bytes) -> Worksheet:
    return load_workbook(io.BytesIO(content)).active  # type: ignore[return-value]


def test_proposal_xlsx_has_the_form_labels_as_headers_and_one_row_per_proposal() -> None:
    data = seed_data.proposal_list()
    sheet = sheet_of(render_proposal_list_xlsx(data))
    labels = [item.label for item in data.proposals[0].fields]
    assert [c.value for c in sheet[1]] == ["STT", "Cơ quan, đơn vị gửi đề xuất", *labels]
    assert sheet.max_row == 1 + len(data.proposals)
    assert [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)] == [1, 2, 3]
    assert all(sheet.cell(row, 1).data_type == "n" for row in range(2, sheet.max_row + 1))
    assert [sheet.cell(row, 2).value for row in range(2, 5)] == [p.unit for p in data.proposals]
    column = {label: index for index, label in enumerate(labels, start=3)}
    state = column["Kinh phí ngân sách nhà nước"]
    assert [sheet.cell(row, state).value for row in range(2, 5)] == [3_500_000_000, "2,5 tỷ đồng", 1_500_000_000]
    assert sheet.cell(2, state).number_format == "[$-42A]#,##0"
    assert sheet.cell(2, column["Thời gian thực hiện (tháng)"]).value == 24
    assert sheet.cell(2, column["Điện thoại"]).value == "0206000000"  # a phone keeps its leading zero
    assert sheet.freeze_panes == "C2"


def test_proposal_xlsx_keeps_formula_like_values_as_text() -> None:
    data = seed_data.proposal_list()
    first = data.proposals[0]
    fields = [replace(f, value='=HYPERLINK("http://x","bấm")') if f.key == "task_name" else f for f in first.fields]
    data = replace(data, proposals=[replace(first, fields=fields), *data.proposals[1:]])
    sheet = sheet_of(render_proposal_list_xlsx(data))
    task = sheet.cell(2, 3)
    assert task.value == '=HYPERLINK("http://x","bấm")'
    assert task.data_type == "s" and task.quotePrefix
    impact = sheet.cell(2, 3 + [f.key for f in fields].index("expected_impact"))
    assert str(impact.value).startswith("- Giảm 10%") and impact.data_type == "s" and impact.quotePrefix


def test_money_reads_as_a_whole_number_only_when_it_is_one() -> None:
    assert parse_money("1.500.000.000") == 1_500_000_000
    assert parse_money("1,500,000,000 đồng") == 1_500_000_000
    assert parse_money("2500000 VNĐ") == 2_500_000
    assert parse_money(" 900.000.000 đ ") == 900_000_000
    for text in ("2,5 tỷ đồng", "1.5", "=1+1", "", "khoảng 2 tỷ"):
        assert parse_money(text) is None


def test_a_proposal_field_must_be_a_pair_or_a_proposal_field() -> None:
    with pytest.raises(DocumentDataError, match="Proposal of Sở Y tế: field 1"):
        Proposal("Sở Y tế", ["Tên nhiệm vụ"])  # type: ignore[list-item]
    assert Proposal("Sở Y tế", [("Tên nhiệm vụ", "X")]).fields == [ProposalField("Tên nhiệm vụ", "X")]  # type: ignore[list-item]


# -- the zero-response report (seed 002) and the draft reply --------------------------------------------------


def test_zero_response_report_has_its_own_v_v_not_the_call_letters() -> None:
    data = seed_data.zero_response_report()
    subject = header_left(open_docx(render_zero_response_report(data)))[3]
    assert subject == f"V/v {seed_data.REPORT_SUBJECT}"
    assert data.call_letter.subject and data.call_letter.subject not in subject
    with pytest.raises(DocumentDataError, match=r"ZeroResponseReportData\.head\.subject: the report needs its own"):
        replace(data, head=replace(data.head, subject=f"V/v {data.call_letter.subject.upper()}"))


def test_zero_response_report_cites_the_call_letter_by_number_and_date() -> None:
    data = seed_data.zero_response_report()
    numbered = replace(data, call_letter=LetterRef(date(2025, 7, 29), "123/SKHCN-QLKH"))
    body = " ".join(texts(open_docx(render_zero_response_report(numbered))))
    assert "đã thông báo đến các cơ quan, đơn vị liên quan tại Công văn số 123/SKHCN-QLKH ngày 29/7/2025 để đề xuất" \
           " đặt hàng" in body


@pytest.mark.parametrize("number", [None, "", "   /SKHCN-QLKH", "Số:     /SKHCN-QLKH"])
def test_a_call_letter_without_its_number_yet_is_cited_by_date_alone(number: str | None) -> None:
    data = replace(seed_data.zero_response_report(), call_letter=LetterRef(date(2025, 7, 29), number))
    body = " ".join(texts(open_docx(render_zero_response_report(data))))
    assert "tại Công văn ngày 29/7/2025 để" in body
    assert not re.search(r"số\s*(/\S*)?\s*ngày", body)


def test_considerations_are_paragraphs_in_order_between_tuy_nhien_and_do_vay() -> None:
    reasons = ["Đồng thời, năm 2021 UBND tỉnh đã ban hành Kế hoạch số 79/KH-UBND ngày 05/4/2021.",
               "Bên cạnh đó, các doanh nghiệp trên địa bàn tỉnh chủ yếu là doanh nghiệp nhỏ và siêu nhỏ.",
               "Ngoài ra, 06 nhiệm vụ cấp tỉnh đang được triển khai."]
    data = replace(seed_data.zero_response_report(), considerations=reasons)
    body = texts(open_docx(render_zero_response_report(data)))
    start = body.index(one(body, "Tuy nhiên, hết thời gian thông báo (ngày 16/5/2022)"))
    assert body[start + 1:start + 4] == reasons
    assert body[start + 4].startswith("Do vậy, Sở Khoa học và Công nghệ báo cáo UBND tỉnh không đề xuất")
    reply = texts(open_docx(render_ministry_reply_draft(data)))
    start = reply.index(one(reply, "Hết thời hạn đề xuất"))
    assert reply[start + 1:start + 4] == reasons and reply[start + 4].startswith("Do vậy, ")


def test_the_draft_reply_cites_the_ministry_letter_given_not_a_legal_basis() -> None:
    data = seed_data.zero_response_report()
    reply = texts(open_docx(render_ministry_reply_draft(data)))
    assert one(reply, "Thực hiện ").startswith(
        "Thực hiện Công văn số 949/BKHCN-TĐC ngày 04/5/2022 của Bộ Khoa học và Công nghệ, Ủy ban nhân dân tỉnh"
        " Lạng Sơn đã giao Sở Khoa học và Công nghệ thông báo")
    other = replace(data, reply=replace(data.reply, ministry_letter="Công văn số 1200/BKHCN-TĐC ngày 02/6/2022"
                                                                    " của Bộ Khoa học và Công nghệ."))
    opening = one(texts(open_docx(render_ministry_reply_draft(other))), "Thực hiện ")
    assert opening.startswith("Thực hiện Công văn số 1200/BKHCN-TĐC ngày 02/6/2022 của Bộ Khoa học và Công nghệ,")
    assert "949/BKHCN" not in opening and "1891/VP-KGVX" not in opening


@pytest.mark.parametrize(("owner", "changes", "field"), [
    ("report", {"recommendation": " "}, "ZeroResponseReportData.recommendation"),
    ("report", {"call_purpose": ""}, "ZeroResponseReportData.call_purpose"),
    ("report", {"recipient": ""}, "ZeroResponseReportData.recipient"),
    ("report", {"references": []}, "ZeroResponseReportData.references"),
    ("report", {"call_letter": "Công văn số 123"}, "ZeroResponseReportData.call_letter"),
    ("reply", {"ministry_letter": ""}, "MinistryReplyDraft.ministry_letter"),
])
def test_a_missing_required_field_is_refused_naming_it(owner: str, changes: dict[str, object], field: str) -> None:
    data = seed_data.zero_response_report()
    with pytest.raises(DocumentDataError, match=re.escape(field)):
        if owner == "report":
            replace(data, **changes)
        else:
            replace(data.reply, **changes)


# -- long texts and the wording files ------------------------------------------------------------------------


def long_text(start: str) -> str:
    words = f"{start} nâng cao năng suất và chất lượng sản phẩm, hàng hóa của doanh nghiệp trên địa bàn tỉnh"
    text = words
    while len(text) < LONG:
        text += f"; {words}"
    return text


def test_titles_and_purposes_longer_than_1000_characters_still_render() -> None:
    subject = long_text("đề xuất nhiệm vụ")
    assert len(subject) > 1_000
    call = replace(seed_data.call_letter(), head=LetterHead("QLKH", subject, drafted_on=date(2025, 7, 29)),
                   call_purpose=long_text("đề xuất nhiệm vụ"), business_focus=long_text("nhất là"))
    document = open_docx(render_call_letter(call))
    assert header_left(document)[3] == f"V/v {subject}"
    assert len(document.core_properties.title) <= 255

    proposals = seed_data.proposal_list()
    first = proposals.proposals[0]
    fields = [replace(f, value=long_text("Nhiệm vụ")) if f.key in ("task_name", "objectives") else f
              for f in first.fields]
    proposals = replace(proposals, call_subject=long_text("đề xuất nhiệm vụ"),
                        head=LetterHead("QLKH", subject, drafted_on=date(2025, 8, 12)),
                        proposals=[replace(first, fields=fields)])
    rows = proposal_table(open_docx(render_proposal_list_docx(proposals))).rows
    assert rows[1].cells[1].text == long_text("Nhiệm vụ")
    sheet = sheet_of(render_proposal_list_xlsx(proposals))  # a text one row cannot hold goes on in the rows below
    assert " ".join(str(sheet.cell(row, 3).value) for row in range(2, sheet.max_row + 1)
                    if sheet.cell(row, 3).value) == long_text("Nhiệm vụ")

    report = seed_data.zero_response_report()
    report = replace(report, head=replace(report.head, subject=subject), call_purpose=long_text("đề xuất"),
                     considerations=[long_text("Đồng thời")])
    assert long_text("Đồng thời") in texts(open_docx(render_zero_response_report(report)))
    assert texts(open_docx(render_ministry_reply_draft(report)))


@pytest.mark.parametrize("name", ["call_letter", "proposal_list", "zero_response_report", "ministry_reply"])
def test_shipped_wording_of_the_call_documents_loads(name: str) -> None:
    assert load_wording(name).name == name

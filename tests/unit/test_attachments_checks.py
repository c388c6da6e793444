"""The checks of a file a unit attaches to a form field (service/attachments): type by extension and by content,
size, empty files, names (NFC, no path, no control characters, capped), and the reference a form value holds."""
from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import pytest
from minimal_pdf import minimal_pdf
from office_files import (
    bad_crc_docx,
    bomb_docx,
    ctype_docx,
    cut_xlsx,
    cut_xml_docx,
    no_types_docx,
    real_docx,
    real_xlsx,
)

from workflows.definition.schema import ResponseField
from workflows.service.attachments import (
    AttachmentRef,
    check_upload,
    clean_filename,
    disposition,
    file_inputs,
    parse_ref,
    shown_size,
    shown_value,
    sniff,
)

LABEL = "3. Kinh phí thực hiện — Bảng kê kinh phí"


def zipped(parts: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = real_docx()
XLSX = real_xlsx()
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
PLAIN_ZIP = zipped({"bang-ke.csv": b"a,b\n1,2\n"})
GOOD = {"bang-ke.pdf": minimal_pdf(), "bang-ke.docx": DOCX, "bang-ke.xlsx": XLSX, "bang-ke.ods": ODS,
        "bao-cao.odt": ODT, "ho-so.zip": PLAIN_ZIP, "cu.doc": bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 64,
        "cu.xls": bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 64, "anh.JPG": b"\xff\xd8\xff\xe0" + b"\0" * 16,
        "anh.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 16}


@pytest.mark.parametrize(("name", "content"), list(GOOD.items()))
def test_each_allowed_type_with_its_content_is_taken(name: str, content: bytes) -> None:
    assert check_upload("p_budget_file", LABEL, name, content, 1) is None


@pytest.mark.parametrize(("name", "content", "said"), [
    ("chay.exe", b"MZ\x90\x00" * 8, "không nhận tệp \"chay.exe\"; chỉ nhận PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, JPG/PNG, ZIP"),
    ("khong-duoi", b"%PDF-1.4", "không nhận tệp \"khong-duoi\""),
    ("bang-ke.pdf", b"<html>not a pdf</html>", "có đuôi .pdf nhưng nội dung không phải PDF"),
    ("bang-ke.pdf", b"%PDF-1.7\n1 0 obj\n", "không nhận tệp \"bang-ke.pdf\": tệp PDF bị hỏng, không đọc được ("),
    ("bang-ke.docx", b"plain text, not a zip", "có đuôi .docx nhưng nội dung không phải Word (DOCX)"),
    ("bang-ke.docx", PLAIN_ZIP, "có đuôi .docx nhưng nội dung không phải Word (DOCX)"),
    ("bang-ke.xlsx", DOCX, "có đuôi .xlsx nhưng nội dung không phải Excel (XLSX)"),
    ("bang-ke.ods", ODT, "nội dung không phải bảng tính OpenDocument (ODS)"),
    ("bang-ke.zip", b"PK\x03\x04 broken archive", "có đuôi .zip nhưng nội dung không phải ZIP"),
    ("anh.png", b"\xff\xd8\xff\xe0", "có đuôi .png nhưng nội dung không phải ảnh PNG"),
    ("rong.pdf", b"", "tệp \"rong.pdf\" rỗng (0 byte)"),
    ("../", b"%PDF-1.4", "tệp không có tên"),
])
def test_a_refused_file_is_named_with_its_field_and_why(name: str, content: bytes, said: str) -> None:
    problem = check_upload("p_budget_file", LABEL, name, content, 1)
    assert problem is not None and problem.field == "p_budget_file"
    assert problem.message.startswith(LABEL + ": ") and said in problem.message, problem.message


# What a library says, or Python's spelling of an object: none of it may reach staff or units.
ENGLISH = ("0x", "object at", "Error", "error", "Bad CRC", "There is no item", "is not a", "content type", "Exception",
           "KeyError", "lxml", "zipfile", "PdfRead", "File contains", "workbook part", "None")


def said_only_in_vietnamese(message: str) -> None:
    assert not [word for word in ENGLISH if word in message], message


@pytest.mark.parametrize(("name", "content", "said"), [
    ("bao-cao.docx", bomb_docx(300), "thành phần \"word/document.xml\" giải nén lớn gấp hơn 200 lần (tệp nén bất "
                                     "thường)"),
    ("bao-cao.docx", ctype_docx(), "Word không mở được tệp: phần chính của tệp khai báo là bảng tính Excel, không "
                                   "phải văn bản Word"),
    ("bao-cao.docx", cut_xml_docx(), "Word không mở được tệp: cấu trúc bên trong bị hỏng"),
    ("bao-cao.docx", bad_crc_docx(), "tệp nén bị hỏng: thành phần \"word/document.xml\" không giải nén được"),
    ("bang-ke.xlsx", cut_xlsx(), "Excel không mở được tệp: cấu trúc bên trong bị hỏng"),
    ("bang-ke.xlsx", zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
     "Excel không mở được tệp"),
    ("bang-ke.ods", zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                            "content.xml": b"0" * (5 * 1024 * 1024)}, zipfile.ZIP_DEFLATED),
     "thành phần \"content.xml\" giải nén lớn gấp hơn 200 lần (tệp nén bất thường)"),
], ids=["zip-bomb", "main-part-a-spreadsheet", "cut-xml", "bad-crc", "cut-workbook", "bare-workbook", "ods-bomb"])
def test_an_office_file_is_refused_as_a_draft_is_a_bomb_or_one_word_or_excel_cannot_open(
        name: str, content: bytes, said: str) -> None:
    """Reviewer B item 7: a 306 KB DOCX inflating to 300 MB, and a DOCX Word cannot open, were stored as task files."""
    problem = check_upload("p_budget_file", LABEL, name, content, 20)
    assert problem is not None and problem.field == "p_budget_file"
    assert problem.message.startswith(f"{LABEL}: không nhận tệp \"{name}\": {said}"), problem.message
    said_only_in_vietnamese(problem.message)


@pytest.mark.parametrize(("content", "said"), [
    (ctype_docx(), "Word không mở được tệp: phần chính của tệp khai báo là bảng tính Excel"),
    (bad_crc_docx(), "tệp nén bị hỏng: thành phần \"word/document.xml\" không giải nén được"),
    (cut_xml_docx(), "Word không mở được tệp: cấu trúc bên trong bị hỏng"),
    (no_types_docx(), "Word không mở được tệp: thiếu thành phần bắt buộc"),
    (b"%PDF-1.4\nonly the first bytes of a PDF", "tệp PDF bị hỏng, không đọc được (tệp bị cắt dở hoặc cấu trúc PDF sai)"),
], ids=["main-part-a-spreadsheet", "bad-crc", "cut-xml", "no-content-types", "pdf-header-only"])
def test_a_damaged_draft_is_said_in_vietnamese_never_in_a_librarys_words(content: bytes, said: str) -> None:
    """Reviewer B item 4: "'<_io.BytesIO object at 0x7f…>' is not a Word file", "Bad CRC-32", "XMLSyntaxError",
    "PdfReadError" reached staff and units."""
    from models.errors import InvalidInput
    from workflows.service.draft_upload import check_draft_file

    suffix = "pdf" if content.startswith(b"%PDF") else "docx"
    with pytest.raises(InvalidInput) as refused:
        check_draft_file(f"du-thao.{suffix}", content, 20 * 1024 * 1024)
    message = refused.value.message
    assert message.startswith(f"du-thao.{suffix}: {said}"), message
    said_only_in_vietnamese(message)


def test_a_file_over_the_limit_is_refused_by_the_size_the_browser_sent() -> None:
    cut = b"%PDF-1.7" + b"0" * (1024 * 1024)  # the parser kept the limit and a byte
    problem = check_upload("p_budget_file", LABEL, "lon.pdf", cut, 1, size=3 * 1024 * 1024 + 500_000)
    assert problem is not None
    assert problem.message == f"{LABEL}: tệp 3,5 MB, vượt giới hạn 1 MB. Hãy chọn tệp nhỏ hơn."
    near = len(minimal_pdf(b"0" * 1_000_000))  # its offsets written with as many digits as at 1 MB
    at_limit = minimal_pdf(b"0" * (1_000_000 + 1024 * 1024 - near))  # a PDF of exactly 1 MB
    assert len(at_limit) == 1024 * 1024
    assert check_upload("p_budget_file", LABEL, "vua.pdf", at_limit, 1) is None


def test_a_name_is_kept_in_nfc_without_its_path_or_control_characters_and_capped() -> None:
    nfd = unicodedata.normalize("NFD", "Bảng kê kinh phí.xlsx")
    assert nfd != "Bảng kê kinh phí.xlsx"
    assert clean_filename(nfd) == "Bảng kê kinh phí.xlsx"
    assert clean_filename("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_filename("C:\\Users\\van thu\\Bảng kê.pdf") == "Bảng kê.pdf"
    assert clean_filename("bang\x00ke\r\n\u202e.pdf") == "bangke.pdf"
    assert clean_filename("   ") == ""
    long = clean_filename("Báo cáo " * 40 + ".docx")
    assert len(long) <= 150 and long.endswith(".docx")


def test_the_reference_a_form_value_holds_reads_back_and_other_text_is_not_one() -> None:
    ref = AttachmentRef(17, "bảng kê (bản 2).xlsx", shown_size(12_345))
    assert ref.value == "bảng kê (bản 2).xlsx (12 KB) [tệp đính kèm số 17]"
    assert parse_ref(ref.value) == ref
    for other in ("bang-ke.xlsx", "bang-ke.xlsx (12 KB)", "x (12 KB) [tệp đính kèm số 0]",
                  "x (12 KB) [tệp đính kèm số 17] thêm", "", None):
        assert parse_ref(other) is None
    item = ResponseField(key="budget_file", label="Bảng kê kinh phí", kind="file")
    assert shown_value(item, ref.value) == "bảng kê (bản 2).xlsx (12 KB)"
    assert shown_value(item, "bang-ke.xlsx") == "bang-ke.xlsx"  # typed before uploads: shown as typed
    text = ResponseField(key="note", label="Ghi chú", kind="text")
    assert shown_value(text, ref.value) == ref.value  # only a file field holds files
    assert [shown_size(n) for n in (812, 12_345, 3_565_158)] == ["812 B", "12 KB", "3,4 MB"]


def test_the_download_names_the_file_in_utf8_with_an_ascii_fallback() -> None:
    header = disposition("Bảng kê \"kinh phí\".xlsx")
    assert header.startswith('attachment; filename="Bang ke _kinh phi_.xlsx"; ')
    assert header.endswith("filename*=UTF-8''B%E1%BA%A3ng%20k%C3%AA%20%22kinh%20ph%C3%AD%22.xlsx")


def test_sniffing_reads_the_inner_parts_of_office_documents() -> None:
    assert sniff(DOCX) == {"zip", "docx"}
    assert sniff(XLSX) == {"zip", "xlsx"}
    assert sniff(ODS) == {"zip", "ods"}
    assert sniff(b"") == set()


def test_a_file_field_takes_only_a_stored_file_never_typed_text() -> None:
    from workflows.definition import ResponseSpec
    from workflows.service.answer_input import AnswerInvalid, clean_proposals

    spec = ResponseSpec(kind="proposals", allow_agree=False, fields=[
        ResponseField(key="title", label="Tên", kind="text"),
        ResponseField(key="plan", label="Kế hoạch", kind="file", required=True),
        ResponseField(key="photo", label="Ảnh", kind="file")])
    ref = AttachmentRef(5, "ke-hoach.pdf", "2 KB").value
    assert clean_proposals(spec, [{"title": "A"}], {"p_plan": ref}) == ({"title": "A", "plan": ref},)
    with pytest.raises(AnswerInvalid) as typed:
        clean_proposals(spec, [{"title": "A", "plan": ref, "photo": "anh.png"}])
    assert {p.field: p.message.split(":")[0] for p in typed.value.problems} == {"p_plan": "Kế hoạch",
                                                                                 "p_photo": "Ảnh"}
    assert "không nhận tên tệp hay nội dung gõ vào" in typed.value.problems[0].message
    with pytest.raises(AnswerInvalid) as missing:
        clean_proposals(spec, [{"title": "A"}])
    assert [p.message for p in missing.value.problems] == ["Kế hoạch: chưa chọn tệp (bắt buộc)."]


def test_the_consolidation_and_the_figures_workbook_name_a_sent_file_and_keep_a_typed_name() -> None:
    from openpyxl import load_workbook

    from models.db.report_repository import UnitForm
    from notifications.documents.programme_report import render_figures_xlsx
    from workflows.service.registry import get_workflow
    from workflows.service.report_sections import (
        ReportExtras,
        ReportSource,
        consolidate_by_heading,
        report_figures_data,
    )

    workflow = get_workflow("report_collection")
    sent = AttachmentRef(17, "Bảng kê kinh phí.xlsx", "12 KB").value
    forms = [UnitForm("SCT", "Sở Công Thương", False, {"budget_state": "120000000", "budget_file": sent}),
             UnitForm("STC", "Sở Tài chính", False, {"budget_file": "bang-ke-cu.xlsx"})]
    budget = next(h for h in consolidate_by_heading(workflow.response, forms, {}) if h.section.key == "budget")
    assert [(a.unit_name, a.name, a.attachment_id) for a in budget.attachments] == [
        ("Sở Công Thương", "Bảng kê kinh phí.xlsx (12 KB)", 17), ("Sở Tài chính", "bang-ke-cu.xlsx", None)]
    data = report_figures_data(ReportSource(workflow, "Chương trình 1322", (), forms, [], ReportExtras({})))
    book = load_workbook(io.BytesIO(render_figures_xlsx(data)))
    written = [row[3] for row in book["Nội dung"].iter_rows(min_row=2, values_only=True)]
    assert written == ["Bảng kê kinh phí.xlsx (12 KB)", "bang-ke-cu.xlsx"]


def test_a_repeatable_form_takes_each_groups_file_by_its_number() -> None:
    from workflows.definition import ResponseSpec
    from workflows.service.answer_input import AnswerInvalid, clean_proposals

    spec = ResponseSpec(kind="proposals", allow_agree=False, repeatable=True, max_items=3, fields=[
        ResponseField(key="title", label="Tên nhiệm vụ", kind="text", required=True),
        ResponseField(key="plan", label="Thuyết minh", kind="file")])
    first, second = AttachmentRef(5, "a.pdf", "2 KB").value, AttachmentRef(6, "b.pdf", "3 KB").value
    assert clean_proposals(spec, [{"title": "A"}, {"title": "B"}], {"p1_plan": first, "p2_plan": second}) == (
        {"title": "A", "plan": first}, {"title": "B", "plan": second})
    with pytest.raises(AnswerInvalid) as refused:  # a file alone makes its group filled: its required text is owed
        clean_proposals(spec, [{"title": "A"}], {"p3_plan": second, "p999999_plan": second})
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("p3_title", "Phiếu 3: Tên nhiệm vụ: chưa điền (bắt buộc).")]
    # a refused file is named the same way, by its group, on the unit's page and on the staff form
    assert file_inputs(spec) == {"p1_plan": "Phiếu 1: Thuyết minh", "p2_plan": "Phiếu 2: Thuyết minh",
                                 "p3_plan": "Phiếu 3: Thuyết minh"}
    assert file_inputs(spec.model_copy(update={"repeatable": False})) == {"p_plan": "Thuyết minh"}


def test_the_programme_report_names_the_files_sent_under_their_heading() -> None:
    from datetime import date

    from docx import Document

    from models.db.report_repository import UnitForm
    from notifications.documents.data import Issuer, LetterHead, LetterRef, Signer
    from notifications.documents.programme_report import render_programme_report
    from workflows.service.registry import get_workflow
    from workflows.service.report_sections import ReportExtras, ReportSource, programme_report_data

    workflow = get_workflow("report_collection")
    sent = AttachmentRef(17, "Bảng kê kinh phí.xlsx", "12 KB").value
    forms = [UnitForm("SCT", "Sở Công Thương", False, {"budget_state": "120000000", "budget_file": sent})]
    source = ReportSource(workflow, "Chương trình 1322 năm 2025", (), forms, ["Sở Y tế"], ReportExtras({}))
    data = programme_report_data(
        source, Issuer(governing_body="UBND TỈNH CAO BẰNG", issuer="SỞ KHOA HỌC VÀ CÔNG NGHỆ", issuer_short="SKHCN",
                       place="Cao Bằng"), LetterHead("TĐC", "Báo cáo", drafted_on=date(2025, 12, 10)),
        LetterRef(date(2025, 11, 20), "812"), ["Sở Công Thương", "Sở Y tế"],
        Signer(title="GIÁM ĐỐC", name="Nông Thị Thanh Huyền"), "Cao Bằng")
    content = render_programme_report(data)
    Path("/tmp/h6").mkdir(exist_ok=True)
    Path("/tmp/h6/programme-report.docx").write_bytes(content)
    texts = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert "Tệp gửi kèm: Sở Công Thương — Bảng kê kinh phí.xlsx (12 KB)." in texts
    budget = texts.index("3. Kinh phí thực hiện")
    assert budget < texts.index("Tệp gửi kèm: Sở Công Thương — Bảng kê kinh phí.xlsx (12 KB).") < texts.index(
        "II. Những tồn tại, vướng mắc và nguyên nhân")

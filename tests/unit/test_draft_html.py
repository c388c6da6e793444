"""The draft shown on the unit's page: a DOCX made here with python-docx, converted by mammoth and cut down to its
structure (workflows/service/draft_html.py), with the label of the section of every part a unit may comment on."""
from __future__ import annotations

import io
import re
import struct
import zlib

import docx
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from workflows.service.draft_html import (
    IMAGE_NOTE,
    OPENING,
    DraftUnreadable,
    convert_docx,
    sanitised,
    section_order,
    section_rank,
)

ALLOWED_ATTRIBUTES = {"class", "id", "data-section", "type", "form", "name", "value", "formnovalidate", "aria-label",
                      "colspan", "rowspan"}


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def bold(document: docx.document.Document, text: str) -> None:
    document.add_paragraph().add_run(text).bold = True


def plan() -> bytes:
    """A plan as a Sở types one: heading styles for part I, bold numbered paragraphs for part II."""
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH Hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng")
    document.add_heading("I. MỤC ĐÍCH, YÊU CẦU", 1)
    document.add_heading("1. Mục đích", 2)
    document.add_paragraph("Nâng cao năng suất và chất lượng sản phẩm, hàng hóa của doanh nghiệp.")
    document.add_heading("2. Yêu cầu", 2)
    document.add_paragraph("Bám sát mục tiêu của Chương trình quốc gia.", style="List Bullet")
    document.add_paragraph("Bảo đảm tính khả thi.", style="List Bullet")
    bold(document, "II. NỘI DUNG")
    bold(document, "1. Chỉ tiêu")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Chỉ tiêu", "Năm 2026", "Năm 2030"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("Doanh nghiệp được hỗ trợ", "20", "100"), strict=True):
        cell.text = text
    bold(document, "2. Nhiệm vụ")
    bold(document, "a) Tuyên truyền, đào tạo")
    document.add_paragraph("Tổ chức 05 lớp đào tạo về năng suất.", style="List Number")
    document.add_paragraph("Khảo sát doanh nghiệp.", style="List Number")
    return docx_bytes(document)


def test_a_plan_keeps_its_headings_lists_and_tables_and_labels_every_part_by_its_section() -> None:
    draft = convert_docx(plan())
    page = draft.html
    assert '<h3>I. MỤC ĐÍCH, YÊU CẦU</h3>' in page and '<h4>1. Mục đích</h4>' in page
    assert '<h3><strong>II. NỘI DUNG</strong></h3>' in page  # a bold numbered paragraph is a heading
    assert '<h5><strong>a) Tuyên truyền, đào tạo</strong></h5>' in page
    assert re.search(r"<ul><li [^>]*>Bám sát mục tiêu của Chương trình quốc gia\.</li>", page)
    assert re.search(r"<ol><li [^>]*>Tổ chức 05 lớp đào tạo về năng suất\.</li>", page)
    assert "<table>" in page and "<td><p>Doanh nghiệp được hỗ trợ</p></td>" in page
    assert draft.sections == (OPENING, "Mục I", "Mục I.1", "Mục I.2", "Mục II", "Mục II.1", "Mục II.2",
                              "Mục II.2.a")
    parts = {block.quote: (block.kind, block.section) for block in draft.blocks.values()}
    assert parts["KẾ HOẠCH Hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng"] == ("paragraph", OPENING)
    assert parts["I. MỤC ĐÍCH, YÊU CẦU"] == ("heading", "Mục I")
    assert parts["Nâng cao năng suất và chất lượng sản phẩm, hàng hóa của doanh nghiệp."] == ("paragraph", "Mục I.1")
    assert parts["Bảo đảm tính khả thi."] == ("item", "Mục I.2")
    assert parts["Chỉ tiêu | Năm 2026 | Năm 2030 / Doanh nghiệp được hỗ trợ | 20 | 100"] == ("table", "Mục II.1")
    assert parts["Khảo sát doanh nghiệp."] == ("item", "Mục II.2.a")
    # Every part is a block of the page with its section; the version with buttons has one per block.
    assert page.count('data-section="') == len(draft.blocks) == 14
    picked = draft.picking("góp ý")
    assert picked.count('name="pick"') == len(draft.blocks)
    assert 'name="pick"' not in page
    assert ('aria-label="Góp ý đoạn này: Mục I.1">Góp ý đoạn này</button>' in picked
            and 'aria-label="Góp ý mục này: Mục II">Góp ý mục này</button>' in picked
            and ">Góp ý bảng này</button>" in picked)


def test_decisions_are_labelled_by_chapter_article_clause_and_point() -> None:
    document = docx.Document()
    document.add_heading("Chương I. QUY ĐỊNH CHUNG", 1)
    document.add_heading("Điều 1. Phạm vi điều chỉnh", 2)
    document.add_paragraph("Quy chế này quy định ...")
    bold(document, "2. Đối tượng áp dụng")
    bold(document, "a) Các sở, ban, ngành")
    document.add_heading("Phụ lục", 1)
    draft = convert_docx(docx_bytes(document))
    assert draft.sections == ("Chương I", "Điều 1", "Điều 1, khoản 2", "Điều 1, khoản 2, điểm a", "Phụ lục")


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def hostile() -> bytes:
    """A link to javascript:, an image linked from another server, an embedded image, text that looks like HTML."""
    document = docx.Document()
    document.add_heading("I. NỘI DUNG", 1)
    paragraph = document.add_paragraph("Xem ")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), document.part.relate_to("javascript:alert(document.cookie)", RT.HYPERLINK,
                                                 is_external=True))
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "tại đây"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    document.add_paragraph('<script>alert(1)</script><img src=x onerror="alert(2)"> " onmouseover="x')
    document.add_picture(io.BytesIO(tiny_png()))
    linked = document.add_paragraph()
    linked.add_run().add_picture(io.BytesIO(tiny_png()))
    blip = linked._p.xpath(".//a:blip")[0]
    del blip.attrib[qn("r:embed")]
    blip.set(qn("r:link"), document.part.relate_to("http://tracker.example/pixel.png", RT.IMAGE, is_external=True))
    document.add_paragraph().add_run().add_break(WD_BREAK.LINE)
    return docx_bytes(document)


def test_a_hostile_draft_gives_nothing_that_runs_or_loads() -> None:
    draft = convert_docx(hostile())
    for page in (draft.html, draft.picking("góp ý")):
        assert "javascript:" not in page and "tracker.example" not in page
        tags = " ".join(re.findall(r"<[^>]*>", page)).lower()  # the markup, without the (escaped) text
        for bad in ("<script", "<img", "<a ", "href=", "src=", "onerror=", "onmouseover=", "<iframe", "<style",
                    "data:"):
            assert bad not in tags, bad
        attributes = set(re.findall(r"\s([a-z-]+)(?:=\"[^\"]*\")?(?=[\s>])", tags))
        assert attributes <= ALLOWED_ATTRIBUTES, attributes - ALLOWED_ATTRIBUTES
    assert "Xem tại đây" in draft.html  # the link's text stays, its target goes
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=\"alert(2)\"&gt;" in draft.html
    assert draft.html.count(IMAGE_NOTE) == 2  # both images, the embedded one and the linked one, are a note


def test_markup_outside_the_allow_list_goes_and_its_text_is_escaped() -> None:
    draft = sanitised('<p onclick="x()" style="color:red">Một <b>hai</b> <span class="x">ba</span>'
                      '<script>steal()</script><style>p{}</style><iframe src="//e"></iframe></p>'
                      '<table><tr><td colspan="2" onclick="y" rowspan="999">ô</td></tr></table>'
                      '<h2>I. MỤC ĐÍCH &amp; YÊU CẦU</h2><p>a &lt; b &amp;&amp; c</p><p><a href="x">đơn</p>')
    assert '<p>Một <strong>hai</strong> ba</p>' in draft.html
    assert "steal" not in draft.html and "p{}" not in draft.html and "iframe" not in draft.html
    assert '<td colspan="2">ô</td>' in draft.html  # rowspan="999" is not a span a table has
    assert "<h3>I. MỤC ĐÍCH &amp; YÊU CẦU</h3>" in draft.html and "<p>a &lt; b &amp;&amp; c</p>" in draft.html
    assert draft.html.endswith("<p>đơn</p></div>")  # an unclosed tag closes with its paragraph


def test_a_file_that_is_not_a_docx_is_unreadable_not_an_error_page() -> None:
    for content in (b"%PDF-1.7 not a docx", b"PK\x03\x04 broken zip", b""):
        try:
            convert_docx(content)
        except DraftUnreadable as error:
            assert "DOCX" in str(error) or "hỏng" in str(error)
        else:
            raise AssertionError("converted a file that is not a DOCX")


def test_a_comment_section_finds_its_place_in_the_draft() -> None:
    order = section_order([OPENING, "Mục I", "Mục II", "Mục II.2", "Mục II.20"])
    assert section_rank("Mục II.2", order) == 3
    assert section_rank("  mục   ii.2 ", order) == 3  # as typed: case and spaces do not matter
    assert section_rank("Mục II.2, điểm a", order) == 3  # a part of II.2 goes with II.2
    assert section_rank("Mục II.2.a", order) == 3
    assert section_rank("Mục II.20", order) == 4  # never under II.2
    assert section_rank("Mục III", order) is None  # "Mục II" does not hold "Mục III"
    assert section_rank("Phụ lục", order) is None and section_rank(None, order) is None

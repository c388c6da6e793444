"""The layout of Decree 30/2020/NĐ-CP: one builder that every official document uses.

A4, margins 20/20/30/15 mm, Times New Roman (East Asian and complex-script slots too), the header
table (issuing body | national motto), "Kính gửi:", justified body, "./.", then the table of
"Nơi nhận:" and the signature block. Sizes follow the decree's appendix I.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from models.register import symbol
from notifications.documents import vietnamese
from notifications.documents.data import Issuer, Signer
from notifications.documents.wording import Paragraph

FONT = "Times New Roman"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

BODY_SIZE = 14
HEADER_SIZE = 13
NATIONAL_NAME_SIZE = 12
SUBJECT_SIZE = 12
RECEIVERS_TITLE_SIZE = 12
RECEIVERS_SIZE = 11
TABLE_SIZE = 12

TOP_MM, BOTTOM_MM, LEFT_MM, RIGHT_MM = 20, 20, 30, 15
FIRST_LINE_INDENT_MM = 10
# The header and signature tables reach 5 mm into each side margin so that "SỞ KHOA HỌC VÀ CÔNG
# NGHỆ" (72 mm in 13 pt bold) and the national name (90 mm in 12 pt bold) each fit on one line;
# the centred texts themselves stay inside the margins.
TABLE_OUTDENT_MM = 5
LEFT_COLUMN_MM = 77
CELL_PADDING_MM = 1
# Measured on the PDF (Times New Roman metrics): the rule under the motto is as long as the motto.
MOTTO_WIDTH_MM = 59
SIGNATURE_SPACE_LINES = 5
GRID_PADDING_MM = 4  # a "Table Grid" cell's left and right margins (1.9 mm each), rounded up
CORE_PROPERTY_MAX = 255

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


@dataclass(frozen=True)
class Heading:
    """The top of a document: number line, date line, and either a V/v subject or a title."""

    number_line: str
    place_date: str
    subject_line: str | None = None
    title: str | None = None
    about: str | None = None
    note: str | None = None  # an italic line under the title: "(Kèm theo Tờ trình số 05/TTr-SKHCN ngày ...)"


def number_line(issuer_short: str, office_code: str, number_type: str = "", number: str | None = None) -> str:
    """"Số:          /SKHCN-TĐC" for a công văn, "Số:          /TTr-SKHCN" for a typed document, or
    "Số: 05/TTr-SKHCN" once the register has given `number` (the full number with its ký hiệu)."""
    if number:
        return f"Số: {vietnamese.nfc(number).strip()}"
    return f"Số:{vietnamese.BLANK_NUMBER}/{symbol(issuer_short, office_code, number_type).strip()}"


class Decree30Document:
    """Build one document top to bottom; `to_bytes()` gives the DOCX."""

    def __init__(self, *, landscape: bool = False, title: str = "", author: str = "") -> None:
        self.doc = Document()
        self.landscape = landscape
        self._set_page()
        self._set_styles()
        self._set_page_numbers()
        properties = self.doc.core_properties
        properties.title = core_property_text(title)
        properties.author = core_property_text(author)
        properties.language = "vi-VN"
        self._last_body: DocxParagraph | None = None

    # -- page and styles -------------------------------------------------------------------------

    @property
    def text_width_mm(self) -> float:
        page = 297 if self.landscape else 210
        return page - LEFT_MM - RIGHT_MM

    @property
    def text_height_mm(self) -> float:
        page = 210 if self.landscape else 297
        return page - TOP_MM - BOTTOM_MM

    @property
    def table_width_mm(self) -> float:
        """The header and signature tables: the text width plus the outdent on both sides."""
        return self.text_width_mm + 2 * TABLE_OUTDENT_MM

    def _set_page(self, section: Section | None = None) -> None:
        section = section if section is not None else self.doc.sections[0]
        if self.landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
        section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
        section.header_distance, section.footer_distance = Mm(10), Mm(10)

    def _set_styles(self) -> None:
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_SIZE)
        set_fonts(normal.element.get_or_add_rPr())
        language = OxmlElement("w:lang")
        for attribute in ("w:val", "w:eastAsia", "w:bidi"):
            language.set(qn(attribute), "vi-VN")
        normal.element.get_or_add_rPr().append(language)
        fmt = normal.paragraph_format
        fmt.space_before, fmt.space_after = Pt(0), Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            run_defaults = defaults.find(qn("w:rPrDefault"))
            if run_defaults is not None and run_defaults.find(qn("w:rPr")) is not None:
                set_fonts(run_defaults.find(qn("w:rPr")))

    def _set_page_numbers(self) -> None:
        # Decree 30: no number on the first page; from page 2 the number is centred at the top.
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "2"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)
        style_run(run, BODY_SIZE)

    def new_section(self, *, landscape: bool) -> None:
        """Go on on a new page in another orientation (an appendix after the letter), same margins.

        The page number goes on at the top of every page of the new section.
        """
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self.landscape = landscape
        self._set_page(section)
        section.different_first_page_header_footer = False
        self._last_body = None

    # -- the top -----------------------------------------------------------------------------------

    def draft_mark(self, text: str) -> None:
        """A boxed "DỰ THẢO" above the header, for a letter drafted for another body to sign."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = paragraph.paragraph_format
        fmt.left_indent = Mm(-TABLE_OUTDENT_MM)
        fmt.right_indent = Mm(self.text_width_mm + TABLE_OUTDENT_MM - 30)
        fmt.space_after = Pt(6)
        set_borders(paragraph, ("top", "left", "bottom", "right"))
        add_run(paragraph, text, HEADER_SIZE, bold=True)

    def header(self, issuer: Issuer, heading: Heading) -> None:
        """The two-column header: issuing body, number and V/v | national motto and date line."""
        right_mm = self.table_width_mm - LEFT_COLUMN_MM
        table = self._layout_table(2, [LEFT_COLUMN_MM, right_mm])
        left, right = table.cell(0, 0), table.cell(0, 1)
        first = True
        governing = vietnamese.nfc(issuer.governing_body).strip()
        if governing:
            for line in governing.splitlines():
                add_run(self._cell_paragraph(left, first), line.strip(), HEADER_SIZE)
                first = False
        issuer_lines = [line.strip() for line in vietnamese.nfc(issuer.issuer).strip().splitlines()]
        for line in issuer_lines:
            add_run(self._cell_paragraph(left, first), line, HEADER_SIZE, bold=True)
            first = False
        longest = max(estimate_width_mm(line, HEADER_SIZE, bold=True) for line in issuer_lines)
        self._rule(left, LEFT_COLUMN_MM, min(max(longest * 0.4, 20), 35))

        add_run(self._cell_paragraph(right, True), NATIONAL_NAME, NATIONAL_NAME_SIZE, bold=True)
        add_run(self._cell_paragraph(right, False), MOTTO, HEADER_SIZE, bold=True)
        self._rule(right, right_mm, MOTTO_WIDTH_MM)

        left, right = table.cell(1, 0), table.cell(1, 1)
        if heading.number_line:
            number = self._cell_paragraph(left, True)
            number.paragraph_format.space_before = Pt(6)
            add_run(number, heading.number_line, HEADER_SIZE)
        if heading.subject_line:
            subject = self._cell_paragraph(left, not heading.number_line)
            subject.paragraph_format.space_before = Pt(6)
            add_run(subject, heading.subject_line, SUBJECT_SIZE)
        date_line = self._cell_paragraph(right, True)
        date_line.paragraph_format.space_before = Pt(6)
        add_run(date_line, heading.place_date, BODY_SIZE, italic=True)

        if heading.title:
            self._title(heading.title, heading.about, heading.note)
        else:
            self._spacer(18)

    def _title(self, title: str, about: str | None, note: str | None = None) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_before = Pt(18)
        paragraph.paragraph_format.keep_with_next = True
        add_run(paragraph, title, BODY_SIZE, bold=True)
        for text, bold in ((about, True), (note, False)):
            if not text:
                continue
            line = self.doc.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            line.paragraph_format.keep_with_next = True
            add_run(line, text, BODY_SIZE, bold=bold, italic=not bold)
        if about:
            rule = self.doc.add_paragraph()
            width = min(max(estimate_width_mm(about, BODY_SIZE, bold=True) * 0.4, 25), 45)
            indent = (self.text_width_mm - width) / 2
            rule.paragraph_format.left_indent = Mm(indent)
            rule.paragraph_format.right_indent = Mm(indent)
            _shrink(rule)
            if note:  # an italic line's descenders sit low: keep the rule clear of them
                rule.paragraph_format.space_before = Pt(3)
            set_borders(rule, ("bottom",))
        self._spacer(12)

    def appendix_heading(self, title: str, lines: Sequence[str], note: str | None) -> None:
        """The title of an attached list: bold title and lines, the italic "(Kèm theo ...)" note, a rule."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        add_run(paragraph, title, BODY_SIZE, bold=True)
        for text in [line for line in lines if line.strip()]:
            line = self.doc.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            line.paragraph_format.keep_with_next = True
            add_run(line, text, BODY_SIZE, bold=True)
        if note:
            line = self.doc.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            line.paragraph_format.keep_with_next = True
            add_run(line, note, BODY_SIZE, italic=True)
        rule = self.doc.add_paragraph()
        indent = (self.text_width_mm - 40) / 2
        rule.paragraph_format.left_indent = Mm(indent)
        rule.paragraph_format.right_indent = Mm(indent)
        rule.paragraph_format.keep_with_next = True
        _shrink(rule)
        rule.paragraph_format.space_before = Pt(4)
        set_borders(rule, ("bottom",))
        self._spacer(12)

    # -- the body ----------------------------------------------------------------------------------

    def recipients(self, labels: Sequence[str]) -> None:
        """"Kính gửi: X." on one line for one recipient; a dashed list under it for several."""
        labels = [vietnamese.without_end_mark(label) for label in labels if label.strip()]
        if not labels:
            return
        if len(labels) == 1:
            paragraph = self.doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            add_run(paragraph, f"Kính gửi: {labels[0]}.", BODY_SIZE)
        else:
            paragraph = self.doc.add_paragraph()
            paragraph.paragraph_format.left_indent = Mm(25)
            add_run(paragraph, "Kính gửi:", BODY_SIZE)
            for line in vietnamese.list_item_lines(labels):
                item = self.doc.add_paragraph()
                item.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                item.paragraph_format.left_indent = Mm(40)
                item.paragraph_format.first_line_indent = Mm(0)
                add_run(item, line, BODY_SIZE)
        self._spacer(12)

    def body(self, paragraphs: Sequence[Paragraph]) -> None:
        for spec in paragraphs:
            self.paragraph(spec.text, bold=spec.bold, italic=spec.italic, align=spec.align, indent=spec.indent)

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False, align: str = "justify",
                  indent: bool = True, size: int = BODY_SIZE) -> DocxParagraph:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = _ALIGN[align]
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = Mm(FIRST_LINE_INDENT_MM) if indent else Mm(0)
        fmt.space_before, fmt.space_after = Pt(0), Pt(6)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.widow_control = True
        add_run(paragraph, text, size, bold=bold, italic=italic)
        self._last_body = paragraph
        return paragraph

    def close(self) -> None:
        """Append the closing mark "./." to the last body paragraph."""
        if self._last_body is None:
            return
        runs = self._last_body.runs
        runs[-1].text = vietnamese.with_closing_mark(runs[-1].text)
        # The signature never stands alone on a page: the last paragraph travels with it.
        self._last_body.paragraph_format.keep_with_next = True

    # -- the bottom --------------------------------------------------------------------------------

    def footer(self, receivers: Sequence[str] | None, signer: Signer | None) -> None:
        """"Nơi nhận:" on the left, the signature block on the right, kept on one page."""
        total_mm = self.table_width_mm
        right_mm = 110 if self.landscape else total_mm - LEFT_COLUMN_MM
        table = self._layout_table(1, [total_mm - right_mm, right_mm])
        row = table.rows[0]
        prevent_row_split(row)
        left, right = table.cell(0, 0), table.cell(0, 1)
        if receivers:
            title = self._cell_paragraph(left, True, align="left")
            title.paragraph_format.space_before = Pt(6)
            add_run(title, "Nơi nhận:", RECEIVERS_TITLE_SIZE, bold=True, italic=True)
            for line in receivers:
                add_run(self._cell_paragraph(left, False, align="left"), line, RECEIVERS_SIZE)
        if signer is not None:
            first = True
            for line in signer.lines():
                paragraph = self._cell_paragraph(right, first)
                if first:
                    paragraph.paragraph_format.space_before = Pt(6)
                add_run(paragraph, line, BODY_SIZE, bold=True)
                first = False
            for _ in range(SIGNATURE_SPACE_LINES):
                add_run(self._cell_paragraph(right, False), "", BODY_SIZE)
            name = self._cell_paragraph(right, False)
            name.paragraph_format.space_before = Pt(12)
            add_run(name, vietnamese.nfc(signer.name).strip(), BODY_SIZE, bold=True)

    def to_bytes(self) -> bytes:
        preserve_spaces(self.doc)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    # -- tables used by the documents --------------------------------------------------------------

    def grid(self, widths_mm: Sequence[float], header: Sequence[str]) -> Table:
        """A bordered table whose header row repeats on every page (the synthesis table)."""
        table = self.doc.add_table(rows=1, cols=len(widths_mm))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _fixed_layout(table, widths_mm)
        header_row = table.rows[0]
        repeat_as_header(header_row)
        for cell, text in zip(header_row.cells, header, strict=False):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            add_run(self._cell_paragraph(cell, True), text, TABLE_SIZE, bold=True)
        return table

    def grid_row(self, table: Table, cells: Sequence[Sequence[tuple[str, bool, bool]] | str],
                 aligns: Sequence[str]) -> None:
        """Append a row; a cell is a text or a list of (text, bold, italic) runs. A row is kept on one page
        unless it is taller than half a page: Word would cut off what does not fit (a comment of many pages)."""
        row = table.add_row()
        texts = ["".join(text for text, _, _ in ([(value, False, False)] if isinstance(value, str) else value))
                 for value in cells]
        widths = [column.width.mm if column.width is not None else self.text_width_mm for column in table.columns]
        tallest = max((estimate_height_mm(text, width - GRID_PADDING_MM, TABLE_SIZE)
                       for text, width in zip(texts, widths, strict=False)), default=0.0)
        if tallest <= self.text_height_mm / 2:
            prevent_row_split(row)
        for cell, value, align in zip(row.cells, cells, aligns, strict=False):
            paragraph = self._cell_paragraph(cell, True, align=align)
            fmt = paragraph.paragraph_format
            fmt.space_before, fmt.space_after = Pt(3), Pt(3)
            runs = [(value, False, False)] if isinstance(value, str) else value
            for text, bold, italic in runs:
                add_run(paragraph, text, TABLE_SIZE, bold=bold, italic=italic)

    def _layout_table(self, rows: int, widths_mm: Sequence[float]) -> Table:
        table = self.doc.add_table(rows=rows, cols=len(widths_mm))
        _fixed_layout(table, widths_mm)
        _no_borders(table)
        indent = OxmlElement("w:tblInd")
        indent.set(qn("w:w"), str(-_twips(TABLE_OUTDENT_MM)))
        indent.set(qn("w:type"), "dxa")
        _put_table_property(table, indent)
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            element = OxmlElement(f"w:{side}")
            element.set(qn("w:w"), str(_twips(CELL_PADDING_MM)))
            element.set(qn("w:type"), "dxa")
            margins.append(element)
        _put_table_property(table, margins)
        for row in table.rows:
            for cell in row.cells:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        return table

    def _cell_paragraph(self, cell: _Cell, first: bool, align: str = "center") -> DocxParagraph:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        paragraph.alignment = _ALIGN[align]
        fmt = paragraph.paragraph_format
        fmt.space_before, fmt.space_after = Pt(0), Pt(0)
        fmt.first_line_indent = Mm(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        return paragraph

    def _rule(self, cell: _Cell, cell_mm: float, length_mm: float) -> None:
        """A short centred horizontal line: an empty, tiny paragraph with a bottom border."""
        paragraph = cell.add_paragraph()
        indent = max((cell_mm - 2 * CELL_PADDING_MM - length_mm) / 2, 0)
        paragraph.paragraph_format.left_indent = Mm(indent)
        paragraph.paragraph_format.right_indent = Mm(indent)
        _shrink(paragraph)
        set_borders(paragraph, ("bottom",))

    def _spacer(self, points: int) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.line_spacing = Pt(points)
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY


# -- XML helpers -------------------------------------------------------------------------------------


def core_property_text(text: str) -> str:
    """A title or author for the file's properties: Word allows 255 characters, longer ones are cut."""
    text = " ".join(vietnamese.nfc(text).split())
    return text if len(text) <= CORE_PROPERTY_MAX else text[:CORE_PROPERTY_MAX - 1].rstrip() + "…"


def set_fonts(run_properties: BaseOxmlElement) -> None:
    """Name Times New Roman in every font slot, East Asian included, so Word never substitutes."""
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def add_run(paragraph: DocxParagraph, text: str, size: int, *, bold: bool = False, italic: bool = False) -> None:
    run = paragraph.add_run(vietnamese.nfc(text))
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    set_fonts(run._r.get_or_add_rPr())


def style_run(run: BaseOxmlElement, size: int) -> None:
    properties = OxmlElement("w:rPr")
    run.insert(0, properties)
    set_fonts(properties)
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(size * 2))
        properties.append(element)


def set_borders(paragraph: DocxParagraph, sides: Sequence[str]) -> None:
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "6")
        element.set(qn("w:space"), "1")
        element.set(qn("w:color"), "auto")
        borders.append(element)
    # pBdr must come before spacing/indentation/justification in CT_PPr's sequence.
    anchor = None
    for tag in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"):
        anchor = properties.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        properties.append(borders)


def prevent_row_split(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    element = OxmlElement("w:cantSplit")
    properties.append(element)


def repeat_as_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    element = OxmlElement("w:tblHeader")
    properties.append(element)


def preserve_spaces(document: object) -> None:
    """Keep runs of spaces (the blank number and day) exactly as typed in every reader."""
    root = document.element  # type: ignore[attr-defined]
    parts = [root]
    for section in document.sections:  # type: ignore[attr-defined]
        parts.append(section.header._element)
    for part in parts:
        for text in part.iter(qn("w:t")):
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def estimate_width_mm(text: str, size: int, *, bold: bool = False) -> float:
    """A rough width of a line in Times New Roman, enough to size the short rules."""
    em = 0.0
    for char in text:
        if char == " ":
            em += 0.25
        elif char.isupper():
            em += 0.72 if bold else 0.68
        else:
            em += 0.5 if bold else 0.46
    return em * size * 25.4 / 72


def estimate_height_mm(text: str, width_mm: float, size: int) -> float:
    """A rough height of a text set in a column `width_mm` wide, single-spaced, line by line."""
    line_mm = size * 1.2 * 25.4 / 72
    lines = sum(max(1, -(-estimate_width_mm(line, size) // max(width_mm, 1.0))) for line in text.split("\n"))
    return lines * line_mm


def _shrink(paragraph: DocxParagraph) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.first_line_indent = Mm(0)
    fmt.line_spacing = Pt(2)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    run = paragraph.add_run("")
    run.font.size = Pt(1)
    set_fonts(run._r.get_or_add_rPr())


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _fixed_layout(table: Table, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _put_table_property(table, layout)
    width = table._tbl.tblPr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        _put_table_property(table, width)
    width.set(qn("w:w"), str(sum(_twips(w) for w in widths_mm)))
    width.set(qn("w:type"), "dxa")
    for column, width_mm in zip(table.columns, widths_mm, strict=False):
        column.width = Mm(width_mm)
    for row in table.rows:
        for cell, width_mm in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width_mm)


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    _put_table_property(table, borders)


_TABLE_PROPERTY_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
    "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
)


def _put_table_property(table: Table, element: BaseOxmlElement) -> None:
    """Insert (or replace) a w:tblPr child at its schema position; Word rejects other orders."""
    properties = table._tbl.tblPr
    name = element.tag.split("}")[1]
    existing = properties.find(element.tag)
    if existing is not None:
        properties.replace(existing, element)
        return
    rank = _TABLE_PROPERTY_ORDER.index(name)
    for child in properties:
        child_name = child.tag.split("}")[1]
        if child_name in _TABLE_PROPERTY_ORDER and _TABLE_PROPERTY_ORDER.index(child_name) > rank:
            child.addprevious(element)
            return
    properties.append(element)

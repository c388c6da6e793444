"""The consolidated programme report (seed 003: "BÁO CÁO Kết quả thực hiện nhiệm vụ năm ... của Chương trình ...")
and the workbook of its figures by unit, as pure renderers: data in, DOCX/XLSX bytes out (Decree 30/2020).

The report has no "Kính gửi": it opens with what it carries out ("Thực hiện ..."), the letters it answers and the
department's own request, then the programme's headings (I., 1., 2.1.) each with its consolidated text and a table
of its figures, and closes "... trân trọng báo cáo UBND tỉnh và Bộ Khoa học và Công nghệ./.".
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from models.text import grouped
from notifications.documents import cells, vietnamese
from notifications.documents.data import DocumentDataError, Issuer, LetterHead, LetterRef, Signer
from notifications.documents.decree30 import Decree30Document, Heading, number_line
from notifications.documents.letters import receivers_lines
from notifications.documents.vietnamese import clause, joined

FIGURE_WIDTHS_MM = (12.0, 70.0, 32.0, 51.0)
FIGURE_WIDTHS_WITH_PREVIOUS_MM = (12.0, 58.0, 26.0, 26.0, 43.0)


@dataclass(frozen=True)
class ReportFigure:
    """One figure of a heading: its label, the sum, the units that gave it, and the previous round's sum."""

    label: str
    total: int | None  # None when no unit gave it
    by_unit: tuple[tuple[str, int], ...] = ()
    previous: int | None = None
    unit: str = ""  # "đồng" for money


@dataclass(frozen=True)
class ReportHeading:
    number: str | None
    title: str
    depth: int  # 0 for "I.", 1 for "1.", 2 for "2.1."
    paragraphs: tuple[str, ...] = ()
    figures: tuple[ReportFigure, ...] = ()
    files: tuple[str, ...] = ()  # the files units sent under it: "Sở Công Thương — bang-ke.xlsx (12 KB)"


@dataclass(frozen=True)
class ProgrammeReportData:
    issuer: Issuer
    head: LetterHead
    title: str  # what the report is about, under "BÁO CÁO"
    references: list[str]  # the legal bases it carries out ("Quyết định số 1322/QĐ-TTg ...")
    request: LetterRef  # the department's own request to the units
    asked: str  # whom the request went to ("các Sở, ban, ngành tỉnh; UBND các huyện ...")
    headings: list[ReportHeading]
    recipients: list[str]  # "UBND tỉnh", "Bộ Khoa học và Công nghệ": reported to, named in the closing line
    cc: list[str]
    signer: Signer
    not_reported: list[str] = field(default_factory=list)
    has_previous: bool = False

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise DocumentDataError("ProgrammeReportData.title: required")
        if not self.recipients:
            raise DocumentDataError("ProgrammeReportData.recipients: at least one body the report goes to")


def render_programme_report(data: ProgrammeReportData) -> bytes:
    issuer_name = data.issuer.display_name
    document = Decree30Document(title=f"Báo cáo {data.title}", author=issuer_name)
    document.header(data.issuer, Heading(
        number_line=number_line(data.issuer.issuer_short, data.head.office_code, "BC", data.head.number),
        place_date=vietnamese.place_date_line(data.issuer.place, data.head.issued_on, data.head.drafted_on),
        title="BÁO CÁO", about=vietnamese.nfc(data.title).strip()))
    references = [clause(item) for item in data.references if item.strip()]
    if references:
        opened = [r if r.lower().startswith(("thực hiện", "căn cứ")) else f"Thực hiện {r}" for r in references[:1]]
        document.paragraph("; ".join(opened + references[1:]) + ".")
    document.paragraph(vietnamese.with_blanks(
        f"{issuer_name} đã ban hành {data.request.citation()} gửi {clause(data.asked)} đề nghị báo cáo kết quả thực "
        f"hiện. {issuer_name} tổng hợp và báo cáo kết quả như sau:"))
    for heading in data.headings:
        text = f"{heading.number} {heading.title}" if heading.number else heading.title
        document.paragraph(text, bold=True, italic=heading.depth >= 2, indent=heading.depth > 0)
        for paragraph in heading.paragraphs:
            for line in [line.strip() for line in paragraph.split("\n") if line.strip()]:
                document.paragraph(line)
        given = [f for f in heading.figures if f.total is not None or f.previous is not None]
        if given:
            _figures(document, given, data.has_previous)
        if heading.files:
            document.paragraph(f"Tệp gửi kèm: {'; '.join(vietnamese.nfc(f) for f in heading.files)}.", italic=True)
    if data.not_reported:
        document.paragraph(f"Các cơ quan, đơn vị chưa gửi báo cáo: {'; '.join(data.not_reported)}.", italic=True)
    document.paragraph(f"{issuer_name} trân trọng báo cáo {joined(data.recipients)}.")
    document.close()
    document.footer(receivers_lines([f"{r} (để b/c)" for r in data.recipients] + data.cc, data.head.office_code,
                                    has_addressee=False), data.signer)
    return document.to_bytes()


def _figures(document: Decree30Document, figures: list[ReportFigure], has_previous: bool) -> None:
    header = ["STT", "Số liệu", "Tổng"] + (["Năm trước"] if has_previous else []) + ["Đơn vị cung cấp"]
    widths = FIGURE_WIDTHS_WITH_PREVIOUS_MM if has_previous else FIGURE_WIDTHS_MM
    table = document.grid(widths, header)
    for number, figure in enumerate(figures, start=1):
        unit = f" ({figure.unit})" if figure.unit else ""
        row = [str(number), f"{figure.label}{unit}", grouped(figure.total) if figure.total is not None else "—"]
        if has_previous:
            row.append(grouped(figure.previous) if figure.previous is not None else "—")
        row.append("; ".join(f"{name}: {grouped(value)}" for name, value in figure.by_unit) or "—")
        document.grid_row(table, row, ["center", "left", "right"] + (["right"] if has_previous else []) + ["left"])
    document.paragraph("")


@dataclass(frozen=True)
class FigureColumn:
    heading: str  # "2.4. Đào tạo nguồn nhân lực ..."
    label: str
    key: str
    number: str = ""  # the heading's number ("2.4."): the figures' column titles are "2.4. Số lớp ..."


@dataclass(frozen=True)
class UnitFigures:
    unit_name: str
    late: bool
    values: dict[str, str]  # field key -> value as stored (a whole number for figures, text for the others)


@dataclass(frozen=True)
class FiguresWorkbookData:
    title: str
    columns: list[FigureColumn]  # the figures, in form order
    texts: list[FigureColumn]  # the text and file fields, in form order
    units: list[UnitFigures]
    not_reported: list[str] = field(default_factory=list)


def render_figures_xlsx(data: FiguresWorkbookData) -> bytes:
    """Sheet "Số liệu": one row per unit that reported, one column per figure, the totals last; sheet "Nội dung":
    what each unit wrote under each heading; the units that did not report are listed under the figures."""
    book = Workbook()
    sheet = cells.first_sheet(book)
    sheet.title = "Số liệu"
    header = ["STT", "Cơ quan, đơn vị"] + [f"{c.number} {c.label}".strip() for c in data.columns]
    # The title and the note under the table wrap within its width: a line running past it would make the page,
    # fit to its width, print the whole table smaller (the more units did not report, the smaller).
    cells.merged_line(sheet, 1, f"SỐ LIỆU BÁO CÁO THEO ĐƠN VỊ — {vietnamese.nfc(data.title).upper()}", len(header),
                      bold=True)
    for column, text in enumerate(header, start=1):
        cells.put(cells.at(sheet, 3, column), text, bold=True, horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = 6 if column == 1 else (
            34 if column == 2 else 18)
    row = 4
    for number, unit in enumerate(data.units, start=1):
        cells.put(cells.at(sheet, row, 1), number, horizontal="center")
        cells.put(cells.at(sheet, row, 2), unit.unit_name + (" (trễ hạn)" if unit.late else ""))
        for column, figure in enumerate(data.columns, start=3):
            value = unit.values.get(figure.key)
            cell = cells.at(sheet, row, column)
            cells.put(cell, int(value) if value and value.lstrip("-").isdigit() else None, horizontal="right")
            cell.number_format = cells.VIETNAMESE_THOUSANDS
        row += 1
    cells.put(cells.at(sheet, row, 1), None)  # the grid closed under STT too
    cells.put(cells.at(sheet, row, 2), "Tổng cộng", bold=True)
    for column, figure in enumerate(data.columns, start=3):
        given = [int(u.values[figure.key]) for u in data.units if u.values.get(figure.key, "").lstrip("-").isdigit()]
        cell = cells.at(sheet, row, column)
        cells.put(cell, sum(given) if given else None, bold=True, horizontal="right")
        cell.number_format = cells.VIETNAMESE_THOUSANDS
    if data.not_reported:
        cells.merged_line(sheet, row + 2, "Chưa báo cáo: " + "; ".join(data.not_reported) + ".", len(header),
                          italic=True)
    cells.print_setup(sheet, title_rows=(3, 3))

    texts = book.create_sheet("Nội dung")
    for column, (text, width) in enumerate((("STT", 6), ("Cơ quan, đơn vị", 28), ("Mục", 34), ("Nội dung", 70)),
                                           start=1):
        cells.put(cells.at(texts, 1, column), text, bold=True, horizontal="center")
        texts.column_dimensions[get_column_letter(column)].width = width
    row, number = 2, 1
    for unit in data.units:
        for item in data.texts:
            value = unit.values.get(item.key)
            if not value:
                continue
            cells.put(cells.at(texts, row, 1), number, horizontal="center")
            cells.put(cells.at(texts, row, 2), unit.unit_name)
            cells.put(cells.at(texts, row, 3), f"{item.heading} — {item.label}")
            cells.put(cells.at(texts, row, 4), value)
            row, number = row + 1, number + 1
    cells.print_setup(texts, title_rows=(1, 1))
    cells.fit_row_heights(texts)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

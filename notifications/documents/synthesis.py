"""The bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý, as a landscape DOCX and as an XLSX."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from notifications.documents import cells, vietnamese
from notifications.documents.data import SynthesisData, SynthesisRow
from notifications.documents.decree30 import Decree30Document, Heading
from notifications.documents.letters import blank_citation
from notifications.documents.wording import Wording, load_wording

# The four columns officials expect: STT | Cơ quan, đơn vị | Nội dung góp ý (with the wording the unit proposes) |
# Ý kiến tiếp thu, giải trình (the handling, then its explanation). Widths of the DOCX table (mm, landscape text
# width 252 mm) and of the sheet (characters); cells are left-aligned (justified narrow cells open wide gaps).
DOCX_WIDTHS_MM = (14, 48, 110, 80)
XLSX_WIDTHS = (6, 28, 70, 55)
_ALIGNS = ("center", "left", "left", "left")
_COLUMN_KEYS = ("column_no", "column_unit", "column_comment", "column_handling")
Runs = list[tuple[str, bool, bool]]  # (text, bold, italic)


def _dated(data: SynthesisData) -> date | None:
    """The table's date: the day it was prepared; when it goes with a tờ trình, that tờ trình's, left blank (None)
    as the tờ trình's own is while the register has not numbered it, so that the two never disagree."""
    attached = data.attached_to
    if attached is None:
        return data.prepared_on
    return attached.sent_on if attached.known_number is not None else None


def render_synthesis_docx(data: SynthesisData, *, wording_dir: Path | None = None) -> bytes:
    """The synthesis table on landscape A4 under the department's header, then the lists of units."""
    wording = load_wording("synthesis", wording_dir)
    context = _context(data)
    title = wording.text("title", context)
    document = Decree30Document(landscape=True, title=title, author=data.issuer.display_name)
    document.header(data.issuer, Heading(
        number_line="",
        place_date=vietnamese.place_date_line(data.issuer.place, _dated(data), data.prepared_on),
        title=title,
        about=wording.text("subtitle", context),
        note=_attached_line(data, wording, context),
    ))
    table = document.grid(DOCX_WIDTHS_MM, _columns(wording, context))
    for row in data.rows:
        document.grid_row(table, [
            str(row.no),
            vietnamese.nfc(row.unit).strip(),
            _comment_runs(row, wording, context),
            _handling_runs(row, wording, context),
        ], _ALIGNS)
    summary = wording.paragraphs("summary", context)
    if summary:
        document.paragraph("", indent=False)
        document.body(summary)
    if data.signer is not None:
        document.footer(None, data.signer)
    return document.to_bytes()


def render_synthesis_xlsx(data: SynthesisData, *, wording_dir: Path | None = None) -> bytes:
    """The same table as one sheet: title, header row, one row per comment, then the lists."""
    wording = load_wording("synthesis", wording_dir)
    context = _context(data)
    book = Workbook()
    sheet = cells.first_sheet(book)
    sheet.title = cells.sheet_title(wording.text("sheet_name", context), "Tổng hợp")
    last_column = len(XLSX_WIDTHS)
    _merged_line(sheet, 1, wording.text("title", context), last_column, bold=True, size=14)
    _merged_line(sheet, 2, wording.text("subtitle", context), last_column, italic=True, size=13)
    attached = _attached_line(data, wording, context)
    if attached:
        _merged_line(sheet, 3, attached, last_column, italic=True, size=12)
    header_row = 4
    for column, text in enumerate(_columns(wording, context), start=1):
        cells.put(cells.at(sheet, header_row, column), text, bold=True, horizontal="center")
    row_number = header_row
    for row in data.rows:
        row_number += 1
        values: list[cells.CellValue] = [
            row.no,
            vietnamese.nfc(row.unit).strip(),
            _plain(_comment_runs(row, wording, context)),
            _plain(_handling_runs(row, wording, context)),
        ]
        for column, value in enumerate(values, start=1):
            cells.put(cells.at(sheet, row_number, column), value, horizontal=_ALIGNS[column - 1])
    row_number += 1
    for paragraph in wording.paragraphs("summary", context):
        row_number += 1
        _merged_line(sheet, row_number, paragraph.text, last_column, height=_line_height(paragraph.text))
    for column, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    sheet.freeze_panes = cells.at(sheet, header_row + 1, 1)
    cells.print_setup(sheet, title_rows=(header_row, header_row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def handling_label(row: SynthesisRow, wording: Wording, context: dict[str, Any]) -> str:
    """"Tiếp thu", "Tiếp thu một phần", "Không tiếp thu" or "Ghi nhận" (from the wording file)."""
    return wording.text(f"handling_{row.handling}", context)


def _context(data: SynthesisData) -> dict[str, Any]:
    return {
        "issuer_name": data.issuer.display_name,
        "governing_body": vietnamese.nfc(data.issuer.governing_body).strip(),
        "place": vietnamese.nfc(data.issuer.place).strip(),
        "draft_title": " ".join(vietnamese.nfc(data.draft_title).split()),
        "draft_version": data.draft_version,
        "prepared_on": data.prepared_on,
        "agreed_units": [vietnamese.nfc(unit).strip() for unit in data.agreed_units],
        "silent_units": [vietnamese.nfc(unit).strip() for unit in data.silent_units],
        "pending_units": [vietnamese.nfc(unit).strip() for unit in data.pending_units],
        "not_asked_units": [vietnamese.nfc(unit).strip() for unit in data.not_asked_units],
        "silence_is_agreement": data.silence_is_agreement,
        "rows_count": len(data.rows),
        "section": "",
        "attached_to": "",
        "verb": " ".join(vietnamese.nfc(data.verb).split()),
        "document": " ".join(vietnamese.nfc(data.document).split()),
    }


def _attached_line(data: SynthesisData, wording: Wording, context: dict[str, Any]) -> str | None:
    """"(Kèm theo Tờ trình số 05/TTr-SKHCN ngày 20/11/2025 của Sở ...)", the number and day left blank while the tờ
    trình has none; None for a table that goes with no document."""
    if data.attached_to is None:
        return None
    return wording.text("attached_to", {**context, "attached_to": blank_citation(data.attached_to)})


def _columns(wording: Wording, context: dict[str, Any]) -> list[str]:
    return [wording.text(key, context) for key in _COLUMN_KEYS]


def _section(row: SynthesisRow, wording: Wording, context: dict[str, Any]) -> str:
    if not row.section or not row.section.strip():
        return ""
    return wording.text("section_label", {**context, "section": vietnamese.nfc(row.section).strip()})


QUOTE_CHARACTERS = 300  # of the draft's passage a comment is about: enough to recognise it beside the draft


def _quoted(passage: str) -> str:
    passage = " ".join(vietnamese.nfc(passage).split())
    if len(passage) <= QUOTE_CHARACTERS:
        return f"“{passage}”"
    return f"“{passage[:QUOTE_CHARACTERS].rsplit(' ', 1)[0]} …”"


def _comment_runs(row: SynthesisRow, wording: Wording, context: dict[str, Any]) -> Runs:
    """"Mục II.2: <comment>", with the passage of the draft it is about ("Đoạn dự thảo: “…”", in italics) on a line
    before the comment when the unit chose one, then "Đề xuất sửa thành: <the unit's wording>" when it proposed one."""
    section = _section(row, wording, context)
    comment = vietnamese.nfc(row.comment).strip()
    runs: Runs = [(f"{section} ", True, True)] if section else []
    if row.quote and row.quote.strip():
        runs += [(f"{wording.text('quote_label', context)} ", False, True), (_quoted(row.quote), False, True),
                 ("\n", False, False)]
    runs.append((comment, False, False))
    proposed = vietnamese.nfc(row.proposed_wording or "").strip()
    if proposed:
        runs += [(f"\n{wording.text('proposed_label', context)} ", False, True), (proposed, False, False)]
    return runs


def _handling_runs(row: SynthesisRow, wording: Wording, context: dict[str, Any]) -> Runs:
    """The handling ("Tiếp thu", "Không tiếp thu", ...) in bold, its explanation on the next line."""
    runs: Runs = [(handling_label(row, wording, context), True, False)]
    explanation = vietnamese.nfc(row.explanation or "").strip()
    if explanation:
        runs.append((f"\n{explanation}", False, False))
    return runs


def _plain(runs: Runs) -> str:
    return "".join(text for text, _, _ in runs)


def _merged_line(sheet: Worksheet, row: int, text: str, last_column: int, *, bold: bool = False,
                 italic: bool = False, size: int = 12, height: float | None = None) -> None:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    horizontal = "center" if row <= 3 else "left"
    cells.put(cells.at(sheet, row, 1), text, bold=bold, italic=italic, size=size, horizontal=horizontal, border=False)
    if height is not None:
        sheet.row_dimensions[row].height = cells.row_height(height)


def _line_height(text: str) -> float:
    # Merged cells do not grow with their text in Excel; give long lists room (about 150 chars a line).
    lines = max(1, -(-len(text) // 150))
    return 16.0 * lines

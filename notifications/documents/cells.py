"""Spreadsheet cells that stay text: no formula injection through a unit's comment or a name; within what Excel
holds (a cell's text, a sheet's title)."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FONT_NAME = "Times New Roman"
THIN = Side(style="thin", color="000000")
GRID_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Excel's limits: the characters of one cell, of a sheet's title, and the height of a row (points).
CELL_MAX = 32_767
SHEET_TITLE_MAX = 31
ROW_HEIGHT_MAX = 409.0
ELLIPSIS = "…"
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could read the text as a formula (OWASP CSV injection triggers)."""
    return text.startswith(FORMULA_TRIGGERS)


def csv_safe(text: str) -> str:
    """Prefix a risky text with an apostrophe, the way a person forces text in Excel."""
    text = unicodedata.normalize("NFC", text)
    return f"'{text}" if is_risky(text) else text


CellValue = str | int | float | date | datetime | None


def fit_cell(text: str) -> str:
    """A text Excel keeps whole in one cell: a longer one (a list of hundreds of units) is cut with an ellipsis.
    The texts typed into ykien are far shorter (models.limits); the DOCX of the same document holds it all."""
    return text if len(text) <= CELL_MAX else text[:CELL_MAX - len(ELLIPSIS)] + ELLIPSIS


def sheet_title(text: str, fallback: str) -> str:
    """A sheet's title as Excel takes it: at most 31 characters, none of []:*?/\\, not blank."""
    cleaned = " ".join(_SHEET_TITLE_FORBIDDEN.sub(" ", unicodedata.normalize("NFC", text)).split())
    return cleaned[:SHEET_TITLE_MAX].strip().strip("'") or fallback


def row_height(points: float) -> float:
    return min(points, ROW_HEIGHT_MAX)


def first_sheet(book: Workbook) -> Worksheet:
    """The sheet a new workbook opens with."""
    sheet = book.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook starts with a worksheet")
    return sheet


def at(sheet: Worksheet, row: int, column: int) -> Cell:
    """The cell to write at (row, column); the top-left cell of a merged range is an ordinary cell."""
    cell = sheet.cell(row, column)
    if not isinstance(cell, Cell):
        raise ValueError(f"cell ({row}, {column}) lies inside a merged range; write to its top-left cell")
    return cell


def put(cell: Cell, value: CellValue, *, bold: bool = False, italic: bool = False, size: int = 12,
        wrap: bool = True, horizontal: str = "left", border: bool = True) -> None:
    """Write a value as data, never as a formula; risky texts get Excel's apostrophe prefix.

    The prefix is the cell's quotePrefix flag (what Excel stores when one types '=...), so the
    apostrophe forces text without showing in the cell.
    """
    if isinstance(value, str):
        text = fit_cell(unicodedata.normalize("NFC", value))
        cell.value = text
        cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
        if is_risky(text):
            cell.quotePrefix = True
    else:
        cell.value = value
        if isinstance(value, (date, datetime)):
            cell.number_format = "DD/MM/YYYY"
    cell.font = Font(name=FONT_NAME, size=size, bold=bold, italic=italic)
    cell.alignment = Alignment(wrap_text=wrap, vertical="top", horizontal=horizontal)
    if border:
        cell.border = GRID_BORDER

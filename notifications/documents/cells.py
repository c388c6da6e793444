"""Spreadsheet cells that stay text: no formula injection through a unit's comment or a name; within what Excel
holds (a cell's text, a sheet's title)."""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from copy import copy
from datetime import date, datetime
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from notifications.documents import text_measure

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FONT_NAME = "Times New Roman"
THIN = Side(style="thin", color="000000")
GRID_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Excel's limits: the characters of one cell, of a sheet's title, and the height of a row (points).
CELL_MAX = 32_767
SHEET_TITLE_MAX = 31
ROW_HEIGHT_MAX = 409.0
ELLIPSIS = "…"
# Whole numbers grouped by thousands, in Vietnamese: the language tag 042A makes LibreOffice (our PDFs, and a desktop
# in any language) write 1.500.000 where it would write 1,500,000; Excel keeps grouping as the reader's Windows does.
VIETNAMESE_THOUSANDS = "[$-42A]#,##0"
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


# The style of each look of cell, per workbook, once made: openpyxl hashes a Font, an Alignment and a Border again
# at every assignment (70 % of a 5,000-unit list's time); a copy of a made style costs nothing.
_STYLES: WeakKeyDictionary[Workbook, dict[tuple[object, ...], StyleArray]] = WeakKeyDictionary()


def put(cell: Cell, value: CellValue, *, bold: bool = False, italic: bool = False, size: int = 12,
        wrap: bool = True, horizontal: str = "left", border: bool = True) -> None:
    """Write a value as data, never as a formula; risky texts get Excel's apostrophe prefix.

    The prefix is the cell's quotePrefix flag (what Excel stores when one types '=...), so the
    apostrophe forces text without showing in the cell.
    """
    dated = isinstance(value, (date, datetime))
    look = (size, bold, italic, wrap, horizontal, border, dated)
    book = cell.parent.parent
    made = _STYLES.setdefault(book, {}) if book is not None else {}
    if look in made:
        cell._style = copy(made[look])  # type: ignore[attr-defined]  # openpyxl's way to copy a style
    else:
        if dated:
            cell.number_format = "DD/MM/YYYY"
        cell.font = Font(name=FONT_NAME, size=size, bold=bold, italic=italic)
        cell.alignment = Alignment(wrap_text=wrap, vertical="top", horizontal=horizontal)
        if border:
            cell.border = GRID_BORDER
        made[look] = copy(cell._style)  # type: ignore[attr-defined]
    if isinstance(value, str):
        text = fit_cell(unicodedata.normalize("NFC", value))
        cell.value = text
        cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
        if is_risky(text):
            cell.quotePrefix = True
    else:
        cell.value = value


# --- printing: what LibreOffice (and Excel) put on paper -------------------------------------------------------

# Decree 30's margins (top, bottom, left, right: decree30.TOP_MM ...) and the 10 mm of the DOCX header, in the inches
# a sheet's page setup takes.
MARGINS_MM = (20, 20, 30, 15)
HEADER_MM = 10
MM_PER_INCH = 25.4
POINTS_PER_MM = 72 / MM_PER_INCH
# A column width counts digits of the workbook's font (Calibri 11, Carlito where LibreOffice prints): 7 px, 5.25 pt,
# plus a cell's padding; a Times New Roman 12 letter is about as wide, so a width of 40 holds about 40 letters.
POINTS_PER_WIDTH = 5.6
DEFAULT_WIDTH = 8.43  # Excel's width of a column the file gives none
# Below this scale a sheet printed on one page's width reads badly (12 pt text under 9 pt): it goes on across as
# many pages as it takes, its first columns repeated on each (`title_columns`).
MIN_SCALE = 0.75
# A wrapped line's height over the font's size: LibreOffice spaces Times New Roman (Liberation Serif) lines 1.11
# sizes apart, Excel about 1.15 at 96 dpi; 1.25 left a blank line under every eight.
LINE_FACTOR = 1.15
ROW_PADDING = 4.0  # points above and below a row's text
# The points of a column a wrapped text takes, per width unit: Excel draws a unit as 7 px (5.25 pt) and keeps about
# 1.5 pt clear on each side; LibreOffice's 5.56 pt gives a line a letter or two more, never fewer.
TEXT_POINTS_PER_WIDTH = 5.25
CELL_MARGINS = 3.0


def print_setup(sheet: Worksheet, *, title_rows: tuple[int, int] | None, title_columns: str | None = None,
                landscape: bool = True, header: str | None = None) -> None:
    """A4 with Decree 30's margins, fit to the page's width (as many pages down as it takes), `title_rows` (first,
    last) repeated on every page; the page number centred in the top margin from page 2 (Decree 30, art. 8).

    A sheet too wide for one page at MIN_SCALE goes across several, repeating `title_columns` ("A:B") on each.
    `header` (e.g. "&A", the sheet's name) is printed above the table on every page. Row heights are set for the
    wrapped text, which LibreOffice prints only as tall as the file says.
    """
    setup = sheet.page_setup
    setup.orientation = "landscape" if landscape else "portrait"
    setup.paperSize = sheet.PAPERSIZE_A4
    top, bottom, left, right = (value / MM_PER_INCH for value in MARGINS_MM)
    sheet.page_margins = PageMargins(left=left, right=right, top=top, bottom=bottom,
                                     header=HEADER_MM / MM_PER_INCH, footer=HEADER_MM / MM_PER_INCH)
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    setup.fitToWidth = pages_wide(sheet, landscape=landscape, title_columns=title_columns)
    setup.fitToHeight = 0  # as many pages down as the rows need
    if title_rows is not None:
        sheet.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    if title_columns is not None and setup.fitToWidth > 1:
        sheet.print_title_cols = title_columns
    sheet.print_options.horizontalCentered = True
    pages, first = sheet.HeaderFooter.oddHeader, sheet.HeaderFooter.firstHeader
    assert pages is not None and first is not None  # openpyxl makes them with the sheet
    sheet.HeaderFooter.differentFirst = True
    pages.center.text, pages.center.font, pages.center.size = "&P", f"{FONT_NAME},Regular", 13
    if header is not None:
        for item in (pages, first):
            item.left.text, item.left.font, item.left.size = header, f"{FONT_NAME},Bold", 12
    fit_row_heights(sheet)


def text_width_points(landscape: bool) -> float:
    """The width between Decree 30's side margins on A4."""
    page = 297 if landscape else 210
    return (page - MARGINS_MM[2] - MARGINS_MM[3]) * POINTS_PER_MM


def column_width(sheet: Worksheet, column: int) -> float:
    dimension = sheet.column_dimensions.get(get_column_letter(column))
    return float(dimension.width) if dimension is not None and dimension.width else DEFAULT_WIDTH


def pages_wide(sheet: Worksheet, *, landscape: bool, title_columns: str | None = None) -> int:
    """How many pages across the sheet needs so that its text prints at MIN_SCALE or larger: 1 for most tables."""
    widths = [column_width(sheet, column) * POINTS_PER_WIDTH for column in range(1, sheet.max_column + 1)]
    page = text_width_points(landscape) / MIN_SCALE
    if sum(widths) <= page:
        return 1
    repeated, start = 0.0, 0
    if title_columns is not None:
        first, last = (column_index_from_string(part) for part in title_columns.split(":"))
        repeated, start = sum(widths[first - 1:last]), last
    pages, used = 1, repeated
    for width in widths[start:]:
        if used + width > page and used > repeated:
            pages, used = pages + 1, repeated
        used += width
    return pages


def fit_row_heights(sheet: Worksheet) -> None:
    """Give each row with wrapped text the height its longest cell needs (estimated from its letters, its column's
    width and its font's size); rows given a height already keep it."""
    spans = {(merged.min_row, merged.min_col): (merged.min_col, merged.max_col) for merged in sheet.merged_cells.ranges}
    for row in sheet.iter_rows():
        number = row[0].row
        if number is None:
            continue
        dimension = sheet.row_dimensions.get(number)
        if dimension is not None and dimension.height is not None:
            continue
        needed, lines = 0.0, 1
        for cell in row:
            if not isinstance(cell, Cell) or not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                continue
            first, last = spans.get((number, cell.column), (cell.column, cell.column))
            width = sum(column_width(sheet, column) for column in range(first, last + 1))
            size, bold = float(cell.font.sz or 11), bool(cell.font.b)
            lines = max(lines, text_lines(cell.value, width, size, bold=bold))
            needed = max(needed, text_height(cell.value, width, size, bold=bold))
        if lines > 1:  # one line fits the default height, which Excel still fits to the font
            sheet.row_dimensions[number].height = row_height(needed)


def text_lines(text: str, width: float, size: float, *, bold: bool = False) -> int:
    """The lines a text wraps to in a column `width` wide, in Times New Roman of `size` points."""
    return len(text_measure.wrapped_lines(text, text_points(width), size, bold=bold))


def text_points(width: float) -> float:
    """The points a wrapped text takes in a column `width` wide."""
    return width * TEXT_POINTS_PER_WIDTH - CELL_MARGINS


def one_line_width(texts: Iterable[str], *, minimum: float, size: float = 12, bold: bool = False) -> float:
    """The column width that holds the longest of `texts` on one line (the inverse of `text_lines`), at least
    `minimum`: a code column is as wide as its longest code, never wrapping one."""
    longest = max((text_measure.text_width(text, size, bold=bold) for text in texts), default=0.0)
    return max(minimum, math.ceil((longest + CELL_MARGINS) / TEXT_POINTS_PER_WIDTH))


def width_for_lines(text: str, lines: int, *, size: float = 12, bold: bool = False) -> float:
    """The narrowest whole column width in which `text` wraps to at most `lines` lines (its longest word whole)."""
    width = one_line_width(text.split(), minimum=1, size=size, bold=bold)
    while text_lines(text, width, size, bold=bold) > lines:
        width += 1
    return width


def merged_line(sheet: Worksheet, row: int, text: str, last_column: int, *, bold: bool = False,
                italic: bool = False, size: int = 12, horizontal: str = "left") -> Cell:
    """A line of text across columns 1..`last_column` (a title over a table, a note under it), wrapped within the
    table's width: a long one grows its row (`fit_row_heights`) instead of running past the table, which would make
    a sheet fit to the page's width print smaller."""
    if last_column > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    cell = at(sheet, row, 1)
    put(cell, text, bold=bold, italic=italic, size=size, horizontal=horizontal, border=False)
    return cell


def text_height(text: str, width: float, size: float, *, bold: bool = False) -> float:
    """Points a wrapped text needs in a column `width` wide."""
    return lines_height(text_lines(text, width, size, bold=bold), size)


def lines_height(lines: int, size: float) -> float:
    return lines * size * LINE_FACTOR + ROW_PADDING


# A text taller than ROW_HEIGHT_MAX goes on over several rows, in pieces of at most PIECE_HEIGHT points: a landscape
# page holds two or three of them under the title row, where it would hold one row of 409 points and leave the rest
# of the page blank (a row is never split across pages).
PIECE_HEIGHT = 160.0


def fits_one_row(text: str, width: float, size: float = 12) -> bool:
    """Whether one row prints the whole text in a column `width` wide: a text over about 1,000 letters is taller than
    Excel's tallest row (409 points), which would cut it on the printed page, and goes on over rows (`text_pieces`)."""
    return text_height(text, width, size) <= ROW_HEIGHT_MAX


def text_pieces(text: str, width: float, size: float = 12) -> list[str]:
    """The text cut between its wrapped lines into pieces of at most PIECE_HEIGHT points, each as many whole lines
    as that holds: every piece wraps in its row as it wrapped in the whole text, so each row is as tall as its
    lines and no taller. A piece ends between words, never inside one a line had to break (a long address)."""
    lines = text_measure.wrapped_lines(text, text_points(width), size)
    per_piece = max(1, int((PIECE_HEIGHT - ROW_PADDING) / (size * LINE_FACTOR)))

    def between_words(line: int) -> bool:
        return line == len(lines) - 1 or lines[line][1] < lines[line + 1][0]

    pieces: list[str] = []
    first = 0
    while first < len(lines):
        full = min(first + per_piece, len(lines)) - 1
        last = next((line for line in range(full, first - 1, -1) if between_words(line)), None)
        if last is None:
            last = next(line for line in range(full, len(lines)) if between_words(line))
        pieces.append(text[lines[first][0]:lines[last][1]])
        first = last + 1
    return pieces


def continued_border(first: bool, last: bool) -> Border:
    """The grid border of one row of a text continued over several: closed above its first row and below its
    last, so the pieces read as one cell."""
    return Border(left=THIN, right=THIN, top=THIN if first else None, bottom=THIN if last else None)

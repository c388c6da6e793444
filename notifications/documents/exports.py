"""Exports staff open in Excel: the round workbook (units and comments) and the audit trail as CSV.

Texts that a spreadsheet could read as a formula stay text (see `cells`); the CSV carries a BOM
so Excel reads Vietnamese as UTF-8.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.audit import AuditEvent
from notifications.documents import cells, vietnamese
from notifications.documents.data import HANDLINGS, DocumentDataError, Handling, Proposal, ProposalField
from notifications.documents.proposals import parse_money
from notifications.documents.wording import load_wording

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Widths in letters, each sheet within one landscape A4 page's width at 12 pt text scaled to 75 % or more
# (cells.MIN_SCALE); long texts wrap and the rows grow.
UNIT_COLUMNS = (
    ("STT", 6), ("Mã đơn vị", 13), ("Tên cơ quan, đơn vị", 38), ("Nhóm", 20), ("Vai trò", 9),
    ("Tình trạng thư", 11), ("Trả lời", 30), ("Ngày trả lời", 11), ("Hạn trả lời", 11), ("Trả lời muộn", 9),
    ("Được gia hạn", 9),
)
# The code column is as wide as the round's longest code ("X-NGUYENBINH" in capitals), within these bounds; the
# name column gives up what it takes beyond UNIT_COLUMNS' 13, so the sheet keeps its width on the page.
CODE_COLUMN, NAME_COLUMN = 2, 3
CODE_WIDTHS = (10, 24)
# The units sheet opens with its title (what the list is, attachment 3 of the tờ trình) and the round it is of, then
# the header row, which filters and repeats on every printed page; the units follow it.
UNIT_HEADER_ROW = 3
# "Ngày trả lời": the moment the unit answered, shown as its day (a time of day would not fit the page's width; the
# cell keeps it, and the audit CSV says it to the second).
ANSWERED_COLUMN = 8
COMMENT_COLUMNS = (
    ("STT", 6), ("Cơ quan, đơn vị", 24), ("Mục", 10), ("Nội dung {verb}", 46), ("Đề xuất sửa thành", 34),
    ("Xử lý", 13), ("Giải trình", 34),
)  # {verb}: the kind's word for what units do ("góp ý", "thẩm định")
# The words people read first; then what the chain seals (the stored code, details and hash), to check it by.
AUDIT_COLUMNS = ("Số thứ tự", "Thời gian (giờ Việt Nam)", "Người thực hiện", "Hành động", "Chi tiết",
                 "Mã hành động", "Chi tiết (JSON)", "Mã băm")
YES = "Có"


@dataclass(frozen=True)
class UnitRow:
    """One addressed unit of a round, with labels already in Vietnamese: its group's label (from the directory), its
    role, email status and answer in the words of the round's kind ("Góp ý", "Đã gửi", "Không trả lời (coi như đồng
    ý)"), never their codes."""

    code: str
    name: str
    group: str
    role: str
    email_status: str
    answer: str
    deadline: date | None
    late: bool
    extended: bool
    answered_at: datetime | None = None  # the latest answer's local time, when the unit answered


@dataclass(frozen=True)
class CommentRow:
    """One comment of a unit; `handling` None means not triaged yet."""

    unit: str
    section: str | None
    comment: str
    proposed_wording: str | None = None
    handling: Handling | None = None
    explanation: str | None = None

    def __post_init__(self) -> None:
        if self.handling is not None and self.handling not in HANDLINGS:
            raise DocumentDataError(
                f"CommentRow of {self.unit}: handling must be one of {', '.join(HANDLINGS)}, got {self.handling!r}"
            )


@dataclass(frozen=True)
class FormSheet:
    """The units' forms of a kind whose answers are forms: the sheet's name (the kind's word for an answer, "Phiếu
    đề xuất"), the form's columns in order as (field key, header), and every form of each unit's latest answer.
    Values are found by the field's key: a report's headings share labels ("Nội dung báo cáo" under each)."""

    title: str
    columns: Sequence[tuple[str, str]]
    forms: Sequence[Proposal]


FIGURE_KINDS = frozenset({"number", "count", "money", "months"})  # the form's whole numbers
_ATTACHED = " [tệp đính kèm số "  # how a file field's value names its stored file: the name is what people read


def round_workbook(units: Sequence[UnitRow], comments: Sequence[CommentRow], *,
                   wording_dir: Path | None = None, forms: FormSheet | None = None, verb: str = "góp ý",
                   title: str = "Danh sách cơ quan, đơn vị", subtitle: str = "") -> bytes:
    """An XLSX with two sheets: "Đơn vị" (status per unit, under `title` and `subtitle`, the round it is of: the
    header is row UNIT_HEADER_ROW) and "Ý kiến" (every comment, its text under "Nội dung" and the kind's `verb`),
    or, for a kind whose answers are forms, a sheet of the forms (`forms`) in place of the comments."""
    labels = load_wording("synthesis", wording_dir)
    book = Workbook()
    unit_sheet = cells.first_sheet(book)
    unit_sheet.title = "Đơn vị"
    columns = _unit_columns(units)
    cells.merged_line(unit_sheet, 1, vietnamese.nfc(title).strip().upper(), len(columns), bold=True, size=14,
                      horizontal="center")
    if subtitle.strip():
        cells.merged_line(unit_sheet, 2, vietnamese.nfc(subtitle).strip(), len(columns), italic=True, size=13,
                          horizontal="center")
    _header(unit_sheet, columns, UNIT_HEADER_ROW)
    for number, unit in enumerate(units, start=1):
        index = UNIT_HEADER_ROW + number
        values: list[cells.CellValue] = [
            number, unit.code, unit.name, unit.group, unit.role, unit.email_status, unit.answer,
            unit.answered_at.replace(tzinfo=None) if unit.answered_at else None, unit.deadline,
            YES if unit.late else "", YES if unit.extended else "",
        ]
        _row(unit_sheet, index, values)
        unit_sheet.cell(index, ANSWERED_COLUMN).number_format = "dd/mm/yyyy"
    last = get_column_letter(len(columns))
    unit_sheet.auto_filter.ref = f"A{UNIT_HEADER_ROW}:{last}{UNIT_HEADER_ROW + len(units)}"
    cells.print_setup(unit_sheet, title_rows=(UNIT_HEADER_ROW, UNIT_HEADER_ROW), header="&A")
    if forms is not None:
        _form_sheet(book, forms)
        return _saved(book)
    comment_sheet = book.create_sheet("Ý kiến")
    _header(comment_sheet, [(header.replace("{verb}", verb), width) for header, width in COMMENT_COLUMNS])
    for index, comment in enumerate(comments, start=2):
        handling = labels.text(f"handling_{comment.handling}", {}) if comment.handling else labels.text(
            "handling_pending", {})
        _row(comment_sheet, index, [
            index - 1, comment.unit, comment.section or "", comment.comment, comment.proposed_wording or "", handling,
            comment.explanation or "",
        ])
    comment_sheet.auto_filter.ref = comment_sheet.dimensions
    cells.print_setup(comment_sheet, title_rows=(1, 1), header="&A")
    return _saved(book)


def _form_sheet(book: Workbook, forms: FormSheet) -> None:
    """One row per form: the unit, then each field of the form in its column (a file by its name)."""
    sheet = book.create_sheet(cells.sheet_title(forms.title, "Phiếu"))
    _header(sheet, [("STT", 6), ("Cơ quan, đơn vị", 24), *((header, 22) for _, header in forms.columns)])
    for index, form in enumerate(forms.forms, start=2):
        values = {field.key or field.label: _form_value(field) for field in form.fields}
        _row(sheet, index, [index - 1, form.unit, *(values.get(key, "") for key, _ in forms.columns)])
    sheet.auto_filter.ref = sheet.dimensions
    # A report has a column per field of every heading: across several pages, each repeats STT and the unit.
    cells.print_setup(sheet, title_rows=(1, 1), title_columns="A:B", header="&A")


def _form_value(field: ProposalField) -> cells.CellValue:
    """A field as its cell holds it: a figure (a count, a sum of money) as a whole number Excel adds up, a file by
    its name, anything else as the text given."""
    text = field.value.split(_ATTACHED)[0]
    if field.kind in FIGURE_KINDS:
        amount = parse_money(text)  # "120000000", "120.000.000 đồng"
        if amount is not None:
            return amount
    return text


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class AuditWords:
    """One event as the audit tab tells it: the action's title and its details in words ("Gia hạn"; "đơn vị: Sở Y
    tế; hạn mới: 22/12/2025"), never the codes the chain stores ("extend", "new_deadline")."""

    action: str
    details: str


def audit_csv(events: Sequence[AuditEvent], words: Sequence[AuditWords]) -> bytes:
    """The audit trail as CSV (UTF-8 with BOM, CRLF): seq, local time (dd/mm/yyyy HH:MM:SS), actor, the action and
    its details in words (`words`, one per event), then the stored code, details as JSON and hash."""
    if len(words) != len(events):
        raise ValueError(f"audit_csv: {len(words)} descriptions for {len(events)} events")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(AUDIT_COLUMNS)
    for event, told in zip(events, words, strict=True):
        details = json.dumps(event.details, ensure_ascii=False, sort_keys=True, default=str)
        writer.writerow([
            event.seq,
            _local_time(event.at),
            cells.csv_safe(event.actor),
            cells.csv_safe(told.action),
            cells.csv_safe(told.details),
            cells.csv_safe(event.action),
            cells.csv_safe(details),
            cells.csv_safe(event.hash),
        ])
    return buffer.getvalue().encode("utf-8-sig")


def _local_time(value: datetime) -> str:
    # Stored times are UTC; a naive one is taken as UTC.
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M:%S")


def _unit_columns(units: Sequence[UnitRow]) -> list[tuple[str, float]]:
    """UNIT_COLUMNS with the code column as wide as the longest code (within CODE_WIDTHS) and the name column the
    narrower by as much."""
    columns: list[tuple[str, float]] = list(UNIT_COLUMNS)
    low, high = CODE_WIDTHS
    code = min(high, cells.one_line_width((unit.code for unit in units), minimum=low))
    (code_title, usual), (name_title, name) = columns[CODE_COLUMN - 1], columns[NAME_COLUMN - 1]
    columns[CODE_COLUMN - 1] = (code_title, code)
    columns[NAME_COLUMN - 1] = (name_title, name - (code - usual))
    return columns


def _header(sheet: Worksheet, columns: Sequence[tuple[str, float]], row: int = 1) -> None:
    for column, (title, width) in enumerate(columns, start=1):
        cells.put(cells.at(sheet, row, column), title, bold=True, horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{row + 1}"


def _row(sheet: Worksheet, row: int, values: Sequence[cells.CellValue]) -> None:
    for column, value in enumerate(values, start=1):
        cells.put(cells.at(sheet, row, column), value, horizontal="center" if isinstance(value, int) else "left")

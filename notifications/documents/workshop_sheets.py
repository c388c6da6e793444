"""The attendee list of a workshop (XLSX): one row per invited unit in the order of the plan's participant groups,
one column per field of the registration form (its label, the value as given), then when the unit answered and
whether late; units that have not answered say "Chưa đăng ký", units not asked to register (invited to be told: the
press) say so. Under the list, the count of each option of each
choice field of the form, as the form lists them."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from notifications.documents import cells, vietnamese
from notifications.documents.data import DocumentDataError
from notifications.documents.workshop import NOT_ASKED, NOT_REGISTERED, REGISTERED, event_name

ANSWERED_AT = "Thời điểm đăng ký"
LATE = "Trễ hạn"
FIXED_HEADERS = ("STT", "Thành phần", "Cơ quan, đơn vị")


@dataclass(frozen=True)
class FormColumn:
    """A field of the registration form: its label, and its options when it is a choice."""

    label: str
    options: tuple[str, ...] = ()
    # Its options that decline ("Không tham dự") and what the units giving the others are called ("Tham dự"): the
    # summary then gives how many come in all; none when the field tells no refusal.
    declining: tuple[str, ...] = ()
    attending_label: str | None = None


@dataclass(frozen=True)
class AttendeeRow:
    group: str  # the participant group's title
    unit: str
    values: tuple[str, ...] = ()  # one per form column, "" where not given; empty when the unit has not answered
    answered_at: datetime | None = None
    late: bool = False
    asked: bool = True  # False for a unit invited only to be told (the press): it is not asked to register


@dataclass(frozen=True)
class AttendeeListData:
    title: str
    columns: tuple[FormColumn, ...]
    rows: list[AttendeeRow] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not event_name(self.title):
            raise DocumentDataError("AttendeeListData.title: required")
        for row in self.rows:
            if row.values and len(row.values) != len(self.columns):
                raise DocumentDataError(f"AttendeeRow.values of {row.unit}: {len(row.values)} values for "
                                        f"{len(self.columns)} form fields")

    def counts(self, column: int) -> list[tuple[str, int]]:
        """How many units gave each option of a choice column (in the form's order), then those not registered;
        a value outside the options (an older form) is counted under its own words."""
        options = list(self.columns[column].options)
        given = [row.values[column] for row in self.rows if row.values and row.values[column]]
        extra = [value for value in dict.fromkeys(given) if value not in options]
        out = [(option, given.count(option)) for option in options + extra]
        told = [(NOT_ASKED, sum(1 for row in self.rows if not row.asked))]
        return [*out, (NOT_REGISTERED, self.silent), *(told if told[0][1] else [])]

    @property
    def silent(self) -> int:
        """The units asked to register that have not."""
        return sum(1 for row in self.rows if row.asked and not row.values)

    def summary(self, column: int) -> list[tuple[str, int, bool]]:
        """The count lines of a choice column as (words, units, bold): each option as counts() gives it; for a column
        that tells a refusal, the options that come first, then how many come in all (bold), then the others and
        the units not registered."""
        counts = self.counts(column)
        form = self.columns[column]
        if form.attending_label is None:
            return [(option, count, False) for option, count in counts]
        given = [(option, count) for option, count in counts if option not in (NOT_REGISTERED, NOT_ASKED)]
        apart = [(option, count, False) for option, count in counts if option in (NOT_REGISTERED, NOT_ASKED)]
        comes = {option for option in form.options if option not in form.declining}  # an older form's words: apart
        coming = [(option, count, False) for option, count in given if option in comes]
        label = form.attending_label
        total = (f"Tổng số {label[:1].lower()}{label[1:]}", sum(count for _, count, _ in coming), True)
        staying = [(option, count, False) for option, count in given if option not in comes]
        return [*coming, total, *staying, *apart]


def render_attendee_list(data: AttendeeListData) -> bytes:
    book = Workbook()
    sheet = cells.first_sheet(book)
    sheet.title = "Danh sách đăng ký"
    name = event_name(data.title)
    header = [*FIXED_HEADERS, *(c.label for c in data.columns), ANSWERED_AT, LATE]
    widths = [5, 22, 30, *[16] * len(data.columns), 16, 7]
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    cells.put(cells.at(sheet, 1, 1), f"DANH SÁCH ĐĂNG KÝ THAM DỰ HỘI THẢO {vietnamese.nfc(name).upper()}", bold=True,
              border=False, horizontal="center")
    for column, (text, width) in enumerate(zip(header, widths, strict=True), start=1):
        cells.put(cells.at(sheet, 3, column), text, bold=True, horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = width
    row = 4
    for number, attendee in enumerate(data.rows, start=1):
        cells.put(cells.at(sheet, row, 1), number, horizontal="center")
        cells.put(cells.at(sheet, row, 2), attendee.group)
        cells.put(cells.at(sheet, row, 3), attendee.unit)
        if attendee.values:
            for offset, value in enumerate(attendee.values):
                cells.put(cells.at(sheet, row, 4 + offset), value)
        else:
            cells.put(cells.at(sheet, row, 4), NOT_REGISTERED if attendee.asked else NOT_ASKED, italic=True)
            for offset in range(1, len(data.columns)):
                cells.put(cells.at(sheet, row, 4 + offset), None)
        answered = cells.at(sheet, row, 4 + len(data.columns))
        cells.put(answered, attendee.answered_at.replace(tzinfo=None) if attendee.answered_at else None,
                  horizontal="center")
        answered.number_format = "dd/mm/yyyy hh:mm"
        cells.put(cells.at(sheet, row, 5 + len(data.columns)), "x" if attendee.late else None, horizontal="center")
        row += 1
    row += 1
    summaries = [(f"Tổng hợp: {c.label}", data.summary(n)) for n, c in enumerate(data.columns) if c.options]
    if not summaries:  # a form without a choice: who registered and who did not
        registered = sum(1 for attendee in data.rows if attendee.values)
        told = sum(1 for attendee in data.rows if not attendee.asked)
        summaries = [("Tổng hợp", [(REGISTERED, registered, False), (NOT_REGISTERED, data.silent, False),
                                   *([(NOT_ASKED, told, False)] if told else [])])]
    for title, counts in summaries:
        cells.put(cells.at(sheet, row, 2), title, bold=True, border=False, wrap=False)
        row += 1
        for option, count, bold in counts:
            cells.put(cells.at(sheet, row, 2), option, bold=bold)
            cells.put(cells.at(sheet, row, 3), count, bold=bold, horizontal="right")
            row += 1
        row += 1
    cells.print_setup(sheet, title_rows=(3, 3))
    cells.fit_row_heights(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

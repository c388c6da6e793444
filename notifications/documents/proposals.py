"""The proposals received on a call (Mẫu A1-ĐXNV), forwarded to the Ministry: a công văn with the list
attached as a landscape appendix (DOCX), and one spreadsheet row per proposal (XLSX)."""
from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from models.text import grouped
from notifications.documents import cells, vietnamese
from notifications.documents.data import Addressee, Proposal, ProposalField, ProposalListData
from notifications.documents.decree30 import Decree30Document
from notifications.documents.letters import (
    fill_letter,
    letter_context,
    own_reference,
    reference_text,
    subject_line,
)
from notifications.documents.wording import Wording, load_wording

# The appendix table on landscape A4 (text width 252 mm) and the spreadsheet widths (characters).
# The money columns hold "10.000.000.000" (and their total, in bold) on one line.
DOCX_WIDTHS_MM = (12, 42, 34, 44, 44, 18, 29, 29)
_ALIGNS = ("center", "left", "left", "left", "left", "center", "right", "right")
# A field's column is as wide as its longest value on one line (a sum, a phone number, a name), within
# XLSX_FIELD_WIDTHS: a long text (up to models.limits.FIELD letters) wraps in the widest. The sending unit and who
# proposes, repeated on every page across, are kept narrower.
XLSX_NO_WIDTH, XLSX_UNIT_WIDTH, XLSX_PROPOSER_WIDTH = 6, 24, 28
XLSX_FIELD_WIDTHS = (10, 36)
# A field's column is also wide enough for its label (bold, in the title row) on this many lines: a column sized to
# "24" alone wrapped "Thời gian thực hiện (tháng)" into four, and the title row is as tall as its tallest label on
# every page across.
XLSX_LABEL_LINES = 3


@dataclass(frozen=True)
class _Column:
    """A column of the appendix: the form field it shows, found by key first, else by label words."""

    wording_key: str
    field_keys: tuple[str, ...]
    label_words: tuple[str, ...]


_COLUMNS = (
    _Column("column_task", ("task_name",), ("tên nhiệm vụ",)),
    _Column("column_objectives", ("objectives",), ("mục tiêu",)),
    _Column("column_results", ("expected_results",), ("kết quả",)),
    _Column("column_duration", ("duration_months", "duration"), ("thời gian",)),
    _Column("column_budget", ("budget_state",), ("ngân sách nhà nước", "nsnn")),
    # Mẫu A1-ĐXNV's budget from other sources: the organisation's counterpart funds ("Kinh phí đối ứng").
    _Column("column_budget_other", ("budget_other",), ("đối ứng", "nguồn khác", "huy động")),
)


def render_proposal_list_docx(data: ProposalListData, *, wording_dir: Path | None = None) -> bytes:
    """The công văn to the Ministry (portrait), then "DANH MỤC ĐỀ XUẤT NHIỆM VỤ" (landscape appendix)."""
    wording = load_wording("proposal_list", wording_dir)
    context = _context(data)
    document = Decree30Document(title=subject_line(data.head), author=data.issuer.display_name)
    fill_letter(document, data.issuer, data.head, wording, context, [Addressee(data.ministry)], data.cc,
                data.signer)
    document.new_section(landscape=True)
    document.appendix_heading(
        wording.text("appendix_title", context),
        [wording.text("appendix_subtitle", context)],
        wording.text("appendix_note", context) or None,
    )
    if not _is_task_form(data.proposals):
        _form_fields_table(document, data, wording, context)
        return document.to_bytes()
    task, objectives, results, duration, *money = _COLUMNS
    header = [wording.text(key, context) for key in (
        "column_no", task.wording_key, "column_unit", objectives.wording_key, results.wording_key,
        duration.wording_key, *(column.wording_key for column in money))]
    table = document.grid(DOCX_WIDTHS_MM, header)
    for number, proposal in enumerate(data.proposals, start=1):
        document.grid_row(table, [
            str(number),
            _value(_field(proposal, task)),
            _proposer(proposal, data.proposer_key, wording, context),
            _value(_field(proposal, objectives)),
            _value(_field(proposal, results)),
            _duration(_field(proposal, duration), wording, context),
            *(_money_text(_value(_field(proposal, column))) for column in money),
        ], _ALIGNS)
    total: list[Sequence[tuple[str, bool, bool]] | str] = ["", [(wording.text("total", context), True, False)]]
    total += ["", "", "", ""]
    total += [[(_total_text([_value(_field(p, column)) for p in data.proposals], wording, context), True, False)]
              for column in money]
    document.grid_row(table, total, _ALIGNS)
    return document.to_bytes()


def _total_text(amounts: Sequence[str], wording: Wording, context: dict[str, Any]) -> str:
    """The sum of a money column, grouped ("4.750.000.000"); an amount not written as a whole number of đồng
    ("2,5 tỷ đồng") cannot be added, and the total says it leaves it out."""
    given = [amount for amount in amounts if amount]
    numbers = [number for amount in given if (number := parse_money(amount)) is not None]
    left_out = [amount for amount in given if parse_money(amount) is None]
    total = grouped(sum(numbers))
    if left_out:
        return f"{total} {wording.text('total_excludes', {**context, 'amounts': left_out})}"
    return total


def _is_task_form(proposals: Sequence[Proposal]) -> bool:
    """Whether the forms are Mẫu A1-ĐXNV's, which name a task (its columns are the appendix's); a kind's own form
    (an appraisal's opinion) has none of them."""
    return not proposals or any(_field(p, _COLUMNS[0]) is not None for p in proposals)


def _form_fields_table(document: Decree30Document, data: ProposalListData, wording: Wording,
                       context: dict[str, Any]) -> None:
    """The appendix of a kind's own form: STT, who sent it, then every field of the form under its label, sharing
    the page's width, as the XLSX has them; never the task columns a call's form fills."""
    proposer = next((label_key(item.label) for p in data.proposals for item in p.fields
                     if data.proposer_key is not None and item.key == data.proposer_key), None)
    labels = [label for label in form_labels(data.proposals) if label_key(label) != proposer]
    number_mm, unit_mm = DOCX_WIDTHS_MM[0], DOCX_WIDTHS_MM[2]
    share = (sum(DOCX_WIDTHS_MM) - number_mm - unit_mm) / max(len(labels), 1)
    header = [wording.text("column_no", context), wording.text("column_unit", context), *labels]
    table = document.grid((number_mm, unit_mm, *([share] * len(labels))), header)
    for number, proposal in enumerate(data.proposals, start=1):
        by_label = _by_label(proposal)
        document.grid_row(table, [
            str(number), _proposer(proposal, data.proposer_key, wording, context),
            *(_field_text(by_label.get(label_key(label)), wording, context) for label in labels),
        ], ("center", "left", *(["left"] * len(labels))))


def _field_text(item: ProposalField | None, wording: Wording, context: dict[str, Any]) -> str:
    """A filled field as the appendix prints it: an amount grouped, a month count "24 tháng", text as typed."""
    if item is not None and _is_money(item):
        return _money_text(_value(item))
    return _duration(item, wording, context)


def render_proposal_list_xlsx(data: ProposalListData, *, wording_dir: Path | None = None) -> bytes:
    """One row per proposal: STT, the unit that sent it, who proposes (the form's `proposer_key` field, when it has
    one), then the other fields of the form, one column each (labels as headers); the first three columns are
    printed on every page.

    Money and month counts become numbers when they read as whole numbers; every text stays text.
    """
    wording = load_wording("proposal_list", wording_dir)
    context = _context(data)
    labels = form_labels(data.proposals)
    proposer = next((_line(item.label) for p in data.proposals for item in p.fields
                     if data.proposer_key is not None and item.key == data.proposer_key), None)
    if proposer is not None:
        labels = [proposer, *(label for label in labels if label_key(label) != label_key(proposer))]
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = _sheet_title(wording.text("sheet_name", context))
    header = [wording.text("column_no", context), wording.text("column_sender", context), *labels]
    for column, text in enumerate(header, start=1):
        cells.put(_cell(sheet, 1, column), text, bold=True, horizontal="center")
    sheet.column_dimensions["A"].width = XLSX_NO_WIDTH
    sheet.column_dimensions["B"].width = XLSX_UNIT_WIDTH
    low, high = XLSX_FIELD_WIDTHS
    for column, label in enumerate(labels, start=3):
        items = [p_item for p in data.proposals if (p_item := _by_label(p).get(label_key(label))) is not None]
        shown = [_shown(item) for item in items]
        widest = XLSX_PROPOSER_WIDTH if column == 3 and proposer is not None else high
        fitting = max(cells.one_line_width(shown, minimum=low),
                      cells.width_for_lines(label, XLSX_LABEL_LINES, bold=True))
        sheet.column_dimensions[_cell(sheet, 1, column).column_letter].width = min(widest, fitting)
    row = 2
    for number, proposal in enumerate(data.proposals, start=1):
        by_label = _by_label(proposal)
        fields: list[ProposalField | None] = [None, None, *(by_label.get(label_key(label)) for label in labels)]
        values: list[cells.CellValue] = [number, _line(proposal.unit),
                                         *(_cell_value(item) if item is not None else "" for item in fields[2:])]
        continued = (number, wording.text("continued", {**context, "sender": _line(proposal.unit)}))
        row += _proposal_rows(sheet, row, values, fields, continued)
    sheet.freeze_panes = "D2" if proposer is not None else "C2"
    sheet.auto_filter.ref = sheet.dimensions
    cells.print_setup(sheet, title_rows=(1, 1), title_columns="A:C" if proposer is not None else "A:B", header="&A")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _proposal_rows(sheet: Worksheet, row: int, values: list[cells.CellValue], items: list[ProposalField | None],
                   continued: tuple[cells.CellValue, ...]) -> int:
    """Write one proposal from `row`, a value per column; returns the rows it took.

    A proposal with a text longer than one row holds (cells.fits_one_row) takes several rows: each of its texts is cut
    into pieces of about a third of a page (cells.text_pieces), one per row, each column framed as one cell down the
    rows. The first columns, printed on every page, say in each row after the first whose rows they are
    (`continued`: "1", "Sở Y tế (tiếp theo)"): a page that starts inside a long proposal names it, where one cell
    merged down the rows named it only on the page it began on and left blank paper beside the text on the others.
    """
    widths = [cells.column_width(sheet, column) for column in range(1, len(values) + 1)]
    several = any(isinstance(value, str) and value and not cells.fits_one_row(value, width)
                  for value, width in zip(values, widths, strict=True))
    # taking several rows, every text goes in rows as tall as its pieces, none in one tall row
    pieces: list[Sequence[cells.CellValue]] = [
        cells.text_pieces(value, width) if several and isinstance(value, str) and value and column > len(continued)
        else [value] for column, (value, width) in enumerate(zip(values, widths, strict=True), start=1)]
    taken = max(len(parts) for parts in pieces)
    for column, (parts, item) in enumerate(zip(pieces, items, strict=True), start=1):
        for offset in range(taken):
            naming = offset > 0 and column <= len(continued)
            part = continued[column - 1] if naming else parts[offset] if offset < len(parts) else None
            cell = _cell(sheet, row + offset, column)
            cells.put(cell, part, italic=naming and isinstance(part, str),
                      horizontal="center" if column == 1 else "right" if isinstance(part, int) else "left")
            if item is not None and isinstance(part, int) and _is_money(item):
                cell.number_format = cells.VIETNAMESE_THOUSANDS
            if taken > 1 and column > len(continued):
                cell.border = cells.continued_border(offset == 0, offset == taken - 1)
    return taken


def form_labels(proposals: Sequence[Proposal]) -> list[str]:
    """The labels of the form in the order they first appear (proposals may leave optional ones out)."""
    labels: list[str] = []
    seen: set[str] = set()
    for proposal in proposals:
        for item in proposal.fields:
            label = _line(item.label)
            if label_key(label) not in seen:
                seen.add(label_key(label))
                labels.append(label)
    return labels


def parse_money(text: str) -> int | None:
    """"1.500.000.000", "1,500,000,000 đồng", "2500000 VNĐ" -> a whole number of đồng; else None."""
    value = unicodedata.normalize("NFC", text).strip().casefold()
    value = re.sub(r"\s*(đồng|vnđ|vnd|đ)\.?$", "", value).replace(" ", "")
    if re.fullmatch(r"\d+", value) or re.fullmatch(r"\d{1,3}(\.\d{3})+", value) or \
            re.fullmatch(r"\d{1,3}(,\d{3})+", value):
        return int(re.sub(r"[.,]", "", value))
    return None


def label_key(label: str) -> str:
    return " ".join(unicodedata.normalize("NFC", label).casefold().split())


# -- helpers -------------------------------------------------------------------------------------------


def _context(data: ProposalListData) -> dict[str, Any]:
    units: list[str] = []
    for proposal in data.proposals:
        unit = _line(proposal.unit)
        if unit not in units:
            units.append(unit)
    letter = data.call_letter
    return letter_context(data.issuer, data.head) | own_reference(data.issuer, data.head) | {
        "ministry": _line(data.ministry),
        "ministry_letter": reference_text(data.ministry_letter),
        "call_subject": vietnamese.without_end_mark(_line(data.call_subject)),
        "call_letter": letter.citation() if letter else None,
        "call_letter_number": letter.known_number if letter else None,
        "call_letter_date": letter.sent_on if letter else None,
        "deadline": data.deadline,
        "form": vietnamese.without_end_mark(_line(data.form)),
        "proposals_count": len(data.proposals),
        "units_count": len(units),
        "units": units,
        "declined_units": [_line(unit) for unit in data.declined_units],
        "declined_answer": _line(data.declined_answer),
        "months": "",
    }


def _field(proposal: Proposal, column: _Column) -> ProposalField | None:
    for item in proposal.fields:
        if item.key and item.key in column.field_keys:
            return item
    for item in proposal.fields:
        label = label_key(item.label)
        if any(word in label for word in column.label_words):
            return item
    return None


def _proposer(proposal: Proposal, key: str | None, wording: Wording,
              context: dict[str, Any]) -> list[tuple[str, bool, bool]]:
    """Who proposes, as the form's field `key` says, and the unit that sent the form when it is another ("Công ty
    TNHH Chè Phia Đén (qua Sở Công Thương)", the second part in italics); the unit alone without such a field."""
    sender = _line(proposal.unit)
    named = next((item for item in proposal.fields if key is not None and item.key == key), None)
    proposer = _line(named.value) if named is not None and named.value.strip() else sender
    if label_key(proposer).startswith(label_key(sender)) or label_key(sender).startswith(label_key(proposer)):
        return [(proposer, False, False)]  # the sender itself ("Sở Y tế tỉnh Cao Bằng" sent by "Sở Y tế")
    return [(proposer + " ", False, False), (wording.text("sent_by", {**context, "sender": sender}), False, True)]


def _value(item: ProposalField | None) -> str:
    return vietnamese.nfc(item.value).strip() if item is not None else ""


def _duration(item: ProposalField | None, wording: Wording, context: dict[str, Any]) -> str:
    """"24 tháng" for a month count, the text as typed otherwise."""
    value = _value(item)
    if item is not None and value.isdigit() and _is_months(item):
        return wording.text("duration_months", {**context, "months": value})
    return value


def _money_text(value: str) -> str:
    amount = parse_money(value) if value else None
    return grouped(amount) if amount is not None else value


def _cell_value(item: ProposalField) -> cells.CellValue:
    value = vietnamese.nfc(item.value).strip()
    if _is_money(item):
        amount = parse_money(value)
        if amount is not None:
            return amount
    if _is_months(item) and value.isdigit():
        return int(value)
    return value


def _shown(item: ProposalField) -> str:
    """A field's value as its cell shows it: a sum grouped ("1.200.000.000"), else as typed."""
    value = _cell_value(item)
    return grouped(value) if isinstance(value, int) and _is_money(item) else str(value)


def _is_money(item: ProposalField) -> bool:
    if item.kind is not None:
        return item.kind == "money"
    return "kinh phí" in label_key(item.label) or (item.key or "").startswith("budget")


def _is_months(item: ProposalField) -> bool:
    if item.kind is not None:
        return item.kind == "months"
    return "tháng" in label_key(item.label) and "thời gian" in label_key(item.label)


def _by_label(proposal: Proposal) -> dict[str, ProposalField]:
    found: dict[str, ProposalField] = {}
    for item in proposal.fields:
        found.setdefault(label_key(item.label), item)
    return found


def _cell(sheet: Worksheet, row: int, column: int) -> Cell:
    cell = sheet.cell(row, column)
    assert isinstance(cell, Cell)  # never inside a merged range: a proposal's rows are merged once written
    return cell


def _line(text: str) -> str:
    return " ".join(vietnamese.nfc(text).split())


def _sheet_title(text: str) -> str:
    return cells.sheet_title(text, "Danh mục")

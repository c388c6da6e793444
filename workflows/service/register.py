"""The register of outgoing documents (sổ văn bản đi): numbers taken from it or entered by the văn thư for a
round's documents, cancelled with a reason, listed by year and exported as Decree 30's "Sổ đăng ký văn bản đi".

Which documents get a number is data: the kind's `documents:` entries with `numbered: true`. Their type (the
"TTr" of "05/TTr-SKHCN") is the `number_type` of the document's wording file, where it has one; a document
without a type is a công văn ("05/SKHCN-TĐC"). Every take, entry and cancellation is audited in the round's
hash chain, under the round's lock.
"""
from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from models import limits
from models.db.tables import RoundRow
from models.errors import DomainError, InvalidInput
from models.register import (
    DEFAULT_REGISTER,
    REASON,
    RECIPIENTS,
    REGISTER_TITLES,
    SIGNER,
    SOURCE_LABELS,
    SUMMARY,
    RegisterEntry,
    Source,
    check_date_order,
    check_issue_date,
    check_not_before,
    check_year,
    full_number,
    parse_number,
    symbol,
)
from models.staff import Role, StaffUser
from models.text import stored_text
from workflows.definition import Workflow
from workflows.definition.schema import DocumentDef
from workflows.service.app import App
from workflows.service.registry import get_workflow

ACTIONS = {"number_taken": "Lấy số văn bản đi", "number_entered": "Nhập số văn bản đi",
           "number_cancelled": "Hủy số văn bản đi"}
EXPORT_COLUMNS = (
    ("Số, ký hiệu văn bản", 18), ("Ngày tháng văn bản", 13), ("Tên loại và trích yếu nội dung", 52),
    ("Người ký", 22), ("Nơi nhận văn bản", 30), ("Đơn vị, người nhận bản lưu", 18), ("Số lượng bản", 9),
    ("Ghi chú", 28),
)


class RegisterForbidden(DomainError):
    """The person may read the register but not number this round's documents (a leader, another office)."""

    code = "forbidden"


@dataclass(frozen=True)
class NumberedDocument:
    """A document of a round that leaves the Sở with a number, with the ký hiệu it takes."""

    round_id: int
    round_title: str
    office: str
    key: str
    title: str
    document_type: str  # "" for a công văn
    symbol: str
    offered_now: bool  # the kind offers it in the round's state: a number can be taken for it now


@dataclass(frozen=True)
class EntryTexts:
    """What the văn thư may give an entry beyond its number: None takes the round's (trích yếu: the round's title,
    after the document's name in the register; signer: the round's; recipients: the document's Kính gửi when the
    number is taken, see addressed_text)."""

    summary: str | None = None
    signer: str | None = None
    recipients: str | None = None


@dataclass(frozen=True)
class RegisterYear:
    """One year of the register, newest number first, with the years that have entries."""

    register: str
    title: str
    year: int
    entries: list[RegisterEntry]
    years: list[int]


def today(app: App) -> date:
    return app.clock.now().astimezone(app.tz).date()


def numbered_documents(workflow: Workflow) -> dict[str, DocumentDef]:
    """The documents of a kind that get a number from the register, in definition order."""
    return {key: document for key, document in workflow.documents.items() if document.numbered}


def _document(workflow: Workflow, key: str) -> DocumentDef:
    numbered = numbered_documents(workflow)
    if key not in numbered:
        known = ", ".join(numbered) or "không có văn bản nào"
        raise InvalidInput(f"document_key: \"{key}\" không phải văn bản được cấp số của quy trình "
                           f"\"{workflow.title}\" (có: {known}).", "document_unknown")
    return numbered[key]


def document_type(app: App, workflow: Workflow, key: str, office: str, subject: str) -> str:
    """The type of a numbered document ("TTr", "BC"); "" for a công văn."""
    from workflows.service import documents

    _document(workflow, key)
    return documents.number_type(app, workflow, key, office, subject)


def _numbered(app: App, round_id: int, key: str) -> NumberedDocument:
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        workflow_name, office, title, subject, status = row.workflow, row.office, row.title, row.subject, row.status
    workflow = get_workflow(workflow_name)
    document = _document(workflow, key)
    kind = document_type(app, workflow, key, office, subject)
    return NumberedDocument(round_id, title, office, key, document.title, kind,
                            symbol(app.settings.issuer_code, office, kind), key in workflow.documents_in(status))


def addressed_text(app: App, round_id: int, key: str) -> str:
    """The register's "Nơi nhận văn bản" of a round's document: whom its Kính gửi addresses, a group by its label
    ("Các sở, ban, ngành tỉnh; Ủy ban nhân dân các xã, phường"), cut to the column's size; "" when unknown."""
    from workflows.service import documents

    text = "; ".join(documents.addressed_to(app, round_id, key))
    return text if len(text) <= RECIPIENTS else text[:RECIPIENTS - 1].rstrip("; ") + "…"


def _texts(given: EntryTexts, document: NumberedDocument, signer: str, addressed: str) -> tuple[str, str, str]:
    summary = stored_text(given.summary) if given.summary is not None else ""
    summary = summary or document.round_title
    signer_name = (stored_text(given.signer) if given.signer is not None else "") or signer
    recipients = (stored_text(given.recipients) if given.recipients is not None else "") or addressed
    limits.check_text("summary", summary, SUMMARY)
    limits.check_text("signer", signer_name, SIGNER)
    limits.check_text("recipients", recipients, RECIPIENTS)
    return summary, signer_name, recipients


def _allowed(user: StaffUser | None, office: str) -> None:
    """None is the command line, run by whoever administers the install (as every other `ykien` command)."""
    if user is not None and not user.can_change_round(office):
        raise RegisterForbidden(f"Chỉ cán bộ phòng {office} và quản trị được cấp, nhập hoặc hủy số văn bản của "
                                "phòng này; lãnh đạo xem sổ.")


def _audit(entry: RegisterEntry) -> dict[str, object]:
    return {"register": entry.register, "year": entry.year, "number": entry.full_number,
            "document": entry.document_key, "issued_on": entry.issued_on.isoformat(), "entry": entry.id,
            "source": entry.source.value}


def _round_start(row: RoundRow, document: NumberedDocument, app: App) -> tuple[date, str]:
    """The earliest date a round's document may carry: the day the round was launched for a document its kind does
    not make while drafting (a reminder, the tờ trình), else the day the round was created (the request letter is
    signed before it goes out)."""
    workflow = get_workflow(row.workflow)
    if row.launched_at is not None and document.key not in workflow.documents_in(workflow.initial):
        return row.launched_at.astimezone(app.tz).date(), f"ngày phát hành đợt {row.id}"
    return row.created_at.astimezone(app.tz).date(), f"ngày lập đợt {row.id}"


def _record(app: App, document: NumberedDocument, number_text: str | None, issued_on: date | None,
            texts: EntryTexts, actor: str, user: StaffUser | None, again: bool,
            places: tuple[str, str] = ("number", "date")) -> RegisterEntry:
    """Take (number_text None) or enter a number for one document of a round, in one transaction."""
    now, local_today = app.clock.now(), today(app)
    number_place, date_place = places
    issued_on = check_issue_date(issued_on or local_today, local_today, date_place)
    year = issued_on.year
    number = parse_number(number_text, document.symbol, number_place) if number_text is not None else None
    register = DEFAULT_REGISTER
    # Written once, as the document is addressed when it takes its number: the register records what went out, and a
    # reminder's addressees are the units still awaited on that day.
    addressed = addressed_text(app, document.round_id, document.key) if not stored_text(texts.recipients or "") else ""
    with app.uow() as uow:
        row = uow.rounds.row(document.round_id, lock=True)  # the round's audit chain is appended below
        _allowed(user, row.office)
        if number is None and not document.offered_now:
            workflow = get_workflow(row.workflow)
            raise DomainError(f"Chưa thể lấy số cho \"{document.title}\": quy trình không lập văn bản này khi đợt ở "
                              f"trạng thái \"{workflow.state_title(row.status)}\".", "document_not_offered")
        summary, signer, recipients = _texts(texts, document, row.signer_name, addressed)
        if not again:
            held = [e for e in uow.register.of_round(document.round_id)
                    if e.document_key == document.key and not e.cancelled]
            if held:
                raise DomainError(f"\"{document.title}\" của đợt {document.round_id} đã có số {held[-1].full_number} "
                                  f"ngày {held[-1].issued_on:%d/%m/%Y}. Cần thêm một số nữa (một công văn đôn đốc "
                                  "khác) thì chọn \"Cấp thêm số\" (dòng lệnh: --again); số sai thì hủy số đó trước.",
                                  "already_numbered")
        if number is None:
            number = uow.register.next_number(register, year)
            source, action = Source.ASSIGNED, "number_taken"
        else:
            uow.register.lock_counter(register, year)
            holder = uow.register.holder(register, year, number)
            if holder is not None:
                where = f"đợt {holder.round_id}, " if holder.round_id is not None else ""
                state = ", đã hủy; số đã hủy không dùng lại" if holder.cancelled else ""
                raise DomainError(f"{number_place}: số {full_number(number, holder.symbol)} năm {year} đã có trong sổ "
                                  f"({where}{holder.document_title}{state}).", "number_used")
            source, action = Source.ENTERED, "number_entered"
        check_not_before(issued_on, *_round_start(row, document, app), date_place)
        later_below, earlier_above = uow.register.out_of_order(register, year, number, issued_on)
        # A taken number is not the taker's choice: a higher one entered by hand with an earlier date would
        # otherwise refuse every take of the year; a number typed by the văn thư must fit both neighbours.
        check_date_order(issued_on, later_below, earlier_above if source is Source.ENTERED else None, date_place)
        entry = uow.register.add(
            register=register, year=year, number=number, symbol=document.symbol, office=document.office,
            issued_on=issued_on,
            document_type=document.document_type, document_title=document.title, summary=summary,
            round_id=document.round_id, document_key=document.key, signer=signer, recipients=recipients,
            source=source, at=now, by=actor)
        uow.audit.append(document.round_id, now, actor, [(action, _audit(entry))])
        uow.commit()
    return entry


def take_number(app: App, round_id: int, document_key: str, actor: str, *, issued_on: date | None = None,
                texts: EntryTexts = EntryTexts(), user: StaffUser | None = None, again: bool = False,
                places: tuple[str, str] = ("number", "date")) -> RegisterEntry:
    """Give the next number of the year (the year of `issued_on`, today by default) to a document the round's
    kind offers in its state. Numbers entered by hand are skipped; two takers never get the same number. A date
    before the round, or out of order with the year's other numbers, is refused and nothing is taken."""
    document = _numbered(app, round_id, document_key)
    return _record(app, document, None, issued_on, texts, actor, user, again, places)


def enter_number(app: App, round_id: int, document_key: str, number: str, issued_on: date, actor: str, *,
                 texts: EntryTexts = EntryTexts(), user: StaffUser | None = None, again: bool = False,
                 places: tuple[str, str] = ("number", "date")) -> RegisterEntry:
    """Record the number the văn thư gave elsewhere (the e-office system): "123/SKHCN-TĐC", whose ký hiệu must be
    the document's. A number the year's register already holds, even cancelled, is refused. `places` name the
    number and the date in messages (the command line's --number, --date)."""
    document = _numbered(app, round_id, document_key)
    return _record(app, document, number, issued_on, texts, actor, user, again, places)


def cancel_entry(app: App, entry_id: int, reason: str, actor: str, *, user: StaffUser | None = None) -> RegisterEntry:
    """Cancel an entry (the document did not leave): the reason is kept and the number stays used."""
    reason = stored_text(reason)
    if not reason:
        raise InvalidInput("reason: cần ghi lý do hủy số.", "reason_missing")
    limits.check_text("reason", reason, REASON)
    now = app.clock.now()
    with app.uow() as uow:
        found = uow.register.get(entry_id)
        if found.round_id is not None:
            _allowed(user, uow.rounds.row(found.round_id, lock=True).office)
        elif user is not None and user.role is not Role.ADMIN:
            raise RegisterForbidden("Chỉ quản trị được hủy số văn bản không thuộc đợt nào.")
        entry = uow.register.get(entry_id, lock=True)
        if entry.cancelled:
            raise DomainError(f"Số {entry.full_number} đã hủy ngày {entry.cancelled_at:%d/%m/%Y}.", "already_cancelled")
        entry = uow.register.cancel(entry_id, now, actor, reason)
        uow.audit.append(entry.round_id, now, actor, [("number_cancelled", {**_audit(entry), "reason": reason})])
        uow.commit()
    return entry


def register_year(app: App, year: int | None = None) -> RegisterYear:
    """The entries of a year (this year by default), newest number first."""
    year = check_year(year, "year") if year is not None else today(app).year
    with app.uow(read_only=True) as uow:
        entries = uow.register.of_year(DEFAULT_REGISTER, year)
        years = uow.register.years(DEFAULT_REGISTER)
    return RegisterYear(DEFAULT_REGISTER, REGISTER_TITLES[DEFAULT_REGISTER], year, entries,
                        sorted(set(years) | {year, today(app).year}, reverse=True))


def get_entry(app: App, entry_id: int) -> RegisterEntry:
    with app.uow(read_only=True) as uow:
        return uow.register.get(entry_id)


def round_entries(app: App, round_id: int) -> list[RegisterEntry]:
    """Every entry of a round, cancelled ones too, in the order they were made."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        return uow.register.of_round(round_id)


def round_numbers(app: App, round_id: int) -> dict[str, RegisterEntry]:
    """The number each document of a round carries (document key -> its latest entry not cancelled), for the
    documents and emails that print it."""
    return {entry.document_key: entry for entry in round_entries(app, round_id)
            if entry.document_key is not None and not entry.cancelled}


def numbering_choices(app: App, user: StaffUser | None = None) -> list[NumberedDocument]:
    """The numbered documents of every round the person may number, newest round first: the form's choices."""
    with app.uow(read_only=True) as uow:
        rows = [(r.id, r.title, r.office, r.workflow, r.status, r.subject) for r in uow.rounds.list()]
    choices = []
    for round_id, title, office, workflow_name, status, subject in sorted(rows, reverse=True):
        if user is not None and not user.can_change_round(office):
            continue
        try:
            workflow = get_workflow(workflow_name)
        except DomainError:
            continue  # a kind whose file has problems: its rounds are numbered once it is mended
        offered = workflow.documents_in(status)
        for key, document in numbered_documents(workflow).items():
            try:
                kind = document_type(app, workflow, key, office, subject)
            except DomainError:
                continue
            choices.append(NumberedDocument(round_id, title, office, key, document.title, kind,
                                            symbol(app.settings.issuer_code, office, kind), key in offered))
    return choices


# --- the XLSX export ------------------------------------------------------------------------------------------

def _remark(entry: RegisterEntry, app: App) -> str:
    notes = []
    if entry.cancelled and entry.cancelled_at is not None:
        notes.append(f"Đã hủy ngày {entry.cancelled_at.astimezone(app.tz):%d/%m/%Y}: {entry.cancel_reason}")
    notes.append(f"Số do {SOURCE_LABELS[entry.source]}")
    if entry.round_id is not None:
        notes.append(f"Đợt {entry.round_id}")
    return "; ".join(notes)


@dataclass(frozen=True)
class RegisterExport:
    filename: str  # so-van-ban-di-2026.xlsx
    content: bytes
    year: int
    entries: int


def export_xlsx(app: App, year: int | None = None) -> RegisterExport:
    """The year's register as Decree 30's "Sổ đăng ký văn bản đi" (oldest number first, as the book is kept)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    from notifications.documents import cells

    found = register_year(app, year)
    book = Workbook()
    sheet = cells.first_sheet(book)
    sheet.title = cells.sheet_title(f"Văn bản đi {found.year}", "Văn bản đi")
    width = len(EXPORT_COLUMNS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    cells.put(cells.at(sheet, 1, 1), app.settings.issuer_name.upper(), bold=True, size=12, horizontal="center",
              border=False)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    cells.put(cells.at(sheet, 2, 1), f"SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM {found.year}", bold=True, size=14,
              horizontal="center", border=False)
    sheet.row_dimensions[2].height = 24
    header = 4
    for column, (title, column_width) in enumerate(EXPORT_COLUMNS, start=1):
        cells.put(cells.at(sheet, header, column), title, bold=True, horizontal="center")
        cells.put(cells.at(sheet, header + 1, column), column, italic=True, size=10, horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    sheet.row_dimensions[header].height = 32
    for index, entry in enumerate(sorted(found.entries, key=lambda e: e.number), start=header + 2):
        values: list[cells.CellValue] = [
            entry.full_number, entry.issued_on, entry.name_and_summary, entry.signer, entry.recipients,
            f"VT, {entry.office}", None, _remark(entry, app)]
        for column, value in enumerate(values, start=1):
            cells.put(cells.at(sheet, index, column), value, size=11,
                      horizontal="center" if column in (1, 2, 7) else "left")
        lines = max(len(str(v or "")) // max(EXPORT_COLUMNS[c][1] - 2, 1) + 1 for c, v in enumerate(values))
        sheet.row_dimensions[index].height = cells.row_height(15.0 * lines)
    sheet.freeze_panes = cells.at(sheet, header + 2, 1)
    sheet.print_title_rows = f"{header}:{header + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = PageMargins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    output = io.BytesIO()
    book.save(output)
    return RegisterExport(f"so-van-ban-di-{found.year}.xlsx", output.getvalue(), found.year, len(found.entries))


def action_labels() -> Mapping[str, str]:
    """The register's audit actions in Vietnamese, for pages that show a round's audit trail."""
    return ACTIONS

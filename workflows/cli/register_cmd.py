"""`ykien register ...`: the register of outgoing documents (sổ văn bản đi): take or enter a number for a round's
document, cancel one, list a year, export the year as XLSX."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table
from rich.text import Text

from config.os_words import os_reason
from workflows.cli.common import (
    ACTOR_OPTION,
    DOCUMENT_KEY_ARGUMENT,
    JSON_OPTION,
    ROUND_ARGUMENT,
    actor_name,
    console,
    guarded,
    open_app,
    print_json,
)
from workflows.cli.out_files import OVERWRITE_OPTION, OutFiles, out_file

if TYPE_CHECKING:
    from models.register import RegisterEntry
    from workflows.service.app import App
    from workflows.service.register import EntryTexts

app = typer.Typer(no_args_is_help=True)

# The largest id a path or an argument may carry (SQLite's and PostgreSQL's INTEGER).
MAX_ID = 2**31 - 1

YEAR_OPTION = typer.Option(None, "--year", help="Năm của sổ (mặc định: năm nay).")
DATE_HELP = "Ngày văn bản, dd/mm/yyyy (mặc định: hôm nay)."
SUMMARY_OPTION = typer.Option(None, "--summary", help="Trích yếu nội dung (mặc định: tên văn bản và tên đợt).")
SIGNER_OPTION = typer.Option(None, "--signer", help="Người ký (mặc định: người ký của đợt).")
RECIPIENTS_OPTION = typer.Option(None, "--recipients", help="Nơi nhận văn bản (mặc định: nơi văn bản kính gửi).")
AGAIN_OPTION = typer.Option(False, "--again", help="Cấp thêm một số cho văn bản đã có số (công văn đôn đốc lần sau).")


def _id(value: int, name: str) -> int:
    from models.errors import InvalidInput

    if not 1 <= value <= MAX_ID:
        raise InvalidInput(f"{name}: \"{value}\" không phải số thứ tự hợp lệ (từ 1 đến {MAX_ID}).", "bad_number")
    return value


def _date(ykien: App, text: str | None) -> date | None:
    """The --date typed, checked as the register takes it (today or before, in a year a register holds)."""
    from models.register import check_issue_date
    from workflows.service.deadlines import parse_date
    from workflows.service.register import today

    if text is None:
        return None
    return check_issue_date(parse_date(text, "--date"), today(ykien), "--date")


def _texts(summary: str | None, signer: str | None, recipients: str | None) -> EntryTexts:
    from workflows.service.register import EntryTexts

    return EntryTexts(summary, signer, recipients)


def _entry_json(entry: RegisterEntry) -> dict[str, Any]:
    from workflows.cli.common import to_jsonable

    return {**to_jsonable(entry), "full_number": entry.full_number, "type_name": entry.type_name}


def _done(entry: RegisterEntry, verb: str, as_json: bool) -> None:
    if as_json:
        print_json(_entry_json(entry))
        return
    console.print(Text(f"{verb} số {entry.full_number} ngày {entry.issued_on:%d/%m/%Y} cho \"{entry.document_title}\" "
                       f"(đợt {entry.round_id}); dòng {entry.id} của sổ."))


@app.command("take")
def take(round_id: int = ROUND_ARGUMENT, document_key: str = DOCUMENT_KEY_ARGUMENT,
         issued_on: str | None = typer.Option(None, "--date", help=DATE_HELP),
         summary: str | None = SUMMARY_OPTION, signer: str | None = SIGNER_OPTION,
         recipients: str | None = RECIPIENTS_OPTION, again: bool = AGAIN_OPTION,
         actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Lấy số tiếp theo của sổ cho một văn bản của đợt (DOCUMENT_KEY: khóa văn bản trong quy trình)."""
    from workflows.service.register import take_number

    with guarded(as_json):
        _id(round_id, "ROUND_ID")
        ykien = open_app()
        entry = take_number(ykien, round_id, document_key, actor_name(actor), issued_on=_date(ykien, issued_on),
                            texts=_texts(summary, signer, recipients), again=again, places=("--number", "--date"))
    _done(entry, "Đã cấp", as_json)


@app.command("enter")
def enter(round_id: int = ROUND_ARGUMENT, document_key: str = DOCUMENT_KEY_ARGUMENT,
          number: str = typer.Option(..., "--number", help="Số, ký hiệu đã cấp, ví dụ \"123/SKHCN-TĐC\"."),
          issued_on: str = typer.Option(..., "--date", help="Ngày văn bản, dd/mm/yyyy."),
          summary: str | None = SUMMARY_OPTION, signer: str | None = SIGNER_OPTION,
          recipients: str | None = RECIPIENTS_OPTION, again: bool = AGAIN_OPTION,
          actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Ghi vào sổ số văn thư đã cấp ở nơi khác (hệ thống quản lý văn bản điện tử)."""
    from workflows.service.register import enter_number

    with guarded(as_json):
        _id(round_id, "ROUND_ID")
        ykien = open_app()
        when = _date(ykien, issued_on)
        assert when is not None
        entry = enter_number(ykien, round_id, document_key, _number(number), when, actor_name(actor),
                             texts=_texts(summary, signer, recipients), again=again, places=("--number", "--date"))
    _done(entry, "Đã ghi", as_json)


def _number(text: str) -> str:
    """The --number as typed; an empty one is named here, the rest by the register's rules."""
    from models.errors import InvalidInput

    if not text.strip():
        raise InvalidInput("--number: chưa ghi số văn bản, ví dụ \"123/SKHCN-TĐC\".", "bad_number")
    return text


@app.command("cancel")
def cancel(entry_id: int = typer.Argument(..., help="Số dòng trong sổ (xem `ykien register list`)."),
           reason: str = typer.Option(..., "--reason", help="Lý do hủy (bắt buộc)."),
           actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Hủy một số trong sổ (ENTRY_ID: số dòng của sổ, xem `ykien register list`); số đã hủy không cấp lại."""
    from models.errors import InvalidInput
    from workflows.service.register import cancel_entry

    with guarded(as_json):
        _id(entry_id, "ENTRY_ID")
        if not reason.strip():
            raise InvalidInput("--reason: cần ghi lý do hủy số.", "reason_missing")
        entry = cancel_entry(open_app(), entry_id, reason, actor_name(actor))
    if as_json:
        print_json(_entry_json(entry))
    else:
        console.print(Text(f"Đã hủy số {entry.full_number} (lý do: {entry.cancel_reason}); số này không cấp lại."))


def _year(value: int | None) -> int | None:
    from models.register import check_year

    return check_year(value, "--year") if value is not None else None


@app.command("list")
def list_cmd(year: int | None = YEAR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Sổ văn bản đi của một năm, số mới nhất trước; số đã hủy ghi lý do."""
    from models.register import SOURCE_LABELS
    from workflows.service.register import register_year

    with guarded(as_json):
        found = register_year(open_app(), _year(year))
    if as_json:
        print_json({"register": found.register, "year": found.year, "entries": [_entry_json(e) for e in found.entries]})
        return
    table = Table(title=f"{found.title} năm {found.year}: {len(found.entries)} số", title_justify="left")
    for column in ("Dòng", "Số, ký hiệu", "Ngày", "Văn bản", "Đợt", "Người ký", "Nguồn", "Ghi chú"):
        table.add_column(column)
    for entry in found.entries:
        style = "strike dim" if entry.cancelled else ""
        note = f"Đã hủy: {entry.cancel_reason}" if entry.cancelled else ""
        table.add_row(*(Text(str(value), style=style) for value in (
            entry.id, entry.full_number, f"{entry.issued_on:%d/%m/%Y}", entry.name_and_summary,
            entry.round_id or "", entry.signer, SOURCE_LABELS[entry.source])), Text(note))
    console.print(table)


@app.command("export")
def export(year: int | None = YEAR_OPTION,
           out: Path = typer.Option(..., "--out", help="Tệp XLSX (hoặc thư mục) để ghi sổ; tệp đã có không bị ghi "
                                                       "đè, trừ khi có --overwrite."),
           overwrite: bool = OVERWRITE_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Xuất sổ của một năm thành tệp XLSX theo mẫu "Sổ đăng ký văn bản đi" (Nghị định 30/2020/NĐ-CP)."""
    from models.errors import InvalidInput
    from workflows.service.register import export_xlsx

    with guarded(as_json):
        checked = _year(year)
        try:
            folder = out.is_dir()
        except OSError as error:  # a name too long for the file system, say
            raise InvalidInput(f"--out: không dùng được \"{out}\" ({os_reason(error)}).", "bad_out") from None
        if not folder and out.suffix.lower() != ".xlsx":
            raise InvalidInput(f"--out: \"{out}\" phải là tệp .xlsx hoặc một thư mục.", "bad_out")
        if not folder:
            out_file(out, "--out")
        exported = export_xlsx(open_app(), checked)
        target = out / exported.filename if folder else out
        OutFiles("--out", overwrite, names_folder=folder).write_all([(target, exported.content)])
    if as_json:
        print_json({"path": str(target), "year": exported.year, "entries": exported.entries})
    else:
        console.print(Text(f"Đã xuất {exported.entries} số của năm {exported.year} vào {target}."))

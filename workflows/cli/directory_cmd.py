"""`ykien directory ...`: the units a round can address."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from workflows.cli.common import ACTOR_OPTION, JSON_OPTION, actor_name, console, guarded, open_app, print_json

app = typer.Typer(no_args_is_help=True)


@app.command("import")
def import_cmd(csv_file: Path, actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Nhập danh bạ từ CSV (code,name,group,email,contact_person,phone). Lỗi một dòng: không nhập gì."""
    from workflows.service.directory import import_units

    with guarded(as_json):
        report = import_units(open_app(), csv_file, actor_name(actor))
    if as_json:
        print_json(report)
    else:
        console.print(f"Đã nhập {report.total} đơn vị: thêm mới {report.added}, cập nhật {report.updated}.")


@app.command("list")
def list_cmd(group: str | None = typer.Option(None, "--group"), as_json: bool = JSON_OPTION) -> None:
    """Danh bạ theo nhóm."""
    with guarded(as_json):
        ykien = open_app()
        with ykien.uow(read_only=True) as uow:
            groups = uow.directory.groups()
            units = uow.directory.units(groups=[group] if group else None)
            rows = [{"code": u.code, "name": u.name, "group": u.group_code, "email": u.email,
                     "contact_person": u.contact_person, "phone": u.phone} for u in units]
    if as_json:
        print_json({"groups": groups, "units": rows})
        return
    table = Table(title="Danh bạ cơ quan, đơn vị")
    for column in ("Mã", "Tên", "Nhóm", "Email", "Người liên hệ", "Điện thoại"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["code"], r["name"], groups.get(r["group"], r["group"]), r["email"],
                      r["contact_person"] or "", r["phone"] or "")
    console.print(table)

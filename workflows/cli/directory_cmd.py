"""`ykien directory ...`: the units a round can address."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.table import Table

from workflows.cli.common import (
    ACTOR_OPTION,
    JSON_OPTION,
    actor_name,
    console,
    guarded,
    open_app,
    plain,
    print_json,
    say,
)

app = typer.Typer(no_args_is_help=True)
groups_app = typer.Typer(help="Nhóm đơn vị: xem, thêm, đổi nhãn.")
app.add_typer(groups_app, name="groups")

CREATE_GROUPS_OPTION = typer.Option(False, "--create-groups",
                                    help="Tạo các nhóm chưa có mà tệp nêu (nhãn = mã, đổi nhãn sau).")


@app.command("import")
def import_cmd(csv_file: Path = typer.Argument(..., help="Tệp CSV (UTF-8) có dòng tiêu đề code,name,group,email,"
                                                         "contact_person,phone."),
               create_groups: bool = CREATE_GROUPS_OPTION, actor: str | None = ACTOR_OPTION,
               as_json: bool = JSON_OPTION) -> None:
    """Nhập danh bạ từ CSV (code,name,group,email,contact_person,phone). Lỗi một dòng: không nhập gì."""
    from workflows.cli.text_files import check_input_file, upload_limit
    from workflows.service.directory import import_units

    with guarded(as_json):
        ykien = open_app()
        # the web's import takes a file of YKIEN_MAX_UPLOAD_MB at most: /dev/zero ran out of memory, a FIFO hung
        check_input_file(csv_file, "CSV_FILE", "file_unreadable", *upload_limit(ykien.settings.max_upload_mb))
        report = import_units(ykien, csv_file, actor_name(actor), create_groups)
    if as_json:
        result: dict[str, object] = {"added": report.added, "updated": report.updated, "total": report.total}
        if create_groups:
            result["groups_created"] = list(report.groups_created)
        print_json(result)
        return
    say(f"Đã nhập {report.total} đơn vị: thêm mới {report.added}, cập nhật {report.updated}.")
    if report.groups_created:
        say(f"Đã tạo {len(report.groups_created)} nhóm mới: {', '.join(report.groups_created)} "
            "(đổi nhãn bằng `ykien directory groups rename`).")


@groups_app.callback(invoke_without_command=True)
def groups_cmd(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Các nhóm đơn vị (mã, nhãn, số đơn vị)."""
    if ctx.invoked_subcommand is not None:
        return
    from workflows.service.directory_edit import list_groups

    with guarded(as_json):
        groups = list_groups(open_app())
    if as_json:
        print_json(groups)
        return
    table = Table(title="Nhóm đơn vị")
    for column in ("Mã", "Nhãn", "Số đơn vị"):
        table.add_column(column)
    for g in groups:
        table.add_row(*plain(g.code, g.label, g.units))
    console.print(table)


@contextmanager
def _group_arguments_named() -> Iterator[None]:
    """The service's refusals of a group (said as the web form says them, beside its field) prefixed by the argument
    they are about: CODE or LABEL."""
    from models.errors import InvalidInput

    try:
        yield
    except InvalidInput as problem:
        if problem.code in ("invalid_group_code", "group_unknown"):
            argument = "CODE"
        elif problem.code == "invalid_group_label":
            argument = "LABEL"
        elif problem.code == "group_exists":  # the code or the label is another group's
            argument = "LABEL" if problem.message.startswith("Nhãn") else "CODE"
        else:
            raise
        raise InvalidInput(f"{argument}: {problem.message}", problem.code) from None


@groups_app.command("add")
def group_add_cmd(code: str = typer.Argument(..., help="Mã nhóm mới, ví dụ so-ban-nganh."),
                  label: str = typer.Argument(..., help="Nhãn tiếng Việt của nhóm, ví dụ \"Các sở, ban, ngành\"."),
                  actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Thêm nhóm: mã (a-z, 0-9, - _ .) và nhãn tiếng Việt."""
    from workflows.service.directory_edit import add_group

    with guarded(as_json), _group_arguments_named():
        group = add_group(open_app(), code, label, actor_name(actor))
    if as_json:
        print_json(group)
    else:
        say(f"Đã thêm nhóm {group.code}: {group.label}.")


@groups_app.command("rename")
def group_rename_cmd(code: str = typer.Argument(..., help="Mã nhóm (không đổi)."),
                     label: str = typer.Argument(..., help="Nhãn tiếng Việt mới của nhóm."),
                     actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Đổi nhãn một nhóm (mã giữ nguyên)."""
    from workflows.service.directory_edit import rename_group

    with guarded(as_json), _group_arguments_named():
        group = rename_group(open_app(), code, label, actor_name(actor))
    if as_json:
        print_json(group)
    else:
        say(f"Nhóm {group.code} nay là: {group.label}.")


@app.command("list")
def list_cmd(group: str | None = typer.Option(None, "--group", help="Chỉ các đơn vị của nhóm này (mã nhóm, xem "
                                                                  "`ykien directory groups`)."),
             as_json: bool = JSON_OPTION) -> None:
    """Danh bạ theo nhóm."""
    from models.errors import InvalidInput

    with guarded(as_json):
        ykien = open_app()
        with ykien.uow(read_only=True) as uow:
            groups = uow.directory.groups()
            if group and group not in groups:
                raise InvalidInput(f"Không có nhóm \"{group}\" trong danh bạ (có: {', '.join(groups)}).",
                                   "group_unknown")
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
        table.add_row(*plain(r["code"], r["name"], groups.get(r["group"], r["group"]), r["email"],
                             r["contact_person"] or "", r["phone"] or ""))
    console.print(table)

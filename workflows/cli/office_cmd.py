"""`ykien office ...`: the Sở's offices (phòng) that rounds and accounts belong to; each change audited."""
from __future__ import annotations

import typer

from workflows.cli.common import ACTOR_OPTION, JSON_OPTION, actor_name, guarded, open_app, print_json, say

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_cmd(as_json: bool = JSON_OPTION) -> None:
    """Danh sách phòng: mã và tên."""
    from workflows.service.offices import offices

    with guarded(as_json):
        found = offices(open_app())
    if as_json:
        print_json([{"code": o.code, "name": o.name} for o in found])
        return
    for office in found:
        say(f"{office.code}\t{office.name}")


@app.command("add")
def add(code: str = typer.Argument(..., help="Mã phòng, ví dụ TĐC."),
        name: str = typer.Option(..., "--name", help="Tên phòng, ví dụ \"Phòng Quản lý Tiêu chuẩn Đo lường Chất "
                                 "lượng\"."),
        actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Thêm phòng. Mã chỉ khác chữ hoa, chữ thường hoặc dấu với một phòng đã có (TDC và TĐC) bị từ chối."""
    from workflows.service.offices import add_office

    with guarded(as_json):
        office = add_office(open_app(writes=True), code, name, actor_name(actor))
    if as_json:
        print_json({"code": office.code, "name": office.name})
    else:
        say(f"Đã thêm phòng {office.code} ({office.name}).")


@app.command("rename")
def rename(code: str = typer.Argument(..., help="Mã phòng hiện tại."),
           new_code: str | None = typer.Argument(None, help="Mã mới (bỏ trống để chỉ đổi tên)."),
           name: str | None = typer.Option(None, "--name", help="Tên mới."),
           merge: bool = typer.Option(False, "--merge", help="Gộp vào phòng NEW_CODE đã có (hai mã của cùng một "
                                      "phòng, ví dụ TDC vào TĐC): các đợt và tài khoản chuyển sang, mã cũ bị bỏ."),
           actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Đổi mã và/hoặc tên phòng; các đợt và tài khoản của phòng đổi theo, trong một giao dịch."""
    from models.errors import InvalidInput
    from workflows.service.offices import rename_office

    with guarded(as_json):
        if new_code is None and name is None:
            raise InvalidInput("Cho mã mới (NEW_CODE), --name, hoặc cả hai.", "nothing_to_change")
        office = rename_office(open_app(writes=True), code, new_code, name, actor_name(actor), merge=merge)
    if as_json:
        print_json({"code": office.code, "name": office.name})
    else:
        say(f"Phòng {office.code}: {office.name}.")

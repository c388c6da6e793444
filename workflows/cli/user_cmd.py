"""`ykien user ...`: staff accounts."""
from __future__ import annotations

import os

import typer

from workflows.cli.common import ACTOR_OPTION, JSON_OPTION, actor_name, console, guarded, open_app, print_json

app = typer.Typer(no_args_is_help=True)


@app.command("add")
def add(username: str, name: str = typer.Option(..., "--name", help="Họ tên hiển thị."),
        role: str = typer.Option("staff", "--role", help="admin | staff | leader"),
        office: str | None = typer.Option(None, "--office", help="Mã phòng (bắt buộc với staff)."),
        password_env: str = typer.Option("YKIEN_NEW_PASSWORD", "--password-env",
                                         help="Biến môi trường chứa mật khẩu (không đưa mật khẩu vào dòng lệnh)."),
        actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Thêm tài khoản cán bộ; mật khẩu lấy từ biến môi trường, hoặc hỏi khi không có."""
    from workflows.service.staff import add_user

    with guarded(as_json):
        password = os.environ.get(password_env) or typer.prompt("Mật khẩu", hide_input=True,
                                                                confirmation_prompt=True)
        user = add_user(open_app(), username, name, role, password, office, actor_name(actor))
    if as_json:
        print_json({"id": user.id, "username": user.username, "role": user.role, "office": user.office})
    else:
        console.print(f"Đã thêm tài khoản {user.username} ({user.role}{', ' + user.office if user.office else ''}).")


@app.command("list")
def list_cmd(as_json: bool = JSON_OPTION) -> None:
    """Danh sách tài khoản."""
    from workflows.service.staff import list_users

    with guarded(as_json):
        users = list_users(open_app())
    if as_json:
        print_json([{"username": u.username, "name": u.display_name, "role": u.role, "office": u.office}
                    for u in users])
    else:
        for u in users:
            console.print(f"{u.username}\t{u.display_name}\t{u.role}\t{u.office or ''}")

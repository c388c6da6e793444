"""`ykien user ...`: staff accounts and their administration, every change audited."""
from __future__ import annotations

import os

import typer

from models.staff import ROLE_LABELS, Role
from workflows.cli.common import (
    ACTOR_OPTION,
    JSON_OPTION,
    USERNAME_ARGUMENT,
    actor_name,
    guarded,
    open_app,
    print_json,
    say,
)

app = typer.Typer(no_args_is_help=True)


def _role_and_office(role: Role, office: str | None) -> str:
    """The role as the web's account pages name it, with the office: "Cán bộ phòng, phòng TĐC"."""
    return f"{ROLE_LABELS[role]}{', phòng ' + office if office else ''}"


def _password_from(variable: str) -> str | None:
    """The password held in an environment variable (so it never reaches the shell history); None if unset."""
    from models.errors import InvalidInput

    if not variable.strip() or "=" in variable or "\x00" in variable:
        raise InvalidInput(f"--password-env: \"{variable}\" không phải tên biến môi trường.", "bad_variable")
    return os.environ.get(variable) or None


def _typed_password(variable: str) -> str:
    """The password typed twice at the terminal, hidden. Without a terminal (a script, a pipe) nobody can type it:
    InvalidInput naming the variable to set instead."""
    import sys

    from models.errors import InvalidInput

    if not sys.stdin.isatty():
        raise InvalidInput(f"--password-env: biến môi trường {variable} chưa có mật khẩu, và lệnh không chạy trong "
                           f"cửa sổ dòng lệnh nên không hỏi được; hãy đặt {variable} rồi chạy lại. Chưa thêm tài "
                           "khoản.", "password_missing")
    first = typer.prompt("Mật khẩu", hide_input=True)
    if typer.prompt("Nhập lại mật khẩu", hide_input=True) != first:
        raise InvalidInput("Hai lần nhập mật khẩu không giống nhau; chưa thêm tài khoản.", "password_mismatch")
    return first


@app.command("add")
def add(username: str = USERNAME_ARGUMENT, name: str = typer.Option(..., "--name", help="Họ tên hiển thị."),
        role: str = typer.Option("staff", "--role", help="admin | staff | leader"),
        office: str | None = typer.Option(None, "--office", help="Mã phòng (bắt buộc với staff)."),
        password_env: str = typer.Option("YKIEN_NEW_PASSWORD", "--password-env",
                                         help="Biến môi trường chứa mật khẩu (không đưa mật khẩu vào dòng lệnh)."),
        actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Thêm tài khoản cán bộ; mật khẩu lấy từ biến môi trường, hoặc hỏi khi không có."""
    from workflows.service.staff import add_user, check_username_free, checked_new_user

    with guarded(as_json):
        # A typo or a taken name is said before anyone types a password twice.
        login = checked_new_user(username, name, role, office)[0]
        ykien = open_app(writes=True)
        check_username_free(ykien, login)
        password = _password_from(password_env) or _typed_password(password_env)
        user = add_user(ykien, username, name, role, password, office, actor_name(actor))
    if as_json:
        print_json({"id": user.id, "username": user.username, "role": user.role, "office": user.office})
    else:
        say(f"Đã thêm tài khoản {user.username}: {_role_and_office(user.role, user.office)}.")


@app.command("list")
def list_cmd(as_json: bool = JSON_OPTION) -> None:
    """Danh sách tài khoản: vai trò, phòng, còn hoạt động hay đã khóa, lần đăng nhập cuối."""
    from workflows.service.accounts import accounts

    with guarded(as_json):
        ykien = open_app()
        found = accounts(ykien)
    if as_json:
        print_json([{"username": a.user.username, "name": a.user.display_name, "role": a.user.role,
                     "office": a.user.office, "active": a.active,
                     "last_login_at": a.last_login_at.isoformat() if a.last_login_at else None} for a in found])
        return
    if not found:
        say("Chưa có tài khoản nào; thêm bằng `ykien user add`.")
    for a in found:
        last = a.last_login_at.astimezone(ykien.tz).strftime("%d/%m/%Y %H:%M") if a.last_login_at else "chưa"
        state = "hoạt động" if a.active else "đã khóa"
        say(f"{a.user.username}\t{a.user.display_name}\t{ROLE_LABELS[a.user.role]}\t{a.user.office or ''}\t{state}"
                      f"\tđăng nhập cuối: {last}")


@app.command("disable")
def disable(username: str = USERNAME_ARGUMENT, actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Khóa tài khoản: không đăng nhập được nữa, mọi phiên đang mở kết thúc ngay."""
    _set_active(username, False, actor, as_json)


@app.command("enable")
def enable(username: str = USERNAME_ARGUMENT, actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Mở khóa tài khoản."""
    _set_active(username, True, actor, as_json)


def _set_active(username: str, active: bool, actor: str | None, as_json: bool) -> None:
    from workflows.service.accounts import set_active

    with guarded(as_json):
        changed = set_active(open_app(), username, active, actor_name(actor))
    if as_json:
        print_json({"username": changed.user.username, "active": changed.active})
    else:
        say(f"Tài khoản {changed.user.username}: {'hoạt động' if changed.active else 'đã khóa'}.")


@app.command("reset-password")
def reset_password_cmd(username: str = USERNAME_ARGUMENT,
                       password_env: str | None = typer.Option(
                           None, "--password-env",
                           help="Biến môi trường chứa mật khẩu mới; không có thì tạo ngẫu nhiên và in ra một lần."),
                       actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Đặt lại mật khẩu; mọi phiên đang mở của tài khoản kết thúc."""
    from models.errors import InvalidInput
    from workflows.service.accounts import reset_password

    with guarded(as_json):
        given = None
        if password_env is not None:
            given = _password_from(password_env)
            if given is None:
                raise InvalidInput(f"--password-env: biến {password_env} chưa được đặt hoặc rỗng.", "password_unset")
        new_password = reset_password(open_app(), username, actor_name(actor), given)
    shown = None if given is not None else new_password
    if as_json:
        print_json({"username": username, "password": shown})
    elif shown is not None:
        say(f"Mật khẩu mới của {username} (chỉ hiện một lần, hãy chuyển cho người dùng):")
        say(shown)
    else:
        say(f"Đã đặt lại mật khẩu của {username} từ biến {password_env}.")


@app.command("set-role")
def set_role_cmd(username: str = USERNAME_ARGUMENT,
                 role: str = typer.Option(..., "--role", help="admin | staff | leader"),
                 office: str | None = typer.Option(None, "--office", help="Mã phòng (bắt buộc với staff)."),
                 actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Đổi vai trò và phòng của tài khoản."""
    from workflows.service.accounts import set_role

    with guarded(as_json):
        changed = set_role(open_app(), username, role, office, actor_name(actor))
    if as_json:
        print_json({"username": changed.user.username, "role": changed.user.role, "office": changed.user.office})
    else:
        say(f"Tài khoản {changed.user.username}: {_role_and_office(changed.user.role, changed.user.office)}.")


@app.command("audit")
def audit_cmd(as_json: bool = JSON_OPTION) -> None:
    """Nhật ký tài khoản: thêm, khóa, mở khóa, đặt lại mật khẩu, đổi vai trò (mới nhất trước)."""
    from models.staff import ACCOUNT_ACTIONS
    from workflows.service.accounts import account_events

    with guarded(as_json):
        ykien = open_app()
        events = account_events(ykien)
    if as_json:
        print_json([{"at": at.isoformat(), "actor": who, "action": action, "details": details}
                    for at, who, action, details in events])
        return
    for at, who, action, details in events:
        say(f"{at.astimezone(ykien.tz).strftime('%d/%m/%Y %H:%M')}\t{who}\t{ACCOUNT_ACTIONS[action]}\t"
                      f"{details.get('username', '')}")


@app.command("digest")
def digest_cmd(username: str = USERNAME_ARGUMENT,
               on: bool = typer.Option(False, "--on", help="Nhận thư tổng hợp hằng ngày (cần --email)."),
               off: bool = typer.Option(False, "--off", help="Thôi nhận thư tổng hợp hằng ngày."),
               email: str | None = typer.Option(None, "--email", help="Địa chỉ nhận thư tổng hợp."),
               actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Thư tổng hợp hằng ngày của cán bộ: bật (--on --email ĐỊA_CHỈ), tắt (--off), hoặc xem (không tùy chọn)."""
    from models.errors import InvalidInput
    from workflows.service.digest import digest_choice, set_digest

    with guarded(as_json):
        if on and off:
            raise InvalidInput("--on, --off: chỉ chọn một trong hai.", "digest_on_and_off")
        if off and email is not None:
            raise InvalidInput("--email: chỉ dùng cùng --on.", "digest_email_without_on")
        if not on and not off and email is not None:
            raise InvalidInput("--email: thêm --on để bật thư tổng hợp với địa chỉ này.", "digest_email_without_on")
        if on and email is None:
            raise InvalidInput("--email: hãy cho địa chỉ nhận thư tổng hợp, ví dụ --email ten@skhcn.caobang.gov.vn.",
                               "digest_email_missing")
        ykien = open_app()
        choice = (set_digest(ykien, username, on, email, actor_name(actor), "--email") if on or off
                  else digest_choice(ykien, username))
    if as_json:
        print_json({"username": choice.username, "digest": choice.on, "email": choice.email})
    elif choice.on:
        say(f"{choice.username}: nhận thư tổng hợp hằng ngày tại {choice.email}.")
    else:
        say(f"{choice.username}: không nhận thư tổng hợp hằng ngày.")

"""`ykien user …` administers accounts (issue 10 item 3): each command run as a user would, on a real home (in a
subprocess for the first test, through the same entry point in this process for the others), with its bad input."""
from __future__ import annotations

from config.settings import load_settings
from workflows.service.app import build_app
from workflows.service.staff import LoginRefused, authenticate

PASSWORD = "mat-khau-ban-dau"


def _logs_in(cli, username: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    app = build_app(load_settings(home=cli.home, database_url=None, now=None, calendar_file=None, smtp_url=None))
    try:
        authenticate(app, username, password, "cli-test")
        return True
    except LoginRefused:
        return False
    finally:
        app.close()


def _with_accounts(cli) -> None:  # type: ignore[no-untyped-def]
    cli("user", "add", "quantri", "--name", "Quản trị", "--role", "admin", YKIEN_NEW_PASSWORD=PASSWORD)
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "TĐC", YKIEN_NEW_PASSWORD=PASSWORD)


def test_disable_and_enable_an_account_audited(process_cli) -> None:  # type: ignore[no-untyped-def]
    cli = process_cli  # the installed script, in a subprocess
    _with_accounts(cli)
    done = cli("user", "disable", "canbo")
    assert "canbo: đã khóa" in done.out
    listed = {u["username"]: u for u in cli("user", "list", "--json").json}
    assert listed["canbo"]["active"] is False and listed["quantri"]["active"] is True
    assert not _logs_in(cli, "canbo", PASSWORD)
    cli("user", "enable", "CanBo")
    assert _logs_in(cli, "canbo", PASSWORD)
    audit = cli("user", "audit", "--json").json
    assert [e["action"] for e in audit[:2]] == ["user_enabled", "user_disabled"]
    assert audit[0]["actor"] == "Phạm Phi Long (TĐC)" and audit[0]["details"]["username"] == "canbo"
    assert "Khóa tài khoản" in cli("user", "audit").out


def test_reset_password_prints_a_generated_one_once_or_takes_it_from_a_variable(cli) -> None:  # type: ignore[no-untyped-def]
    _with_accounts(cli)
    generated = cli("user", "reset-password", "canbo")
    new_password = generated.out.strip().splitlines()[-1]
    assert len(new_password) >= 16 and _logs_in(cli, "canbo", new_password)
    assert not _logs_in(cli, "canbo", PASSWORD)
    chosen = cli("user", "reset-password", "canbo", "--password-env", "MAT_KHAU", MAT_KHAU="mot-mat-khau-khac")
    assert "mot-mat-khau-khac" not in chosen.out and _logs_in(cli, "canbo", "mot-mat-khau-khac")
    audit = cli("user", "audit").out
    assert new_password not in audit and "mot-mat-khau-khac" not in audit and "Đặt lại mật khẩu" in audit
    unset = cli("user", "reset-password", "canbo", "--password-env", "MAT_KHAU", expect=2)
    assert "MAT_KHAU" in unset.err + unset.out
    short = cli("user", "reset-password", "canbo", "--password-env", "MAT_KHAU", MAT_KHAU="ngan", expect=2)
    assert "ít nhất 10 ký tự" in short.err + short.out
    assert _logs_in(cli, "canbo", "mot-mat-khau-khac"), "a refused reset changed nothing"


def test_set_role_and_office_and_its_bad_input(cli) -> None:  # type: ignore[no-untyped-def]
    _with_accounts(cli)
    cli("user", "set-role", "canbo", "--role", "staff", "--office", "QLKH")
    listed = {u["username"]: u for u in cli("user", "list", "--json").json}
    assert listed["canbo"]["office"] == "QLKH"
    bad_role = cli("user", "set-role", "canbo", "--role", "root", expect=2)
    assert "role" in bad_role.err + bad_role.out
    no_office = cli("user", "set-role", "canbo", "--role", "staff", expect=2)
    assert "phải thuộc một phòng" in no_office.err + no_office.out
    last_admin = cli("user", "set-role", "quantri", "--role", "leader", expect=1)
    assert "quản trị cuối cùng" in last_admin.err + last_admin.out
    cli("user", "disable", "quantri", expect=1)
    unknown = cli("user", "disable", "khong-co-ai", expect=1)
    assert "Không có tài khoản" in unknown.err + unknown.out
    for command in ("disable", "enable", "reset-password"):
        huge = cli("user", command, "x" * 5000, expect=1)
        assert "Traceback" not in huge.err
    audit = [e["action"] for e in cli("user", "audit", "--json").json]
    assert audit.count("user_role_changed") == 1

"""`ykien user add` says what is wrong with the account before it asks for a password, and without a terminal to
type one in (a script, a pipe, cron) it names the variable to set, in Vietnamese, exit 2: it used to prompt anyway,
print Python's English warnings and stop with exit 1, or ask for the password twice and then refuse the role."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli

ENGLISH = ("Warning", "Repeat for confirmation", "Error:", "GetPassWarning")


def test_without_a_password_or_a_terminal_the_variable_is_named_and_nothing_is_added(cli: Cli) -> None:
    before = cli.snapshot()
    result = cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "TĐC", expect=2,
                 YKIEN_NEW_PASSWORD=None)
    assert result.err.startswith("Lỗi: --password-env: biến môi trường YKIEN_NEW_PASSWORD chưa có mật khẩu"), \
        result.err
    assert "Chưa thêm tài khoản." in result.err
    assert not [word for word in ENGLISH if word in result.out + result.err], result.out + result.err
    assert cli.snapshot() == before


@pytest.mark.parametrize(("args", "said"), [
    (["canbo", "--name", "Phạm Phi Long", "--role", "boss"], 'Lỗi: --role: "boss" không hợp lệ'),
    (["canbo", "--name", "   ", "--office", "TĐC"], "Lỗi: --name: họ tên phải có"),
    (["canbo", "--name", "Phạm Phi Long", "--role", "staff"], "Lỗi: --office: cán bộ phòng phải thuộc một phòng"),
], ids=["role", "blank-name", "staff-without-office"])
def test_a_wrong_account_is_refused_before_any_password_is_asked(cli: Cli, args: list[str], said: str) -> None:
    before = cli.snapshot()
    result = cli("user", "add", *args, expect=2, YKIEN_NEW_PASSWORD=None)
    assert result.err.startswith(said), result.err
    assert "Mật khẩu" not in result.out + result.err
    assert cli.snapshot() == before

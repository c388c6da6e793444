"""Bad input to the command line found by the sweep of session 10 (every command and option given empty, blank,
NFD, very long, impossible and missing values): each is one `Lỗi: …` line in Vietnamese naming the argument, option,
file or line, exit 2 as every input error, and nothing written."""
from __future__ import annotations

import json

from tests.e2e.conftest import Cli

PASSWORD = "mat-khau-ban-dau"


def test_a_taken_login_is_bad_input_naming_the_login_and_the_argument(cli: Cli) -> None:
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "TĐC", YKIEN_NEW_PASSWORD=PASSWORD)
    before = cli.snapshot()
    taken = cli("user", "add", "CanBo", "--name", "Người khác", "--role", "leader", expect=2,
                YKIEN_NEW_PASSWORD=PASSWORD)
    assert taken.err.startswith('Lỗi: USERNAME: tài khoản "canbo" đã có; chọn tên đăng nhập khác.'), taken.err
    as_json = cli("user", "add", "canbo", "--name", "Người khác", "--role", "leader", "--json", expect=2,
                  YKIEN_NEW_PASSWORD=PASSWORD)
    assert json.loads(as_json.out)["error"]["code"] == "user_exists"
    assert cli.snapshot() == before

"""A value typed as an argument is named in the error as the help and the usage errors name it, in capitals
(NEW_DEADLINE, LABEL, CODE, USERNAME; DOCUMENT_KEY in test_cli_register): the service's field names in lower case ("new_deadline: …") named nothing
the clerk could find in `--help`."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli


@pytest.mark.parametrize(("args", "named"), [
    (["round", "extend", "1", "31/02/2026"], 'NEW_DEADLINE: "31/02/2026" không phải ngày; viết ngày/tháng/năm, ví dụ 08/12/2026 hoặc 2026-12-08.'),
    (["directory", "groups", "add", "nhom-moi", "Nhãn\x07"], "LABEL: có ký tự điều khiển"),
    (["office", "add", "   ", "--name", "Phòng mới"], "CODE: nhập mã phòng"),
    (["user", "add", "a", "--name", "Phạm Phi Long", "--office", "TĐC"], 'USERNAME: "a" chỉ gồm chữ thường'),
], ids=["round-extend", "groups-add", "office-add", "user-add"])
def test_an_argument_is_named_in_capitals_in_the_error(cli: Cli, args: list[str], named: str) -> None:
    before = cli.snapshot()
    result = cli(*args, "--json", expect=2, YKIEN_NEW_PASSWORD="matkhau-rat-dai")
    assert result.json["error"]["message"].startswith(named), result.json
    assert cli.snapshot() == before

"""A command typed wrong (unknown command or option, missing or extra argument, a value of the wrong type or out of
range) is said in Vietnamese on one line, with the command's help named on the next, exit 2, nothing written."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli


@pytest.mark.parametrize(("args", "said", "helped"), [
    (["round", "remind", "abc"], 'Lỗi: ROUND_ID: "abc": phải là một số nguyên.', "ykien round remind --help"),
    (["round", "remindx"], "Lỗi: không có lệnh 'remindx'. Có phải ý là 'remind'?", "ykien round --help"),
    (["calendar", "nothing"], "Lỗi: không có lệnh 'nothing'.", "ykien calendar --help"),
    # A command of a group typed without its group (the issue of production names `ykien backup`): the group's named.
    (["backup"], "Lỗi: không có lệnh 'backup'. Có phải ý là `ykien db backup`?", "ykien --help"),
    (["show"], "Lỗi: không có lệnh 'show'. Có phải ý là `ykien round show` hoặc `ykien workflow show`?",
     "ykien --help"),
    (["round", "remind", "1", "--bogus"], "Lỗi: không có tùy chọn --bogus.", "ykien round remind --help"),
    (["round", "list", "--jsonx"], "Lỗi: không có tùy chọn --jsonx. Có phải ý là --json?", "ykien round list --help"),
    (["round", "remind"], "Lỗi: thiếu đối số ROUND_ID.", "ykien round remind --help"),
    (["round", "remind", "1", "2", "3"], "Lỗi: thừa đối số: 2 3.", "ykien round remind --help"),
    (["round", "remind", "1", "--by"], "Lỗi: --by cần một giá trị theo sau.", None),
    (["serve", "--port", "tám nghìn"], 'Lỗi: --port: "tám nghìn": phải là một số nguyên.', "ykien serve --help"),
    (["serve", "--interval", "x"], 'Lỗi: --interval: "x": phải là một số.', "ykien serve --help"),
    (["serve", "--port", "\x1b[31m8"], 'Lỗi: --port: "\\x1b[31m8": phải là một số nguyên.', "ykien serve --help"),
    (["round-sign", "1", "--seal-mm", "5"], 'Lỗi: --seal-mm: "5": phải từ 20 trở lên.', "ykien round-sign --help"),
    (["round-sign", "1", "--seal-mm", "99"], 'Lỗi: --seal-mm: "99": phải từ 60 trở xuống.', "ykien round-sign --help"),
])
def test_a_command_typed_wrong_is_said_in_vietnamese_with_its_help_and_exit_2(
        cli: Cli, args: list[str], said: str, helped: str | None) -> None:
    before = cli.snapshot()
    result = cli(*args, expect=2)
    lines = result.err.splitlines()
    assert lines[0] == said, result.err
    assert lines[1:] == ([f"Xem `{helped}`."] if helped else []), result.err
    assert not any(word in result.err for word in ("Usage", "Error", "Invalid value", "Input should", "Try '"))
    assert result.out == "" and cli.snapshot() == before


def test_the_installed_script_says_it_too_and_help_still_shows(process_cli: Cli) -> None:
    wrong = process_cli("round", "show", "một", expect=2)
    assert wrong.err == 'Lỗi: ROUND_ID: "một": phải là một số nguyên.\nXem `ykien round show --help`.\n'
    # Asked for no command, a group still shows its help (not an error), as before.
    bare = process_cli("round", expect=2)
    assert "round" in bare.out + bare.err and "Lỗi" not in bare.out + bare.err
    assert process_cli("round", "remind", "--help").out.count("ROUND_ID") >= 1

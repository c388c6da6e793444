"""A value typed with a minus sign (-3, "-3 ngày làm việc") is read by the parser as an unknown option; the error
says how to type it (after --), in Vietnamese, exit 2, and the value then reaches the command's own check."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli


@pytest.mark.parametrize("args", [
    ["calendar", "add-working-days", "2026-02-12", "-3"],
    ["round", "extend", "1", "-3 ngày làm việc"],
    ["round", "show", "-1"],
], ids=["days", "new-deadline", "round-id"])
def test_a_negative_value_is_told_to_follow_double_dash(cli: Cli, args: list[str]) -> None:
    before = cli.snapshot()
    result = cli(*args, expect=2)
    first = result.err.splitlines()[0]
    assert first.startswith("Lỗi: không có tùy chọn -") and "phải đứng sau --, ví dụ: -- -" in first, result.err
    assert cli.snapshot() == before


def test_after_double_dash_the_value_reaches_the_command(cli: Cli) -> None:
    result = cli("round", "extend", "--json", "1", "--", "-3 ngày làm việc", expect=2)
    assert result.json["error"]["message"].startswith('NEW_DEADLINE: số ngày "-3 ngày làm việc" không hợp lệ'), \
        result.json

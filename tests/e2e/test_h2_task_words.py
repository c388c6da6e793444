"""A task asked of a workflow that gives units no task says so, instead of listing the tasks as "(có: không có)"
("has: has none"); the CLI asks the service's one check rather than a copy of it."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli


@pytest.mark.parametrize("args", [
    ["assign", "1", "--task", "tham_luan", "--unit", "SCT"],
    ["hand-in", "1", "--unit", "SCT", "--task", "tham_luan"],
], ids=["assign", "hand-in"])
def test_a_workflow_without_tasks_says_it_gives_none(cli: Cli, args: list[str]) -> None:
    cli.at("2025-11-20T09:00")
    cli("round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
        "--group", "so-ban-nganh", "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
        "--signer-name", "Nông Thị Thanh Huyền")
    before = cli.snapshot()
    message = cli("round", *args, "--json", expect=2).json["error"]["message"]
    assert message == ('--task: quy trình "Lấy ý kiến góp ý dự thảo" không giao nhiệm vụ riêng nào cho đơn vị '
                       '(không có nhiệm vụ "tham_luan").'), message
    assert cli.snapshot() == before

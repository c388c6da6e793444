"""`ykien db check` as an admin reads it: the time in the mail and timer lines is when the counts were taken, not a
time the mail is due at ("0 đến hạn gửi lúc 17:39" read as a sending time), and the hint to start `ykien serve`
stands on its own line, said only when something due waits and no ykien process runs."""
from __future__ import annotations

from tests.e2e.conftest import Cli
from tests.e2e.test_s10d_bad_input import launched_round


def counts(cli: Cli, **env: str) -> list[str]:
    return cli("db", "check", **env).out.splitlines()[2:4]


def test_nothing_waiting_reads_as_counts_taken_now(cli: Cli) -> None:
    assert counts(cli) == ["Thư chờ gửi: 0, trong đó 0 đã đến lúc gửi (tính đến 08:30 20/11/2025).",
                           "Việc hẹn giờ chưa chạy: 0, trong đó 0 đã đến hạn (tính đến 08:30 20/11/2025)."]


def test_timers_due_and_no_sweep_running_say_what_to_start(cli: Cli) -> None:
    launched_round(cli)
    mail, timers, advice = cli("db", "check", YKIEN_NOW="2025-12-08T09:00").out.splitlines()[2:5]  # after the deadline
    assert mail == "Thư chờ gửi: 0, trong đó 0 đã đến lúc gửi (tính đến 09:00 08/12/2025).", mail
    assert timers.startswith("Việc hẹn giờ chưa chạy: "), timers
    assert timers.endswith(" đã đến hạn (tính đến 09:00 08/12/2025)."), timers
    # on a line of its own, and true: nothing runs (with serve running it names the work pool no worker pulls)
    assert advice == ("Thư hoặc việc đã đến hạn mà chưa xử lý, và không có tiến trình ykien nào đang chạy: hãy chạy "
                      "`ykien serve` (hoặc `ykien tick`)."), advice
    assert " 0 đã đến hạn" not in timers


def test_the_last_line_names_the_installation_id_the_flow_runs_are_tagged_with(cli: Cli) -> None:
    import json

    installation = json.loads(cli("db", "check", "--json").out)["installation"]
    assert len(installation) == 32 and int(installation, 16) >= 0
    assert cli("db", "check").out.splitlines()[-1] == (
        f"Mã bản cài đặt (thẻ của các lượt chạy gửi tới Prefect): {installation}.")

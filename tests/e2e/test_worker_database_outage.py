"""PostgreSQL restarted under a `ykien worker` sending a round's fan-out: the worker says the outage in one
Vietnamese line when its step first finds the database away and one when it answers again, as serve's sweep does
(workflows/service/database_outage.py), not the driver's English traceback through Prefect's engine; the fan-out
still goes out whole once the database is back.

The cluster is this module's own (the session's shared one must not go away under other tests)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.fanout_support import launch_fanout_with, sent_count, slow_capture, wait_until
from tests.e2e.prefect_support import YkienProcesses, flow_runs, prefect_api  # noqa: F401 (a fixture)
from tests.pg import PostgresCluster, own_cluster

UNITS = 300
DELAY = 0.05  # seconds per message and connection: the fan-out lasts long enough to restart the database under it


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with own_cluster() as own:
        yield own


def test_a_worker_says_a_database_outage_in_one_line_and_its_end_in_another(
        make_cli, cluster: PostgresCluster, prefect_api: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = cluster.create_database("worker_outage")
    cli = make_cli(tmp_path / "home")
    cli.env["YKIEN_DATABASE_URL"] = url
    launch_fanout_with(cli, tmp_path, UNITS)
    cli.at("2025-11-20T09:05")
    with slow_capture(DELAY) as capture, YkienProcesses(cli, tmp_path, {
            "YKIEN_SMTP_URL": capture.url, "PREFECT_API_URL": prefect_api,
            "PREFECT_HOME": str(tmp_path / "prefect-client")}) as start:
        _, worker_log = start("worker", "--name", "may-gui-thu")
        start.waited(lambda: "nhận các lượt chạy (flow run)" in worker_log.read_text(errors="replace"), 90,
                     "the worker pulling")
        start("serve", "--no-web", "--interval", "1")
        start.waited(lambda: capture.count() >= 40, 90, "40 invitations sent")
        cluster.restart(down_for=4.0)
        wait_until(lambda: sent_count(url) == UNITS, 180, "every invitation recorded as sent", progress=capture.count,
                   stall=120, interval=0.5)
        # the run the outage failed is retried; serve may hand another when the retry puts back what it had claimed
        start.waited(lambda: {run["state_type"] for run in flow_runs(prefect_api, "round:1")} == {"COMPLETED"}, 60,
                     "the circulate runs completed")
        runs = flow_runs(prefect_api, "round:1")
        start.waited(lambda: all("Finished in state Completed" in " ".join(_run_logs(prefect_api, run["id"]))
                                 for run in runs), 30, "the runs' logs sent to Prefect")
        said = worker_log.read_text(errors="replace")
    assert len(capture.by_unit()) == UNITS
    lines = said.splitlines()
    down = [line for line in lines if " ykien.database WARNING mất kết nối cơ sở dữ liệu (" in line]
    back = [line for line in lines if " ykien.database INFO cơ sở dữ liệu kết nối lại được sau " in line]
    assert len(down) == 1 and len(back) == 1, said
    assert "Không kết nối được máy chủ PostgreSQL" in down[0] and "YKIEN_DATABASE_URL" in down[0], down[0]
    # the driver's first line is kept in brackets after the Vietnamese, as serve's is; never its traceback
    for english in ("Traceback", "OperationalError", "sqlalche.me", "Encountered exception"):
        assert english not in said, said
        for run in runs:
            assert not [message for message in _run_logs(prefect_api, run["id"]) if english in message], english


def _run_logs(api: str, run_id: str) -> list[str]:
    """The messages of a flow run's log as Prefect's server keeps it (its UI shows them)."""
    import httpx

    answer = httpx.post(f"{api}/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200},
                        timeout=10)
    answer.raise_for_status()
    return [str(entry["message"]) for entry in answer.json()]

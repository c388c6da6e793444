"""PostgreSQL restarted under a `ykien worker` sending a round's fan-out: the worker says the outage in one
Vietnamese line when its step first finds the database away and one when it answers again, as serve's sweep does
(workflows/service/database_outage.py), not the driver's English traceback through Prefect's engine; the fan-out
still goes out whole once the database is back. The worker says each flow run's attempts in its own lines (the
attempt failed and when Prefect runs it again, how the run ended), and Prefect's English lines about them ("Beginning
flow run …", "Received non-final state 'AwaitingRetry' …", "Finished in state Completed()") stay in Prefect's API,
out of the worker's log; a run whose every attempt finds the database away ends with an error line in Vietnamese
naming the run and its step, without Prefect's English prefix ("Flow run encountered an exception: DatabaseAway: …").

The cluster is this module's own (the session's shared one must not go away under other tests)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback_http import LOOPBACK

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
        start.waited(lambda: _runs_ended(worker_log.read_text(errors="replace")), 30, "the worker's end lines")
        said = worker_log.read_text(errors="replace")
        with cluster.down():  # a run whose two attempts both find the database away fails for good
            failing = _circulate_run(prefect_api, retries=1, retry_delay=3)
            start.waited(lambda: _state_type(prefect_api, failing) in {"FAILED", "COMPLETED"}, 60, "the run failed")
        assert _state_type(prefect_api, failing) == "FAILED"
        start.waited(lambda: "kết thúc: thất bại" in worker_log.read_text(errors="replace"), 10, "the worker's line")
        failed = worker_log.read_text(errors="replace")[len(said):]
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
    # the run's attempts in the worker's words; Prefect's lines about them only in Prefect's API (checked above)
    for prefects in ("Beginning flow run", "Received non-final state", "Finished in state", "View at ", "Flow run '"):
        assert prefects not in said + failed, said + failed
    assert re.search(r" ykien\.worker WARNING worker may-gui-thu: circulate · đợt 1 \(gửi thư\) lỗi ở lần chạy thứ 1, "
                     r"Prefect sẽ chạy lại lúc \d\d:\d\d:\d\d \(lần thứ 2, tối đa 4 lần\): mất kết nối cơ sở dữ liệu: "
                     r"Không kết nối được máy chủ PostgreSQL ", said), said
    assert " ykien.worker INFO worker may-gui-thu: chạy lại circulate · đợt 1 (gửi thư), lần thứ 2\n" in said, said
    assert re.search(r" ykien\.worker INFO worker may-gui-thu: circulate · đợt 1 \(gửi thư\) kết thúc: hoàn thành sau "
                     r"[\d,]+ giây, 2 lần chạy\n", said), said
    # retries used up: an error naming the run, its step and what failed, in Vietnamese
    ended = [line for line in failed.splitlines() if " ykien.worker ERROR " in line]
    assert len(ended) == 1, failed
    assert re.search(r"worker may-gui-thu: circulate · đợt 1 \(gửi thư\) kết thúc: thất bại \(Failed\) sau [\d,]+ "
                     r"giây, 2 lần chạy, Prefect không chạy lại nữa: mất kết nối cơ sở dữ liệu: Không kết nối được máy "
                     r"chủ PostgreSQL ", ended[0]), ended[0]
    assert "lỗi ở lần chạy thứ 1, Prefect sẽ chạy lại lúc " in failed, failed
    assert "(lần thứ 2, tối đa 2 lần): mất kết nối cơ sở dữ liệu: " in failed, failed
    for english in ("Flow run encountered an exception", "FAILED", "Traceback", "DatabaseAway"):
        assert english not in failed, failed


def _runs_ended(log: str) -> bool:
    """Every run the worker began has its end line."""
    return log.count("worker may-gui-thu: chạy circulate") == log.count("kết thúc: ")


def _circulate_run(api: str, retries: int, retry_delay: int) -> str:
    """A circulate run of round 1 in the pool "ykien", created through Prefect's REST API with its own retries
    (Prefect lets a run's policy override its flow's); its id."""
    deployment = LOOPBACK.get(f"{api}/deployments/name/circulate/ykien", timeout=10)
    deployment.raise_for_status()
    created = LOOPBACK.post(f"{api}/deployments/{deployment.json()['id']}/create_flow_run", timeout=10, json={
        "name": "circulate · đợt 1", "parameters": {"round_id": 1}, "tags": ["ykien", "step:circulate", "thu-loi"],
        "empirical_policy": {"retries": retries, "retry_delay": retry_delay}})
    created.raise_for_status()
    return str(created.json()["id"])


def _state_type(api: str, run_id: str) -> Any:
    answer = LOOPBACK.get(f"{api}/flow_runs/{run_id}", timeout=10)
    answer.raise_for_status()
    return (answer.json().get("state") or {}).get("type")


def _run_logs(api: str, run_id: str) -> list[str]:
    """The messages of a flow run's log as Prefect's server keeps it (its UI shows them)."""
    answer = LOOPBACK.post(f"{api}/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200},
                        timeout=10)
    answer.raise_for_status()
    return [str(entry["message"]) for entry in answer.json()]

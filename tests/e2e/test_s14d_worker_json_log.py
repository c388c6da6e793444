"""`ykien worker` under YKIEN_LOG_FORMAT=json writes one JSON object a line on stderr: Prefect's lines about each
flow run ("Beginning flow run …", "Finished in state Completed()") came in Prefect's text format, among ykien's JSON
lines, and broke a log collector reading the README's "one JSON object a line". They now stay in Prefect's API (its
UI), and the worker says each run's beginning and end in its own JSON records."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

from tests.e2e.conftest import Cli
from tests.e2e.fanout_support import wait_until
from tests.e2e.prefect_support import reminder_due
from tests.e2e.test_prefect_workers import prefect_api  # noqa: F401
from tests.e2e.test_s10d_bad_input import launched_round


def reminders_sent(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as connection:
        (done,) = connection.execute("SELECT count(*) FROM timers WHERE name = 'remind_before' AND status != 'pending'"
                                     ).fetchone()
    return int(done)


def reminder_run_finished(worker_log: Path, database: Path) -> bool:
    """The reminder is sent and every run the worker began has finished. Usually one run (remind) sends the
    invitations and the reminder; on a slow machine serve may hand the worker the invitations first (circulate)."""
    text = worker_log.read_text(encoding="utf-8")
    begun = text.count("worker may-json: chạy ") - text.count("worker may-json: chạy lại ")
    return reminders_sent(database) == 1 and begun == text.count(" kết thúc: ")


def test_a_json_worker_writes_one_json_object_a_line_its_own_flow_run_lines_among_them(prefect_api: str, cli: Cli,
                                                                 tmp_path: Path) -> None:
    launched_round(cli)
    cli.now = (reminder_due(cli.database) + timedelta(minutes=1)).isoformat()
    env = {"PREFECT_API_URL": prefect_api, "YKIEN_WORK_POOL": "s14d-json", "YKIEN_LOG_FORMAT": "json"}
    worker_log, serve_log = tmp_path / "worker.log", tmp_path / "serve.log"
    worker = cli.start("worker", "--name", "may-json", log=worker_log, **env)
    serve = cli.start("serve", "--no-web", "--interval", "1", log=serve_log, **env)
    try:
        wait_until(lambda: reminder_run_finished(worker_log, cli.database) or worker.poll() is not None,
                   120, "the reminder run by the worker")
    finally:
        for process in (serve, worker):
            process.send_signal(signal.SIGTERM)
        for process in (serve, worker):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
    lines = worker_log.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line one JSON object, the worker's last word too
    assert not [record for record in records if str(record.get("name")).startswith("prefect.flow_runs")], lines
    started = sum(str(record.get("message")).startswith("worker may-json: chạy ") for record in records)
    assert started >= 1, lines
    ended = [record for record in records if " kết thúc: hoàn thành sau " in str(record.get("message"))]
    assert len(ended) == started and all(record["logger"] == "ykien.worker" for record in ended), lines
    assert records[-1].get("message") == f"Đã dừng; đã chạy {started} bước." and records[-1]["logger"] == "ykien.worker", lines
    assert reminders_sent(cli.database) == 1


def test_a_worker_without_an_smtp_server_says_its_mail_stays_in_the_database(prefect_api: str, cli: Cli,
                                                                           tmp_path: Path) -> None:
    """Its runs would put the units' mail into the internal mailbox and mark it sent: the worker says so when it
    starts, as serve does, naming the setting."""
    worker_log = tmp_path / "worker.log"
    worker = cli.start("worker", "--name", "may-khong-smtp", log=worker_log, PREFECT_API_URL=prefect_api,
                       YKIEN_WORK_POOL="s14d-no-smtp", YKIEN_SMTP_URL=None)
    try:
        wait_until(lambda: "YKIEN_SMTP_URL chưa đặt" in worker_log.read_text(encoding="utf-8")
                   or worker.poll() is not None, 60, "the worker's warning")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    text = worker_log.read_text(encoding="utf-8")
    assert "YKIEN_SMTP_URL chưa đặt" in text and "hộp thư nội bộ" in text, text

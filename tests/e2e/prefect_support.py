"""What the tests of production's processes share: a `prefect server start` on loopback that can be stopped and
started again, the flow runs read back from its REST API, and the `ykien` processes a test starts (serve, workers)
with their logs, stopped with SIGTERM or killed on the way out."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest
from loopback_http import LOOPBACK
from process_table import children_of

from tests.e2e.fanout_support import wait_until
from tests.e2e.test_serve_restart import free_port

PREFECT = Path(sys.executable).with_name("prefect")
_QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false"}


# Made by the first fresh server of a test process; removed at the end of its session (remove_template).
_TEMPLATE = Path(tempfile.gettempdir()) / f"ykien-prefect-template-{uuid.uuid4().hex[:12]}" / "prefect.db"


def remove_template() -> None:
    """Called by tests/conftest.py when the session ends, in each pytest process: an exit handler did not run in
    every one of pytest-xdist's."""
    shutil.rmtree(_TEMPLATE.parent, ignore_errors=True)


def _keep_as_template(database: Path) -> None:
    """Copy the database of a server just started on an empty home, before any test wrote to it: the next server of
    this test process starts on a copy, migrated and its block types registered, healthy in about 5 s instead of 11.
    The backup API writes one self-contained file, whatever is still in the write-ahead log."""
    _TEMPLATE.parent.mkdir(exist_ok=True)
    partial = _TEMPLATE.with_suffix(".partial")
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(partial)) as copy:
        source.backup(copy)
    partial.rename(_TEMPLATE)


class PrefectServer:
    """`prefect server start` on loopback with its own home (and SQLite database); `stop` and `start` again keep
    the port, the home and what the server knows."""

    def __init__(self, home: Path, settings: dict[str, str] | None = None) -> None:
        """`settings`: more of the server's environment (PREFECT_SERVER_…)."""
        self.home = home
        self.settings = settings or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        env = {**os.environ, "PREFECT_HOME": str(self.home), **_QUIET, **self.settings}
        env.pop("PREFECT_API_URL", None)
        database = self.home / "prefect.db"
        own_sqlite = "PREFECT_API_DATABASE_CONNECTION_URL" not in env
        fresh = own_sqlite and not database.exists()
        if fresh and _TEMPLATE.exists():
            shutil.copyfile(_TEMPLATE, database)
        self.starts += 1
        with (self.home / f"server-{self.starts}.log").open("wb") as log:
            process = subprocess.Popen(
                [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.process = process
        waited_telling(lambda: healthy(self.url) or process.poll() is not None, 90, "prefect server start", self.log)
        assert process.poll() is None, self.log()
        if fresh and not _TEMPLATE.exists():
            _keep_as_template(database)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.home.glob("server-*.log")))


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """PREFECT_API_URL of a `prefect server start` on loopback with its own home (and SQLite database), one per
    module that imports this fixture."""
    server = PrefectServer(tmp_path_factory.mktemp("prefect-server"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def healthy(url: str) -> bool:
    try:
        return LOOPBACK.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def sent_by_pid(database: Path) -> Counter[int]:
    """Messages sent, by the PID of the process instance that sent them (host:pid:random)."""
    with sqlite3.connect(database, timeout=30) as connection:
        return Counter(int(sender.split(":")[1]) for (sender,) in connection.execute(
            "SELECT sent_by FROM outbox WHERE status = 'sent'"))


def reminder_due(database: Path) -> datetime:
    """When the round's reminder is due (stored in UTC)."""
    with sqlite3.connect(database, timeout=30) as connection:
        (due,) = connection.execute("SELECT due_at FROM timers WHERE name = 'remind_before'").fetchone()
    return datetime.fromisoformat(due).replace(tzinfo=UTC)


def make_reminder_due(database: Path) -> None:
    """The round's pending reminder due a day before its launch (the processes' clock), kept in its stored form."""
    with sqlite3.connect(database, timeout=30) as connection:
        (timer_id, due) = connection.execute("SELECT id, due_at FROM timers WHERE status = 'pending' "
                                             "AND name = 'remind_before'").fetchone()
        connection.execute("UPDATE timers SET due_at = ? WHERE id = ?", (due.replace(due[:10], "2025-11-19"), timer_id))


def flow_runs(url: str, *tags: str, pool: str | None = None) -> list[dict[str, Any]]:
    """The flow runs carrying all `tags` (of work pool `pool`, or any), read from Prefect's REST API."""
    query: dict[str, Any] = {"flow_runs": {"tags": {"all_": list(tags)}}}
    if pool is not None:
        query["work_pools"] = {"name": {"any_": [pool]}}
    answer = LOOPBACK.post(f"{url}/flow_runs/filter", json=query, timeout=10)
    answer.raise_for_status()
    return list(answer.json())


def waited_telling(condition: Callable[[], bool], timeout: float, what: str, logs: Callable[[], str]) -> None:
    """wait_until, failing with `logs()` as they are at the failure (the processes' logs, the flow runs)."""
    try:
        wait_until(condition, timeout, what, interval=0.05)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{logs()}") from None


def terminate(process: subprocess.Popen[bytes], what: str, within: float = 15) -> None:
    """SIGTERM: exit 0 within `within` s, and no child of it left running."""
    kids = children_of(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(within) == 0, what
    alive = [pid for pid in kids if Path(f"/proc/{pid}").exists()]
    assert not alive, f"{what} left children {alive}"


class YkienProcesses:
    """`with YkienProcesses(cli, folder, env) as started:` `started("worker", "--name", "x")` runs `ykien …` with
    `env` added, its output in folder/<command>-<n>.log; `waited` polls and fails with every log (and `more_logs()`,
    a Prefect server's). Whatever still runs on the way out is killed."""

    def __init__(self, cli: Any, folder: Path, env: dict[str, str],
                 more_logs: Callable[[], str] = lambda: "") -> None:
        self.cli = cli
        self.folder = folder
        self.env = env
        self.more_logs = more_logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> YkienProcesses:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)

    def __call__(self, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.folder / f"{args[0]}-{len(self.processes)}.log"
        process = self.cli.start(*args, log=log, **self.env)
        self.processes.append(process)
        return process, log

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")
                         for path in sorted(self.folder.glob("*.log"))) + self.more_logs()

    def waited(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        waited_telling(condition, timeout, what, self.logs)

"""A PostgreSQL outage under `ykien serve`'s sweep and heartbeat: one Vietnamese line when the database becomes
unreachable, none while it stays so, one when it answers again; no traceback (review-a, item 6: each 30 s sweep logged
two, the second from APScheduler, and the heartbeat a line in the driver's English every 5 s). /readyz's database
check says the reason in words, not the error's class.

The cluster is this module's own: the session's shared one must not go away under other tests."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from pg import PostgresCluster, own_cluster

from config.clock import FrozenClock
from config.settings import load_settings
from workflows.flows import DatabaseAway, QuietDatabaseOutages, _step  # Prefect sets its logging up on import
from workflows.scheduler import Sweeper
from workflows.service.app import build_app
from workflows.service.operations import database_readiness
from workflows.service.sweep import Heartbeat

pytestmark = pytest.mark.timeout(90)
DOWN_SECONDS = 3.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with own_cluster() as own:
        yield own


def test_an_outage_is_one_line_when_it_starts_and_one_when_it_ends(cluster: PostgresCluster, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    from tests.conftest import START

    settings = load_settings(home=tmp_path, database_url=cluster.create_database("outage"), now=None,
                             calendar_file=None, smtp_url=None, heartbeat_seconds=0.2, stale_after_seconds=2)
    app = build_app(settings, FrozenClock(START), create_schema=True)
    sweeper = Sweeper(app, BackgroundScheduler(timezone=UTC))  # not started: a wake-up planned is only stored
    caplog.set_level(logging.INFO)
    try:
        with Heartbeat(app):
            sweeper.sweep()
            with cluster.down():  # stopped here, not merely asked to stop: readiness must see it away
                readiness = database_readiness(app)
                back_at = time.monotonic() + DOWN_SECONDS
                while time.monotonic() < back_at:  # a dozen sweeps and a dozen beats fail meanwhile
                    sweeper.sweep()  # raised nothing: an error escaping it was APScheduler's traceback
                    time.sleep(0.25)
            sweeper.sweep()
            time.sleep(0.5)  # the heartbeat beats again too
    finally:
        app.close()
    lines = [record for record in caplog.records if record.name.startswith("ykien")]
    said = [record.getMessage() for record in lines]
    down = [line for line in said if line.startswith("mất kết nối cơ sở dữ liệu")]
    back = [line for line in said if line.startswith("cơ sở dữ liệu kết nối lại được sau")]
    assert len(down) == 1, said
    assert "Không kết nối được máy chủ PostgreSQL" in down[0] or "Mất kết nối tới" in down[0], down
    assert "YKIEN_DATABASE_URL" in down[0]
    assert len(back) == 1, said
    assert not [line for line in said if "heartbeat" in line and line not in down], said
    assert not [line for line in said if line.startswith("quét: lượt quét lỗi")], said
    assert not [record for record in caplog.records if record.exc_info], "a traceback was logged"
    assert len([record for record in lines if record.levelno >= logging.WARNING]) == 1, said
    ok, words = readiness
    assert not ok
    assert "OperationalError" not in words
    assert words.startswith(("Không kết nối được máy chủ PostgreSQL", "Mất kết nối tới")), words


def test_a_workers_step_finding_the_database_away_says_it_once_and_other_errors_keep_their_traceback(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A worker's flow run: its step failing on a database that cannot be reached is one Vietnamese line of the
    process and a DatabaseAway that Prefect's flow-run logger leaves out (it logged the driver's English traceback);
    any other error is raised as it is, and logged whole (review-a, item 6, on the worker's side)."""
    import asyncio

    from pg import free_port

    settings = load_settings(home=tmp_path, database_url=f"postgresql+psycopg://ykien@127.0.0.1:{free_port()}/ykien",
                             now=None, calendar_file=None, smtp_url=None)
    app = build_app(settings)  # nothing listens on the port

    def reads(app) -> None:  # type: ignore[no-untyped-def]
        with app.engine.connect():
            pass

    def bug(app) -> None:  # type: ignore[no-untyped-def]
        raise ValueError("lỗi của chương trình")

    caplog.set_level(logging.INFO)
    try:
        for _ in range(3):
            with pytest.raises(DatabaseAway) as away:
                asyncio.run(_step(reads, app))
        with pytest.raises(ValueError, match="lỗi của chương trình"):
            asyncio.run(_step(bug, app))
    finally:
        app.close()
    assert str(away.value).startswith("mất kết nối cơ sở dữ liệu: Không kết nối được máy chủ PostgreSQL 127.0.0.1:")
    assert away.value.__cause__ is None and away.value.__suppress_context__
    said = [record.getMessage() for record in caplog.records if record.name.startswith("ykien")]
    assert len(said) == 1 and said[0].startswith("mất kết nối cơ sở dữ liệu (lượt chạy lỗi): "), said

    quiet = QuietDatabaseOutages()

    def record(error: BaseException) -> logging.LogRecord:
        return logging.LogRecord("prefect.flow_runs", logging.ERROR, __file__, 1, "Encountered exception during "
                                 "execution: %r", (error,), (type(error), error, error.__traceback__))

    assert not quiet.filter(record(away.value))
    assert quiet.filter(record(ValueError("lỗi của chương trình")))

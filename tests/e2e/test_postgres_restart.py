"""PostgreSQL restarted in the middle of a round while `ykien serve` runs on it: the service resumes unattended.
Every unit gets its invitation, with no more duplicates than the messages whose result could not be written while the
database was away (one per SMTP connection at most), each with its first copy's Message-ID; serve keeps running.

The cluster is this module's own (the session's shared one must not go away under other tests)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.fanout_support import SlowCapture, launch_fanout_with, sent_count, slow_capture, wait_until
from tests.pg import PostgresCluster, own_cluster

pytestmark = pytest.mark.timeout(240)

UNITS = 400
DELAY = 0.05  # seconds per message and connection: about 160 messages/s, so the restart comes mid fan-out
CONNECTIONS = 8


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with own_cluster() as own:
        yield own


def test_serve_resumes_unattended_after_postgresql_restarts_mid_fanout(make_cli, cluster: PostgresCluster,
                                                                       tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = cluster.create_database("restarted")
    cli = make_cli(tmp_path / "home")
    cli.env["YKIEN_DATABASE_URL"] = url
    launch_fanout_with(cli, tmp_path, UNITS)
    cli.at("2025-11-20T09:05")
    log = tmp_path / "serve.log"
    with slow_capture(DELAY) as capture:
        copies = _restarted_midway(cli, cluster, capture, url, log)
    assert len(copies) == UNITS
    assert sum(len(ids) - 1 for ids in copies.values()) <= CONNECTIONS, "more duplicates than messages in flight"
    assert all(len(set(ids)) == 1 for ids in copies.values()), "a resent invitation has a new Message-ID"


def _restarted_midway(cli, cluster: PostgresCluster, capture: SlowCapture, url: str,  # type: ignore[no-untyped-def]
                      log: Path) -> dict[str, list[str]]:
    """serve sending the fan-out, PostgreSQL restarted under it; the Message-IDs each unit received."""
    serve = cli.start("serve", "--no-web", "--interval", "1", log=log, YKIEN_SMTP_URL=capture.url)
    try:
        wait_until(lambda: capture.count() >= 80 or serve.poll() is not None, 90, "80 invitations sent")
        assert serve.poll() is None, log.read_text()
        cluster.restart(down_for=2.0)
        assert capture.units() < UNITS, "the fan-out ended before the restart; make the SMTP server slower"
        wait_until(lambda: sent_count(url) == UNITS, 120, "every invitation recorded as sent", progress=capture.count,
                   stall=60, interval=0.2)
        assert serve.poll() is None, "serve died with the database"
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    return capture.by_unit()

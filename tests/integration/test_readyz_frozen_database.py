"""/readyz while PostgreSQL does not answer (its processes stopped: a server that hung, a host the network cut off).
The probe answers 503 within a load balancer's usual timeout, saying the database does not answer; probes that come
while a check still waits on the database wait for that check, so a probe every few seconds does not pile up threads
on a database that may not answer for minutes. Once it answers again, so does the probe: 200.

The cluster is this module's own (the session's shared one must not be frozen under other tests)."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config.clock import FrozenClock
from config.settings import load_settings
from tests.conftest import START
from tests.pg import PostgresCluster, own_cluster
from workflows.service.app import App, build_app
from workflows.web.app import create_web_app

pytestmark = pytest.mark.timeout(120)
PROBE_TIMEOUT = 5.0  # seconds: a Kubernetes probe's is 1 by default, a load balancer's a few


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with own_cluster() as own:
        yield own


@pytest.fixture
def app(cluster: PostgresCluster, tmp_path: Path) -> Iterator[App]:
    settings = load_settings(home=tmp_path, database_url=cluster.create_database("readyz"), now=None,
                             calendar_file=None, smtp_url="smtp://127.0.0.1:9")
    built = build_app(settings, FrozenClock(START), create_schema=True)
    try:
        yield built
    finally:
        built.close()


def _probe(client: TestClient) -> tuple[int, dict[str, object], float]:
    started = time.monotonic()
    response = client.get("/readyz")
    return response.status_code, response.json(), time.monotonic() - started


def test_readyz_answers_503_at_once_while_the_database_does_not_answer_and_200_once_it_does(
        app: App, cluster: PostgresCluster) -> None:
    with TestClient(create_web_app(app)) as client:
        assert _probe(client)[:2] == (200, {"status": "ok", "checks": {"database": "ok"}})
        threads_before = threading.active_count()
        with cluster.frozen():
            probes = [_probe(client) for _ in range(4)]
            threads_while_frozen = threading.active_count()
        for code, body, took in probes:
            assert (code, body["status"]) == (503, "unavailable"), body
            assert body["checks"] == {"database": "không trả lời sau 2 giây"}, body
            assert took < PROBE_TIMEOUT - 2, f"{took:.1f} s"
        # One check waited on the database for all four probes: one thread more at most, not one per probe.
        assert threads_while_frozen <= threads_before + 1
        answered = _probe(client)
        assert answered[:2] == (200, {"status": "ok", "checks": {"database": "ok"}}), answered

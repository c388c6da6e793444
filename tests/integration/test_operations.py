"""The operators' endpoints on SQLite and PostgreSQL: /healthz answers, /readyz says whether the database (and
Prefect's API, when configured) can serve, /metrics gives Prometheus figures counted in the database, equal to the
rows, with no unit's name or address in them."""
from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text

from config.clock import FrozenClock
from models.db.tables import OutboxRow, TimerRow
from models.rounds import ResponseKind
from workflows.engine.events import Launch, Respond
from workflows.service.app import App
from workflows.service.rounds import execute
from workflows.service.sweep import run_due
from workflows.web.app import create_web_app

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF = "Phạm Phi Long (TĐC)"


def figures(client: TestClient) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {sample.name: sample.value for family in text_string_to_metric_families(response.text)
            for sample in family.samples}


def count(app: App, *where: object, table: type = OutboxRow) -> int:
    with app.engine.connect() as connection:
        return int(connection.scalar(select(func.count(table.id)).where(*where)) or 0)


def test_healthz_and_readyz_answer_anyone_without_a_session(app: App) -> None:
    client = TestClient(create_web_app(app))
    health = client.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "checks": {"database": "ok"}})
    assert ready.headers["cache-control"] == "no-store"


def test_readyz_is_503_when_the_schema_is_not_the_one_this_code_needs(app: App) -> None:
    with app.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    ready = TestClient(create_web_app(app)).get("/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
    assert ready.json()["checks"]["database"].startswith("cấu trúc phiên bản 0001, cần ")
    assert TestClient(create_web_app(app)).get("/healthz").status_code == 200  # alive, only not ready


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def prefect_api() -> Iterator[tuple[str, type[_Health]]]:
    """A loopback HTTP server answering /api/health as Prefect's API does."""
    handler = type("Health", (_Health,), {})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api", handler
    server.shutdown()


def test_readyz_checks_prefect_when_its_api_is_configured(app: App, prefect_api: tuple[str, type[_Health]],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    url, handler = prefect_api
    client = TestClient(create_web_app(app))
    monkeypatch.setenv("PREFECT_API_URL", url)
    assert client.get("/readyz").json()["checks"] == {"database": "ok", "prefect": "ok"}
    handler.status = 500
    refused = client.get("/readyz")
    assert refused.status_code == 503 and refused.json()["checks"]["prefect"] == f"Prefect API {url} trả lời 500"
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # the discard port: nobody listens
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["checks"]["prefect"] == ('không kết nối được máy chủ Prefect tại "http://127.0.0.1:9/api" '
                                                "(máy chủ từ chối kết nối)")


def test_metrics_count_what_the_database_holds_and_name_no_unit(
        app: App, clock: FrozenClock, make_round: Callable[..., int]) -> None:
    client = TestClient(create_web_app(app))
    round_id = make_round(deadline=date(2025, 12, 5))
    clock.set(datetime(2025, 11, 20, 9, 0, tzinfo=TZ))
    execute(app, round_id, Launch(), STAFF)  # queued, not delivered yet
    queued = count(app, OutboxRow.status == "queued")
    assert queued > 0
    before = figures(client)
    assert before["ykien_outbox_queued"] == before["ykien_outbox_due"] == queued
    assert before["ykien_timers_pending"] == count(app, TimerRow.status == "pending", table=TimerRow) > 0
    assert before["ykien_delivery_latency_seconds_count"] == 0 and before["ykien_answers_recorded_total"] == 0

    clock.set(datetime(2025, 11, 20, 9, 0, 30, tzinfo=TZ))
    run_due(app)  # the sweep delivers to the loopback SMTP server, 30 s after the launch
    execute(app, round_id, Respond("SCT", ResponseKind.AGREE, STAFF), STAFF)
    after = figures(client)
    assert after["ykien_outbox_queued"] == count(app, OutboxRow.status == "queued") < queued
    sent = count(app, OutboxRow.status == "sent")
    assert after["ykien_delivery_latency_seconds_count"] == sent == queued  # every invitation, queued 30 s before
    assert after["ykien_delivery_latency_seconds_sum"] == pytest.approx(30.0 * sent)
    assert after["ykien_delivery_latency_p95_seconds"] == pytest.approx(30.0)
    assert after["ykien_answers_recorded_total"] == 1
    page = client.get("/metrics").text
    assert "Sở Công Thương" not in page and "@" not in page and "ykien_sweep_duration_seconds" in page


def test_readyz_asks_a_plain_http_prefect_api_without_loading_a_trust_store(
        app: App, prefect_api: tuple[str, type[_Health]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each /readyz calls Prefect twice (its health, its workers when serve hands steps over); httpx loaded the
    whole trust store for each call (20-50 ms of CPU) though no certificate is read over http://. Over https the
    store is still used: tests/integration/test_prefect_tls_words.py."""
    url, _ = prefect_api
    client = TestClient(create_web_app(app))
    monkeypatch.setenv("PREFECT_API_URL", url)
    client.get("/readyz")  # whatever a first request builds once
    stores = []
    load = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        stores.append(args or kwargs)
        load(context, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    for _ in range(3):
        assert client.get("/readyz").json()["checks"] == {"database": "ok", "prefect": "ok"}
    assert stores == []

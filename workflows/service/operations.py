"""What operators ask a running ykien: is the process up, can it serve (database reachable at the schema it needs,
Prefect's API answering when one is configured), and the figures a Prometheus server scrapes.

The figures of work waiting (mail, timers, answers) are read from the database at each scrape, so every replica
reports the same truth and a restart loses nothing; the sweep's own durations are this process's, kept in
`PROCESS_METRICS` by the scheduler that runs it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from config.prefect_api import configured_prefect_api, unreachable, unreachable_reason
from models.db.tables import OutboxRow, ResponseRow
from workflows.service.app import App
from workflows.service.database_check import status_of
from workflows.service.database_errors import database_problem, first_line

PREFECT_TIMEOUT_SECONDS = 2.0
LATENCY_WINDOW = timedelta(hours=1)  # delivery latency over the messages sent in the last hour

PROCESS_METRICS = CollectorRegistry(auto_describe=True)
SWEEP_SECONDS = Histogram("ykien_sweep_duration_seconds", "Thời gian một lượt quét (hẹn giờ đến hạn và gửi thư).",
                          registry=PROCESS_METRICS, buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))


@dataclass(frozen=True)
class Readiness:
    ok: bool
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or what is wrong


def prefect_readiness() -> tuple[bool, str] | None:
    """Prefect's API, when PREFECT_API_URL names one: its /health answers within two seconds."""
    url = configured_prefect_api()
    if not url:
        return None
    import httpx

    try:
        response = httpx.get(f"{url.rstrip('/')}/health", timeout=PREFECT_TIMEOUT_SECONDS)
    except httpx.HTTPError as error:
        return False, unreachable(url, unreachable_reason(error, PREFECT_TIMEOUT_SECONDS))
    if response.status_code != 200:
        return False, f"Prefect API {url} trả lời {response.status_code}"
    return True, "ok"


def database_readiness(app: App) -> tuple[bool, str]:
    """Whether the database answers at the schema this code needs, with what is wrong when not."""
    try:
        schema = status_of(app).schema
    except Exception as error:  # noqa: BLE001 - any driver error means "not ready", said in words
        problem = database_problem(error, app.settings)
        return False, problem.message if problem is not None else f"không kết nối được: {first_line(str(error))}"
    if schema.current:
        return True, "ok"
    found = ", ".join(sorted(schema.revisions)) or "chưa khởi tạo"
    return False, f"cấu trúc phiên bản {found}, cần {schema.code}: chạy ykien init"


def readiness_of(database: tuple[bool, str], prefect: tuple[bool, str] | None) -> Readiness:
    """The process's readiness from its checks' (ok, words): the database's, and Prefect's when configured."""
    checks = {"database": database[1]}
    if prefect is not None:
        checks["prefect"] = prefect[1]
    return Readiness(database[0] and (prefect is None or prefect[0]), checks)


class DatabaseCollector(Collector):
    """The work waiting and done, counted in the database at each scrape (a few indexed counts)."""

    def __init__(self, app: App) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        now = self.app.clock.now()
        status = status_of(self.app)
        with self.app.engine.connect() as connection:
            failed, answers = connection.execute(select(
                select(func.count(OutboxRow.id)).where(OutboxRow.status == "failed").scalar_subquery(),
                select(func.count(ResponseRow.id)).scalar_subquery())).one()
            latencies = sorted(
                (sent - created).total_seconds() for sent, created in connection.execute(
                    select(OutboxRow.sent_at, OutboxRow.created_at).where(
                        OutboxRow.status == "sent", OutboxRow.sent_at >= now - LATENCY_WINDOW)) if sent is not None)
        yield _gauge("ykien_outbox_queued", "Thư đang chờ gửi.", status.outbox_queued)
        yield _gauge("ykien_outbox_due", "Thư đến lượt gửi mà chưa gửi.", status.outbox_due)
        yield _gauge("ykien_outbox_failed", "Thư gửi không được (lỗi vĩnh viễn).", int(failed or 0))
        yield _gauge("ykien_timers_pending", "Việc hẹn giờ chưa đến hạn hoặc chưa chạy.", status.timers_pending)
        yield _gauge("ykien_timers_due", "Việc hẹn giờ đã đến hạn mà chưa chạy.", status.timers_due)
        answered = CounterMetricFamily("ykien_answers_recorded", "Số lần trả lời đã ghi nhận (mọi đợt).")
        answered.add_metric([], int(answers or 0))
        yield answered
        latency = SummaryMetricFamily(
            "ykien_delivery_latency_seconds",
            "Từ lúc thư vào hàng đợi tới lúc máy chủ thư nhận (thư gửi trong một giờ qua).")
        latency.add_metric([], count_value=len(latencies), sum_value=sum(latencies))
        yield latency
        if latencies:
            yield _gauge("ykien_delivery_latency_p95_seconds", "Độ trễ gửi thư, phân vị 95 (một giờ qua).",
                         latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))])


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def metrics_text(app: App) -> bytes:
    """The Prometheus text exposition of the database's figures and this process's sweep durations."""
    from prometheus_client import generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(app))
    return generate_latest(registry) + generate_latest(PROCESS_METRICS)

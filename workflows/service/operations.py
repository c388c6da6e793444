"""What operators ask a running ykien: is the process up, can it serve (database reachable at the schema it needs,
Prefect's API answering when one is configured, a `ykien worker` pulling serve's work pool), and the figures a
Prometheus server scrapes.

The figures of work waiting (mail, timers, answers) are read from the database at each scrape, so every replica
reports the same truth and a restart loses nothing; the sweep's own durations are this process's, kept in
`PROCESS_METRICS` by the scheduler that runs it.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from config.prefect_api import configured_prefect_api, health_status, unreachable, unreachable_reason, verify_for
from models.db.tables import OutboxRow, ResponseRow
from workflows.service.app import App
from workflows.service.database_check import status_of
from workflows.service.database_errors import database_problem, first_line
from workflows.service.steps import WORKERLESS_GRACE_SECONDS

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
        status = health_status(url, PREFECT_TIMEOUT_SECONDS)
    except httpx.HTTPError as error:
        return False, unreachable(url, unreachable_reason(error, PREFECT_TIMEOUT_SECONDS))
    if status != 200:
        return False, f"Prefect API {url} trả lời {status}"
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


def readiness_of(database: tuple[bool, str], prefect: tuple[bool, str] | None,
                 workers: tuple[bool, str] | None = None) -> Readiness:
    """The process's readiness from its checks' (ok, words): the database's, Prefect's when configured, and the work
    pool's workers when serve hands its steps to them."""
    checks = {"database": database[1]}
    if prefect is not None:
        checks["prefect"] = prefect[1]
    if workers is not None:
        checks["workers"] = workers[1]
    return Readiness(database[0] and (prefect is None or prefect[0]) and (workers is None or workers[0]), checks)


def online_workers(url: str, pool: str, timeout: float = PREFECT_TIMEOUT_SECONDS) -> int:
    """How many workers Prefect's API at `url` lists online in `pool` (0 for a pool it does not have). Raises
    httpx.HTTPError when the server does not answer."""
    import httpx

    response = httpx.post(f"{url.rstrip('/')}/work_pools/{quote(pool, safe='')}/workers/filter",
                          json={"limit": 200}, timeout=timeout, verify=verify_for(url))
    if response.status_code == 404:
        return 0
    response.raise_for_status()
    return sum(1 for worker in response.json() if worker.get("status") == "ONLINE")


class PoolWorkers:
    """The `ykien worker`s online in serve's work pool, as this process last saw them (its sweep handing steps, its
    /readyz): when to warn that none pulls the pool (once, and again only after some came and went), and whether
    serve is ready. `clock` is monotonic seconds."""

    def __init__(self, pool: str, grace_seconds: float = WORKERLESS_GRACE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.pool = pool
        self.grace_seconds = grace_seconds
        self.clock = clock
        self.since = clock()  # serve's start, or the last time a worker was seen online
        self.online: int | None = None
        self._said_none = False
        self._lock = threading.Lock()

    def observe(self, online: int) -> None:
        with self._lock:
            self.online = online
            if online:
                self.since = self.clock()

    def handed(self, online: int) -> bool | None:
        """After steps were handed to the pool with `online` workers in it: True when none is there and that was not
        said yet (warn), False when workers came back after it was said, None when there is nothing new to say."""
        self.observe(online)
        with self._lock:
            if not online and not self._said_none:
                self._said_none = True
                return True
            if online and self._said_none:
                self._said_none = False
                return False
        return None

    def pulled(self, online: int) -> bool:
        """Whether the pool counts as pulled with `online` workers in it now: one is online, or one was seen (or serve
        started) less than WORKERLESS_GRACE_SECONDS ago. What /readyz and the mail notice of a command say."""
        self.observe(online)
        return bool(online) or self.clock() - self.since < self.grace_seconds

    def readiness(self, online: int) -> tuple[bool, str]:
        """Ready while a worker is online, or for WORKERLESS_GRACE_SECONDS after serve started or the last one left."""
        pulled = self.pulled(online)
        if online:
            return True, "ok"
        waited = self.clock() - self.since
        if pulled:
            return True, (f"chưa có ykien worker nào nhận work pool \"{self.pool}\" (sẽ báo chưa sẵn sàng nếu sau "
                          f"{self.grace_seconds:g} giây vẫn chưa có)")
        return False, (f"không có ykien worker nào nhận work pool \"{self.pool}\" trong {waited:.0f} giây: các bước "
                       f"ykien serve giao cho nó không ai chạy; hãy chạy `ykien worker` với YKIEN_WORK_POOL="
                       f"{self.pool}, hoặc sửa YKIEN_WORK_POOL của ykien serve nếu gõ nhầm")


def workers_readiness(app: App) -> tuple[bool, str] | None:
    """The work pool's workers as /readyz reports them, when this process hands its steps to Prefect (its executor
    keeps a PoolWorkers); None otherwise, or when Prefect does not answer (its own check says so)."""
    import httpx

    workers = getattr(app.executor, "workers", None)
    if not isinstance(workers, PoolWorkers):
        return None
    try:
        online = online_workers(configured_prefect_api(), workers.pool)
    except (httpx.HTTPError, ValueError):
        return None
    return workers.readiness(online)


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

"""The operators' endpoints, open like a load balancer's probes expect (no session; they show counts, never
names or content): /healthz (the process answers), /readyz (it can serve: database, Prefect when configured, a worker
pulling its work pool) and /metrics (Prometheus text)."""
from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from workflows.service.operations import (
    database_readiness,
    metrics_text,
    prefect_readiness,
    readiness_of,
    workers_readiness,
)
from workflows.web.security import ykien

router = APIRouter(include_in_schema=False)
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
NO_STORE = {"Cache-Control": "no-store"}
# A database that has not answered /readyz's check within this long is "not answering": the probe says so rather
# than outlast the prober's own timeout (a Kubernetes probe's is 1 s by default, a load balancer's a few).
DATABASE_WITHIN_SECONDS = 2.0
NOT_ANSWERING = f"không trả lời sau {DATABASE_WITHIN_SECONDS:g} giây"


@router.get("/healthz")
async def healthz() -> Response:
    """The process is up and its event loop answers; nothing else is checked (a liveness probe)."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    """200 when the database answers at the schema this code needs (and Prefect, when PREFECT_API_URL is set, with a
    worker online in the work pool or not for long: operations.PoolWorkers);
    503 with what is wrong otherwise (a readiness probe: take the replica out of rotation, do not restart it)."""
    prefect = asyncio.ensure_future(run_in_threadpool(prefect_readiness))  # its own 2 s timeout
    workers = asyncio.ensure_future(run_in_threadpool(workers_readiness, ykien(request)))  # the same
    try:
        database = await asyncio.wait_for(asyncio.shield(_database_check(request)), DATABASE_WITHIN_SECONDS)
    except TimeoutError:
        database = (False, NOT_ANSWERING)
    found = readiness_of(database, await prefect, await workers)
    return JSONResponse({"status": "ok" if found.ok else "unavailable", "checks": found.checks},
                        status_code=200 if found.ok else 503, headers=NO_STORE)


def _database_check(request: Request) -> asyncio.Future[tuple[bool, str]]:
    """The database check in progress, or a new one: one at a time, so that probes coming every few seconds while
    the database does not answer wait for the same check instead of each blocking a thread of their own."""
    state = request.app.state
    check: asyncio.Future[tuple[bool, str]] | None = getattr(state, "database_check", None)
    if check is None or check.done() or check.get_loop() is not asyncio.get_running_loop():
        check = asyncio.ensure_future(run_in_threadpool(database_readiness, ykien(request)))
        state.database_check = check
    return check


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    return Response(await run_in_threadpool(metrics_text, ykien(request)), media_type=PROMETHEUS_TEXT,
                    headers=NO_STORE)

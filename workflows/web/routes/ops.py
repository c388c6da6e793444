"""The operators' endpoints, open like a load balancer's probes expect (no session; they show counts, never
names or content): /healthz (the process answers), /readyz (it can serve: database, Prefect when configured) and
/metrics (Prometheus text)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from workflows.service.operations import metrics_text, readiness
from workflows.web.security import ykien

router = APIRouter(include_in_schema=False)
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
async def healthz() -> Response:
    """The process is up and its event loop answers; nothing else is checked (a liveness probe)."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    """200 when the database answers at the schema this code needs (and Prefect, when PREFECT_API_URL is set);
    503 with what is wrong otherwise (a readiness probe: take the replica out of rotation, do not restart it)."""
    found = await run_in_threadpool(readiness, ykien(request))
    return JSONResponse({"status": "ok" if found.ok else "unavailable", "checks": found.checks},
                        status_code=200 if found.ok else 503, headers=NO_STORE)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    return Response(await run_in_threadpool(metrics_text, ykien(request)), media_type=PROMETHEUS_TEXT,
                    headers=NO_STORE)

"""Prefect flows for the heavy steps: one flow run per step (circulate, remind, close), never per email.

The flows take only ids; the process's App is handed over by the PrefectExecutor. Flows are async
(a sync flow's heartbeat thread costs about a second per run) and run the sync step in a thread.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import asdict
from typing import Any

from prefect import flow

from workflows.service.app import App
from workflows.service.delivery import DeliveryReport
from workflows.service.steps import STEPS

_current_app: App | None = None


def _app() -> App:
    if _current_app is None:
        raise RuntimeError("no ykien App handed to the Prefect flows")
    return _current_app


def _result(report: Any) -> dict[str, Any]:
    return asdict(report) if report is not None else {}


@flow(name="circulate", retries=3, retry_delay_seconds=30)
async def circulate_flow(round_id: int | None = None) -> dict[str, Any]:
    """Send the queued messages of a round (the fan-out of invitations, receipts, extensions)."""
    return _result(await asyncio.to_thread(STEPS["circulate"], _app(), round_id))


@flow(name="remind", retries=3, retry_delay_seconds=30)
async def remind_flow(timer_id: int, round_id: int) -> dict[str, Any]:
    """Fire a reminder timer and send the reminders it queued."""
    return _result(await asyncio.to_thread(STEPS["remind"], _app(), timer_id, round_id))


@flow(name="close", retries=3, retry_delay_seconds=30)
async def close_flow(timer_id: int, round_id: int) -> dict[str, Any]:
    """Fire a deadline timer: the round leaves circulation."""
    return _result(await asyncio.to_thread(STEPS["close"], _app(), timer_id, round_id))


FlowFunction = Callable[..., Coroutine[Any, Any, dict[str, Any]]]
FLOWS: dict[str, FlowFunction] = {
    "circulate": circulate_flow, "deliver": circulate_flow, "remind": remind_flow, "close": close_flow,
}


class PrefectExecutor:
    """Runs each step as a Prefect flow run (retries, run history in Prefect's own database)."""

    def run(self, app: App, step: str, params: dict[str, Any]) -> Any:
        global _current_app
        _current_app = app
        result = asyncio.run(FLOWS[step](**params))
        return DeliveryReport(**result) if result else None

"""The heavy steps of a round, run through one interface by an inline or a Prefect executor."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from workflows.service.app import App
from workflows.service.delivery import DeliveryReport, deliver_outbox
from workflows.service.timers import fire_timer

log = logging.getLogger("ykien.steps")
# A work pool with no worker online counts as pulled for this long after serve started or a worker was last seen
# online: long enough for workers started after serve (a rolling start, a worker restarted: Prefect marks one offline
# some 30 s after its last heartbeat), short enough that a pool nobody pulls is found. /readyz and the mail notice.
WORKERLESS_GRACE_SECONDS = 120.0


def circulate(app: App, round_id: int | None = None, stop: threading.Event | None = None,
              unit_codes: list[str] | None = None) -> DeliveryReport:
    """Fan out the queued messages of a round (or of every round; of a round, to `unit_codes` only when given);
    `stop` set stops the sending (deliver_outbox)."""
    return deliver_outbox(app, round_id, stop=stop, unit_codes=unit_codes)


def fire_timer_step(app: App, timer_id: int, round_id: int, stop: threading.Event | None = None) -> DeliveryReport:
    """Fire one timer (a reminder or a deadline) and send what it queued (stopped as `circulate` is)."""
    if fire_timer(app, timer_id).timers_not_due:
        log.warning("hẹn giờ %s của đợt %s chưa đến hạn theo đồng hồ của tiến trình này: để nguyên, chạy khi đến hạn "
                    "(đồng hồ máy này chậm hơn máy chạy ykien serve, hay một bản sao của cơ sở dữ liệu này dùng chung "
                    "work pool?)", timer_id, round_id)
    return deliver_outbox(app, round_id, stop=stop)


STEPS: dict[str, Callable[..., Any]] = {
    "circulate": circulate,
    "deliver": circulate,
    "remind": fire_timer_step,
    "close": fire_timer_step,
}


class StepsUnavailable(Exception):
    """The executor could not take the step now (its server does not answer): nothing ran, nothing was lost. The
    work stays in the database (queued mail, a pending timer) for the next sweep. The message names the setting."""


@dataclass
class HandedToWorkers(DeliveryReport):
    """A step submitted as flow runs for `ykien worker`s to run: this process sent nothing itself (all counts 0).
    `pool` is the work pool the runs went to; `online`, whether a worker is online in it now; `pulled`, whether one
    was within WORKERLESS_GRACE_SECONDS (no: the runs wait; online no but pulled yes: one may be starting)."""

    runs: int = 0
    pool: str = ""
    online: bool = True
    pulled: bool = True


class Executor(Protocol):
    def run(self, app: App, step: str, params: dict[str, Any]) -> Any: ...


class InlineExecutor:
    """Runs the step in this process, now: the default for the CLI and tests."""

    def run(self, app: App, step: str, params: dict[str, Any]) -> Any:
        return STEPS[step](app, **params)


def run_step(app: App, step: str, **params: Any) -> Any:
    """Run a step through the app's executor. Callers outside the sweep go through service/commands.py, which
    applies the one failure policy to what a step raises."""
    if step not in STEPS:
        raise KeyError(f"unknown step {step!r}")
    executor: Executor = app.executor or InlineExecutor()  # type: ignore[assignment]
    return executor.run(app, step, params)

"""A one-shot command (`ykien tick`) that SIGTERM or SIGINT stops as they stop `ykien serve`: nothing more is
claimed, the messages on the wire finish and are recorded, the rest goes back to the queue at once. Before, Ctrl-C
ended it with the results of up to one message per SMTP connection unrecorded (sent again by the next run), and
SIGTERM killed it outright, its claims held until its heartbeat was stale.

The work runs in a thread of its own, so that a stop still ends the command within seconds when the work waits on a
database that no longer answers (the main thread then stops waiting for it, see `finished_while_database_answers`).
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from workflows.service.app import App
from workflows.service.sweep import finished_while_database_answers

Result = TypeVar("Result")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# Once asked to stop, the work is waited for this long at a time, for as long as the database answers.
STOP_WAIT_SECONDS = 3.0
SIGNAL_NAMES = {signal.SIGTERM: "SIGTERM", signal.SIGINT: "Ctrl-C"}


@dataclass
class StopRequest:
    signum: int | None = None  # the signal that asked the command to stop, if one did

    @property
    def exit_code(self) -> int:
        """0 when no signal came, else 128 + its number, as a shell reports a command a signal ended: 130 for
        Ctrl-C, 143 for SIGTERM."""
        return 128 + self.signum if self.signum is not None else 0

    @property
    def said(self) -> str:
        return SIGNAL_NAMES.get(signal.Signals(self.signum), f"tín hiệu {self.signum}") if self.signum else ""


@contextmanager
def stop_on_signals(app: App, wake: threading.Event) -> Iterator[StopRequest]:
    """SIGTERM and SIGINT set App.stopping (the sweep and the delivery claim nothing more) and `wake`. The first
    signal gives the previous handlers back: a second one ends the process at once, as it would have."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield request
        return
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}

    def stopping(signum: int, frame: object) -> None:
        request.signum = signum
        app.stopping.set()
        wake.set()
        for number, handler in previous.items():
            signal.signal(number, handler)

    for signum in STOP_SIGNALS:
        signal.signal(signum, stopping)
    try:
        yield request
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_stoppable(app: App, work: Callable[[], Result], step: str,
                  said_by: logging.Logger) -> tuple[Result | None, StopRequest]:
    """Run `work` until it ends or SIGTERM/SIGINT stops it. Returns what it returned, or raised (raised here), and
    the stop request. Its result is None when it was given up on: stopped while waiting on a database that did not
    answer, noted in App.left_running (its thread is left behind; `end_stopped` ends the process)."""
    wake = threading.Event()
    with stop_on_signals(app, wake) as request:
        runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ykien-work")
        future: Future[Result] = runner.submit(work)
        future.add_done_callback(lambda _: wake.set())
        wake.wait()
        if request.signum is not None and not finished_while_database_answers(
                app, lambda seconds: not wait([future], seconds).not_done, STOP_WAIT_SECONDS, step, said_by):
            runner.shutdown(wait=False)
            return None, request
    runner.shutdown(wait=False)
    return future.result(), request

"""A command that sends mail in its own process (`ykien tick`; `round launch`, `round remind` and the other round
commands unless --queue-only) is stopped by SIGTERM or SIGINT as `ykien serve` is: nothing more is claimed, the
messages on the wire finish and are recorded, the rest goes back to the queue at once. Before, Ctrl-C ended it with
the results of up to one message per SMTP connection unrecorded (sent again by the next run), and SIGTERM killed it
outright, its claims held until its heartbeat was stale. It also beats while it sends (a delivery can outlast the
staleness limit: another process would take its claims) and retires at the end: its heartbeat row used to stay
behind, counted by `ykien db check` as a process running.

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
from typing import TypeVar, cast

import typer

from workflows.cli.common import warn
from workflows.cli.stopped import abandon, end_stopped
from workflows.service.app import STOP_SIGNALS, App, wait_woken_by_signals
from workflows.service.sweep import Heartbeat, finished_while_database_answers

Result = TypeVar("Result")
# Once asked to stop, the work is waited for this long at a time, for as long as the database answers.
STOP_WAIT_SECONDS = 3.0
STEP = "việc gửi thư"
log = logging.getLogger("ykien.cli")
SIGNAL_NAMES = {signal.SIGTERM: "SIGTERM", signal.SIGINT: "Ctrl-C"}


@dataclass
class SignalStop:
    """What a stop signal did to a command that sends mail (not to be confused with serve's handler,
    scheduler.StopRequest)."""

    signum: int | None = None  # the signal that asked the command to stop, if one did
    given_up: bool = False  # stopped while its work waited on a database that did not answer: left running

    @property
    def exit_code(self) -> int:
        """0 when no signal came, else 128 + its number, as a shell reports a command a signal ended: 130 for
        Ctrl-C, 143 for SIGTERM."""
        return 128 + self.signum if self.signum is not None else 0

    @property
    def said(self) -> str:
        return SIGNAL_NAMES.get(signal.Signals(self.signum), f"tín hiệu {self.signum}") if self.signum else ""


@contextmanager
def stop_on_signals(app: App, wake: threading.Event) -> Iterator[SignalStop]:
    """SIGTERM and SIGINT set App.stopping (the sweep and the delivery claim nothing more) and `wake`. The first
    signal gives the previous handlers back: a second one ends the process at once, as it would have."""
    stop = SignalStop()
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield stop
        return
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}

    def stopping(signum: int, frame: object) -> None:
        stop.signum = signum
        app.stopping.set()
        wake.set()
        for number, handler in previous.items():
            signal.signal(number, handler)

    for signum in STOP_SIGNALS:
        signal.signal(signum, stopping)
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_stoppable(app: App, work: Callable[[], Result], step: str,
                  said_by: logging.Logger) -> tuple[Result | None, SignalStop]:
    """Run `work` until it ends or SIGTERM/SIGINT stops it. Returns what it returned, or raised (raised here), and
    how a signal stopped it. When the work was given up on (`SignalStop.given_up`: stopped while waiting on a
    database that did not answer, noted in App.left_running, its thread left behind), there is no result: None."""
    wake = threading.Event()
    runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ykien-work")
    try:
        with stop_on_signals(app, wake) as stop:
            future: Future[Result] = runner.submit(work)
            future.add_done_callback(lambda _: wake.set())
            wait_woken_by_signals(wake)
            if stop.signum is not None and not finished_while_database_answers(
                    app, lambda seconds: not wait([future], seconds).not_done, STOP_WAIT_SECONDS, step, said_by):
                stop.given_up = True
                return None, stop
    finally:
        runner.shutdown(wait=False)  # a thread given up on is left behind, never joined
    return future.result(), stop


def run_sending(app: App, work: Callable[[], Result]) -> tuple[Result, Callable[[], None]]:
    """Run `work`, a command that may send mail, beating and stoppable (see the module). Returns what it returned
    (what it raised is raised here, once its instance has retired) and `finish`, to call once the command has said
    what it did: it says that the command was stopped, if it was, and then exits 130 or 143. When the work was given
    up (stopped while the database did not answer), the process ends here, exit 2."""
    with Heartbeat(app) as heartbeat:
        result, stop = run_stoppable(app, work, STEP, log)
    if stop.given_up:
        abandon(heartbeat, stop.exit_code)

    def finish() -> None:
        if stop.signum is not None:
            warn(f"theo yêu cầu ({stop.said}) trước khi làm xong. Thư đang gửi dở đã gửi xong; thư còn lại trả về "
                 "hàng đợi, lần `ykien tick` sau (hoặc `ykien serve`) gửi tiếp.", heading="Đã dừng")
        end_stopped(app, heartbeat, stop.exit_code)
        if stop.signum is not None:
            raise typer.Exit(stop.exit_code)

    return cast(Result, result), finish  # a result: only work given up has none

"""How a command that beats (`ykien serve`, `ykien worker`, `ykien tick`) ends once it has stopped: exit 0 (a tick
stopped by a signal: 128 + its number) when it told the database that it stopped, exit 2 when the database did not
answer (the problem is logged on one line by `Heartbeat`). A thread still blocked on that database (a step it stopped
waiting for, App.left_running, or a web request's) would hold the interpreter's exit for ever: then the process ends
at once, its output flushed."""
from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn

from workflows.cli.common import EXIT_BAD_INPUT
from workflows.service.app import App
from workflows.service.sweep import Heartbeat

EXIT_DATABASE_AWAY = EXIT_BAD_INPUT  # every database the CLI cannot reach exits 2 (database_errors)


def end_stopped(app: App, heartbeat: Heartbeat, stopped_code: int = 0) -> None:
    """Return when nothing is left to wait for; else end the process (`abandon`)."""
    if heartbeat.retired and not app.left_running:
        return
    abandon(heartbeat, stopped_code)


def abandon(heartbeat: Heartbeat, stopped_code: int = 0) -> NoReturn:
    """End the process at once, threads still blocked or not: with `stopped_code` when the database was told that
    it stopped, else EXIT_DATABASE_AWAY."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(stopped_code if heartbeat.retired else EXIT_DATABASE_AWAY)

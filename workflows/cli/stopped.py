"""How a long-running command (`ykien serve`, `ykien worker`) ends once it has stopped: exit 0 when it told the
database that it stopped, exit 2 when the database did not answer (the problem is logged on one line by
`Heartbeat`). Work it stopped waiting for (App.left_running: a step blocked on that database) would hold the
interpreter's exit for ever: the process then ends at once, its output flushed."""
from __future__ import annotations

import logging
import os
import sys

import typer

from workflows.cli.common import EXIT_BAD_INPUT
from workflows.service.app import App
from workflows.service.sweep import Heartbeat

EXIT_DATABASE_AWAY = EXIT_BAD_INPUT  # every database the CLI cannot reach exits 2 (database_errors)


def end_stopped(app: App, heartbeat: Heartbeat) -> None:
    code = 0 if heartbeat.retired else EXIT_DATABASE_AWAY
    if app.left_running:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    if code:
        raise typer.Exit(code)

"""The database as a command finds it before it starts: reachable, at the schema this code needs, writable;
and the work waiting for the sweep (`ykien db check`).

Each function opens its own short connection. The driver's errors are not translated here: the entry points
tell people what they mean (workflows/service/database_errors.py, the web app's handlers).
"""
from __future__ import annotations

from datetime import timedelta

from models.db.database import DatabaseStatus, SchemaState, check_writable, database_status, schema_state
from workflows.service.app import App

__all__ = ["DatabaseStatus", "SchemaState", "ensure_writable", "schema_of", "status_of"]


def schema_of(app: App) -> SchemaState:
    """The schema revisions the database records, against the code's (the first connection of a command)."""
    return schema_state(app.engine)


def ensure_writable(app: App) -> None:
    """Raise the driver's error unless a write can be committed (init, tick and serve call it first)."""
    check_writable(app.engine)


def status_of(app: App) -> DatabaseStatus:
    """The schema, the counts of queued mail and pending timers due at the app's clock, the background jobs, and
    the processes alive (a heartbeat within the settings' stale_after_seconds)."""
    now = app.clock.now()
    return database_status(app.engine, now, now - timedelta(seconds=app.settings.stale_after_seconds))

"""Wiring: settings, database, clock and calendar for one process."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.calendar import WorkingCalendar, load_calendar
from config.clock import Clock, clock_from_settings
from config.settings import Settings, load_settings
from models.db.database import make_engine, migrate, schema_is_current, session_factory
from models.db.instance_repository import Instance
from models.db.unit_of_work import UnitOfWork

# The signals that ask a ykien process to stop (systemd and container runtimes send SIGTERM, a terminal Ctrl-C):
# each long-running command (serve, worker, tick and the commands that send mail) sets App.stopping on them.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
SIGNAL_WAKE_SECONDS = 0.5


def wait_woken_by_signals(event: threading.Event) -> None:
    """`event.wait()` in the main thread, waking every SIGNAL_WAKE_SECONDS: Linux may deliver a process's SIGTERM to
    any of its threads, and Python runs the handler in the main thread only when it next runs Python code, which a
    wait without a timeout never does (`ykien serve --no-web` ran on after a SIGTERM taken by another thread)."""
    while not event.wait(SIGNAL_WAKE_SECONDS):
        pass


class StopRequest(threading.Event):
    """An Event that keeps when it was first set (time.monotonic()): the grace a stop gives the messages on the wire
    counts from the request, not from when a loaded process got round to noticing it."""

    asked_at: float | None = None

    def set(self) -> None:
        if self.asked_at is None:
            self.asked_at = time.monotonic()
        super().set()


@dataclass
class App:
    """Everything a use case needs from the outside world, built once per process."""

    settings: Settings
    engine: Engine
    clock: Clock
    smtp_url_override: str | None = None
    executor: object | None = field(default=None)
    # Set when the process is asked to stop (SIGTERM, SIGINT): sweeps and deliveries claim nothing more, finish
    # what is on the wire and leave the rest to be released.
    stopping: StopRequest = field(default_factory=StopRequest)
    # Messages a delivery of this process claimed and could not record (the database went away mid fan-out): they
    # are released at the next delivery, so that they go out without waiting for their lease to run out.
    unrecorded_claims: set[int] = field(default_factory=set)
    # What this process stopped without waiting for any longer (a step blocked on a database that stopped
    # answering): the process ends without it, since the interpreter would wait for it for ever at exit.
    left_running: list[str] = field(default_factory=list)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    @cached_property
    def instance(self) -> Instance:
        """This process instance, named in its claims and in the messages it sends: host:pid:random, new for every
        App, so that a restarted process (same host, PID 1 again in its container) or a second App in one process
        is another instance, whose liveness is its own heartbeat row."""
        host = socket.gethostname()[:100] or "localhost"
        pid = os.getpid()
        return Instance(f"{host}:{pid}:{secrets.token_hex(4)}", host, pid, self.clock.now())

    @cached_property
    def installation_id(self) -> str:
        """The id of the installation this process belongs to, kept in its database: the tag of the flow runs it
        submits, and which runs its `ykien worker` takes from a work pool shared with another installation."""
        with self.uow() as uow:
            found = uow.instances.installation_id(self.clock.now())
            uow.commit()
        return found

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return load_calendar(self.settings.calendar_file_resolved, self.settings.calendar_file_named_by)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    @property
    def smtp_url(self) -> str | None:
        return self.smtp_url_override or self.settings.smtp_url

    @cached_property
    def secret_key(self) -> str:
        """YKIEN_SECRET_KEY, or a random key kept in the home (created once, readable by the owner only)."""
        if self.settings.secret_key:
            return self.settings.secret_key
        path = self.settings.home / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"secret_key.{os.getpid()}.partial")
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            try:
                os.link(partial, path)  # atomic: the first process to get here wins, others read its key
            except FileExistsError:
                pass
            finally:
                partial.unlink()
        return path.read_text().strip()

    def uow(self, read_only: bool = False, each_statement: bool = False) -> UnitOfWork:
        """A unit of work; read_only=True for pages and reports (no write lock on SQLite); each_statement=True for
        writes whose statements stand each on its own (see UnitOfWork)."""
        return UnitOfWork(self.sessions, read_only=read_only, each_statement=each_statement)

    def schema_is_current(self) -> bool:
        """Whether the database is at the latest migration (False when `ykien init` never ran)."""
        return schema_is_current(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def build_app(settings: Settings | None = None, clock: Clock | None = None, create_schema: bool = False) -> App:
    settings = settings or load_settings()
    engine = make_engine(settings.database_url_resolved)
    if create_schema:
        settings.home.mkdir(parents=True, exist_ok=True)
        migrate(engine)
    return App(settings=settings, engine=engine, clock=clock or clock_from_settings(settings))

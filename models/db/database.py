"""Engine creation with the settings each backend needs, and schema migration."""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from models.db.job_repository import RUNNING, WAITING_FOR_WORKER
from models.db.tables import InstanceRow, OutboxRow, TimerRow
from models.db.tables_jobs import JobRow

if TYPE_CHECKING:
    import sqlite3

    from alembic.config import Config
    from sqlalchemy import Connection
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration. Kept here so that commands can check the schema without importing alembic
# (a third of a second); tests/integration/test_storage.py checks it against alembic's head.
READ_ONLY = "ykien_read_only"
SCHEMA_REVISION = "0029"
SQLITE_TIMEOUT = 30.0  # seconds a SQLite writer waits for the lock; `?timeout=` in the URL changes it
POSTGRES_CONNECT_TIMEOUT = 10  # seconds to reach the server; `?connect_timeout=` in the URL changes it
# Across a network cut (a database host that lost power, a failover to another address) no reset ever comes, and a
# statement on an open connection waited for the system's TCP retries, about 15 minutes. libpq's TCP settings bound
# that: data the server has not acknowledged for 15 s, or an idle connection silent to three keepalive probes,
# ends the connection with an error, which the sweep and the pool recover from. A blip shorter than that goes
# unnoticed. Each can be changed by the same name in the URL's query (`?tcp_user_timeout=30000`).
POSTGRES_TCP_SETTINGS: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 15,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,  # milliseconds
}
PING_AFTER_REST = 1.0  # seconds a pooled PostgreSQL connection may rest before its next checkout checks it
_RESTING_SINCE = "ykien_resting_since"


def make_engine(url: str, echo: bool = False) -> Engine:
    """A SQLAlchemy engine; on SQLite with WAL, a busy timeout and write transactions taken eagerly; on PostgreSQL,
    a bounded wait for the server (an unreachable host fails in seconds, not after the system's TCP timeout)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        timeout = parsed.query.get("timeout")
        seconds = float(timeout if isinstance(timeout, str) else SQLITE_TIMEOUT)  # checked by the settings
        engine = create_engine(url, echo=echo, connect_args={"timeout": seconds, "check_same_thread": False})
        _configure_sqlite(engine, seconds)
        return engine
    engine = create_engine(url, echo=echo, connect_args=_postgres_defaults(parsed.query))
    _ping_when_rested(engine)
    return engine


def driver_connect_arguments(engine: Engine) -> dict[str, Any]:
    """What `make_engine`'s PostgreSQL engine hands psycopg to connect (the URL's parts and query, the bounded wait
    for the server), for a connection of psycopg's own outside the pool (async_sent_recorder)."""
    _positional, arguments = engine.dialect.create_connect_args(engine.url)
    return {**_postgres_defaults(arguments), **arguments}


def _postgres_defaults(given: Mapping[str, object]) -> dict[str, Any]:
    """The bounded waits for the server (POSTGRES_CONNECT_TIMEOUT, POSTGRES_TCP_SETTINGS) that `given` (the URL's
    query) does not set itself."""
    defaults: dict[str, Any] = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT, **POSTGRES_TCP_SETTINGS}
    return {name: value for name, value in defaults.items() if name not in given}


def _ping_when_rested(engine: Engine) -> None:
    """Check a pooled connection on checkout when it rested PING_AFTER_REST or longer, and replace it if the server
    is gone (a restart, an idle timeout): what pool_pre_ping does, without its round trip on every checkout. Under
    load a connection goes back and out within milliseconds, and an answer checks out two; one that dies in the
    meantime fails its statement, which makes SQLAlchemy renew the whole pool."""
    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info[_RESTING_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
        record.info[_RESTING_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        since = record.info.get(_RESTING_SINCE)
        if since is not None and time.monotonic() - since < PING_AFTER_REST:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"the pooled connection is gone: {error}") from error  # the pool reconnects


def _configure_sqlite(engine: Engine, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={round(timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A deferred transaction that later writes can fail with "database is locked" at once;
        # taking the write lock up front makes concurrent writers wait on the busy timeout instead.
        # Read-only units of work (pages, reports) take no write lock: WAL lets them read alongside.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@dataclass(frozen=True)
class SchemaState:
    """The schema revisions a database records (alembic_version) against the one this code needs."""

    revisions: frozenset[str]  # empty when the database was never initialised
    code: str = SCHEMA_REVISION

    @property
    def current(self) -> bool:
        return self.revisions == {self.code}

    @property
    def newer(self) -> bool:
        """Whether the database has a revision this code does not know (a newer ykien migrated it)."""
        return bool(self.revisions - known_revisions())


def schema_state(engine: Engine) -> SchemaState:
    """The revisions in the database; the first connection of most commands. Takes no write lock."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        if not engine.dialect.has_table(connection, "alembic_version"):
            return SchemaState(frozenset())
        return SchemaState(frozenset(connection.scalars(text("SELECT version_num FROM alembic_version"))))


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the latest migration (False when it was never initialised)."""
    return schema_state(engine).current


def known_revisions() -> frozenset[str]:
    """Every revision of the migrations (reads them with alembic: only when a schema is not the current one)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(revision.revision for revision in script.walk_revisions())


def check_writable(engine: Engine) -> None:
    """Write and commit a change that changes nothing (alembic_version set to itself). The driver's error comes out
    here when the database cannot be written: a read-only file, folder or transaction, a role without the right,
    a full disk. Commands that write call it, so they cannot report success with nothing to write."""
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = version_num"))


@dataclass(frozen=True)
class DatabaseStatus:
    """What `ykien db check` reports: the backend, the schema, and the work waiting for the sweep at `now`."""

    backend: str
    schema: SchemaState
    outbox_queued: int  # messages not yet sent (queued, also those waiting for a retry)
    outbox_due: int  # of those, due for sending at `now`
    timers_pending: int
    timers_due: int  # pending timers due at `now`: the next sweep fires them
    jobs_running: int  # background jobs (a PDF, a launch, a package) a process runs now
    jobs_waiting: int  # background jobs handed to the workers that no `ykien worker` has taken yet
    instances_alive: int  # processes (serve, tick, worker) whose heartbeat is recent: claims stay theirs


def database_status(engine: Engine, now: datetime, alive_since: datetime) -> DatabaseStatus:
    """The status, in two cheap queries (counts on the indexed status and due columns, and on the small jobs and
    instances tables)."""
    queued = OutboxRow.status == "queued"
    pending = TimerRow.status == "pending"
    running = JobRow.status == RUNNING
    query = select(select(func.count(OutboxRow.id)).where(queued).scalar_subquery(),
                   select(func.count(OutboxRow.id)).where(queued, OutboxRow.next_attempt_at <= now).scalar_subquery(),
                   select(func.count(TimerRow.id)).where(pending).scalar_subquery(),
                   select(func.count(TimerRow.id)).where(pending, TimerRow.due_at <= now).scalar_subquery(),
                   select(func.count(JobRow.id)).where(running, JobRow.owner != WAITING_FOR_WORKER).scalar_subquery(),
                   select(func.count(JobRow.id)).where(running, JobRow.owner == WAITING_FOR_WORKER).scalar_subquery(),
                   select(func.count(InstanceRow.id)).where(InstanceRow.heartbeat_at >= alive_since)
                   .scalar_subquery())
    schema = schema_state(engine)
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        counts = [int(number or 0) for number in connection.execute(query).one()]
    return DatabaseStatus(engine.dialect.name, schema, *counts)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision. A database already there is only read: alembic would load its
    environment and every migration script, and SQLite would check every foreign key, to do nothing."""
    if schema_state(engine).current:
        return
    run_migrations(engine, "head")


def run_migrations(engine: Engine, revision: str, down: bool = False) -> None:
    """Upgrade (or downgrade) the schema to `revision` in one transaction. On SQLite, foreign keys are off meanwhile:
    a batch migration that rebuilds a table other tables refer to (rounds) drops the old one, which SQLite refuses
    while they are on. They are checked before the commit, so a migration that broke one rolls back."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    step = command.downgrade if down else command.upgrade
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # on the raw connection: the pragma is a no-op inside the transaction SQLAlchemy would begin
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration to {revision} left rows whose foreign key points nowhere: "
                                           f"{broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]

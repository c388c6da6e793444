"""Messages recorded as sent on one connection held for a whole delivery.

A fan-out records thousands of results, a few at a time, each write one UPDATE. Through a unit of work each write
also pays for a session and a pool checkout and return: about twice the statement's own CPU (0.38 against 0.21 ms a
write on PostgreSQL here). The recorder holds one connection instead. On PostgreSQL each statement commits on its own
(autocommit); on SQLite each write is its own transaction. A connection the server has dropped (a restart) is opened
again once and the write repeated: marking a message sent twice is harmless.
"""
from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from models.db.outbox_repository import record_sent

# How long `close` waits for a write still running (a delivery that broke off leaves its last write to its thread).
CLOSE_WAIT_SECONDS = 5.0


class SentRecorder:
    """`mark_sent` from any thread, one write at a time; `close` when the delivery ends."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._autocommit = engine.dialect.name == "postgresql"
        self._connection: Connection | None = None
        self._writing = threading.Lock()  # a connection is closed only between writes, never under one
        self._closing = False

    def mark_sent(self, ids: list[int], at: datetime, sent_by: str) -> None:
        if not ids:
            return
        with self._writing:
            try:
                self._write(ids, at, sent_by)
            finally:
                if self._closing:  # `close` gave up waiting for this write: the connection ends with it
                    self._drop()

    def close(self) -> None:
        """Close the connection once no write runs on it. A write that outlasts CLOSE_WAIT_SECONDS (a server that
        stopped answering) closes it when it ends."""
        self._closing = True
        if self._writing.acquire(timeout=CLOSE_WAIT_SECONDS):
            try:
                self._drop()
            finally:
                self._writing.release()

    def _write(self, ids: list[int], at: datetime, sent_by: str) -> None:
        for last_try in (False, True):
            connection = self._open()
            try:
                if self._autocommit:
                    record_sent(connection, ids, at, sent_by)
                else:
                    with connection.begin():
                        record_sent(connection, ids, at, sent_by)
                return
            except DBAPIError as error:
                self._drop()
                if last_try or not error.connection_invalidated:
                    raise

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _open(self) -> Connection:
        if self._connection is None:
            connection = self._engine.connect()
            self._connection = connection.execution_options(isolation_level="AUTOCOMMIT") if self._autocommit \
                else connection
        return self._connection

"""Messages recorded as sent on one connection held for a whole delivery.

A fan-out records thousands of results, a few at a time, each write one UPDATE. Through a unit of work each write
also pays for a session and a pool checkout and return: about twice the statement's own CPU (0.38 against 0.21 ms a
write on PostgreSQL here). The recorder holds one connection instead. On PostgreSQL each statement commits on its own
(autocommit); on SQLite each write is its own transaction. A connection the server has dropped (a restart) is opened
again once and the write repeated: marking a message sent twice is harmless.

A delivery runs on an event loop and asks `loop_sent_recorder` for its recorder: on PostgreSQL the writes are awaited
on the loop itself (async_sent_recorder), on SQLite this one writes in a thread, since a SQLite write may wait for
another process's lock, which must not hold up the loop's SMTP connections.
"""
from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from typing import Protocol

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


class LoopSentRecorder(Protocol):
    """What a delivery's event loop records its sent messages with: one write at a time, each committed when it
    returns; `close` on the same loop when the delivery ends."""

    async def mark_sent(self, ids: list[int], at: datetime, sent_by: str) -> None: ...

    async def close(self) -> None: ...


class ThreadedSentRecorder:
    """A SentRecorder awaited from an event loop, each write and the close in a thread."""

    def __init__(self, engine: Engine) -> None:
        self._recorder = SentRecorder(engine)

    async def mark_sent(self, ids: list[int], at: datetime, sent_by: str) -> None:
        if ids:
            await asyncio.to_thread(self._recorder.mark_sent, ids, at, sent_by)

    async def close(self) -> None:
        await asyncio.to_thread(self._recorder.close)


def loop_sent_recorder(engine: Engine) -> LoopSentRecorder:
    """The recorder a delivery on an event loop holds: on the loop on PostgreSQL, in a thread on SQLite."""
    if engine.dialect.name == "postgresql":
        from models.db.async_sent_recorder import AsyncSentRecorder  # psycopg: not loaded on SQLite

        return AsyncSentRecorder(engine)
    return ThreadedSentRecorder(engine)

"""Messages recorded as sent on PostgreSQL from the delivery's event loop, on a psycopg connection of its own.

sent_recorder.SentRecorder does the same write on a SQLAlchemy connection, from a thread: handing each write to a
thread and back cost the worker 0.013-0.076 ms of CPU a message more than awaiting it here (six pairs of the fan-out
benchmark run in turns, 4 December), about as much as the statement's own. Here the write is awaited on the loop
that sent the messages: the same text (outbox_repository.mark_sent_on_postgresql), autocommit, one write at a time.
The connection is opened at the first write and closed by `close`, both on that loop. A connection the server
dropped (a restart, the backend terminated) is opened again once and the write repeated: marking a message sent
twice is harmless. Errors are raised as SQLAlchemy's (`DBAPIError`, `OperationalError` …), as the thread path raises
them, so that callers (the CLI's words for a database that went away) read them alike.
"""
from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from models.db.database import driver_connect_arguments
from models.db.outbox_repository import mark_sent_on_postgresql

# How long `close` waits for a write still running (a delivery that broke off leaves its last write behind).
CLOSE_WAIT_SECONDS = 5.0


class AsyncSentRecorder:
    """`await mark_sent` from the tasks of one event loop, one write at a time; `await close()` on that loop when
    the delivery ends. PostgreSQL only."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError(f"AsyncSentRecorder writes to PostgreSQL, not {engine.dialect.name}")
        self._dialect = engine.dialect
        self._connect_arguments = driver_connect_arguments(engine)
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._writing: asyncio.Lock | None = None  # made on the loop that writes
        self._closing = False

    async def mark_sent(self, ids: list[int], at: datetime, sent_by: str) -> None:
        if not ids:
            return
        statement, parameters = mark_sent_on_postgresql(ids, at, sent_by)
        async with self._lock():
            try:
                await self._write(statement, parameters)
            finally:
                if self._closing:  # `close` gave up waiting for this write: the connection ends with it
                    await self._drop()

    async def close(self) -> None:
        """Close the connection once no write runs on it. A write that outlasts CLOSE_WAIT_SECONDS (a server that
        stopped answering) closes it when it ends."""
        self._closing = True
        lock = self._lock()
        try:
            await asyncio.wait_for(lock.acquire(), CLOSE_WAIT_SECONDS)
        except TimeoutError:
            return
        try:
            await self._drop()
        finally:
            lock.release()

    def _lock(self) -> asyncio.Lock:
        if self._writing is None:
            self._writing = asyncio.Lock()
        return self._writing

    async def _write(self, statement: str, parameters: dict[str, object]) -> None:
        for last_try in (False, True):
            connection = await self._open(statement, parameters)
            try:
                await connection.execute(statement, parameters)
                return
            except psycopg.Error as error:
                dropped = connection.broken or connection.closed
                await self._drop()
                if last_try or not dropped:
                    raise self._as_sqlalchemy(error, statement, parameters, dropped) from error

    async def _open(self, statement: str, parameters: dict[str, object]) -> psycopg.AsyncConnection[Any]:
        if self._connection is None:
            try:
                self._connection = await psycopg.AsyncConnection.connect(autocommit=True, **self._connect_arguments)
            except psycopg.Error as error:
                raise self._as_sqlalchemy(error, statement, parameters, False) from error
        return self._connection

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await connection.close()

    def _as_sqlalchemy(self, error: psycopg.Error, statement: str, parameters: dict[str, object],
                       dropped: bool) -> BaseException:
        """`error` as SQLAlchemy raises psycopg's errors: OperationalError for a server that went away, and so on."""
        return DBAPIError.instance(statement, parameters, error, psycopg.Error, connection_invalidated=dropped,
                                   dialect=self._dialect)

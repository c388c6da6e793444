"""The recorder a delivery awaits on its event loop (sent_recorder.loop_sent_recorder): on PostgreSQL a psycopg
connection of its own, opened and closed on the loop, no thread; on SQLite the held connection written from a thread.
Each write is committed when it returns, names the instance that sent, and survives the server dropping the
connection (done again once on a new one); its errors are SQLAlchemy's, as the thread path raises them."""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from config.clock import FrozenClock
from models.db.async_sent_recorder import AsyncSentRecorder
from models.db.database import make_engine
from models.db.sent_recorder import ThreadedSentRecorder, loop_sent_recorder
from models.db.tables import OutboxRow
from notifications.testing import SmtpCapture
from tests.integration.test_replicas import launch
from workflows.service.app import App
from workflows.service.delivery import deliver_outbox

UNITS = 12
# The recorder's statement, as pg_stat_activity shows a backend's last one.
RECORDING = "UPDATE outbox SET status = 'sent'%"


@pytest.fixture
def launched(app: App, clock: FrozenClock, tmp_path: Path, make_round: Callable[..., int], staff: str) -> int:
    return launch(app, clock, tmp_path, UNITS, make_round, staff)


@pytest.fixture
def ids(app: App, launched: int) -> list[int]:
    """The ids of the queued invitations of a launched round of UNITS units."""
    with app.uow(read_only=True) as uow:
        return [row.id for row in uow.outbox.for_round(launched)]


def sent(app: App) -> dict[int, str | None]:
    """Message id -> the instance that sent it, read by a unit of work of its own (what another process sees)."""
    with app.uow(read_only=True) as uow:
        rows = uow.session.execute(select(OutboxRow.id, OutboxRow.sent_by).where(OutboxRow.status == "sent"))
        return {message_id: sent_by for message_id, sent_by in rows}


def attempts(app: App, ids: list[int]) -> dict[int, int]:
    with app.uow(read_only=True) as uow:
        return dict(uow.session.execute(select(OutboxRow.id, OutboxRow.attempts).where(OutboxRow.id.in_(ids))).all())


def recording_backends(app: App) -> int:
    """Backends of the test's database whose last statement was a record as sent (idle or running)."""
    with app.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND pid <> pg_backend_pid() AND query LIKE :recording"),
                                      {"recording": RECORDING}).scalar_one())


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    """A backend ends a moment after its client said goodbye."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_each_write_is_seen_by_others_when_it_returns_and_names_the_sender(
        app: App, clock: FrozenClock, ids: list[int]) -> None:
    """On both backends, through the recorder a delivery gets: the loop's own on PostgreSQL, a thread on SQLite."""
    recorder = loop_sent_recorder(app.engine)
    expected = AsyncSentRecorder if app.engine.dialect.name == "postgresql" else ThreadedSentRecorder
    assert type(recorder) is expected
    seen: list[dict[int, str | None]] = []

    async def deliver() -> None:
        await recorder.mark_sent(ids[:3], clock.now(), "may-1")
        seen.append(sent(app))
        await recorder.mark_sent([], clock.now(), "may-1")  # nothing to write: no statement, nothing changes
        await recorder.mark_sent(ids[3:], clock.now(), "may-2")
        seen.append(sent(app))
        await recorder.close()

    asyncio.run(deliver())
    assert seen == [dict.fromkeys(ids[:3], "may-1"), {**dict.fromkeys(ids[:3], "may-1"), **dict.fromkeys(ids[3:], "may-2")}]
    assert attempts(app, ids) == dict.fromkeys(ids, 1)
    with app.uow(read_only=True) as uow:
        assert uow.session.scalar(select(OutboxRow.id).where(OutboxRow.claimed_by.is_not(None))) is None


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_connection_is_opened_at_the_first_write_and_closed_on_the_loop(
        app: App, clock: FrozenClock, ids: list[int]) -> None:
    recorder = AsyncSentRecorder(app.engine)
    counts: list[int] = []

    async def deliver() -> None:
        counts.append(recording_backends(app))
        await recorder.mark_sent(ids[:1], clock.now(), "may-1")
        counts.append(recording_backends(app))
        await recorder.close()
        await recorder.close()  # twice is harmless

    asyncio.run(deliver())
    assert counts == [0, 1]
    assert eventually(lambda: recording_backends(app) == 0), "the recorder's connection outlived its delivery"


@pytest.mark.parametrize("backend", ["postgresql"])  # a server that drops connections
def test_a_connection_the_server_dropped_is_opened_again_and_the_write_done_once(
        app: App, clock: FrozenClock, ids: list[int]) -> None:
    recorder = AsyncSentRecorder(app.engine)
    dropped: list[int] = []

    async def deliver() -> None:
        await recorder.mark_sent(ids[:1], clock.now(), "may-1")
        with app.engine.connect() as other:  # every other backend of this database ends, the recorder's with them
            dropped.append(other.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one())
        await recorder.mark_sent(ids[1:2], clock.now(), "may-1")
        await recorder.close()

    asyncio.run(deliver())
    app.engine.dispose()  # the pool's connections were terminated too
    assert dropped[0] >= 1
    assert sent(app) == dict.fromkeys(ids[:2], "may-1")
    assert attempts(app, ids[:2]) == dict.fromkeys(ids[:2], 1)  # the second write was done once, on the new connection


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_database_it_cannot_reach_raises_sqlalchemys_error_with_psycopgs_inside(
        app: App, clock: FrozenClock, ids: list[int]) -> None:
    """What the CLI turns into its Vietnamese line about the database (workflows/service/database_errors.py) reads
    SQLAlchemy's error and the driver's SQLSTATE in it, whichever path wrote."""
    url = app.engine.url.set(database="khong_co_csdl_nay")
    recorder = AsyncSentRecorder(make_engine(url.render_as_string(hide_password=False)))

    async def deliver() -> None:
        try:
            await recorder.mark_sent(ids[:1], clock.now(), "may-1")
        finally:
            await recorder.close()

    with pytest.raises(OperationalError) as raised:
        asyncio.run(deliver())
    assert 'database "khong_co_csdl_nay" does not exist' in str(raised.value.orig)
    assert sent(app) == {}


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_naive_time_is_refused_before_anything_is_written(app: App, ids: list[int]) -> None:
    recorder = AsyncSentRecorder(app.engine)
    with pytest.raises(ValueError, match="naive"):
        asyncio.run(recorder.mark_sent(ids[:1], datetime(2025, 11, 20, 9, 0), "may-1"))
    asyncio.run(recorder.close())
    assert sent(app) == {}


def test_it_is_for_postgresql_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sqlite"):
        AsyncSentRecorder(make_engine(f"sqlite:///{tmp_path}/ykien.db"))


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_fan_out_records_its_results_on_the_delivering_thread_not_through_another(
        app: App, capture: SmtpCapture, launched: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """deliver_outbox runs its event loop in the calling thread: every record as sent is written there, and the
    recorder's connection is gone when it returns."""
    writers: list[threading.Thread] = []
    write = AsyncSentRecorder.mark_sent

    async def watched(recorder: AsyncSentRecorder, message_ids: list[int], at: datetime, sent_by: str) -> None:
        writers.append(threading.current_thread())
        await write(recorder, message_ids, at, sent_by)

    monkeypatch.setattr(AsyncSentRecorder, "mark_sent", watched)

    report = deliver_outbox(app, launched)

    assert report.sent == len(capture.messages) == UNITS
    assert writers and set(writers) == {threading.current_thread()}
    assert set(sent(app).values()) == {app.instance.id}
    assert eventually(lambda: recording_backends(app) == 0), "the recorder's connection outlived its delivery"


@pytest.mark.parametrize("backend", ["postgresql"])
def test_close_gives_up_waiting_for_a_stuck_write_and_the_write_closes_the_connection_when_it_ends(
        app: App, clock: FrozenClock, ids: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """A write held by another transaction's lock: `close` returns after CLOSE_WAIT_SECONDS, not when the lock
    goes; the write still completes once the lock is released, and its connection ends with it."""
    monkeypatch.setattr("models.db.async_sent_recorder.CLOSE_WAIT_SECONDS", 0.3)
    recorder = AsyncSentRecorder(app.engine)
    blocker = app.engine.connect()
    blocker.execute(text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"), {"id": ids[0]})
    waited: list[float] = []
    backends_after_close: list[int] = []

    async def deliver() -> None:
        writing = asyncio.create_task(recorder.mark_sent(ids[:1], clock.now(), "may-1"))
        await asyncio.sleep(0.2)  # the write is on the wire, waiting for the row
        assert not writing.done()
        # The lock goes 1.5 s from now: a close that waited for the write would take that long, not hang the test.
        asyncio.get_running_loop().call_later(1.5, blocker.rollback)
        started = time.monotonic()
        await recorder.close()
        waited.append(time.monotonic() - started)
        backends_after_close.append(recording_backends(app))
        await writing  # goes through once the lock is gone, then drops its connection

    try:
        asyncio.run(deliver())
    finally:
        blocker.close()
    assert 0.25 <= waited[0] < 1.0
    assert backends_after_close == [1]  # close did not cut the write off
    assert sent(app) == {ids[0]: "may-1"}
    assert eventually(lambda: recording_backends(app) == 0), "the stuck write's connection outlived it"

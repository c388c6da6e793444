"""SentRecorder, the connection a delivery holds to record what it sent: each write is committed when it returns
(another process sees it at once), names the instance that sent, and survives the server dropping the connection
(PostgreSQL restarted, the backend terminated): the write is done on a new connection, once."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from config.clock import FrozenClock
from models.db.sent_recorder import SentRecorder
from models.db.tables import OutboxRow
from tests.integration.test_replicas import launch
from workflows.service.app import App

UNITS = 12


@pytest.fixture
def ids(app: App, clock: FrozenClock, tmp_path: Path, make_round: Callable[..., int], staff: str) -> list[int]:
    """The ids of the queued invitations of a launched round of UNITS units."""
    round_id = launch(app, clock, tmp_path, UNITS, make_round, staff)
    with app.uow(read_only=True) as uow:
        return [row.id for row in uow.outbox.for_round(round_id)]


@pytest.fixture
def recorder(app: App) -> Iterator[SentRecorder]:
    held = SentRecorder(app.engine)
    yield held
    held.close()


def sent(app: App) -> dict[int, str | None]:
    """Message id -> the instance that sent it, read by a unit of work of its own (what another process sees)."""
    with app.uow(read_only=True) as uow:
        rows = uow.session.execute(select(OutboxRow.id, OutboxRow.sent_by).where(OutboxRow.status == "sent"))
        return {message_id: sent_by for message_id, sent_by in rows}


def test_each_write_is_seen_by_others_when_it_returns_and_names_the_sender(
        app: App, clock: FrozenClock, ids: list[int], recorder: SentRecorder) -> None:
    recorder.mark_sent(ids[:3], clock.now(), "may-1")
    assert sent(app) == dict.fromkeys(ids[:3], "may-1")
    recorder.mark_sent([], clock.now(), "may-1")  # nothing to write: no statement, nothing changes
    recorder.mark_sent(ids[3:], clock.now(), "may-2")
    assert sent(app) == {**dict.fromkeys(ids[:3], "may-1"), **dict.fromkeys(ids[3:], "may-2")}
    recorder.close()
    with app.uow(read_only=True) as uow:
        assert uow.session.scalar(select(OutboxRow.id).where(OutboxRow.claimed_by.is_not(None))) is None


@pytest.mark.parametrize("backend", ["postgresql"])  # a server that drops connections
def test_a_connection_the_server_dropped_is_opened_again_and_the_write_done_once(
        app: App, clock: FrozenClock, ids: list[int], recorder: SentRecorder) -> None:
    recorder.mark_sent(ids[:1], clock.now(), "may-1")
    with app.engine.connect() as other:  # every other backend of this database ends, the recorder's with them
        dropped = other.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    assert dropped and dropped >= 1
    recorder.mark_sent(ids[1:2], clock.now(), "may-1")
    recorder.close()
    app.engine.dispose()  # the pool's connections were terminated too
    assert sent(app) == dict.fromkeys(ids[:2], "may-1")
    with app.uow(read_only=True) as uow:
        attempts = dict(uow.session.execute(select(OutboxRow.id, OutboxRow.attempts).where(OutboxRow.id.in_(ids[:2]))).all())
    assert attempts == dict.fromkeys(ids[:2], 1)  # the second write was done once, on the new connection

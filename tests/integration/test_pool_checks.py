"""A pooled PostgreSQL connection is checked on checkout only after it rested (models.db.database): a connection the
server dropped while it rested is replaced without the caller seeing an error, and one reused at once costs no
extra round trip."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text

from models.db import database
from models.db.database import make_engine


@pytest.fixture
def engine(postgres_cluster) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    made = make_engine(postgres_cluster.create_database("pool_checks"))
    yield made
    made.dispose()
    postgres_cluster.drop_database("pool_checks")


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _pings(engine: Engine) -> list[int]:
    """One entry per ping the checks send (counted in the dialect, where pool_pre_ping would send it too)."""
    sent: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection):  # type: ignore[no-untyped-def]
        sent.append(1)
        return real(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return sent


def test_a_connection_reused_at_once_is_not_pinged(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "PING_AFTER_REST", 3600.0)  # "at once" however slow the machine
    first = _backend_pid(engine)
    pings = _pings(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for _ in range(5):
        assert _backend_pid(engine) == first  # the same pooled connection, back within the second
    assert pings == []
    assert len(statements) == 5


def test_a_rested_connection_is_pinged(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _backend_pid(engine)
    monkeypatch.setattr(database, "PING_AFTER_REST", 0.0)
    pings = _pings(engine)
    _backend_pid(engine)
    assert pings == [1]


def test_a_connection_dropped_while_it_rested_is_replaced(engine: Engine, postgres_cluster,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    dropped = _backend_pid(engine)
    with postgres_cluster.connect() as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (dropped,)).fetchone() == (True,)
    monkeypatch.setattr(database, "PING_AFTER_REST", 0.0)  # as if it had rested a second
    replaced = _backend_pid(engine)  # no error: the check found it gone and the pool connected again
    assert replaced != dropped


def test_a_connection_dropped_while_in_quick_reuse_fails_once_then_the_pool_renews(engine: Engine,  # type: ignore[no-untyped-def]
                                                                                  postgres_cluster,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Not checked within the second: its statement fails (the server is gone), and SQLAlchemy renews the pool, so the
    next checkout works; the price of no round trip per checkout under load."""
    monkeypatch.setattr(database, "PING_AFTER_REST", 3600.0)  # still "within the second" on a slow machine
    dropped = _backend_pid(engine)
    with postgres_cluster.connect() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    with pytest.raises(Exception, match=r"terminat|closed|server"):
        _backend_pid(engine)
    assert _backend_pid(engine) != dropped

"""The connections ykien opens to PostgreSQL carry the bounded waits for the server (models/db/database): the time to
connect, and libpq's TCP settings that end a connection across a network cut in seconds (tests/e2e/test_network_cut.py
cuts one). A setting of the same name in the URL's query wins, for the pool and for psycopg's own connection alike."""
from __future__ import annotations

import asyncio
import itertools
import os
from typing import Any

import psycopg
import pytest
from pg import PostgresCluster
from sqlalchemy import Engine

from models.db.database import (
    POSTGRES_CONNECT_TIMEOUT,
    POSTGRES_TCP_SETTINGS,
    driver_connect_arguments,
    make_engine,
)

_numbers = itertools.count(1)


@pytest.fixture
def url(postgres_cluster: PostgresCluster) -> str:
    return postgres_cluster.create_database(f"tcp_{next(_numbers)}_{os.getpid()}")


def _pooled(engine: Engine) -> dict[str, str]:
    """The parameters libpq really connected the pool's connection with."""
    with engine.connect() as connection:
        driver_connection: Any = connection.connection.driver_connection
        return dict(driver_connection.info.get_parameters())


def _own(engine: Engine) -> dict[str, str]:
    """The same for psycopg's own connection, opened as the delivery's recorder opens it."""
    async def parameters() -> dict[str, str]:
        connection = await psycopg.AsyncConnection.connect(autocommit=True, **driver_connect_arguments(engine))
        async with connection:
            return dict(connection.info.get_parameters())
    return asyncio.run(parameters())


@pytest.mark.parametrize("connection", [_pooled, _own], ids=["pool", "own"])
def test_a_connection_carries_the_bounded_waits(url: str, connection: Any) -> None:
    engine = make_engine(url)
    try:
        used = connection(engine)
    finally:
        engine.dispose()

    expected = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT, **POSTGRES_TCP_SETTINGS}
    assert {name: used.get(name) for name in expected} == {name: str(value) for name, value in expected.items()}


@pytest.mark.parametrize("connection", [_pooled, _own], ids=["pool", "own"])
def test_a_setting_in_the_url_wins(url: str, connection: Any) -> None:
    engine = make_engine(f"{url}?tcp_user_timeout=30000&connect_timeout=3")
    try:
        used = connection(engine)
    finally:
        engine.dispose()

    assert (used.get("tcp_user_timeout"), used.get("connect_timeout")) == ("30000", "3")
    assert used.get("keepalives_idle") == str(POSTGRES_TCP_SETTINGS["keepalives_idle"])

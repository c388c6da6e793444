"""A database outage told once per process (workflows/service/database_outage.py): the first failure says it, later
ones say nothing until a reminder is due, the first answer says how long it lasted; an error of another kind is left
to the caller, traceback and all. Driver errors are built, not raised by a server: no database here."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from config.settings import load_settings
from workflows.service.database_outage import DatabaseOutage


class Refused(Exception):
    sqlstate = None

    def __str__(self) -> str:
        return ('connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused\n'
                "\tIs the server running on that host and accepting TCP/IP connections?")


def test_an_outage_is_said_when_it_starts_reminded_rarely_and_said_when_it_ends(
        caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    settings = load_settings(database_url="postgresql+psycopg://ykien:bi-mat@db.local:5432/ykien")
    outage = DatabaseOutage(SimpleNamespace(settings=settings), remind_seconds=600,  # type: ignore[arg-type]
                            clock=lambda: now[0])
    refused = OperationalError("SELECT 1", {}, Refused())
    caplog.set_level(logging.INFO, logger="ykien.database")
    for moment in (0.0, 5.0, 30.0, 599.0):
        now[0] = moment
        assert outage.failed(refused, "lượt quét")
    said = [record.getMessage() for record in caplog.records]
    assert said == ["mất kết nối cơ sở dữ liệu (lượt quét lỗi): Không kết nối được máy chủ PostgreSQL db.local:5432 "
                    "(máy chủ từ chối kết nối): hãy kiểm tra máy chủ đang chạy, và YKIEN_DATABASE_URL "
                    "(postgresql+psycopg://ykien:***@db.local:5432/ykien). Các lần thử sau không báo lại; sẽ có một "
                    'dòng khi kết nối lại được. (connection failed: connection to server at "127.0.0.1", port 5432 '
                    "failed: Connection refused)"]
    now[0] = 601.0
    assert outage.failed(refused, "tín hiệu còn chạy (heartbeat)")
    assert caplog.records[-1].getMessage().startswith("cơ sở dữ liệu vẫn chưa kết nối được sau 601 giây: ")
    now[0] = 700.0
    outage.answered()
    outage.answered()
    assert [record.getMessage() for record in caplog.records[2:]] == ["cơ sở dữ liệu kết nối lại được sau 700 giây"]
    assert not any(record.exc_info for record in caplog.records)


def test_an_error_that_is_not_an_outage_is_left_to_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(database_url="postgresql+psycopg://ykien@db.local/ykien")
    outage = DatabaseOutage(SimpleNamespace(settings=settings))  # type: ignore[arg-type]
    bug = IntegrityError("INSERT", {}, type("UniqueViolation", (Exception,), {"sqlstate": "23505"})("duplicate"))
    assert not outage.failed(bug, "lượt quét")
    assert not outage.failed(ZeroDivisionError("a bug"), "lượt quét")
    assert outage.since is None and not caplog.records

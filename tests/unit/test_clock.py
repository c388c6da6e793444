"""The injected clock."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.clock import FrozenClock, NaiveDatetimeError, SystemClock, clock_from_settings
from config.settings import load_settings

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_system_clock_tells_the_current_utc_instant() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert abs(now.timestamp() - time.time()) < 5


def test_frozen_clock_reports_its_instant_in_utc() -> None:
    clock = FrozenClock(datetime(2025, 12, 5, 17, 0, tzinfo=HCM))
    assert clock.now() == datetime(2025, 12, 5, 10, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.now() == clock.now()


def test_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2025, 12, 5, 10, 0, tzinfo=UTC))
    clock.advance(timedelta(days=2, hours=1))
    assert clock.now() == datetime(2025, 12, 7, 11, 0, tzinfo=UTC)
    clock.set(datetime(2026, 1, 1, 8, 0, tzinfo=HCM))
    assert clock.now() == datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_frozen_clock_rejects_naive_datetimes() -> None:
    with pytest.raises(NaiveDatetimeError):
        FrozenClock(datetime(2025, 12, 5, 10, 0))
    clock = FrozenClock(datetime(2025, 12, 5, 10, 0, tzinfo=UTC))
    with pytest.raises(ValueError):
        clock.set(datetime(2025, 12, 6, 10, 0))
    assert clock.now() == datetime(2025, 12, 5, 10, 0, tzinfo=UTC)


@pytest.fixture()
def no_ykien_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("YKIEN_"):
            monkeypatch.delenv(name)


@pytest.mark.usefixtures("no_ykien_env")
def test_ykien_now_freezes_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_NOW", "2025-12-05T17:00")
    clock = clock_from_settings(load_settings())
    assert isinstance(clock, FrozenClock)
    assert clock.now() == datetime(2025, 12, 5, 10, 0, tzinfo=UTC)


@pytest.mark.usefixtures("no_ykien_env")
def test_without_ykien_now_the_clock_is_the_system_clock() -> None:
    assert isinstance(clock_from_settings(load_settings()), SystemClock)

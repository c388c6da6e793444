"""The one injected source of "now": the system clock, or a frozen one for tests and `YKIEN_NOW`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from config.settings import Settings


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was given where an instant is needed."""


class Clock(Protocol):
    """Anything that tells the current instant."""

    def now(self) -> datetime:
        """The current instant, tz-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    """A clock that stands still until moved with `advance` or `set`."""

    def __init__(self, at: datetime) -> None:
        self._at = _to_utc(at)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        self._at = self._at + delta

    def set(self, at: datetime) -> None:
        """Jump to the instant `at` (tz-aware)."""
        self._at = _to_utc(at)

    def __repr__(self) -> str:
        return f"FrozenClock({self._at.isoformat()})"


def clock_from_settings(settings: Settings) -> Clock:
    """A frozen clock at `settings.now` (YKIEN_NOW) if set, else the system clock."""
    if settings.now is not None:
        return FrozenClock(settings.now)
    return SystemClock()


def _to_utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDatetimeError(f"{at.isoformat()} has no time zone; give an aware datetime")
    return at.astimezone(UTC)

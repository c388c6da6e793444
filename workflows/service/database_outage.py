"""A database that stops answering, told once per process: one line when it becomes unreachable (what failed, the
problem in Vietnamese, no traceback), a reminder every REMIND_SECONDS while it stays so, and one line when it answers
again ("… kết nối lại được sau N giây"). The sweep and the heartbeat of a process report to the same `outage_of(app)`,
so that neither floods the log while the other also fails.

Only a database that cannot be reached is summarised so (workflows/service/database_errors.unreachable_problem); any
other error is the caller's to log whole, a bug's traceback included.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable

from config.number_words import decimal_words
from workflows.service.app import App
from workflows.service.database_errors import first_line, unreachable_problem

log = logging.getLogger("ykien.database")

REMIND_SECONDS = 600.0  # while the database stays away, the outage is said again this often, not at every try


class DatabaseOutage:
    """The database's reachability as one process sees it. `failed` and `answered` may be called from any thread."""

    def __init__(self, app: App, remind_seconds: float = REMIND_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = app.settings
        self.remind_seconds = remind_seconds
        self.clock = clock
        self.since: float | None = None  # when the database was first found unreachable; None while it answers
        self._reminded_at = 0.0
        self._lock = threading.Lock()

    def failed(self, error: BaseException, doing: str) -> bool:
        """Note that `doing` ("lượt quét", "tín hiệu còn chạy (heartbeat)") failed with `error`. True when the error
        says the database cannot be reached (said here, once); False for any other error, left to the caller."""
        problem = unreachable_problem(error, self.settings)
        if problem is None:
            return False
        detail = first_line(str(getattr(error, "orig", None) or error))
        with self._lock:
            now = self.clock()
            if self.since is None:
                self.since = self._reminded_at = now
                log.warning("mất kết nối cơ sở dữ liệu (%s lỗi): %s Các lần thử sau không báo lại; sẽ có một dòng khi "
                            "kết nối lại được.%s", doing, problem.message,
                            "" if detail in problem.message else f" ({detail})")
            elif now - self._reminded_at >= self.remind_seconds:
                self._reminded_at = now
                log.warning("cơ sở dữ liệu vẫn chưa kết nối được sau %s giây: %s", _seconds(now - self.since),
                            problem.message)
        return True

    def answered(self) -> None:
        """Note that the database answered: the end of an outage is said once."""
        with self._lock:
            if self.since is None:
                return
            lasted = self.clock() - self.since
            self.since = None
        log.info("cơ sở dữ liệu kết nối lại được sau %s giây", _seconds(lasted))


def _seconds(value: float) -> str:
    return decimal_words(round(value)) if value >= 10 else decimal_words(round(value, 1))


_OUTAGES: dict[int, DatabaseOutage] = {}
_OUTAGES_LOCK = threading.Lock()


def outage_of(app: App) -> DatabaseOutage:
    """The process's one DatabaseOutage for `app` (its sweep and its heartbeat share it), made on first use."""
    with _OUTAGES_LOCK:
        found = _OUTAGES.get(id(app))
        if found is None:
            found = _OUTAGES[id(app)] = DatabaseOutage(app)
            weakref.finalize(app, _OUTAGES.pop, id(app), None)
        return found

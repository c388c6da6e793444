"""What the fan-out crash tests share: a slow loopback SMTP server that notes every message it accepts, a home with
N communes and a launched round whose invitations are queued, and polling with a time limit."""
from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from notifications.smtp_server import SmtpServerThread, ehlo_announcing_pipelining


class _SlowHandler:
    def __init__(self, capture: SlowCapture) -> None:
        self.capture = capture

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        return ehlo_announcing_pipelining(session, hostname, responses)  # as relays do: ykien pipelines to it

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        capture = self.capture
        await asyncio.sleep(capture.delay)
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        message_id = str(headers["Message-ID"])
        with capture.lock:
            capture.received.append((str(headers["X-Ykien-Unit"]), str(headers["X-Ykien-Kind"]), message_id))
            capture.arrived.setdefault(message_id, time.monotonic())
        return "250 2.0.0 OK"


class SlowCapture:
    """A loopback SMTP server that answers each DATA after `delay` seconds and notes unit, kind and Message-ID. It
    announces PIPELINING, as most relays do: the crash tests count what ykien's pipelined transactions leave."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.received: list[tuple[str, str, str]] = []  # (unit, kind, Message-ID)
        self.arrived: dict[str, float] = {}  # Message-ID -> when its first copy arrived
        self.server = SmtpServerThread(_SlowHandler(self), "127.0.0.1", 0)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server.port}"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def units(self) -> int:
        with self.lock:
            return len({unit for unit, _, _ in self.received})

    def by_unit(self) -> dict[str, list[str]]:
        """The Message-IDs each unit received (all invitations: the round is only launched)."""
        with self.lock:
            copies: dict[str, list[str]] = defaultdict(list)
            for unit, kind, message_id in self.received:
                assert kind == "invitation"
                copies[unit].append(message_id)
            return dict(copies)


def sent_count(url: str) -> int:
    """How many messages the PostgreSQL database at `url` has recorded sent; -1 while it does not answer (restarted
    under the test)."""
    import psycopg

    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=2) as connection:
            row = connection.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()
            return int(row[0]) if row else 0
    except psycopg.OperationalError:
        return -1


def wait_until(condition: Callable[[], bool], timeout: float, what: str, progress: Callable[[], int] | None = None,
               stall: float | None = None, interval: float = 0.005) -> None:
    """Poll `condition`; fail after `timeout` s, or after `stall` s without `progress` changing."""
    start = last_change = time.monotonic()
    last = progress() if progress else 0
    while not condition():
        now = time.monotonic()
        if progress is not None:
            current = progress()
            if current != last:
                last, last_change = current, now
            elif stall is not None and now - last_change > stall:
                raise AssertionError(f"{what}: no progress for {stall:.0f} s (at {current})")
        if now - start > timeout:
            raise AssertionError(f"{what}: not done after {timeout:.0f} s")
        time.sleep(interval)


def outbox_statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database, timeout=30) as connection:
        return Counter(status for (status,) in connection.execute("SELECT status FROM outbox"))


def units_csv(path: Path, units: int) -> Path:
    width = len(str(units))
    lines = ["code,name,group,email"] + [
        f"X-{i:0{width}d},Ủy ban nhân dân xã Thử Nghiệm {i},xa-phuong,xa{i:0{width}d}@caobang.example.vn"
        for i in range(1, units + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def launch_fanout(make_cli: Any, folder: Path, units: int) -> Path:
    """A home with `units` communes and a launched round whose invitations are all queued, none sent."""
    cli = make_cli(folder / "home")
    launch_fanout_with(cli, folder, units)
    assert outbox_statuses(cli.database) == {"queued": units}
    return Path(cli.home)


def launch_fanout_with(cli: Any, folder: Path, units: int, launched: bool = True) -> None:
    """Through `cli` (on any database): `units` communes and a launched round, its invitations queued, none sent
    (with `launched` false, the round is only created: `launch_queued` launches it)."""
    cli("init")
    cli("directory", "import", str(units_csv(folder / "xa-phuong.csv", units)))
    cli("round", "create", "--title", "Kế hoạch chuyển đổi số cấp xã", "--office", "TĐC",
        "--deadline", "10 ngày làm việc", "--group", "xa-phuong", "--contact-name", "Ông Phạm Phi Long",
        "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền")
    cli.at("2025-11-20T09:00")
    if launched:
        launch_queued(cli)


def launch_queued(cli: Any) -> None:
    """Launch round 1, its invitations queued, none sent."""
    cli("round", "launch", "1", "--queue-only", "--no-draft-reason", "Thử nghiệm gửi thư hàng loạt")


@contextmanager
def slow_capture(delay: float) -> Iterator[SlowCapture]:
    """A started SlowCapture, stopped on the way out."""
    capture = SlowCapture(delay)
    capture.server.start()
    try:
        yield capture
    finally:
        capture.server.stop()

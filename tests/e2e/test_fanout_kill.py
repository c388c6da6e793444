"""`ykien tick` killed (SIGKILL) in the middle of a 2,000-unit fan-out, then run again: every unit has its
invitation, and the kill cost at most one duplicate per SMTP connection (8), each carrying the Message-ID of the
first copy, because each result is recorded as it comes back.

The SMTP server takes DELAY seconds per message, so that the fan-out can be caught half-way. The second tick runs a
minute later on ykien's clock (YKIEN_NOW): past YKIEN_STALE_AFTER_SECONDS, so the dead process's heartbeat is stale
and its claims pass to the new one at its first claim.
"""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from process_table import signal_another_thread

from tests.e2e.fanout_support import SlowCapture, launch_fanout, launch_fanout_with, slow_capture, wait_until

pytestmark = pytest.mark.timeout(180)

UNITS = 2000
DELAY = 0.02  # seconds per message and connection: about 400 messages/s over 8 connections
CONNECTIONS = 8  # YKIEN_SMTP_CONNECTIONS' default


def outbox(database: Path) -> tuple[Counter[str], Counter[str | None]]:
    """(messages by status, sent messages by the instance that sent them)."""
    with sqlite3.connect(database, timeout=30) as connection:
        statuses = Counter(status for (status,) in connection.execute("SELECT status FROM outbox"))
        senders = Counter(sender for (sender,) in connection.execute(
            "SELECT sent_by FROM outbox WHERE status = 'sent'"))
    return statuses, senders


def held_by_the_dead(database: Path) -> list[str]:
    """The Message-IDs of the messages not recorded as sent and still claimed (by the killed process)."""
    with sqlite3.connect(database, timeout=30) as connection:
        return [message_id for (message_id,) in connection.execute(
            "SELECT message_id FROM outbox WHERE status = 'queued' AND claimed_by IS NOT NULL")]


@pytest.fixture(scope="module")
def launched_home(tmp_path_factory: pytest.TempPathFactory, make_cli) -> Path:  # type: ignore[no-untyped-def]
    """A home with 2,000 communes and a launched round whose 2,000 invitations are queued, none sent."""
    return launch_fanout(make_cli, tmp_path_factory.mktemp("fanout2000"), UNITS)


@pytest.fixture
def capture() -> Iterator[SlowCapture]:
    with slow_capture(DELAY) as server:
        yield server


def test_tick_killed_mid_fanout_then_run_again_sends_every_invitation_with_at_most_8_duplicates(
        launched_home: Path, tmp_path: Path, make_cli, capture: SlowCapture) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(launched_home, home)
    cli = make_cli(home)
    cli.at("2025-11-20T09:05")
    log = tmp_path / "tick.log"
    tick = cli.start("tick", log=log, YKIEN_SMTP_URL=capture.url)
    try:
        wait_until(lambda: capture.count() >= 600 or tick.poll() is not None, 60, "600 messages sent")
        os.kill(tick.pid, signal.SIGKILL)
        tick.wait(10)
    finally:
        if tick.poll() is None:
            tick.kill()
            tick.wait(10)
    assert tick.returncode == -signal.SIGKILL, log.read_text(encoding="utf-8", errors="replace")
    time.sleep(3 * DELAY)  # a message whose data was on the wire is taken by the server after its delay
    statuses, _ = outbox(cli.database)
    at_the_kill = len(capture.by_unit())
    assert at_the_kill < UNITS, "the fan-out ended before the kill; make the SMTP server slower"
    unrecorded = at_the_kill - statuses["sent"]  # sent, but not marked sent: what the next run repeats
    assert 0 <= unrecorded <= CONNECTIONS, (at_the_kill, statuses)
    with capture.lock:
        held = [message_id for message_id in held_by_the_dead(cli.database) if message_id not in capture.arrived]
    assert held, "the killed process held no unsent claim"

    cli.at("2025-11-20T09:06")  # a minute on: the killed process's heartbeat is stale
    started = time.monotonic()
    again = cli.start("tick", log=log, YKIEN_SMTP_URL=capture.url)
    assert again.wait(60) == 0, log.read_text(encoding="utf-8", errors="replace")
    finish = time.monotonic() - started
    taken_over = min(capture.arrived[message_id] for message_id in held) - started

    statuses, senders = outbox(cli.database)
    assert statuses == {"sent": UNITS}
    copies = capture.by_unit()
    assert len(copies) == UNITS, "a unit never received its invitation"
    duplicates = sum(len(ids) - 1 for ids in copies.values())
    assert duplicates <= CONNECTIONS, duplicates
    assert duplicates == unrecorded  # exactly what was in flight, nothing more
    assert all(len(set(ids)) == 1 for ids in copies.values()), "a resent invitation has a new Message-ID"
    assert len(senders) == 2 and None not in senders  # the killed process and the one after it
    assert all(sender is not None and sender.count(":") == 2 for sender in senders)  # host:pid:random
    assert taken_over < finish
    print(f"\nkill at {at_the_kill} units: {unrecorded} sent but unrecorded, {duplicates} duplicates; "
          f"{len(held)} messages held by the killed process, the first sent {taken_over:.1f} s after the restart "
          f"(its start-up included); the second tick finished in {finish:.1f} s; sent by {dict(senders)}")



def instances(database: Path) -> int:
    """Heartbeat rows: a process that stopped properly removed its own."""
    with sqlite3.connect(database, timeout=30) as connection:
        (count,) = connection.execute("SELECT count(*) FROM instances").fetchone()
    return int(count)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_tick_stopped_by_a_signal_mid_fanout_records_what_it_sent_releases_the_rest_and_the_next_tick_sends_it_once(
        launched_home: Path, tmp_path: Path, make_cli, capture: SlowCapture, signum: int) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C used to leave up to one result per connection unrecorded (sent twice by the next tick) and SIGTERM
    killed the tick outright, its claims held until its heartbeat was stale. Now both stop it as they stop serve."""
    home = tmp_path / "home"
    shutil.copytree(launched_home, home)
    cli = make_cli(home)
    cli.at("2025-11-20T09:05")
    said = _stopped_after_300_sent(cli, capture, tmp_path / "tick.log", signum, "tick")
    statuses, _ = outbox(cli.database)
    at_the_stop = len(capture.by_unit())
    assert at_the_stop < UNITS, "the fan-out ended before the stop; make the SMTP server slower"
    assert statuses["sent"] == at_the_stop == capture.count(), (statuses, at_the_stop)  # every result recorded
    assert f"thư đã gửi {at_the_stop}," in said, said
    assert held_by_the_dead(cli.database) == [] and instances(cli.database) == 0  # released, heartbeat removed

    again = cli("tick", YKIEN_SMTP_URL=capture.url)  # at once: nothing waits for a heartbeat to go stale
    assert f"thư đã gửi {UNITS - at_the_stop}," in again.out, again.out
    copies = capture.by_unit()
    assert len(copies) == UNITS and all(len(ids) == 1 for ids in copies.values()), "a unit got two invitations"


def test_tick_stops_on_a_sigterm_taken_by_another_of_its_threads(
        launched_home: Path, tmp_path: Path, make_cli, capture: SlowCapture) -> None:  # type: ignore[no-untyped-def]
    """The main thread waited on the sending thread without a timeout and never ran Python's handler for a signal
    the kernel gave another thread: the tick sent on to the end."""
    home = tmp_path / "home"
    shutil.copytree(launched_home, home)
    cli = make_cli(home)
    cli.at("2025-11-20T09:05")
    _stopped_after_300_sent(cli, capture, tmp_path / "tick.log", signal.SIGTERM, "tick", to_a_thread=True)
    assert held_by_the_dead(cli.database) == [] and instances(cli.database) == 0


@pytest.fixture(scope="module")
def created_home(tmp_path_factory: pytest.TempPathFactory, make_cli) -> Path:  # type: ignore[no-untyped-def]
    """A home with 2,000 communes and a round to them, not launched."""
    folder = tmp_path_factory.mktemp("created2000")
    cli = make_cli(folder / "home")
    launch_fanout_with(cli, folder, UNITS, launched=False)
    return Path(cli.home)


def test_round_launch_stopped_by_ctrl_c_while_sending_is_launched_records_what_it_sent_and_tick_sends_the_rest(
        created_home: Path, tmp_path: Path, make_cli, capture: SlowCapture) -> None:  # type: ignore[no-untyped-def]
    """`round launch` sends the round's letters in its own process (no --queue-only): Ctrl-C there stops the
    sending as it stops `ykien tick`. The round stays launched, every letter is queued or sent, and the command
    leaves no heartbeat row behind (`db check` used to count a finished launch as a process running)."""
    home = tmp_path / "home"
    shutil.copytree(created_home, home)
    cli = make_cli(home)
    cli.at("2025-11-20T09:00")
    said = _stopped_after_300_sent(cli, capture, tmp_path / "launch.log", signal.SIGINT, "round", "launch", "1",
                                   "--no-draft-reason", "Thử nghiệm gửi thư hàng loạt")
    assert "Đã phát hành đợt số 1" in said, said
    statuses, _ = outbox(cli.database)
    at_the_stop = len(capture.by_unit())
    assert at_the_stop < UNITS, "the fan-out ended before the stop; make the SMTP server slower"
    assert statuses == {"sent": at_the_stop, "queued": UNITS - at_the_stop}, statuses
    assert held_by_the_dead(cli.database) == [] and instances(cli.database) == 0

    cli.at("2025-11-20T09:01")
    again = cli("tick", YKIEN_SMTP_URL=capture.url)
    assert f"thư đã gửi {UNITS - at_the_stop}," in again.out, again.out
    copies = capture.by_unit()
    assert len(copies) == UNITS and all(len(ids) == 1 for ids in copies.values()), "a unit got two invitations"
    check = cli("db", "check")
    assert "có nhịp tim trong 20 giây qua): 0." in check.out, check.out


def _stopped_after_300_sent(cli, capture: SlowCapture, log: Path, signum: int, *args: str,  # type: ignore[no-untyped-def]
                            to_a_thread: bool = False) -> str:
    """Run `ykien ARGS`, send it `signum` once 300 messages arrived (`to_a_thread`: to one of its threads other than
    the main one, as the kernel may): it exits 128 + signum within 10 s, saying it stopped and with no traceback.
    Returns what it printed, once nothing more can arrive."""
    process = cli.start(*args, log=log, YKIEN_SMTP_URL=capture.url)
    try:
        wait_until(lambda: capture.count() >= 300 or process.poll() is not None, 60, "300 messages sent")
        asked = time.monotonic()
        if to_a_thread:
            signal_another_thread(process.pid, signum)
        else:
            process.send_signal(signum)
        code = process.wait(15)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    said = log.read_text(encoding="utf-8", errors="replace")
    assert (code, took < 10) == (128 + signum, True), f"exit {code} after {took:.1f} s:\n{said}"
    assert "Traceback" not in said, said
    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert f"Đã dừng theo yêu cầu ({name}) trước khi làm xong." in said, said
    time.sleep(3 * DELAY)  # nothing more may arrive: the stop waited for the messages on the wire
    return said


class _SilentServer:
    """A mail server on loopback that accepts connections and then never answers: not even its greeting
    (`at="greeting"`), or nothing after DATA (`at="data"`), as a hung relay does. Counts the DATA it was sent."""

    def __init__(self, at: str) -> None:
        import socket
        import threading

        self.at, self.data_sent, self.connections = at, 0, 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"smtp://127.0.0.1:{self._listener.getsockname()[1]}"
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        import threading

        while True:
            try:
                peer, _ = self._listener.accept()
            except OSError:
                return
            self._open.append(peer)
            self.connections += 1
            if self.at != "greeting":
                threading.Thread(target=self._talk, args=(peer,), daemon=True).start()

    def _talk(self, peer) -> None:  # type: ignore[no-untyped-def]
        reader = peer.makefile("rb")
        peer.sendall(b"220 mail.example ESMTP\r\n")
        try:
            for line in reader:
                if line[:4].upper() == b"DATA":
                    self.data_sent += 1
                    return  # and never a word more
                peer.sendall(b"250 ok\r\n")
        except OSError:
            return

    def close(self) -> None:
        self._listener.close()
        for peer in self._open:
            peer.close()


@pytest.mark.parametrize("at", ["greeting", "data"])
def test_tick_stopped_while_the_mail_server_never_answers_exits_within_10_s_and_holds_nothing(
        launched_home: Path, tmp_path: Path, make_cli, at: str) -> None:  # type: ignore[no-untyped-def]
    """The messages on the wire get 6.5 s from the signal (notifications.delivery.STOP_GRACE_SECONDS); a server that
    never answers then has its connections cut, instead of holding the stop for its whole timeout (30 s here, 120 s
    for the reviewer who found it). What was on the wire is not recorded as sent and goes back to the queue. The
    grace counted from when the loaded process noticed the signal, and it once ended 10.1 s after it on CI."""
    home = tmp_path / "home"
    shutil.copytree(launched_home, home)
    cli = make_cli(home)
    cli.at("2025-11-20T09:05")
    server = _SilentServer(at)
    log = tmp_path / "tick.log"
    process = cli.start("tick", log=log, YKIEN_SMTP_URL=f"{server.url}?timeout=30")
    try:
        wait_until(lambda: (server.data_sent if at == "data" else server.connections) >= 1 or process.poll() is not None,
                   60, "the tick connected to the mail server")
        time.sleep(0.5)  # every connection opened (and at="data", its message on the wire)
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(40)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        server.close()
    said = log.read_text(encoding="utf-8", errors="replace")
    assert (code, took < 10) == (128 + signal.SIGTERM, True), f"exit {code} after {took:.1f} s:\n{said}"
    assert "Traceback" not in said, said
    statuses, _ = outbox(cli.database)
    assert statuses == Counter({"queued": UNITS}), statuses  # nothing taken for sent
    assert held_by_the_dead(cli.database) == [] and instances(cli.database) == 0
    assert (server.data_sent > 0) == (at == "data")

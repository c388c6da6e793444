"""Mail outages against real loopback servers: refused connections, 421, a server that never greets, one 550, and
TLS (STARTTLS, SMTPS) with a test CA. Mail waits with backoff on the app's frozen clock and goes out exactly once."""
from __future__ import annotations

import socket
import ssl
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import trustme

from config.clock import FrozenClock
from models.db.tables import OutboxRow
from notifications.delivery import tls_context
from notifications.testing import SmtpCapture, smtp_capture
from workflows.cli.common import console
from workflows.cli.render import render_mail_problems
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.delivery import deliver_outbox, retry_delay
from workflows.service.outbox_view import outbox_page, outbox_problems
from workflows.service.rounds import execute
from workflows.service.sweep import run_due

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(params=[False, True], ids=["one-by-one", "pipelined"])
def capture(request: pytest.FixtureRequest) -> Iterator[SmtpCapture]:
    """The app's loopback server (tests/conftest.py's), announcing PIPELINING or not: each outage either way."""
    with smtp_capture(pipelining=request.param) as server:
        yield server

STAFF = "Phạm Phi Long (TĐC)"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(clock: FrozenClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).replace(tzinfo=TZ))


def rows_of(app: App, round_id: int, kind: str) -> list[OutboxRow]:
    with app.uow() as uow:
        return [row for row in uow.outbox.for_round(round_id) if row.kind == kind]


def received(capture: SmtpCapture) -> Counter[str]:
    return Counter(str(message["Message-ID"]) for message in capture.messages)


def launched(app: App, make_round: Callable[..., int], clock: FrozenClock) -> int:
    round_id = make_round()
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), STAFF)
    return round_id


@contextmanager
def silent_server(port: int, greeting: bytes | None = None) -> Iterator[None]:
    """A plain socket server on `port`: with `greeting`, it writes it to each connection and hangs up (421 at
    connect); without, it accepts and never says a word (a server that hangs)."""
    listener = socket.create_server(("127.0.0.1", port))
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            if greeting is None:
                held.append(client)
            else:
                client.sendall(greeting)
                client.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
        for client in held:
            client.close()
        listener.close()


def test_retry_delay_doubles_from_a_minute_and_stops_at_an_hour() -> None:
    assert [retry_delay(n) / timedelta(minutes=1) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_an_outage_delays_the_reminders_with_backoff_and_each_goes_out_once_when_the_server_is_back(
        app: App, make_round: Callable[..., int], capture: SmtpCapture, clock: FrozenClock) -> None:
    round_id = launched(app, make_round, clock)
    assert run_due(app).delivery.sent == 12
    port = capture.target.port

    capture.stop()
    at(clock, "2025-12-03T08:00")  # the reminder two working days before the deadline: 10 units, none answered
    report = run_due(app).delivery
    assert (report.sent, report.failed, report.retrying) == (0, 0, 10)
    refused = f"Không kết nối được máy chủ thư 127.0.0.1:{port}: máy chủ từ chối kết nối"
    waited = timedelta(0)
    for attempts in (1, 2, 3, 4):
        reminders = rows_of(app, round_id, "reminder_before")
        assert len(reminders) == 10
        assert {(r.status, r.attempts, r.last_error) for r in reminders} == {("queued", attempts, refused)}
        assert {r.next_attempt_at for r in reminders} == {clock.now() + timedelta(minutes=2 ** (attempts - 1))}
        # Not due yet: a sweep a second before the retry time leaves them alone.
        step = timedelta(minutes=2 ** (attempts - 1))
        clock.advance(step - timedelta(seconds=1))
        assert run_due(app).delivery.retrying == 0
        assert {r.attempts for r in rows_of(app, round_id, "reminder_before")} == {attempts}
        clock.advance(timedelta(seconds=1))
        waited += step
        if attempts < 4:
            assert run_due(app).delivery.retrying == 10
    assert waited == timedelta(minutes=15)  # 1 + 2 + 4 + 8

    # The outbox page and `round show` say what waits, until when and why.
    next_at = rows_of(app, round_id, "reminder_before")[0].next_attempt_at
    line = (f"10 thư chờ gửi lại lúc {next_at.astimezone(TZ):%H:%M %d/%m/%Y}: "
            f"không kết nối được máy chủ thư 127.0.0.1:{port}: máy chủ từ chối kết nối")
    assert [p.text for p in outbox_page(app, round_id).problems] == [line]
    with console.capture() as shown:
        render_mail_problems(outbox_problems(app, round_id))
    assert line in shown.get()
    assert received(capture).total() == 12  # nothing reached the server meanwhile

    capture.start()  # the same port listens again
    clock.advance(timedelta(seconds=30))
    assert run_due(app).delivery.sent == 10
    reminders = rows_of(app, round_id, "reminder_before")
    assert {r.status for r in reminders} == {"sent"}
    counts = received(capture)
    assert {counts[r.message_id] for r in reminders} == {1}
    assert counts.total() == 22 and set(counts.values()) == {1}
    assert outbox_problems(app, round_id) == []
    assert run_due(app).delivery.sent == 0


def test_421_at_connect_then_at_mail_from_delays_the_invitations_which_then_go_out_once(
        app: App, make_round: Callable[..., int], capture: SmtpCapture, clock: FrozenClock) -> None:
    round_id = launched(app, make_round, clock)
    port = capture.target.port
    capture.stop()
    with silent_server(port, b"421 4.3.2 Service not available\r\n"):
        report = run_due(app).delivery
    assert (report.sent, report.retrying) == (0, 12)
    invitations = rows_of(app, round_id, "invitation")
    assert {r.last_error for r in invitations} == {
        f"Không kết nối được máy chủ thư 127.0.0.1:{port}: máy chủ trả lời (421) 4.3.2 Service not available"}

    capture.start()
    capture.fail_mail_from(1000)  # the server is up but answers 421 to every MAIL FROM for a while
    clock.advance(timedelta(minutes=1))
    assert run_due(app).delivery.retrying == 12
    invitations = rows_of(app, round_id, "invitation")
    assert {(r.attempts, r.next_attempt_at) for r in invitations} == {(2, clock.now() + timedelta(minutes=2))}
    assert {r.last_error for r in invitations} == {"Máy chủ thư tạm từ chối (421) 4.3.2 Service not available, "
                                                   "try again later"}
    assert capture.mail_from_attempts() >= 12
    assert capture.messages == []

    capture.fail_mail_from(3)  # three more 421s: bridged inside the sweep
    clock.advance(timedelta(minutes=2))
    assert run_due(app).delivery.sent == 12
    counts = received(capture)
    assert {counts[r.message_id] for r in rows_of(app, round_id, "invitation")} == {1}
    assert counts.total() == 12


def test_a_550_for_one_address_fails_that_unit_only_with_the_reply_kept(
        app: App, make_round: Callable[..., int], capture: SmtpCapture, clock: FrozenClock) -> None:
    capture.reject("baolac@caobang.example.vn")
    round_id = launched(app, make_round, clock)

    report = run_due(app).delivery

    assert (report.sent, report.failed, report.retrying) == (11, 1, 0)
    failed = [r for r in rows_of(app, round_id, "invitation") if r.status == "failed"]
    assert [r.to_address.endswith("baolac@caobang.example.vn>") or r.to_address == "baolac@caobang.example.vn"
            for r in failed] == [True]
    assert failed[0].last_error == "Máy chủ thư từ chối (550) 5.1.1 Mailbox unavailable"
    assert [p.text for p in outbox_problems(app, round_id)] == [
        "1 thư gửi lỗi: máy chủ thư từ chối (550) 5.1.1 Mailbox unavailable"]
    assert received(capture).total() == 11


def test_a_server_that_never_greets_times_out_and_the_mail_waits(
        app: App, make_round: Callable[..., int], capture: SmtpCapture, clock: FrozenClock) -> None:
    round_id = launched(app, make_round, clock)
    port = capture.target.port
    app.smtp_url_override = f"smtp://127.0.0.1:{port}?timeout=0.3"
    capture.stop()
    with silent_server(port):
        started = datetime.now()
        report = run_due(app).delivery
        took = datetime.now() - started
    assert (report.sent, report.retrying) == (0, 12)
    assert took < timedelta(seconds=15)  # not hung: 3 attempts of 0.3 s per connection, then the breaker
    assert {r.last_error for r in rows_of(app, round_id, "invitation")} == {
        f"Không kết nối được máy chủ thư 127.0.0.1:{port}: máy chủ không trả lời sau 0,3 giây"}

    capture.start()
    clock.advance(timedelta(minutes=1))
    assert run_due(app).delivery.sent == 12
    assert set(received(capture).values()) == {1} and received(capture).total() == 12


@pytest.fixture(scope="module")
def test_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(test_ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "smtp-ca.pem"
    test_ca.cert_pem.write_to_path(str(path))
    return path


def server_context(test_ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    test_ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_tls_with_the_test_ca_delivers_and_without_it_the_mail_waits_with_a_clear_reason(
        tls: str, app: App, make_round: Callable[..., int], clock: FrozenClock, test_ca: trustme.CA,
        ca_file: Path, capture: SmtpCapture) -> None:
    round_id = launched(app, make_round, clock)
    with smtp_capture(tls=tls, server_context=server_context(test_ca),  # type: ignore[arg-type]
                      pipelining=capture.pipelining) as secure:
        app.smtp_url_override = secure.url
        assert secure.url.startswith("smtp+starttls://" if tls == "starttls" else "smtps://")

        # Without YKIEN_SMTP_CA_FILE: the system's trust store does not know the test CA.
        report = run_due(app).delivery
        assert (report.sent, report.retrying) == (0, 12)
        [reason] = {r.last_error for r in rows_of(app, round_id, "invitation")}
        assert reason is not None
        assert reason.startswith(f"Không kết nối được máy chủ thư 127.0.0.1:{secure.target.port}: chứng chỉ TLS "
                                 "của 127.0.0.1 không xác minh được")
        assert "YKIEN_SMTP_CA_FILE" in reason and "không gửi khi chưa mã hoá" in reason
        assert secure.messages == []  # no plaintext fallback

        app.settings = app.settings.model_copy(update={"smtp_ca_file": ca_file})
        clock.advance(timedelta(minutes=1))
        assert run_due(app).delivery.sent == 12
        counts = received(secure)
        assert {counts[r.message_id] for r in rows_of(app, round_id, "invitation")} == {1}


def test_the_tls_context_is_built_once_and_again_when_the_ca_file_is_replaced(
        app: App, make_round: Callable[..., int], clock: FrozenClock, test_ca: trustme.CA, ca_file: Path,
        capture: SmtpCapture) -> None:
    """Each connection used to load the trust store (20-50 ms of CPU); the context is now kept for a CA file, and a
    file replaced (a renewed CA, same path) is read again by the next connection, with no restart."""
    assert tls_context(str(ca_file)) is tls_context(str(ca_file))
    assert tls_context(None) is tls_context(None)
    round_id = launched(app, make_round, clock)
    app.settings = app.settings.model_copy(update={"smtp_ca_file": ca_file})
    renewed = trustme.CA()
    with smtp_capture(tls="starttls", server_context=server_context(renewed),  # type: ignore[arg-type]
                      pipelining=capture.pipelining) as secure:
        app.smtp_url_override = secure.url
        report = run_due(app).delivery
        assert (report.sent, report.retrying) == (0, 12)  # the file names the old CA only
        renewed.cert_pem.write_to_path(str(ca_file))
        clock.advance(timedelta(minutes=1))
        assert run_due(app).delivery.sent == 12
    assert {received(secure)[r.message_id] for r in rows_of(app, round_id, "invitation")} == {1}


def test_deliver_outbox_uses_the_ca_file_setting_for_a_target_given_directly(
        app: App, make_round: Callable[..., int], clock: FrozenClock, test_ca: trustme.CA, ca_file: Path) -> None:
    round_id = launched(app, make_round, clock)
    app.settings = app.settings.model_copy(update={"smtp_ca_file": ca_file})
    with smtp_capture(tls="implicit", server_context=server_context(test_ca)) as secure:
        report = deliver_outbox(app, round_id, secure.target)
    assert report.sent == 12 and received(secure).total() == 12

"""The embedded SMTP sink: real deliveries in, ReceivedMail out, clean start and stop."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import BinaryIO

import pytest

from config.smtp_url import parse_smtp_url
from notifications.delivery import DeliveryStatus, OutgoingEmail, deliver_sync, outbox_message_id
from notifications.sink import MailSink, ReceivedMail

pytestmark = pytest.mark.timeout(60)

SENDER = "Sở Khoa học và Công nghệ <skhcn@caobang.gov.vn>"
SUBJECT = "Gia hạn: V/v xin ý kiến góp ý đối với dự thảo Kế hoạch giai đoạn 2026 – 2030"


def email_to(number: int) -> OutgoingEmail:
    return OutgoingEmail(
        message_id=outbox_message_id(number, 12),
        sender=SENDER,
        to=f"Ủy ban nhân dân xã {number} <xa{number}@caobang.gov.vn>",
        subject=SUBJECT,
        text="Kính gửi: Ủy ban nhân dân xã\n\nThời hạn mới: trước ngày 12/12/2025.\n",
        html="<p>Kính gửi: Ủy ban nhân dân xã</p>\n",
    )


def can_connect(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_mail_delivered_into_the_sink_is_stored_decoded() -> None:
    stored: list[ReceivedMail] = []
    frozen = datetime(2025, 12, 4, 3, 5, tzinfo=UTC)
    sink = MailSink(stored.append, clock=lambda: frozen)
    sink.start()
    try:
        results = deliver_sync(
            [email_to(n) for n in range(25)], parse_smtp_url(sink.url), connections=4
        )
    finally:
        sink.stop()

    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert sorted(m.message_id or "" for m in stored) == sorted(
        outbox_message_id(n, 12) for n in range(25)
    )
    mail = next(m for m in stored if m.message_id == outbox_message_id(3, 12))
    assert mail.mail_from == "skhcn@caobang.gov.vn"
    assert mail.rcpt_tos == ("xa3@caobang.gov.vn",)
    assert mail.subject == SUBJECT
    assert mail.received_at == frozen
    parsed = BytesParser(policy=default_policy).parsebytes(mail.raw)
    assert parsed["To"].addresses[0].display_name == "Ủy ban nhân dân xã 3"
    plain = parsed.get_body(("plain",))
    assert plain is not None and "trước ngày 12/12/2025" in plain.get_content()


def test_port_zero_picks_a_free_port_and_reports_it() -> None:
    with MailSink(lambda mail: None) as first, MailSink(lambda mail: None) as second:
        assert first.port > 0 and second.port > 0 and first.port != second.port
        assert first.url == f"smtp://127.0.0.1:{first.port}"
        assert can_connect(first.port)


def test_a_failing_store_answers_451_so_the_sender_retries() -> None:
    stored: list[ReceivedMail] = []
    failures_left = 1

    def flaky_store(mail: ReceivedMail) -> None:
        nonlocal failures_left
        if failures_left:
            failures_left -= 1
            raise RuntimeError("database is locked")
        stored.append(mail)

    with MailSink(flaky_store) as sink:
        [result] = deliver_sync([email_to(1)], parse_smtp_url(sink.url), backoff_base=0.01)

    assert (result.status, result.attempts) == (DeliveryStatus.SENT, 2)
    assert [m.message_id for m in stored] == [outbox_message_id(1, 12)]


def test_a_store_that_always_fails_leaves_a_temporary_failure() -> None:
    def broken_store(mail: ReceivedMail) -> None:
        raise RuntimeError("disk full")

    with MailSink(broken_store) as sink:
        [result] = deliver_sync(
            [email_to(1)], parse_smtp_url(sink.url), max_attempts=2, backoff_base=0.01
        )

    assert (result.status, result.attempts) == (DeliveryStatus.TEMPORARY_FAILURE, 2)
    assert result.error is not None and "451" in result.error


def test_store_calls_never_overlap() -> None:
    active = 0
    overlapped = False
    lock = threading.Lock()

    def slow_store(mail: ReceivedMail) -> None:
        nonlocal active, overlapped
        with lock:
            active += 1
            overlapped = overlapped or active > 1
        threading.Event().wait(0.005)
        with lock:
            active -= 1

    with MailSink(slow_store) as sink:
        results = deliver_sync([email_to(n) for n in range(20)], parse_smtp_url(sink.url))

    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert not overlapped


def test_stop_is_clean_and_idempotent() -> None:
    sink = MailSink(lambda mail: None)
    sink.stop()  # before start: nothing to do
    sink.start()
    port = sink.port
    assert sink.running and can_connect(port)

    sink.stop()
    sink.stop()

    assert not sink.running
    assert not can_connect(port)
    with pytest.raises(RuntimeError, match="not running"):
        _ = sink.port


def test_starting_twice_is_refused() -> None:
    with MailSink(lambda mail: None) as sink, pytest.raises(RuntimeError, match="already running"):
        sink.start()


def read_replies(stream: BinaryIO, count: int) -> list[list[str]]:
    """The next `count` replies, each as its lines (a multi-line reply's lines but the last say "NNN-")."""
    replies: list[list[str]] = []
    lines: list[str] = []
    while len(replies) < count:
        line = stream.readline().decode("ascii")
        assert line, f"the sink hung up after {replies}"
        lines.append(line.rstrip("\r\n"))
        if line[3:4] != "-":
            replies.append(lines)
            lines = []
    return replies


def test_the_sink_announces_pipelining_and_takes_mail_rcpt_and_data_sent_in_one_write() -> None:
    stored: list[ReceivedMail] = []
    with MailSink(stored.append) as sink, socket.create_connection(("127.0.0.1", sink.port), timeout=10) as client:
        stream = client.makefile("rb")
        [greeting] = read_replies(stream, 1)
        assert greeting[0].startswith("220")
        client.sendall(b"EHLO client.caobang.gov.vn\r\n")
        [ehlo] = read_replies(stream, 1)
        assert "250-PIPELINING" in ehlo
        client.sendall(b"MAIL FROM:<skhcn@caobang.gov.vn>\r\nRCPT TO:<xa1@caobang.gov.vn>\r\nDATA\r\n")
        mail, rcpt, data = read_replies(stream, 3)
        assert (mail[0][:3], rcpt[0][:3], data[0][:3]) == ("250", "250", "354")
        client.sendall(b"Message-ID: <outbox-1.round-12@ykien.localhost>\r\nSubject: thu\r\n\r\nx\r\n.\r\nQUIT\r\n")
        assert read_replies(stream, 2) == [["250 2.0.0 Message accepted"], ["221 Bye"]]
    assert [(m.message_id, m.rcpt_tos) for m in stored] == [
        ("<outbox-1.round-12@ykien.localhost>", ("xa1@caobang.gov.vn",))
    ]

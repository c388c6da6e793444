"""The mail transaction ykien sends itself (notifications/smtp_transaction.py), against a real loopback server:
wire-ready bytes go out untouched, other bytes are made wire-ready first, and recording a result overlaps the next
envelope without ever letting a connection have two sent messages unrecorded."""
from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Iterator

import aiosmtplib
import pytest

from notifications.delivery import DeliveryResult, DeliveryStatus, OutgoingEmail, deliver, deliver_sync
from notifications.message import outbox_message_id, render_message
from notifications.smtp_transaction import say_hello, send_prepared, wire_ready
from notifications.testing import SmtpCapture, smtp_capture

SENDER = "vanphong@skhcn.caobang.gov.vn"


def email_to(number: int) -> OutgoingEmail:
    return OutgoingEmail(message_id=outbox_message_id(number, 3), sender=SENDER, to=f"unit{number}@example.vn",
                         subject="Xin ý kiến góp ý dự thảo Kế hoạch chuyển đổi số",
                         text=".Dòng bắt đầu bằng dấu chấm\n.\nKính gửi: Sở Tài chính\n", html="<p>.</p>\n")


@pytest.fixture(params=[False, True], ids=["one-by-one", "pipelined"])
def capture(request: pytest.FixtureRequest) -> Iterator[SmtpCapture]:
    """A loopback server; "pipelined" announces PIPELINING, and MAIL, RCPT and DATA go to it in one write."""
    with smtp_capture(pipelining=request.param) as running:
        yield running


def test_a_rendered_message_is_wire_ready_as_it_is() -> None:
    rendered = render_message(email_to(1))

    assert wire_ready(rendered) is rendered


@pytest.mark.parametrize(("given", "expected"), [
    (b"Subject: a\nb\n", b"Subject: a\r\nb\r\n"),  # bare LF
    (b"Subject: a\rb\r\n", b"Subject: a\r\nb\r\n"),  # bare CR
    (b"Subject: a\r\n\r\nno final line end", b"Subject: a\r\n\r\nno final line end\r\n"),
    (b"Subject: a\r\n\r\n.hidden\r\n..two\r\n", b"Subject: a\r\n\r\n..hidden\r\n...two\r\n"),  # dots doubled
    (b".first\r\n", b"..first\r\n"),
])
def test_other_bytes_are_made_wire_ready(given: bytes, expected: bytes) -> None:
    assert wire_ready(given) == expected


def test_dots_and_bare_line_feeds_arrive_as_written(capture: SmtpCapture) -> None:
    message = b"Message-ID: <x@y>\nSubject: dots\n\n.hidden\n.\nlast"

    async def send() -> None:
        smtp = aiosmtplib.SMTP(hostname=capture.target.host, port=capture.target.port, start_tls=False)
        await smtp.connect()
        await say_hello(smtp)
        await send_prepared(smtp, SENDER, "a@example.vn", message)
        await smtp.quit()

    asyncio.run(send())

    [raw] = capture.raw_messages
    assert raw.replace(b"\r\n", b"\n").rstrip(b"\n") == message


def test_refusals_raise_as_sendmail_does_and_reset_the_envelope(capture: SmtpCapture) -> None:
    capture.reject("gone@example.vn")
    capture.fail_temporarily("busy@example.vn", stage="data")

    async def send() -> list[BaseException]:
        smtp = aiosmtplib.SMTP(hostname=capture.target.host, port=capture.target.port, start_tls=False)
        await smtp.connect()
        await say_hello(smtp)
        errors: list[BaseException] = []
        for recipient in ("gone@example.vn", "busy@example.vn"):
            try:
                await send_prepared(smtp, SENDER, recipient, render_message(email_to(1)))
            except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPDataError) as error:
                errors.append(error)
        # The same connection goes on: each refusal reset its envelope.
        await send_prepared(smtp, SENDER, "ok@example.vn", render_message(email_to(2)))
        await smtp.quit()
        return errors

    refused, data_error = asyncio.run(send())

    assert isinstance(refused, aiosmtplib.SMTPRecipientsRefused) and refused.recipients[0].code == 550
    assert isinstance(data_error, aiosmtplib.SMTPDataError) and data_error.code == 451
    assert [envelope.rcpt_tos for envelope in capture.envelopes] == [("ok@example.vn",)]


def test_recording_overlaps_the_next_envelope_but_never_two_sent_unrecorded(capture: SmtpCapture) -> None:
    connections = 2
    recorded = 0
    unrecorded_at_most = 0
    envelope_open_while_recording = 0

    async def record(result: DeliveryResult) -> None:
        nonlocal recorded, unrecorded_at_most, envelope_open_while_recording
        assert result.status is DeliveryStatus.SENT
        unrecorded_at_most = max(unrecorded_at_most, len(capture.raw_messages) - recorded)
        await asyncio.sleep(0.2)  # a slow database
        if capture.mail_from_attempts() > len(capture.raw_messages):
            envelope_open_while_recording += 1
        unrecorded_at_most = max(unrecorded_at_most, len(capture.raw_messages) - recorded)
        recorded += 1

    results = asyncio.run(deliver([email_to(n) for n in range(8)], capture.target, connections=connections,
                                  on_result=record))

    assert [r.status for r in results] == [DeliveryStatus.SENT] * 8 and recorded == 8
    assert unrecorded_at_most <= connections
    # The next message's MAIL went out while the last one was being recorded.
    assert envelope_open_while_recording > 0


def test_a_result_that_cannot_be_recorded_stops_the_connection_before_the_next_data(capture: SmtpCapture) -> None:
    class DatabaseGone(Exception):
        pass

    reported = 0

    def record(result: DeliveryResult) -> None:
        nonlocal reported
        reported += 1
        if reported == 3:
            raise DatabaseGone

    with pytest.raises(DatabaseGone):
        deliver_sync([email_to(n) for n in range(10)], capture.target, connections=1, on_result=record)

    # The fourth envelope may have been opened; its message was never accepted.
    assert len(capture.raw_messages) == 3


def test_a_report_failing_while_the_next_recipient_is_refused_leaves_no_unread_error_behind(
        capture: SmtpCapture, caplog: pytest.LogCaptureFixture) -> None:
    """Seen in a worker's log when PostgreSQL went down in the middle of a fan-out: the report of a message failed
    while the next message's envelope failed before its DATA, and asyncio wrote "Future exception was never
    retrieved" with the report's traceback (the awaitable handed to the refused send was never awaited). The
    report's failure is the delivery's to raise, once."""
    class DatabaseGone(Exception):
        pass

    refused = email_to(1)
    capture.reject(refused.to)

    async def record(result: DeliveryResult) -> None:
        if result.status is DeliveryStatus.SENT:
            await asyncio.sleep(0.3)  # the next envelope is refused meanwhile
            raise DatabaseGone

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        with pytest.raises(DatabaseGone):
            deliver_sync([email_to(0), refused, email_to(2)], capture.target, connections=1, on_result=record)
        gc.collect()

    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []
    assert len(capture.raw_messages) == 1

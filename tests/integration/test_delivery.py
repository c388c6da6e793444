"""Delivery over real loopback SMTP servers (aiosmtpd): concurrency, retries, failures."""

from __future__ import annotations

import asyncio
import base64
import re
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy

import pytest

from config.smtp_url import SmtpTarget, SmtpUrlError, parse_smtp_url
from notifications.compose import compose
from notifications.delivery import (
    DeliveryResult,
    DeliveryStatus,
    OutgoingEmail,
    build_message,
    deliver,
    deliver_sync,
    outbox_message_id,
    render_message,
)
from notifications.testing import SmtpCapture, smtp_capture
from workflows.definition import load_workflow
from workflows.service.outgoing import email_terms
from workflows.service.registry import DEFINITIONS, engine_registry

pytestmark = pytest.mark.timeout(60)

SENDER = "Sở Khoa học và Công nghệ Cao Bằng <skhcn@caobang.gov.vn>"
SUBJECT = "Đôn đốc: V/v xin ý kiến góp ý đối với dự thảo Kế hoạch nâng cao năng suất, chất lượng"
TEXT = "Kính gửi: Sở Tài chính\n\nĐề nghị quý cơ quan gửi ý kiến trước ngày 05/12/2025./.\n"
HTML = "<p>Kính gửi: <strong>Sở Tài chính</strong></p>\n<p>Quá hạn 2 ngày làm việc.</p>\n"


def email_to(number: int, address: str | None = None) -> OutgoingEmail:
    return OutgoingEmail(
        message_id=outbox_message_id(number, 7),
        sender=SENDER,
        to=f"Đơn vị số {number} <{address or f'unit{number}@example.vn'}>",
        subject=SUBJECT,
        text=TEXT,
        html=HTML,
        headers={"X-Ykien-Round": "7"},
    )


@pytest.fixture(params=[False, True], ids=["one-by-one", "pipelined"])
def capture(request: pytest.FixtureRequest) -> Iterator[SmtpCapture]:
    """A loopback server; "pipelined" announces PIPELINING, and MAIL, RCPT and DATA go to it in one write."""
    with smtp_capture(pipelining=request.param) as running:
        yield running


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_300_messages_over_8_connections_arrive_exactly_once(capture: SmtpCapture) -> None:
    emails = [email_to(n) for n in range(300)]

    results = deliver_sync(emails, capture.target, connections=8)

    assert [r.message_id for r in results] == [e.message_id for e in emails]
    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert {r.attempts for r in results} == {1}
    received = Counter(str(m["Message-ID"]) for m in capture.messages)
    assert received == Counter(e.message_id for e in emails)
    by_id = {str(m["Message-ID"]): m for m in capture.messages}
    assert by_id[outbox_message_id(42, 7)]["To"].addresses[0].addr_spec == "unit42@example.vn"
    # Connections are reused: at most one per worker, and more than one worker did work.
    peers = {envelope.peer for envelope in capture.envelopes}
    assert 1 < len(peers) <= 8


def test_451_twice_then_accepted_is_sent_on_the_third_attempt(capture: SmtpCapture) -> None:
    capture.fail_temporarily("slow@example.vn", times=2)

    [result] = deliver_sync(
        [email_to(1, "slow@example.vn")], capture.target, backoff_base=0.01
    )

    assert result == DeliveryResult(outbox_message_id(1, 7), DeliveryStatus.SENT, 3, None)
    assert capture.rcpt_attempts("slow@example.vn") == 3
    assert len(capture.messages) == 1


def test_temporary_failure_at_data_is_retried_too(capture: SmtpCapture) -> None:
    capture.fail_temporarily("busy@example.vn", times=1, stage="data")

    [result] = deliver_sync([email_to(1, "busy@example.vn")], capture.target, backoff_base=0.01)

    assert (result.status, result.attempts) == (DeliveryStatus.SENT, 2)
    assert len(capture.messages) == 1


def test_550_fails_only_that_message_at_once(capture: SmtpCapture) -> None:
    capture.reject("gone@example.vn")
    emails = [email_to(n) for n in range(10)] + [email_to(99, "gone@example.vn")]

    results = deliver_sync(emails, capture.target, connections=3, backoff_base=0.01)

    failed = [r for r in results if r.status is not DeliveryStatus.SENT]
    assert len(failed) == 1
    assert failed[0].message_id == outbox_message_id(99, 7)
    assert failed[0].status is DeliveryStatus.PERMANENT_FAILURE
    assert failed[0].attempts == 1
    assert failed[0].error is not None and "550" in failed[0].error
    assert capture.rcpt_attempts("gone@example.vn") == 1
    assert len(capture.messages) == 10


def test_temporary_failures_give_up_after_max_attempts(capture: SmtpCapture) -> None:
    capture.fail_temporarily("full@example.vn", times=100)

    [result] = deliver_sync(
        [email_to(1, "full@example.vn")], capture.target, max_attempts=3, backoff_base=0.01
    )

    assert (result.status, result.attempts) == (DeliveryStatus.TEMPORARY_FAILURE, 3)
    assert result.error is not None and "451" in result.error
    assert capture.rcpt_attempts("full@example.vn") == 3


def test_server_down_is_a_temporary_failure_after_max_attempts() -> None:
    target = SmtpTarget(host="127.0.0.1", port=free_port(), timeout=2)

    [result] = deliver_sync([email_to(1)], target, max_attempts=3, backoff_base=0.01)

    assert (result.status, result.attempts) == (DeliveryStatus.TEMPORARY_FAILURE, 3)
    assert result.error is not None and "Không kết nối được máy chủ thư" in result.error


def test_a_server_down_for_a_whole_retry_cycle_ends_the_batch_early() -> None:
    target = SmtpTarget(host="127.0.0.1", port=free_port(), timeout=2)

    results = deliver_sync(
        [email_to(n) for n in range(200)], target, connections=2, max_attempts=3, backoff_base=0.01
    )

    assert {r.status for r in results} == {DeliveryStatus.TEMPORARY_FAILURE}
    assert max(r.attempts for r in results) == 3
    # Without the breaker every message would be tried 3 times (600 connection attempts).
    assert sum(r.attempts for r in results) < 100
    assert all(r.error and "Không kết nối được máy chủ thư" in r.error for r in results)


def test_a_dropped_connection_is_reopened_and_the_message_retried(capture: SmtpCapture) -> None:
    capture.drop_connection("unit3@example.vn")
    emails = [email_to(n) for n in range(6)]

    results = deliver_sync(emails, capture.target, connections=1, backoff_base=0.01)

    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert [r.attempts for r in results] == [1, 1, 1, 2, 1, 1]
    assert Counter(str(m["Message-ID"]) for m in capture.messages) == Counter(
        e.message_id for e in emails
    )
    assert len({envelope.peer for envelope in capture.envelopes}) == 2


def test_vietnamese_subject_and_bodies_survive_the_round_trip(capture: SmtpCapture) -> None:
    deliver_sync([email_to(5)], capture.target)

    [message] = capture.messages
    assert message["Subject"] == SUBJECT
    assert message["From"].addresses[0].display_name == "Sở Khoa học và Công nghệ Cao Bằng"
    assert message["To"].addresses[0].display_name == "Đơn vị số 5"
    assert message["X-Ykien-Round"] == "7"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content() == TEXT
    assert html.get_content() == HTML


def test_a_generic_email_in_a_kinds_words_survives_the_round_trip(capture: SmtpCapture) -> None:
    """The proposal call's invitation, composed from the generic set and its definition's terms."""
    title = "Đề xuất nhiệm vụ KH&CN cấp tỉnh năm 2027"
    values = {"title": title, "issuer_name": "Sở Khoa học và Công nghệ", "governing_body": "UBND tỉnh Cao Bằng"}
    context = {
        "unit_name": "Sở Công Thương", "unit_code": "SCT", "unit_contact": None, "round_title": title,
        "subject": "đề xuất nhiệm vụ khoa học và công nghệ năm 2027", "deadline": date(2025, 12, 5),
        "link": "https://ykien.example.vn/r/abc", "role": "comment", "contact_name": "Ông Phạm Phi Long",
        "contact_title": None, "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền",
        "signer_title": "Giám đốc", "reference": "đợt 7", "silence": None,
        "terms": email_terms(load_workflow(DEFINITIONS / "proposal_call.yaml", engine_registry()), **values),
        **values,
    }
    composed = compose("invitation", context, template_set="proposal_call")
    email = replace(email_to(6), subject=composed.subject, text=composed.text, html=composed.html)

    [result] = deliver_sync([email], capture.target)

    assert result.status is DeliveryStatus.SENT
    [message] = capture.messages
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    assert message["Subject"] == "V/v đề xuất nhiệm vụ khoa học và công nghệ năm 2027"
    assert plain.get_content() == composed.text
    assert html.get_content() == composed.html
    assert "tham mưu đề xuất nhiệm vụ KH&CN cấp tỉnh năm 2027." in composed.text  # the title's opening not said twice
    assert "góp ý" not in composed.text and "KH&amp;CN" in composed.html


def test_on_result_is_called_once_per_message_as_each_finishes(capture: SmtpCapture) -> None:
    capture.reject("gone@example.vn")
    seen: list[DeliveryResult] = []
    emails = [email_to(n) for n in range(20)] + [email_to(20, "gone@example.vn")]

    async def record(result: DeliveryResult) -> None:
        await asyncio.sleep(0)
        seen.append(result)

    results = asyncio.run(deliver(emails, capture.target, connections=4, on_result=record))

    assert sorted(seen, key=lambda r: r.message_id) == sorted(results, key=lambda r: r.message_id)
    plain_calls: list[str] = []
    deliver_sync([email_to(30)], capture.target, on_result=lambda r: plain_calls.append(r.status))
    assert plain_calls == [DeliveryStatus.SENT]


def test_input_is_consumed_lazily_with_few_tasks(capture: SmtpCapture) -> None:
    produced = 0
    snapshots: list[tuple[int, int]] = []

    def generate() -> Iterator[OutgoingEmail]:
        nonlocal produced
        for n in range(400):
            produced += 1
            yield email_to(n)

    def record(result: DeliveryResult) -> None:
        snapshots.append((produced, len(asyncio.all_tasks())))

    results = deliver_sync(generate(), capture.target, connections=2, on_result=record)

    assert len(results) == 400 and len(capture.messages) == 400
    # At any time only a small window of the input has been read ahead of what finished...
    assert max(read - done for done, (read, _) in enumerate(snapshots, start=1)) <= 16
    # ...and the task count does not grow with the number of messages: the run, the producer, one worker per
    # connection and the report of each connection's last message.
    assert max(tasks for _, tasks in snapshots) <= 2 + 2 * 2


def test_an_unbuildable_email_fails_permanently_without_stopping_the_others(
    capture: SmtpCapture,
) -> None:
    broken = OutgoingEmail("<bad-1@ykien.localhost>", SENDER, "không phải địa chỉ", "x", "y", "z")

    results = deliver_sync([email_to(1), broken, email_to(2)], capture.target)

    assert [r.status for r in results] == [
        DeliveryStatus.SENT,
        DeliveryStatus.PERMANENT_FAILURE,
        DeliveryStatus.SENT,
    ]
    assert results[1].attempts == 0
    assert results[1].error is not None and "người nhận" in results[1].error


def test_empty_input_returns_no_results(capture: SmtpCapture) -> None:
    assert deliver_sync([], capture.target) == []


def test_build_message_is_multipart_alternative_with_date_and_message_id() -> None:
    when = datetime(2025, 12, 4, 3, 5, tzinfo=UTC)
    email = email_to(42)

    message = build_message(email, date=when)

    assert isinstance(message, EmailMessage)
    assert message["Message-ID"] == "<outbox-42.round-7@ykien.localhost>"
    assert message["Date"].datetime == when
    assert message["MIME-Version"] == "1.0"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())
    # The wire form is 7-bit clean with CRLF line ends, so any server takes it.
    wire = render_message(email, date=when)
    assert wire.isascii()
    assert b"\n" not in wire.replace(b"\r\n", b"")
    assert max(len(line) for line in wire.split(b"\r\n")) <= 998


@pytest.mark.parametrize("length", [0, 1, 2, 56, 57, 58, 113, 114, 115, 6000])
def test_each_body_is_base64_in_lines_of_76_characters_that_decode_to_its_text(length: int) -> None:
    text = ("Kính gửi Sở Công Thương, đề nghị góp ý " * 200)[:length]
    email = replace(email_to(1), text=text, html=f"<p>{text}</p>")
    wire = render_message(email, date=datetime(2025, 12, 4, 3, 5, tzinfo=UTC))
    _, _, plain_part = wire.partition(b"Content-Transfer-Encoding: base64\r\n\r\n")
    body_lines = plain_part.partition(b"--=_ykien_")[0].removesuffix(b"\r\n").split(b"\r\n")
    assert all(len(line) == 76 for line in body_lines[:-1]) and len(body_lines[-1]) <= 76
    assert body_lines == (base64.encodebytes(text.encode()).rstrip(b"\n").split(b"\n") if text else [b""])
    parts = [part.get_content() for part in BytesParser(policy=default_policy).parsebytes(wire).iter_parts()]
    assert parts == [text, f"<p>{text}</p>"]


def test_the_date_header_is_the_time_of_rendering() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    message = build_message(email_to(1))
    assert before <= message["Date"].datetime <= datetime.now(UTC)


@pytest.mark.parametrize(
    "headers",
    [{"Message-ID": "<x@y>"}, {"Content-Type": "text/plain"}, {"X-Evil": "a\r\nBcc: b@c.vn"}],
)
def test_build_message_refuses_overriding_or_injected_headers(headers: dict[str, str]) -> None:
    email = OutgoingEmail("<a@b>", SENDER, "x@example.vn", "s", "t", "h", headers)
    with pytest.raises(ValueError):
        build_message(email)


def test_build_message_refuses_a_malformed_message_id() -> None:
    with pytest.raises(ValueError, match="Message-ID"):
        build_message(OutgoingEmail("outbox-1", SENDER, "x@example.vn", "s", "t", "h"))


# parse_smtp_url is pure; its tests live here with the delivery they configure.


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2525", SmtpTarget("127.0.0.1", 2525, None, None, "none")),
        ("smtp://mail.caobang.gov.vn", SmtpTarget("mail.caobang.gov.vn", 25, None, None, "none")),
        (
            "smtp+starttls://skhcn%40caobang.gov.vn:p%40ss:w@mail.caobang.gov.vn",
            SmtpTarget("mail.caobang.gov.vn", 587, "skhcn@caobang.gov.vn", "p@ss:w", "starttls"),
        ),
        ("smtps://u:p@smtp.example.vn:2465", SmtpTarget("smtp.example.vn", 2465, "u", "p", "implicit")),
        ("smtps://smtp.example.vn", SmtpTarget("smtp.example.vn", 465, None, None, "implicit")),
        (
            "smtp://[::1]:25?timeout=5&helo=ykien.caobang.gov.vn",
            SmtpTarget("::1", 25, None, None, "none", 5.0, "ykien.caobang.gov.vn"),
        ),
    ],
)
def test_parse_smtp_url_accepts_the_three_schemes(url: str, expected: SmtpTarget) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.vn", 'không có giao thức "http"'),
        ("mail.example.vn:25", "không có giao thức"),
        ("//mail.example.vn", "thiếu giao thức"),
        ("smtp://", "thiếu tên máy chủ"),
        ("smtp://mail.example.vn:99999", r"cổng phải từ 1 đến 65535"),
        ("smtp://mail.example.vn:0", r"cổng phải từ 1 đến 65535"),
        ("smtp://mail.example.vn:abc", "cổng phải là một số"),
        ("smtp://mail.example.vn/inbox", "không được có đường dẫn"),
        ("smtp://mail.example.vn?timeout=soon", 'timeout phải là số giây, không phải "soon"'),
        ("smtp://mail.example.vn?timeout=-1", 'timeout phải là số giây lớn hơn 0, không phải "-1"'),
        ("smtp://mail.example.vn?timeout=nan", "timeout phải là số giây lớn hơn 0"),
        ("smtp://mail.example.vn?tls=yes", 'không có tùy chọn "tls"'),
    ],
)
def test_parse_smtp_url_errors_name_the_setting(url: str, problem: str) -> None:
    with pytest.raises(SmtpUrlError, match=f'^YKIEN_SMTP_URL: "{re.escape(url)}": .*{problem}'):
        parse_smtp_url(url)


def test_parse_smtp_url_errors_and_repr_hide_the_password() -> None:
    with pytest.raises(SmtpUrlError) as caught:
        parse_smtp_url("smtps://user:hunter2@mail.example.vn/x")
    assert "hunter2" not in str(caught.value)
    assert "user:***@" in str(caught.value)
    assert "hunter2" not in repr(parse_smtp_url("smtps://user:hunter2@mail.example.vn"))


def test_a_stop_gives_the_messages_on_the_wire_their_grace_from_when_it_was_asked_not_from_when_it_was_seen() -> None:
    """A server that accepts and never answers; the stop was asked STOP_GRACE_SECONDS less 0.3 s ago (a process
    busy elsewhere sees it late): the connection is cut at once, not a whole grace after the delivery saw the stop
    (which made a loaded `ykien tick` exit 10.1 s after its SIGTERM on CI)."""
    import threading
    import time

    from notifications.delivery import STOP_GRACE_SECONDS

    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    target = SmtpTarget(host="127.0.0.1", port=listener.getsockname()[1], timeout=30)
    asked_at = time.monotonic() - (STOP_GRACE_SECONDS - 0.3)
    started = time.monotonic()
    try:  # seen stopped once the message's connection is open (stopped before, nothing would go on the wire)
        [result] = asyncio.run(deliver([email_to(1)], target, connections=1, max_attempts=1,
                                       stopped=lambda: asked_at if held else None))
    finally:
        listener.close()
        for peer in held:
            peer.close()
    took = time.monotonic() - started
    assert result.status is not DeliveryStatus.SENT, result
    assert took < 3, f"the connection was cut {took:.1f} s after the delivery began"

"""Send prepared emails over a few persistent SMTP connections, with retries on 4xx and errors.

Each message ends as sent, a temporary failure (the outbox may try again later) or a permanent
failure (5xx: the server will never take it). Results are reported as soon as each one is known.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import itertools
import logging
import random
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from enum import StrEnum

import aiosmtplib

from notifications.smtp_url import SmtpTarget

log = logging.getLogger(__name__)

ResultCallback = Callable[["DeliveryResult"], Awaitable[None] | None]

_MESSAGE_ID = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")
# Headers build_message sets itself; callers may only add others (e.g. X-Ykien-Round).
_RESERVED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version"}
)
# 7bit keeps the prepared bytes valid for any server, with or without 8BITMIME.
_WIRE_POLICY = SMTP_POLICY.clone(cte_type="7bit")
# Prepared-but-unfinished messages per connection: bounds memory for any input size.
_WINDOW_PER_CONNECTION = 4


@dataclass(frozen=True)
class OutgoingEmail:
    """One email to one recipient, with the stable Message-ID of its outbox row."""

    message_id: str
    sender: str
    to: str
    subject: str
    text: str
    html: str
    headers: Mapping[str, str] = field(default_factory=dict)


class DeliveryStatus(StrEnum):
    SENT = "sent"
    TEMPORARY_FAILURE = "temporary_failure"
    PERMANENT_FAILURE = "permanent_failure"


@dataclass(frozen=True)
class DeliveryResult:
    """How one message ended; `error` is a Vietnamese explanation for staff, None when sent."""

    message_id: str
    status: DeliveryStatus
    attempts: int
    error: str | None


def outbox_message_id(outbox_id: int, round_id: int, domain: str = "ykien.localhost") -> str:
    """The Message-ID of an outbox row, the same on every retry: "<outbox-42.round-7@domain>"."""
    return f"<outbox-{outbox_id}.round-{round_id}@{domain}>"


def build_message(email: OutgoingEmail, *, date: datetime | None = None) -> EmailMessage:
    """A multipart/alternative (plain text + HTML, UTF-8) message with Date and Message-ID."""
    if not _MESSAGE_ID.fullmatch(email.message_id):
        raise ValueError(f"Message-ID {email.message_id!r} must look like <local@domain>")
    msg = EmailMessage()
    msg["Message-ID"] = email.message_id
    msg["Date"] = format_datetime(date or datetime.now(timezone.utc))
    msg["From"] = email.sender
    msg["To"] = email.to
    msg["Subject"] = email.subject
    for name, value in email.headers.items():
        if name.lower() in _RESERVED_HEADERS or name.lower().startswith("content-"):
            raise ValueError(f"header {name!r} is set by build_message and cannot be overridden")
        msg[name] = value
    msg.set_content(email.text, subtype="plain", charset="utf-8")
    msg.add_alternative(email.html, subtype="html", charset="utf-8")
    return msg


async def deliver(
    emails: Iterable[OutgoingEmail],
    target: SmtpTarget,
    *,
    connections: int = 8,
    max_attempts: int = 4,
    backoff_base: float = 0.5,
    on_result: ResultCallback | None = None,
) -> list[DeliveryResult]:
    """Send every email over `connections` reused connections; results follow the input order.

    The input is read lazily (a generator of thousands is fine): at most a few messages per
    connection are prepared at once. `on_result` (plain or async) runs as each message ends.
    """
    if connections < 1 or max_attempts < 1 or backoff_base < 0:
        raise ValueError("connections and max_attempts must be >= 1, backoff_base >= 0")
    if target.local_hostname is None:
        # Resolve the EHLO name once per batch, not once per connection.
        hostname = await asyncio.get_running_loop().run_in_executor(None, socket.getfqdn)
        target = dataclasses.replace(target, local_hostname=hostname or "localhost")
    batch = _Batch(target, connections, max_attempts, backoff_base, on_result)
    return await batch.run(emails)


def deliver_sync(
    emails: Iterable[OutgoingEmail],
    target: SmtpTarget,
    *,
    connections: int = 8,
    max_attempts: int = 4,
    backoff_base: float = 0.5,
    on_result: ResultCallback | None = None,
) -> list[DeliveryResult]:
    """`deliver` for callers without an event loop (CLI, scheduler threads)."""
    return asyncio.run(
        deliver(
            emails,
            target,
            connections=connections,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            on_result=on_result,
        )
    )


@dataclass(slots=True)
class _Prepared:
    """A message ready for the wire: envelope addresses and the flattened bytes."""

    index: int
    message_id: str
    sender: str
    recipient: str
    data: bytes
    attempts: int = 0


def _prepare(index: int, email: OutgoingEmail) -> _Prepared:
    sender = parseaddr(email.sender)[1]
    recipient = parseaddr(email.to)[1]
    for role, raw, address in (
        ("người gửi", email.sender, sender),
        ("người nhận", email.to, recipient),
    ):
        if "@" not in address or not address.isascii():
            raise ValueError(f"địa chỉ {role} không hợp lệ: {raw!r}")
    data = build_message(email).as_bytes(policy=_WIRE_POLICY)
    return _Prepared(index, email.message_id, sender, recipient, data)


class _ConnectFailed(Exception):
    """Opening the connection (connect, EHLO, STARTTLS, AUTH) failed."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


@dataclass(frozen=True)
class _Failure:
    permanent: bool
    reason: str
    drop_connection: bool


class _Connection:
    """One persistent SMTP session, reopened on demand after a disconnect."""

    def __init__(self, target: SmtpTarget) -> None:
        self._target = target
        self._smtp: aiosmtplib.SMTP | None = None

    async def send(self, item: _Prepared) -> None:
        smtp = await self._open()
        await smtp.sendmail(item.sender, [item.recipient], item.data)

    async def _open(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        self.drop()
        target = self._target
        smtp = aiosmtplib.SMTP(
            hostname=target.host,
            port=target.port,
            username=target.username,
            password=target.password,
            local_hostname=target.local_hostname,
            timeout=target.timeout,
            use_tls=target.tls == "implicit",
            # False, not None: a plain smtp:// target must not upgrade on its own.
            start_tls=target.tls == "starttls",
        )
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            smtp.close()
            raise _ConnectFailed(exc) from exc
        self._smtp = smtp
        return smtp

    def drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None or not smtp.is_connected:
            return
        try:
            await smtp.quit(timeout=min(self._target.timeout, 5))
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
            pass
        finally:
            smtp.close()


class _Batch:
    """One `deliver` call: a producer preparing messages and N workers doing only I/O."""

    def __init__(
        self,
        target: SmtpTarget,
        connections: int,
        max_attempts: int,
        backoff_base: float,
        on_result: ResultCallback | None,
    ) -> None:
        self._target = target
        self._connections = connections
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._on_result = on_result
        self._queue: asyncio.Queue[_Prepared | None] = asyncio.Queue()
        self._window = asyncio.Semaphore(connections * _WINDOW_PER_CONNECTION)
        self._results: list[DeliveryResult | None] = []
        self._unfinished = 0
        self._input_done = False
        self._retry_timers: set[asyncio.TimerHandle] = set()

    async def run(self, emails: Iterable[OutgoingEmail]) -> list[DeliveryResult]:
        tasks = [asyncio.create_task(self._work()) for _ in range(self._connections)]
        tasks.append(asyncio.create_task(self._produce(emails)))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
        finally:
            for timer in self._retry_timers:
                timer.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        assert all(result is not None for result in self._results)
        return self._results  # type: ignore[return-value]

    async def _produce(self, emails: Iterable[OutgoingEmail]) -> None:
        for index, email in zip(itertools.count(), emails):
            self._results.append(None)
            try:
                item = _prepare(index, email)
            except (ValueError, TypeError, UnicodeError) as exc:
                reason = f"Không tạo được thư: {exc}"
                result = DeliveryResult(
                    email.message_id, DeliveryStatus.PERMANENT_FAILURE, 0, reason
                )
                self._results[index] = result
                await self._report(result)
                continue
            await self._window.acquire()
            self._unfinished += 1
            self._queue.put_nowait(item)
        self._input_done = True
        self._stop_workers_if_finished()

    async def _work(self) -> None:
        connection = _Connection(self._target)
        try:
            while (item := await self._queue.get()) is not None:
                await self._attempt(connection, item)
        finally:
            await connection.close()

    async def _attempt(self, connection: _Connection, item: _Prepared) -> None:
        item.attempts += 1
        try:
            await connection.send(item)
        except (
            _ConnectFailed,
            aiosmtplib.SMTPException,
            OSError,
            asyncio.TimeoutError,
            ValueError,
        ) as exc:
            failure = _classify(exc, self._target)
            if failure.drop_connection:
                connection.drop()
            if failure.permanent:
                await self._finish(item, DeliveryStatus.PERMANENT_FAILURE, failure.reason)
            elif item.attempts >= self._max_attempts:
                reason = f"Lỗi tạm thời, đã thử {item.attempts} lần: {failure.reason}"
                await self._finish(item, DeliveryStatus.TEMPORARY_FAILURE, reason)
            else:
                self._retry_later(item)
        else:
            await self._finish(item, DeliveryStatus.SENT, None)

    def _retry_later(self, item: _Prepared) -> None:
        delay = self._backoff_base * 2 ** (item.attempts - 1) * random.uniform(1.0, 1.25)
        loop = asyncio.get_running_loop()

        def requeue() -> None:
            self._retry_timers.discard(timer)
            self._queue.put_nowait(item)

        # The worker moves on; the message keeps its window slot while it waits.
        timer = loop.call_later(delay, requeue)
        self._retry_timers.add(timer)

    async def _finish(self, item: _Prepared, status: DeliveryStatus, error: str | None) -> None:
        result = DeliveryResult(item.message_id, status, item.attempts, error)
        self._results[item.index] = result
        self._unfinished -= 1
        self._window.release()
        self._stop_workers_if_finished()
        if status is not DeliveryStatus.SENT:
            log.info("delivery of %s: %s (%s)", item.message_id, status, error)
        await self._report(result)

    async def _report(self, result: DeliveryResult) -> None:
        if self._on_result is None:
            return
        outcome = self._on_result(result)
        if inspect.isawaitable(outcome):
            await outcome

    def _stop_workers_if_finished(self) -> None:
        if self._input_done and self._unfinished == 0:
            for _ in range(self._connections):
                self._queue.put_nowait(None)


def _classify(exc: BaseException, target: SmtpTarget) -> _Failure:
    """Decide whether a failed attempt is worth retrying, and say why in Vietnamese."""
    if isinstance(exc, _ConnectFailed):
        # Connection-level problems (refused, TLS, login) are never the message's fault:
        # retry, and leave the outbox row retryable once the server or settings are fixed.
        return _Failure(
            False, f"Không kết nối được máy chủ thư {target.host}:{target.port}: {exc.cause}", True
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        refused = exc.recipients[0]
        return _reply_failure(refused.code, refused.message)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _reply_failure(exc.code, exc.message)
    if isinstance(exc, (aiosmtplib.SMTPTimeoutError, asyncio.TimeoutError)):
        return _Failure(False, f"Hết thời gian chờ máy chủ thư: {exc}", True)
    if isinstance(exc, (aiosmtplib.SMTPServerDisconnected, OSError)):
        return _Failure(False, f"Mất kết nối với máy chủ thư: {exc}", True)
    # SMTPNotSupported, or an address aiosmtplib refuses to send: retrying cannot help.
    return _Failure(True, f"Máy chủ thư không nhận được thư: {exc}", False)


def _reply_failure(code: int, message: str) -> _Failure:
    text = f"({code}) {message}".strip()
    if 500 <= code < 600:
        return _Failure(True, f"Máy chủ thư từ chối {text}", False)
    # 421 means the server is closing this session.
    return _Failure(False, f"Máy chủ thư tạm từ chối {text}", code == 421)

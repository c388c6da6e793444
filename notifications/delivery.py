"""Send prepared emails over a few persistent SMTP connections, with retries on 4xx and errors.

Each message ends as sent, a temporary failure (the outbox may try again later) or a permanent
failure (5xx: the server will never take it). Results are reported as soon as each one is known. While
`on_result` runs, its connection sends the next message's envelope (MAIL, RCPT) but not its DATA: a caller that
records each result there loses track, in a crash, of at most one sent message per connection, and the recording
costs the connection no round trip of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
import logging
import random
import socket
import ssl
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import aiosmtplib

from config.file_stamps import FileStamp, file_stamp
from config.number_words import decimal_words
from config.smtp_url import SmtpTarget
from notifications.message import (
    OutgoingEmail,
    build_message,
    envelope_address,
    outbox_message_id,
    render_message,
)
from notifications.smtp_transaction import say_hello, send_prepared

__all__ = [
    "DeliveryResult",
    "DeliveryStatus",
    "OutgoingEmail",
    "build_message",
    "deliver",
    "deliver_sync",
    "outbox_message_id",
    "render_message",
]

log = logging.getLogger(__name__)

ResultCallback = Callable[["DeliveryResult"], Awaitable[None] | None]
Emails = Iterable[OutgoingEmail] | AsyncIterable[OutgoingEmail]

# Prepared-but-unfinished messages per connection: bounds memory for any input size.
_WINDOW_PER_CONNECTION = 4
# At a stop, how long the messages on the wire may take to finish before their connections are cut: a server that
# accepts a connection and never answers would otherwise hold the stop for its whole timeout (YKIEN_SMTP_URL's
# ?timeout=, 30 s by default), past what systemd or a container runtime waits before it kills the process
STOP_GRACE_SECONDS = 6.5
_STOP_POLL_SECONDS = 0.1


class DeliveryStatus(StrEnum):
    SENT = "sent"
    TEMPORARY_FAILURE = "temporary_failure"
    PERMANENT_FAILURE = "permanent_failure"
    # Prepared, never put on the wire: the delivery was stopped first (`deliver`'s `stopped`).
    NOT_SENT = "not_sent"


@dataclass(frozen=True)
class DeliveryResult:
    """How one message ended; `error` is a Vietnamese explanation for staff, None when sent.

    `server_unavailable` marks a temporary failure of the server as a whole (refused, timed out, 421, TLS), not of
    this message: the outbox keeps such a message waiting however long the outage lasts."""

    message_id: str
    status: DeliveryStatus
    attempts: int
    error: str | None
    server_unavailable: bool = False


async def deliver(
    emails: Emails,
    target: SmtpTarget,
    *,
    connections: int = 8,
    max_attempts: int = 4,
    backoff_base: float = 0.5,
    on_result: ResultCallback | None = None,
    stopped: Callable[[], float | None] | None = None,
) -> list[DeliveryResult]:
    """Send every email over `connections` reused connections; results follow the input order.

    The input is read lazily (a generator of thousands is fine, or an async one that fetches more
    as it is asked): at most a few messages per connection are prepared at once. `on_result`
    (plain or async) runs as each message ends, before its connection sends the DATA of another.
    Once `stopped()` gives when the stop was asked (time.monotonic(), None until then), the messages on the wire get
    until STOP_GRACE_SECONDS after it to finish and the ones prepared but not started end NOT_SENT, at once: with a
    server taking seconds a message, sending them would outlast any stop.
    """
    if connections < 1 or max_attempts < 1 or backoff_base < 0:
        raise ValueError("connections and max_attempts must be >= 1, backoff_base >= 0")
    if target.local_hostname is None:
        # Resolve the EHLO name once per batch, not once per connection.
        hostname = await asyncio.get_running_loop().run_in_executor(None, socket.getfqdn)
        target = dataclasses.replace(target, local_hostname=hostname or "localhost")
    batch = _Batch(target, connections, max_attempts, backoff_base, on_result, stopped)
    return await batch.run(emails)


def deliver_sync(
    emails: Emails,
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
    first_attempt_at: float = 0.0


def _prepare(index: int, email: OutgoingEmail) -> _Prepared:
    return _Prepared(
        index,
        email.message_id,
        envelope_address(email.sender, "người gửi"),
        envelope_address(email.to, "người nhận"),
        render_message(email),
    )


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
    # The server as a whole is unavailable (connect, TLS, timeout, 421), not this message.
    server_level: bool = False


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The client TLS context for the SMTP server: the system's trust store, plus the CA file when one is
    configured; certificates and host names are always verified. Built once a process for each CA file as it is on
    disk (a file replaced is read again): loading the trust store costs 20-50 ms of CPU, which every connection
    paid when aiosmtplib built its own."""
    return _tls_context(ca_file, None if ca_file is None else file_stamp(ca_file))


@functools.lru_cache(maxsize=8)
def _tls_context(ca_file: str | None, _stamp: FileStamp | None) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if ca_file is not None:
        context.load_verify_locations(cafile=ca_file)
    return context


class _Connection:
    """One persistent SMTP session, reopened on demand after a disconnect."""

    def __init__(self, target: SmtpTarget) -> None:
        self._target = target
        self._smtp: aiosmtplib.SMTP | None = None

    async def send(self, item: _Prepared, before_data: Awaitable[object] | None) -> None:
        await send_prepared(await self._open(), item.sender, item.recipient, item.data, before_data, rendered=True)

    async def _open(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        self.drop()
        target = self._target
        try:
            context = None if target.tls == "none" else tls_context(target.ca_file)
        except OSError as exc:  # the CA file unreadable or not PEM (ssl.SSLError is an OSError)
            raise _ConnectFailed(exc) from exc
        self._smtp = smtp = aiosmtplib.SMTP(
            hostname=target.host,
            port=target.port,
            username=target.username,
            password=target.password,
            local_hostname=target.local_hostname,
            timeout=target.timeout,
            tls_context=context,
            use_tls=target.tls == "implicit",
            # False, not None: a plain smtp:// target must not upgrade on its own.
            start_tls=target.tls == "starttls",
        )
        try:  # held in self._smtp meanwhile: a cut at a stop (drop) closes it while it connects
            await smtp.connect()
            await say_hello(smtp)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            smtp.close()
            self._smtp = None
            raise _ConnectFailed(exc) from exc
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
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
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
        stopped: Callable[[], float | None] | None = None,
    ) -> None:
        self._target = target
        self._stopped = stopped
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
        # Circuit breaker: once the server stayed unreachable through a whole retry cycle,
        # the rest of the batch ends at once as temporary failures for a later sweep.
        self._last_connected_at = float("-inf")
        self._unreachable: str | None = None
        self._open_connections: list[_Connection] = []  # what a stop cuts after STOP_GRACE_SECONDS

    async def run(self, emails: Emails) -> list[DeliveryResult]:
        tasks = [asyncio.create_task(self._work()) for _ in range(self._connections)]
        tasks.append(asyncio.create_task(self._produce(emails)))
        cutting = asyncio.create_task(self._cut_when_stopped()) if self._stopped is not None else None
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                error = task.exception()
                if error is not None:
                    raise error
        finally:
            if cutting is not None:
                cutting.cancel()
            for timer in self._retry_timers:
                timer.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        results = [result for result in self._results if result is not None]
        assert len(results) == len(self._results)
        return results

    async def _cut_when_stopped(self) -> None:
        """Once stopped, give the messages on the wire STOP_GRACE_SECONDS from the stop's request, then close their
        connections: each such message ends as after a lost connection, not recorded as sent (the server may have
        taken it: sent again later, at most one a connection)."""
        assert self._stopped is not None
        while (asked_at := self._stopped()) is None:
            await asyncio.sleep(_STOP_POLL_SECONDS)
        await asyncio.sleep(max(0.0, asked_at + STOP_GRACE_SECONDS - time.monotonic()))
        for connection in self._open_connections:
            connection.drop()

    async def _produce(self, emails: Emails) -> None:
        if isinstance(emails, AsyncIterable):
            index = 0
            async for email in emails:
                await self._take(index, email)
                index += 1
        else:
            for index, email in enumerate(emails):
                await self._take(index, email)
        self._input_done = True
        self._stop_workers_if_finished()

    async def _take(self, index: int, email: OutgoingEmail) -> None:
        self._results.append(None)
        try:
            item = _prepare(index, email)
        except (ValueError, TypeError, UnicodeError) as exc:
            reason = f"Không tạo được thư: {exc}"
            result = DeliveryResult(email.message_id, DeliveryStatus.PERMANENT_FAILURE, 0, reason)
            self._results[index] = result
            await self._report(result)
            return
        await self._window.acquire()
        self._unfinished += 1
        self._queue.put_nowait(item)

    async def _work(self) -> None:
        connection = _Connection(self._target)
        self._open_connections.append(connection)
        reporting: asyncio.Task[None] | None = None
        try:
            while (item := await self._queue.get()) is not None:
                if self._stopped is not None and self._stopped() is not None:
                    await self._finish(item, DeliveryStatus.NOT_SENT, None)
                    continue
                reporting = await self._attempt(connection, item, reporting)
            if reporting is not None:
                await reporting
        finally:
            if reporting is not None and not reporting.done():
                reporting.cancel()
            elif reporting is not None and not reporting.cancelled():
                reporting.exception()  # retrieved: the worker that raised it has already carried it up
            await connection.close()

    async def _attempt(self, connection: _Connection, item: _Prepared,
                       reporting: asyncio.Task[None] | None) -> asyncio.Task[None] | None:
        """Try `item` once. `reporting` is the report of the message this connection sent before, maybe still
        running: this message's MAIL, RCPT and DATA go out meanwhile, but its body waits for that report, so a
        connection never has more than one sent message unreported. Returns this message's report when it was sent
        (running), None when it was finished here."""
        if self._unreachable is not None:
            await _settled(reporting)
            await self._finish(item, DeliveryStatus.TEMPORARY_FAILURE, self._unreachable, server_unavailable=True)
            return None
        item.attempts += 1
        if item.attempts == 1:
            item.first_attempt_at = time.monotonic()
        try:
            await connection.send(item, _shielded(reporting))
        except (TimeoutError, _ConnectFailed, aiosmtplib.SMTPException, OSError, ValueError) as exc:
            await _settled(reporting)
            failure = _classify(exc, self._target)
            if not failure.server_level:
                self._last_connected_at = time.monotonic()
            if failure.drop_connection:
                connection.drop()
            if failure.permanent:
                await self._finish(item, DeliveryStatus.PERMANENT_FAILURE, failure.reason)
            elif item.attempts >= self._max_attempts and failure.server_level:
                # The reason alone, the same for every message the outage holds back: staff read one line per reason.
                if self._last_connected_at < item.first_attempt_at:
                    self._unreachable = failure.reason
                await self._finish(
                    item, DeliveryStatus.TEMPORARY_FAILURE, failure.reason, server_unavailable=True
                )
            elif item.attempts >= self._max_attempts:
                reason = f"Lỗi tạm thời, đã thử {item.attempts} lần: {failure.reason}"
                await self._finish(item, DeliveryStatus.TEMPORARY_FAILURE, reason)
            elif self._stopped is not None and self._stopped() is not None:
                await self._finish(item, DeliveryStatus.NOT_SENT, None)  # stopping (a cut connection): no retry
            else:
                self._retry_later(item)
            return None
        self._last_connected_at = time.monotonic()
        return asyncio.create_task(self._finish(item, DeliveryStatus.SENT, None))

    def _retry_later(self, item: _Prepared) -> None:
        delay = self._backoff_base * 2 ** (item.attempts - 1) * random.uniform(1.0, 1.25)
        loop = asyncio.get_running_loop()

        def requeue() -> None:
            self._retry_timers.discard(timer)
            self._queue.put_nowait(item)

        # The worker moves on; the message keeps its window slot while it waits.
        timer = loop.call_later(delay, requeue)
        self._retry_timers.add(timer)

    async def _finish(
        self,
        item: _Prepared,
        status: DeliveryStatus,
        error: str | None,
        *,
        server_unavailable: bool = False,
    ) -> None:
        result = DeliveryResult(item.message_id, status, item.attempts, error, server_unavailable)
        self._results[item.index] = result
        self._unfinished -= 1
        self._window.release()
        self._stop_workers_if_finished()
        if status not in (DeliveryStatus.SENT, DeliveryStatus.NOT_SENT):
            log.info("gửi thư %s: %s (%s)", item.message_id, status, error)
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


async def _settled(reporting: asyncio.Task[None] | None) -> None:
    """Wait for a report still running; what it raised (its result could not be recorded) is raised here."""
    if reporting is not None:
        await reporting


def _shielded(reporting: asyncio.Task[None] | None) -> Awaitable[None] | None:
    """`reporting` to await inside a send: a send that times out or is cancelled must not cancel the report. A send
    that fails before its DATA never awaits it; the report's own failure is raised from `reporting` (_settled), so
    the shield's copy of it is marked read: asyncio would log it with its traceback as "never retrieved"."""
    if reporting is None:
        return None
    shielded = asyncio.shield(reporting)
    shielded.add_done_callback(_read_failure)
    return shielded


def _read_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


def _classify(exc: BaseException, target: SmtpTarget) -> _Failure:
    """Decide whether a failed attempt is worth retrying, and say why in Vietnamese."""
    if isinstance(exc, _ConnectFailed):
        # Connection-level problems (refused, timeout, 421, TLS, login) are never the message's fault:
        # retry, and leave the outbox row waiting until the server or the settings are fixed.
        where = f"Không kết nối được máy chủ thư {target.host}:{target.port}"
        return _Failure(False, f"{where}: {_connect_problem(exc.cause, target)}", True, True)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        refused = exc.recipients[0]
        return _reply_failure(refused.code, refused.message)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _reply_failure(exc.code, exc.message)
    if isinstance(exc, (aiosmtplib.SMTPTimeoutError, asyncio.TimeoutError)):
        return _Failure(False, f"Hết thời gian chờ máy chủ thư: {exc}", True, True)
    if isinstance(exc, (aiosmtplib.SMTPServerDisconnected, OSError)):
        return _Failure(False, f"Mất kết nối với máy chủ thư: {exc}", True, True)
    # SMTPNotSupported, or an address aiosmtplib refuses to send: retrying cannot help.
    return _Failure(True, f"Máy chủ thư không nhận được thư: {exc}", False)


CA_FILE_SETTING = "YKIEN_SMTP_CA_FILE"


def _connect_problem(cause: BaseException, target: SmtpTarget) -> str:
    """Why a connection could not be opened, in words staff can act on."""
    chain: list[BaseException] = []
    current: BaseException | None = cause
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for error in chain:
        if isinstance(error, ssl.SSLCertVerificationError):
            detail = error.verify_message or str(error)
            trusted = (
                f"các CA trong {CA_FILE_SETTING}={target.ca_file}"
                if target.ca_file
                else f"kho chứng chỉ của hệ thống ({CA_FILE_SETTING} chưa đặt)"
            )
            return (
                f"chứng chỉ TLS của {target.host} không xác minh được ({detail}) theo {trusted}; "
                f"nếu máy chủ thư dùng chứng chỉ do CA riêng cấp, đặt {CA_FILE_SETTING} là tệp PEM "
                "của CA đó. Thư chờ, không gửi khi chưa mã hoá."
            )
        if isinstance(error, ConnectionRefusedError):
            return "máy chủ từ chối kết nối"
    if isinstance(cause, aiosmtplib.SMTPConnectTimeoutError):
        return f"máy chủ không trả lời sau {decimal_words(target.timeout)} giây"
    if isinstance(cause, aiosmtplib.SMTPResponseException):
        return f"máy chủ trả lời ({cause.code}) {cause.message}".strip()
    if isinstance(cause, ssl.SSLError):
        return f"lỗi TLS: {cause}"
    return str(cause)


def _reply_failure(code: int, message: str) -> _Failure:
    text = f"({code}) {message}".strip()
    if 500 <= code < 600:
        return _Failure(True, f"Máy chủ thư từ chối {text}", False)
    # 421 means the server is closing this session: the server, not this message, is unavailable.
    return _Failure(False, f"Máy chủ thư tạm từ chối {text}", code == 421, code == 421)

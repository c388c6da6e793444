"""The embedded SMTP sink: with no YKIEN_SMTP_URL, mail is accepted locally and stored.

`store` usually writes to the database; when it raises, the sink answers 451 so that the
sender keeps the message and retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default as default_policy
from types import TracebackType
from typing import Any

from notifications.smtp_server import SmtpServerThread, ehlo_announcing_pipelining

log = logging.getLogger(__name__)

ACCEPTED = "250 2.0.0 Message accepted"
STORE_FAILED = "451 4.3.0 Message could not be stored, try again later"


@dataclass(frozen=True)
class ReceivedMail:
    """One message the sink accepted: envelope, decoded headers and the raw bytes."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message_id: str | None
    subject: str | None
    raw: bytes
    received_at: datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


def read_mail(
    mail_from: str, rcpt_tos: tuple[str, ...], raw: bytes, received_at: datetime
) -> ReceivedMail:
    """Build a ReceivedMail, decoding Subject and Message-ID (RFC 2047) when they parse."""
    message_id = subject = None
    try:
        headers = BytesParser(policy=default_policy).parsebytes(raw, headersonly=True)
        if headers["Message-ID"] is not None:
            message_id = str(headers["Message-ID"]).strip() or None
        if headers["Subject"] is not None:
            subject = str(headers["Subject"])
    except Exception:  # noqa: BLE001 - a malformed header must not make the sink lose mail
        log.warning("hộp thư nội bộ: không đọc được phần đầu của một thư từ %s", mail_from)
    return ReceivedMail(mail_from, rcpt_tos, message_id, subject, raw, received_at)


class _SinkHandler:
    def __init__(
        self,
        store: Callable[[ReceivedMail], None],
        clock: Callable[[], datetime],
        executor: ThreadPoolExecutor,
    ) -> None:
        self._store = store
        self._clock = clock
        self._executor = executor

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        # As the relays staff configure do: ykien then sends MAIL, RCPT and DATA together, on the same path as theirs.
        return ehlo_announcing_pipelining(session, hostname, responses)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content
        if raw is None:
            raw = envelope.content
        mail = read_mail(
            envelope.mail_from or "", tuple(envelope.rcpt_tos), bytes(raw), self._clock()
        )
        try:
            # One store thread: calls never overlap, and the SMTP loop keeps serving meanwhile.
            await asyncio.get_running_loop().run_in_executor(self._executor, self._store, mail)
        except Exception:
            log.exception("hộp thư nội bộ: lưu thư %s lỗi; đã trả lời 451", mail.message_id)
            return STORE_FAILED
        return ACCEPTED


class MailSink:
    """An aiosmtpd server in its own thread that hands every accepted message to `store`."""

    def __init__(
        self,
        store: Callable[[ReceivedMail], None],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._clock = clock
        self._host = host
        self._requested_port = port
        self._executor: ThreadPoolExecutor | None = None
        self._server: SmtpServerThread | None = None

    def start(self) -> None:
        """Start listening; port 0 picks a free port (see `port`). Starting twice is an error."""
        if self._server is not None:
            raise RuntimeError("the mail sink is already running")
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ykien-sink-store")
        server = SmtpServerThread(
            _SinkHandler(self._store, self._clock, executor), self._host, self._requested_port
        )
        try:
            server.start()
        except BaseException:
            executor.shutdown(wait=False)
            raise
        self._executor, self._server = executor, server

    def stop(self) -> None:
        """Stop listening and wait for pending store calls; does nothing when not running."""
        server, self._server = self._server, None
        executor, self._executor = self._executor, None
        if server is not None:
            server.stop()
        if executor is not None:
            executor.shutdown(wait=True)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the mail sink is not running")
        return self._server.port

    @property
    def url(self) -> str:
        """The YKIEN_SMTP_URL that sends into this sink, e.g. "smtp://127.0.0.1:8025"."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"smtp://{host}:{self.port}"

    def __enter__(self) -> MailSink:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

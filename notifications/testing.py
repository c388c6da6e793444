"""A real loopback SMTP server for tests and benchmarks, with per-recipient misbehaviour.

    with smtp_capture() as capture:
        capture.fail_temporarily("slow@example.vn", times=2)   # 451 twice, then accept
        capture.reject("gone@example.vn")                       # 550 every time
        deliver_sync(emails, capture.target)
        assert len(capture.messages) == ...

Also: `drop_connection` (421 then hang up), `fail_temporarily(..., stage="data")`,
`fail_mail_from(times)` (421 to MAIL FROM, whoever the recipient), `stop()` and `start()` (an
outage: the port refuses connections, then the same port listens again), `smtp_capture(tls=...)`
(STARTTLS or implicit TLS with the caller's server certificate), `smtp_capture(pipelining=True)` (it
announces PIPELINING, RFC 2920, as most relays do: the client may send MAIL, RCPT and DATA at once),
`envelopes` (with the client's peer, to count connections), `wait_for(count)` for callers whose
sending runs elsewhere (a subprocess, a scheduler thread).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any, Literal

from config.smtp_url import SmtpTarget
from notifications.smtp_server import SmtpServerThread, ehlo_announcing_pipelining

Stage = Literal["rcpt", "data"]
CaptureTls = Literal["starttls", "implicit"]


@dataclass
class _Rule:
    temporary_left: int = 0
    temporary_code: int = 451
    temporary_stage: Stage = "rcpt"
    permanent_code: int | None = None
    drops_left: int = 0


@dataclass(frozen=True)
class CapturedEnvelope:
    """Envelope and peer of one accepted message (the peer tells connections apart)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    peer: tuple[str, int]


class SmtpCapture:
    """What the loopback server received, plus the knobs that make it misbehave."""

    target: SmtpTarget  # where to deliver; set once the server listens

    def __init__(
        self,
        host: str,
        tls: CaptureTls | None = None,
        server_context: ssl.SSLContext | None = None,
        pipelining: bool = False,
    ) -> None:
        if (tls is None) != (server_context is None):
            raise ValueError("tls and server_context go together")
        self.pipelining = pipelining  # announced in the reply to EHLO
        self._tls = tls
        self._server_context = server_context
        self._mail_from_left = 0
        self._mail_from_code = 421
        self._lock = threading.Condition()
        self._raw: list[bytes] = []
        self._parsed: list[EmailMessage] = []
        self._envelopes: list[CapturedEnvelope] = []
        self._rules: dict[str, _Rule] = {}
        self._rcpt_attempts: Counter[str] = Counter()
        self._mail_from_seen = 0
        self._handler = _CaptureHandler(self)
        self._host = host
        self._server: SmtpServerThread = self._new_server(0)

    # Behaviour hooks (callable from any thread, before or during delivery).

    def fail_temporarily(
        self, address: str, times: int = 1, *, code: int = 451, stage: Stage = "rcpt"
    ) -> None:
        """Answer `code` (4xx) to the next `times` attempts for `address` at RCPT or DATA."""
        if not 400 <= code < 500:
            raise ValueError(f"a temporary failure needs a 4xx code, got {code}")
        with self._lock:
            rule = self._rules.setdefault(address.lower(), _Rule())
            rule.temporary_left, rule.temporary_code, rule.temporary_stage = times, code, stage

    def reject(self, address: str, *, code: int = 550) -> None:
        """Refuse `address` permanently at RCPT (550 mailbox unavailable by default)."""
        if not 500 <= code < 600:
            raise ValueError(f"a permanent failure needs a 5xx code, got {code}")
        with self._lock:
            self._rules.setdefault(address.lower(), _Rule()).permanent_code = code

    def accept(self, address: str) -> None:
        """Stop refusing `address` (its mailbox was repaired): what `reject` set is lifted."""
        with self._lock:
            rule = self._rules.get(address.lower())
            if rule is not None:
                rule.permanent_code = None

    def fail_mail_from(self, times: int, *, code: int = 421) -> None:
        """Answer `code` (4xx, 421 by default: closing the session) to the next `times` MAIL FROM commands."""
        if not 400 <= code < 500:
            raise ValueError(f"a temporary failure needs a 4xx code, got {code}")
        with self._lock:
            self._mail_from_left, self._mail_from_code = times, code

    def mail_from_attempts(self) -> int:
        """How many MAIL FROM commands arrived (accepted or not)."""
        with self._lock:
            return self._mail_from_seen

    def stop(self) -> None:
        """Stop listening: connections to the port are refused until `start()` (an outage)."""
        self._server.stop()

    def start(self) -> None:
        """Listen again on the same port after `stop()`; what was received is kept."""
        if self._server.running:
            return
        self._server = self._new_server(self.target.port)
        self._server.start()

    def drop_connection(self, address: str, times: int = 1) -> None:
        """Close the connection after the DATA of the next `times` messages to `address`."""
        with self._lock:
            self._rules.setdefault(address.lower(), _Rule()).drops_left = times

    @property
    def url(self) -> str:
        """The YKIEN_SMTP_URL for this server, e.g. for a CLI subprocess."""
        host = f"[{self.target.host}]" if ":" in self.target.host else self.target.host
        scheme = {None: "smtp", "starttls": "smtp+starttls", "implicit": "smtps"}[self._tls]
        return f"{scheme}://{host}:{self.target.port}"

    # What was received.

    @property
    def messages(self) -> list[EmailMessage]:
        """A snapshot of the accepted messages, parsed with email.policy.default."""
        with self._lock:
            # Parsed on first read, not in the server thread: parsing is slow and would
            # compete with the sender for the GIL in benchmarks.
            for raw in self._raw[len(self._parsed) :]:
                self._parsed.append(_parse(raw))
            return list(self._parsed)

    @property
    def raw_messages(self) -> list[bytes]:
        """A snapshot of the accepted messages as received (after dot-unstuffing)."""
        with self._lock:
            return list(self._raw)

    @property
    def envelopes(self) -> list[CapturedEnvelope]:
        with self._lock:
            return list(self._envelopes)

    def rcpt_attempts(self, address: str) -> int:
        """How many RCPT commands named `address` (accepted or not)."""
        with self._lock:
            return self._rcpt_attempts[address.lower()]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Block until at least `count` messages arrived; raise TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._raw) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self._raw)} of {count} messages arrived")
                self._lock.wait(left)
        return self.messages

    def _new_server(self, port: int) -> SmtpServerThread:
        """A server on `port`; with TLS, STARTTLS required before MAIL, or TLS from the first byte."""
        options: dict[str, Any] = {}
        if self._tls == "implicit" and self._server_context is not None:
            options = {"ssl_context": self._server_context}
        elif self._tls is not None and self._server_context is not None:
            options = {"tls_context": self._server_context, "require_starttls": True}
        return SmtpServerThread(self._handler, self._host, port, options)

    def _start(self) -> None:
        self._server.start()
        self.target = SmtpTarget(
            self._server.host, self._server.port, timeout=10, tls=self._tls or "none"
        )

    def _stop(self) -> None:
        self._server.stop()


class _CaptureHandler:
    def __init__(self, capture: SmtpCapture) -> None:
        self._capture = capture

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        if not self._capture.pipelining:
            session.host_name = hostname  # what aiosmtpd does without a hook
            return responses
        return ehlo_announcing_pipelining(session, hostname, responses)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        capture = self._capture
        with capture._lock:
            capture._mail_from_seen += 1
            if capture._mail_from_left > 0:
                capture._mail_from_left -= 1
                return f"{capture._mail_from_code} 4.3.2 Service not available, try again later"
        # What aiosmtpd does without a hook.
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        capture = self._capture
        with capture._lock:
            capture._rcpt_attempts[address.lower()] += 1
            rule = capture._rules.get(address.lower())
            if rule is not None and rule.permanent_code is not None:
                return f"{rule.permanent_code} 5.1.1 Mailbox unavailable"
            if rule is not None and rule.temporary_stage == "rcpt" and rule.temporary_left > 0:
                rule.temporary_left -= 1
                return f"{rule.temporary_code} 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        capture = self._capture
        with capture._lock:
            for address in envelope.rcpt_tos:
                rule = capture._rules.get(address.lower())
                if rule is None:
                    continue
                if rule.temporary_stage == "data" and rule.temporary_left > 0:
                    rule.temporary_left -= 1
                    return f"{rule.temporary_code} 4.3.0 Try again later"
                if rule.drops_left > 0:
                    rule.drops_left -= 1
                    # Close right after the reply is written: the client sees 421, then EOF.
                    transport = server.transport
                    asyncio.get_running_loop().call_soon(transport.close)
                    return "421 4.4.2 Closing connection"
            raw = envelope.original_content or envelope.content
            capture._raw.append(bytes(raw))
            capture._envelopes.append(
                CapturedEnvelope(
                    envelope.mail_from, tuple(envelope.rcpt_tos), tuple(session.peer[:2])
                )
            )
            capture._lock.notify_all()
        return "250 2.0.0 OK"


def _parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=default_policy).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


@contextmanager
def smtp_capture(
    host: str = "127.0.0.1",
    *,
    tls: CaptureTls | None = None,
    server_context: ssl.SSLContext | None = None,
    pipelining: bool = False,
) -> Iterator[SmtpCapture]:
    """Run a loopback SMTP server on a free port for the duration of the block; with `tls`, it speaks
    STARTTLS (required before MAIL) or implicit TLS with `server_context`'s certificate; with `pipelining`, it
    announces PIPELINING."""
    capture = SmtpCapture(host, tls, server_context, pipelining)
    capture._start()
    try:
        yield capture
    finally:
        capture._stop()

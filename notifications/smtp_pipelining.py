"""Replies to SMTP commands sent together (RFC 2920 PIPELINING) on an aiosmtplib connection.

aiosmtplib reads one reply per command it writes and waits for each: three commands of a mail transaction (MAIL,
RCPT, DATA) cost three round trips. A server that announces PIPELINING takes them in one write; nearly every relay
does (Postfix, Exim, Exchange). aiosmtplib's protocol cannot read those replies: a reply that arrives before it is
awaited is dropped, and a second reply already in its buffer is not parsed until more bytes come. `PipeliningProtocol`
keeps and parses them, only while a group's replies are due; otherwise it is aiosmtplib's protocol unchanged.
"""
from __future__ import annotations

import aiosmtplib
from aiosmtplib.protocol import MAX_RESPONSE_LENGTH, SMTPProtocol


class PipeliningProtocol(SMTPProtocol):
    """aiosmtplib's protocol, reading the replies of a pipelined group: `read_group`."""

    _replies_due = 0  # replies of the group in flight not read yet; outside a group, nothing is kept early

    def data_received(self, data: bytes) -> None:
        waiter = self._response_waiter
        early = waiter is not None and (not self._response_pending or waiter.done())
        if self._replies_due and early and len(self._buffer) + len(data) <= MAX_RESPONSE_LENGTH:
            self._buffer.extend(data)  # a later reply of the group, read from the buffer when its turn comes
            return
        super().data_received(data)

    async def read_response(self, timeout: float | None = None) -> aiosmtplib.SMTPResponse:
        if self._replies_due and self._buffer:
            reply = self._read_response_from_buffer()
            if reply is not None:
                return reply
        return await super().read_response(timeout)

    async def read_group(self, commands: bytes, count: int, timeout: float | None) -> list[aiosmtplib.SMTPResponse]:
        """Write `commands` (`count` CRLF-ended command lines) at once and return their `count` replies in order.
        Raises as aiosmtplib's reads do (SMTPServerDisconnected, SMTPReadTimeoutError, SMTPResponseException for a
        malformed reply); the connection is then out of step and must be closed."""
        self._replies_due = count
        try:
            self._response_pending = True  # what arrives from now on answers this group
            self.write(commands)
            replies = []
            for _ in range(count):
                replies.append(await self.read_response(timeout))
                self._replies_due -= 1
            return replies
        finally:
            self._replies_due = 0


def pipelining_protocol(smtp: aiosmtplib.SMTP) -> PipeliningProtocol:
    """The protocol of the connected `smtp`, made able to read pipelined replies. aiosmtplib builds its protocol
    itself (no hook to pass another class) and keeps it across STARTTLS: the object stays, its class becomes the
    subclass above, which adds no state of its own."""
    protocol = smtp.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("Server not connected")
    if not isinstance(protocol, PipeliningProtocol):
        protocol.__class__ = PipeliningProtocol
    assert isinstance(protocol, PipeliningProtocol)
    return protocol

"""One SMTP mail transaction (MAIL, RCPT, DATA) for a message whose bytes are already as the wire wants them.

aiosmtplib's `sendmail` parses both addresses again and runs two regular expressions over the whole message to fix
its line endings and stuff leading dots, and a third when the server announces SIZE (it measures a normalised copy).
ykien's messages (`render_message`) are CRLF throughout and no line starts with a dot, so in a fan-out those passes
cost about a third of the sender's CPU for nothing. `send_prepared` sends such bytes as they are, after checks at C
speed that they really are; other bytes go through aiosmtplib's own normalisation first. Bytes `render_message` wrote
skip even those checks (`rendered`): it writes them so by construction, and five scans of each message cost 5 % of
a fan-out's CPU. Failures raise the exceptions `sendmail` raises, and reset the envelope as it does.
"""
from __future__ import annotations

import contextlib
from collections.abc import Awaitable

import aiosmtplib
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from aiosmtplib.typing import SMTPStatus

_END_OF_DATA = b".\r\n"


def wire_ready(message: bytes) -> bytes:
    """`message` as DATA must carry it (CRLF line endings, a final CRLF, leading dots doubled), without the end
    marker. Bytes that are so already come back as they are, unchanged and uncopied."""
    line_ends = message.count(b"\n")
    if line_ends != message.count(b"\r") or line_ends != message.count(b"\r\n") or not message.endswith(b"\r\n"):
        message = normalize_message_line_endings(message)
    if message.startswith(b".") or b"\n." in message:
        message = PERIOD_REGEX.sub(b"..", message)
    return message


async def say_hello(smtp: aiosmtplib.SMTP) -> None:
    """EHLO once on a new connection (HELO for a server without ESMTP), so that each transaction need not ask."""
    if smtp.is_ehlo_or_helo_needed:
        try:
            await smtp.ehlo()
        except aiosmtplib.SMTPHeloError:
            await smtp.helo()


async def send_prepared(smtp: aiosmtplib.SMTP, sender: str, recipient: str, message: bytes,
                        before_data: Awaitable[object] | None = None, *, rendered: bool = False) -> None:
    """Send `message` from the bare address `sender` to the bare address `recipient` on the open connection `smtp`
    (EHLO done: `say_hello`). `before_data`, when given, is awaited after MAIL, RCPT and the server's 354 to DATA,
    and before the message itself: the caller's own work (recording the previous message) overlaps those three round
    trips, and this message cannot be accepted before that work is done. What it raises propagates, the connection
    closed. `rendered`: `message` is `render_message`'s output, wire-ready as it is, sent without checking.

    Raises as `SMTP.sendmail` does: SMTPSenderRefused, SMTPRecipientsRefused, SMTPDataError, SMTPServerDisconnected,
    SMTPTimeoutError; ValueError for an address with a control character."""
    data = message if rendered else wire_ready(message)
    size = [b"SIZE=%d" % len(data)] if smtp.supports_extension("size") else []
    try:
        reply = await smtp.execute_command(b"MAIL", b"FROM:<" + sender.encode("ascii") + b">", *size)
        if reply.code != SMTPStatus.completed:
            raise aiosmtplib.SMTPSenderRefused(reply.code, reply.message, sender)
        reply = await smtp.execute_command(b"RCPT", b"TO:<" + recipient.encode("ascii") + b">")
        if reply.code not in (SMTPStatus.completed, SMTPStatus.will_forward):
            raise aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, recipient)])
        reply = await smtp.execute_command(b"DATA")
        if reply.code != SMTPStatus.start_input:
            raise aiosmtplib.SMTPDataError(reply.code, reply.message)
        if before_data is not None:
            await _before_body(smtp, before_data)
        reply = await _write_data(smtp, data)
        if reply.code != SMTPStatus.completed:
            raise aiosmtplib.SMTPDataError(reply.code, reply.message)
    except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
        if smtp.is_connected:
            with contextlib.suppress(ConnectionError, aiosmtplib.SMTPException, TimeoutError):
                await smtp.rset()
        raise


async def _before_body(smtp: aiosmtplib.SMTP, before_data: Awaitable[object]) -> None:
    """Await the caller's work between the server's 354 and the message. If it fails (or is cancelled), the server
    still waits for a body: only closing the connection ends that transaction, and nothing is accepted."""
    try:
        await before_data
    except BaseException:
        smtp.close()
        raise


async def _write_data(smtp: aiosmtplib.SMTP, data: bytes) -> aiosmtplib.SMTPResponse:
    """The message after the server's 354, and its reply. The reply is awaited right after the write, with no
    suspension between: the protocol counts it as pending, as for any command."""
    protocol = smtp.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    try:
        protocol.write(data + _END_OF_DATA)
        reply = await protocol.read_response(timeout=smtp.timeout)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
        smtp.close()  # as aiosmtplib does: a connection that lost its reply cannot be trusted with the next one
        raise
    if reply.code == SMTPStatus.domain_unavailable:
        smtp.close()
    return reply

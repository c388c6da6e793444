"""One SMTP mail transaction (MAIL, RCPT, DATA) for a message whose bytes are already as the wire wants them.

aiosmtplib's `sendmail` parses both addresses again and runs two regular expressions over the whole message to fix
its line endings and stuff leading dots, and a third when the server announces SIZE (it measures a normalised copy).
ykien's messages (`render_message`) are CRLF throughout and no line starts with a dot, so in a fan-out those passes
cost about a third of the sender's CPU for nothing. `send_prepared` sends such bytes as they are, after checks at C
speed that they really are; other bytes go through aiosmtplib's own normalisation first. Bytes `render_message` wrote
skip even those checks (`rendered`): it writes them so by construction, and five scans of each message cost 5 % of
a fan-out's CPU. Failures raise the exceptions `sendmail` raises, and reset the envelope as it does.

To a server that announces PIPELINING, MAIL, RCPT and DATA go in one write (smtp_pipelining.py): one round trip
before the body instead of three, and 10–18 % less of the sender's CPU in a fan-out on loopback.
"""
from __future__ import annotations

import contextlib
from collections.abc import Awaitable

import aiosmtplib
from aiosmtplib.protocol import COMMAND_INJECTION_REGEX, PERIOD_REGEX, normalize_message_line_endings
from aiosmtplib.typing import SMTPStatus

from notifications.smtp_pipelining import pipelining_protocol

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
    and before the message itself: the caller's own work (recording the previous message) overlaps the round trips
    before the body (one when pipelined, else three), and this message cannot be accepted before that work is done.
    What it raises propagates, the connection closed. `rendered`: `message` is `render_message`'s output, wire-ready
    as it is, sent without checking.

    Raises as `SMTP.sendmail` does: SMTPSenderRefused, SMTPRecipientsRefused, SMTPDataError, SMTPServerDisconnected,
    SMTPTimeoutError; ValueError for an address with a control character."""
    data = message if rendered else wire_ready(message)
    size = b" SIZE=%d" % len(data) if smtp.supports_extension("size") else b""
    mail = b"MAIL FROM:<" + _address(sender) + b">" + size
    rcpt = b"RCPT TO:<" + _address(recipient) + b">"
    try:
        if smtp.supports_extension("pipelining"):
            await _envelope_pipelined(smtp, mail, rcpt, sender, recipient)
        else:
            await _envelope(smtp, mail, rcpt, sender, recipient)
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


def _address(address: str) -> bytes:
    """A bare address as a command carries it: ASCII (UnicodeEncodeError, a ValueError, otherwise), no control
    character (ValueError, as aiosmtplib's commands check: one would end the command early)."""
    encoded = address.encode("ascii")
    if COMMAND_INJECTION_REGEX.search(encoded):
        raise ValueError("Command arg contains a prohibited control character")
    return encoded


async def _envelope(smtp: aiosmtplib.SMTP, mail: bytes, rcpt: bytes, sender: str, recipient: str) -> None:
    """MAIL, RCPT and DATA one after the other, each waiting for the reply to the one before."""
    _check_sender(await smtp.execute_command(mail), sender)
    _check_recipient(await smtp.execute_command(rcpt), recipient)
    _check_data(await smtp.execute_command(b"DATA"))


async def _envelope_pipelined(smtp: aiosmtplib.SMTP, mail: bytes, rcpt: bytes, sender: str, recipient: str) -> None:
    """MAIL, RCPT and DATA in one write to a server that announced PIPELINING (RFC 2920), then their three
    replies: one round trip instead of three. A refused sender or recipient makes the server refuse DATA too; a
    server that opened DATA all the same gets an empty body at once, ending that transaction (nobody to deliver
    it to), before the refusal is raised."""
    protocol = pipelining_protocol(smtp)
    try:
        mail_reply, rcpt_reply, data_reply = await protocol.read_group(
            mail + b"\r\n" + rcpt + b"\r\nDATA\r\n", 3, smtp.timeout)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, aiosmtplib.SMTPResponseException):
        smtp.close()  # replies lost or garbled: the next command's reply could be one of these
        raise
    if SMTPStatus.domain_unavailable in (mail_reply.code, rcpt_reply.code, data_reply.code):
        smtp.close()  # the server is closing the connection, as aiosmtplib closes on a 421
    refused = mail_reply.code != SMTPStatus.completed or rcpt_reply.code not in _RECIPIENT_ACCEPTED
    if refused and data_reply.code == SMTPStatus.start_input:
        with contextlib.suppress(aiosmtplib.SMTPException, TimeoutError):
            await _write_data(smtp, b"")  # whatever it answers, the refusal below is what happened
    _check_sender(mail_reply, sender)
    _check_recipient(rcpt_reply, recipient)
    _check_data(data_reply)


_RECIPIENT_ACCEPTED = (SMTPStatus.completed, SMTPStatus.will_forward)


def _check_sender(reply: aiosmtplib.SMTPResponse, sender: str) -> None:
    if reply.code != SMTPStatus.completed:
        raise aiosmtplib.SMTPSenderRefused(reply.code, reply.message, sender)


def _check_recipient(reply: aiosmtplib.SMTPResponse, recipient: str) -> None:
    if reply.code not in _RECIPIENT_ACCEPTED:
        raise aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, recipient)])


def _check_data(reply: aiosmtplib.SMTPResponse) -> None:
    if reply.code != SMTPStatus.start_input:
        raise aiosmtplib.SMTPDataError(reply.code, reply.message)


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

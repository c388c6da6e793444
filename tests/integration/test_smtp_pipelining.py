"""MAIL, RCPT and DATA in one write to a server announcing PIPELINING (notifications/smtp_pipelining.py), against
loopback servers written here to answer as strictly or as oddly as real ones may: only once the whole group is in,
each reply in a segment of its own, all in one, a DATA opened after a refused recipient, a hang-up or silence in the
middle of a group."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiosmtplib
import pytest

from config.smtp_url import SmtpTarget
from notifications.delivery import DeliveryStatus, OutgoingEmail, deliver
from notifications.message import outbox_message_id, render_message
from notifications.smtp_pipelining import PipeliningProtocol
from notifications.smtp_transaction import say_hello, send_prepared
from notifications.testing import smtp_capture

pytestmark = pytest.mark.timeout(30)

SENDER = "vanphong@skhcn.caobang.gov.vn"
EHLO = b"250-pipe.localhost\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n"
OK, GO_AHEAD, QUEUED = b"250 2.1.0 Ok\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n", b"250 2.0.0 Ok: queued\r\n"


def email_to(number: int) -> OutgoingEmail:
    return OutgoingEmail(message_id=outbox_message_id(number, 5), sender=SENDER, to=f"unit{number}@example.vn",
                         subject="Xin ý kiến góp ý dự thảo Kế hoạch", text="Kính gửi: Sở Tài chính\n", html="<p>.</p>")


Replies = Callable[[list[bytes]], list[bytes] | None]  # the commands of one group -> replies (None: hang up)


@dataclass
class ScriptedServer:
    """A loopback SMTP server that collects commands until DATA (or RSET, NOOP; QUIT ends) and only then answers the
    whole group, through `replies`: a client that waits for each reply before the next command gets none. Keeps
    each group as received, the bodies, and how many reads each group took."""

    replies: Replies
    split_replies: bool = False  # each reply written on its own, a moment apart, instead of all in one write
    groups: list[list[bytes]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    port: int = 0

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 pipe.localhost ESMTP\r\n")
        pending: list[bytes] = []
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while line := await reader.readline():
                command = line.rstrip(b"\r\n")
                if command.upper().startswith(b"EHLO"):
                    writer.write(EHLO)
                    continue
                if command.upper() == b"QUIT":
                    self.groups.append([command])
                    writer.write(b"221 Bye\r\n")
                    await writer.drain()
                    writer.close()
                    return
                pending.append(command)
                if command.upper() not in (b"DATA", b"RSET", b"NOOP"):
                    continue
                group, pending = pending, []
                self.groups.append(group)
                answer = self.replies(group)
                if answer is None:
                    writer.close()
                    return
                for reply in answer:
                    writer.write(reply)
                    if self.split_replies:
                        await writer.drain()
                        await asyncio.sleep(0.01)
                if answer and answer[-1].startswith(b"354"):
                    body = b""
                    while (body_line := await reader.readline()) != b".\r\n":
                        body += body_line
                    self.bodies.append(body)
                    writer.write(QUEUED)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[ScriptedServer]:
        server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        async with server:
            yield self


def accept_all(group: list[bytes]) -> list[bytes]:
    return [GO_AHEAD if command == b"DATA" else OK for command in group]


async def connected(port: int, timeout: float = 5) -> aiosmtplib.SMTP:
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=timeout)
    await smtp.connect()
    await say_hello(smtp)
    return smtp


@pytest.mark.parametrize("split_replies", [False, True], ids=["replies-in-one-write", "each-reply-apart"])
def test_mail_rcpt_and_data_go_in_one_write_and_their_replies_are_read_however_they_come(split_replies: bool) -> None:
    server = ScriptedServer(accept_all, split_replies=split_replies)

    async def send() -> type:
        async with server.running():
            smtp = await connected(server.port)
            for number in range(3):
                await send_prepared(smtp, SENDER, f"unit{number}@example.vn", render_message(email_to(number)),
                                    rendered=True)
            protocol_class = type(smtp.protocol)
            await smtp.quit()
            return protocol_class

    assert asyncio.run(send()) is PipeliningProtocol
    assert server.groups[:3] == [[b"MAIL FROM:<%s> SIZE=%d" % (SENDER.encode(), len(render_message(email_to(n)))),
                                  b"RCPT TO:<unit%d@example.vn>" % n, b"DATA"] for n in range(3)]
    assert len(server.bodies) == 3 and b"Message-ID: " + outbox_message_id(0, 5).encode() in server.bodies[0]


def refused_then_sent(server: ScriptedServer, sender: str, recipient: str,
                      refusal: type[BaseException]) -> BaseException:
    """Send to `recipient` from `sender` on a connection to `server`, which refuses it with `refusal`, then a
    second message on the same connection; the refusal raised."""
    async def send() -> BaseException:
        async with server.running():
            smtp = await connected(server.port)
            with pytest.raises(refusal) as refused:
                await send_prepared(smtp, sender, recipient, render_message(email_to(1)))
            await send_prepared(smtp, SENDER, "unit2@example.vn", render_message(email_to(2)))
            await smtp.quit()
            return refused.value

    return asyncio.run(send())


def test_a_refused_sender_is_raised_and_the_connection_goes_on() -> None:
    def refuse_first(group: list[bytes]) -> list[bytes]:
        if b"MAIL FROM:<refused" in group[0]:
            return [b"553 5.7.1 Sender refused\r\n", b"503 5.5.1 Need MAIL\r\n", b"503 5.5.1 Need RCPT\r\n"]
        return accept_all(group)  # RSET included

    server = ScriptedServer(refuse_first)
    refused = refused_then_sent(server, "refused@example.vn", "unit1@example.vn", aiosmtplib.SMTPSenderRefused)
    assert isinstance(refused, aiosmtplib.SMTPSenderRefused) and refused.code == 553
    assert [group[0] for group in server.groups[:3]] == [b"MAIL FROM:<refused@example.vn> SIZE=%d"
                                                         % len(render_message(email_to(1))), b"RSET",
                                                         server.groups[2][0]]
    assert len(server.bodies) == 1 and b"unit2@example.vn" in server.bodies[0]


def test_a_server_opening_data_after_refusing_the_recipient_gets_an_empty_body_and_the_refusal_is_raised() -> None:
    def open_data_anyway(group: list[bytes]) -> list[bytes]:
        if group[1:2] == [b"RCPT TO:<gone@example.vn>"]:
            return [OK, b"550 5.1.1 Mailbox unavailable\r\n", GO_AHEAD]  # RFC 2920 says 554 here; some do this
        return accept_all(group)  # RSET included

    server = ScriptedServer(open_data_anyway)
    refused = refused_then_sent(server, SENDER, "gone@example.vn", aiosmtplib.SMTPRecipientsRefused)
    assert isinstance(refused, aiosmtplib.SMTPRecipientsRefused) and refused.recipients[0].code == 550
    assert server.bodies[0] == b""  # the transaction the server opened, ended empty: nothing of the message
    assert len(server.bodies) == 2 and b"unit2@example.vn" in server.bodies[1]


def test_a_hang_up_in_the_middle_of_a_group_closes_the_connection_and_delivery_retries_on_a_new_one() -> None:
    hung_up = False

    def hang_up_once(group: list[bytes]) -> list[bytes] | None:
        nonlocal hung_up
        if not hung_up and group[-1] == b"DATA":
            hung_up = True
            return None
        return accept_all(group)

    server = ScriptedServer(hang_up_once)

    async def send() -> list[DeliveryStatus]:
        async with server.running():
            target = SmtpTarget("127.0.0.1", server.port, timeout=5, local_hostname="ykien.test")
            return [result.status for result in await deliver([email_to(n) for n in range(4)], target,
                                                             connections=1, backoff_base=0.01)]

    assert asyncio.run(send()) == [DeliveryStatus.SENT] * 4
    assert len(server.bodies) == 4


def test_silence_in_the_middle_of_a_group_times_out_and_closes_the_connection() -> None:
    def answer_mail_only(group: list[bytes]) -> list[bytes]:
        return [OK]  # MAIL's reply, then nothing: RCPT and DATA are never answered

    server = ScriptedServer(answer_mail_only)

    async def send() -> bool:
        async with server.running():
            smtp = await connected(server.port, timeout=0.5)
            with pytest.raises(aiosmtplib.SMTPTimeoutError):
                await send_prepared(smtp, SENDER, "unit1@example.vn", render_message(email_to(1)))
            return smtp.is_connected

    assert asyncio.run(send()) is False
    assert server.bodies == []


def test_421_in_a_group_closes_the_connection() -> None:
    server = ScriptedServer(lambda group: [b"421 4.3.2 Shutting down\r\n"] * 3)

    async def send() -> bool:
        async with server.running():
            smtp = await connected(server.port)
            with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
                await send_prepared(smtp, SENDER, "unit1@example.vn", render_message(email_to(1)))
            assert refused.value.code == 421
            return smtp.is_connected

    assert asyncio.run(send()) is False


def test_a_control_character_in_an_address_is_refused_before_anything_is_sent() -> None:
    server = ScriptedServer(accept_all)

    async def send() -> None:
        async with server.running():
            smtp = await connected(server.port)
            with pytest.raises(ValueError, match="control character"):
                await send_prepared(smtp, SENDER, "unit1@example.vn>\r\nRCPT TO:<x@example.vn",
                                    render_message(email_to(1)))
            await smtp.quit()

    asyncio.run(send())
    assert server.groups == [[b"QUIT"]]


def test_the_test_server_announces_pipelining_only_when_asked() -> None:
    async def announced(pipelining: bool) -> bool:
        with smtp_capture(pipelining=pipelining) as capture:
            smtp = await connected(capture.target.port)
            supported = smtp.supports_extension("pipelining")
            await smtp.quit()
            return supported

    assert asyncio.run(announced(True)) is True
    assert asyncio.run(announced(False)) is False

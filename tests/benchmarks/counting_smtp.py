"""The benchmarks' mail server: it speaks just enough SMTP to accept messages (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT) and counts them, in a process of its own.

Why not aiosmtpd, as the tests use: its handling costs about 0.36 ms of CPU a message, more than the ykien sender it
measures (about 0.25 ms), and on the benchmark machine's two cores it competes with that sender and PostgreSQL. A
fan-out figure then measured the counting server's share of the cores more than the sender. A real mail server runs
on another machine. This one costs about 0.1 ms a message, so that a fan-out figure is the sender's.

Run as `python counting_smtp.py DELAY [plain]`: it prints "host port", then answers "count" with "messages bytes" and
"quit" with "bye" on stdin. DELAY (seconds) holds each message's acceptance back, as a relay that writes its queue to
disk or one across a network does; replies on a connection keep their order. It announces PIPELINING (RFC 2920), as
Postfix, Exim and Exchange do, and answers commands sent together in one write; with `plain` it does not announce it,
and clients send one command at a time."""
from __future__ import annotations

import asyncio
import sys

_END_OF_DATA = b"\r\n.\r\n"
_GREETING = b"220 bench.localhost ESMTP counting\r\n"
_ACCEPTED = b"250 2.0.0 Ok: queued\r\n"
_BYE = b"221 2.0.0 Bye\r\n"
_EHLO = b"250-bench.localhost\r\n250-SIZE 33554432\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
_EHLO_PIPELINING = b"250-bench.localhost\r\n250-PIPELINING\r\n250-SIZE 33554432\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"


class Tally:
    """What the server accepted: messages and bytes (as received, end marker excluded)."""

    def __init__(self) -> None:
        self.messages = 0
        self.size = 0


class _Session(asyncio.Protocol):
    """One client connection: commands line by line, then a body up to CRLF.CRLF."""

    def __init__(self, tally: Tally, delay: float, ehlo: bytes) -> None:
        self._tally = tally
        self._delay = delay
        self._ehlo = ehlo
        self._buffer = bytearray()
        self._in_data = False
        self._searched = 0  # where the search for the end of the body goes on from
        self._replies_at = 0.0  # when this connection's last reply is due (delay > 0): later ones wait for it
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.write(_GREETING)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        replies: list[bytes] = []
        while (reply := self._next_reply()) is not None:
            replies.append(reply)
            if reply == _BYE:
                self._send(b"".join(replies), _ACCEPTED in replies, close=True)
                return
        if replies:
            self._send(b"".join(replies), _ACCEPTED in replies)

    def _next_reply(self) -> bytes | None:
        """The reply to the next whole command or body in the buffer; None when the buffer holds none yet."""
        if self._in_data:
            end = self._buffer.find(_END_OF_DATA, max(self._searched - len(_END_OF_DATA), 0))
            if end < 0:
                self._searched = len(self._buffer)
                return None
            self._tally.messages += 1
            self._tally.size += end  # the body without the CRLF the marker starts with
            del self._buffer[:end + len(_END_OF_DATA)]
            self._in_data = False
            self._searched = 0
            return _ACCEPTED
        line_end = self._buffer.find(b"\r\n")
        if line_end < 0:
            return None
        verb = bytes(self._buffer[:4]).upper()
        del self._buffer[:line_end + 2]
        if verb == b"EHLO":
            return self._ehlo
        if verb == b"DATA":
            self._in_data = True
            self._buffer[:0] = b"\r\n"  # a body that is only the end marker still ends at CRLF.CRLF
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        if verb == b"QUIT":
            return _BYE
        if verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            return b"250 2.0.0 Ok\r\n"
        return b"502 5.5.2 Command not implemented\r\n"

    def _send(self, replies: bytes, accepted: bool, close: bool = False) -> None:
        """Write `replies` now, or with a delay once the earlier replies of this connection are out; `close` the
        connection after them (QUIT)."""
        transport = self._transport
        assert transport is not None
        if self._delay <= 0:
            self._send_now(transport, replies, close)
            return
        loop = asyncio.get_running_loop()
        self._replies_at = max(loop.time() + (self._delay if accepted else 0.0), self._replies_at)
        loop.call_at(self._replies_at, self._send_now, transport, replies, close)

    @staticmethod
    def _send_now(transport: asyncio.Transport, replies: bytes, close: bool) -> None:
        if transport.is_closing():
            return
        transport.write(replies)
        if close:
            transport.close()


async def serve(delay: float, pipelining: bool = True) -> None:
    tally = Tally()
    loop = asyncio.get_running_loop()
    ehlo = _EHLO_PIPELINING if pipelining else _EHLO
    server = await loop.create_server(lambda: _Session(tally, delay, ehlo), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"127.0.0.1 {port}", flush=True)
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    async with server:
        while line := await commands.readline():
            command = line.strip()
            if command == b"count":
                print(tally.messages, tally.size, flush=True)
            elif command == b"quit":
                print("bye", flush=True)
                return


if __name__ == "__main__":
    asyncio.run(serve(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0, pipelining=sys.argv[2:3] != ["plain"]))

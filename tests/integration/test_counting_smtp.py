"""The benchmarks' counting mail server (tests/benchmarks/counting_smtp.py) counts what SMTP clients really
deliver: aiosmtplib over several connections, smtplib, a body that comes in pieces and has lines starting with a
dot, and with a delay each message is accepted that much later, in order. It announces PIPELINING unless told
`plain`, and answers commands sent together (ykien's smtp_transaction sends them so)."""
from __future__ import annotations

import asyncio
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiosmtplib

from notifications.smtp_transaction import say_hello, send_prepared

SERVER = Path(__file__).parents[1] / "benchmarks" / "counting_smtp.py"


@contextmanager
def counting_server(delay: float = 0.0, *options: str) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    process = subprocess.Popen([sys.executable, str(SERVER), str(delay), *options], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdin is not None
    try:
        host, port = process.stdout.readline().split()
        assert host == "127.0.0.1"
        yield int(port), process
    finally:
        process.stdin.write("quit\n")
        process.stdin.flush()
        assert process.stdout.readline().strip() == "bye"
        assert process.wait(10) == 0


def counted(process: subprocess.Popen[str]) -> tuple[int, int]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("count\n")
    process.stdin.flush()
    messages, size = process.stdout.readline().split()
    return int(messages), int(size)


BODY = b"Subject: thu\r\n\r\n..dong bat dau bang dau cham\r\n" + b"x" * 70_000 + b"\r\n"
ON_THE_WIRE = len(BODY) + 1  # the client doubles the line's leading dot; the server counts bytes as received


def test_it_counts_messages_from_aiosmtplib_and_smtplib_whatever_pieces_they_come_in() -> None:
    with counting_server() as (port, process):
        async def two_connections() -> None:
            async def send(count: int) -> None:
                async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
                    for _ in range(count):
                        await smtp.sendmail("a@vi.du", ["b@vi.du"], BODY)
            await asyncio.gather(send(3), send(4))

        asyncio.run(two_connections())
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.sendmail("a@vi.du", ["b@vi.du"], BODY)
            smtp.noop()
            assert smtp.docmd("VRFY", "b@vi.du")[0] == 502  # not understood, said so

        assert counted(process) == (8, 8 * ON_THE_WIRE)


def test_with_a_delay_each_message_is_accepted_that_much_later_and_in_order() -> None:
    with counting_server(0.05) as (port, process):
        async def one_connection() -> list[float]:
            accepted = []
            smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
            await smtp.connect()
            for _ in range(3):
                started = time.monotonic()
                await smtp.sendmail("a@vi.du", ["b@vi.du"], BODY)
                accepted.append(time.monotonic() - started)
            await smtp.sendmail("a@vi.du", ["b@vi.du"], BODY)
            await smtp.quit()  # answered before the connection closes, with a delay as without
            return accepted

        seconds = asyncio.run(one_connection())

        assert min(seconds) >= 0.05
        assert counted(process) == (4, 4 * ON_THE_WIRE)


def test_it_announces_pipelining_unless_plain_and_answers_commands_sent_together() -> None:
    message = b"Subject: thu\r\n\r\nnoi dung\r\n"

    async def announced(port: int) -> bool:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await smtp.connect()
        await say_hello(smtp)
        if supported := smtp.supports_extension("pipelining"):
            for number in range(3):
                await send_prepared(smtp, "a@vi.du", f"b{number}@vi.du", message)
        await smtp.quit()
        return supported

    with counting_server() as (port, process):
        assert asyncio.run(announced(port)) is True
        assert counted(process) == (3, 3 * len(message))
    with counting_server(0.0, "plain") as (port, process):
        assert asyncio.run(announced(port)) is False

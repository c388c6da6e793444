"""A threaded aiosmtpd server that may listen on port 0 and reports the port it got."""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

SERVER_HOSTNAME = "ykien.localhost"


def ehlo_announcing_pipelining(session: Any, hostname: str, responses: list[str]) -> list[str]:
    """What an aiosmtpd handler's `handle_EHLO` returns to announce PIPELINING (RFC 2920), as most relays do.
    aiosmtpd reads commands from a stream one after the other, so it takes pipelined ones as they come; it only does
    not say so. A handler with this hook sets the session's host name itself, as aiosmtpd does without one."""
    session.host_name = hostname
    return [*responses[:-1], "250-PIPELINING", responses[-1]]


class _AnyPortController(Controller):
    """aiosmtpd's Controller, able to bind port 0 and to close open sessions on stop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def factory(self) -> SMTP:
        session = super().factory()
        self._sessions.add(session)
        return session

    def stop(self, no_assert: bool = False) -> None:
        # Controller.stop() halts the loop with client sockets still open (ResourceWarning
        # at exit); close them first, inside the server's loop.
        if self._thread is not None and self.loop.is_running():
            closing = asyncio.run_coroutine_threadsafe(self._close_sessions(), self.loop)
            try:
                closing.result(timeout=5)
            except TimeoutError:
                closing.cancel()
        super().stop(no_assert)

    async def _close_sessions(self) -> None:
        for session in list(self._sessions):
            if session.transport is not None:
                session.transport.close()
        # Let connection_lost callbacks and the session tasks wind down.
        for _ in range(3):
            await asyncio.sleep(0)

    def _trigger_server(self) -> None:
        # The listening socket exists by now; learn its port before the readiness probe.
        # aiosmtpd types it as AbstractServer; loop.create_server() made an asyncio.Server, which has sockets.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServerThread:
    """Run an aiosmtpd handler on host:port in its own thread; start/stop are idempotent."""

    def __init__(self, handler: Any, host: str = "127.0.0.1", port: int = 0,
                 controller_options: dict[str, Any] | None = None) -> None:
        self._handler = handler
        self._host = host
        self._requested_port = port
        self._options = dict(controller_options or {})  # passed on to aiosmtpd's Controller (TLS contexts)
        self._controller: _AnyPortController | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._controller is not None:
                return
            controller = _AnyPortController(
                self._handler,
                hostname=self._host,
                port=self._requested_port,
                server_hostname=SERVER_HOSTNAME,
                ready_timeout=10.0,
                **self._options,
            )
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        with self._lock:
            controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        controller = self._controller
        if controller is None:
            raise RuntimeError("the SMTP server is not running")
        return int(controller.port)

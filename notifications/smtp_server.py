"""A threaded aiosmtpd server that may listen on port 0 and reports the port it got."""

from __future__ import annotations

import threading
from typing import Any

from aiosmtpd.controller import Controller

SERVER_HOSTNAME = "ykien.localhost"


class _AnyPortController(Controller):
    """aiosmtpd's Controller, able to bind port 0 (it otherwise probes port 0 and fails)."""

    def _trigger_server(self) -> None:
        # The listening socket exists by now; learn its port before the readiness probe.
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServerThread:
    """Run an aiosmtpd handler on host:port in its own thread; start/stop are idempotent."""

    def __init__(self, handler: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self._host = host
        self._requested_port = port
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

"""A loopback HTTP proxy that forwards requests to one server and refuses WebSocket upgrades, as a reverse proxy
set up without them does (nginx without `proxy_set_header Upgrade`): Prefect's REST API answers through it, its
events' websocket does not."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length"}


class ProxyCounts:
    def __init__(self) -> None:
        self.forwarded = 0
        self.refused_upgrades = 0


@contextmanager
def proxy_without_websockets(target: str) -> Iterator[tuple[str, ProxyCounts]]:
    """Serve on a free loopback port, forwarding to `target` ("http://127.0.0.1:4200"); yields the proxy's base URL
    and its counts."""
    counts = ProxyCounts()
    client = httpx.Client(base_url=target, timeout=30)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            if self.headers.get("Upgrade", "").lower() == "websocket":
                counts.refused_upgrades += 1
                self.send_response(400, "WebSocket not proxied")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_HEADERS}
            answer = client.request(self.command, self.path, content=body, headers=headers)
            counts.forwarded += 1
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in HOP_HEADERS | {"content-encoding"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="proxy-without-websockets", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", counts
    finally:
        server.shutdown()
        server.server_close()
        client.close()

"""A TLS failure reaching the Prefect server is said as one (a certificate not trusted, a handshake that failed),
never as "không có quyền": ssl.SSLError carries errno 1, which was read as EPERM (review-a, item 8)."""
from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tls_certificates import self_signed

from config.prefect_api import health_status, unreachable_reason, verify_for


def _serve(answer: bytes, context: ssl.SSLContext | None = None) -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                try:
                    if context is not None:
                        with context.wrap_socket(connection, server_side=True) as secured:
                            secured.recv(4096)
                            secured.sendall(answer)
                    else:
                        connection.recv(4096)
                        connection.sendall(answer)
                except OSError:
                    pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(2)


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\ntrue"


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    yield from _serve(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def test_https_pointed_at_an_http_server_is_a_failed_handshake(plain_http_port: int) -> None:
    with pytest.raises(httpx.ConnectError) as caught:
        httpx.get(f"https://127.0.0.1:{plain_http_port}/api/health", timeout=2)
    said = unreachable_reason(caught.value, 2)
    assert "không có quyền" not in said
    assert said.startswith("bắt tay TLS không thành công: máy chủ không trả lời bằng TLS")


def test_a_certificate_not_trusted_names_the_ca_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    certificate, key = self_signed(tmp_path, "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    for port in _serve(OK, context):
        with pytest.raises(httpx.ConnectError) as caught:
            httpx.get(f"https://localhost:{port}/api/health", timeout=2)
        assert unreachable_reason(caught.value, 2) == (
            "chứng chỉ TLS của máy chủ không được tin cậy: chứng chỉ tự ký; nếu chứng chỉ do CA nội bộ cấp, đặt "
            "SSL_CERT_FILE là tệp PEM của CA đó cho ykien serve và ykien worker")
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # the hint holds: the same server is then trusted
        assert httpx.get(f"https://localhost:{port}/api/health", timeout=2).status_code == 200


def test_https_health_checks_load_the_trust_store_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """/readyz asks the Prefect server twice each time a probe comes (every few seconds): over https the trust store
    it names is loaded once per process (20-50 ms of CPU each), again when the file is replaced, and a change of
    SSL_CERT_FILE is followed."""
    certificate, key = self_signed(tmp_path, "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    contexts_made: list[object] = []
    make_context = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        contexts_made.append(args or kwargs)
        return make_context(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    for port in _serve(OK, context):
        url = f"https://localhost:{port}/api"
        assert [health_status(url, 2) for _ in range(3)] == [200, 200, 200]
        assert len(contexts_made) == 1
        assert isinstance(verify_for(url), ssl.SSLContext) and verify_for(url) is verify_for(url)
        assert verify_for(f"HTTP://localhost:{port}/api") is False  # plain http reads no certificate
        renewed = certificate.read_bytes()
        certificate.write_bytes(renewed + b"\n")  # the same CA written again over the file (a renewal): read anew
        assert health_status(url, 2) == 200 and len(contexts_made) == 2
        assert health_status(url, 2) == 200 and len(contexts_made) == 2
        monkeypatch.delenv("SSL_CERT_FILE")  # another trust store: the self-signed server is no longer trusted
        with pytest.raises(httpx.ConnectError) as caught:
            health_status(url, 2)
        assert unreachable_reason(caught.value, 2).startswith("chứng chỉ TLS của máy chủ không được tin cậy")

"""The system's reasons for refusing a file or a port, in Vietnamese, from real OS errors."""
from __future__ import annotations

import contextlib
import socket
import ssl
from pathlib import Path

import pytest
from tls_certificates import self_signed

from config.os_words import os_reason


def refusal(action) -> OSError:  # type: ignore[no-untyped-def]
    with pytest.raises(OSError) as caught:
        action()
    return caught.value


def test_the_usual_reasons_are_said_in_vietnamese(tmp_path: Path) -> None:
    (tmp_path / "tep.txt").write_text("x", encoding="utf-8")
    assert os_reason(refusal(lambda: (tmp_path / "khong-co.csv").read_text())) == "không có tệp hoặc thư mục này"
    assert os_reason(refusal(lambda: tmp_path.read_text())) == "đây là một thư mục, không phải tệp"
    assert os_reason(refusal(lambda: (tmp_path / "tep.txt" / "con").read_text())) == \
        "một phần của đường dẫn không phải thư mục"
    assert os_reason(refusal(lambda: tmp_path.mkdir())) == "đã có tệp hoặc thư mục này"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with socket.socket() as second:
            second.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
            assert os_reason(refusal(lambda: second.bind(taken.getsockname()))) == \
                "cổng này đang được chương trình khác dùng"


def test_a_reason_not_listed_keeps_the_systems_words() -> None:
    assert os_reason(OSError(0, "Lỗi lạ")) == "Lỗi lạ"
    assert os_reason(OSError("không có mã")) == "không có mã"


def _handshake_failure(server_bytes: bytes, cafile: str | None = None) -> ssl.SSLError:
    """The error a client's TLS handshake raises when the server answers `server_bytes` (in memory, no network)."""
    context = ssl.create_default_context(cafile=cafile)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname="prefect.local")
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    incoming.write(server_bytes)
    with pytest.raises(ssl.SSLError) as caught:
        client.do_handshake()
    return caught.value


def test_a_tls_failure_is_not_said_as_no_permission() -> None:
    """ssl.SSLError carries errno 1: read as EPERM it gave "không có quyền" for https:// pointed at an http server."""
    error = _handshake_failure(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    assert error.errno == 1
    said = os_reason(error)
    assert "không có quyền" not in said
    assert said.startswith("bắt tay TLS không thành công: máy chủ không trả lời bằng TLS")
    assert "WRONG_VERSION_NUMBER" in said


def test_a_certificate_not_trusted_is_said_so(tmp_path: Path) -> None:
    certificate, key = self_signed(tmp_path, "prefect.local")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(certificate, key)
    client_context = ssl.create_default_context()
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    from_server, from_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_context.wrap_bio(to_client, from_client, server_hostname="prefect.local")
    server = server_context.wrap_bio(to_server, from_server, server_side=True)
    with pytest.raises(ssl.SSLError) as caught:
        for _ in range(10):
            for side in (client, server):
                with contextlib.suppress(ssl.SSLWantReadError):
                    side.do_handshake()
            to_server.write(from_client.read())
            to_client.write(from_server.read())
    assert isinstance(caught.value, ssl.SSLCertVerificationError)
    assert os_reason(caught.value) == "chứng chỉ TLS của máy chủ không được tin cậy: chứng chỉ tự ký"


"""A Prefect address or a web host that cannot be reached is said in Vietnamese, exit 2: the system's and httpx's
English ("[Errno 111] Connection refused", "Name or service not known", "Request URL is missing an 'http://' or
'https://' protocol", "label too long") reached users inside Vietnamese sentences."""
from __future__ import annotations

import socket

import pytest

from config.os_words import os_reason
from tests.e2e.conftest import Cli

ENGLISH = ("Errno", "Connection refused", "not known", "Request URL", "protocol", "codec", "label")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(("url", "said"), [
    ("nope", 'PREFECT_API_URL: "nope" không phải địa chỉ http:// hay https://'),
    ("http://127.0.0.1:{port}/api", "(máy chủ từ chối kết nối); hãy chạy `prefect server start`"),
    ("http://khong-co-may-nay.invalid/api", "(không tìm thấy tên máy); hãy chạy `prefect server start`"),
], ids=["not-http", "refused", "no-such-host"])
def test_a_prefect_server_out_of_reach_is_said_in_vietnamese(cli: Cli, url: str, said: str) -> None:
    result = cli("worker", expect=2, PREFECT_API_URL=url.format(port=_closed_port()))
    assert said in result.err, result.err
    assert not [word for word in ENGLISH if word in result.err], result.err


@pytest.mark.parametrize(("host", "said"), [
    ("khong-co-may-nay.invalid", 'Lỗi: --host: không tìm thấy địa chỉ "khong-co-may-nay.invalid" (không tìm thấy '
                                 "tên máy)."),
    ("a" * 70 + ".vn", f'Lỗi: --host: "{"a" * 70}.vn" không phải tên máy hay địa chỉ IP hợp lệ.'),
], ids=["no-such-host", "label-too-long"])
def test_a_web_host_that_cannot_be_found_is_said_in_vietnamese(cli: Cli, host: str, said: str) -> None:
    result = cli("serve", "--host", host, expect=2)
    assert result.err.strip() == said, result.err


def test_the_resolver_s_reasons_are_in_vietnamese() -> None:
    assert os_reason(socket.gaierror(socket.EAI_NONAME, "Name or service not known")) == "không tìm thấy tên máy"
    assert os_reason(ConnectionRefusedError(111, "Connection refused")) == "máy chủ từ chối kết nối"

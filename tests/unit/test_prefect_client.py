"""The Prefect clients `ykien serve` makes for its requests (workflows.prefect_client): a new client each time, given
the TLS context Prefect would load for it, made once per trust settings. Making a client reaches no server."""
from __future__ import annotations

import os
import ssl
from pathlib import Path

import pytest
import trustme
from prefect.settings import (
    PREFECT_API_SSL_CERT_FILE,
    PREFECT_API_TLS_INSECURE_SKIP_VERIFY,
    PREFECT_API_URL,
    temporary_settings,
)

from workflows.prefect_client import prefect_client


def contexts_loaded(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The SSL contexts made from now on (ssl.create_default_context calls), as Prefect's client would make them."""
    made: list[object] = []
    make = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(kwargs.get("cafile"))
        return make(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    return made


def test_each_use_is_a_new_client_sharing_one_tls_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ca_file = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca_file))
    made = contexts_loaded(monkeypatch)
    with temporary_settings({PREFECT_API_URL: "https://prefect.skhcn.example.vn/api",
                             PREFECT_API_SSL_CERT_FILE: str(ca_file)}):
        with prefect_client() as first:
            assert str(first.api_url) == "https://prefect.skhcn.example.vn/api/"
        with prefect_client() as second:
            assert second is not first
        assert made == [str(ca_file)]  # one context for both
        trustme.CA().cert_pem.write_to_path(str(ca_file))  # a renewed CA
        os.utime(ca_file, ns=(1, 1))  # written within the same clock tick as the first: its stamp differs all the same
        with prefect_client():
            pass
        assert made == [str(ca_file), str(ca_file)]
    with temporary_settings({PREFECT_API_URL: "https://prefect.skhcn.example.vn/api",
                             PREFECT_API_TLS_INSECURE_SKIP_VERIFY: True}):
        with prefect_client() as insecure:
            pass
        assert len(made) == 3  # a context of its own, checking nothing, as Prefect makes it then
    assert first._closed and second._closed and insecure._closed


def test_a_ca_file_broken_after_the_start_stops_the_submission_in_words_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The start checked the file (check_prefect); replaced by one Prefect cannot load, the next client is refused as
    StepsUnavailable (the sweep keeps the work and says the line), not with OpenSSL's traceback."""
    from config.prefect_api import ca_file_problem
    from workflows.service.steps import StepsUnavailable

    ca_file = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("PREFECT_API_SSL_CERT_FILE", str(ca_file))  # what ca_file_problem reads, as Prefect does
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api", PREFECT_API_SSL_CERT_FILE: str(ca_file)}):
        assert ca_file_problem() is None
        with prefect_client():
            pass
        ca_file.write_text("not a certificate\n", encoding="utf-8")
        refused = pytest.raises(StepsUnavailable, match=r'^PREFECT_API_SSL_CERT_FILE: ".*ca\.pem" \(không có chứng chỉ')
        with refused, prefect_client():
            pass


def test_without_an_api_url_no_client_is_made() -> None:
    with temporary_settings({PREFECT_API_URL: ""}), pytest.raises(RuntimeError, match="PREFECT_API_URL"), \
            prefect_client():
        pass

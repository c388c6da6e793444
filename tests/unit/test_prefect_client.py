"""The Prefect client `ykien serve` keeps for its submissions (workflows.prefect_client): one for the settings in
force, made again when they change, closed at the end. Making a client reaches no server."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_API_URL, temporary_settings

from workflows.prefect_client import KeptPrefectClient


def test_one_client_is_kept_until_the_api_changes_and_the_old_one_is_closed() -> None:
    kept = KeptPrefectClient()
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        first = kept.get()
        assert kept.get() is first
        assert str(first.api_url) == "http://127.0.0.1:4200/api/"
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4300/api"}):
        second = kept.get()
        assert second is not first and str(second.api_url) == "http://127.0.0.1:4300/api/"
        assert first._closed and not second._closed
        kept.close()
        assert second._closed
        assert kept.get() is not second  # asked again after close: a new one


def test_a_ca_file_replaced_on_disk_is_read_into_a_new_client(tmp_path: Path) -> None:
    import trustme

    ca_file = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca_file))
    kept = KeptPrefectClient()
    with temporary_settings({PREFECT_API_URL: "https://prefect.skhcn.example.vn/api",
                             PREFECT_API_SSL_CERT_FILE: str(ca_file)}):
        first = kept.get()
        assert kept.get() is first
        trustme.CA().cert_pem.write_to_path(str(ca_file))  # a renewed CA
        os.utime(ca_file, ns=(1, 1))  # written within the same clock tick as the first: its stamp differs all the same
        renewed = kept.get()
        assert renewed is not first and first._closed
        kept.close()


def test_without_an_api_url_no_client_is_made() -> None:
    kept = KeptPrefectClient()
    with temporary_settings({PREFECT_API_URL: ""}), pytest.raises(RuntimeError, match="PREFECT_API_URL"):
        kept.get()


def test_a_ca_file_broken_after_the_start_stops_the_submission_in_words_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The start checked the file (check_prefect); replaced by one Prefect cannot load, the next client is refused as
    StepsUnavailable (the sweep keeps the work and says the line), not with OpenSSL's traceback."""
    import trustme

    from config.prefect_api import ca_file_problem
    from workflows.service.steps import StepsUnavailable

    ca_file = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("PREFECT_API_SSL_CERT_FILE", str(ca_file))  # what ca_file_problem reads, as Prefect does
    kept = KeptPrefectClient()
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api", PREFECT_API_SSL_CERT_FILE: str(ca_file)}):
        assert ca_file_problem() is None
        kept.get()
        ca_file.write_text("not a certificate\n", encoding="utf-8")
        with pytest.raises(StepsUnavailable, match=r'^PREFECT_API_SSL_CERT_FILE: ".*ca\.pem" \(không có chứng chỉ'):
            kept.get()
        kept.close()

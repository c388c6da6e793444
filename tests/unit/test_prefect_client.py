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

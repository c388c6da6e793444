"""The Prefect clients of `ykien serve`'s requests to the Prefect server (submitting steps and jobs): one made for
each request, as Prefect's get_client makes it, but given the TLS context Prefect would load for it, made once."""
from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

from config.file_stamps import FileStamp, stamp_if_any
from config.os_words import os_reason
from config.prefect_api import ca_file_problem
from workflows.service.steps import StepsUnavailable

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

# Without PREFECT_API_URL, Prefect's client would start a temporary server of its own.
NO_API_URL = "PREFECT_API_URL is not set: ykien submits steps only to a Prefect server run on its own"


@contextmanager
def prefect_client() -> Iterator[SyncPrefectClient]:
    """A new sync client of the Prefect server (PREFECT_API_URL), closed on the way out.

    Prefect's client loads a CA bundle into a new SSL context whenever it is made (25-35 ms of CPU, even for an
    http:// API), which each submission of a step paid: it is given the context Prefect would make, made once per
    trust settings (PREFECT_API_TLS_INSECURE_SKIP_VERIFY, PREFECT_API_SSL_CERT_FILE and that file as it is on disk: a
    renewed CA is read again). The client itself is not kept: once it has connected, Prefect's client retries a
    refused connection for about a minute (2, 4, ... 32 s), and a launch on the web app while the Prefect server is
    down must hear at once that its mail waits (StepsUnavailable), as it does from a new client."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.settings import (
        PREFECT_API_AUTH_STRING,
        PREFECT_API_KEY,
        PREFECT_API_SSL_CERT_FILE,
        PREFECT_API_TLS_INSECURE_SKIP_VERIFY,
        PREFECT_API_URL,
    )

    api = PREFECT_API_URL.value()
    if not api:
        raise RuntimeError(NO_API_URL)
    insecure = bool(PREFECT_API_TLS_INSECURE_SKIP_VERIFY.value())
    ca_file = "" if insecure else PREFECT_API_SSL_CERT_FILE.value() or ""
    try:
        verify = _tls_context(insecure, ca_file, stamp_if_any(ca_file))
    except OSError as error:  # the CA file, broken since the start's check (ssl.SSLError is an OSError)
        raise StepsUnavailable(ca_file_problem() or f"{ca_file}: {os_reason(error)}") from None
    with SyncPrefectClient(api, auth_string=PREFECT_API_AUTH_STRING.value(), api_key=PREFECT_API_KEY.value(),
                           httpx_settings={"verify": verify}) as client:
        yield client


@lru_cache(maxsize=4)
def _tls_context(insecure: bool, ca_file: str, _stamp: FileStamp | None) -> ssl.SSLContext:
    """The context Prefect's client makes for these settings (prefect.client.orchestration.SyncPrefectClient)."""
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    import certifi

    return ssl.create_default_context(cafile=ca_file or certifi.where())

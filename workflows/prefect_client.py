"""One Prefect client kept for a process's requests to the Prefect server: `ykien serve` submitting steps and jobs."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from config.os_words import os_reason
from config.prefect_api import ca_file_problem, file_stamp
from workflows.service.steps import StepsUnavailable

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

# Without PREFECT_API_URL, Prefect's client would start a temporary server of its own.
NO_API_URL = "PREFECT_API_URL is not set: ykien submits steps only to a Prefect server run on its own"
# What a kept client was made for: the API's URL, PREFECT_API_SSL_CERT_FILE and that file's (modification time, size).
ClientKey = tuple[str, str, tuple[int, int] | None]


class KeptPrefectClient:
    """Prefect's sync client, made at the first request and kept until `close()`. A client made for each submission
    cost 24-36 ms of CPU (Prefect loads a CA bundle into an SSL context for every client it makes, even for an
    http:// API) and a new connection, which made each request 10 ms instead of 4: about 60 ms of the time from a
    round's launch to its first invitation (7 December 2026, loopback). Made again when PREFECT_API_URL changes (tests
    and benchmarks point it elsewhere around an executor) or the CA file named by PREFECT_API_SSL_CERT_FILE is
    replaced on disk (a renewed CA is trusted without a restart). Shared by the threads that submit (the sweep, web
    requests): httpx's client is safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._client: SyncPrefectClient | None = None  # entered
        self._key: ClientKey | None = None

    def get(self) -> SyncPrefectClient:
        """The client for the settings in force, made now if there is none for them."""
        from prefect.client.orchestration import SyncPrefectClient
        from prefect.settings import (
            PREFECT_API_AUTH_STRING,
            PREFECT_API_KEY,
            PREFECT_API_SSL_CERT_FILE,
            PREFECT_API_URL,
        )

        api = PREFECT_API_URL.value()
        if not api:
            raise RuntimeError(NO_API_URL)
        ca_file = PREFECT_API_SSL_CERT_FILE.value() or ""
        key = (api, ca_file, file_stamp(ca_file))
        with self._lock:
            if self._client is not None and self._key == key:
                return self._client
            stale = self._client
            # Made directly, as get_client makes it outside a client context: inside one (a flow run's), get_client
            # returns the context's client, which closing this one would close.
            try:
                client = SyncPrefectClient(api, auth_string=PREFECT_API_AUTH_STRING.value(),
                                           api_key=PREFECT_API_KEY.value())
            except OSError as error:  # the CA file it loads, replaced by a broken one since the start's check
                raise StepsUnavailable(ca_file_problem() or f"{ca_file}: {os_reason(error)}") from None
            client.__enter__()
            self._client, self._key = client, key
        if stale is not None:
            stale.__exit__(None, None, None)
        return client

    def close(self) -> None:
        with self._lock:
            client, self._client, self._key = self._client, None, None
        if client is not None:
            client.__exit__(None, None, None)

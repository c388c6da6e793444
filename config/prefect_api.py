"""The Prefect server ykien hands its steps to: the environment variable that names it (read by Prefect's client
too), and how to say in Vietnamese that it does not answer."""
from __future__ import annotations

import os
import ssl
from functools import lru_cache

from config.file_stamps import FileStamp, stamp_if_any
from config.os_words import os_reason, tls_reason

PREFECT_API_URL = "PREFECT_API_URL"
PREFECT_HOME = "PREFECT_HOME"  # Prefect's client state; serve and worker default it to $YKIEN_HOME/prefect
# Prefect's variables ykien reads besides its own settings: `ykien settings` and the README's table show them.
PREFECT_VARIABLES = (PREFECT_API_URL, PREFECT_HOME)
EXAMPLE_URL = "http://127.0.0.1:4200/api"
# The CA file both Prefect's client (its PREFECT_API_SSL_CERT_FILE defaults to it) and httpx's checks trust.
CA_FILE_SETTING = "SSL_CERT_FILE"
PREFECT_CA_FILE_SETTING = "PREFECT_API_SSL_CERT_FILE"  # Prefect's own, for its client only


def configured_prefect_api() -> str:
    """PREFECT_API_URL as set, spaces dropped; "" when unset: the steps run inline."""
    return os.environ.get(PREFECT_API_URL, "").strip()


def verify_for(url: str) -> ssl.SSLContext | bool:
    """httpx's `verify` for a call to the Prefect API at `url`: for https, the trust store (SSL_CERT_FILE or
    SSL_CERT_DIR when set, else certifi's, as httpx chooses) loaded once per process and shared by every call, not
    20-50 ms of CPU at each (each /readyz makes two calls), and loaded again when SSL_CERT_FILE is replaced on disk
    (a renewed CA), as the SMTP connections' context is (notifications.delivery.tls_context); for plain http none,
    where no certificate is read."""
    if url.strip().lower().startswith("http://"):
        return False
    ca_file = os.environ.get("SSL_CERT_FILE", "")
    return _trust_store(ca_file, os.environ.get("SSL_CERT_DIR", ""), stamp_if_any(ca_file))


@lru_cache(maxsize=4)
def _trust_store(ca_file: str, ca_directory: str, _stamp: FileStamp | None) -> ssl.SSLContext:
    """httpx's default client context for these SSL_CERT_FILE and SSL_CERT_DIR values as they are on disk (the
    key: a process that changes them, or a file replaced, gets the trust they name now)."""
    import httpx

    return httpx.create_ssl_context(verify=True, trust_env=True)


def health_status(url: str, timeout: float) -> int:
    """The HTTP status of GET <url>/health, Prefect API's health check, within `timeout` seconds; httpx.HTTPError (or
    ValueError for a URL httpx cannot use) when nothing answers: `unreachable_reason` says why."""
    import httpx

    return httpx.get(f"{url.rstrip('/')}/health", timeout=timeout, verify=verify_for(url)).status_code


def ca_file_problem() -> str | None:
    """What is wrong with a CA file ykien's calls to the Prefect server would load, naming its variable: Prefect's
    client loads PREFECT_API_SSL_CERT_FILE (else SSL_CERT_FILE) into every client it makes, even for an http://
    API, and the health checks SSL_CERT_FILE; None when each set loads. A missing file or one without a certificate
    stopped `ykien serve` and `ykien worker` with OpenSSL's traceback."""
    for setting in (PREFECT_CA_FILE_SETTING, CA_FILE_SETTING):
        path = os.environ.get(setting, "")
        if not path:
            continue
        try:
            ssl.create_default_context(cafile=path)
        except ssl.SSLError:  # before OSError, which it is
            reason = "không có chứng chỉ nào đọc được trong tệp này"
        except OSError as error:
            reason = f"không đọc được tệp này: {os_reason(error)}"
        else:
            continue
        return (f"{setting}: \"{path}\" ({reason}); hãy ghi đường dẫn tệp PEM (bắt đầu bằng -----BEGIN "
                "CERTIFICATE-----) của CA đã cấp chứng chỉ cho máy chủ Prefect, hoặc bỏ biến này để dùng các CA có sẵn")
    return None


def unreachable_reason(error: BaseException, timeout: float | None = None) -> str:
    """Why a request to the Prefect server got no answer, in Vietnamese: the system's reason under httpx's error
    (connection refused, no such host), a TLS failure (a certificate not trusted, a handshake that failed), or the
    wait that ran out (`timeout` seconds, when known); else its words."""
    import httpx

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (f"{tls_reason(cause)}; nếu chứng chỉ do CA nội bộ cấp, đặt {CA_FILE_SETTING} là tệp PEM của CA "
                    "đó cho ykien serve và ykien worker")
        if isinstance(cause, ssl.SSLError):
            return tls_reason(cause)
        if isinstance(cause, OSError):
            return os_reason(cause)
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.TimeoutException):
        return f"quá {timeout:g} giây không trả lời" if timeout is not None else "quá thời gian chờ trả lời"
    return str(error) or type(error).__name__


def unreachable(url: str, aside: str) -> str:
    """The one sentence every command, page and log line uses for a Prefect server that does not answer; `aside`
    goes in brackets after the address: why (unreachable_reason), or the variable to fix when the reason follows."""
    return f"không kết nối được máy chủ Prefect tại \"{url}\" ({aside})"

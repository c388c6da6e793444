"""Whether the Prefect server answers, in words an administrator reads: why a request to it got no answer."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import httpx

from config.os_words import os_reason
from workflows.service.steps import StepsUnavailable

PREFECT_API_URL = "PREFECT_API_URL"


def unreachable_reason(error: BaseException, timeout: float | None = None) -> str:
    """Why a request to the Prefect server got no answer, in Vietnamese: the system's reason under httpx's error
    (connection refused, no such host), or the wait that ran out (`timeout` seconds, when known); else its words."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, OSError):
            return os_reason(cause)
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.TimeoutException):
        return f"quá {timeout:g} giây không trả lời" if timeout is not None else "quá thời gian chờ trả lời"
    return str(error) or type(error).__name__


@contextlib.contextmanager
def reaching_prefect() -> Iterator[None]:
    """Requests to the Prefect server inside: one it does not answer (down, restarting, answering 5xx) raises
    StepsUnavailable naming PREFECT_API_URL, so that callers keep the work for the next sweep and say so in one line."""
    from prefect.exceptions import PrefectHTTPStatusError

    try:
        yield
    except httpx.TransportError as error:
        raise _unavailable(unreachable_reason(error)) from error
    except PrefectHTTPStatusError as error:
        if error.response.status_code < 500:
            raise
        raise _unavailable(f"trả lời {error.response.status_code}") from error


def _unavailable(reason: str) -> StepsUnavailable:
    url = os.environ.get(PREFECT_API_URL, "").strip()
    return StepsUnavailable(f"không kết nối được máy chủ Prefect tại \"{url}\" ({PREFECT_API_URL}): {reason}")

"""Whether the Prefect server answers, in words an administrator reads: why a request to it got no answer."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx

from config.prefect_api import PREFECT_API_URL, configured_prefect_api, unreachable, unreachable_reason
from workflows.service.steps import StepsUnavailable


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
    return StepsUnavailable(f"{unreachable(configured_prefect_api(), aside=PREFECT_API_URL)}: {reason}")

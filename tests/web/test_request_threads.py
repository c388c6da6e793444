"""YKIEN_REQUEST_THREADS: how many threads of one web process run requests' blocking work."""
from __future__ import annotations

import warnings
from collections.abc import Callable

import anyio.to_thread
import pytest

from config.settings import SettingsError, load_settings
from workflows.service.app import App
from workflows.web.app import create_web_app

with warnings.catch_warnings():  # fastapi's TestClient warns about httpx on import; nothing to act on here
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _threads_now() -> float:
    return anyio.to_thread.current_default_thread_limiter().total_tokens


def test_the_web_app_runs_requests_on_the_configured_number_of_threads(
        monkeypatch: pytest.MonkeyPatch, app_factory: Callable[[], App]) -> None:
    monkeypatch.setenv("YKIEN_REQUEST_THREADS", "3")
    app = app_factory()
    assert app.settings.request_threads == 3
    with TestClient(create_web_app(app)) as client:
        assert client.portal is not None
        assert client.portal.call(_threads_now) == 3
        assert client.get("/login").status_code == 200  # a page still renders through those threads


def test_the_default_is_a_few_threads_not_anyios_forty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YKIEN_REQUEST_THREADS", raising=False)
    assert load_settings().request_threads == 4


@pytest.mark.parametrize(("value", "expected"), [
    ("0", 'YKIEN_REQUEST_THREADS: "0": phải từ 1 trở lên'),
    ("201", 'YKIEN_REQUEST_THREADS: "201": phải từ 200 trở xuống'),
    ("tám", 'YKIEN_REQUEST_THREADS: "tám": phải là một số nguyên'),
    ("", 'YKIEN_REQUEST_THREADS: "": phải là một số nguyên'),
])
def test_a_bad_number_of_threads_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, value: str,
                                                                expected: str) -> None:
    monkeypatch.setenv("YKIEN_REQUEST_THREADS", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(expected)

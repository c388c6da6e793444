"""PREFECT_API_URL as an admin types it: in quotes (a docker --env-file keeps them) it is refused by `ykien serve`
and `ykien worker` in one line naming it; with spaces around it, Prefect's client (which reads the variable itself)
gets it trimmed too: " http://…/api " passed ykien's check and then stopped the worker with an httpx traceback."""
from __future__ import annotations

import os

import pytest

from tests.e2e.conftest import Cli
from workflows.cli.worker_cmd import prefect_api_url

QUOTED = ("Lỗi: PREFECT_API_URL: 'http://127.0.0.1:4200/api' nằm trong dấu nháy; hãy bỏ dấu nháy ở hai đầu, ghi "
          "http://127.0.0.1:4200/api (tệp --env-file của docker hay giá trị trong YAML giữ dấu nháy như một phần của "
          "giá trị).")


@pytest.mark.parametrize("args", [["worker"], ["serve", "--no-web"], ["serve", "--prefect", "--port", "8614"]])
def test_a_quoted_prefect_api_url_is_refused_naming_it(cli: Cli, args: list[str]) -> None:
    before = cli.snapshot()
    result = cli(*args, expect=2, PREFECT_API_URL="'http://127.0.0.1:4200/api'")
    assert result.err.strip() == QUOTED, result.err
    assert result.out == "" and cli.snapshot() == before


def test_spaces_around_the_url_are_dropped_where_prefect_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "  http://127.0.0.1:4200/api \t")
    assert prefect_api_url() == "http://127.0.0.1:4200/api"
    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"
    monkeypatch.setenv("PREFECT_API_URL", "   ")
    assert prefect_api_url() is None
    assert "PREFECT_API_URL" not in os.environ  # Prefect would read the blank as an address


def test_the_trimmed_url_is_the_one_checked_by_the_worker(cli: Cli) -> None:
    result = cli("worker", expect=2, PREFECT_API_URL=" http://127.0.0.1:1/api ")
    assert result.err.startswith('Lỗi: PREFECT_API_URL: không kết nối được máy chủ Prefect tại "http://127.0.0.1:1/api" '
                                 "(máy chủ từ chối kết nối)"), result.err
    assert "Traceback" not in result.err

"""The steps' server away (the Prefect server down or restarting): nothing runs, nothing is lost, and the sweep says
so once. A request Prefect's client makes to a port nobody listens on becomes StepsUnavailable naming
PREFECT_API_URL; a command's mail waits in the outbox; a due timer the sweep could not hand over is let go at once
(the next sweep fires it, not one after its 5-minute claim), and the sweep goes on; serve logs an outage once while
it lasts, and once when it ends. The whole outage with a real Prefect server: tests/e2e/test_prefect_outage.py."""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from prefect.exceptions import PrefectHTTPStatusError

from config.clock import FrozenClock
from notifications.testing import SmtpCapture
from tests.integration.test_command_path import closed_port
from workflows.engine.events import Launch
from workflows.prefect_reach import reaching_prefect
from workflows.scheduler import Sweeper
from workflows.service.app import App
from workflows.service.commands import MAIL_LATER, run_command
from workflows.service.steps import StepsUnavailable
from workflows.service.sweep import run_due

AWAY = 'không kết nối được máy chủ Prefect tại "http://127.0.0.1:1/api" (PREFECT_API_URL): máy chủ từ chối kết nối'


class PrefectAway:
    """An executor whose server does not answer: every step is refused before anything runs."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def run(self, app: App, step: str, params: dict[str, Any]) -> Any:
        self.asked.append(step)
        raise StepsUnavailable(AWAY)


def test_a_request_to_a_prefect_server_nobody_runs_is_steps_unavailable_naming_the_setting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api"
    monkeypatch.setenv("PREFECT_API_URL", url)
    with pytest.raises(StepsUnavailable) as raised, reaching_prefect():
        httpx.get(f"{url}/health", timeout=5)
    assert str(raised.value) == (f'không kết nối được máy chủ Prefect tại "{url}" (PREFECT_API_URL): '
                                 "máy chủ từ chối kết nối")


@pytest.mark.parametrize(("status", "outage"), [(503, True), (500, True), (404, False), (422, False)])
def test_a_server_error_is_an_outage_and_a_refusal_is_not(status: int, outage: bool) -> None:
    request = httpx.Request("POST", "http://127.0.0.1:4200/api/deployments/x/create_flow_run")
    error = PrefectHTTPStatusError.from_httpx_error(
        httpx.HTTPStatusError("lỗi", request=request, response=httpx.Response(status, request=request)))
    with pytest.raises(StepsUnavailable if outage else PrefectHTTPStatusError), reaching_prefect():
        raise error


def test_a_timer_the_sweep_could_not_hand_over_is_let_go_and_fired_by_the_next_sweep(
        app: App, clock: FrozenClock, capture: SmtpCapture, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    clock.set(datetime.fromisoformat("2025-11-20T09:00").replace(tzinfo=app.tz))
    away = PrefectAway()
    app.executor = away
    launched = run_command(app, round_id, Launch(), staff)
    assert launched.mail == MAIL_LATER and launched.delivery_error == AWAY
    with app.uow(read_only=True) as uow:
        due = uow.timers.next_due()
    assert due is not None
    clock.set(due + timedelta(minutes=1))

    report = run_due(app)  # no exception: the sweep reports the outage and goes on to the queued mail
    assert report.timers_fired == 0 and report.delivery_errors == [AWAY, AWAY]
    assert away.asked == ["deliver", "remind", "deliver"]
    with app.uow(read_only=True) as uow:
        (timer,) = [t for t in uow.timers.pending_for_round(round_id) if t.due_at <= clock.now()]
        assert (timer.claimed_by, timer.claimed_until) == (None, None)  # free at once, not held 5 minutes

    app.executor = None  # the server is back: the very next sweep, at the same moment, fires it and sends all
    report = run_due(app)
    assert report.timers_fired == 1 and not report.delivery_errors
    kinds = Counter(str(m["X-Ykien-Kind"]) for m in capture.messages)
    assert kinds["invitation"] == 12 and len(kinds) == 2 and len(capture.messages) == report.delivery.sent, kinds
    assert run_due(app).delivery.sent == 0  # each once


def test_serve_logs_an_outage_once_while_it_lasts_and_once_when_it_ends(
        app: App, caplog: pytest.LogCaptureFixture) -> None:
    sweeper = Sweeper(app, scheduler=None)  # type: ignore[arg-type]  # tell_errors uses no scheduler
    with caplog.at_level(logging.INFO, logger="ykien.serve"):
        for errors in ([AWAY, AWAY], [AWAY], [AWAY, "SMTP: 421"], [], []):
            sweeper.tell_errors(errors)
    assert [record.getMessage() for record in caplog.records] == [
        f"quét: gửi thư lỗi ({AWAY}); thư vẫn chờ trong hàng đợi, các lần quét sau gửi lại",
        "quét: gửi thư lỗi (SMTP: 421); thư vẫn chờ trong hàng đợi, các lần quét sau gửi lại",
        "quét: không còn lỗi gửi thư",
    ]

"""One command path (workflows/service/commands.py) with one failure policy: the command is committed first;
mail that cannot go out now stays in the outbox, the caller is told so (no error, no 500), and the next sweep
sends each message exactly once.

The SMTP server is "down" as a closed loopback port: every connection is refused.
"""
from __future__ import annotations

import re
import socket
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from config.clock import FrozenClock
from models.unit_status import AnswerStatus
from notifications.testing import SmtpCapture
from workflows.cli.main import app as ykien_cli
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.commands import MAIL_LATER, MAIL_NOTICES, run_command
from workflows.service.sweep import run_due
from workflows.service.timers import fire_timer
from workflows.service.views import audit_trail, round_view
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

WORKFLOWS = Path(__file__).parents[2] / "workflows"
LATER = "thư sẽ gửi lại ở lần quét sau"
# The command path and the places that run steps under it: the executor interface, the sweep, the flows.
MAY_RUN_STEPS = {"service/commands.py", "service/steps.py", "service/sweep.py", "flows.py"}


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused, as with an SMTP server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(app: App, now: str, smtp_url: str, *args: str) -> Result:
    """`ykien ARGS` in this process, as its own App on the same database and home, at YKIEN_NOW=now."""
    env = {"YKIEN_HOME": str(app.settings.home), "YKIEN_DATABASE_URL": app.settings.database_url_resolved,
           "YKIEN_SMTP_URL": smtp_url, "YKIEN_NOW": now, "YKIEN_ACTOR": "Phạm Phi Long (TĐC)"}
    return CliRunner().invoke(ykien_cli, list(args), env=env)


def outbox(app: App, round_id: int) -> dict[str, Counter[str]]:
    """status -> kinds of the round's outbox rows."""
    found: dict[str, Counter[str]] = {}
    with app.uow(read_only=True) as uow:
        for row in uow.outbox.for_round(round_id):
            found.setdefault(row.status, Counter())[row.kind] += 1
    return found


def message_ids(app: App, round_id: int, status: str) -> set[str]:
    with app.uow(read_only=True) as uow:
        return {row.message_id for row in uow.outbox.for_round(round_id) if row.status == status}


def token_of(app: App, round_id: int, unit: str) -> str:
    with app.uow(read_only=True) as uow:
        body = next(row.text_body for row in uow.outbox.for_round(round_id)
                    if row.unit_code == unit and row.kind == "invitation")
    match = re.search(r"/r/([A-Za-z0-9_-]+)", body)
    assert match is not None
    return match.group(1)


def test_with_smtp_down_a_cli_command_and_a_units_answer_succeed_and_the_next_tick_sends_each_once(
        app: App, clock: FrozenClock, capture: SmtpCapture, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    clock.set(datetime.fromisoformat("2025-11-20T09:00").replace(tzinfo=app.tz))
    launched = run_command(app, round_id, Launch(), staff)  # the server is up: sent now
    assert launched.mail == "" and launched.notice is None and launched.delivery is not None
    assert launched.delivery.sent == launched.queued == 12
    down = f"smtp://127.0.0.1:{closed_port()}"

    # `ykien round remind` with the server down: recorded, exit 0, said so; the reminders wait in the outbox.
    reminded = cli(app, "2025-11-20T10:00", down, "round", "remind", str(round_id), "--unit", "SCT", "--unit", "STC")
    assert reminded.exit_code == 0, reminded.output
    assert LATER in reminded.output
    assert audit_trail(app, round_id)[0][-1].action == "remind"
    assert sum(outbox(app, round_id)["queued"].values()) == 2  # the two reminders, not sent

    # A unit answers through its link with the server down: 303 to the receipt page (200), which says the receipt
    # will come: the answer queues it for the delivery sweep and never waits on the mail server.
    clock.set(datetime.fromisoformat("2025-11-20T10:15").replace(tzinfo=app.tz))
    app.smtp_url_override = down
    token = token_of(app, round_id, "STP")
    web = TestClient(create_web_app(app))
    answered = web.post(f"/r/{token}", data={"csrf_token": link_csrf(app, token), "action": "send",
                                             "answer": "agree"}, follow_redirects=False)
    assert answered.status_code == 303, answered.text
    assert answered.headers["location"] == f"/r/{token}/sent"
    page = web.get(answered.headers["location"])
    assert page.status_code == 200 and "Thư xác nhận sẽ được gửi" in page.text
    app.smtp_url_override = None
    assert next(u for u in round_view(app, round_id).units if u.unit_code == "STP").answer is AnswerStatus.AGREE
    waiting = outbox(app, round_id)["queued"]
    assert waiting["receipt"] == 1 and sum(waiting.values()) == 3
    pending = message_ids(app, round_id, "queued")
    before = len(capture.messages)

    # The next tick with the server back (after the retry time) sends each waiting message exactly once.
    ticked = cli(app, "2025-11-20T10:30", f"smtp://127.0.0.1:{capture.target.port}", "tick", "--json")
    assert ticked.exit_code == 0, ticked.output
    sent = [str(m["Message-ID"]) for m in capture.messages[before:]]
    assert sorted(sent) == sorted(pending) and len(set(sent)) == 3
    assert "queued" not in outbox(app, round_id)
    again = cli(app, "2025-11-20T11:30", f"smtp://127.0.0.1:{capture.target.port}", "tick")
    assert again.exit_code == 0 and len(capture.messages) == before + 3


class DeliveryDown:
    """An executor whose delivery fails as a Prefect server that is gone would: a timer step has fired its
    timer (its own transaction) before the failure; with `fire=False` it fails before anything happens."""

    def __init__(self, fire: bool = True) -> None:
        self.fire = fire

    def run(self, app: App, step: str, params: dict[str, Any]) -> Any:
        if self.fire and step in ("remind", "close"):
            fire_timer(app, params["timer_id"])
        raise RuntimeError("executor unreachable")


def test_an_executor_failure_keeps_the_command_and_the_fired_timer_and_the_next_sweep_sends_once(
        app: App, clock: FrozenClock, capture: SmtpCapture, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round()
    clock.set(datetime.fromisoformat("2025-11-20T09:00").replace(tzinfo=app.tz))
    app.executor = DeliveryDown()
    launched = run_command(app, round_id, Launch(), staff)
    assert launched.mail == MAIL_LATER and launched.notice == MAIL_NOTICES[MAIL_LATER]
    assert launched.delivery_error is not None and "executor unreachable" in launched.delivery_error
    assert round_view(app, round_id).state.status == "circulating"
    assert sum(outbox(app, round_id)["queued"].values()) == 12 and not capture.messages

    # A due reminder: the step fires it, then delivery fails; the sweep goes on and its report says so.
    with app.uow(read_only=True) as uow:
        due = uow.timers.next_due()
    assert due is not None
    clock.set(due + timedelta(minutes=1))
    report = run_due(app)
    assert report.timers_fired == 1 and len(report.delivery_errors) == 2  # the timer's step, then the sweep's
    assert [e.action for e in audit_trail(app, round_id)[0]].count("timer_fired") == 1
    waiting = message_ids(app, round_id, "queued")
    assert len(waiting) > 12 and not capture.messages

    app.executor = None
    report = run_due(app)
    assert report.delivery.sent == len(waiting) and not report.delivery_errors
    assert sorted(str(m["Message-ID"]) for m in capture.messages) == sorted(waiting)
    assert run_due(app).delivery.sent == 0 and len(capture.messages) == len(waiting)

    # A timer step that fails before its timer fired is the command failing: it raises, the timer stays pending.
    with app.uow(read_only=True) as uow:
        due = uow.timers.next_due()
    assert due is not None
    clock.set(due + timedelta(minutes=1))
    app.executor = DeliveryDown(fire=False)
    try:
        run_due(app)
    except RuntimeError:
        pass
    else:
        raise AssertionError("a timer that did not fire must not pass for fired")
    with app.uow(read_only=True) as uow:
        assert uow.timers.next_due() == due


def test_only_the_command_path_runs_steps_or_executes_events() -> None:
    """Entry points and use cases go through commands.run_command; nobody else calls run_step( or execute(."""
    run_step, execute = [], []
    for path in sorted(WORKFLOWS.rglob("*.py")):
        name = path.relative_to(WORKFLOWS).as_posix()
        text = path.read_text(encoding="utf-8")
        if "run_step(" in text and name not in MAY_RUN_STEPS:
            run_step.append(name)
        if re.search(r"(?<![.\w])execute\(", text) and name not in {"service/commands.py", "service/rounds.py"}:
            execute.append(name)
    assert run_step == []
    assert execute == []

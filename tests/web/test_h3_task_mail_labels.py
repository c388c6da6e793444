"""The outbox of a workshop names the mail of its preparatory tasks in Vietnamese ("Đôn đốc nhiệm vụ được giao"),
never the stored kind "task_reminder"."""
from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from test_round_kinds import log_in
from test_workshop_pages import (  # noqa: F401  (fixtures)
    STAFF,
    TZ,
    launch_workshop,
    staff,
    template_home,
    workshop_clock,
    ykien_app,
)

from config.clock import FrozenClock
from workflows.service.app import App
from workflows.service.assignments import assign
from workflows.service.sweep import run_due


def test_the_outbox_names_a_task_reminder(ykien_app: App, staff: TestClient,
                                          workshop_clock: FrozenClock) -> None:
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)  # due 15/08, reminded 2 working days before
    workshop_clock.set(datetime(2025, 8, 13, 9, 0, tzinfo=TZ))
    run_due(ykien_app)
    page = log_in(staff).get(f"/rounds/{round_id}/outbox?kind=task_reminder").text
    assert "<td data-label=\"Loại\">Đôn đốc nhiệm vụ được giao</td>" in page
    assert ">task_reminder<" not in page

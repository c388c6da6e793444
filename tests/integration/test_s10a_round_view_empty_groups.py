"""The view of one round (CLI `round show`, GET /api/rounds/<id>, the round page) names the groups a draft's letter will
miss, as the create answer does, at the cost of one SQL query over the round's row already read (no load of the
directory), and nothing and no query once the round has gone out. On SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event
from test_s9a_empty_groups import CENTRAL, CENTRAL_LABEL, STAFF, _round_to

from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.commands import run_command
from workflows.service.empty_groups import groups_left_out
from workflows.service.rounds import Addressee
from workflows.service.views import round_grid, round_view


class Statements:
    """The SQL statements the engine sends while counting."""

    def __init__(self, app: App) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()
        self._engine = app.engine
        event.listen(app.engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        with self._lock:
            self.sent.append(statement)

    def stop(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


def _left_out_statements(app: App, round_id: int) -> tuple[int, list[str]]:
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)  # what a view of the round has read already
        counted = Statements(app)
        try:
            found = groups_left_out(uow, round_id)
        finally:
            counted.stop()
    return len(found), counted.sent


def test_the_views_of_a_draft_name_the_empty_group(app: App) -> None:
    round_id = _round_to(app, Addressee(groups=("so-ban-nganh", CENTRAL)))
    for view in (round_view(app, round_id), round_grid(app, round_id, page_size=3)):
        [group] = view.empty_groups
        assert (group.code, group.label, group.units_now) == (CENTRAL, CENTRAL_LABEL, 0)


def test_the_empty_groups_of_a_viewed_draft_cost_one_query_not_a_load_of_the_directory(app: App) -> None:
    round_id = _round_to(app, Addressee(groups=("so-ban-nganh", CENTRAL, "xa-phuong")))
    found, sent = _left_out_statements(app, round_id)
    assert found == 1
    assert len(sent) == 1, sent
    assert "unit_groups" in sent[0] and "recipients" in sent[0]


def test_a_launched_round_shows_no_empty_group_and_asks_nothing(app: App) -> None:
    round_id = _round_to(app, Addressee(groups=("so-ban-nganh", CENTRAL)))
    run_command(app, round_id, Launch(), STAFF)
    assert round_view(app, round_id).empty_groups == () and round_grid(app, round_id).empty_groups == ()
    assert _left_out_statements(app, round_id) == (0, [])

"""Handling comments by their numbers in the bảng tổng hợp (service.consolidation): the numbers are read from the
table, and a table that changed between reading it and writing (a late answer came) refuses, writing nothing."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from config.clock import FrozenClock
from models.errors import DomainError
from models.rounds import ResponseKind
from workflows.engine.events import Close, CommentInput, Launch, Respond
from workflows.service import consolidation
from workflows.service.app import App
from workflows.service.consolidation import handle_numbered_comments, numbered, triage_items
from workflows.service.rounds import execute
from workflows.service.views import audit_trail

STAFF = "Phạm Phi Long (TĐC)"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _consolidating(app: App, clock: FrozenClock, make_round: Callable[..., int]) -> int:
    round_id = make_round(deadline=date(2025, 12, 5))
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-11-26T10:00"))
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF, comments=(
        CommentInput("Bổ sung chỉ tiêu ISO 9001.", "Mục II.2"), CommentInput("Tách rõ nguồn kinh phí.", "Mục IV"))),
        STAFF)
    clock.set(local("2025-12-08T09:00"))
    execute(app, round_id, Close("Đã hết hạn"), STAFF)
    return round_id


def test_a_table_that_changed_since_it_was_read_refuses_the_numbers_and_writes_nothing(
        app: App, clock: FrozenClock, make_round: Callable[..., int], monkeypatch: pytest.MonkeyPatch) -> None:
    round_id = _consolidating(app, clock, make_round)
    read = triage_items(app, round_id)  # the table as the clerk read it
    execute(app, round_id, Respond("STC", ResponseKind.COMMENTS, STAFF, comments=(
        CommentInput("Làm rõ mục đích.", "Mục I.1"),), late_accept=True), STAFF)
    events_before = len(audit_trail(app, round_id)[0])

    monkeypatch.setattr(consolidation, "triage_items", lambda _app, _round: read)
    with pytest.raises(DomainError) as refused:
        handle_numbered_comments(app, round_id, [1], "accepted", None, STAFF)
    assert refused.value.code == "table_changed"
    monkeypatch.undo()
    assert all(item.decision is None for item in triage_items(app, round_id))
    assert len(audit_trail(app, round_id)[0]) == events_before


def test_the_audit_of_a_handling_keeps_the_numbers_the_table_gave_and_the_ids(
        app: App, clock: FrozenClock, make_round: Callable[..., int]) -> None:
    round_id = _consolidating(app, clock, make_round)
    table = numbered(triage_items(app, round_id))
    handled = handle_numbered_comments(app, round_id, [2], "accepted", None, STAFF)
    assert handled.comments == [table[1]]
    details = audit_trail(app, round_id)[0][-1].details
    assert details["numbers"] == [2] and details["comments"] == [table[1].item.comment_id]

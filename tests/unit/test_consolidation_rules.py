"""Consolidation rules that need no database: handlings and the guard on completing consolidation."""
from __future__ import annotations

import dataclasses

import pytest

from models.consolidation import ExplanationRequired, Handling, check_handling
from tests.unit.engine_helpers import calendar, local, make_round, workflow
from workflows.engine.decide import decide
from workflows.engine.events import Command
from workflows.engine.refusals import GuardFailed

TZ_NAME = "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize("decision", [Handling.NOT_ACCEPTED, Handling.PARTLY_ACCEPTED])
def test_not_fully_accepted_comment_needs_an_explanation(decision: Handling) -> None:
    with pytest.raises(ExplanationRequired) as refused:
        check_handling(decision, "   ")
    assert refused.value.code == "explanation_required"
    check_handling(decision, "Nội dung đã có tại Mục III.")


@pytest.mark.parametrize("decision", [Handling.ACCEPTED, Handling.NOTED])
def test_accepted_or_noted_comment_needs_no_explanation(decision: Handling) -> None:
    check_handling(decision, None)


def test_consolidation_is_refused_while_comments_are_unhandled() -> None:
    from zoneinfo import ZoneInfo

    state = dataclasses.replace(make_round(status="consolidating"), unhandled_comments=2)
    with pytest.raises(GuardFailed) as refused:
        decide(state, Command("consolidate"), local(2026, 3, 20), workflow(), calendar(), ZoneInfo(TZ_NAME))
    assert refused.value.code == "comments_unhandled"
    assert "2 ý kiến" in refused.value.message
    assert state.status == "consolidating"


def test_consolidation_completes_when_every_comment_is_handled() -> None:
    from zoneinfo import ZoneInfo

    state = make_round(status="consolidating")
    decision = decide(state, Command("consolidate"), local(2026, 3, 20), workflow(), calendar(), ZoneInfo(TZ_NAME))
    assert decision.state.status == "consolidated"
    assert decision.audit[0].action == "consolidate"

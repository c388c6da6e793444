"""A unit of a call for proposals answers "Không có đề xuất" (the kind's answer without forms, declared in
proposal_call.yaml as `allow_agree` with its own `terms.agreed`): it has answered, so it is not reminded, and a
call that every answering unit declined ends as one nobody proposed to (seed 002), with its report task."""
from __future__ import annotations

from engine_helpers import TZ, answer_agree, calendar, kinds_by_unit, launched, local, make_round, propose, refusal_code

from models.rounds import ResponseKind, UnitCounts
from workflows.engine.context import EngineContext
from workflows.engine.decision import Decision
from workflows.engine.events import Close
from workflows.engine.guards import GUARDS
from workflows.service.registry import get_workflow


def test_the_call_declares_the_answer_without_forms_in_its_own_words() -> None:
    kind = get_workflow("proposal_call")
    assert kind.response.allow_agree
    assert kind.terms.agreed == "Không có đề xuất"
    assert kind.terms.received["agree"] == "văn bản trả lời không có nhiệm vụ đề xuất"


def test_a_unit_that_said_no_has_answered_and_is_not_reminded() -> None:
    run = launched(make_round("proposal_call"))
    decision = run.send(answer_agree("C1"), local(2026, 3, 5))
    assert decision.state.recipients["C1"].response_kind is ResponseKind.AGREE
    assert kinds_by_unit(decision.messages) == [("receipt", "C1")]
    assert decision.messages[0].extra["response_kind"] == "agree"
    reminded = run.fire(run.timer("remind_before"))
    assert kinds_by_unit(reminded.messages) == [("reminder_before", "C2"), ("reminder_before", "C3")]


def test_a_call_every_answering_unit_declined_ends_with_the_report_task() -> None:
    run = launched(make_round("proposal_call"))
    run.send(answer_agree("C1"), local(2026, 3, 5))
    run.send(answer_agree("C2"), local(2026, 3, 6))
    decision = run.fire(run.timer("close"))
    assert decision.state.status == "no_proposals"
    assert [t.name for t in decision.state.open_tasks()] == ["report_to_ubnd"]


def test_closing_by_hand_after_only_refusals_also_ends_with_the_report_task() -> None:
    run = launched(make_round("proposal_call"))
    run.send(answer_agree("C3"), local(2026, 3, 5))
    assert run.send(Close(), local(2026, 3, 9)).state.status == "no_proposals"


def test_one_proposal_among_refusals_takes_the_call_to_review() -> None:
    run = launched(make_round("proposal_call"))
    run.send(answer_agree("C1"), local(2026, 3, 5))
    run.send(propose("C2"), local(2026, 3, 6))
    assert run.fire(run.timer("close")).state.status == "reviewing"


def test_the_guard_counts_the_answers_with_content_of_the_units_left_out() -> None:
    run = launched(make_round("proposal_call"))
    state = run.state.clone()
    state.recipients = {"C1": state.recipients["C1"]}
    state.partial = True
    wf = get_workflow("proposal_call")
    for with_content, holds in ((1, True), (0, False)):
        state.others = UnitCounts(asked=2, answered=2, with_content=with_content)
        ctx = EngineContext(state, Close(), local(2026, 3, 10), wf, calendar(), TZ,
                            Decision(state, "close", state.status))
        assert (GUARDS["has_answers_with_content"](ctx) is None) is holds


def test_a_kind_that_takes_no_answer_without_forms_refuses_it() -> None:
    run = launched(make_round("report_collection"))
    assert refusal_code(run.state, answer_agree("C1"), local(2026, 3, 12)) == "agree_not_allowed"

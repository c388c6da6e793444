"""The call for proposals (proposal_call.yaml, seeds 001 and 002) driven through the pure engine."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from engine_helpers import (
    FULL_PROPOSAL,
    LAUNCH_MORNING,
    TZ,
    Run,
    answer_agree,
    answer_with_comments,
    calendar,
    kinds_by_unit,
    launched,
    local,
    make_round,
    propose,
    refusal_code,
    utc,
    workflow,
)

from models.rounds import ResponseKind, Task
from workflows.engine.decide import decide
from workflows.engine.events import Close, Command, Event, Extend, Launch, Remind
from workflows.engine.refusals import Refused

TRANSITIONS: dict[str, dict[str, str]] = {
    "draft": {"launch": "circulating"},
    # With nobody having proposed, both ways of closing lead to no_proposals.
    "circulating": {"respond": "circulating", "extend": "circulating", "remind": "circulating",
                    "close": "no_proposals", "deadline_passed": "no_proposals"},
    "reviewing": {"respond": "reviewing", "forward_proposals": "forwarded"},
    "forwarded": {},
    "no_proposals": {"report_submitted": "reported"},
    "reported": {},
}
ALL_EVENTS = sorted({e for handled in TRANSITIONS.values() for e in handled}
                    | {"consolidate", "submit", "revise"})
MATRIX_NOW = local(2026, 3, 10)
OPENED_TASK = "report_to_ubnd"  # what no_proposals declares it opens (`opens:`)


def call_round() -> Run:
    """A call for proposals launched on 02/03/2026 with deadline 17/03/2026."""
    return launched(make_round("proposal_call"))


def sample_event(name: str) -> Event:
    samples: dict[str, Event] = {
        "launch": Launch(),
        "respond": propose("C1", late_accept=True),
        "extend": Extend(date(2026, 3, 24)),
        "remind": Remind(),
        "close": Close(),
    }
    return samples.get(name, Command(name))


def test_transition_table_matches_the_definition() -> None:
    wf = workflow("proposal_call")
    assert {name: set(state.transitions) for name, state in wf.states.items()} == \
        {name: set(handled) for name, handled in TRANSITIONS.items()}
    assert wf.final_states() == {"forwarded", "reported"}


@pytest.mark.parametrize("status", list(TRANSITIONS))
@pytest.mark.parametrize("event_name", ALL_EVENTS)
def test_each_state_handles_exactly_its_own_events(status: str, event_name: str) -> None:
    state = make_round("proposal_call", status=status)
    state.launched_at = LAUNCH_MORNING if status != "draft" else None
    expected = TRANSITIONS[status].get(event_name)
    if expected is None:
        assert refusal_code(state, sample_event(event_name), MATRIX_NOW) == "event_not_allowed"
        return
    decision = decide(state, sample_event(event_name), MATRIX_NOW, workflow("proposal_call"), calendar(), TZ)
    assert decision.state.status == expected
    assert decision.audit[0].action == event_name


def test_launch_invites_every_unit_and_plans_the_same_timers_as_a_consultation() -> None:
    decision = call_round().decisions[0]
    assert kinds_by_unit(decision.messages) == [("invitation", c) for c in ("C1", "C2", "C3", "P1", "I1")]
    assert [(t.name, t.due_at) for t in decision.timers] == [
        ("remind_before", utc(2026, 3, 13, 1)), ("close", utc(2026, 3, 17, 17))]
    consultation = launched().decisions[0]
    assert [(t.name, t.key, t.due_at) for t in decision.timers] == \
        [(t.name, t.key, t.due_at) for t in consultation.timers]


def test_deadline_with_no_proposal_opens_the_report_to_ubnd_instead_of_failing() -> None:
    run = call_round()
    decision = run.fire(run.timer("close"))
    closed_at = local(2026, 3, 18, 0, 0)
    assert decision.state.status == "no_proposals"
    assert decision.state.tasks == [Task(OPENED_TASK, closed_at)]
    assert decision.state.open_tasks() == [Task(OPENED_TASK, closed_at)]
    assert decision.state.closed_at == closed_at
    assert [(a.action, a.details) for a in decision.audit] == [
        ("timer_fired", {"timer": "close", "deadline": "2026-03-17", "occurrence": 1, "messages": 0}),
        ("deadline_passed", {"timer": "close", "from": "circulating", "to": "no_proposals", "messages": 0}),
        ("task_opened", {"task": OPENED_TASK}),
    ]
    assert "timer_refused" not in [a.action for a in decision.audit]
    assert decision.replace_timers and decision.timers == [] and decision.messages == []


def test_closing_by_hand_with_no_proposal_also_opens_the_report_task() -> None:
    decision = call_round().send(Close(), local(2026, 3, 16))
    assert decision.state.status == "no_proposals"
    assert [t.name for t in decision.state.open_tasks()] == [OPENED_TASK]


def test_report_submitted_completes_the_task_and_ends_the_round() -> None:
    run = call_round()
    run.fire(run.timer("close"))
    now = local(2026, 3, 20, 15)
    decision = run.send(Command("report_submitted", {"number": "102/BC-SKHCN"}), now)
    assert decision.state.status == "reported"
    assert decision.state.tasks == [Task(OPENED_TASK, local(2026, 3, 18, 0, 0), done_at=now)]
    assert decision.state.open_tasks() == []
    assert decision.state.outcome == {"submitted_at": now.isoformat(), "submitted_number": "102/BC-SKHCN"}
    assert [a.action for a in decision.audit] == ["report_submitted", "task_done"]
    assert "reported" in workflow("proposal_call").final_states()
    assert refusal_code(decision.state, Command("report_submitted"), local(2026, 3, 21)) == "event_not_allowed"


def test_deadline_with_a_proposal_moves_to_review() -> None:
    run = call_round()
    run.send(propose("C2"), local(2026, 3, 12))
    decision = run.fire(run.timer("close"))
    assert decision.state.status == "reviewing"
    assert decision.state.tasks == []
    assert [(a.action, a.details.get("to")) for a in decision.audit] == [
        ("timer_fired", None), ("deadline_passed", "reviewing")]


def test_proposal_is_recorded_with_the_whole_form_and_a_receipt() -> None:
    run = call_round()
    event = propose("C2")
    decision = run.send(event, local(2026, 3, 12))
    assert [(r.unit_code, r.kind, r.proposals, r.revision, r.late) for r in decision.responses] == [
        ("C2", ResponseKind.PROPOSALS, (FULL_PROPOSAL,), 1, False)]
    assert decision.messages[0].kind == "receipt"
    assert decision.messages[0].extra["response_kind"] == "proposals"


def test_several_proposals_in_one_answer_are_recorded_together_and_counted_in_the_receipt() -> None:
    run = call_round()
    second = {**FULL_PROPOSAL, "task_name": "Năng suất xanh trong chế biến nông sản"}
    event = replace(propose("C2"), proposals=(FULL_PROPOSAL, second))
    decision = run.send(event, local(2026, 3, 12))
    assert [r.proposals for r in decision.responses] == [(FULL_PROPOSAL, second)]
    assert decision.messages[0].extra["comment_count"] == 2
    assert decision.audit[0].details["proposals"] == 2


def test_more_proposals_than_the_form_allows_or_an_incomplete_one_are_refused() -> None:
    run = call_round()
    assert refusal_code(run.state, replace(propose("C2"), proposals=(FULL_PROPOSAL,) * 11),
                        local(2026, 3, 12)) == "too_many_proposals"
    with pytest.raises(Refused) as refused:
        decide(run.state, replace(propose("C2"), proposals=(FULL_PROPOSAL, {**FULL_PROPOSAL, "phone": ""})),
               local(2026, 3, 12), run.wf, calendar(), TZ)
    assert (refused.value.code, refused.value.message) == ("proposal_incomplete", "Phiếu 2 còn thiếu: Điện thoại.")


def test_reviewed_proposals_are_forwarded_to_a_final_state() -> None:
    run = call_round()
    run.send(propose("C2"), local(2026, 3, 12))
    run.fire(run.timer("close"))
    decision = run.send(Command("forward_proposals"), local(2026, 3, 25))
    assert decision.state.status == "forwarded"
    assert decision.state.outcome == {"submitted_at": local(2026, 3, 25).isoformat()}


def test_late_proposal_during_review_needs_staff_to_accept_it() -> None:
    run = call_round()
    run.send(propose("C2"), local(2026, 3, 12))
    run.fire(run.timer("close"))
    assert refusal_code(run.state, propose("C3"), local(2026, 3, 19)) == "round_closed"
    decision = run.send(propose("C3", late_accept=True), local(2026, 3, 19))
    assert [(r.unit_code, r.late) for r in decision.responses] == [("C3", True)]
    assert decision.state.status == "reviewing"


@pytest.mark.parametrize("missing", ["task_name", "phone", "budget_state", "email"])
def test_proposal_missing_a_required_field_is_refused(missing: str) -> None:
    run = call_round()
    assert refusal_code(run.state, propose("C1", **{missing: None}), local(2026, 3, 12)) == "proposal_incomplete"
    assert refusal_code(run.state, propose("C1", **{missing: ""}), local(2026, 3, 12)) == "proposal_incomplete"


def test_incomplete_proposal_refusal_lists_every_missing_field_by_its_form_label() -> None:
    run = call_round()
    with pytest.raises(Refused) as refused:
        decide(run.state, propose("C1", phone=None, email=None), local(2026, 3, 12), run.wf, calendar(), TZ)
    assert refused.value.message == "Phiếu đề xuất còn thiếu: Điện thoại, Email."


def test_proposal_without_the_optional_matching_budget_is_accepted() -> None:
    decision = call_round().send(propose("C1", budget_other=None), local(2026, 3, 12))
    assert "budget_other" not in decision.responses[0].proposals[0]


def test_proposal_with_a_blank_required_field_is_refused() -> None:
    run = call_round()
    assert refusal_code(run.state, propose("C1", phone="   "), local(2026, 3, 12)) == "proposal_incomplete"


def test_comments_are_refused_in_a_proposals_workflow() -> None:
    run = call_round()
    assert refusal_code(run.state, answer_with_comments("C1"), local(2026, 3, 12)) == "wrong_response_kind"


def test_agree_is_refused_where_the_form_does_not_allow_it() -> None:
    run = launched(make_round("report_collection"))  # reports are owed: no answer without the form
    assert refusal_code(run.state, answer_agree("C1"), local(2026, 3, 12)) == "agree_not_allowed"


def test_units_only_informed_cannot_propose() -> None:
    run = call_round()
    assert refusal_code(run.state, propose("I1"), local(2026, 3, 12)) == "unit_not_asked"

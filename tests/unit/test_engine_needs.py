"""What an event reads of its round (workflows/engine/needs.py): an answer needs its own unit, not the round.

The service loads no more than needs_for says, so a declaration that is too narrow would decide on missing data:
these tests hold the declarations of the shipped kinds and the engine's refusal of a partial state it cannot use.
"""
from __future__ import annotations

import dataclasses

import pytest
from engine_helpers import STAFF, TZ, answer_with_comments, calendar, launched, local, workflow

from models.rounds import ResponseKind, UnitCounts
from workflows.engine.context import EngineContext
from workflows.engine.decide import decide, needs_for
from workflows.engine.decision import Decision
from workflows.engine.effects import EFFECTS
from workflows.engine.events import Close, Extend, Remind, Respond
from workflows.engine.guards import GUARDS
from workflows.engine.needs import Needs, needs_of
from workflows.engine.refusals import Refused
from workflows.service.registry import shipped_workflows


def partial(state, *codes: str, others: UnitCounts | None = None):  # type: ignore[no-untyped-def]
    """The state as the service loads it for an event about the units it names."""
    return dataclasses.replace(state, recipients={code: state.recipients[code] for code in codes}, partial=True,
                               others=others)


def test_every_guard_and_effect_says_what_it_reads() -> None:
    undeclared = [name for name, f in {**GUARDS, **EFFECTS}.items() if getattr(f, "needs", None) is None]
    assert undeclared == []


def test_something_that_declares_nothing_is_taken_to_need_the_whole_round() -> None:
    assert needs_of(lambda ctx: None) is Needs.ROUND


def test_an_answer_in_every_shipped_kind_needs_its_own_unit_and_not_the_round() -> None:
    checked = 0
    for name in shipped_workflows():
        wf = workflow(name)
        for status, state_def in wf.states.items():
            if "respond" in state_def.transitions:
                needs = needs_for(status, Respond("C1", ResponseKind.AGREE, STAFF), wf)
                assert Needs.UNIT in needs and Needs.ROUND not in needs, (name, status, needs)
                checked += 1
    assert checked >= 4


def test_entering_a_state_firing_a_timer_or_reminding_everyone_needs_the_whole_round() -> None:
    wf = workflow()
    assert needs_for("circulating", Close(), wf) is Needs.ROUND  # close: to another state
    assert Needs.ROUND in needs_for("circulating", Remind(), wf)
    # An extension for one unit replans the timers from the distinct deadlines, not from every unit
    assert needs_for("circulating", Extend(local(2026, 4, 1).date(), "C1"), wf) == Needs.UNIT | Needs.DEADLINES


def test_an_extension_for_one_unit_decided_on_that_unit_and_the_others_deadlines_plans_what_the_whole_round_does(
        ) -> None:
    run = launched()
    now = local(2026, 3, 10, 9, 0)
    first = decide(run.state, Extend(local(2026, 3, 27).date(), "C2", "đề nghị"), now, run.wf, calendar(), TZ).state
    event = Extend(local(2026, 4, 3).date(), "C1", "đề nghị")
    whole = decide(first, event, now, run.wf, calendar(), TZ)
    others = frozenset(r.deadline_override for code, r in first.recipients.items() if code != "C1" and r.answers)
    part = decide(dataclasses.replace(partial(first, "C1"), other_deadlines=others), event, now, run.wf, calendar(),
                  TZ)
    assert (part.timers, part.messages, part.audit, part.replace_timers) == \
        (whole.timers, whole.messages, whole.audit, whole.replace_timers)
    assert len({t.payload.get("deadline") for t in whole.timers}) >= 3  # the round's, C2's and C1's deadlines
    with pytest.raises(ValueError, match="deadlines"):  # loaded without the others' deadlines: refused
        decide(partial(first, "C1"), event, now, run.wf, calendar(), TZ)


def test_a_partial_state_decides_an_answer_as_the_whole_round_does() -> None:
    run = launched()
    now = local(2026, 3, 10, 14, 30)
    event = answer_with_comments("C2", "Bổ sung chỉ tiêu ISO 9001.")
    whole = decide(run.state, event, now, run.wf, calendar(), TZ)
    part = decide(partial(run.state, "C2"), event, now, run.wf, calendar(), TZ)
    assert (part.responses, part.messages, part.audit, part.timers) == \
        (whole.responses, whole.messages, whole.audit, whole.timers)
    assert part.state.recipients == {"C2": whole.state.recipients["C2"]} and part.state.partial


def test_the_engine_refuses_a_partial_state_for_an_event_that_needs_the_whole_round() -> None:
    run = launched()
    with pytest.raises(ValueError, match="whole round"):
        decide(partial(run.state, "C1"), Remind(), local(2026, 3, 10), run.wf, calendar(), TZ)


def test_guards_on_counts_add_the_units_left_out_of_a_partial_state() -> None:
    run = launched()
    state = partial(run.state, "C1", others=UnitCounts(asked=2, answered=1))
    assert (state.asked_count(), state.answered_count(), state.pending_count()) == (3, 1, 2)
    for answered, holds in ((1, True), (0, False)):
        counted = partial(run.state, "C1", others=UnitCounts(asked=2, answered=answered))
        ctx = EngineContext(counted, Close(), local(2026, 3, 10), run.wf, calendar(), TZ,
                            Decision(counted, "close", counted.status))
        assert (GUARDS["has_responses"](ctx) is None) is holds
    without_counts = partial(run.state, "C1")
    with pytest.raises(RuntimeError, match="counts"):
        without_counts.answered_count()


def test_a_reminder_to_the_units_chosen_needs_those_units_and_one_to_all_the_whole_round() -> None:
    for name in shipped_workflows():
        wf = workflow(name)
        for status, state_def in wf.states.items():
            if "remind" in state_def.transitions:
                assert needs_for(status, Remind(("C1", "C3")), wf) == Needs.UNIT, (name, status)
                assert needs_for(status, Remind(), wf) is Needs.ROUND, (name, status)


def test_a_partial_state_of_the_units_chosen_decides_a_reminder_as_the_whole_round_does() -> None:
    run = launched()
    now = local(2026, 3, 10, 9, 0)
    answered = decide(run.state, answer_with_comments("C2", "Bổ sung chỉ tiêu."), now, run.wf, calendar(), TZ).state
    event = Remind(("C1", "C2", "C3"))  # C2 has answered: skipped, in the audit as in the whole round
    whole = decide(answered, event, now, run.wf, calendar(), TZ)
    part = decide(partial(answered, "C1", "C2", "C3"), event, now, run.wf, calendar(), TZ)
    assert (part.messages, part.audit, part.timers) == (whole.messages, whole.audit, whole.timers)
    assert {m.unit_code for m in part.messages} == {"C1", "C3"}
    assert part.state.recipients == {code: whole.state.recipients[code] for code in ("C1", "C2", "C3")}
    unknown = Remind(("C1", "KHONG-CO"))  # a unit the round does not have is not loaded, and refused as before
    with pytest.raises(Refused, match="KHONG-CO"):
        decide(partial(answered, "C1"), unknown, now, run.wf, calendar(), TZ)

"""A grace period (grace_period: "10 working days", close at "closing") driven through the pure engine.

The round is consultation_grace (fixtures/workflows): deadline Tue 17/03/2026, launched Mon 02/03/2026;
ten working days after 17/03 is Tue 31/03, so the round closes at the end of 31/03. The overdue reminder
comes 1 working day after each unit's own deadline, then every 2 working days, at most 3 times.
"""
from __future__ import annotations

from datetime import date

from engine_helpers import (
    GRACE,
    TEST_DEFINITIONS,
    TZ,
    Run,
    answer_agree,
    answer_with_comments,
    fixture_registry,
    kinds_by_unit,
    launched,
    local,
    make_round,
    refusal_code,
    timers_by_name,
    utc,
)

from workflows.definition import Workflow, load_workflow_text
from workflows.engine.decision import Decision
from workflows.engine.events import Extend, Launch, Remind

ASKED = ["C1", "C2", "C3"]


def grace_run(**overrides: str) -> Run:
    """consultation_grace launched on 02/03/2026 with deadline 17/03/2026 (timer overrides optional)."""
    return launched(make_round(GRACE, overrides=overrides))


def grace_variant(*replacements: tuple[str, str]) -> Workflow:
    """consultation_grace with some of its text replaced (a shorter grace period, another reminder time)."""
    path = TEST_DEFINITIONS / f"{GRACE}.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return load_workflow_text(text, str(path), fixture_registry())


def overdue_keys(decision: Decision) -> list[tuple[str, str]]:
    """The overdue reminders a decision planned, as (key, local date and time)."""
    return [(t.key, t.due_at.astimezone(TZ).strftime("%d/%m %H:%M"))
            for t in decision.timers if t.name == "remind_overdue"]


# --- the close waits for the grace period ----------------------------------------------


def test_close_fires_at_the_end_of_the_grace_period_not_at_the_deadline() -> None:
    run = grace_run()
    close = run.timer("close")
    # The key and payload name the deadline; the moment is the end of Tue 31/03, 10 working days later.
    assert (close.key, close.due_at, close.payload) == (
        "close@2026-03-17#1", utc(2026, 3, 31, 17), {"deadline": "2026-03-17", "occurrence": 1})
    decision = run.fire(close)
    assert decision.state.status == "consolidating"
    assert decision.state.closed_at == local(2026, 4, 1, 0, 0)
    assert [(a.action, a.details) for a in decision.audit] == [
        ("timer_fired", {"timer": "close", "deadline": "2026-03-17", "occurrence": 1, "messages": 0}),
        ("deadline_passed", {"timer": "close", "from": "circulating", "to": "consolidating", "messages": 0})]


def test_grace_period_counts_working_days_across_the_april_holidays() -> None:
    # Wed 29/04: 30/04 and 01/05 are holidays, so ten working days end on Fri 15/05.
    decision = launched(make_round(GRACE, deadline=date(2026, 4, 29)), local(2026, 4, 15)).decisions[0]
    assert [t.due_at for t in timers_by_name(decision)["close"]] == [utc(2026, 5, 15, 17)]


def test_without_a_grace_period_the_round_closes_at_the_deadline() -> None:
    assert launched().timer("close").due_at == utc(2026, 3, 17, 17)


# --- answers during the grace period -----------------------------------------------------


def test_an_answer_within_the_grace_period_is_recorded_and_marked_late() -> None:
    run = grace_run()
    now = local(2026, 3, 25, 10)
    decision = run.send(answer_with_comments("C2", "Đề nghị làm rõ nguồn kinh phí."), now)
    assert decision.state.status == "circulating"
    assert [(r.unit_code, r.late, r.received_at) for r in decision.responses] == [("C2", True, now)]
    assert decision.state.recipients["C2"].response_late is True
    assert kinds_by_unit(decision.messages) == [("receipt", "C2")]
    assert decision.messages[0].extra["late"] is True
    assert decision.audit[0].details["late_accept"] is False  # no staff decision needed while the round is open


def test_an_answer_on_the_last_evening_of_grace_is_taken_and_after_the_close_it_needs_staff() -> None:
    run = grace_run()
    assert run.send(answer_agree("C1"), local(2026, 3, 31, 23, 59)).responses[0].late is True
    run.fire(run.timer("close"))
    assert refusal_code(run.state, answer_agree("C2"), local(2026, 4, 1, 8), run.wf) == "round_closed"
    assert run.send(answer_agree("C2", late_accept=True), local(2026, 4, 1, 8)).responses[0].late is True


def test_an_answer_by_the_deadline_is_on_time() -> None:
    decision = grace_run().send(answer_agree("C3"), local(2026, 3, 17, 23, 59))
    assert decision.responses[0].late is False


# --- overdue reminders during the grace period ---------------------------------------------


def test_overdue_reminder_during_grace_reaches_only_the_units_still_silent() -> None:
    run = grace_run()  # C1..C3 asked to comment, P1 to publish, I1 informed
    run.send(answer_agree("C1"), local(2026, 3, 16))
    first = run.fire(run.timer("remind_overdue"))  # Wed 18/03 08:00
    assert [(m.kind, m.unit_code, m.extra) for m in first.messages] == [
        ("reminder_overdue", "C2", {"days_overdue": 1}), ("reminder_overdue", "C3", {"days_overdue": 1})]
    assert first.audit[0].details["reminded"] == ["C2", "C3"]
    run.send(answer_agree("C2"), local(2026, 3, 19))  # late, within grace
    second = run.fire(run.timer("remind_overdue"))  # Fri 20/03 08:00
    assert [(m.kind, m.unit_code, m.extra) for m in second.messages] == [
        ("reminder_overdue", "C3", {"days_overdue": 3})]
    assert [r.reminders_sent for r in run.state.recipients.values()] == [0, 1, 2, 0, 0]  # C1 C2 C3 P1 I1


def test_staff_reminding_during_grace_send_the_overdue_reminder_to_the_silent_units() -> None:
    run = grace_run()
    run.send(answer_agree("C3"), local(2026, 3, 20))
    decision = run.send(Remind(), local(2026, 3, 24))
    assert [(m.kind, m.unit_code, m.extra) for m in decision.messages] == [
        ("reminder_overdue", "C1", {"days_overdue": 5}), ("reminder_overdue", "C2", {"days_overdue": 5})]


def test_overdue_reminders_all_come_before_the_close() -> None:
    run = grace_run()
    fired: list[str] = []
    while run.pending:
        decision = run.fire_next()
        fired.append(f"{decision.audit[0].details['timer']} {run.decisions[-1].state.status}")
    assert fired == ["remind_before circulating", "remind_overdue circulating", "remind_overdue circulating",
                     "remind_overdue circulating", "close consolidating"]


# --- nothing is planned at or after the close -----------------------------------------------


def test_a_repeat_due_after_the_close_is_not_planned() -> None:
    # Three working days of grace: the close is at the end of Fri 20/03; the third reminder (24/03) never comes.
    wf = grace_variant(('grace_period: "10 working days"', 'grace_period: "3 working days"'))
    run = Run(make_round(GRACE), wf)
    launch = run.send(Launch(), local(2026, 3, 2))
    assert [(t.name, t.due_at) for t in launch.timers] == [
        ("remind_before", utc(2026, 3, 13, 1)), ("remind_overdue", utc(2026, 3, 18, 1)),
        ("close", utc(2026, 3, 20, 17))]
    first = run.fire(run.timer("remind_overdue"))
    assert overdue_keys(first) == [("remind_overdue@2026-03-17#2", "20/03 08:00")]
    second = run.fire(run.timer("remind_overdue"))
    assert kinds_by_unit(second.messages) == [("reminder_overdue", c) for c in ASKED]
    assert second.timers == [] and not second.replace_timers
    assert sorted(t.name for t in run.pending) == ["close", "remind_before"]  # the reminder before (13/03) unfired


def test_a_reminder_due_at_the_very_moment_of_the_close_is_not_planned() -> None:
    # Reminders at 24:00 with three working days of grace: the second falls exactly on the close.
    wf = grace_variant(('grace_period: "10 working days"', 'grace_period: "3 working days"'),
                       ('        time: "08:00"\n        effects: ["remind_overdue"]',
                        '        time: "24:00"\n        effects: ["remind_overdue"]'))
    run = Run(make_round(GRACE), wf)
    run.send(Launch(), local(2026, 3, 2))
    assert run.timer("remind_overdue").due_at == utc(2026, 3, 18, 17)  # end of Wed 18/03
    assert run.timer("close").due_at == utc(2026, 3, 20, 17)
    decision = run.fire(run.timer("remind_overdue"))
    assert decision.messages and decision.timers == []


def test_an_override_that_puts_the_reminder_after_the_close_plans_nothing() -> None:
    too_late = timers_by_name(grace_run(remind_overdue="11 working days after deadline").decisions[0])
    assert set(too_late) == {"remind_before", "close"}
    # On the last day of grace at 08:00 it still comes before the close at 24:00.
    last_day = timers_by_name(grace_run(remind_overdue="10 working days after deadline").decisions[0])
    assert [t.due_at for t in last_day["remind_overdue"]] == [utc(2026, 3, 31, 1)]
    # Closing at the deadline itself, as the shipped consultation does, leaves no room for it.
    at_deadline = timers_by_name(grace_run(close="deadline").decisions[0])
    assert set(at_deadline) == {"remind_before", "close"}


def test_an_extension_replans_the_reminders_against_the_new_close() -> None:
    wf = grace_variant(('grace_period: "10 working days"', 'grace_period: "3 working days"'))
    run = Run(make_round(GRACE), wf)
    run.send(Launch(), local(2026, 3, 2))
    decision = run.send(Extend(date(2026, 3, 24)), local(2026, 3, 19))
    # Deadline Tue 24/03, close at the end of Fri 27/03: reminders Wed 25/03 and Fri 27/03 08:00, not 31/03.
    assert overdue_keys(decision) == [("remind_overdue@2026-03-24#1", "25/03 08:00")]
    assert run.timer("close").due_at == utc(2026, 3, 27, 17)
    assert overdue_keys(run.fire(run.timer("remind_overdue"))) == [("remind_overdue@2026-03-24#2", "27/03 08:00")]
    assert run.fire(run.timer("remind_overdue")).timers == []


# --- a unit extended beyond the others ---------------------------------------------------------


def test_a_unit_extended_beyond_the_others_keeps_the_round_open_with_its_own_reminders() -> None:
    run = grace_run()
    decision = run.send(Extend(date(2026, 4, 3), unit_code="C1"), local(2026, 3, 10))
    timers = timers_by_name(decision)
    # C1 is due Fri 03/04: the round closes 10 working days later, at the end of Fri 17/04.
    assert [(t.key, t.due_at) for t in timers["close"]] == [("close@2026-04-03#1", utc(2026, 4, 17, 17))]
    assert [(t.key, t.due_at) for t in timers["remind_overdue"]] == [
        ("remind_overdue@2026-03-17#1", utc(2026, 3, 18, 1)), ("remind_overdue@2026-04-03#1", utc(2026, 4, 6, 1))]
    assert [(t.key, t.due_at) for t in timers["remind_before"]] == [
        ("remind_before@2026-03-17#1", utc(2026, 3, 13, 1)), ("remind_before@2026-04-03#1", utc(2026, 4, 1, 1))]
    # Past the others' own closing (31/03) the round is still open; their answers are late, C1's is not.
    on_first_of_april = run.send(answer_agree("C2"), local(2026, 4, 1))
    assert (on_first_of_april.state.status, on_first_of_april.responses[0].late) == ("circulating", True)
    # C1's reminders follow its own deadline: 06/04, 08/04, 10/04, to C1 alone (C3 answers too, late).
    run.send(answer_agree("C3"), local(2026, 4, 1))
    reminders: list[tuple[str, list[tuple[str, str]], int]] = []
    chain = [t for t in run.pending if t.key == "remind_overdue@2026-04-03#1"]
    while chain:
        fired = run.fire(chain[0])
        reminders.append((chain[0].due_at.astimezone(TZ).strftime("%d/%m"), kinds_by_unit(fired.messages),
                          fired.messages[0].extra["days_overdue"]))
        chain = [t for t in fired.timers if t.name == "remind_overdue"]
    assert reminders == [("06/04", [("reminder_overdue", "C1")], 1), ("08/04", [("reminder_overdue", "C1")], 3),
                         ("10/04", [("reminder_overdue", "C1")], 5)]
    assert run.state.status == "circulating"
    assert run.fire(run.timer("close")).state.status == "consolidating"


def test_the_others_overdue_reminders_stop_at_three_even_while_the_round_stays_open() -> None:
    run = grace_run()
    run.send(Extend(date(2026, 4, 3), unit_code="C1"), local(2026, 3, 10))
    chain = [t for t in run.pending if t.key == "remind_overdue@2026-03-17#1"]
    dates: list[str] = []
    while chain:
        fired = run.fire(chain[0])
        assert kinds_by_unit(fired.messages) == [("reminder_overdue", "C2"), ("reminder_overdue", "C3")]
        dates.append(chain[0].due_at.astimezone(TZ).strftime("%d/%m"))
        chain = [t for t in fired.timers if t.name == "remind_overdue"]
    assert dates == ["18/03", "20/03", "24/03"]

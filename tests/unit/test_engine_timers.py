"""Timer dates planned by the engine: working days across Vietnamese holidays, and per-round overrides.

Dates checked by hand against the 2026 calendar: Tết is Mon 16 - Fri 20/02/2026; Giỗ Tổ falls on
Sun 26/04/2026 so Mon 27/04 is the day off in lieu; 30/04 (Thu) and 01/05 (Fri) are holidays;
01/01/2027 is a Friday holiday.

The shipped consultation closes at the deadline and has no overdue reminder; the overdue reminders are
checked on consultation_grace (fixtures/workflows), which takes answers for 10 working days after the
deadline and reminds "1 working day after deadline, repeat every 2 working days, at most 3 times".
"""
from __future__ import annotations

from datetime import date

import pytest
from engine_helpers import (
    GRACE,
    TZ,
    Run,
    answer_agree,
    kinds_by_unit,
    launched,
    local,
    make_round,
    timers_by_name,
    utc,
)

from workflows.engine.decision import Decision
from workflows.engine.events import Extend


def due_dates(decision: Decision) -> dict[str, list[tuple[str, str]]]:
    """Each timer's due instants as local date and time, e.g. {"close": [("2026-02-25", "00:00")]}."""
    return {name: [(t.due_at.astimezone(TZ).date().isoformat(), t.due_at.astimezone(TZ).strftime("%H:%M"))
                   for t in timers]
            for name, timers in timers_by_name(decision).items()}


def launch_with(deadline: date, launched_on: date, overrides: dict[str, str] | None = None,
                workflow_name: str = "consultation") -> Run:
    state = make_round(workflow_name, deadline=deadline, overrides=overrides)
    return launched(state, local(launched_on.year, launched_on.month, launched_on.day))


def overdue_chain(run: Run, deadline: str) -> list[str]:
    """Fire the overdue reminders of one deadline group until none is planned; their local dates."""
    pending = [t for t in run.pending if t.key == f"remind_overdue@{deadline}#1"]
    fired: list[str] = []
    while pending:
        decision = run.fire(pending[0])
        fired.append(pending[0].due_at.astimezone(TZ).date().isoformat())
        assert decision.messages, "an overdue reminder went to nobody"
        pending = [t for t in decision.timers if t.name == "remind_overdue"]
    return fired


# --- Tết Nguyên Đán 2026 --------------------------------------------------------------


def test_deadline_after_tet_is_reminded_on_the_last_friday_before_tet() -> None:
    # Tue 24/02: one working day before is Mon 23/02, two is Fri 13/02 (16-20/02 are Tết).
    decision = launch_with(date(2026, 2, 24), date(2026, 2, 2)).decisions[0]
    assert due_dates(decision) == {
        "remind_before": [("2026-02-13", "08:00")],
        "close": [("2026-02-25", "00:00")],
    }
    assert [t.due_at for t in decision.timers] == [utc(2026, 2, 13, 1), utc(2026, 2, 24, 17)]
    # With a grace period: overdue Wed 25/02; closing 10 working days after 24/02 is Tue 10/03.
    grace = launch_with(date(2026, 2, 24), date(2026, 2, 2), workflow_name=GRACE).decisions[0]
    assert due_dates(grace) == {
        "remind_before": [("2026-02-13", "08:00")],
        "remind_overdue": [("2026-02-25", "08:00")],
        "close": [("2026-03-11", "00:00")],
    }
    assert [t.due_at for t in grace.timers] == [utc(2026, 2, 13, 1), utc(2026, 2, 25, 1), utc(2026, 3, 10, 17)]


def test_deadline_on_the_first_day_after_tet_is_reminded_two_days_before_tet() -> None:
    # Mon 23/02: Fri 13/02, then Thu 12/02.
    decision = launch_with(date(2026, 2, 23), date(2026, 2, 2)).decisions[0]
    assert timers_by_name(decision)["remind_before"][0].due_at == utc(2026, 2, 12, 1)


def test_overdue_reminders_skip_tet() -> None:
    run = launch_with(date(2026, 2, 12), date(2026, 2, 2), workflow_name=GRACE)
    run.send(Extend(date(2026, 3, 5), unit_code="C1"), local(2026, 2, 5))
    # Thu 12/02: Fri 13/02, then two working days later Tue 24/02, then Thu 26/02.
    assert overdue_chain(run, "2026-02-12") == ["2026-02-13", "2026-02-24", "2026-02-26"]


def test_close_on_the_eve_of_tet_fires_at_midnight_local() -> None:
    decision = launch_with(date(2026, 2, 13), date(2026, 2, 2)).decisions[0]
    assert timers_by_name(decision)["close"][0].due_at == utc(2026, 2, 13, 17)
    grace = launch_with(date(2026, 2, 13), date(2026, 2, 2), workflow_name=GRACE).decisions[0]
    assert timers_by_name(grace)["remind_overdue"][0].due_at == utc(2026, 2, 23, 1)


# --- Giỗ Tổ Hùng Vương and 30/4 - 1/5/2026 ---------------------------------------------


def test_deadline_before_30_4_skips_the_gio_to_substitute_day_and_the_holidays() -> None:
    # Wed 29/04: back to Tue 28/04, then (Mon 27/04 off in lieu, weekend) Fri 24/04.
    # After: Thu 30/04 and Fri 01/05 are holidays, then the weekend: Mon 04/05.
    decision = launch_with(date(2026, 4, 29), date(2026, 4, 15)).decisions[0]
    assert due_dates(decision) == {
        "remind_before": [("2026-04-24", "08:00")],
        "close": [("2026-04-30", "00:00")],
    }
    # With a grace period: closing is 10 working days after 29/04, from Mon 04/05: Fri 15/05.
    grace = launch_with(date(2026, 4, 29), date(2026, 4, 15), workflow_name=GRACE).decisions[0]
    assert due_dates(grace) == {
        "remind_before": [("2026-04-24", "08:00")],
        "remind_overdue": [("2026-05-04", "08:00")],
        "close": [("2026-05-16", "00:00")],
    }


def test_deadline_on_the_day_after_the_substitute_day() -> None:
    # Tue 28/04: Fri 24/04, Thu 23/04 (27/04 is off in lieu of Giỗ Tổ on Sunday 26/04).
    decision = launch_with(date(2026, 4, 28), date(2026, 4, 15)).decisions[0]
    assert due_dates(decision)["remind_before"] == [("2026-04-23", "08:00")]


def test_overdue_reminder_after_a_friday_deadline_skips_the_substitute_day() -> None:
    decision = launch_with(date(2026, 4, 24), date(2026, 4, 15), workflow_name=GRACE).decisions[0]
    assert due_dates(decision)["remind_overdue"] == [("2026-04-28", "08:00")]


def test_overdue_reminders_skip_30_4_and_1_5() -> None:
    run = launch_with(date(2026, 4, 29), date(2026, 4, 15), workflow_name=GRACE)
    run.send(Extend(date(2026, 5, 15), unit_code="C1"), local(2026, 4, 20))
    assert overdue_chain(run, "2026-04-29") == ["2026-05-04", "2026-05-06", "2026-05-08"]


def test_timers_across_new_year_2027() -> None:
    # Thu 31/12/2026; Fri 01/01/2027 is a holiday, so the overdue reminder is Mon 04/01/2027.
    decision = launch_with(date(2026, 12, 31), date(2026, 12, 14)).decisions[0]
    assert due_dates(decision) == {
        "remind_before": [("2026-12-29", "08:00")],
        "close": [("2027-01-01", "00:00")],
    }
    # With a grace period: closing is 10 working days after 31/12/2026, from Mon 04/01: Fri 15/01/2027.
    grace = launch_with(date(2026, 12, 31), date(2026, 12, 14), workflow_name=GRACE).decisions[0]
    assert due_dates(grace) == {
        "remind_before": [("2026-12-29", "08:00")],
        "remind_overdue": [("2027-01-04", "08:00")],
        "close": [("2027-01-16", "00:00")],
    }


# --- sweeps that run late, and re-planning --------------------------------------------


def test_a_late_sweep_skips_overdue_reminders_whose_time_has_passed() -> None:
    run = launched(make_round(GRACE))
    run.send(Extend(date(2026, 4, 3), unit_code="C1"), local(2026, 3, 10))
    first = next(t for t in run.pending if t.key == "remind_overdue@2026-03-17#1")  # Wed 18/03 08:00
    # The sweep was down until Fri 20/03 09:00, after the second reminder's time (20/03 08:00).
    decision = run.fire(first, late_by_seconds=2 * 86400 + 3600)
    assert kinds_by_unit(decision.messages) == [("reminder_overdue", "C2"), ("reminder_overdue", "C3")]
    assert [(t.key, t.due_at) for t in decision.timers] == [("remind_overdue@2026-03-17#3", utc(2026, 3, 24, 1))]


def test_extension_after_a_reminder_fired_does_not_plan_it_again() -> None:
    run = launched()
    run.fire(run.timer("remind_before"))  # Fri 13/03
    decision = run.send(Extend(date(2026, 3, 19), unit_code="C1"), local(2026, 3, 16))
    # The 17/03 group's reminder before is past; C1's (2 working days before 19/03 = 17/03) is planned.
    assert [(t.key, t.due_at) for t in timers_by_name(decision)["remind_before"]] == [
        ("remind_before@2026-03-19#1", utc(2026, 3, 17, 1))]


def test_a_group_whose_units_all_answered_is_reminded_to_nobody() -> None:
    run = launched()
    for code in ("C1", "C2", "C3"):
        run.send(answer_agree(code), local(2026, 3, 5))
    decision = run.fire(run.timer("remind_before"))
    assert decision.messages == []
    assert decision.audit[0].details["reminded"] == []


# --- per-round overrides --------------------------------------------------------------


SHIPPED_TIMERS = {"consultation": {"remind_before", "close"}, GRACE: {"remind_before", "remind_overdue", "close"}}


@pytest.mark.parametrize(("workflow_name", "name"), [
    ("consultation", "remind_before"), ("consultation", "close"),
    (GRACE, "remind_before"), (GRACE, "remind_overdue"), (GRACE, "close"),
])
def test_timer_override_off_disables_that_timer_only(workflow_name: str, name: str) -> None:
    decision = launch_with(date(2026, 3, 17), date(2026, 3, 2), {name: "off"}, workflow_name).decisions[0]
    planned = timers_by_name(decision)
    assert name not in planned
    assert set(planned) == SHIPPED_TIMERS[workflow_name] - {name}


@pytest.mark.parametrize("workflow_name", ["consultation", GRACE])
def test_disabled_timer_stays_off_after_an_extension(workflow_name: str) -> None:
    run = launch_with(date(2026, 3, 17), date(2026, 3, 2), {"remind_before": "off"}, workflow_name)
    decision = run.send(Extend(date(2026, 3, 24)), local(2026, 3, 10))
    assert set(timers_by_name(decision)) == SHIPPED_TIMERS[workflow_name] - {"remind_before"}


@pytest.mark.parametrize(("workflow_name", "fired"), [
    ("consultation", ["remind_before"]),
    (GRACE, ["remind_before", "remind_overdue", "remind_overdue", "remind_overdue"]),
])
def test_round_with_close_off_stays_open_past_its_deadline(workflow_name: str, fired: list[str]) -> None:
    run = launch_with(date(2026, 3, 17), date(2026, 3, 2), {"close": "off"}, workflow_name)
    while run.pending:
        run.fire_next()
    assert run.state.status == "circulating"
    assert [d.audit[0].details["timer"] for d in run.decisions[1:]] == fired


def test_timer_override_spec_replaces_the_definitions_date_and_keeps_its_time() -> None:
    overrides = {"remind_before": "deadline - 5 working days", "close": "deadline + 1 working day"}
    decision = launch_with(date(2026, 3, 17), date(2026, 3, 2), overrides).decisions[0]
    assert due_dates(decision) == {
        "remind_before": [("2026-03-10", "08:00")],     # 16, 13, 12, 11, 10/03
        "close": [("2026-03-19", "00:00")],             # end of Wed 18/03
    }
    # An override counted from the deadline ignores the grace period; the overdue reminder comes before it.
    grace = launch_with(date(2026, 3, 17), date(2026, 3, 2), overrides, GRACE).decisions[0]
    assert due_dates(grace) == {
        "remind_before": [("2026-03-10", "08:00")],
        "remind_overdue": [("2026-03-18", "08:00")],
        "close": [("2026-03-19", "00:00")],
    }


def test_override_counted_from_launch_reminds_every_silent_unit() -> None:
    run = launch_with(date(2026, 3, 17), date(2026, 3, 2), {"remind_before": "launch + 3 working days"})
    run.send(Extend(date(2026, 3, 24), unit_code="C1"), local(2026, 3, 3))
    reminder = run.timer("remind_before")
    assert (reminder.key, reminder.due_at, reminder.payload) == \
        ("remind_before@2026-03-02#1", utc(2026, 3, 5, 1), {"occurrence": 1})
    decision = run.fire(reminder)
    assert kinds_by_unit(decision.messages) == [("reminder_before", c) for c in ("C1", "C2", "C3")]


def test_override_with_a_repeat_plans_each_next_reminder_when_one_fires() -> None:
    run = launch_with(date(2026, 3, 17), date(2026, 3, 2),
                      {"remind_before": "deadline - 6 working days, repeat every 2 working days, at most 3 times"})
    fired: list[str] = []
    pending = [run.timer("remind_before")]
    while pending:
        run.fire(pending[0])
        fired.append(pending[0].due_at.astimezone(TZ).date().isoformat())
        pending = [t for t in run.decisions[-1].timers if t.name == "remind_before"]
    # 6 working days before Tue 17/03 is Mon 09/03; then Wed 11/03 and Fri 13/03.
    assert fired == ["2026-03-09", "2026-03-11", "2026-03-13"]
    assert run.state.recipients["C1"].reminders_sent == 3


# --- deadlines given as "N working days" from the launch ------------------------------


def test_relative_deadline_counts_working_days_from_the_launch_day() -> None:
    state = make_round(deadline=None)
    state.deadline_working_days = 10
    decision = launched(state, local(2026, 3, 2)).decisions[0]
    # Mon 02/03 not counted: 03, 04, 05, 06, 09, 10, 11, 12, 13, 16/03.
    assert decision.state.deadline == date(2026, 3, 16)
    assert timers_by_name(decision)["close"][0].due_at == utc(2026, 3, 16, 17)


def test_relative_deadline_skips_tet() -> None:
    state = make_round(deadline=date(2026, 2, 13))  # the date typed when drafting is replaced at launch
    state.deadline_working_days = 5
    decision = launched(state, local(2026, 2, 10)).decisions[0]
    # Tue 10/02: 11, 12, 13/02, then Tết, then 23 and 24/02.
    assert decision.state.deadline == date(2026, 2, 24)
    assert due_dates(decision)["remind_before"] == [("2026-02-13", "08:00")]

"""The consultation workflow (consultation.yaml) driven through the pure engine: decide(state, event, now).

The shipped consultation closes at the deadline and has no overdue reminder; the tests of overdue
reminders run on consultation_grace (fixtures/workflows), the same states with a grace period of 10
working days and the reminder "1 working day after deadline, repeat every 2 working days, at most 3 times".
"""
from __future__ import annotations

import copy
import random
from datetime import date, datetime, timedelta

import pytest
from engine_helpers import (
    GRACE,
    LAUNCH_MORNING,
    PLAIN_DEADLINE,
    STAFF,
    TZ,
    Run,
    answer_agree,
    answer_with_comments,
    calendar,
    comments,
    fixture_registry,
    kinds_by_unit,
    launched,
    local,
    make_round,
    propose,
    refusal_code,
    run_events,
    timers_by_name,
    utc,
    workflow,
)

from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from workflows.definition import load_workflow_text
from workflows.engine.decide import decide
from workflows.engine.decision import ResponseRecord, TimerIntent
from workflows.engine.events import (
    Close,
    Command,
    CommentInput,
    Event,
    Extend,
    Launch,
    Remind,
    Respond,
    TimerFired,
)
from workflows.engine.refusals import GuardFailed, Refused

ASKED = ["C1", "C2", "C3"]
EVERYONE = ["C1", "C2", "C3", "P1", "I1"]


def closed_run() -> Run:
    """A launched round whose close timer fired at the end of 17/03/2026 with C1 having answered."""
    run = launched()
    run.send(answer_with_comments("C1"), local(2026, 3, 10))
    run.fire(run.timer("close"))
    return run


# --- the transition table -------------------------------------------------------------

# Every state of consultation.yaml with the status each handled event leads to. Written out by hand
# so that a change to the definition shows up here as a failing test.
TRANSITIONS: dict[str, dict[str, str]] = {
    "draft": {"launch": "circulating"},
    "circulating": {"respond": "circulating", "extend": "circulating", "remind": "circulating",
                    "close": "consolidating", "deadline_passed": "consolidating"},
    "consolidating": {"respond": "consolidating", "extend": "circulating", "consolidate": "consolidated"},
    "consolidated": {"submit": "submitted"},
    "submitted": {"decide_issued": "issued", "decide_returned": "returned"},
    "returned": {"revise": "draft"},
    "issued": {},
}
ALL_EVENTS = sorted({e for handled in TRANSITIONS.values() for e in handled}
                    | {"report_submitted", "forward_proposals"})
MATRIX_NOW = local(2026, 3, 10)


def sample_event(name: str) -> Event:
    """An event of each name that every guard of the definition lets through on 10/03/2026."""
    samples: dict[str, Event] = {
        "launch": Launch(),
        "respond": answer_agree("C1", late_accept=True),
        "extend": Extend(date(2026, 3, 24), reason="Đơn vị đề nghị gia hạn"),
        "remind": Remind(),
        "close": Close("Đã đủ ý kiến"),
    }
    return samples.get(name, Command(name))


def test_transition_table_matches_the_definition() -> None:
    wf = workflow("consultation")
    assert set(wf.states) == set(TRANSITIONS)
    assert {name: set(state.transitions) for name, state in wf.states.items()} == \
        {name: set(handled) for name, handled in TRANSITIONS.items()}
    assert wf.final_states() == {"issued"}


@pytest.mark.parametrize("status", list(TRANSITIONS))
@pytest.mark.parametrize("event_name", ALL_EVENTS)
def test_each_state_handles_exactly_its_own_events(status: str, event_name: str) -> None:
    state = make_round(status=status)
    state.launched_at = LAUNCH_MORNING if status != "draft" else None
    expected = TRANSITIONS[status].get(event_name)
    if expected is None:
        assert refusal_code(state, sample_event(event_name), MATRIX_NOW) == "event_not_allowed"
        return
    decision = decide(state, sample_event(event_name), MATRIX_NOW, workflow(), calendar(), TZ)
    assert decision.state.status == expected
    assert decision.audit[0].action == event_name
    if expected != status:
        assert decision.audit[0].details["from"] == status
        assert decision.audit[0].details["to"] == expected
        assert decision.state.entered_at == MATRIX_NOW
        assert decision.replace_timers


def test_refusal_names_the_event_and_the_state_in_vietnamese() -> None:
    state = make_round(status="consolidated")
    with pytest.raises(Refused) as refused:
        decide(state, Launch(), MATRIX_NOW, workflow(), calendar(), TZ)
    # The event's title comes from the definition (events: in _round.yaml), the state's from its title.
    assert workflow().event_title("launch") == "phát hành"
    # Then what the state offers instead, from its transitions (timers' events left out).
    assert refused.value.message == ("Không thể phát hành khi đợt đang ở trạng thái \"Đã tổng hợp\". "
                                     "Ở trạng thái này có thể: trình UBND tỉnh.")


# --- launch ---------------------------------------------------------------------------


def test_launch_queues_one_invitation_per_recipient_of_every_role() -> None:
    decision = launched().decisions[0]
    assert kinds_by_unit(decision.messages) == [("invitation", code) for code in EVERYONE]
    assert decision.state.status == "circulating"
    assert decision.state.launched_at == LAUNCH_MORNING
    assert decision.state.entered_at == LAUNCH_MORNING
    assert decision.responses == []


def test_launch_plans_reminder_before_and_close_from_the_deadline() -> None:
    decision = launched().decisions[0]
    deadline = {"deadline": "2026-03-17", "occurrence": 1}
    assert decision.replace_timers
    assert decision.timers == [
        # Tuesday 17/03: two working days before is Friday 13/03, 08:00 local = 01:00 UTC.
        TimerIntent("remind_before", "remind_before@2026-03-17#1", utc(2026, 3, 13, 1), "circulating", deadline),
        # "24:00" on 17/03 is 00:00 local on 18/03, i.e. 17:00 UTC on 17/03.
        TimerIntent("close", "close@2026-03-17#1", utc(2026, 3, 17, 17), "circulating", deadline),
    ]
    assert all(t.due_at.utcoffset() == timedelta(0) for t in decision.timers)


def test_launch_with_a_grace_period_plans_the_overdue_reminder_and_closes_after_the_grace() -> None:
    decision = launched(make_round(GRACE)).decisions[0]
    deadline = {"deadline": "2026-03-17", "occurrence": 1}
    assert decision.timers == [
        TimerIntent("remind_before", "remind_before@2026-03-17#1", utc(2026, 3, 13, 1), "circulating", deadline),
        # One working day after: Wednesday 18/03, 08:00 local.
        TimerIntent("remind_overdue", "remind_overdue@2026-03-17#1", utc(2026, 3, 18, 1), "circulating", deadline),
        # Ten working days after 17/03 is Tuesday 31/03; the key and payload keep the deadline itself.
        TimerIntent("close", "close@2026-03-17#1", utc(2026, 3, 31, 17), "circulating", deadline),
    ]


def test_launch_is_audited_with_the_transition_and_the_number_of_messages() -> None:
    decision = launched().decisions[0]
    assert [(a.action, a.details) for a in decision.audit] == [
        ("launch", {"from": "draft", "to": "circulating", "messages": 5})]


def test_launching_twice_is_refused_and_changes_nothing() -> None:
    run = launched()
    assert refusal_code(run.state, Launch(), local(2026, 3, 3)) == "event_not_allowed"


def test_launch_with_a_deadline_already_past_is_refused() -> None:
    state = make_round(deadline=date(2026, 3, 1))
    assert refusal_code(state, Launch(), LAUNCH_MORNING) == "deadline_in_past"


def test_launch_on_the_deadline_day_closes_the_same_night_without_a_reminder_before() -> None:
    decision = launched(make_round(deadline=date(2026, 3, 2))).decisions[0]
    timers = timers_by_name(decision)
    assert "remind_before" not in timers
    assert [t.due_at for t in timers["close"]] == [utc(2026, 3, 2, 17)]


def test_launch_without_a_deadline_is_refused() -> None:
    assert refusal_code(make_round(deadline=None), Launch(), LAUNCH_MORNING) == "deadline_missing"


def test_launch_without_recipients_is_refused() -> None:
    state = make_round(comment=0, publish=0, inform=0)
    assert refusal_code(state, Launch(), LAUNCH_MORNING) == "no_recipients"


def test_decide_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(make_round(), Launch(), datetime(2026, 3, 2, 9), workflow(), calendar(), TZ)


# --- responses ------------------------------------------------------------------------


def test_response_with_comments_is_recorded_with_a_receipt() -> None:
    run = launched()
    now = local(2026, 3, 10, 14, 30)
    event = Respond("C2", ResponseKind.COMMENTS, entered_by=STAFF, channel=ResponseChannel.PAPER,
                    comments=(CommentInput("Bổ sung chỉ tiêu ISO 9001.", "Mục II.2", "…đến năm 2030"),
                              CommentInput("Tách rõ nguồn kinh phí.")), note="Công văn số 12/SCT")
    decision = run.send(event, now)
    assert decision.responses == [ResponseRecord(
        unit_code="C2", revision=1, kind=ResponseKind.COMMENTS, entered_by=STAFF, channel=ResponseChannel.PAPER,
        received_at=now, late=False, comments=event.comments, note="Công văn số 12/SCT")]
    unit = decision.state.recipients["C2"]
    assert (unit.response_kind, unit.responded_at, unit.response_late, unit.response_revision) == \
        (ResponseKind.COMMENTS, now, False, 1)
    assert kinds_by_unit(decision.messages) == [("receipt", "C2")]
    assert decision.messages[0].extra == {
        "response_kind": "comments", "comment_count": 2, "received_at": now.isoformat(), "late": False,
        "comments": [{"section": c.section, "text": c.text, "proposed_wording": c.proposed_wording}
                     for c in event.comments]}
    assert decision.state.status == "circulating"
    assert decision.timers == [] and not decision.replace_timers
    assert [(a.action, a.details) for a in decision.audit] == [("respond", {
        "unit": "C2", "kind": "comments", "comments": 2, "entered_by": STAFF,
        "channel": "paper", "late_accept": False, "note": "Công văn số 12/SCT", "messages": 1})]


def test_agree_response_needs_no_comments() -> None:
    decision = launched().send(answer_agree("C3"), local(2026, 3, 10))
    assert [(r.unit_code, r.kind, r.comments) for r in decision.responses] == [("C3", ResponseKind.AGREE, ())]
    assert decision.state.recipients["C3"].response_kind is ResponseKind.AGREE


@pytest.mark.parametrize("code", ["P1", "I1"])
def test_units_asked_to_publish_or_only_informed_cannot_respond(code: str) -> None:
    run = launched()
    assert refusal_code(run.state, answer_agree(code), local(2026, 3, 10)) == "unit_not_asked"


def test_response_with_comments_but_no_comment_is_refused() -> None:
    run = launched()
    empty = Respond("C1", ResponseKind.COMMENTS, entered_by=STAFF, comments=())
    assert refusal_code(run.state, empty, local(2026, 3, 10)) == "comments_missing"


def test_response_from_a_unit_outside_the_round_is_refused() -> None:
    run = launched()
    assert refusal_code(run.state, answer_agree("SYT"), local(2026, 3, 10)) == "unit_unknown"


def test_proposal_is_refused_in_a_comments_workflow() -> None:
    run = launched()
    assert refusal_code(run.state, propose("C1"), local(2026, 3, 10)) == "wrong_response_kind"


def test_response_before_launch_is_refused() -> None:
    assert refusal_code(make_round(), answer_agree("C1"), LAUNCH_MORNING) == "event_not_allowed"


def test_a_second_answer_from_the_same_unit_is_a_new_revision() -> None:
    run = launched()
    run.send(answer_with_comments("C1", "Ý kiến lần 1."), local(2026, 3, 9))
    decision = run.send(answer_agree("C1"), local(2026, 3, 11))
    assert [(r.revision, r.kind) for r in decision.responses] == [(2, ResponseKind.AGREE)]
    assert decision.state.recipients["C1"].response_revision == 2
    assert decision.state.recipients["C1"].response_kind is ResponseKind.AGREE


def test_answer_on_the_last_evening_of_the_deadline_is_on_time() -> None:
    decision = launched().send(answer_agree("C1"), local(2026, 3, 17, 23, 59))
    assert decision.responses[0].late is False


def test_answer_after_the_units_own_deadline_is_flagged_late() -> None:
    # Thursday 19/03: the round is open because C1 was extended, but C2's deadline was 17/03.
    run = run_events(make_round(), [
        (Launch(), LAUNCH_MORNING),
        (Extend(date(2026, 3, 24), unit_code="C1"), local(2026, 3, 10)),
        (answer_agree("C2"), local(2026, 3, 19)),
        (answer_agree("C1"), local(2026, 3, 19)),
    ])
    late, on_time = run.decisions[-2:]
    assert (late.responses[0].late, late.state.recipients["C2"].response_late) == (True, True)
    assert late.messages[0].extra["late"] is True
    assert (on_time.responses[0].late, on_time.state.recipients["C1"].response_late) == (False, False)


def test_response_after_close_is_refused_as_round_closed() -> None:
    run = closed_run()
    assert run.state.status == "consolidating"
    assert refusal_code(run.state, answer_agree("C2"), local(2026, 3, 18, 10)) == "round_closed"


def test_late_response_after_close_is_recorded_when_staff_accept_it() -> None:
    run = closed_run()
    decision = run.send(answer_agree("C2", late_accept=True), local(2026, 3, 18, 10))
    assert decision.state.status == "consolidating"
    assert [(r.unit_code, r.late) for r in decision.responses] == [("C2", True)]
    assert kinds_by_unit(decision.messages) == [("receipt", "C2")]
    assert decision.audit[0].details["late_accept"] is True


# --- extensions -----------------------------------------------------------------------


def test_extending_the_whole_round_notifies_every_unit_asked_to_comment() -> None:
    run = launched()
    decision = run.send(Extend(date(2026, 3, 24), reason="Đề nghị của các sở"), local(2026, 3, 12))
    assert kinds_by_unit(decision.messages) == [("extension", code) for code in ASKED]
    assert decision.messages[0].extra == {"old_deadline": "2026-03-17", "new_deadline": "2026-03-24",
                                          "reason": "Đề nghị của các sở"}
    assert decision.state.deadline == date(2026, 3, 24)
    assert decision.state.status == "circulating"
    group = {"deadline": "2026-03-24", "occurrence": 1}
    assert decision.replace_timers
    assert decision.timers == [
        TimerIntent("remind_before", "remind_before@2026-03-24#1", utc(2026, 3, 20, 1), "circulating", group),
        TimerIntent("close", "close@2026-03-24#1", utc(2026, 3, 24, 17), "circulating", group),
    ]
    assert decision.audit[0].details == {"unit": None, "new_deadline": "2026-03-24",
                                         "reason": "Đề nghị của các sở", "extended": ASKED, "messages": 3}
    grace = launched(make_round(GRACE)).send(Extend(date(2026, 3, 24)), local(2026, 3, 12))
    assert grace.timers == [
        TimerIntent("remind_before", "remind_before@2026-03-24#1", utc(2026, 3, 20, 1), "circulating", group),
        TimerIntent("remind_overdue", "remind_overdue@2026-03-24#1", utc(2026, 3, 25, 1), "circulating", group),
        TimerIntent("close", "close@2026-03-24#1", utc(2026, 4, 7, 17), "circulating", group),  # 24/03 + 10
    ]


def test_extending_one_unit_notifies_only_that_unit() -> None:
    decision = launched().send(Extend(date(2026, 3, 24), unit_code="C2"), local(2026, 3, 12))
    assert kinds_by_unit(decision.messages) == [("extension", "C2")]
    assert decision.state.deadline == PLAIN_DEADLINE
    assert decision.state.recipients["C2"].deadline_override == date(2026, 3, 24)
    assert [r.deadline_override for code, r in decision.state.recipients.items() if code != "C2"] == [None] * 4
    assert decision.audit[0].details["extended"] == ["C2"]


def test_extending_one_unit_moves_close_to_its_deadline_and_plans_reminders_per_deadline() -> None:
    decision = launched().send(Extend(date(2026, 3, 24), unit_code="C2"), local(2026, 3, 12))
    timers = timers_by_name(decision)
    # 13/03 is still ahead on 12/03, so the other units keep their reminder before 17/03.
    assert [(t.due_at, t.payload["deadline"]) for t in timers["remind_before"]] == [
        (utc(2026, 3, 13, 1), "2026-03-17"), (utc(2026, 3, 20, 1), "2026-03-24")]
    assert "remind_overdue" not in timers
    assert [(t.due_at, t.key) for t in timers["close"]] == [(utc(2026, 3, 24, 17), "close@2026-03-24#1")]
    grace = timers_by_name(launched(make_round(GRACE)).send(Extend(date(2026, 3, 24), unit_code="C2"),
                                                            local(2026, 3, 12)))
    assert [(t.due_at, t.payload["deadline"]) for t in grace["remind_overdue"]] == [
        (utc(2026, 3, 18, 1), "2026-03-17"), (utc(2026, 3, 25, 1), "2026-03-24")]
    assert [(t.due_at, t.key) for t in grace["close"]] == [(utc(2026, 4, 7, 17), "close@2026-03-24#1")]


def test_extending_the_round_leaves_a_unit_already_extended_further_alone() -> None:
    run = launched()
    run.send(Extend(date(2026, 3, 31), unit_code="C1"), local(2026, 3, 10))
    decision = run.send(Extend(date(2026, 3, 24)), local(2026, 3, 12))
    assert kinds_by_unit(decision.messages) == [("extension", "C2"), ("extension", "C3")]
    assert decision.state.recipients["C1"].deadline_override == date(2026, 3, 31)
    assert timers_by_name(decision)["close"][0].due_at == utc(2026, 3, 31, 17)


def test_extending_the_round_past_a_units_own_extension_folds_it_into_the_round() -> None:
    run = launched()
    run.send(Extend(date(2026, 3, 20), unit_code="C1"), local(2026, 3, 10))
    decision = run.send(Extend(date(2026, 3, 24)), local(2026, 3, 12))
    assert kinds_by_unit(decision.messages) == [("extension", code) for code in ASKED]
    assert decision.messages[0].extra["old_deadline"] == "2026-03-20"
    assert decision.state.recipients["C1"].deadline_override is None


@pytest.mark.parametrize(("unit", "new_deadline", "code"), [
    (None, date(2026, 3, 11), "deadline_in_past"),        # before today (12/03)
    (None, date(2026, 3, 12), "deadline_in_past"),        # today itself
    (None, date(2026, 3, 16), "deadline_not_later"),      # earlier than the current 17/03
    (None, date(2026, 3, 17), "deadline_not_later"),      # the current deadline again
    ("C1", date(2026, 3, 17), "deadline_not_later"),
    (None, date(2026, 3, 21), "deadline_not_working_day"),  # a Saturday
    ("C1", date(2026, 4, 30), "deadline_not_working_day"),  # Ngày Chiến thắng
    ("SYT", date(2026, 3, 24), "unit_unknown"),
    ("P1", date(2026, 3, 24), "unit_not_asked"),
])
def test_extension_to_an_unusable_date_is_refused_with_a_precise_code(
        unit: str | None, new_deadline: date, code: str) -> None:
    run = launched()
    assert refusal_code(run.state, Extend(new_deadline, unit_code=unit), local(2026, 3, 12)) == code


def test_one_unit_extension_is_compared_with_that_units_own_deadline() -> None:
    run = launched()
    run.send(Extend(date(2026, 3, 24), unit_code="C1"), local(2026, 3, 10))
    assert refusal_code(run.state, Extend(date(2026, 3, 20), unit_code="C1"), local(2026, 3, 12)) == \
        "deadline_not_later"
    # The round's own deadline is still 17/03, so 20/03 is a valid extension for C2.
    assert kinds_by_unit(run.send(Extend(date(2026, 3, 20), unit_code="C2"), local(2026, 3, 12)).messages) == \
        [("extension", "C2")]


def test_extension_to_a_holiday_names_it_and_the_next_working_day() -> None:
    run = launched()
    with pytest.raises(Refused) as refused:
        decide(run.state, Extend(date(2026, 4, 30)), local(2026, 3, 12), workflow(), calendar(), TZ)
    assert refused.value.message == ("Hạn mới 30/04/2026 không phải ngày làm việc (Ngày Chiến thắng); "
                                     "ngày làm việc tiếp theo là 04/05/2026.")


def test_extension_after_close_reopens_the_round_until_the_new_deadline() -> None:
    run = closed_run()
    decision = run.send(Extend(date(2026, 3, 27), unit_code="C2", reason="Chờ ý kiến Giám đốc Sở"),
                        local(2026, 3, 18, 10))
    assert (decision.previous_status, decision.state.status) == ("consolidating", "circulating")
    assert kinds_by_unit(decision.messages) == [("extension", "C2")]
    assert decision.replace_timers
    assert [(t.name, t.due_at) for t in decision.timers if t.payload["deadline"] == "2026-03-27"] == [
        ("remind_before", utc(2026, 3, 25, 1)), ("close", utc(2026, 3, 27, 17))]
    assert decision.audit[0].details["from"] == "consolidating"
    # C2 may now answer without staff accepting a late answer.
    assert run.send(answer_agree("C2"), local(2026, 3, 20)).responses[0].late is False


# --- reminders on demand --------------------------------------------------------------


def test_remind_now_reminds_only_units_that_have_not_answered() -> None:
    run = launched()
    run.send(answer_agree("C1"), local(2026, 3, 9))
    decision = run.send(Remind(), local(2026, 3, 10))
    assert kinds_by_unit(decision.messages) == [("reminder_before", "C2"), ("reminder_before", "C3")]
    assert [decision.state.recipients[c].reminders_sent for c in ASKED] == [0, 1, 1]
    assert decision.audit[0].details == {"units": None, "reminded": ["C2", "C3"],
                                         "messages": 2}


def test_reminding_chosen_units_lists_those_that_already_answered_as_skipped() -> None:
    run = launched()
    run.send(answer_agree("C1"), local(2026, 3, 9))
    decision = run.send(Remind(("C1", "C3", "P1")), local(2026, 3, 10))
    assert kinds_by_unit(decision.messages) == [("reminder_before", "C3")]
    assert decision.audit[0].details == {"units": ["C1", "C3", "P1"], "reminded": ["C3"],
                                         "skipped": ["C1", "P1"], "messages": 1}


def test_remind_when_every_unit_has_answered_is_refused() -> None:
    run = launched()
    for code in ASKED:
        run.send(answer_agree(code), local(2026, 3, 9))
    assert refusal_code(run.state, Remind(), local(2026, 3, 10)) == "nothing_pending"
    assert refusal_code(run.state, Remind(("C1",)), local(2026, 3, 10)) == "nothing_pending"


def test_remind_a_unit_outside_the_round_is_refused() -> None:
    run = launched()
    assert refusal_code(run.state, Remind(("C2", "SYT")), local(2026, 3, 10)) == "unit_unknown"


def test_remind_after_a_units_deadline_sends_the_overdue_reminder_with_working_days_late() -> None:
    run = launched()
    run.send(Extend(date(2026, 3, 31), unit_code="C1"), local(2026, 3, 10))
    decision = run.send(Remind(), local(2026, 3, 20))
    assert [(m.kind, m.unit_code, m.extra) for m in decision.messages] == [
        ("reminder_before", "C1", {}),
        ("reminder_overdue", "C2", {"days_overdue": 3}),   # 18, 19, 20/03
        ("reminder_overdue", "C3", {"days_overdue": 3}),
    ]


# --- timers ---------------------------------------------------------------------------


def test_reminder_skips_units_that_already_answered() -> None:
    run = launched()
    run.send(answer_with_comments("C2"), local(2026, 3, 10))
    decision = run.fire(run.timer("remind_before"))
    assert kinds_by_unit(decision.messages) == [("reminder_before", "C1"), ("reminder_before", "C3")]
    assert decision.state.status == "circulating"
    assert decision.timers == [] and not decision.replace_timers
    assert [(a.action, a.details) for a in decision.audit] == [("timer_fired", {
        "timer": "remind_before", "deadline": "2026-03-17", "occurrence": 1, "reminded": ["C1", "C3"],
        "messages": 2})]


def test_a_reminder_before_the_deadline_that_fires_after_it_sends_no_letter() -> None:
    run = launched()
    late = run.timer("remind_before")
    decision = run.fire(late, late_by_seconds=6 * 24 * 3600)  # due Friday 13/03, run on Thursday 19/03 (down)
    assert decision.messages == []
    assert [a.details.get("reminded") for a in decision.audit if a.action == "timer_fired"] == [[]]


def test_reminder_timer_reminds_only_units_whose_deadline_it_was_set_for() -> None:
    run = launched()
    run.send(Extend(date(2026, 3, 24), unit_code="C1"), local(2026, 3, 10))
    before_17 = next(t for t in run.pending if t.key == "remind_before@2026-03-17#1")
    before_24 = next(t for t in run.pending if t.key == "remind_before@2026-03-24#1")
    assert kinds_by_unit(run.fire(before_17).messages) == [("reminder_before", "C2"), ("reminder_before", "C3")]
    assert kinds_by_unit(run.fire(before_24).messages) == [("reminder_before", "C1")]


def test_overdue_reminder_repeats_every_two_working_days_at_most_three_times() -> None:
    run = launched(make_round(GRACE))
    run.send(Extend(date(2026, 4, 3), unit_code="C1"), local(2026, 3, 10))
    run.send(answer_agree("C2"), local(2026, 3, 12))
    chain = [next(t for t in run.pending if t.key == "remind_overdue@2026-03-17#1")]
    fired = []
    while chain:
        decision = run.fire(chain[0])
        fired.append((decision.messages, decision.audit[0].details["occurrence"]))
        chain = [t for t in decision.timers if t.name == "remind_overdue"]
        assert not decision.replace_timers
    assert [(kinds_by_unit(m), n) for m, n in fired] == [
        ([("reminder_overdue", "C3")], 1),
        ([("reminder_overdue", "C3")], 2),
        ([("reminder_overdue", "C3")], 3),
    ]
    assert [m[0].extra["days_overdue"] for m, _ in fired] == [1, 3, 5]
    # The days are checked in test_overdue_reminders_are_planned_on_the_expected_days.
    assert run.state.recipients["C3"].reminders_sent == 3
    assert [t.key for t in run.pending if t.name == "remind_overdue"] == ["remind_overdue@2026-04-03#1"]


def test_overdue_reminders_are_planned_on_the_expected_days() -> None:
    run = launched(make_round(GRACE))
    run.send(Extend(date(2026, 4, 3), unit_code="C1"), local(2026, 3, 10))
    first = next(t for t in run.pending if t.key == "remind_overdue@2026-03-17#1")
    second = run.fire(first).timers
    assert [(t.key, t.due_at, t.payload) for t in second] == [
        ("remind_overdue@2026-03-17#2", utc(2026, 3, 20, 1), {"deadline": "2026-03-17", "occurrence": 2})]
    third = run.fire(second[0]).timers
    assert [(t.key, t.due_at) for t in third] == [("remind_overdue@2026-03-17#3", utc(2026, 3, 24, 1))]
    assert run.fire(third[0]).timers == []


def test_overdue_reminders_of_one_deadline_group_leave_other_groups_alone() -> None:
    run = launched(make_round(GRACE))
    run.send(Extend(date(2026, 3, 19), unit_code="C1"), local(2026, 3, 10))
    run.send(Extend(date(2026, 4, 3), unit_code="C2"), local(2026, 3, 10))
    # Groups: C3 due 17/03, C1 due 19/03, C2 due 03/04 (keeps the round open).
    first_of_19 = next(t for t in run.pending if t.key == "remind_overdue@2026-03-19#1")  # Fri 20/03
    second_of_17 = run.fire(next(t for t in run.pending if t.key == "remind_overdue@2026-03-17#1")).timers[0]
    assert second_of_17.due_at == first_of_19.due_at  # both on Friday 20/03 at 08:00
    assert kinds_by_unit(run.fire(second_of_17).messages) == [("reminder_overdue", "C3")]
    assert kinds_by_unit(run.fire(first_of_19).messages) == [("reminder_overdue", "C1")]


def test_close_timer_moves_the_round_to_consolidation() -> None:
    run = launched()
    run.send(answer_agree("C1"), local(2026, 3, 10))
    decision = run.fire(run.timer("close"))
    assert decision.state.status == "consolidating"
    assert decision.state.closed_at == local(2026, 3, 18, 0, 0)
    assert decision.state.entered_at == local(2026, 3, 18, 0, 0)
    assert decision.replace_timers and decision.timers == []
    assert decision.messages == []
    # In causal order: the timer fired, then the event it raised moved the round.
    assert [(a.action, a.details) for a in decision.audit] == [
        ("timer_fired", {"timer": "close", "deadline": "2026-03-17", "occurrence": 1, "messages": 0}),
        ("deadline_passed", {"timer": "close", "from": "circulating", "to": "consolidating", "messages": 0})]
    assert run.pending == []


def test_round_closes_at_the_deadline_even_when_nobody_answered() -> None:
    run = launched()
    decision = run.fire(run.timer("close"))
    assert decision.state.status == "consolidating"
    assert [r.has_answered for r in decision.state.answering()] == [False, False, False]


def test_staff_can_close_before_the_deadline() -> None:
    run = launched()
    decision = run.send(Close("Đã đủ ý kiến"), local(2026, 3, 12))
    assert decision.state.status == "consolidating"
    assert decision.state.closed_at == local(2026, 3, 12)
    assert decision.replace_timers and decision.timers == []
    assert {k: v for k, v in decision.audit[0].details.items() if k != "reason"} == {
        "from": "circulating", "to": "consolidating", "messages": 0}


def test_reason_for_closing_early_is_kept_in_the_audit() -> None:
    decision = launched().send(Close("Đã đủ ý kiến"), local(2026, 3, 12))
    assert decision.audit[0].details.get("reason") == "Đã đủ ý kiến"


def test_timer_of_another_state_is_ignored() -> None:
    run = closed_run()
    before = copy.deepcopy(run.state)
    decision = decide(run.state, TimerFired("remind_before", {"deadline": "2026-03-17", "occurrence": 1}),
                      local(2026, 3, 18, 8), workflow(), calendar(), TZ)
    assert decision.ignored
    assert decision.state == before
    assert (decision.messages, decision.timers, decision.replace_timers) == ([], [], False)
    assert run.state == before


def test_ignored_timer_leaves_a_trace_in_the_audit() -> None:
    run = closed_run()
    decision = decide(run.state, TimerFired("remind_before", {"deadline": "2026-03-17", "occurrence": 1}),
                      local(2026, 3, 18, 8), workflow(), calendar(), TZ)
    assert decision.ignored
    assert len(decision.audit) >= 1


# --- consolidation to decision --------------------------------------------------------


def test_round_goes_from_consolidation_to_issued() -> None:
    run = closed_run()
    steps = [
        (Command("consolidate", {"note": "Tiếp thu 5/7 ý kiến"}), local(2026, 3, 20), "consolidated"),
        (Command("submit", {"number": "45/TTr-SKHCN"}), local(2026, 3, 23), "submitted"),
        (Command("decide_issued", {"number": "812/QĐ-UBND"}), local(2026, 4, 2), "issued"),
    ]
    for event, now, status in steps:
        previous = run.state.status
        decision = run.send(event, now)
        assert decision.state.status == status
        assert decision.audit[0].details["from"] == previous and decision.audit[0].details["to"] == status
        assert decision.timers == [] and decision.messages == []
    assert run.state.outcome == {
        "consolidated_at": local(2026, 3, 20).isoformat(), "consolidated_note": "Tiếp thu 5/7 ý kiến",
        "submitted_at": local(2026, 3, 23).isoformat(), "submitted_number": "45/TTr-SKHCN",
        "decided_at": local(2026, 4, 2).isoformat(), "decided_number": "812/QĐ-UBND",
        "decision": "decide_issued",
    }
    assert "issued" in workflow().final_states()
    for event in (Command("revise"), answer_agree("C2", late_accept=True), Launch()):
        assert refusal_code(run.state, event, local(2026, 4, 3)) == "event_not_allowed"


def test_returned_round_is_revised_into_a_new_draft_version_with_answers_reset() -> None:
    run = closed_run()
    for name in ("consolidate", "submit", "decide_returned"):
        run.send(Command(name), local(2026, 3, 20))
    assert run.state.status == "returned"
    assert run.state.outcome["decision"] == "decide_returned"
    decision = run.send(Command("revise", {"deadline": "2026-04-24"}), local(2026, 4, 6))
    state = decision.state
    assert (state.status, state.draft_version, state.deadline) == ("draft", 2, date(2026, 4, 24))
    assert (state.launched_at, state.closed_at) == (None, None)
    assert [(r.response_kind, r.responded_at, r.response_late, r.reminders_sent, r.deadline_override)
            for r in state.recipients.values()] == [(None, None, False, 0, None)] * 5
    assert decision.replace_timers and decision.timers == []
    assert decision.audit[0].details == {"deadline": "2026-04-24", "from": "returned",
                                         "to": "draft", "messages": 0}
    # The new version circulates again from scratch.
    relaunch = run.send(Launch(), local(2026, 4, 7))
    assert kinds_by_unit(relaunch.messages) == [("invitation", code) for code in EVERYONE]
    assert timers_by_name(relaunch)["close"][0].due_at == utc(2026, 4, 24, 17)


def test_revision_without_a_new_deadline_keeps_the_old_one() -> None:
    state = make_round(status="returned")
    decision = decide(state, Command("revise"), local(2026, 4, 6), workflow(), calendar(), TZ)
    assert (decision.state.draft_version, decision.state.deadline) == (2, PLAIN_DEADLINE)


# --- the audit trail ------------------------------------------------------------------


WHOLE_ROUND_TIMERS = {
    "consultation": [
        "remind_before",   # 13/03, for the units due 17/03
        "remind_before",   # 18/03, for C2 due 20/03
        "close",           # end of 20/03: no overdue reminder, the round closes at the deadline
    ],
    GRACE: [
        "remind_before",   # 13/03, for the units due 17/03
        "remind_before",   # 18/03, for C2 due 20/03
        "remind_overdue",  # 18/03, for C3 past 17/03
        "remind_overdue",  # 20/03, second time
        "remind_overdue",  # 23/03, for C2 past 20/03
        "remind_overdue",  # 24/03, third and last time for C3
        "remind_overdue",  # 25/03, second time for C2
        "remind_overdue",  # 27/03, third and last time for C2
        "close",           # end of 03/04, 10 working days after 20/03
    ],
}


@pytest.mark.parametrize("workflow_name", list(WHOLE_ROUND_TIMERS))
def test_every_decision_of_a_whole_round_is_audited(workflow_name: str) -> None:
    run = launched(make_round(workflow_name))
    run.send(answer_with_comments("C1"), local(2026, 3, 5))
    run.send(Remind(), local(2026, 3, 6))
    run.send(Extend(date(2026, 3, 20), unit_code="C2"), local(2026, 3, 9))
    while run.pending:
        run.fire_next()
    for name in ("consolidate", "submit", "decide_issued"):
        run.send(Command(name), local(2026, 4, 6))
    actions = [[(a.action, a.details.get("timer")) for a in d.audit] for d in run.decisions]
    fired = [[("timer_fired", name)] for name in WHOLE_ROUND_TIMERS[workflow_name]]
    fired[-1].append(("deadline_passed", "close"))
    assert actions == [
        [("launch", None)], [("respond", None)], [("remind", None)], [("extend", None)],
        *fired,
        [("consolidate", None)], [("submit", None)], [("decide_issued", None)]]
    assert run.state.status == "issued"


# --- guards no shipped workflow uses yet ----------------------------------------------

GUARDED_YAML = """\
name: "guarded"
title: "Thử các điều kiện"
initial: "draft"
recipient_roles: ["comment", "inform"]
response: { kind: "comments", allow_agree: true }
templates: { invitation: "guarded/invitation", reminder_before: "guarded/reminder_before" }
extends: "_minimal"
states:
  draft:
    title: "Dự thảo"
    transitions:
      launch: { to: "open", effects: ["send_invitations"] }
  open:
    title: "Đang mở"
    transitions:
      respond: { guard: "before_deadline", effects: ["record_response"] }
      remind: { guard: "has_pending_units", effects: ["remind_selected"] }
      close:
        - { guard: "all_answered", to: "complete" }
        - { guard: "no_responses", to: "empty" }
  complete: { title: "Đủ ý kiến", final: true }
  empty: { title: "Không ai trả lời", final: true }
"""


def guarded_run() -> Run:
    wf = load_workflow_text(GUARDED_YAML, "guarded.yaml", fixture_registry())
    run = Run(make_round("guarded", comment=2, publish=0, inform=1), wf)
    run.send(Launch(), LAUNCH_MORNING)
    return run


def test_before_deadline_guard_uses_the_units_own_deadline() -> None:
    run = guarded_run()
    assert refusal_code(run.state, answer_agree("C1"), local(2026, 3, 18), run.wf) == "deadline_passed"
    run.state.recipients["C1"].deadline_override = date(2026, 3, 20)
    assert run.send(answer_agree("C1"), local(2026, 3, 18)).responses[0].unit_code == "C1"
    assert refusal_code(run.state, answer_agree("C2"), local(2026, 3, 18), run.wf) == "deadline_passed"


def test_has_pending_units_guard_refuses_a_reminder_when_all_answered() -> None:
    run = guarded_run()
    run.send(answer_agree("C1"), local(2026, 3, 5))
    assert kinds_by_unit(run.send(Remind(), local(2026, 3, 6)).messages) == [("reminder_before", "C2")]
    run.send(answer_agree("C2"), local(2026, 3, 6))
    with pytest.raises(GuardFailed) as refused:
        decide(run.state, Remind(), local(2026, 3, 9), run.wf, calendar(), TZ)
    assert (refused.value.code, refused.value.message) == ("nothing_pending", "Tất cả cơ quan, đơn vị đã trả lời.")


def test_alternatives_take_the_first_guard_that_holds_and_report_the_last_failure() -> None:
    nobody = guarded_run()
    assert nobody.send(Close(), local(2026, 3, 9)).state.status == "empty"
    some = guarded_run()
    some.send(answer_agree("C1"), local(2026, 3, 5))
    # all_answered fails (C2 is silent), then no_responses fails (C1 answered): the last refusal wins.
    assert refusal_code(some.state, Close(), local(2026, 3, 9), some.wf) == "has_responses"
    some.send(answer_agree("C2"), local(2026, 3, 6))
    assert some.send(Close(), local(2026, 3, 9)).state.status == "complete"


# --- property: invariants over random event sequences ---------------------------------


EVENT_WEIGHTS = {"respond": 6, "close": 1}  # answers are common; closing by hand is rare


def random_event(rng: random.Random, run: Run, now: datetime) -> Event:
    """Mostly an event the current state handles, sometimes any event; arguments drawn at random."""
    handled = [e for e in run.wf.state(run.state.status).transitions if e != "deadline_passed"]
    every = ["launch", "respond", "extend", "remind", "close", "consolidate", "submit", "decide_issued",
             "decide_returned", "revise", "report_submitted", "forward_proposals"]
    pool = handled if handled and rng.random() < 0.8 else every
    name = rng.choices(pool, weights=[EVENT_WEIGHTS.get(e, 2) for e in pool])[0]
    codes = [*list(run.state.recipients), "SYT"]
    today = now.astimezone(TZ).date()
    if name == "respond":
        code = rng.choice(codes)
        if run.wf.response.kind == "proposals":
            drop = rng.choice([None, None, "phone", "budget_other"])
            return propose(code, late_accept=rng.random() < 0.5, **({drop: None} if drop else {}))
        if rng.random() < 0.5:
            return answer_agree(code, late_accept=rng.random() < 0.5)
        return Respond(code, ResponseKind.COMMENTS, entered_by=STAFF, late_accept=rng.random() < 0.5,
                       comments=comments(*["Ý kiến."] * rng.randrange(3)))
    if name == "extend":
        unit = rng.choice([None, None, *codes])
        return Extend(today + timedelta(days=rng.randrange(-2, 20)), unit_code=unit)
    if name == "remind":
        return Remind(None if rng.random() < 0.5 else tuple(rng.sample(codes, rng.randrange(1, 3))))
    if name == "launch":
        return Launch()
    if name == "close":
        return Close()
    if name == "revise":
        return Command(name, {"deadline": (today + timedelta(days=rng.randrange(1, 20))).isoformat()})
    return Command(name)


def check_invariants(run: Run, event_name: str, before_status: str) -> None:
    decision = run.decisions[-1]
    state = decision.state
    wf = run.wf
    assert state.status in wf.states
    assert sum(r.has_answered for r in state.recipients.values()) <= len(state.answering())
    assert all(not r.has_answered for r in state.recipients.values() if r.role is not RecipientRole.COMMENT)
    own_timers = {t.name for t in wf.state(state.status).timers}
    assert all(t.state == state.status and t.name in own_timers for t in decision.timers)
    assert all(t.state == state.status and t.name in own_timers for t in run.pending)
    assert all(t.due_at.utcoffset() == timedelta(0) for t in decision.timers)
    assert all(m.unit_code in state.recipients for m in decision.messages)
    assert len(decision.audit) >= 1
    if state.status != before_status:
        assert decision.replace_timers
    if state.status in wf.final_states():
        assert run.pending == []
    # A reminder is never planned at or after the moment the state's closing timer fires.
    closes = [t.due_at for t in run.pending if wf.state(t.state).timer(t.name).event]
    if closes:
        assert all(t.due_at < min(closes) for t in run.pending if not wf.state(t.state).timer(t.name).event)


def random_walk(rng: random.Random, workflow_name: str) -> int:
    state = make_round(workflow_name, deadline=PLAIN_DEADLINE + timedelta(days=rng.randrange(0, 10)),
                       comment=rng.randrange(1, 4), publish=rng.randrange(2), inform=rng.randrange(2))
    run = Run.of(state)
    now = LAUNCH_MORNING
    decisions = 0
    for _ in range(rng.randrange(2, 9)):
        now += timedelta(hours=rng.randrange(1, 120))
        while run.pending and (due := run.due()[0]).due_at <= now:
            before = run.state.status
            decision = run.fire(due, late_by_seconds=rng.choice([0, 0, 90]))
            check_invariants(run, decision.event, before)
            decisions += 1
        event = random_event(rng, run, now)
        before_state = copy.deepcopy(run.state)
        try:
            run.send(event, now)
        except Refused as refused:
            assert run.state == before_state
            assert refused.code and refused.message
            continue
        check_invariants(run, event.name, before_state.status)
        decisions += 1
    return decisions


@pytest.mark.parametrize("workflow_name", ["consultation", "proposal_call", GRACE])
def test_invariants_hold_over_random_event_sequences(workflow_name: str) -> None:
    seeds = {"consultation": 20260217, "proposal_call": 20260430, GRACE: 20260501}
    rng = random.Random(seeds[workflow_name])
    decisions = sum(random_walk(rng, workflow_name) for _ in range(1000))
    assert decisions > 2000  # the walks must actually move rounds, not only collect refusals

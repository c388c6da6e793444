"""A whole consultation round through the service layer and the sweep, on SQLite and PostgreSQL,
with a real SMTP server on loopback: the exact emails each unit receives at each step."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from config.clock import FrozenClock
from models.db.tables import OutboxRow, ResponseRow
from models.rounds import ResponseChannel, ResponseKind
from models.unit_status import AnswerStatus, EmailStatus
from notifications.testing import SmtpCapture
from workflows.engine.events import Command, CommentInput, Extend, Launch, Respond
from workflows.engine.refusals import Refused
from workflows.service.app import App
from workflows.service.rounds import execute
from workflows.service.sweep import run_due
from workflows.service.views import audit_trail, latest_responses, round_view

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEPARTMENTS = ("SCT", "STC", "SYT", "STP", "SXD", "SNV", "SGDDT")
COMMUNES = ("X-HOAAN", "X-BAOLAC", "P-TANGIANG")
COMMENTING = DEPARTMENTS + COMMUNES
EVERY_UNIT = (*COMMENTING, "TTTT-VP", "LMHTX")


def at(clock: FrozenClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).replace(tzinfo=TZ))


def each(kind: str, units: tuple[str, ...] | list[str]) -> Counter[tuple[str, str]]:
    """One message of `kind` to each of `units`."""
    return Counter({(unit, kind): 1 for unit in units})


def without(units: tuple[str, ...], *gone: str) -> tuple[str, ...]:
    return tuple(u for u in units if u not in gone)


def respond(app: App, round_id: int, unit: str, kind: ResponseKind, *comments: CommentInput,
            late_accept: bool = False, staff: str = "Văn thư Sở") -> None:
    """Staff enter a unit's answer received on paper."""
    execute(app, round_id, Respond(unit, kind, entered_by=staff, channel=ResponseChannel.PAPER,
                                   comments=comments, late_accept=late_accept), staff)


def test_a_round_sends_exactly_the_expected_emails_at_each_step(
        app: App, clock: FrozenClock, mail, make_round: Callable[..., int], staff: str) -> None:  # type: ignore[no-untyped-def]
    round_id = make_round(deadline=date(2025, 12, 5))

    # Thursday 20/11: the letter goes to all 12 units, those asked to publish or only informed too.
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    report = run_due(app)
    assert report.delivery.sent == 12
    assert mail.take_kinds() == each("invitation", EVERY_UNIT)

    # A response is acknowledged to the responding unit only.
    at(clock, "2025-11-26T10:15")
    respond(app, round_id, "SCT", ResponseKind.COMMENTS,
            CommentInput("Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001.", "Mục II.2",
                         "Phấn đấu có ít nhất 50 doanh nghiệp áp dụng ISO 9001."),
            CommentInput("Tách rõ nguồn ngân sách tỉnh và nguồn xã hội hóa.", "Mục IV"))
    run_due(app)
    assert mail.take_kinds() == each("receipt", ["SCT"])

    at(clock, "2025-12-02T15:40")
    respond(app, round_id, "STP", ResponseKind.AGREE)
    run_due(app)
    assert mail.take_kinds() == each("receipt", ["STP"])

    # Nothing is due the day before the reminder.
    at(clock, "2025-12-02T23:59")
    assert run_due(app).timers_fired == 0
    assert mail.take_kinds() == Counter()

    # Wednesday 03/12, 2 working days before Friday 05/12: only units still silent are reminded.
    at(clock, "2025-12-03T08:00")
    run_due(app)
    assert mail.take_kinds() == each("reminder_before", without(COMMENTING, "SCT", "STP"))

    # SYT is given until 12/12: the extension notice goes to SYT alone.
    at(clock, "2025-12-04T11:00")
    execute(app, round_id, Extend(date(2025, 12, 12), "SYT", "Sở Y tế cần lấy ý kiến đơn vị trực thuộc"), staff)
    run_due(app)
    assert mail.take_kinds() == each("extension", ["SYT"])

    at(clock, "2025-12-05T16:30")
    respond(app, round_id, "SXD", ResponseKind.AGREE)
    run_due(app)
    assert mail.take_kinds() == each("receipt", ["SXD"])

    # The general deadline passes, but the round stays open for SYT: nothing happens at midnight.
    at(clock, "2025-12-06T00:00")
    assert run_due(app).timers_fired == 0
    assert mail.take_kinds() == Counter()
    assert round_view(app, round_id).state.status == "circulating"

    # Monday 08/12, 1 working day after 05/12: the consultation has no grace period, so no reminder after
    # the deadline is planned at all; only SYT's own reminder (before its 12/12) and the close are ahead.
    at(clock, "2025-12-08T08:00")
    assert run_due(app).timers_fired == 0
    assert mail.take_kinds() == Counter()
    assert sorted({name for name, _ in round_view(app, round_id).pending_timers}) == ["close", "remind_before"]

    # A late answer while the round is still open is recorded as late, and acknowledged.
    at(clock, "2025-12-09T10:00")
    respond(app, round_id, "SNV", ResponseKind.COMMENTS, CommentInput("Đề nghị rà soát lại chức năng của Sở Nội vụ."))
    run_due(app)
    assert mail.take_kinds() == each("receipt", ["SNV"])

    # Wednesday 10/12: SYT is reminded against its own deadline.
    at(clock, "2025-12-10T08:00")
    run_due(app)
    assert mail.take_kinds() == each("reminder_before", ["SYT"])

    at(clock, "2025-12-12T08:00")
    assert run_due(app).timers_fired == 0
    assert mail.take_kinds() == Counter()

    # The round closes at the end of the latest deadline (SYT's 12/12), silently.
    at(clock, "2025-12-13T00:00")
    assert run_due(app).timers_fired == 1
    assert mail.take_kinds() == Counter()
    assert round_view(app, round_id).state.status == "consolidating"

    # Nothing is left to fire after the close.
    assert round_view(app, round_id).pending_timers == []
    at(clock, "2025-12-15T08:00")
    assert run_due(app).timers_fired == 0
    assert mail.take_kinds() == Counter()

    # After the close a late answer is refused unless staff accept it as late.
    at(clock, "2025-12-15T09:00")
    with pytest.raises(Refused) as refused:
        respond(app, round_id, "SGDDT", ResponseKind.AGREE)
    assert refused.value.code == "round_closed"
    run_due(app)
    assert mail.take_kinds() == Counter()
    respond(app, round_id, "SGDDT", ResponseKind.AGREE, late_accept=True)
    run_due(app)
    assert mail.take_kinds() == each("receipt", ["SGDDT"])

    # invitations, 4 receipts, 8 reminders before the deadline, the extension, SYT's reminder, the late receipt
    assert len(mail.message_ids) == len(set(mail.message_ids)) == 12 + 4 + 8 + 1 + 1 + 1
    view = round_view(app, round_id)
    by_unit = {u.unit_code: u for u in view.units}
    assert {code: u.answer for code, u in by_unit.items()} == {
        "SCT": AnswerStatus.COMMENTS, "STP": AnswerStatus.AGREE, "SXD": AnswerStatus.AGREE,
        "SNV": AnswerStatus.COMMENTS, "SGDDT": AnswerStatus.AGREE, "SYT": AnswerStatus.SILENT,
        "STC": AnswerStatus.SILENT, "X-HOAAN": AnswerStatus.SILENT, "X-BAOLAC": AnswerStatus.SILENT,
        "P-TANGIANG": AnswerStatus.SILENT, "TTTT-VP": AnswerStatus.NOT_ASKED, "LMHTX": AnswerStatus.NOT_ASKED}
    assert {code for code, u in by_unit.items() if u.late} == {"SNV", "SGDDT"}
    assert {code for code, u in by_unit.items() if u.extended} == {"SYT"}
    assert by_unit["SYT"].deadline == date(2025, 12, 12)
    assert {code for code, u in by_unit.items() if u.counted_as_agreement} == {
        "SYT", "STC", "X-HOAAN", "X-BAOLAC", "P-TANGIANG"}
    assert all(u.email is EmailStatus.SENT for u in view.units)
    comments = [(c.unit_code, c.section, c.text) for c in latest_responses(app, round_id) if c.text]
    assert comments == [
        ("SCT", "Mục II.2", "Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001."),
        ("SCT", "Mục IV", "Tách rõ nguồn ngân sách tỉnh và nguồn xã hội hóa."),
        ("SNV", None, "Đề nghị rà soát lại chức năng của Sở Nội vụ.")]
    with app.uow() as uow:
        late = dict(uow.session.execute(select(ResponseRow.recipient_id, ResponseRow.late)
                                        .where(ResponseRow.round_id == round_id)).all())
    assert sorted(late.values()) == [False, False, False, True, True]
    events, broken = audit_trail(app, round_id)
    assert broken is None
    assert [e.action for e in events].count("timer_fired") == 3  # two reminders before, the close


def test_a_550_is_recorded_as_failed_and_a_451_is_sent_by_a_later_sweep(
        app: App, clock: FrozenClock, capture: SmtpCapture, mail, make_round: Callable[..., int],  # type: ignore[no-untyped-def]
        staff: str) -> None:
    round_id = make_round()
    capture.reject("baolac@caobang.example.vn")
    # 451 for as long as the first delivery keeps trying, so that the outbox has to retry it later.
    capture.fail_temporarily("hoaan@caobang.example.vn", times=1000)
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)

    report = run_due(app).delivery
    assert (report.sent, report.failed, report.retrying) == (10, 1, 1)
    assert mail.take_kinds() == each("invitation", without(EVERY_UNIT, "X-BAOLAC", "X-HOAAN"))
    emails = {u.unit_code: u.email for u in round_view(app, round_id).units}
    assert emails["X-BAOLAC"] is EmailStatus.FAILED
    assert emails["X-HOAAN"] is EmailStatus.QUEUED
    assert round_view(app, round_id).counts["email_failed"] == 1
    with app.uow() as uow:
        rows = {r.unit_code: r for r in uow.outbox.for_round(round_id)}
    assert rows["X-BAOLAC"].status == "failed" and "550" in (rows["X-BAOLAC"].last_error or "")
    assert rows["X-HOAAN"].status == "queued" and "451" in (rows["X-HOAAN"].last_error or "")
    assert rows["X-HOAAN"].next_attempt_at > clock.now()

    # Not before its retry time ...
    assert run_due(app).delivery.sent == 0
    assert mail.take_kinds() == Counter()

    # ... and once it is due, the same message (same Message-ID) goes out; the 550 is not retried.
    capture.fail_temporarily("hoaan@caobang.example.vn", times=0)
    clock.advance(timedelta(minutes=2))
    report = run_due(app).delivery
    assert (report.sent, report.failed) == (1, 0)
    [message] = mail.take()
    assert message["X-Ykien-Unit"] == "X-HOAAN"
    assert message["Message-ID"] == rows["X-HOAAN"].message_id
    assert capture.rcpt_attempts("baolac@caobang.example.vn") == 1
    emails = {u.unit_code: u.email for u in round_view(app, round_id).units}
    assert emails["X-HOAAN"] is EmailStatus.SENT and emails["X-BAOLAC"] is EmailStatus.FAILED
    with app.uow() as uow:
        hoaan = uow.session.scalars(select(OutboxRow).where(OutboxRow.message_id == message["Message-ID"])).one()
    assert hoaan.status == "sent" and hoaan.attempts == 2


def test_a_proposal_call_nobody_answers_ends_in_no_proposals_with_a_report_task(
        app: App, clock: FrozenClock, mail, make_round: Callable[..., int], staff: str) -> None:  # type: ignore[no-untyped-def]
    round_id = make_round(workflow="proposal_call", deadline=date(2025, 12, 5))
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    run_due(app)
    assert mail.take_kinds() == each("invitation", EVERY_UNIT)

    at(clock, "2025-12-03T08:00")
    run_due(app)
    assert mail.take_kinds() == each("reminder_before", COMMENTING)

    at(clock, "2025-12-06T00:00")
    run_due(app)
    assert mail.take_kinds() == Counter()
    view = round_view(app, round_id)
    assert view.state.status == "no_proposals"
    assert [t.name for t in view.state.open_tasks()] == ["report_to_ubnd"]
    assert view.pending_timers == []
    assert view.counts[AnswerStatus.SILENT.value] == len(COMMENTING)

    # No overdue reminders after the round ended with nothing to forward.
    at(clock, "2025-12-08T08:00")
    assert run_due(app).timers_fired == 0
    assert mail.take_kinds() == Counter()

    at(clock, "2025-12-09T14:00")
    execute(app, round_id, Command("report_submitted"), staff)
    state = round_view(app, round_id).state
    assert state.status == "reported" and state.open_tasks() == []
    events, broken = audit_trail(app, round_id)
    assert broken is None
    actions = [e.action for e in events]
    assert actions.index("task_opened") < actions.index("task_done")

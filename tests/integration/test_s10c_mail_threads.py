"""Every later email to a unit in a round (receipt, reminder, extension notice, overdue reminder) answers that unit's
invitation of the round: In-Reply-To and References name its Message-ID, as the SMTP server receives them, so the
unit's mail program shows one conversation per round. A unit whose invitation never went out gets none, and finding
the invitation reads that unit's own mail only. Migration 0024 (the column that keeps it) goes down and up."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, inspect, text

from config.clock import FrozenClock
from models.db.database import run_migrations
from models.rounds import ResponseChannel, ResponseKind
from notifications.compose import OPENING_KIND
from notifications.sink import read_mail
from notifications.testing import SmtpCapture
from workflows.engine.events import CommentInput, Extend, Launch, Remind, Respond
from workflows.service.app import App
from workflows.service.mail import store_received
from workflows.service.mailbox import received_message
from workflows.service.rounds import execute
from workflows.service.signed_documents import signed_letter
from workflows.service.sweep import run_due

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(clock: FrozenClock, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=TZ))


def _by_unit(messages: list[EmailMessage], kind: str) -> dict[str, EmailMessage]:
    return {str(m["X-Ykien-Unit"]): m for m in messages if str(m["X-Ykien-Kind"]) == kind}


def _answers(message: EmailMessage) -> tuple[str | None, str | None]:
    in_reply_to, references = message["In-Reply-To"], message["References"]
    return (None if in_reply_to is None else str(in_reply_to)), (None if references is None else str(references))


def test_every_later_mail_to_a_unit_answers_its_invitation_of_the_round(
        app: App, clock: FrozenClock, capture: SmtpCapture, make_round: Callable[..., int], staff: str) -> None:
    first = make_round(deadline=date(2025, 12, 5))
    second = make_round(deadline=date(2025, 12, 5))  # the same units in another round: another conversation
    at(clock, "2025-11-20T09:00")
    execute(app, first, Launch(), staff)
    execute(app, second, Launch(), staff)
    run_due(app)
    invitations = {round_id: {str(m["X-Ykien-Unit"]): str(m["Message-ID"]) for m in capture.messages
                              if str(m["X-Ykien-Round"]) == str(round_id)} for round_id in (first, second)}
    assert all(len(ids) == 12 for ids in invitations.values())
    assert all(_answers(m) == (None, None) for m in capture.messages)  # an invitation opens its conversation
    seen = len(capture.messages)

    at(clock, "2025-11-26T10:15")
    execute(app, first, Respond("SCT", ResponseKind.COMMENTS, entered_by=staff, channel=ResponseChannel.PAPER,
                                comments=(CommentInput("Bổ sung chỉ tiêu ISO 9001.", "Mục II.2"),)), staff)
    execute(app, second, Respond("SCT", ResponseKind.AGREE, entered_by=staff), staff)
    execute(app, first, Remind(("STC", "SYT")), staff)
    execute(app, first, Extend(date(2025, 12, 12), "SYT", "Sở Y tế cần lấy ý kiến đơn vị trực thuộc"), staff)
    run_due(app)
    at(clock, "2025-12-09T08:00")  # SYT's own reminder, before its 12/12
    execute(app, first, Remind(("STC",)), staff)  # STC is past 05/12: the overdue reminder
    run_due(app)

    later = capture.messages[seen:]
    kinds = sorted((str(m["X-Ykien-Round"]) == str(first), str(m["X-Ykien-Unit"]), str(m["X-Ykien-Kind"]))
                   for m in later)
    assert kinds == sorted([(True, "SCT", "receipt"), (False, "SCT", "receipt"), (True, "STC", "reminder_before"),
                            (True, "SYT", "reminder_before"), (True, "SYT", "extension"),
                            (True, "STC", "reminder_overdue")])
    for message in later:
        root = invitations[int(str(message["X-Ykien-Round"]))][str(message["X-Ykien-Unit"])]
        assert _answers(message) == (root, root), (message["X-Ykien-Kind"], message["X-Ykien-Unit"])
    assert invitations[first]["SCT"] != invitations[second]["SCT"]


def test_a_unit_whose_invitation_never_went_out_gets_no_in_reply_to(
        app: App, clock: FrozenClock, capture: SmtpCapture, make_round: Callable[..., int], staff: str) -> None:
    """SYT's address refused the invitation (550: failed for good); STP's invitation is not in the outbox (a
    unit the Sở wrote to on paper). Their later mail names no invitation they never received; SCT's still does."""
    round_id = make_round(deadline=date(2025, 12, 5))
    capture.reject("syt@caobang.example.vn")
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    assert run_due(app).delivery.failed == 1
    capture.accept("syt@caobang.example.vn")  # the mailbox is repaired
    with app.engine.begin() as connection:
        connection.execute(text("DELETE FROM access_tokens WHERE recipient_id IN (SELECT id FROM recipients "
                                "WHERE round_id = :r AND unit_code = 'STP')"), {"r": round_id})
        connection.execute(text("DELETE FROM outbox WHERE round_id = :r AND unit_code = 'STP'"), {"r": round_id})
    invitation_of_sct = str(_by_unit(capture.messages, OPENING_KIND)["SCT"]["Message-ID"])
    seen = len(capture.messages)

    at(clock, "2025-11-26T10:15")
    execute(app, round_id, Remind(("SYT", "SCT")), staff)
    execute(app, round_id, Respond("STP", ResponseKind.AGREE, entered_by=staff,
                                   channel=ResponseChannel.PAPER), staff)
    assert run_due(app).delivery.sent == 3
    later = capture.messages[seen:]
    assert _answers(_by_unit(later, "reminder_before")["SYT"]) == (None, None)
    assert _answers(_by_unit(later, "receipt")["STP"]) == (None, None)
    assert _answers(_by_unit(later, "reminder_before")["SCT"]) == (invitation_of_sct, invitation_of_sct)


def _plan(app: App, statement: str, parameters: Any) -> str:
    """The database's plan for `statement`. PostgreSQL is told to avoid sequential scans, as it would on a table
    of real size (on the few rows of a test it may rightly prefer one): an index the query can use then shows."""
    with app.engine.connect() as connection:
        if app.engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        else:
            connection.exec_driver_sql("SET enable_seqscan = off")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return " ".join(str(row) for row in rows)


def test_finding_the_invitation_reads_the_units_own_mail_not_the_rounds(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    """The receipt of one answer looks its unit's invitation up in one query through an index on the recipient, so
    its cost does not grow with the round's outbox."""
    round_id = make_round(deadline=date(2025, 12, 5))
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    run_due(app)
    statements: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "outbox.message_id" in statement \
                and "outbox.kind" in statement:
            statements.append((statement, parameters))

    event.listen(app.engine, "before_cursor_execute", keep)
    try:
        execute(app, round_id, Respond("STP", ResponseKind.AGREE, entered_by=staff), staff)
    finally:
        event.remove(app.engine, "before_cursor_execute", keep)
    assert len(statements) == 1
    statement, parameters = statements[0]
    plan = _plan(app, statement, parameters)
    if app.engine.dialect.name == "sqlite":
        assert "SEARCH outbox USING INDEX" in plan and "recipient_id=?" in plan, plan  # the unit's rows, by index
        assert "SCAN outbox" not in plan, plan
    else:
        assert "Index" in plan and "recipient_id" in plan and "Seq Scan on outbox" not in plan, plan


def test_a_units_page_finds_the_signed_letter_without_reading_the_rounds_trail(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    """The page of one unit looks for the round's signed letter among the round's signing events only, through
    (round_id, action): the trail grows by an event per answer, the page's cost does not."""
    round_id = make_round(deadline=date(2025, 12, 5))
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    statements: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if "FROM audit_events" in statement and "audit_events.action IN" in statement:
            statements.append((statement, parameters))

    event.listen(app.engine, "before_cursor_execute", keep)
    try:
        assert signed_letter(app, round_id, "request_letter") is None
    finally:
        event.remove(app.engine, "before_cursor_execute", keep)
    ((statement, parameters),) = statements
    plan = _plan(app, statement, parameters)
    if app.engine.dialect.name == "sqlite":
        assert "ix_audit_events_round_action (round_id=? AND action=?)" in plan, plan
    else:
        assert "ix_audit_events_round_action" in plan and "Seq Scan on audit_events" not in plan, plan


def test_the_mailbox_names_the_invitation_a_reminder_answers_and_its_number_there(
        app: App, clock: FrozenClock, capture: SmtpCapture, make_round: Callable[..., int], staff: str) -> None:
    """The embedded sink's mailbox shows In-Reply-To and References, and the number of the invitation it keeps."""
    round_id = make_round(deadline=date(2025, 12, 5))
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    execute(app, round_id, Remind(("SCT",)), staff)
    run_due(app)
    store = store_received(app)
    numbers = {}
    for number, (raw, message) in enumerate(zip(capture.raw_messages, capture.messages, strict=True), 1):
        store(read_mail("ykien@skhcn.example.vn", (str(message["To"]),), raw, clock.now()))
        numbers[(str(message["X-Ykien-Unit"]), str(message["X-Ykien-Kind"]))] = number
    invitation = str(_by_unit(capture.messages, OPENING_KIND)["SCT"]["Message-ID"])

    shown = received_message(app, numbers[("SCT", "reminder_before")])
    headers = dict(shown.headers)
    assert headers["In-Reply-To"] == invitation and headers["References"] == invitation
    assert shown.answers == numbers[("SCT", OPENING_KIND)]
    opening = received_message(app, numbers[("SCT", OPENING_KIND)])
    assert "In-Reply-To" not in dict(opening.headers) and opening.answers is None


def test_0024_keeps_the_outbox_and_goes_down_and_up(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str) -> None:
    round_id = make_round(deadline=date(2025, 12, 5))
    at(clock, "2025-11-20T09:00")
    execute(app, round_id, Launch(), staff)
    execute(app, round_id, Remind(("SCT",)), staff)

    def outbox() -> list[tuple[int, str]]:
        with app.engine.connect() as connection:
            return [(int(i), str(m)) for i, m in connection.execute(text("SELECT id, message_id FROM outbox "
                                                                         "ORDER BY id"))]

    def columns() -> set[str]:
        with app.engine.connect() as connection:
            return {column["name"] for column in inspect(connection).get_columns("outbox")}

    def audit_indexes() -> set[str]:
        with app.engine.connect() as connection:
            return {str(index["name"]) for index in inspect(connection).get_indexes("audit_events")}

    before = outbox()
    assert len(before) == 13 and "in_reply_to" in columns()
    assert "ix_audit_events_round_action" in audit_indexes()
    run_migrations(app.engine, "0023", down=True)
    assert "in_reply_to" not in columns() and outbox() == before
    assert "ix_audit_events_round_action" not in audit_indexes()
    run_migrations(app.engine, "head")
    assert "in_reply_to" in columns() and outbox() == before
    assert "ix_audit_events_round_action" in audit_indexes()
    with app.engine.connect() as connection:  # the rows queued before 0024 came back without one
        assert connection.execute(text("SELECT COUNT(*) FROM outbox WHERE in_reply_to IS NOT NULL")).scalar() == 0

"""The daily digest for the staff in charge: opting in and out (with the address it goes to), and queueing each
working day's digests from the sweep.

Whose rounds: a staff member's office's rounds; an admin or a leader with an office gets that office's rounds too,
one without an office every round (they are in charge of the whole Sở). Live rounds: launched, and not in a final
state, or reached one since the previous digest (said once: "Đợt đã kết thúc").

Once a day: after YKIEN_DIGEST_TIME (local) on a working day of the app's calendar, the sweep queues one outbox
message per opted-in staff member with a stable Message-ID (<digest-USER.YYYYMMDD@domain>). The day's row in
digests_sent (unique user and day), inserted in the same transaction as the message, is the claim: a second sweep,
in this process or another replica, finds it and queues nothing. A staff member with no live round gets no email
that day (nothing is theirs to report; the row still marks the day done); one with live rounds gets it even on a
quiet day, because the silent units and what falls due are news to someone in charge, and a digest that stops
coming would read as "nothing happened" when the mail is broken.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from config.settings import parse_digest_time
from models import limits
from models.db.digest_repository import DigestMessage, LiveRound, Subscriber
from models.db.unit_of_work import UnitOfWork
from models.digest import (
    NAMES_SHOWN,
    AnswerFact,
    Digest,
    RoundFacts,
    UnansweredFact,
    digest_day,
    due_window,
    round_digest,
)
from models.email_address import EmailRefused, normalized_email
from models.errors import InvalidInput
from models.moments import due_day
from models.staff import StaffUser
from models.text import nfc
from models.unit_status import AnswerStatus
from notifications.digest_mail import DigestWording, render_digest
from workflows.definition.schema import Capability
from workflows.service.accounts import AccountNotFound
from workflows.service.app import App
from workflows.service.registry import get_workflow
from workflows.service.views import decline_match, kind_answer_labels

log = logging.getLogger("ykien.digest")

OWN_ACCOUNT_PAGE = "/account/password"  # where a staff member stops their digest or changes its address


@dataclass(frozen=True)
class DigestChoice:
    """Whether an account gets the daily digest, and at which address."""

    username: str
    email: str | None

    @property
    def on(self) -> bool:
        return self.email is not None


def checked_email(text: str, field: str = "email") -> str:
    """The address in its normal form, or InvalidInput naming `field`."""
    value = nfc(text).strip()
    if not value:
        raise InvalidInput(f"{field}: hãy nhập địa chỉ thư nhận bản tổng hợp, ví dụ ten@skhcn.caobang.gov.vn.",
                           "digest_email_missing")
    if len(value) > limits.EMAIL:
        raise InvalidInput(f"{field}: địa chỉ thư dài quá {limits.EMAIL} ký tự.", "digest_email_invalid")
    try:
        return normalized_email(value)
    except EmailRefused:
        raise InvalidInput(f'{field}: "{value}" không phải địa chỉ thư hợp lệ (ví dụ ten@skhcn.caobang.gov.vn).',
                           "digest_email_invalid") from None


def digest_choice(app: App, username: str) -> DigestChoice:
    with app.uow(read_only=True) as uow:
        user = _user(uow, username)
        return DigestChoice(user.username, uow.digests.subscription(user.id))


def set_digest(app: App, username: str, on: bool, email: str | None, actor: str,
               email_field: str = "email") -> DigestChoice:
    """Opt an account in (with the address, checked; a bad one is refused naming `email_field`) or out; audited in
    the system's chain when it changes."""
    address = checked_email(email or "", email_field) if on else None
    now = app.clock.now()
    with app.uow() as uow:
        user = _user(uow, username, lock=True)
        before = uow.digests.subscription(user.id)
        if before == address:
            return DigestChoice(user.username, before)
        if address is None:
            uow.digests.unsubscribe(user.id)
        else:
            uow.digests.subscribe(user.id, address, now)
        uow.audit.append(None, now, actor, [("digest_changed", {"username": user.username,
                                                                 "email": [before, address]})])
        uow.commit()
    return DigestChoice(user.username, address)


def _user(uow: UnitOfWork, username: str, lock: bool = False) -> StaffUser:
    name = nfc(username).strip().lower()
    found = uow.staff.account(name, lock=lock) if 0 < len(name) <= 80 else None
    if found is None:
        raise AccountNotFound(f"Không có tài khoản \"{name[:80]}\".")
    return found.user


# --- the sweep's part ------------------------------------------------------------------------------------------

def queue_due_digests(app: App) -> int:
    """Queue today's digest of every opted-in staff member who has none yet, once the digest time of a working day
    has passed; returns how many were queued. Cheap when nothing is due (no query before the digest time or on a
    day off; one query after). A failure for one staff member is logged and tried again at the next sweep."""
    local_now = app.clock.now().astimezone(app.tz)
    at = parse_digest_time(app.settings.digest_time)
    day = digest_day(local_now, at, app.calendar.is_working_day)
    if day is None:
        return 0
    with app.uow(read_only=True) as uow:
        waiting = uow.digests.waiting(day)
    queued = 0
    for subscriber in waiting:
        if app.stopping.is_set():
            break
        try:
            queued += _queue_one(app, subscriber, day, at)
        except Exception:  # one digest must not stop the others nor the sweep's deliveries
            log.exception("thư tóm tắt của %s ngày %s chưa xếp hàng được", subscriber.user.username, day.isoformat())
    return queued


def _queue_one(app: App, subscriber: Subscriber, day: date, at: time) -> int:
    now = app.clock.now()
    with app.uow() as uow:
        digest_id = uow.digests.claim_day(subscriber.user.id, day, now)
        if digest_id is None:
            return 0  # another sweep has it
        since = uow.digests.previous_cover(subscriber.user.id, day) or datetime.combine(
            app.calendar.previous_working_day(day - timedelta(days=1)), at, tzinfo=app.tz)
        window = due_window(day, app.calendar.next_working_day)
        rounds = [round_digest(facts, window) for facts in _facts(app, uow, subscriber.user, since, now, window)]
        if rounds:
            digest = Digest(subscriber.user.display_name, day, since, window, rounds)
            email = render_digest(digest, _wording(app, subscriber.user), now)
            domain = app.settings.from_address.rsplit("@", 1)[1]
            uow.digests.queue(digest_id, DigestMessage(
                subscriber.email, email.subject, email.text, email.html,
                f"<digest-{subscriber.user.id}.{day:%Y%m%d}@{domain}>"), now)
        uow.commit()
    return 1 if rounds else 0


def _wording(app: App, user: StaffUser) -> DigestWording:
    settings = app.settings
    scope = f"của phòng {user.office}" if user.office else "đang chạy của Sở"
    return DigestWording(settings.issuer_name, settings.issuer_code, settings.governing_body, scope,
                         f"{settings.base_url}{OWN_ACCOUNT_PAGE}", settings.digest_time)


def _facts(app: App, uow: UnitOfWork, user: StaffUser, since: datetime, now: datetime,
           window: tuple[date, date]) -> list[RoundFacts]:
    return [_round_facts(app, uow, found, since, now, window)
            for found in uow.digests.launched_rounds(user.office) if _live(found, since)]


def _live(found: LiveRound, since: datetime) -> bool:
    if found.status not in get_workflow(found.workflow).final_states():
        return True
    return found.entered_at is not None and found.entered_at > since


def _round_facts(app: App, uow: UnitOfWork, found: LiveRound, since: datetime, now: datetime,
                 window: tuple[date, date]) -> RoundFacts:
    workflow = get_workflow(found.workflow)
    labels = kind_answer_labels(workflow)
    today = window[0]
    answers_total, answers = uow.digests.answers_between(found.id, since, now, NAMES_SHOWN, decline_match(workflow))
    unanswered = uow.digests.unanswered(found.id, today, NAMES_SHOWN)
    # one instant later than the window's last midnight: a timer due then ends the window's last day
    start = datetime.combine(window[0], time(0), tzinfo=app.tz) + timedelta(microseconds=1)
    end = datetime.combine(window[1] + timedelta(days=1), time(0), tzinfo=app.tz) + timedelta(microseconds=1)
    planned = [(name, due_day(due, app.tz)) for name, due in uow.digests.timers_between(found.id, start, end)]
    timers = [(workflow.timer_title(name), day) for name, day in planned]
    deadline_timer_days = frozenset(day for name, day in planned
                                    if (timer := workflow.any_timer(name)) is not None and timer.moves_on_at_deadline)
    silence = workflow.silence.label if found.silence_is_agreement and workflow.silence.possible else None
    answering = (workflow.allows(found.status, Capability.ANSWER)
                 or workflow.allows(found.status, Capability.LATE_ANSWER))
    return RoundFacts(
        round_id=found.id, title=found.title, status_title=workflow.state_title(found.status),
        link=f"{app.settings.base_url}/rounds/{found.id}", deadline=found.deadline,
        answers=[AnswerFact(a.unit_name, labels[AnswerStatus.DECLINED.value] if a.declined
                            else labels.get(a.response_kind, a.response_kind), a.responded_at, a.late,
                            a.revision > 1) for a in answers],
        answers_total=answers_total,
        unanswered=[UnansweredFact(name, deadline) for name, deadline in unanswered.names],
        pending_total=unanswered.pending_total, overdue_total=unanswered.overdue_total, silence_label=silence,
        timers_due=timers, extensions_ending=uow.digests.extensions_ending(found.id, window[0], window[1], NAMES_SHOWN),
        finished=found.status in workflow.final_states(), answering=answering,
        deadline_timer_days=deadline_timer_days, deadline_label=workflow.terms.deadline_label)

"""The one command path: run a use case in its transaction, then hand what it queued to delivery.

Failure policy, the same for every caller (the CLI, the staff pages, the API, a unit's answer through its
link, the demo, and the sweep's timers):

1. The command's state change is committed first: `rounds.execute` loads the round, decides, and writes the
   state, its effects (outbox rows, timers) and the audit in one transaction. A refusal raises and changes
   nothing: that, and only that, is the command failing.
2. Then the messages it queued are handed to delivery through the executor (`run_step(app, "deliver", ...)`:
   inline, or a Prefect flow run under `ykien serve`): the mail of the units it wrote to when they are few
   (`addressed_units`), else the round's. A delivery failure (the SMTP server down or refusing,
   the executor or Prefect failing) never undoes the command and never raises to the caller as a command
   failure: the messages stay in the outbox, the next sweep (`ykien tick`, `ykien serve`) sends them, and the
   result says so (`CommandResult.mail`, `CommandResult.notice`).
3. `deliver=False` (`--queue-only`) leaves the queued messages to the sweep without trying.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from models.db.unit_of_work import UnitOfWork
from models.errors import InvalidInput
from workflows.engine.decision import Decision
from workflows.engine.events import Event
from workflows.engine.refusals import DATE_REFUSALS, Refused
from workflows.service.app import App
from workflows.service.delivery import DeliveryReport
from workflows.service.rounds import execute
from workflows.service.steps import WORKERLESS_GRACE_SECONDS, HandedToWorkers, StepsUnavailable, run_step

# A command that wrote to at most this many units sends their mail only (addressed_units); each claim of the
# delivery names them all.
FEW_UNITS = 50
log = logging.getLogger("ykien.commands")

MAIL_LATER = "later"  # not sent now: waits in the outbox for the next sweep
MAIL_PARTIAL = "partial"  # some messages refused for good by the mail server (recorded as failed)
MAIL_HELD = "held"  # not handed to delivery (deliver=False): the sweep sends it
MAIL_SUBMITTED = "to_worker"  # handed to `ykien worker`s as flow runs: they send it
MAIL_UNPULLED = "no_worker"  # handed to a work pool no `ykien worker` has pulled for a while: it waits there
# handed to a work pool with no worker online yet, within the grace after serve started or the last one left: one may
# be starting, or none will come
MAIL_AWAITED = "no_worker_yet"
MAIL_NOTICES = {
    MAIL_SUBMITTED: "Đã ghi nhận; thư đã chuyển cho tiến trình gửi thư (ykien worker).",
    MAIL_AWAITED: ("Đã ghi nhận; thư đã chuyển cho tiến trình gửi thư, nhưng chưa thấy ykien worker nào nhận việc ở "
                   "work pool \"{pool}\" (có thể một worker đang khởi động). Nếu sau "
                   f"{WORKERLESS_GRACE_SECONDS / 60:g} phút thư vẫn chưa đi, người quản trị cần chạy `ykien worker` "
                   "với YKIEN_WORK_POOL={pool}."),
    # "chưa đi", not "chưa gửi": the page's line before it says "4 thư gửi các cơ quan" (letters addressed to them)
    MAIL_UNPULLED: ("Đã ghi nhận; các thư chưa đi: không có ykien worker nào nhận work pool \"{pool}\", thư nằm "
                    "chờ trong hàng đợi và sẽ đi khi có worker nhận. Người quản trị cần chạy `ykien worker` với "
                    "YKIEN_WORK_POOL={pool} (hoặc sửa YKIEN_WORK_POOL của ykien serve nếu gõ nhầm)."),
    MAIL_LATER: "Đã ghi nhận; thư sẽ gửi lại ở lần quét sau.",
    MAIL_PARTIAL: "Đã ghi nhận; một số thư bị máy chủ thư từ chối, xem danh sách thư của đợt.",
}


def mail_notice(mail: str, pool: str) -> str | None:
    """The notice of a command's mail (CommandResult.mail, or the `mail` a page was sent with), naming the work pool
    `pool` where it waits for a worker; None when there is nothing to say."""
    notice = MAIL_NOTICES.get(mail)
    return notice.format(pool=pool) if notice is not None else None


def work_pool_of(app: App) -> str:
    """The work pool this process hands its steps to (its executor's), else the one its settings name."""
    return str(getattr(app.executor, "pool", None) or app.settings.work_pool)


@dataclass(frozen=True)
class Handover:
    """What handing queued mail to delivery gave: the report, or why delivery failed (mail kept in the outbox)."""

    report: DeliveryReport | None = None
    error: str | None = None


@dataclass(frozen=True)
class CommandResult:
    """A committed command: its decision, and how the mail it queued went."""

    decision: Decision
    delivery: DeliveryReport | None = None  # None: nothing was handed to delivery (none queued, or deliver=False)
    delivery_error: str | None = None  # delivery failed outright; the messages wait in the outbox

    @property
    def queued(self) -> int:
        return len(self.decision.messages)

    @property
    def mail(self) -> str:
        """"" (sent, or nothing queued), MAIL_LATER, MAIL_PARTIAL or MAIL_HELD."""
        if not self.decision.messages:
            return ""
        if self.delivery_error is not None:
            return MAIL_LATER
        if self.delivery is None:
            return MAIL_HELD
        if isinstance(self.delivery, HandedToWorkers):
            if not self.delivery.pulled:
                return MAIL_UNPULLED
            return MAIL_SUBMITTED if self.delivery.online else MAIL_AWAITED
        if self.delivery.failed:
            return MAIL_PARTIAL
        if self.delivery.retrying:
            return MAIL_LATER
        return ""

    @property
    def notice(self) -> str | None:
        """What to tell the person who gave the command when the mail did not all go out now."""
        return mail_notice(self.mail, self.delivery.pool if isinstance(self.delivery, HandedToWorkers) else "")


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _hand_over(app: App, step: str = "deliver", **params: Any) -> Handover:
    """Run a delivering step through the executor; a failure is logged and returned, never raised."""
    try:
        report = run_step(app, step, **params)
    except StepsUnavailable as error:  # an outage the sweep reports, once, in its words: no traceback for it
        return Handover(error=str(error))
    except Exception as error:  # the policy: the command stands, its mail waits for the next sweep
        log.warning("bước %s %s lỗi; thư vẫn chờ trong hàng đợi, lần quét sau gửi lại", step, params,
                    exc_info=True)
        return Handover(error=_describe(error))
    return Handover(report if report is not None else DeliveryReport())


def deliver_queued(app: App, round_id: int | None = None, unit_codes: Collection[str] | None = None) -> Handover:
    """Hand the due messages of a round (or of every round; of a round, those to `unit_codes` only when given) to
    delivery, under the same policy."""
    if unit_codes is None:
        return _hand_over(app, "deliver", round_id=round_id)
    return _hand_over(app, "deliver", round_id=round_id, unit_codes=sorted(unit_codes))


def run_command(app: App, round_id: int, event: Event, actor: str, *,
                also: Callable[[UnitOfWork, Decision], None] | None = None, deliver: bool = True,
                on_progress: Callable[[int, int], None] | None = None) -> CommandResult:
    """Apply one event to a round (committed, or refused with nothing changed), then hand what it queued
    to delivery. See the module's failure policy: a delivery failure is in the result, never raised.
    `on_progress(done, total)` hears of the messages queued as they are written (a launch's progress)."""
    decision = execute(app, round_id, event, actor, also=also, on_progress=on_progress)
    return deliver_decision(app, round_id, decision) if deliver else CommandResult(decision)


CommandRunner = Callable[..., CommandResult]  # run_command's signature: (app, round_id, event, actor, deliver=...)


def naming_the_date(field: str) -> CommandRunner:
    """run_command, with the engine's refusal of the date an event names (an extension's new deadline:
    engine.refusals.DATE_REFUSALS) said as wrong input naming `field` (the CLI's NEW_DEADLINE, the API's
    new_deadline): exit 2 / 422, as a day off is when a round is created. Other refusals are raised as they are."""
    def run(app: App, round_id: int, event: Event, actor: str, deliver: bool = True) -> CommandResult:
        try:
            return run_command(app, round_id, event, actor, deliver=deliver)
        except Refused as refusal:
            if refusal.code not in DATE_REFUSALS:
                raise
            raise InvalidInput(f"{field}: {refusal.message}", refusal.code) from None

    return run


def deliver_decision(app: App, round_id: int, decision: Decision) -> CommandResult:
    """The second half of run_command, for a use case that must finish something of its own between its
    transaction and the delivery (run_command(..., deliver=False) first): same policy."""
    if not decision.messages:
        return CommandResult(decision)
    handed = deliver_queued(app, round_id, addressed_units(decision))
    return CommandResult(decision, handed.report, handed.error)


def addressed_units(decision: Decision) -> set[str] | None:
    """The units a decision wrote to, when they are few (FEW_UNITS at most): its delivery sends their mail only, so
    that a command about one unit costs one unit's mail even while the round's fan-out waits in the outbox or is
    being sent (that is the sweep's). None for more: the round's mail is sent whole."""
    units = {intent.unit_code for intent in decision.messages}
    return units if len(units) <= FEW_UNITS else None


def run_timer(app: App, step: str, timer_id: int, round_id: int) -> Handover:
    """Fire one claimed timer as one step through the executor ("remind" or "close": fire it in its own
    transaction, then send what it queued), under the same policy: once the timer has fired, a failure of
    the step is a delivery failure, logged and returned, its messages left for the next sweep. A timer that
    did not fire raises: it stays pending, and a later sweep fires it once its claim runs out."""
    try:
        report = run_step(app, step, timer_id=timer_id, round_id=round_id)
    except Exception as error:
        with app.uow(read_only=True) as uow:
            if uow.timers.get_pending(timer_id) is not None:
                raise
        log.warning("việc hẹn giờ %s đã chạy nhưng gửi thư nó xếp hàng bị lỗi; thư vẫn chờ trong hàng đợi",
                    timer_id, exc_info=True)
        return Handover(error=_describe(error))
    return Handover(report)


__all__ = ["MAIL_AWAITED", "MAIL_HELD", "MAIL_LATER", "MAIL_NOTICES", "MAIL_PARTIAL", "MAIL_SUBMITTED", "MAIL_UNPULLED",
           "CommandResult", "Handover", "deliver_decision", "deliver_queued", "mail_notice", "run_command",
           "run_timer", "work_pool_of"]

"""Deliver queued outbox messages after the transaction that wrote them has committed.

Several processes may deliver at once (replicas of `ykien serve`, a `ykien tick`): each claims a few messages at a
time (YKIEN_CLAIM_SIZE) in the name of its process instance, so that they share a fan-out, and claims again as it
needs more until nothing is due. Each result is written as it comes back (with those of the other connections that
come back within a millisecond), and the connection that sent the message waits for that write before it sends the
next one's body: a crash (kill -9) leaves at most one sent-but-unrecorded message per connection, which the next
sweep sends again with its Message-ID.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from config.smtp_url import SmtpTarget
from models.db.outbox_repository import ClaimedMessage
from models.db.sent_recorder import loop_sent_recorder
from models.db.unit_of_work import UnitOfWork
from notifications.compose import AUTOMATIC_KINDS
from notifications.delivery import DeliveryResult, DeliveryStatus, OutgoingEmail, deliver
from workflows.service.app import App, StopRequest
from workflows.service.mail import mail_target

# Extended while results come back (every quarter of it), so it only has to outlast one slow stretch of sending.
# A dead sender's claims do not wait for it: they pass to another process once its heartbeat is stale.
LEASE = timedelta(minutes=2)
_UNRECORDED_LOCK = threading.Lock()  # App.unrecorded_claims, shared by the deliveries of one process
log = logging.getLogger("ykien.delivery")
# A message that fails on its own (4xx for its address) gives up after this many sweeps, about two hours of
# retrying; one held back because the server is unavailable (refused, timed out, 421, TLS) never does: it waits.
MAX_ATTEMPTS = 8
# Retries after a temporary failure wait 1 min, 2, 4, … doubling per attempt, never more than an hour.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
# Inside one sweep a failed message is tried again this many times in all, 0.25 s then 0.5 s apart: a blip is
# bridged at once, and a server that is down costs a sweep about a second before the outbox backoff takes over.
SWEEP_ATTEMPTS = 3
SWEEP_BACKOFF_SECONDS = 0.25


def retry_delay(attempts: int) -> timedelta:
    """How long a message waits after its `attempts`-th failed attempt: 1, 2, 4 … minutes, capped at an hour."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 12), LONGEST_RETRY)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retrying += other.retrying


def worker_name(app: App) -> str:
    """The name this process's claims and sent messages carry: its instance id."""
    return app.instance.id


def stay_alive(app: App, uow: UnitOfWork, now: datetime) -> None:
    """Inside a claiming transaction: renew this instance's heartbeat, then free the rows of instances whose
    heartbeat is stale (dead), so that this claim may take them."""
    uow.instances.beat(app.instance, now)
    uow.instances.release_stale(now - timedelta(seconds=app.settings.stale_after_seconds))


def sender_mailbox(issuer_name: str, from_address: str) -> str:
    """The From of every message: the issuer's name over the configured address ("Sở Khoa học và Công nghệ"
    <ykien@…>), as its letters are signed by the Sở; a bare address shows the unit's clerk only "ykien"."""
    quoted = issuer_name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{from_address}>'


def _outgoing(row: ClaimedMessage, sender: str, reply_to: str | None, now: datetime) -> OutgoingEmail:
    headers = {"X-Ykien-Kind": row.kind}
    if row.round_id is not None:  # mail of no round (a staff member's digest) names none
        headers["X-Ykien-Round"] = str(row.round_id)
    if row.unit_code:
        headers["X-Ykien-Unit"] = row.unit_code
    # A unit's clerk answers a letter by replying to it: the reply goes to the Sở's contact address, which a person
    # reads, not to the sending address. The staff's own digest needs none.
    return OutgoingEmail(message_id=row.message_id, sender=sender, to=row.to_address, subject=row.subject,
                         text=row.text_body, html=row.html_body, headers=headers,
                         reply_to=reply_to if row.round_id is not None else None,
                         automatic=row.kind in AUTOMATIC_KINDS, in_reply_to=row.in_reply_to, date=now)


def deliver_outbox(app: App, round_id: int | None = None, target: SmtpTarget | None = None,
                   stop: threading.Event | None = None, unit_codes: Collection[str] | None = None) -> DeliveryReport:
    """Send every due message (of one round, or all; of a round, to `unit_codes` only when given), claiming a few at
    a time and recording each result as it comes back; returns what this process sent. Once `stop` (this
    delivery's) or `app.stopping` (the process's) is set, nothing more is claimed or put on the wire: the messages
    on the wire finish and the rest claimed are released at once, for any process to send."""
    if target is None:
        with app.uow(read_only=True) as uow:
            if not uow.outbox.has_due(app.clock.now()):
                return DeliveryReport()
        with mail_target(app) as embedded:
            return deliver_outbox(app, round_id, embedded, stop, unit_codes)
    return _Delivery(app, round_id, stop, unit_codes).run(target)


class _Delivery:
    """One deliver_outbox call: a claiming source of emails, and a recorder of results."""

    def __init__(self, app: App, round_id: int | None, stop: threading.Event | None = None,
                 unit_codes: Collection[str] | None = None) -> None:
        self.app = app
        self.round_id = round_id
        self.unit_codes = unit_codes
        self._stops = (app.stopping,) if stop is None else (app.stopping, stop)
        self._unsent: list[ClaimedMessage] = []  # claimed, never put on the wire: stopped first
        self._first_seen_stopped: float | None = None
        self.report = DeliveryReport()
        self.claimed: dict[str, ClaimedMessage] = {}  # by Message-ID, until recorded
        self._pending: list[tuple[int, DeliveryResult]] = []
        self._sequence = 0
        self._recorded_up_to = 0
        self._lock: asyncio.Lock | None = None
        self._renewed_at: datetime | None = None
        self._stayed_alive_at: datetime | None = None  # the last heartbeat and release of dead instances' rows
        self._broken: Exception | None = None
        # The connection that records what was sent, held for the delivery: on its event loop on PostgreSQL.
        self._sent = loop_sent_recorder(app.engine)
        self._sender = sender_mailbox(app.settings.issuer_name, app.settings.from_address)
        reply_to = app.settings.reply_to
        self._reply_to = sender_mailbox(app.settings.issuer_name, reply_to) if reply_to is not None else None

    def run(self, target: SmtpTarget) -> DeliveryReport:
        settings = self.app.settings
        if target.ca_file is None and settings.smtp_ca_file is not None:
            target = dataclasses.replace(target, ca_file=str(settings.smtp_ca_file))
        self._release_unrecorded()
        try:
            asyncio.run(self._deliver(target))
        finally:
            self._release_unsent()
            # What was claimed and not recorded (a write failed): released by the next delivery. A message that
            # went out but whose result was lost is sent again then, with its own Message-ID: bounded by the
            # connections in flight.
            with _UNRECORDED_LOCK:
                self.app.unrecorded_claims.update(row.id for row in self.claimed.values())
        return self.report

    async def _deliver(self, target: SmtpTarget) -> None:
        settings = self.app.settings
        try:
            await deliver(self._emails(), target, connections=settings.smtp_connections, max_attempts=SWEEP_ATTEMPTS,
                          backoff_base=SWEEP_BACKOFF_SECONDS, on_result=self._record, stopped=self._stop_asked_at)
        finally:
            await self._sent.close()  # on the loop it was opened on

    def _release_unrecorded(self) -> None:
        with _UNRECORDED_LOCK:
            ids = set(self.app.unrecorded_claims)
        if not ids:
            return
        released = self._release(ids)
        with _UNRECORDED_LOCK:
            self.app.unrecorded_claims.difference_update(ids)
        log.info("trả lại hàng đợi %d thư một lượt gửi bị ngắt đã nhận", released)

    def _release(self, ids: set[int]) -> int:
        """Free the rows of `ids` this process still holds unsent; returns how many."""
        with self.app.uow() as uow:
            released = uow.outbox.release(ids, worker_name(self.app))
            uow.commit()
        return released

    def _stopped(self) -> bool:
        return any(event.is_set() for event in self._stops)

    def _stop_asked_at(self) -> float | None:
        """When a stop was asked (time.monotonic()), or None: App.stopping keeps it (a signal); a run cancelled in
        Prefect (a plain Event) counts from when it is first seen here."""
        if not self._stopped():
            return None
        if self._first_seen_stopped is None:
            self._first_seen_stopped = time.monotonic()
        asked = [event.asked_at for event in self._stops if isinstance(event, StopRequest) and event.asked_at]
        return min([*asked, self._first_seen_stopped])

    def _release_unsent(self) -> None:
        """Free the rows claimed but never put on the wire (stopped first): no one has to wait out their lease.
        If the database refuses, they stay claimed and are released with the unrecorded ones."""
        if not self._unsent:
            return
        ids = {row.id for row in self._unsent}
        try:
            self._release(ids)
        except Exception:
            log.warning("không trả lại hàng đợi được %d thư đã nhận mà chưa gửi", len(ids), exc_info=True)
            return
        for row in self._unsent:
            del self.claimed[row.message_id]
        self._unsent = []

    def _due(self, last: datetime | None, now: datetime) -> bool:
        """Whether something done at `last` (None: not yet) is due again at `now`: once a heartbeat interval (a
        quarter of the lease at most)."""
        every = min(LEASE / 4, timedelta(seconds=self.app.settings.heartbeat_seconds))
        return last is None or now - last >= every

    def _claim(self) -> list[ClaimedMessage]:
        app = self.app
        now = app.clock.now()
        # A fan-out claims many times a second; the heartbeat and the release of dead instances' rows need not run
        # that often: once a heartbeat interval keeps this instance alive and takes a dead one's rows over as soon.
        alive = self._due(self._stayed_alive_at, now)
        # A claim alone is one statement (UPDATE … RETURNING), whole by itself: on PostgreSQL it commits on its own,
        # without the BEGIN and COMMIT round trips. With the heartbeat it stays one transaction.
        with app.uow(each_statement=not alive) as uow:
            if alive:
                stay_alive(app, uow, now)
            rows = uow.outbox.claim(now, app.settings.claim_size, worker_name(app), LEASE, self.round_id,
                                    self.unit_codes)
            uow.commit()
        if alive:
            self._stayed_alive_at = self._renewed_at = now
        return rows

    async def _emails(self) -> AsyncIterator[OutgoingEmail]:
        """The due messages, claimed a few at a time as the sender asks for more (off the event loop's thread)."""
        while not self._stopped() and (rows := await asyncio.to_thread(self._claim)):
            for row in rows:
                self.claimed[row.message_id] = row
            for position, row in enumerate(rows):
                if self._stopped():
                    self._unsent.extend(rows[position:])
                    return
                yield _outgoing(row, self._sender, self._reply_to, self.app.clock.now())

    async def _record(self, result: DeliveryResult) -> None:
        """Write `result` before the connection that produced it goes on. Results that come back while a write is
        in progress go together in the next write, so the database keeps up with the connections however many
        there are.

        The next write starts as soon as the one in progress ends, without waiting for more results: the connection
        whose result it carries waits for it before its next body. A wait of 1 ms (5 December 2026, one process on
        PostgreSQL, a mail server costing the shared cores little) made each result wait 1.7 ms instead of 0.65,
        and the process sent 10,000 messages at 2,860-2,930 a second instead of 3,900-3,940; with a mail server
        costing more CPU than the sender, the wait gained nothing either."""
        if result.status is DeliveryStatus.NOT_SENT:  # stopped before it went: released with the rest unsent
            self._unsent.append(self.claimed[result.message_id])
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        self._sequence += 1
        mine = self._sequence
        self._pending.append((mine, result))
        async with self._lock:
            if self._broken is not None:
                raise self._broken  # a write failed: the delivery stops (unrecorded rows wait for their lease)
            if self._recorded_up_to >= mine:
                return  # written with another connection's result
            await asyncio.sleep(0)  # results that came back in this same turn of the loop join this write
            batch, self._pending = self._pending, []
            try:
                await self._write([written for _, written in batch])
            except Exception as error:
                self._broken = error
                raise
            self._recorded_up_to = max(sequence for sequence, _ in batch)

    async def _write(self, results: list[DeliveryResult]) -> None:
        app = self.app
        now = app.clock.now()
        me = worker_name(app)
        rows = [self.claimed[result.message_id] for result in results]  # kept until written: a failed write
        # leaves them to be released (App.unrecorded_claims)
        renew = self._due(self._renewed_at, now)
        if not renew and all(result.status is DeliveryStatus.SENT for result in results):
            # A fan-out's usual write: one UPDATE on the connection this delivery holds for it, awaited on the loop
            # on PostgreSQL (no thread to hand it to and back, which cost as much CPU as the write).
            await self._sent.mark_sent([row.id for row in rows], now, me)
            report = DeliveryReport(sent=len(rows))
        else:
            report = await asyncio.to_thread(self._write_all, rows, results, now, me, renew)
        for result in results:
            del self.claimed[result.message_id]
        self.report.add(report)

    def _write_all(self, rows: list[ClaimedMessage], results: list[DeliveryResult], now: datetime, me: str,
                   renew: bool) -> DeliveryReport:
        """Results of any kind, and the renewal of this instance's (`me`) heartbeat and leases when it is due."""
        app = self.app
        report = DeliveryReport()
        # Each statement stands alone (a result recorded is one row's UPDATE): on PostgreSQL they commit one by one,
        # which saves the BEGIN and COMMIT round trips that each connection would wait for.
        with app.uow(each_statement=True) as uow:
            if renew:
                uow.instances.beat(app.instance, now)
                uow.outbox.extend_leases(me, now + LEASE)
                self._renewed_at = now
            uow.outbox.mark_sent([row.id for row, result in zip(rows, results, strict=True)
                                  if result.status is DeliveryStatus.SENT], now, me)
            for row, result in zip(rows, results, strict=True):
                if result.status is DeliveryStatus.SENT:
                    report.sent += 1
                elif result.status is DeliveryStatus.PERMANENT_FAILURE:
                    uow.outbox.mark_failed(row.id, result.error or "")
                    report.failed += 1
                else:
                    attempts = row.attempts + 1
                    if attempts >= MAX_ATTEMPTS and not result.server_unavailable:
                        uow.outbox.mark_failed(row.id, f"bỏ sau {attempts} lần thử: {result.error}")
                        report.failed += 1
                    else:
                        uow.outbox.retry_later(row.id, now + retry_delay(attempts), result.error or "")
                        report.retrying += 1
            uow.commit()
        return report


__all__ = ["DeliveryReport", "deliver_outbox", "retry_delay", "stay_alive", "worker_name"]

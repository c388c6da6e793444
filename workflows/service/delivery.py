"""Deliver queued outbox messages after the transaction that wrote them has committed."""
from __future__ import annotations

import os
import socket
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from models.db.claims import wall_now
from models.db.tables import OutboxRow
from notifications.delivery import DeliveryResult, DeliveryStatus, OutgoingEmail, deliver_sync
from notifications.smtp_url import SmtpTarget
from workflows.service.app import App
from workflows.service.mail import mail_target

BATCH = 2000
RECORD_EVERY = 50
# Renewed every RECORD_EVERY results, so it only has to outlast one slow stretch of sending.
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
               timedelta(hours=4))


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retrying += other.retrying


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _outgoing(row: OutboxRow, sender: str) -> OutgoingEmail:
    headers = {"X-Ykien-Round": str(row.round_id), "X-Ykien-Unit": row.unit_code or "", "X-Ykien-Kind": row.kind}
    return OutgoingEmail(message_id=row.message_id, sender=sender, to=row.to_address, subject=row.subject,
                         text=row.text_body, html=row.html_body, headers=headers)


def deliver_outbox(app: App, round_id: int | None = None, target: SmtpTarget | None = None) -> DeliveryReport:
    """Send every due message (of one round, or all); results are recorded in small batches so a crash
    repeats at most the batch in flight."""
    report = DeliveryReport()
    if target is None:
        with app.uow(read_only=True) as uow:
            if not uow.outbox.has_due(app.clock.now()):
                return report
        with mail_target(app) as embedded:
            return deliver_outbox(app, round_id, embedded)
    while True:
        with app.uow() as uow:
            rows = uow.outbox.claim(app.clock.now(), BATCH, worker_name(), LEASE, round_id)
            uow.commit()
        if not rows:
            return report
        report.add(_deliver_batch(app, rows, target))


def _deliver_batch(app: App, rows: list[OutboxRow], target: SmtpTarget) -> DeliveryReport:
    """Send one claimed batch over persistent connections; results are written by a single background
    thread, in order, so the database never stalls the connections."""
    report = DeliveryReport()
    by_message_id = {row.message_id: row for row in rows}
    pending: list[DeliveryResult] = []
    finished: set[str] = set()

    lease_renewed = [time.monotonic()]

    def record(results: list[DeliveryResult]) -> None:
        now = app.clock.now()
        finished.update(r.message_id for r in results)
        with app.uow() as uow:
            if time.monotonic() - lease_renewed[0] > LEASE.total_seconds() / 4:
                uow.outbox.extend_lease([row.id for row in rows if row.message_id not in finished], LEASE)
                lease_renewed[0] = time.monotonic()
            sent = [by_message_id[r.message_id].id for r in results if r.status is DeliveryStatus.SENT]
            uow.outbox.mark_sent(sent, now)
            report.sent += len(sent)
            for result in results:
                row = by_message_id[result.message_id]
                if result.status is DeliveryStatus.PERMANENT_FAILURE:
                    uow.outbox.mark_failed(row.id, result.error or "")
                    report.failed += 1
                elif result.status is DeliveryStatus.TEMPORARY_FAILURE:
                    attempts = row.attempts + 1
                    if attempts >= MAX_ATTEMPTS:
                        uow.outbox.mark_failed(row.id, f"bỏ sau {attempts} lần thử: {result.error}")
                        report.failed += 1
                    else:
                        delay = RETRY_AFTER[min(attempts - 1, len(RETRY_AFTER) - 1)]
                        uow.outbox.retry_later(row.id, now + delay, result.error or "")
                        report.retrying += 1
            uow.commit()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ykien-outbox") as recorder:
        writes: list[Future[None]] = []

        def on_result(result: DeliveryResult) -> None:
            pending.append(result)
            if len(pending) >= RECORD_EVERY:
                writes.append(recorder.submit(record, pending[:]))
                pending.clear()

        emails = (_outgoing(row, app.settings.from_address) for row in rows)
        try:
            deliver_sync(emails, target, connections=app.settings.smtp_connections, on_result=on_result)
        finally:
            if pending:
                writes.append(recorder.submit(record, pending[:]))
            for write in writes:
                write.result()
    return report


__all__ = ["DeliveryReport", "deliver_outbox", "wall_now"]

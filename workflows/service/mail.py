"""Where mail goes: the configured SMTP server, or the embedded sink that keeps it in the database."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from models.db.tables import ReceivedMailRow
from notifications.sink import MailSink, ReceivedMail
from notifications.smtp_url import SmtpTarget, parse_smtp_url
from workflows.service.app import App


def store_received(app: App) -> Callable[[ReceivedMail], None]:
    """A sink callback that writes every received message to the database."""

    def store(mail: ReceivedMail) -> None:
        with app.uow() as uow:
            uow.session.add(ReceivedMailRow(mail_from=mail.mail_from, rcpt_to=", ".join(mail.rcpt_tos),
                                            message_id=mail.message_id, subject=mail.subject, raw=mail.raw,
                                            received_at=mail.received_at))
            uow.commit()

    return store


@contextlib.contextmanager
def mail_target(app: App) -> Iterator[SmtpTarget]:
    """The SMTP server to deliver to; without YKIEN_SMTP_URL, an embedded sink on loopback for the duration."""
    if app.smtp_url:
        yield parse_smtp_url(app.smtp_url)
        return
    sink = MailSink(store_received(app))
    sink.start()
    try:
        yield parse_smtp_url(sink.url)
    finally:
        sink.stop()

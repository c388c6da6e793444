"""Where mail goes: the configured SMTP server, or the embedded sink that keeps it in the database."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from config.smtp_url import SmtpTarget, parse_smtp_url
from notifications.sink import MailSink, ReceivedMail
from workflows.service.app import App


def store_received(app: App) -> Callable[[ReceivedMail], None]:
    """A sink callback that writes every received message to the database."""

    def store(mail: ReceivedMail) -> None:
        with app.uow() as uow:
            uow.mailbox.add(mail.mail_from, ", ".join(mail.rcpt_tos), mail.message_id, mail.subject, mail.raw,
                            mail.received_at)
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

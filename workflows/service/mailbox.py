"""The embedded sink's mailbox for staff: received mail newest first, and one message's headers and text."""
from __future__ import annotations

from dataclasses import dataclass, replace
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime

from config.smtp_url import parse_smtp_url
from models.db.mailbox_repository import MailSummary
from models.errors import NotFound
from models.text import whole_number
from workflows.service.app import App
from workflows.service.audit_view import format_moment
from workflows.service.outbox_view import KIND_LABELS

PER_PAGE = 50
SHOWN_HEADERS = ("From", "To", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
                 "Auto-Submitted", "X-Ykien-Round", "X-Ykien-Unit", "X-Ykien-Kind")
# Mailboxes whose display names are read as RFC 2047 says: email.policy.default keeps the space between two
# encoded-words of one name ("Thừa Thiên  Huế"), where a mail program drops it.
_MAILBOX_HEADERS = frozenset({"From", "To", "Reply-To"})


class MailNotFound(NotFound):
    code = "mail_not_found"


@dataclass(frozen=True)
class MailPage:
    items: list[MailSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class MailMessage:
    summary: MailSummary
    headers: list[tuple[str, str]]
    text: str
    has_html: bool
    attachments: list[str]
    size: int
    round_office: str | None = None
    """The office of the round the message belongs to (its X-Ykien-Round header); None for mail of no known round."""
    answers: int | None = None
    """The number in this mailbox of the message this one answers (its In-Reply-To: a unit's invitation), if kept."""


@dataclass(frozen=True)
class MailTransport:
    """Where this process sends mail: the embedded sink (kept in the database, shown here) or the SMTP server of
    YKIEN_SMTP_URL, named by host:port only (never its login)."""

    embedded: bool
    address: str | None  # host:port; None for a sink that starts on loopback only while mail is being sent


def mail_transport(app: App) -> MailTransport:
    """The transport actually in use: YKIEN_SMTP_URL when set, else the embedded sink `ykien serve` (or the demo)
    runs, else the sink each delivery starts for itself (workflows.service.mail.mail_target)."""
    configured = app.settings.smtp_url
    if configured:
        return MailTransport(False, _host_port(configured))
    running = app.smtp_url  # the sink's own address once serve or the demo started it
    return MailTransport(True, _host_port(running) if running else None)


def _host_port(url: str) -> str:
    try:
        target = parse_smtp_url(url)
    except ValueError:
        return "(địa chỉ không đọc được)"
    host = f"[{target.host}]" if ":" in target.host else target.host
    return f"{host}:{target.port}"


def received_mail(app: App, page: int = 1, per_page: int = PER_PAGE) -> MailPage:
    """A page of received mail, newest first (the raw bytes are not loaded)."""
    with app.uow(read_only=True) as uow:
        total = uow.mailbox.count()
        page = max(1, min(page, max(1, -(-total // per_page))))
        items = uow.mailbox.newest(per_page, (page - 1) * per_page)
    return MailPage(items, total, page, per_page)


def received_message(app: App, mail_id: int) -> MailMessage:
    with app.uow(read_only=True) as uow:
        stored = uow.mailbox.get(mail_id)
        if stored is None:
            raise MailNotFound(f"Không có thư số {mail_id} trong hộp thư.")
        parsed = _parse(stored.summary, stored.raw)
        round_id = _round_id(parsed.headers)
        office = uow.rounds.office_of(round_id) if round_id is not None else None
        parent = dict(parsed.headers).get("In-Reply-To", "").strip()
        answers = uow.mailbox.number_of(parent) if parent else None
    return replace(parsed, headers=[(name, _shown(name, value, app)) for name, value in parsed.headers],
                   round_office=office, answers=answers)


def _shown(name: str, value: str, app: App) -> str:
    """A header's value as staff read it: the date in local time as the pages write it, the kind by its label.
    A value that does not parse is shown as it came."""
    if name == "Date":
        try:
            return format_moment(parsedate_to_datetime(value), app.tz) or value
        except (TypeError, ValueError, OverflowError):
            return value
    if name == "Auto-Submitted" and value.strip().lower() != "no":  # RFC 3834: any value but "no" is automatic
        return f"Có ({value})"
    if name == "X-Ykien-Kind" and value in KIND_LABELS:
        return f"{KIND_LABELS[value]} ({value})"
    return value


def _round_id(headers: list[tuple[str, str]]) -> int | None:
    value = dict(headers).get("X-Ykien-Round", "").strip()
    return whole_number(value, 1, 999_999_999)


def _parse(summary: MailSummary, raw: bytes) -> MailMessage:
    message = message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    headers = [(name, _mailbox_text(message, name) if name in _MAILBOX_HEADERS else str(message[name]))
               for name in SHOWN_HEADERS if message[name] is not None]
    text = ""
    has_html = False
    attachments: list[str] = []
    try:
        body = message.get_body(preferencelist=("plain",))
        if body is not None:
            text = body.get_content()
        has_html = message.get_body(preferencelist=("html",)) is not None
        attachments = [part.get_filename() or part.get_content_type() for part in message.iter_attachments()]
    except (LookupError, ValueError, AttributeError):
        # A message the sink accepted but Python cannot decode: show the raw text rather than fail.
        text = raw.decode("utf-8", "replace")
    return MailMessage(summary, headers, text, has_html, attachments, len(raw))


def _mailbox_text(message: EmailMessage, name: str) -> str:
    """An address header as a mail program shows it; as Python parses it when that fails."""
    written = next((value for key, value in message.raw_items() if key.lower() == name.lower()), "")
    try:
        return str(make_header(decode_header(" ".join(str(written).split()))))
    except (HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        return str(message[name])


def all_received_raw(app: App) -> list[bytes]:
    """Every message the embedded sink stored, as received, oldest first."""
    with app.uow(read_only=True) as uow:
        return uow.mailbox.raw_messages()

"""Turn an OutgoingEmail into wire bytes: multipart/alternative, UTF-8, 7-bit clean.

The bytes are written directly rather than through `email.policy.default`, whose header
folding costs ~9 ms per message here (a ceiling near 100 msg/s); this takes ~0.1 ms.
`build_message` parses those same bytes, so inspection and the wire never disagree.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import format_datetime, formataddr, getaddresses
from functools import lru_cache

_MESSAGE_ID = re.compile(r"<[!-;=?-~]+@[!-;=?-~]+>")
# RFC 5322's field name, less a leading dot: no line render_message writes starts with one, so its bytes go on the
# wire as they are (smtp_transaction.send_prepared's `rendered`).
_FIELD_NAME = re.compile(r"[!-\-/-9;-~][!-9;-~]*")
# Headers render_message writes itself; callers may only add others (e.g. X-Ykien-Round).
_RESERVED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version", "auto-submitted",
     "x-auto-response-suppress", "in-reply-to", "references"}
)
# RFC 3834: a message no person wrote, so that out-of-office and other auto-replies are not sent back to it (and
# cannot loop with a responder of the Sở); Exchange reads its own header instead.
_AUTOMATIC_HEADERS = ("Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: OOF, AutoReply")


@dataclass(frozen=True)
class OutgoingEmail:
    """One email to one recipient, with the stable Message-ID of its outbox row."""

    message_id: str
    sender: str
    to: str
    subject: str
    text: str
    html: str
    headers: Mapping[str, str] = field(default_factory=dict)
    reply_to: str | None = None  # where the clerk's reply goes ("Tên" <addr>): a person of the Sở, not `sender`
    automatic: bool = False  # sent without a person's act (a reminder, a receipt): marked Auto-Submitted
    # The Message-ID of the unit's invitation of the round, which this later message follows: written as In-Reply-To
    # and References, so that the unit's mail program shows the round as one conversation.
    in_reply_to: str | None = None
    # When it goes, on the application's clock (the Date header): the day the text speaks of, also under a test's or
    # the demo's clock; None takes the machine's time.
    date: datetime | None = None


def outbox_message_id(outbox_id: int, round_id: int, domain: str = "ykien.localhost") -> str:
    """The Message-ID of an outbox row, the same on every retry: "<outbox-42.round-7@domain>"."""
    return f"<outbox-{outbox_id}.round-{round_id}@{domain}>"


_BARE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


@lru_cache(maxsize=8192)
def envelope_address(value: str, role: str) -> str:
    """The bare address of a single-mailbox header value ("Tên <a@b.vn>" -> "a@b.vn")."""
    if _BARE_ADDRESS.fullmatch(value):
        return value  # the common case (directory addresses): no need for the full RFC 5322 parser
    pairs = getaddresses([value])
    address = pairs[0][1] if len(pairs) == 1 else ""
    if "@" not in address or not address.isascii() or any(c in address for c in "\r\n "):
        raise ValueError(f"địa chỉ {role} không hợp lệ: {value!r}")
    return address


def render_message(email: OutgoingEmail, *, date: datetime | None = None) -> bytes:
    """The message as sent: CRLF lines, RFC 2047 headers, base64 UTF-8 text and HTML parts. Wire-ready as it is
    (`smtp_transaction.wire_ready`): every line ends in CRLF, and none starts with a dot."""
    if not _MESSAGE_ID.fullmatch(email.message_id):
        raise ValueError(f"Message-ID {email.message_id!r} must look like <local@domain>")
    if email.in_reply_to is not None and not _MESSAGE_ID.fullmatch(email.in_reply_to):
        raise ValueError(f"In-Reply-To {email.in_reply_to!r} must look like <local@domain>")
    boundary = "=_ykien_" + hashlib.sha256(email.message_id.encode()).hexdigest()[:32]
    lines = [
        f"Message-ID: {email.message_id}",
        f"Date: {_date_header(date or email.date)}",
        f"From: {_mailbox(email.sender, 'người gửi')}",
        f"To: {_mailbox(email.to, 'người nhận')}",
    ]
    if email.reply_to is not None:
        lines.append(f"Reply-To: {_mailbox(email.reply_to, 'trả lời về')}")
    lines.append(f"Subject: {_encode('Subject', email.subject)}")
    if email.in_reply_to is not None:
        # RFC 5322 3.6.4: References is the parent's References (an invitation has none) and the parent's Message-ID
        lines += [f"In-Reply-To: {email.in_reply_to}", f"References: {email.in_reply_to}"]
    if email.automatic:
        lines += _AUTOMATIC_HEADERS
    for name, value in email.headers.items():
        lowered = name.lower()
        if lowered in _RESERVED_HEADERS or lowered.startswith("content-"):
            raise ValueError(f"header {name!r} is set by render_message and cannot be overridden")
        if not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"invalid header name {name!r}")
        lines.append(f"{name}: {_encode(name, value)}")
    lines += [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "",
        "",
    ]
    out = ["\r\n".join(lines).encode("ascii")]
    for subtype, body in (("plain", email.text), ("html", email.html)):
        out.append(
            f"--{boundary}\r\n"
            f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n".encode("ascii")
        )
        out.append(_base64_lines(body.encode("utf-8")))
    out.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(out)


def _date_header(when: datetime | None) -> str:
    return _date_of_second(int(when.timestamp() if when is not None else time.time()))


@lru_cache(maxsize=1)  # a fan-out renders hundreds of messages within one second
def _date_of_second(epoch_seconds: int) -> str:
    return format_datetime(datetime.fromtimestamp(epoch_seconds, UTC))


def _base64_lines(data: bytes) -> bytes:
    """`data` in base64, 76 characters a line, each line ending in CRLF (RFC 2045), as `base64.encodebytes`
    writes it with CRLF but encoded in one call rather than one per 57 bytes."""
    if not data:
        return b""
    encoded = binascii.b2a_base64(data, newline=False)
    return b"\r\n".join([encoded[start:start + 76] for start in range(0, len(encoded), 76)]) + b"\r\n"


def build_message(email: OutgoingEmail, *, date: datetime | None = None) -> EmailMessage:
    """The message as an EmailMessage (parsed from `render_message`, email.policy.default)."""
    message = BytesParser(policy=default_policy).parsebytes(render_message(email, date=date))
    assert isinstance(message, EmailMessage)
    return message


def _check_single_line(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"header {name} must be a single line: {value!r}")


@lru_cache(maxsize=4096)  # a round's messages share their subject and sender: encode them once
def _encode(name: str, value: str) -> str:
    _check_single_line(name, value)
    value = unicodedata.normalize("NFC", value)  # as the templates' words are: a mail client shows it as typed
    if value.isascii() and value.isprintable() and len(name) + len(value) < 76:
        return value  # short printable ASCII needs no RFC 2047 encoding nor folding
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, header_name=name).encode(linesep="\r\n")


@lru_cache(maxsize=4096)
def _mailbox(value: str, role: str) -> str:
    _check_single_line(role, value)
    address = envelope_address(value, role)
    if address == value:
        return value  # a bare address has no display name to encode
    # NFC: a name typed on a Mac (NFD) would show its accents apart in some clients and cost half again the bytes
    display_name = " ".join(unicodedata.normalize("NFC", getaddresses([value])[0][0]).split())
    if display_name.isascii():
        return formataddr((display_name, address))
    return _folded([*_phrase_words(display_name), f"<{address}>"])


_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
_FIELD_ROOM = len("Reply-To: ")  # the longest field name a mailbox is written after
# RFC 2047 allows an encoded-word 75 characters; 68 keeps each line within 78 (RFC 5322), the first one after
# "Reply-To: " too.
_LONGEST_ENCODED_WORD = 78 - _FIELD_ROOM


def _encoded_word(text: str) -> str:
    return f"=?utf-8?b?{binascii.b2a_base64(text.encode('utf-8'), newline=False).decode('ascii')}?="


def _phrase_words(name: str) -> list[str]:
    """A display name as the words of an RFC 2047 phrase: ASCII words as they are, each run of the others as one
    encoded-word ("=?utf-8?b?U+G7nw==?= Khoa =?utf-8?b?…?= Cao …").

    formataddr writes one encoded-word however long the name (RFC 2047 allows 75 characters), and splitting a
    run into several leaves whitespace between encoded-words, which readers disagree on (RFC 2047 drops it,
    Python's own parser keeps it): between a plain word and an encoded-word both keep it. Only a run of
    non-ASCII words too long for one encoded-word is split, each part after the first carrying its space."""
    words: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        text = ""
        for word in run:
            piece = f" {word}" if text else word
            if text and len(_encoded_word(text + piece)) > _LONGEST_ENCODED_WORD:
                words.extend(_encoded_word(part) for part in _short_parts(text))
                text = piece
            else:
                text += piece
        if text:
            words.extend(_encoded_word(part) for part in _short_parts(text))
        run.clear()

    for word in name.split(" "):
        if _ATOM.fullmatch(word) and "=?" not in word:
            close_run()
            words.append(word)
        else:
            run.append(word)
    close_run()
    return words


def _short_parts(text: str) -> list[str]:
    """`text` cut, between characters, into parts that each fit one encoded-word (a single very long word)."""
    parts = [""]
    for char in text:
        if len(_encoded_word(parts[-1] + char)) > _LONGEST_ENCODED_WORD:
            parts.append("")
        parts[-1] += char
    return parts


def _folded(words: list[str]) -> str:
    """The words on lines of at most 78 characters where they fit (RFC 5322), joined by folding whitespace."""
    lines = [words[0]]
    width = _FIELD_ROOM + len(words[0])
    for word in words[1:]:
        if width + 1 + len(word) > 78:
            lines.append(word)
            width = 1 + len(word)
        else:
            lines[-1] += f" {word}"
            width += 1 + len(word)
    return "\r\n ".join(lines)

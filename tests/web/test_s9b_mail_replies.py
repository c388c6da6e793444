"""What a unit's clerk can do with a letter as received: reply to it and reach a person of the Sở, and read in it
whom to ask. And what the receiving server reads in its headers: Auto-Submitted on the messages no person sent,
a Message-ID of the sender's domain, a Date, one multipart/alternative of a plain-text and an HTML part, 7-bit
lines of at most 998 characters, the Subject and the Vietnamese names encoded (RFC 2047) and read back as typed.

Each round of the four kinds lives three weeks through the outbox into a loopback SMTP server (the journey of
test_s8d_mail_as_received), with YKIEN_REPLY_TO set; each message is read with the stdlib parser.
"""
from __future__ import annotations

import base64
import html as html_lib
import re
import unicodedata
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlite_template import copy_home_database
from test_s8d_mail_as_received import KINDS, a_round_lived, launch
from test_workshop_pages import START, template_home, unit_client, workshop_clock  # noqa: F401

from config.clock import FrozenClock
from config.settings import load_settings
from notifications.compose import AUTOMATIC_KINDS
from notifications.delivery import OutgoingEmail, deliver_sync
from notifications.message import render_message
from notifications.sink import ReceivedMail
from notifications.testing import SmtpCapture
from workflows.service.app import App, build_app
from workflows.service.delivery import sender_mailbox
from workflows.service.mail import store_received
from workflows.service.mailbox import received_message
from workflows.service.sweep import run_due

REPLY_TO = "tdc.skhcn@caobang.gov.vn"
ISSUER = "Sở Khoa học và Công nghệ tỉnh Cao Bằng"  # long enough to need more than one encoded-word as one run would
PEOPLES_ACTS = ("invitation", "extension")  # sent because staff launched or extended the round


@pytest.fixture
def ykien_app(template_home: Path, tmp_path: Path, capture: SmtpCapture,
              workshop_clock: FrozenClock) -> Iterator[App]:
    copy_home_database(template_home, tmp_path)
    settings = load_settings(home=tmp_path, database_url=None, now=None, calendar_file=None,
                             smtp_url=capture.url, secret_key="w" * 40, reply_to=REPLY_TO,
                             issuer_name=unicodedata.normalize("NFD", ISSUER))  # typed on a Mac
    app = build_app(settings, workshop_clock)
    yield app
    app.close()


def header_block(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


def unfolded(raw: bytes, name: str) -> str | None:
    """The raw value of header `name` (unfolded, still encoded), or None."""
    found = re.search(rb"^" + name.encode() + rb": ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", header_block(raw), re.M | re.I)
    return found.group(1).replace(b"\r\n", b"").decode("ascii") if found else None


def inline_text(markup: str) -> str:
    """The HTML's words with its tags taken out, not spaced: a sentence with a link in it reads whole."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def rfc2047_text(value: str) -> str:
    """A header value decoded as RFC 2047 says (whitespace between two encoded-words dropped)."""
    return str(make_header(decode_header(value)))


@pytest.mark.parametrize("workflow", KINDS)
def test_a_reply_to_any_letter_reaches_the_sos_contact_mailbox_which_the_letter_names(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture,
        workshop_clock: FrozenClock, workflow: str) -> None:
    received = a_round_lived(ykien_app, unit_client, capture, workshop_clock, workflow)
    assert {r.kind for r in received} >= {"invitation", "receipt", "extension", "reminder_before", "digest"}
    for r in received:
        where = f"{workflow} {r.kind} to {r.unit}"
        replies = r.message["Reply-To"]
        if r.kind == "digest":  # the staff's own summary: no unit replies to it
            assert replies is None, where
            continue
        assert replies is not None, where
        [mailbox] = replies.addresses
        assert (mailbox.display_name, mailbox.addr_spec) == (ISSUER, REPLY_TO), where
        contact = f"điện thoại 0912 130 290, thư điện tử {REPLY_TO} (trả lời thư này cũng gửi đến địa chỉ đó)."
        assert contact in r.text, (where, r.text)
        assert contact in inline_text(r.html), where
        assert f'<a href="mailto:{REPLY_TO}">{REPLY_TO}</a>' in r.html, where
        assert '<a href="tel:0912130290">0912 130 290</a>' in r.html, where  # a tap calls from a phone


@pytest.mark.parametrize("workflow", KINDS)
def test_every_message_is_what_a_receiving_server_expects(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture,
        workshop_clock: FrozenClock, workflow: str) -> None:
    received = a_round_lived(ykien_app, unit_client, capture, workshop_clock, workflow)
    domain = ykien_app.settings.from_address.rsplit("@", 1)[1]
    raws = capture.raw_messages
    assert len(raws) == len(received)
    seen_ids = set()
    for raw, r in zip(raws, received, strict=True):
        where = f"{workflow} {r.kind} to {r.unit}"
        lines = raw.split(b"\r\n")
        assert raw.isascii(), where  # 7-bit: no server has to downgrade 8BITMIME
        assert max(len(line) for line in lines) <= 998, where
        assert b"\n" not in raw.replace(b"\r\n", b""), (where, "a bare LF")
        automatic = r.message["Auto-Submitted"]
        if r.kind in PEOPLES_ACTS:
            assert automatic is None, where
        else:
            assert r.kind in AUTOMATIC_KINDS, where
            assert str(automatic) == "auto-generated", where
            assert str(r.message["X-Auto-Response-Suppress"]) == "OOF, AutoReply", where
        message_id = str(r.message["Message-ID"])
        assert message_id.endswith(f"@{domain}>") and message_id not in seen_ids, (where, message_id)
        seen_ids.add(message_id)
        sent = parsedate_to_datetime(str(r.message["Date"]))
        assert sent.tzinfo is not None, where
        assert len(r.message.get_all("Date") or []) == 1 and len(r.message.get_all("Subject") or []) == 1, where
        assert r.message.get_content_type() == "multipart/alternative", where
        parts = list(r.message.iter_parts())
        assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"], where
        assert all(p.get_content_charset() == "utf-8" for p in parts), where
        subject = unfolded(raw, "Subject")
        assert subject is not None and rfc2047_text(subject) == r.subject, where
        assert unicodedata.is_normalized("NFC", r.subject), where
        for field in ("From", "Reply-To"):
            value = unfolded(raw, field)
            if value is None:
                continue
            for word in re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", value):
                assert len(word) <= 75, (where, field, word)  # RFC 2047 section 2
            assert rfc2047_text(value.rsplit(" <", 1)[0]) == ISSUER, (where, field, value)


def received_names(capture: SmtpCapture, names: list[str]) -> list[tuple[bytes, EmailMessage]]:
    emails = [OutgoingEmail(f"<nfd-{number}@skhcn.caobang.gov.vn>",
                            sender_mailbox(unicodedata.normalize("NFD", name), "ykien@skhcn.caobang.gov.vn"),
                            f"vanthu{number}@example.vn", unicodedata.normalize("NFD", f"Đôn đốc: {name}"),
                            "Nội dung.", "<p>Nội dung.</p>",
                            reply_to=sender_mailbox(unicodedata.normalize("NFD", name), REPLY_TO))
              for number, name in enumerate(names)]
    results = deliver_sync(emails, capture.target, connections=2)
    assert all(result.error is None for result in results), results
    raws = sorted(capture.raw_messages, key=lambda raw: unfolded(raw, "Message-ID") or "")
    return [(raw, BytesParser(policy=default_policy).parsebytes(raw)) for raw in raws]  # type: ignore[misc]


NAMES = [
    "Sở Khoa học và Công nghệ",
    ISSUER,
    "Sở Khoa học và Công nghệ tỉnh Thừa Thiên Huế",  # "học và Công nghệ tỉnh Thừa Thiên Huế": no plain word
    "Văn phòng Sở (KH&CN), \"bộ phận một cửa\"",  # specials a phrase must not carry bare
]


def test_vietnamese_names_typed_in_nfd_travel_encoded_and_read_back_as_typed_in_nfc(capture: SmtpCapture) -> None:
    for (raw, message), name in zip(received_names(capture, NAMES), NAMES, strict=True):
        expected = unicodedata.normalize("NFC", name)
        for field in ("From", "Reply-To"):
            value = unfolded(raw, field)
            assert value is not None and value.isascii(), (name, field)
            words = re.findall(r"=\?[^?]+\?[bB]\?([^?]*)\?=", value)
            assert words, (name, field, "not RFC 2047 encoded")
            for word in words:  # each encoded-word NFC UTF-8 on its own: a reader may show them apart
                text = base64.b64decode(word).decode("utf-8")
                assert unicodedata.is_normalized("NFC", text), (name, field, text)
            folded = [line for line in header_block(raw).split(b"\r\n")]
            assert max(len(line) for line in folded if not line.startswith(b"Content-Type")) <= 78, (name, field)
            assert rfc2047_text(value.rsplit(" <", 1)[0]) == expected, (name, field, value)
            # Python's parser keeps the whitespace between two encoded-words (RFC 2047 drops it): where a run of
            # accented words has to be split, it reads a doubled space there, and nothing else differs
            shown = message[field].addresses[0].display_name
            assert " ".join(shown.split()) == expected, (name, field, shown)
        assert str(message["Subject"]) == unicodedata.normalize("NFC", f"Đôn đốc: {name}"), name
        assert message["Reply-To"].addresses[0].addr_spec == REPLY_TO


def test_without_a_contact_mailbox_a_letter_says_its_sender_takes_no_reply(
        template_home: Path, tmp_path: Path, capture: SmtpCapture, workshop_clock: FrozenClock) -> None:
    copy_home_database(template_home, tmp_path)
    app = build_app(load_settings(home=tmp_path, database_url=None, now=None, calendar_file=None, reply_to=" ",
                                  smtp_url=capture.url, secret_key="w" * 40), workshop_clock)
    try:
        launch(app, "consultation")
        run_due(app)
    finally:
        app.close()
    [invitation, *_] = capture.messages
    assert invitation["Reply-To"] is None
    text = invitation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = invitation.get_body(("html",)).get_content()  # type: ignore[union-attr]
    said = "điện thoại 0912 130 290. Địa chỉ gửi thư này không nhận thư trả lời."
    assert said in text and said in inline_text(html), text
    assert "thư điện tử" not in text and "mailto:" not in html
    assert "gửi ý kiến trực tuyến" in text and "Thư này không đính kèm tệp" not in text  # this round has no draft


def test_the_internal_mailbox_shows_where_a_reply_goes_and_long_names_as_a_mail_program_does(
        ykien_app: App) -> None:
    name = "Sở Khoa học và Công nghệ tỉnh Thừa Thiên Huế"  # split into two encoded-words: no plain word in the run
    email = OutgoingEmail("<r1-u1@skhcn.caobang.gov.vn>", sender_mailbox(name, "ykien@skhcn.caobang.gov.vn"),
                          "vanthu@caobang.example.vn", "Đôn đốc: V/v xin ý kiến", "Nội dung.", "<p>Nội dung.</p>",
                          reply_to=sender_mailbox(unicodedata.normalize("NFD", name), REPLY_TO), automatic=True)
    raw = render_message(email)
    assert len(re.findall(rb"=\?utf-8\?b\?", unfolded(raw, "From").encode())) > 2  # type: ignore[union-attr]
    store_received(ykien_app)(ReceivedMail("ykien@skhcn.caobang.gov.vn", ("vanthu@caobang.example.vn",),
                                           email.message_id, "Đôn đốc", raw, START))
    with ykien_app.uow(read_only=True) as uow:
        [summary] = uow.mailbox.newest(1, 0)
    shown = dict(received_message(ykien_app, summary.id).headers)
    assert shown["From"] == f"{name} <ykien@skhcn.caobang.gov.vn>", shown
    assert shown["Reply-To"] == f"{name} <{REPLY_TO}>", shown
    assert shown["Auto-Submitted"] == "Có (auto-generated)", shown

"""Delivery puts `render_message`'s bytes on the wire without scanning them (smtp_transaction.send_prepared's
`rendered`): that is right only if every message it renders is wire-ready as it is, whatever the staff typed into
the subject, the bodies, the sender's name or a header's value."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifications.message import OutgoingEmail, outbox_message_id, render_message
from notifications.smtp_transaction import wire_ready

ONE_LINE = st.text(st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]), max_size=120)
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=400)
HEADER_NAME = st.from_regex(r"X-[A-Za-z0-9.-]{1,20}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(subject=ONE_LINE, text=ANY_TEXT, html=ANY_TEXT, name=ONE_LINE, reply_name=ONE_LINE,
       headers=st.dictionaries(HEADER_NAME, ONE_LINE, max_size=3), automatic=st.booleans(),
       answers=st.booleans())
def test_every_rendered_message_is_wire_ready_as_it_is(subject: str, text: str, html: str, name: str,
                                                       reply_name: str, headers: dict[str, str], automatic: bool,
                                                       answers: bool) -> None:
    def mailbox(display: str, address: str) -> str:
        quoted = display.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{address}>' if display.strip() else address

    email = OutgoingEmail(message_id=outbox_message_id(7, 3), sender=mailbox(name, "ykien@skhcn.caobang.gov.vn"),
                          to="vanthu@sotaichinh.caobang.gov.vn", subject=subject, text=text, html=html,
                          headers=headers, reply_to=mailbox(reply_name, "tdc@skhcn.caobang.gov.vn"),
                          automatic=automatic, in_reply_to=outbox_message_id(1, 3) if answers else None)
    try:
        rendered = render_message(email)
    except ValueError:
        return  # refused (a header value the parser cannot take as one mailbox): nothing goes on the wire
    assert wire_ready(rendered) is rendered
    assert not any(line.startswith(b".") for line in rendered.split(b"\r\n"))


@pytest.mark.parametrize("name", [".X-Ykien", "."])
def test_a_header_name_starting_with_a_dot_is_refused(name: str) -> None:
    email = OutgoingEmail(message_id=outbox_message_id(7, 3), sender="ykien@skhcn.caobang.gov.vn",
                          to="vanthu@sotaichinh.caobang.gov.vn", subject="Thư", text="a", html="<p>a</p>",
                          headers={name: "1"})
    with pytest.raises(ValueError, match="invalid header name"):
        render_message(email)

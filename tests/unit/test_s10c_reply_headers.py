"""A later message to a unit names the invitation it follows in In-Reply-To and References (RFC 5322 3.6.4), which
no caller can set by hand, and a value that is not a Message-ID is refused before anything is sent."""
from __future__ import annotations

import pytest

from notifications.message import OutgoingEmail, build_message, render_message

INVITATION = "<4f1c.r7@so-khcn.caobang.gov.vn>"


def _email(**changes: object) -> OutgoingEmail:
    values: dict[str, object] = {"message_id": "<9a2e.r7@so-khcn.caobang.gov.vn>", "sender": "ykien@caobang.gov.vn",
                                 "to": "sct@caobang.gov.vn", "subject": "Nhắc gửi ý kiến", "text": "t", "html": "h"}
    return OutgoingEmail(**{**values, **changes})  # type: ignore[arg-type]


def test_a_reply_names_its_invitation_in_in_reply_to_and_references() -> None:
    message = build_message(_email(in_reply_to=INVITATION))
    assert message["In-Reply-To"] == INVITATION
    assert message["References"] == INVITATION
    assert message.get_all("In-Reply-To") == [INVITATION]


def test_an_invitation_names_none() -> None:
    raw = render_message(_email())
    assert b"In-Reply-To" not in raw and b"References" not in raw


@pytest.mark.parametrize("value", ["4f1c.r7@so-khcn", "<a b@c>", "<x@y>\r\nBcc: z@w"])
def test_an_in_reply_to_that_is_not_a_message_id_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="In-Reply-To"):
        render_message(_email(in_reply_to=value))


@pytest.mark.parametrize("name", ["In-Reply-To", "references"])
def test_the_threading_headers_cannot_be_set_by_hand(name: str) -> None:
    with pytest.raises(ValueError, match="set by render_message"):
        render_message(_email(headers={name: INVITATION}))

"""How a later email of each shipped kind cites the request it follows up, composed as the service composes it: the
round's letter by its number and date; else the unit's invitation by its day; else (the unit has no invitation to
cite) nothing; never an unnamed "văn bản", never "đã gửi … văn bản" (a letter is sent only as its signed copy at the
link, which the email then names as the invitation does)."""
from __future__ import annotations

import html as html_lib
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_mail_wording import EXTENSION, KINDS, LETTERS, one_line, render, visible

from workflows.service.outgoing import FILE_LIST_KINDS

LATER: dict[str, dict[str, Any]] = {
    "reminder_before": {},
    "reminder_overdue": {"days_overdue": 2},
    "extension": EXTENSION,
    "receipt": {"response_kind": "agree", "comment_count": 0, "late": False, "comments": [],
                "received_at": datetime(2025, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))},
    "task_reminder": {"task_title": "Chuẩn bị tham luận", "task_due": date(2025, 12, 3), "days_overdue": 0},
}
INVITED_ON = date(2025, 11, 21)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("message", sorted(LATER))
@pytest.mark.parametrize("cites", ["letter", "invitation", "nothing"])
def test_a_later_mail_cites_the_letter_else_the_invitation_by_its_day_and_never_an_unnamed_van_ban(
        kind: str, message: str, cites: str) -> None:
    email = render(kind, message, letter=LETTERS[kind] if cites == "letter" else None,
                   invited_on=INVITED_ON if cites != "nothing" else None, **LATER[message])
    for body in (one_line(email.text), visible(email.html)):
        said = body.split("Kính gửi:", 1)[1].split("Mọi thông tin")[0]
        assert "văn bản V/v" not in said and "tại văn bản" not in said, said
        assert "đã gửi quý cơ quan" not in said, said
        assert (LETTERS[kind] in said) == (cites == "letter"), said
        # the letter comes with the day of the invitation that told its content (session 12)
        assert ("thư điện tử ngày 21/11/2025" in said) == (cites != "nothing"), said
    said = one_line(email.text).split("Kính gửi:", 1)[1]
    assert " ," not in said and " ." not in said and " :" not in said, said  # no citation left out leaves a gap


@pytest.mark.parametrize("message", sorted(set(LATER) & FILE_LIST_KINDS))
def test_a_later_mail_names_the_files_at_its_link_as_the_invitation_does(message: str) -> None:
    email = render("workshop", message, letter=LETTERS["workshop"], invited_on=INVITED_ON,
                   draft_file="ke-hoach-hoi-thao.pdf", signed_letter=("Giấy mời dự Hội thảo", "giay-moi-ky.pdf"),
                   **LATER[message])
    named = ("Thư này không đính kèm tệp; tại đường dẫn trên, quý cơ quan tải được: Kế hoạch tổ chức Hội thảo (tệp "
             "ke-hoach-hoi-thao.pdf); Giấy mời dự Hội thảo, bản ký số (tệp giay-moi-ky.pdf).")
    invitation = render("workshop", "invitation", letter=LETTERS["workshop"], draft_file="ke-hoach-hoi-thao.pdf",
                        signed_letter=("Giấy mời dự Hội thảo", "giay-moi-ky.pdf"))
    for made in (email, invitation):
        assert named in one_line(made.text)
        assert named in one_line(html_lib.unescape(re.sub(r"<[^>]+>", "", made.html)))


@pytest.mark.parametrize("message", sorted(set(LATER) - FILE_LIST_KINDS))
def test_a_receipt_confirms_what_was_received_and_lists_no_files(message: str) -> None:
    email = render("workshop", message, letter=LETTERS["workshop"], invited_on=INVITED_ON,
                   draft_file="ke-hoach-hoi-thao.pdf", signed_letter=("Giấy mời dự Hội thảo", "giay-moi-ky.pdf"),
                   **LATER[message])
    assert "tải được" not in one_line(email.text) and "giay-moi-ky.pdf" not in email.html

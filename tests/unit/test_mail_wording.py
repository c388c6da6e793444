"""The emails of the four shipped kinds read as the Sở's own letters: composed as the service composes them (the
kind's terms filled with a title typed the way the seeds phrase it), each is checked for the wording a recipient's
văn thư would stumble on: a word said twice, the kind's internal words ("đợt"), a link explained as something the
unit cannot do, a request to be on time after the time, a signature block on one line."""
from __future__ import annotations

import html as html_lib
import re
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from notifications.compose import ComposedEmail, compose
from workflows.definition import Workflow, load_workflow
from workflows.service.outgoing import email_terms
from workflows.service.registry import DEFINITIONS, engine_registry
from workflows.service.rounds import default_subject

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ISSUER = "Sở Khoa học và Công nghệ"
GOVERNING_BODY = "UBND tỉnh Cao Bằng"
LINK = "https://ykien.skhcn.caobang.gov.vn/r/Zx81-personal-token"
# Titles as staff type them, after the seeds: the kind's own opening words included.
TITLES = {
    "consultation": "Dự thảo Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng dựa trên nền tảng khoa học,"
                    " công nghệ và đổi mới sáng tạo trên địa bàn tỉnh Cao Bằng, giai đoạn 2026 – 2030",
    "proposal_call": "Đề xuất nhiệm vụ KH&CN cấp quốc gia bắt đầu thực hiện từ năm 2027 thuộc Chương trình 1322",
    "report_collection": "Báo cáo kết quả thực hiện nhiệm vụ năm 2025 của Chương trình quốc gia hỗ trợ doanh nghiệp"
                         " nâng cao năng suất và chất lượng sản phẩm, hàng hóa giai đoạn 2021-2030",
    "workshop": "Hội thảo Giải pháp cải thiện, nâng cao Chỉ số Đổi mới sáng tạo cấp địa phương (PII) tỉnh Cao Bằng"
                " năm 2025 và những năm tiếp theo",
}
LETTERS = {"consultation": "Công văn số 812/SKHCN-TĐC ngày 20/11/2025",
           "proposal_call": "Công văn số 815/SKHCN-QLKH ngày 20/11/2025",
           "report_collection": "Công văn số 816/SKHCN-TĐC ngày 20/11/2025",
           "workshop": "Giấy mời số 817/GM-SKHCN ngày 20/11/2025"}
KINDS = list(TITLES)


@cache
def shipped(kind: str) -> Workflow:
    return load_workflow(DEFINITIONS / f"{kind}.yaml", engine_registry())


def context(kind: str, *, role: str = "comment", title: str | None = None, letter: str | None = None,
            **extra: Any) -> dict[str, Any]:
    """What the service gives the templates (workflows/service/outgoing.py: message_context)."""
    workflow = shipped(kind)
    title = TITLES[kind] if title is None else title
    values = {"title": title, "issuer_name": ISSUER, "governing_body": GOVERNING_BODY}
    return {
        "unit_name": "Sở Tài chính", "unit_code": "STC", "unit_contact": "Bà Hoàng Thị Mai", "round_title": title,
        "subject": default_subject(workflow, title), "deadline": date(2025, 12, 5),
        "link": None if role == "inform" else LINK, "role": role, "issuer_name": ISSUER,
        "governing_body": GOVERNING_BODY, "contact_name": "Ông Phạm Phi Long",
        "contact_title": "Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng", "contact_phone": "0912130290",
        "signer_name": "Nông Thị Thanh Huyền", "signer_title": "Giám đốc",
        "terms": email_terms(workflow, **values), "silence": None, "reference": "đợt 12", "letter": letter, **extra,
    }


def render(kind: str, message: str, **options: Any) -> ComposedEmail:
    return compose(message, context(kind, **options), template_set=kind)


def visible(markup: str) -> str:
    body = re.sub(r"<head>.*?</head>", " ", markup, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html_lib.unescape(body).split())


def one_line(text: str) -> str:
    return " ".join(text.split())


EXTENSION = {"old_deadline": date(2025, 12, 5), "new_deadline": date(2025, 12, 12), "reason": None}


# --- the extension notice: what is extended is named by the letter and its V/v, as the reminders do -----------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("letter", [True, False])
def test_the_extension_names_the_request_by_its_letter_and_subject_without_saying_it_twice(
        kind: str, letter: bool) -> None:
    # a round whose letter has no number cites the unit's invitation by its day, never an unnamed "văn bản"
    email = render(kind, "extension", letter=LETTERS[kind] if letter else None, invited_on=date(2025, 11, 21),
                   **EXTENSION)
    subject = default_subject(shipped(kind), TITLES[kind])
    for body in (one_line(email.text), visible(email.html)):
        # the letter with the day of the invitation that told its content, so the unit can match the two
        cited = (f"{LETTERS[kind]} V/v {subject} (nội dung đã thông báo đến quý cơ quan, đơn vị qua thư điện tử ngày "
                 f"21/11/2025)") if letter else f"thư điện tử ngày 21/11/2025 V/v {subject}"
        assert f"đã đề nghị tại {cited}: thời hạn cũ là hết ngày 05/12/2025" in body
        assert "văn bản V/v" not in body
        assert "nay gia hạn đến hết ngày 12/12/2025" in body and "chậm nhất trong ngày 12/12/2025" in body
        # the report collection said "báo cáo kết quả thực hiện đối với báo cáo kết quả thực hiện …", the call
        # for proposals "đối với đợt đề xuất nhiệm vụ … “Đề xuất nhiệm vụ …”", the workshop 'Hội thảo "Hội thảo'
        assert "đối với" not in body.split("V/v")[0]
        request = body.split("Mọi thông tin")[0]  # the footer's reference is not the request's wording
        assert " đợt " not in request and "“" not in request
        assert 'Hội thảo "Hội thảo' not in request


def test_an_extension_needs_no_topic_term_any_more() -> None:
    terms = {key: value for key, value in context("report_collection")["terms"].items() if key != "topic"}
    email = compose("extension", {**context("report_collection"), "terms": terms, **EXTENSION},
                    template_set="report_collection")
    assert "Gia hạn: V/v báo cáo kết quả thực hiện nhiệm vụ năm 2025" in email.subject


# --- the call for proposals: no "đợt", no title said twice ------------------------------------------------------

@pytest.mark.parametrize("role", ["comment", "publish", "inform"])
def test_a_call_for_proposals_says_what_the_so_does_in_the_seeds_words_once(role: str) -> None:
    email = render("proposal_call", "invitation", role=role)
    for body in (one_line(email.text), visible(email.html)):
        assert ("Thực hiện nhiệm vụ được giao, Sở Khoa học và Công nghệ tham mưu đề xuất nhiệm vụ KH&CN cấp quốc gia"
                " bắt đầu thực hiện từ năm 2027 thuộc Chương trình 1322.") in body
        assert "đợt" not in body.split("Mọi thông tin")[0]
        assert "Đề xuất nhiệm vụ" not in body  # the title's opening words are not repeated after the term's
    plain = render("proposal_call", "invitation", title="cấp quốc gia bắt đầu thực hiện từ năm 2027").text
    assert "tham mưu đề xuất nhiệm vụ cấp quốc gia bắt đầu thực hiện từ năm 2027." in plain


# --- the workshop: "Hội thảo" once, whether staff typed it in the title or not ----------------------------------

@pytest.mark.parametrize("title", [TITLES["workshop"], TITLES["workshop"].removeprefix("Hội thảo ")])
def test_a_workshop_is_named_hoi_thao_once(title: str) -> None:
    name = "Hội thảo Giải pháp cải thiện, nâng cao Chỉ số Đổi mới sáng tạo cấp địa phương (PII) tỉnh Cao Bằng"
    assert default_subject(shipped("workshop"), title).startswith(f"mời dự {name}")
    for message, extra in (("invitation", {}), ("reminder_before", {}), ("extension", EXTENSION)):
        email = render("workshop", message, title=title, **extra)
        for part in (email.subject, one_line(email.text), visible(email.html)):
            assert "Hội thảo Hội thảo" not in part and 'Hội thảo "Hội thảo' not in part
            assert name in part
    invitation = one_line(render("workshop", "invitation", title=title).text)
    assert f"phối hợp tổ chức {name}" in invitation


def test_a_workshop_invitation_asks_only_the_units_given_a_task_to_send_it() -> None:
    text = one_line(render("workshop", "invitation").text)
    assert "và gửi các nhiệm vụ được giao" not in text
    assert "đơn vị được giao chuẩn bị tham luận, tài liệu cho Hội thảo cũng gửi kết quả qua đường dẫn này" in text


# --- a unit asked only to publish: its link is to read the text, not to answer or confirm ------------------------

@pytest.mark.parametrize("kind", ["consultation", "proposal_call", "report_collection"])
def test_a_unit_asked_to_publish_is_not_told_to_answer_or_confirm_through_its_link(kind: str) -> None:
    email = render(kind, "invitation", role="publish")
    for body in (one_line(email.text), visible(email.html)):
        # its page takes no answer and has no confirmation to give (workflows/service/recipients.py)
        assert "xác nhận qua đường dẫn" not in body
        assert "Đường dẫn trả lời riêng" not in body
        assert f"Đường dẫn riêng của quý cơ quan: {LINK}" in body
        assert "cần đăng tải qua đường dẫn dưới đây" in body
    answering = render(kind, "invitation", role="comment")
    assert f"Đường dẫn trả lời riêng của quý cơ quan: {LINK}" in answering.text


# --- the receipt in plain text: the proposed wording on its own line, paragraphs apart -----------------------------

def test_the_plain_receipt_puts_each_proposed_wording_on_its_own_line() -> None:
    comments = [{"section": "Mục II.2", "text": "Đề nghị bổ sung chỉ tiêu.", "proposed_wording": "Hỗ trợ 50 doanh nghiệp."},
                {"section": None, "text": "Thống nhất mục III.", "proposed_wording": None}]
    email = render("consultation", "receipt", response_kind="comments", comment_count=2, late=True,
                   received_at=datetime(2025, 12, 9, 9, 30, tzinfo=TZ), comments=comments)
    assert ("Nội dung đã nhận:\n"
            "1. [Mục II.2] Đề nghị bổ sung chỉ tiêu.\n"
            "   Đề xuất sửa: Hỗ trợ 50 doanh nghiệp.\n"
            "2. Thống nhất mục III.\n"
            "\n"
            "Quý cơ quan gửi ý kiến góp ý sau thời hạn đã nêu (chậm nhất trong ngày 05/12/2025)") in email.text
    on_time = render("consultation", "receipt", response_kind="comments", comment_count=2, late=False,
                     received_at=datetime(2025, 12, 3, 14, 5, tzinfo=TZ), comments=comments)
    assert "2. Thống nhất mục III.\n\nQuý cơ quan có thể xem lại nội dung đã gửi" in on_time.text


# --- a preparatory task reminded after its due date ---------------------------------------------------------------

def test_an_overdue_task_is_not_asked_to_be_on_time() -> None:
    task = {"task_title": "Chuẩn bị tham luận trình bày tại Hội thảo", "task_due": date(2025, 12, 10)}
    overdue = render("workshop", "task_reminder", days_overdue=1, **task)
    for body in (one_line(overdue.text), visible(overdue.html)):
        assert "đúng hạn" not in body
        assert "đề nghị quý cơ quan, đơn vị khẩn trương gửi kết quả trong thời gian sớm nhất." in body
    before = render("workshop", "task_reminder", days_overdue=0, **task)
    assert "quan tâm, gửi kết quả đúng hạn." in before.text


# --- the signature block of a deputy signing on the director's behalf --------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_a_deputys_signature_block_is_two_lines_as_in_a_letter(kind: str) -> None:
    email = compose("invitation", {**context(kind), "signer_title": "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC",
                                   "signer_name": "Trần Quốc Anh"}, template_set=kind)
    assert "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nTrần Quốc Anh" in email.text
    assert "<strong>KT. GIÁM ĐỐC<br>PHÓ GIÁM ĐỐC</strong><br><br>Trần Quốc Anh" in email.html
    assert "ĐỐC/PHÓ" not in email.text and "ĐỐC/PHÓ" not in email.html
    director = render(kind, "invitation")
    assert "\nGIÁM ĐỐC\nNông Thị Thanh Huyền" in director.text


@pytest.mark.parametrize("kind", KINDS)
def test_a_deputys_title_typed_loosely_is_signed_as_the_letter_signs_it(kind: str) -> None:
    """The email signs under the lines the letter's signature block has, whatever the case and dots typed."""
    email = compose("invitation", {**context(kind), "signer_title": "Kt giám đốc / phó giám đốc",
                                   "signer_name": "Trần Quốc Anh"}, template_set=kind)
    assert "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nTrần Quốc Anh" in email.text
    assert "<strong>KT. GIÁM ĐỐC<br>PHÓ GIÁM ĐỐC</strong>" in email.html

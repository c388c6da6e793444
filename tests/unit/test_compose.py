"""The Vietnamese email templates: every template renders, escapes, and says what it must."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

import pytest

from notifications.compose import (
    COMMON_KEYS,
    KIND_KEYS,
    ComposedEmail,
    TemplateContextError,
    TemplateNotFound,
    compose,
    template_names,
    vn_date,
    vn_datetime,
    vn_long_date,
)

SILENCE = (
    "Quá thời hạn trên, nếu không nhận được ý kiến, Sở Khoa học và Công nghệ hiểu là"
    " quý cơ quan thống nhất với dự thảo."
)
LINK = "https://ykien.example.vn/r/Zx81-personal-token"


def full_context(template: str, **overrides: object) -> dict[str, object]:
    context: dict[str, object] = {
        "unit_name": "Sở Tài chính",
        "unit_code": "STC",
        "unit_contact": "Bà Nguyễn Thị Lan",
        "round_title": (
            "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng dựa trên nền tảng"
            " khoa học, công nghệ và đổi mới sáng tạo trên địa bàn tỉnh Cao Bằng, giai đoạn"
            " 2026 – 2030"
        ),
        "subject": "xin ý kiến góp ý đối với dự thảo Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất",
        "deadline": date(2025, 12, 5),
        "link": LINK,
        "role": "comment",
        "issuer_name": "Sở Khoa học và Công nghệ",
        "governing_body": "UBND tỉnh Cao Bằng",
        "contact_name": "Ông Phạm Phi Long",
        "contact_title": "Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng",
        "contact_phone": "0912130290",
        "signer_name": "Nông Thị Thanh Huyền",
        "signer_title": "Giám đốc",
        "silence_is_agreement": True,
        "reference": "round 12",
    }
    kind = template.split("/")[1]
    if kind == "extension":
        context.update(
            old_deadline=date(2025, 12, 5), new_deadline=date(2025, 12, 12), reason="Theo đề nghị"
        )
    elif kind == "receipt":
        context.update(
            response_kind="comments",
            comment_count=3,
            received_at=datetime(2025, 12, 4, 3, 5, tzinfo=timezone.utc),
            late=False,
            comments=[{"section": "Mục II.2", "text": "Bổ sung chỉ tiêu.", "proposed_wording": None}],
        )
    elif kind == "reminder_overdue":
        context.update(days_overdue=2)
    context.update(overrides)
    return context


def visible_text(markup: str) -> str:
    """What a reader of the HTML sees, with whitespace collapsed."""
    body = re.sub(r"<head>.*?</head>", " ", markup, flags=re.S)
    body = re.sub(r"</?(?:p|br|hr|div|body|html)\b[^>]*>", " ", body)  # block boundaries
    body = re.sub(r"<[^>]+>", "", body)  # inline tags such as <strong> and <a>
    return " ".join(html_lib.unescape(body).split())


ALL = template_names()
WITH_LINK_AND_SILENCE = [
    name for name in ALL if name.split("/")[1] in ("invitation", "reminder_before", "extension")
]


def test_template_names_cover_both_sets_and_every_kind() -> None:
    kinds = ("invitation", "reminder_before", "reminder_overdue", "extension", "receipt")
    assert sorted(ALL) == sorted(
        f"{s}/{k}" for s in ("consultation", "proposal_call") for k in kinds
    )


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("role", ["comment", "publish", "inform"])
def test_every_template_renders_for_every_role(name: str, role: str) -> None:
    email = compose(name, full_context(name, role=role))
    assert isinstance(email, ComposedEmail)
    assert email.text.startswith("Kính gửi: Sở Tài chính\n")
    assert "Ông Phạm Phi Long" in email.text and "0912130290" in email.text
    assert "GIÁM ĐỐC\nNông Thị Thanh Huyền" in email.text
    assert email.html.startswith("<!DOCTYPE html>")
    assert "Kính gửi:" in email.html and "Sở Tài chính" in email.html


@pytest.mark.parametrize("name", ALL)
def test_script_in_unit_name_and_round_title_is_escaped_in_html_and_verbatim_in_text(
    name: str,
) -> None:
    script = "<script>alert('x')</script>"
    email = compose(
        name, full_context(name, unit_name=f"Sở {script}", round_title=f"Kế hoạch {script}")
    )
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert f"Kính gửi: Sở {script}" in email.text


def test_html_escaping_keeps_ampersands_valid() -> None:
    email = compose("proposal_call/invitation", full_context("proposal_call/invitation"))
    assert "KH&amp;CN" in email.html
    assert "KH&CN" in email.text


@pytest.mark.parametrize("name", ALL)
def test_a_missing_context_key_raises_naming_the_template_and_key(name: str) -> None:
    kind = name.split("/")[1]
    for key in sorted(COMMON_KEYS | KIND_KEYS[kind]):
        context = full_context(name)
        del context[key]
        with pytest.raises(TemplateContextError, match=rf"{name}: .*\b{key}\b"):
            compose(name, context)


def test_an_unknown_role_is_refused() -> None:
    name = "consultation/invitation"
    with pytest.raises(TemplateContextError, match="role must be one of"):
        compose(name, full_context(name, role="comments"))


@pytest.mark.parametrize("name", ["consultation/nope", "_kinds/invitation", "../compose", ""])
def test_unknown_template_raises_template_not_found(name: str) -> None:
    with pytest.raises(TemplateNotFound):
        compose(name, full_context("consultation/invitation"))


@pytest.mark.parametrize("name", ALL)
def test_output_is_nfc_even_when_the_context_is_decomposed(name: str) -> None:
    nfd = {
        key: unicodedata.normalize("NFD", value)
        for key, value in full_context(name).items()
        if isinstance(value, str)
    }
    assert nfd["unit_name"] != "Sở Tài chính"  # really decomposed
    email = compose(name, full_context(name, **nfd))
    for part in (email.subject, email.text, email.html):
        assert unicodedata.is_normalized("NFC", part)
    assert "Kính gửi: Sở Tài chính" in email.text


@pytest.mark.parametrize("name", ALL)
def test_subject_is_a_single_line(name: str) -> None:
    email = compose(name, full_context(name, subject="xin ý kiến góp ý\n   đối với\tdự thảo  "))
    assert "\n" not in email.subject and "\t" not in email.subject
    assert "  " not in email.subject
    assert email.subject.endswith("V/v xin ý kiến góp ý đối với dự thảo")


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("consultation/invitation", "V/v "),
        ("consultation/reminder_before", "Đôn đốc: V/v "),
        ("consultation/reminder_overdue", "Quá hạn: V/v "),
        ("consultation/extension", "Gia hạn: V/v "),
        ("consultation/receipt", "Đã nhận ý kiến: V/v "),
        ("proposal_call/invitation", "V/v "),
        ("proposal_call/reminder_overdue", "Quá hạn: V/v "),
        ("proposal_call/receipt", "Đã nhận đề xuất: V/v "),
    ],
)
def test_subject_carries_the_kind_prefix_and_the_vv_line(name: str, prefix: str) -> None:
    context = full_context(name)
    assert compose(name, context).subject == prefix + str(context["subject"])


@pytest.mark.parametrize(
    "name", [n for n in ALL if n.split("/")[1] in ("invitation", "reminder_before", "reminder_overdue")]
)
def test_personal_link_appears_in_invitations_and_reminders(name: str) -> None:
    email = compose(name, full_context(name))
    assert f"Đường dẫn trả lời riêng của quý cơ quan: {LINK}" in email.text
    assert "không chuyển tiếp" in email.text
    assert f'href="{LINK}"' in email.html


def test_inform_without_link_renders_without_a_link_paragraph() -> None:
    name = "consultation/invitation"
    email = compose(name, full_context(name, role="inform", link=None))
    assert "Đường dẫn" not in email.text
    assert "để biết" in email.text


@pytest.mark.parametrize("name", WITH_LINK_AND_SILENCE)
def test_silence_sentence_present_only_when_the_letter_announced_it(name: str) -> None:
    with_flag = compose(name, full_context(name, silence_is_agreement=True))
    without_flag = compose(name, full_context(name, silence_is_agreement=False))
    if name.startswith("consultation/"):
        assert SILENCE in with_flag.text
        assert SILENCE in visible_text(with_flag.html)
    assert "Quá thời hạn trên" in with_flag.text
    assert "Quá thời hạn trên" not in without_flag.text
    assert "Quá thời hạn trên" not in without_flag.html


@pytest.mark.parametrize("name", ALL)
def test_silence_sentence_never_shown_to_units_asked_only_to_publish(name: str) -> None:
    email = compose(name, full_context(name, role="publish", silence_is_agreement=True))
    assert "Quá thời hạn trên" not in email.text


def test_consultation_invitation_asks_for_comments_before_the_deadline() -> None:
    text = compose("consultation/invitation", full_context("consultation/invitation")).text
    assert "đóng góp ý kiến đối với dự thảo" in text
    assert "trước ngày 05/12/2025" in text
    assert "trình UBND tỉnh Cao Bằng" in text


def test_publish_role_is_asked_to_post_the_draft_on_the_portal() -> None:
    name = "consultation/invitation"
    text = compose(name, full_context(name, role="publish")).text
    assert "đăng tải dự thảo trên Cổng thông tin điện tử" in text
    assert "đóng góp ý kiến" not in text


def test_proposal_call_invitation_asks_for_form_a1_through_the_link() -> None:
    text = compose("proposal_call/invitation", full_context("proposal_call/invitation")).text
    assert "Mẫu A1-ĐXNV" in text
    assert "đề xuất nhiệm vụ KH&CN" in text
    assert "Phiếu đề xuất" in text and LINK in text
    assert "góp ý" not in text


def test_overdue_reminder_counts_working_days() -> None:
    name = "consultation/reminder_overdue"
    text = compose(name, full_context(name, days_overdue=3)).text
    assert "đã quá hạn 3 ngày làm việc" in text


def test_extension_states_old_and_new_deadline_and_reason() -> None:
    name = "consultation/extension"
    text = compose(name, full_context(name, reason="Nhiều đơn vị đề nghị thêm thời gian")).text
    assert "thời hạn cũ là trước ngày 05/12/2025" in text
    assert "gia hạn đến trước ngày 12/12/2025" in text
    assert "Lý do gia hạn: Nhiều đơn vị đề nghị thêm thời gian" in text
    assert "Lý do" not in compose(name, full_context(name, reason=None)).text


def test_receipt_shows_vietnam_time_count_and_lateness() -> None:
    name = "consultation/receipt"
    on_time = compose(name, full_context(name)).text
    assert "văn bản góp ý gồm 3 ý kiến" in on_time
    assert "lúc 10:05 ngày 04/12/2025" in on_time
    assert "sau thời hạn" not in on_time
    late = compose(name, full_context(name, late=True, response_kind="agree")).text
    assert "thống nhất với dự thảo" in late
    assert "sau thời hạn" in late


def test_proposal_receipt_counts_forms() -> None:
    name = "proposal_call/receipt"
    text = compose(name, full_context(name, response_kind="proposals", comment_count=2)).text
    assert "2 Phiếu đề xuất nhiệm vụ KH&CN (Mẫu A1-ĐXNV)" in text


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("role", ["comment", "publish", "inform"])
def test_html_says_everything_the_text_says(name: str, role: str) -> None:
    email = compose(name, full_context(name, role=role, late=True))
    shown = visible_text(email.html)
    for line in email.text.splitlines():
        if any(ch.isalpha() for ch in line):
            assert " ".join(line.split()) in shown


def test_vietnamese_date_filters() -> None:
    assert vn_date(date(2025, 12, 5)) == "05/12/2025"
    assert vn_long_date(date(2025, 12, 5)) == "ngày 05 tháng 12 năm 2025"
    late_evening_utc = datetime(2025, 12, 4, 18, 30, tzinfo=timezone.utc)
    assert vn_date(late_evening_utc) == "05/12/2025"
    assert vn_datetime(late_evening_utc) == "01:30 ngày 05/12/2025"
    assert vn_datetime(datetime(2025, 1, 2, 8, 0, tzinfo=timezone(timedelta(hours=7)))) == (
        "08:00 ngày 02/01/2025"
    )
    with pytest.raises(ValueError, match="no time zone"):
        vn_datetime(datetime(2025, 1, 2, 8, 0))


def test_receipt_lists_the_comments_received_with_markup_escaped_in_html() -> None:
    comments = [{"section": "Mục IV", "text": "<script>alert(1)</script> Tách nguồn kinh phí.",
                 "proposed_wording": "Kinh phí từ ngân sách tỉnh & xã hội hóa"}]
    email = compose("consultation/receipt", full_context("consultation/receipt", comments=comments, comment_count=1))
    assert "[Mục IV] <script>alert(1)</script> Tách nguồn kinh phí." in email.text
    assert "Đề xuất sửa: Kinh phí từ ngân sách tỉnh & xã hội hóa" in email.text
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Tách nguồn kinh phí." in email.html
    assert "ngân sách tỉnh &amp; xã hội hóa" in email.html

"""The Vietnamese email templates: one generic set, the kind's words from its terms, overrides per kind."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from models.text import draft_kind
from notifications.compose import (
    COMMON_KEYS,
    MESSAGE_KEYS,
    MESSAGE_KINDS,
    ComposedEmail,
    TemplateContextError,
    TemplateNotFound,
    check_template_set,
    compose,
    vn_date,
    vn_datetime,
    vn_long_date,
)
from workflows.definition import Workflow, load_workflow
from workflows.definition.schema import fill_terms
from workflows.service.outgoing import email_terms
from workflows.service.registry import DEFINITIONS, engine_registry
from workflows.service.registry import MESSAGE_KINDS as REGISTRY_MESSAGE_KINDS

TEMPLATES = Path(__file__).resolve().parents[2] / "notifications" / "templates"
ISSUER = "Sở Khoa học và Công nghệ"
GOVERNING_BODY = "UBND tỉnh Cao Bằng"
SILENCE = (
    "Quá thời hạn nêu trên, cơ quan, đơn vị không có văn bản góp ý được hiểu là thống nhất"
    " với nội dung dự thảo."
)
LINK = "https://ykien.example.vn/r/Zx81-personal-token"
SUBJECTS = {
    "consultation": "xin ý kiến góp ý đối với dự thảo Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất",
    "proposal_call": "đề xuất nhiệm vụ khoa học và công nghệ năm 2027",
}


@cache
def shipped(kind: str) -> Workflow:
    return load_workflow(DEFINITIONS / f"{kind}.yaml", engine_registry())


def kind_words(kind: str, title: str, silence_is_agreement: bool = True) -> dict[str, Any]:
    """The terms and silence sentence of a shipped kind, filled as the service fills them."""
    wf = shipped(kind)
    values = {"title": title, "issuer_name": ISSUER, "governing_body": GOVERNING_BODY, "draft_kind": draft_kind(title)}
    sentence = wf.silence.sentence if silence_is_agreement else None
    return {
        "terms": email_terms(wf, **values),
        "silence": fill_terms(sentence, **values) if sentence else None,
    }


def full_context(name: str, **overrides: object) -> dict[str, object]:
    """Everything an email of `name` ("kind/message") needs; terms follow the (overridden) round title."""
    kind, message = name.split("/")
    context: dict[str, object] = {
        "unit_name": "Sở Tài chính",
        "unit_code": "STC",
        "unit_contact": "Bà Nguyễn Thị Lan",
        "round_title": (
            "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng dựa trên nền tảng"
            " khoa học, công nghệ và đổi mới sáng tạo trên địa bàn tỉnh Cao Bằng, giai đoạn"
            " 2026 – 2030"
        ),
        "subject": SUBJECTS.get(kind, SUBJECTS["consultation"]),
        "deadline": date(2025, 12, 5),
        "link": LINK,
        "role": "comment",
        "issuer_name": ISSUER,
        "governing_body": GOVERNING_BODY,
        "contact_name": "Ông Phạm Phi Long",
        "contact_title": "Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng",
        "contact_phone": "0912130290",
        "signer_name": "Nông Thị Thanh Huyền",
        "signer_title": "Giám đốc",
        "reference": "round 12",
    }
    if message == "extension":
        context.update(
            old_deadline=date(2025, 12, 5), new_deadline=date(2025, 12, 12), reason="Theo đề nghị"
        )
    elif message == "receipt":
        context.update(
            response_kind="comments",
            comment_count=3,
            received_at=datetime(2025, 12, 4, 3, 5, tzinfo=UTC),
            late=False,
            comments=[{"section": "Mục II.2", "text": "Bổ sung chỉ tiêu.", "proposed_wording": None}],
        )
    elif message == "reminder_overdue":
        context.update(days_overdue=2)
    elif message == "task_reminder":
        context.update(task_title="Chuẩn bị tham luận", task_due=date(2025, 8, 15), days_overdue=0)
    elif message == "task_receipt":
        context.update(task_title="Chuẩn bị tham luận", task_due=date(2025, 8, 15),
                       received_at=datetime(2025, 8, 14, 3, 5, tzinfo=UTC), late=False)
    context.update(overrides)
    if kind in SUBJECTS:
        words = kind_words(kind, str(context["round_title"]))
        context.setdefault("terms", words["terms"])
        context.setdefault("silence", words["silence"])
    return context


def render(name: str, context: dict[str, object], **options: Any) -> ComposedEmail:
    """Compose `name` ("kind/message") as the service does: the kind's folder first, then the generic set."""
    kind, message = name.split("/")
    return compose(message, context, template_set=kind, **options)


def visible_text(markup: str) -> str:
    """What a reader of the HTML sees, with whitespace collapsed."""
    body = re.sub(r"<head>.*?</head>", " ", markup, flags=re.S)
    body = re.sub(r"</?(?:p|br|hr|div|body|html)\b[^>]*>", " ", body)  # block boundaries
    body = re.sub(r"<[^>]+>", "", body)  # inline tags such as <strong> and <a>
    return " ".join(html_lib.unescape(body).split())


ALL = [f"{kind}/{message}" for kind in SUBJECTS for message in MESSAGE_KINDS]
WITH_LINK_AND_SILENCE = [
    name for name in ALL if name.split("/")[1] in ("invitation", "reminder_before", "extension")
]


def test_the_generic_set_has_every_part_of_every_message_and_the_registry_knows_them() -> None:
    assert set(REGISTRY_MESSAGE_KINDS) == set(MESSAGE_KINDS)
    for message in MESSAGE_KINDS:
        for part in ("subject", "txt", "html"):
            assert (TEMPLATES / "_generic" / f"{message}.{part}.j2").is_file()


def test_shipped_kinds_keep_only_real_overrides() -> None:
    kind_folders = [p for p in TEMPLATES.iterdir() if p.is_dir() and not p.name.startswith("_")]
    for folder in kind_folders:
        assert check_template_set(folder) == []
    assert sorted(p.name for p in (TEMPLATES / "consultation").iterdir()) == ["receipt.subject.j2"]
    assert not (TEMPLATES / "proposal_call").exists()


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("role", ["comment", "publish", "inform"])
def test_every_template_renders_for_every_role(name: str, role: str) -> None:
    email = render(name, full_context(name, role=role))
    assert isinstance(email, ComposedEmail)
    assert email.text.startswith("UBND TỈNH CAO BẰNG\nSỞ KHOA HỌC VÀ CÔNG NGHỆ\nV/v ")  # the letterhead, as in HTML
    assert "\n\nKính gửi: Sở Tài chính\n" in email.text
    assert "Ông Phạm Phi Long" in email.text and "0912130290" in email.text
    assert "GIÁM ĐỐC\nNông Thị Thanh Huyền" in email.text
    assert email.html.startswith("<!DOCTYPE html>")
    assert "Kính gửi:" in email.html and "Sở Tài chính" in email.html


@pytest.mark.parametrize("name", ALL)
def test_script_in_unit_name_and_round_title_is_escaped_in_html_and_verbatim_in_text(
    name: str,
) -> None:
    script = "<script>alert('x')</script>"
    email = render(
        name, full_context(name, unit_name=f"Sở {script}", round_title=f"Kế hoạch {script}")
    )
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert f"Kính gửi: Sở {script}" in email.text


def test_html_escaping_keeps_ampersands_valid() -> None:
    email = render("proposal_call/invitation", full_context("proposal_call/invitation"))
    assert "KH&amp;CN" in email.html
    assert "KH&CN" in email.text


@pytest.mark.parametrize("name", ALL)
def test_a_missing_context_key_raises_naming_the_template_and_key(name: str) -> None:
    kind = name.split("/")[1]
    for key in sorted(COMMON_KEYS | MESSAGE_KEYS[kind]):
        context = full_context(name)
        del context[key]
        with pytest.raises(TemplateContextError, match=rf"{name}: .*\b{key}\b"):
            render(name, context)


def test_an_unknown_role_is_refused() -> None:
    name = "consultation/invitation"
    with pytest.raises(TemplateContextError, match="role must be one of"):
        render(name, full_context(name, role="comments"))


@pytest.mark.parametrize(
    "message", ["nope", "consultation/invitation", "_generic/invitation", "../compose", ""]
)
def test_unknown_message_kind_raises_template_not_found(message: str) -> None:
    with pytest.raises(TemplateNotFound):
        compose(message, full_context("consultation/invitation"))


@pytest.mark.parametrize("template_set", ["_generic", "_layout", "../notifications", "Consultation", ""])
def test_a_template_set_that_is_not_a_kind_name_raises_template_not_found(template_set: str) -> None:
    with pytest.raises(TemplateNotFound, match="template set"):
        compose("invitation", full_context("consultation/invitation"), template_set=template_set)


@pytest.mark.parametrize("name", ALL)
def test_output_is_nfc_even_when_the_context_is_decomposed(name: str) -> None:
    nfd = {
        key: unicodedata.normalize("NFD", value)
        for key, value in full_context(name).items()
        if isinstance(value, str)
    }
    assert nfd["unit_name"] != "Sở Tài chính"  # really decomposed
    email = render(name, full_context(name, **nfd))
    for part in (email.subject, email.text, email.html):
        assert unicodedata.is_normalized("NFC", part)
    assert "Kính gửi: Sở Tài chính" in email.text


@pytest.mark.parametrize("name", ALL)
def test_subject_is_a_single_line(name: str) -> None:
    email = render(name, full_context(name, subject="xin ý kiến góp ý\n   đối với\tdự thảo  "))
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
        ("proposal_call/receipt", "Đã nhận phiếu đề xuất: V/v "),
    ],
)
def test_subject_carries_the_kind_prefix_and_the_vv_line(name: str, prefix: str) -> None:
    context = full_context(name)
    assert render(name, context).subject == prefix + str(context["subject"])


@pytest.mark.parametrize(
    "name", [n for n in ALL if n.split("/")[1] in ("invitation", "reminder_before", "reminder_overdue")]
)
def test_personal_link_appears_in_invitations_and_reminders(name: str) -> None:
    email = render(name, full_context(name))
    assert f"Đường dẫn trả lời riêng của quý cơ quan: {LINK}" in email.text
    assert "không chuyển tiếp" in email.text
    assert f'href="{LINK}"' in email.html


def test_inform_without_link_renders_without_a_link_paragraph() -> None:
    name = "consultation/invitation"
    email = render(name, full_context(name, role="inform", link=None))
    assert "Đường dẫn" not in email.text
    assert "để biết" in email.text


@pytest.mark.parametrize("name", [n for n in WITH_LINK_AND_SILENCE if n.startswith("consultation/")])
def test_silence_sentence_present_only_when_the_letter_announced_it(name: str) -> None:
    with_flag = render(name, full_context(name))
    without_flag = render(name, full_context(name, silence=None))
    assert SILENCE in with_flag.text
    assert SILENCE in visible_text(with_flag.html)
    assert "Quá thời hạn" not in without_flag.text
    assert "Quá thời hạn" not in without_flag.html


@pytest.mark.parametrize("name", [n for n in ALL if n.startswith("proposal_call/")])
@pytest.mark.parametrize("role", ["comment", "publish", "inform"])
def test_a_call_for_proposals_never_says_silence_is_agreement(name: str, role: str) -> None:
    assert shipped("proposal_call").silence.sentence is None
    email = render(name, full_context(name, role=role))
    assert "Quá thời hạn" not in email.text
    assert "Quá thời hạn" not in email.html


@pytest.mark.parametrize("name", ALL)
def test_silence_sentence_never_shown_to_units_asked_only_to_publish(name: str) -> None:
    email = render(name, full_context(name, role="publish", silence=SILENCE))
    assert "Quá thời hạn" not in email.text


def test_consultation_invitation_asks_for_comments_by_the_deadline_day_included() -> None:
    text = render("consultation/invitation", full_context("consultation/invitation")).text
    assert "đóng góp ý kiến đối với dự thảo" in text
    assert "chậm nhất trong ngày 05/12/2025" in text and "trước ngày" not in text
    assert "trình UBND tỉnh Cao Bằng" in text


def test_publish_role_is_asked_to_post_the_draft_on_the_portal() -> None:
    name = "consultation/invitation"
    text = render(name, full_context(name, role="publish")).text
    assert "đăng tải dự thảo trên Cổng thông tin điện tử" in text
    assert "đóng góp ý kiến" not in text


def test_proposal_call_invitation_asks_for_form_a1_through_the_link() -> None:
    text = render("proposal_call/invitation", full_context("proposal_call/invitation")).text
    assert "Mẫu A1-ĐXNV" in text
    assert "đề xuất nhiệm vụ KH&CN" in text
    assert "Phiếu đề xuất" in text and LINK in text
    assert "góp ý" not in text


def test_overdue_reminder_counts_working_days() -> None:
    name = "consultation/reminder_overdue"
    text = render(name, full_context(name, days_overdue=3)).text
    assert "đã quá hạn 3 ngày làm việc" in text


def test_extension_states_old_and_new_deadline_and_reason() -> None:
    name = "consultation/extension"
    text = render(name, full_context(name, reason="Nhiều đơn vị đề nghị thêm thời gian")).text
    assert "thời hạn cũ là hết ngày 05/12/2025" in text
    assert "gia hạn đến hết ngày 12/12/2025" in text
    assert "chậm nhất trong ngày 12/12/2025" in text and "trước ngày" not in text
    assert "Lý do gia hạn: Nhiều đơn vị đề nghị thêm thời gian" in text
    assert "Lý do" not in render(name, full_context(name, reason=None)).text


def test_receipt_shows_vietnam_time_count_and_lateness() -> None:
    name = "consultation/receipt"
    on_time = render(name, full_context(name)).text
    assert "văn bản góp ý gồm 3 ý kiến" in on_time
    assert "lúc 10:05 ngày 04/12/2025" in on_time
    assert "sau thời hạn" not in on_time
    late = render(name, full_context(name, late=True, response_kind="agree")).text
    assert "thống nhất với dự thảo" in late
    assert "sau thời hạn" in late


def test_proposal_receipt_counts_forms() -> None:
    name = "proposal_call/receipt"
    text = render(name, full_context(name, response_kind="proposals", comment_count=2)).text
    assert "2 Phiếu đề xuất nhiệm vụ KH&CN (Mẫu A1-ĐXNV)" in text


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("role", ["comment", "publish", "inform"])
def test_html_says_everything_the_text_says(name: str, role: str) -> None:
    email = render(name, full_context(name, role=role, late=True))
    shown = visible_text(email.html)
    for line in email.text.splitlines():
        if any(ch.isalpha() for ch in line):
            assert " ".join(line.split()) in shown


def test_vietnamese_date_filters() -> None:
    assert vn_date(date(2025, 12, 5)) == "05/12/2025"
    assert vn_long_date(date(2025, 12, 5)) == "ngày 05 tháng 12 năm 2025"
    late_evening_utc = datetime(2025, 12, 4, 18, 30, tzinfo=UTC)
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
    email = render("consultation/receipt", full_context("consultation/receipt", comments=comments, comment_count=1))
    assert "[Mục IV] <script>alert(1)</script> Tách nguồn kinh phí." in email.text
    assert "Đề xuất sửa: Kinh phí từ ngân sách tỉnh & xã hội hóa" in email.text
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Tách nguồn kinh phí." in email.html
    assert "ngân sách tỉnh &amp; xã hội hóa" in email.html


# A kind ykien does not ship: only its terms, filled by hand (notifications never reads definitions).
SURVEY_TERMS: dict[str, Any] = {
    "verb": "khảo sát",
    "answer": "phiếu khảo sát",
    "topic": "khảo sát nhu cầu chuyển đổi số năm 2026",
    "response": "Phiếu khảo sát đã điền",
    "purpose": "tổng hợp nhu cầu, báo cáo UBND tỉnh Cao Bằng",
    "deadline_label": "Thời hạn gửi phiếu khảo sát",
    "request": {
        "comment": ["Sở Khoa học và Công nghệ tổ chức khảo sát nhu cầu chuyển đổi số năm 2026.",
                    "Đề nghị quý cơ quan điền Phiếu khảo sát."],
        "publish": ["Đề nghị quý cơ quan đăng tải thông báo khảo sát trên Cổng thông tin điện tử."],
        "inform": ["Sở Khoa học và Công nghệ trân trọng gửi quý cơ quan, đơn vị để biết."],
    },
    "link_hint": {
        "comment": "Quý cơ quan điền phiếu trực tuyến qua đường dẫn dưới đây.",
        "publish": "Sau khi đăng tải, đề nghị quý cơ quan xác nhận qua đường dẫn dưới đây.",
        "inform": "Quý cơ quan có thể xem phiếu qua đường dẫn dưới đây.",
    },
    "awaited": {"comment": "Phiếu khảo sát", "publish": "xác nhận đã đăng tải", "inform": "Phiếu khảo sát"},
    "received": {
        "comments": "văn bản trả lời gồm {count} ý kiến",
        "agree": "văn bản trả lời không có nhu cầu",
        "proposals": "{count} Phiếu khảo sát",
    },
}


def survey_context(message: str, **overrides: object) -> dict[str, object]:
    return full_context(f"survey/{message}", **{"terms": SURVEY_TERMS, "silence": None,
                                                  "subject": "khảo sát nhu cầu", **overrides})


@pytest.mark.parametrize("message", MESSAGE_KINDS)
@pytest.mark.parametrize("role", ["comment", "publish", "inform"])
def test_a_kind_with_only_terms_composes_every_message(message: str, role: str) -> None:
    email = render(f"survey/{message}", survey_context(message, role=role, response_kind="proposals"))
    assert email.text.startswith("UBND TỈNH CAO BẰNG\nSỞ KHOA HỌC VÀ CÔNG NGHỆ\nV/v khảo sát nhu cầu\n\nKính gửi: Sở Tài chính\n")
    assert email.subject.endswith("V/v khảo sát nhu cầu")
    for word in ("góp ý", "dự thảo", "thống nhất", "đề xuất"):
        assert word not in email.text.lower() and word not in email.subject.lower()
    if message == "invitation":
        assert SURVEY_TERMS["request"][role][-1] in email.text
    if message == "receipt":
        assert email.subject == "Đã nhận phiếu khảo sát: V/v khảo sát nhu cầu"
        assert "3 Phiếu khảo sát" in email.text


def test_a_kind_overrides_one_template_and_the_others_stay_generic(tmp_path: Path) -> None:
    own = tmp_path / "survey" / "emails"  # a department's kind: <kind>/emails/ beside its YAML file
    own.mkdir(parents=True)
    (own / "invitation.subject.j2").write_text("Phiếu khảo sát: V/v {{ subject }}", encoding="utf-8")
    (own / "receipt.txt.j2").write_text(
        '{% extends "_generic/receipt.txt.j2" %}\n'
        "{% block closing %}Trân trọng cảm ơn quý cơ quan đã điền phiếu./.{% endblock %}\n",
        encoding="utf-8",
    )
    assert check_template_set(own) == []

    generic = render("survey/invitation", survey_context("invitation"))
    mine = render("survey/invitation", survey_context("invitation"), search_path=[own])
    assert generic.subject == "V/v khảo sát nhu cầu"
    assert mine.subject == "Phiếu khảo sát: V/v khảo sát nhu cầu"
    assert (mine.text, mine.html) == (generic.text, generic.html)

    generic = render("survey/receipt", survey_context("receipt"))
    mine = render("survey/receipt", survey_context("receipt"), search_path=[own])
    assert "Trân trọng cảm ơn quý cơ quan đã điền phiếu./." in mine.text
    assert "đã nhận được văn bản trả lời gồm 3 ý kiến" in mine.text  # the rest of the generic receipt
    assert (mine.subject, mine.html) == (generic.subject, generic.html)


def test_a_kinds_own_folder_comes_before_ykiens_own_templates_of_that_kind(tmp_path: Path) -> None:
    name = "consultation/receipt"
    assert render(name, full_context(name)).subject.startswith("Đã nhận ý kiến: ")  # templates/consultation/
    (tmp_path / "receipt.subject.j2").write_text("Đã nhận: V/v {{ subject }}", encoding="utf-8")
    assert render(name, full_context(name), search_path=[tmp_path]).subject.startswith("Đã nhận: V/v ")
    # Without the folder (another round, another kind), nothing of it remains.
    assert render(name, full_context(name)).subject.startswith("Đã nhận ý kiến: ")
    with pytest.raises(TemplateNotFound, match="name the kind"):
        compose("receipt", full_context(name), search_path=[tmp_path])


def test_a_misnamed_or_broken_override_is_reported(tmp_path: Path) -> None:
    (tmp_path / "invitaton.txt.j2").write_text("{{ subject }}", encoding="utf-8")
    (tmp_path / "receipt.text.j2").write_text("{{ subject }}", encoding="utf-8")
    (tmp_path / "reminder_before.html.j2").write_text("{% if subject %}\nno end", encoding="utf-8")
    problems = check_template_set(tmp_path)
    assert len(problems) == 3
    assert "invitaton.txt.j2: không phải mẫu thư: hãy đặt tên <thư>.subject.j2" in problems[0]
    assert "receipt.text.j2: không phải mẫu thư" in problems[1]
    assert re.search(r"reminder_before\.html\.j2:2: lỗi cú pháp mẫu Jinja: .*endif", problems[2])


def test_an_override_not_in_utf8_is_named_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "invitation.txt.j2").write_bytes("Kính gửi {{ unit }}".encode("cp1258", "replace"))  # saved as Windows-1258
    assert check_template_set(tmp_path) == [
        f"{tmp_path / 'invitation.txt.j2'}: không phải văn bản UTF-8 (byte thứ 2 không đọc được); "
        "hãy lưu lại tệp bằng bảng mã UTF-8"]


@pytest.mark.parametrize("message", MESSAGE_KINDS)
@pytest.mark.parametrize("role", ["comment", "publish", "inform"])
@pytest.mark.parametrize("response_kind", ["proposals", "agree"])
def test_a_call_for_proposals_never_says_comment_nor_agreement(message: str, role: str, response_kind: str) -> None:
    name = f"proposal_call/{message}"
    email = render(name, full_context(name, role=role, response_kind=response_kind, comments=[]))
    for part in (email.subject, email.text, visible_text(email.html)):
        assert "góp ý" not in part.lower()
        assert "thống nhất" not in part.lower()


def test_the_generic_templates_take_every_word_of_a_kind_from_its_terms() -> None:
    for path in sorted((TEMPLATES / "_generic").glob("*.j2")) + sorted(TEMPLATES.glob("_[lm]*/*.j2")):
        text = path.read_text(encoding="utf-8").lower()
        for word in ("góp ý", "dự thảo", "thống nhất", "phiếu", "nhiệm vụ"):
            assert word not in text, f"{path.name} says {word!r}: take it from terms"


def test_a_script_in_the_title_reaches_the_email_through_the_terms_escaped_in_html() -> None:
    script = "<script>alert('x')</script>"
    name = "consultation/invitation"
    email = render(name, full_context(name, round_title=f"Kế hoạch {script}"))
    assert f"xây dựng dự thảo Kế hoạch {script}." in email.text
    assert "<script>" not in email.html
    assert "xây dựng dự thảo Kế hoạch &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;." in email.html


@pytest.mark.parametrize(
    ("message", "term", "named"),
    [
        ("invitation", "deadline_label", "'deadline_label'"),
        ("invitation", "request", "'request'"),
        ("reminder_before", "purpose", "'purpose'"),
        ("extension", "awaited", "'awaited'"),
        ("receipt", "verb", "'verb'"),
    ],
)
def test_a_missing_term_is_refused_naming_the_term(message: str, term: str, named: str) -> None:
    terms = {key: value for key, value in SURVEY_TERMS.items() if key != term}
    with pytest.raises(TemplateContextError, match=rf"survey/{message}: missing term {named}"):
        render(f"survey/{message}", survey_context(message, terms=terms))


def test_a_term_missing_for_the_units_role_or_answer_is_refused_naming_it() -> None:
    terms = {**SURVEY_TERMS, "request": {"comment": ["Đề nghị điền phiếu."]}}
    with pytest.raises(TemplateContextError, match=r"missing term 'request\.publish'"):
        render("survey/invitation", survey_context("invitation", terms=terms, role="publish"))
    terms = {**SURVEY_TERMS, "received": {"comments": "văn bản gồm {count} ý kiến"}}
    with pytest.raises(TemplateContextError, match=r"missing term 'received\.agree'"):
        render("survey/receipt", survey_context("receipt", terms=terms, response_kind="agree"))


def test_a_term_an_override_needs_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "invitation.subject.j2").write_text("{{ terms.round }}: V/v {{ subject }}", encoding="utf-8")
    with pytest.raises(TemplateContextError, match=r"survey/invitation: .*'round'"):
        render("survey/invitation", survey_context("invitation"), search_path=[tmp_path])

"""The round's forms, answers and timeline ask the definition: its reminders, its field kinds, its words.

Pure: the shipped definitions and a department's test kind (tests/fixtures/kinds/survey_grace.yaml, with a
grace period, an overdue reminder and a field of every kind) are loaded from their files; nothing is stored.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.calendar import vietnam_calendar
from models.audit import AuditEvent
from models.db.response_repository import stored_proposals
from workflows.definition import Workflow, load_workflow
from workflows.service.answer_input import AnswerInvalid, clean_proposals
from workflows.service.errors import FormErrors
from workflows.service.registry import engine_registry, get_workflow
from workflows.service.rounds import default_subject
from workflows.web.forms.round_forms import (
    RecipientChoice,
    RoundForm,
    check_round_form,
    default_policy,
    policy_overrides,
    read_policy,
    read_round_form,
)
from workflows.web.pages.timeline import timeline

SURVEY = Path(__file__).parents[1] / "fixtures" / "kinds" / "survey_grace.yaml"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def survey() -> Workflow:
    return load_workflow(SURVEY, engine_registry())


def problems(spec, values: dict[str, str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The problems of one filled form by field key (the input's name without its p_ or p<n>_ prefix)."""
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(spec, [values])
    return {p.field.split("_", 1)[1]: p.message for p in refused.value.problems}


def clean_proposal(spec, values: dict[str, str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    (cleaned,) = clean_proposals(spec, [values])
    return cleaned


GOOD = {"need": "Truy xuất nguồn gốc", "details": "Dòng 1\nDòng 2", "budget": "1.500.000", "email": "a@b.vn",
        "field": "Y tế"}


# --- field kinds ---------------------------------------------------------------------------------------------

def test_each_field_kind_is_cleaned_to_what_is_stored(survey: Workflow) -> None:
    cleaned = clean_proposal(survey.response, {**GOOD, "staff": "12", "months": "24", "start": "2026-03-02",
                                               "phone": "0206 3852 202", "level": "Cấp xã", "need": "  Hai   dòng\n"})
    assert cleaned == {"need": "Hai dòng", "details": "Dòng 1\nDòng 2", "staff": "12", "budget": "1500000",
                       "months": "24", "start": "02/03/2026", "email": "a@b.vn", "phone": "0206 3852 202",
                       "field": "Y tế", "level": "Cấp xã"}
    assert clean_proposal(survey.response, {**GOOD, "start": "2/3/2026"})["start"] == "02/03/2026"


@pytest.mark.parametrize("key, value, expected", [
    ("staff", "mười hai", "Số cán bộ tham gia: \"mười hai\" phải là số nguyên"),
    ("staff", "0", "Số cán bộ tham gia: 0 nhỏ hơn mức tối thiểu 1."),
    ("staff", "501", "Số cán bộ tham gia: 501 lớn hơn mức tối đa 500."),
    ("budget", "-5.000", "Kinh phí dự kiến: -5.000 đồng nhỏ hơn mức tối thiểu 0 đồng."),
    ("budget", "1,5 tỷ", "Kinh phí dự kiến: \"1,5 tỷ\" phải là số tiền (đồng)"),
    ("months", "40", "Thời gian (tháng): 40 tháng lớn hơn mức tối đa 36 tháng."),
    ("start", "31/02/2026", "Ngày bắt đầu dự kiến: \"31/02/2026\" không phải ngày"),
    ("email", "sct@", "Thư điện tử liên hệ: \"sct@\" không phải địa chỉ thư điện tử hợp lệ"),
    ("phone", "gọi tôi", "Điện thoại liên hệ: \"gọi tôi\" không phải số điện thoại"),
    ("field", "Giáo dục", "Lĩnh vực: \"Giáo dục\" không có trong các lựa chọn (Nông nghiệp; Công nghiệp; Y tế)."),
    ("need", "x" * 21, "Tên nhu cầu: dài 21 ký tự, tối đa 20."),
])
def test_a_bad_value_is_refused_naming_the_field_by_its_label(survey: Workflow, key: str, value: str,
                                                              expected: str) -> None:
    found = problems(survey.response, {**GOOD, key: value})
    assert list(found) == [key]
    assert found[key].startswith(expected), found[key]


def test_every_problem_of_a_form_is_reported_at_once(survey: Workflow) -> None:
    found = problems(survey.response, {"staff": "abc", "budget": "-1", "email": "x", "field": "Khác"})
    assert set(found) == {"need", "details", "staff", "budget", "email", "field"}
    assert found["need"] == "Tên nhu cầu: chưa điền (bắt buộc)."


def test_the_shipped_proposal_form_bounds_months_and_money_from_its_definition() -> None:
    spec = get_workflow("proposal_call").response
    found = problems(spec, {"duration_months": "121", "budget_state": "-1"})
    assert "lớn hơn mức tối đa 120 tháng" in found["duration_months"]
    assert found["budget_state"] == "Phiếu 1: Kinh phí ngân sách nhà nước: -1 đồng nhỏ hơn mức tối thiểu 0 đồng."


# --- several forms in one answer ----------------------------------------------------------------------------

A1 = {"task_name": "Ứng dụng IoT", "urgency": "Cần thiết", "objectives": "Tăng năng suất", "main_contents": "Khảo sát",
      "expected_results": "Mô hình", "expected_impact": "Hiệu quả", "application_sites": "Hợp tác xã",
      "duration_months": "24", "budget_state": "1.500.000.000", "organisation": "Sở Công Thương",
      "address": "Cao Bằng", "contact_person": "Ông A", "phone": "0206 3852 202", "email": "sct@caobang.example.vn"}


def test_a_repeatable_form_takes_several_items_and_skips_blank_ones() -> None:
    spec = get_workflow("proposal_call").response
    blank = dict.fromkeys(A1, "  ")
    cleaned = clean_proposals(spec, [A1, {**A1, "task_name": "Năng suất xanh"}, blank, {}])
    assert [p["task_name"] for p in cleaned] == ["Ứng dụng IoT", "Năng suất xanh"]
    assert cleaned[0]["budget_state"] == "1500000000"


def test_a_bad_item_is_named_by_its_number_and_marks_its_own_fields() -> None:
    spec = get_workflow("proposal_call").response
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(spec, [A1, {**A1, "task_name": "", "duration_months": "hai năm"}, {}])
    found = {p.field: p.message for p in refused.value.problems}
    assert found["p2_task_name"] == "Phiếu 2: Tên nhiệm vụ: chưa điền (bắt buộc)."
    assert found["p2_duration_months"].startswith("Phiếu 2: Thời gian thực hiện (tháng): \"hai năm\" phải là số tháng")
    assert set(found) == {"p2_task_name", "p2_duration_months"}


def test_an_answer_with_no_filled_item_names_the_required_fields_of_the_first() -> None:
    spec = get_workflow("proposal_call").response
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(spec, [{}, {}])
    assert "Phiếu 1: Tên nhiệm vụ: chưa điền (bắt buộc)." in [p.message for p in refused.value.problems]


def test_more_items_than_the_definition_allows_are_refused() -> None:
    spec = get_workflow("proposal_call").response
    assert len(clean_proposals(spec, [A1] * spec.max_items)) == 10
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(spec, [A1] * (spec.max_items + 1))
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("proposals", "Nhiều nhất 10 phiếu trong một lần gửi (đang có 11).")]


def test_a_form_that_is_not_repeatable_refuses_two_items(survey: Workflow) -> None:
    assert not survey.response.repeatable
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(survey.response, [GOOD, GOOD])
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("proposals", "Mỗi lần gửi chỉ nhận một phiếu (đang có 2).")]
    assert clean_proposals(survey.response, [GOOD, {}])[0]["need"] == "Truy xuất nguồn gốc"


def test_answers_stored_before_forms_could_repeat_read_back_as_one_form() -> None:
    assert stored_proposals({"task_name": "Cũ", "budget_other": None}) == ({"task_name": "Cũ"},)
    assert stored_proposals([{"task_name": "A"}, {"task_name": "B"}]) == ({"task_name": "A"}, {"task_name": "B"})
    assert stored_proposals(None) == stored_proposals({}) == stored_proposals([]) == ()


# --- the create form: reminders, silence, subject ------------------------------------------------------------

def test_the_reminder_policy_lists_the_answering_states_reminders_by_title(survey: Workflow) -> None:
    call = default_policy(get_workflow("proposal_call"))
    assert [(c.name, c.title, c.after, c.days) for c in call.choices] == [
        ("remind_before", "Nhắc trước hạn", False, "2")]
    own = default_policy(survey)
    assert [(c.name, c.title, c.after, c.days) for c in own.choices] == [
        ("remind_before", "Nhắc trước hạn", False, "2"), ("remind_overdue", "Nhắc quá hạn", True, "1")]


def test_reminders_are_moved_or_switched_off_as_timer_overrides(survey: Workflow) -> None:
    typed = read_policy({"timer_remind_before_days": ["4"], "timer_remind_overdue_days": ["2"],
                         "timer_remind_overdue": ["on"]}, survey)
    assert policy_overrides(typed, survey) == {"remind_before": "off", "remind_overdue": "deadline + 2 working days"}
    untouched = read_policy({}, survey)  # a form that did not show this kind's reminders: the definition's
    assert policy_overrides(untouched, survey) == {"remind_before": "deadline - 2 working days",
                                                   "remind_overdue": "deadline + 1 working day"}


def test_a_reminder_moved_past_the_close_is_refused(survey: Workflow) -> None:
    typed = read_policy({"timer_remind_overdue": ["on"], "timer_remind_overdue_days": ["4"],
                         "timer_remind_before": ["on"], "timer_remind_before_days": ["99"]}, survey)
    with pytest.raises(FormErrors) as refused:
        policy_overrides(typed, survey)
    assert refused.value.errors == {
        "timer_remind_before_days": "Nhắc trước hạn: số ngày làm việc trước hạn trả lời phải từ 0 đến 60.",
        "timer_remind_overdue_days": "Nhắc quá hạn: 4 ngày làm việc sau hạn trả lời là sau khi đã kết thúc "
                                     "nhận trả lời; thư nhắc sẽ không được gửi."}


def _form(workflow: str, **changes: object) -> RoundForm:
    values = {"title": ["Đề án X"], "workflow": [workflow], "office": ["TĐC"], "deadline_mode": ["date"],
              "deadline_date": ["05/12/2025"], "contact_name": ["Ông A"], "contact_phone": ["0912 130 290"],
              "signer_name": ["Bà B"], "signer_title": ["GIÁM ĐỐC"], "g_comment": ["so-ban-nganh"]}
    values.update({k: [str(v)] for k, v in changes.items()})
    return read_round_form(values, None, {"proposal_call": get_workflow("proposal_call"),
                                          "consultation": get_workflow("consultation")})


def _check(form: RoundForm):  # type: ignore[no-untyped-def]
    workflows = {"consultation": get_workflow("consultation"), "proposal_call": get_workflow("proposal_call")}
    return check_round_form(form, today=date(2025, 11, 20), calendar=vietnam_calendar(), workflows=workflows,
                            known_groups=["so-ban-nganh"], known_units=[])


def test_a_kind_whose_silence_cannot_count_refuses_the_switch_and_defaults_to_no() -> None:
    with pytest.raises(FormErrors) as refused:
        _check(_form("proposal_call", silence="yes"))
    assert set(refused.value.errors) == {"silence"}
    assert "không coi việc không trả lời là đồng ý" in refused.value.errors["silence"]
    new, _ = _check(_form("proposal_call"))
    assert new.silence_is_agreement is False
    new, _ = _check(_form("consultation"))
    assert new.silence_is_agreement is True  # the consultation's default
    new, _ = _check(_form("consultation", silence="no"))
    assert new.silence_is_agreement is False


def test_the_default_subject_is_the_kinds_own_and_a_prefill_of_any_kind_is_completed() -> None:
    call = get_workflow("proposal_call")
    assert default_subject(call, "năm 2027") == "đề xuất nhiệm vụ khoa học và công nghệ năm 2027"
    prefilled = default_subject(get_workflow("consultation"), "...")
    new, _ = _check(_form("proposal_call", subject=prefilled))  # the kind was changed after the page came
    assert new.subject == "đề xuất nhiệm vụ khoa học và công nghệ Đề án X"
    assert RecipientChoice().is_empty()


def test_a_prefill_with_the_title_inside_quotes_is_completed_too() -> None:
    # ykien's workshop no longer quotes its title (a title typed "Hội thảo …" gave 'Hội thảo "Hội thảo …"'); a
    # department's kind may still: the workshop with its subject quoted stands for one.
    shipped = get_workflow("workshop")
    workshop = shipped.model_copy(update={"terms": shipped.terms.model_copy(
        update={"subject": 'mời dự Hội thảo "{title}"'})})
    prefilled = default_subject(workshop, "...")
    assert prefilled.endswith('"..."')  # 'mời dự Hội thảo "..."': the filler is not at the end
    workflows = {"proposal_call": get_workflow("proposal_call"), "workshop": workshop}
    new, _ = check_round_form(_form("proposal_call", subject=prefilled), today=date(2025, 11, 20),
                              calendar=vietnam_calendar(), workflows=workflows, known_groups=["so-ban-nganh"],
                              known_units=[])
    assert new.subject == "đề xuất nhiệm vụ khoa học và công nghệ Đề án X"


# --- the timeline -----------------------------------------------------------------------------------------

def _event(seq: int, action: str, actor: str, **details: object) -> AuditEvent:
    return AuditEvent(round_id=1, seq=seq, at=datetime(2025, 12, 1, 9, tzinfo=TZ), actor=actor, action=action,
                      details=details, prev_hash="", hash="")


def test_the_timeline_credits_the_unit_for_its_link_and_staff_on_its_behalf_for_paper() -> None:
    consultation = get_workflow("consultation")
    names = {"SCT": "Sở Công Thương", "STP": "Sở Tư pháp"}
    entries = timeline([
        _event(1, "respond", "Sở Công Thương (SCT)", unit="SCT", kind="comments", comments=2, channel="web",
               entered_by="Sở Công Thương (qua đường dẫn)"),
        _event(2, "respond", "Phạm Phi Long (TĐC)", unit="STP", kind="agree", comments=0, channel="paper",
               entered_by="Phạm Phi Long (TĐC)"),
    ], names, consultation)
    assert [(e.actor, e.text) for e in entries] == [
        ("Sở Công Thương (SCT)", "Sở Công Thương trả lời: 2 ý kiến góp ý, qua đường dẫn trả lời"),
        ("Phạm Phi Long (TĐC)", "Sở Tư pháp trả lời: đồng ý / không có ý kiến, bằng văn bản giấy; "
                                "Phạm Phi Long (TĐC) ghi nhận thay mặt đơn vị")]


def test_the_timeline_names_timers_and_answers_in_the_words_of_the_kind(survey: Workflow) -> None:
    entries = timeline([
        _event(1, "create", "A", recipients=3, deadline="2025-12-05"),
        _event(2, "timer_fired", "hệ thống", timer="remind_before", reminded=["SCT", "STC"], deadline="2025-12-05"),
        _event(3, "timer_fired", "hệ thống", timer="remind_overdue", reminded=["STC"], deadline="2025-12-05"),
        _event(4, "respond", "Sở Tài chính (STC)", unit="STC", kind="proposals", comments=0, channel="web"),
        _event(5, "timer_fired", "hệ thống", timer="close", deadline="2025-12-05"),
        _event(6, "deadline_passed", "hệ thống", to="reviewing"),
    ], {"STC": "Sở Tài chính"}, survey)
    assert [(e.text, e.tone) for e in entries] == [
        ("Tạo đợt khảo sát (bản nháp), 3 cơ quan, đơn vị, hạn 05/12/2025", ""),
        ("Nhắc trước hạn 2 đơn vị (hạn 05/12/2025)", "warn"),
        ("Nhắc quá hạn 1 đơn vị (hạn 05/12/2025)", "bad"),
        ("Sở Tài chính trả lời: gửi phiếu khảo sát, qua đường dẫn trả lời", "ok"),
        ("Hết hạn; chuyển sang \"Đang xem xét phiếu\"", "")]
    call = timeline([_event(1, "respond", "x", unit="SCT", kind="proposals", channel="web")], {}, get_workflow(
        "proposal_call"))
    assert "góp ý" not in call[0].text

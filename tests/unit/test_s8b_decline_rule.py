"""A kind declares what an answer that declines looks like (response.decline: a choice field and the options that
decline, with the words for the units that decline and for those that do not). A decline naming no field of the form,
a field that is no choice, a value that is no option, or a repeatable form is refused when the YAML loads, with the
file, line and key. The workshop's documents sum the units that come apart from those that decline."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from test_workshop_definition import SOURCE, line_of, problems
from test_workshop_documents_render import _attendees, _report, _texts

from notifications.documents.workshop import Attendance, render_workshop_report
from notifications.documents.workshop_sheets import AttendeeListData, FormColumn, render_attendee_list
from workflows.service.registry import get_workflow

DECLINE = '''  decline:
    field: "attendance"
    values: ["Không tham dự"]'''


def with_decline(field: str = "attendance", values: str = '["Không tham dự"]', extra: str = "") -> str:
    assert SOURCE.count(DECLINE) == 1
    return SOURCE.replace(DECLINE, f'''  decline:
    field: "{field}"
    values: {values}''' + extra, 1)


def test_the_workshop_declares_which_answer_declines_in_its_own_words() -> None:
    decline = get_workflow("workshop").response.decline
    assert decline is not None
    assert (decline.field, decline.values, decline.label, decline.accepted_label) == (
        "attendance", ["Không tham dự"], "Không tham dự", "Tham dự")
    assert decline.declines({"attendance": "Không tham dự"}) and not decline.declines({"attendance": "Tham dự"})
    assert all(get_workflow(kind).response.decline is None
               for kind in ("consultation", "proposal_call", "report_collection"))


@pytest.mark.parametrize(("field", "values", "where", "message"), [
    ("attendence", '["Không tham dự"]', 'field: "attendence"',
     'decline: không có trường "attendence" trong phiếu trả lời. Có phải "attendance"?'),
    ("attendee_name", '["Không tham dự"]', 'field: "attendee_name"',
     'decline: trường "attendee_name" không phải trường lựa chọn'),
    ("attendance", '["Vắng mặt"]', 'values: ["Vắng mặt"]',
     'decline: "Vắng mặt" không phải một lựa chọn của trường "attendance"'),
])
def test_a_decline_that_names_no_choice_of_the_form_is_refused_at_its_line(field: str, values: str, where: str,
                                                                           message: str) -> None:
    text = with_decline(field, values)
    found = problems(text)
    assert any(f"workshop.yaml:{line_of(text, where)}:" in p and message in p for p in found), found


@pytest.mark.parametrize(("text", "where", "message"), [
    (with_decline(values="[]"), "values: []", "phải có ít nhất 1 mục"),
    (SOURCE.replace('    accepted_label: "Tham dự"\n', "", 1), "  decline:", 'thiếu trường "accepted_label"'),
    (SOURCE.replace('kind: "proposals"\n  allow_agree: false', 'kind: "proposals"\n  repeatable: true\n'
                                                               '  allow_agree: false', 1), 'kind: "proposals"',
     "decline: một câu trả lời gồm nhiều phiếu (repeatable) không thể là lời từ chối"),
])
def test_an_incomplete_decline_or_one_on_a_repeatable_form_is_refused_at_its_line(text: str, where: str,
                                                                                  message: str) -> None:
    assert text != SOURCE
    found = problems(text)
    assert any(f"workshop.yaml:{line_of(text, where)}:" in p and message in p for p in found), found


COLUMN = FormColumn("Đăng ký tham dự", ("Tham dự", "Cử người dự thay", "Không tham dự"), ("Không tham dự",), "Tham dự")


def test_the_attendee_list_sums_who_comes_between_the_ways_of_coming_and_the_refusals() -> None:
    plain = _attendees()
    declining = AttendeeListData(plain.title, (COLUMN, *plain.columns[1:]), plain.rows)
    sheet = load_workbook(io.BytesIO(render_attendee_list(declining))).active
    assert sheet is not None
    lines = [(r[1], r[2]) for r in sheet.iter_rows(min_row=9, values_only=True) if r[1]]
    assert lines == [("Tổng hợp: Đăng ký tham dự", None), ("Tham dự", 2), ("Cử người dự thay", 1),
                     ("Tổng số tham dự", 3), ("Không tham dự", 0), ("Chưa đăng ký", 1)]
    without = load_workbook(io.BytesIO(render_attendee_list(plain))).active  # a form that tells no refusal
    assert without is not None
    assert "Tổng số tham dự" not in [r[1] for r in without.iter_rows(min_row=9, values_only=True)]


def test_the_report_says_how_many_come_in_all_and_how_many_decline() -> None:
    attendance = [Attendance("Đại biểu tỉnh", 6, (("Tham dự", 2), ("Cử người dự thay", 1), ("Không tham dự", 1)))]
    texts = _texts(render_workshop_report(_report(attendance=attendance, declining=("Không tham dự",),
                                                  attending_label="Tham dự")))
    assert ("Hội thảo mời 06 cơ quan, đơn vị; 03 đơn vị đăng ký tham dự (trong đó 01 đơn vị cử người dự thay), 01 "
            "đơn vị không tham dự, 02 đơn vị chưa đăng ký.") in texts
    before = _texts(render_workshop_report(_report(attendance=attendance)))
    # A form that tells no refusal: each option as the units chose it, none summed as coming.
    assert ("Hội thảo mời 06 cơ quan, đơn vị; 02 đơn vị tham dự, 01 đơn vị cử người dự thay, 01 đơn vị không tham "
            "dự, 02 đơn vị chưa đăng ký.") in before

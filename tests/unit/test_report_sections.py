"""Report forms declared as headings (seed 003): the schema, the validator's file:line:col problems, and the check
of what a unit types under each heading."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from workflows.definition import WorkflowError, load_workflow_text, validate_file
from workflows.definition.schema import ResponseSpec
from workflows.service.answer_input import AnswerInvalid, clean_proposals
from workflows.service.registry import DEFINITIONS, engine_registry, get_workflow

SOURCE = (DEFINITIONS / "report_collection.yaml").read_text(encoding="utf-8")
REGISTRY = engine_registry()


def _problems(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "report_collection.yaml"
    path.write_text(text, encoding="utf-8")
    # the kind's own wording files beside it, as shipped: validate checks each one named is there
    shutil.copytree(DEFINITIONS / "report_collection", tmp_path / "report_collection", dirs_exist_ok=True)
    return [f"{p.line}:{p.column}: {p.message}" for p in validate_file(path, REGISTRY)]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_shipped_report_definition_lists_its_headings_and_flattens_their_fields() -> None:
    workflow = get_workflow("report_collection")
    spec = workflow.response
    assert [s.heading for s in spec.sections[:3]] == [
        "I. Tình hình triển khai và kết quả thực hiện Chương trình",
        "1. Công tác lãnh đạo, chỉ đạo triển khai thực hiện",
        "2. Kết quả thực hiện các nhiệm vụ theo từng nhóm nhiệm vụ, giải pháp tại Quyết định số 1322/QĐ-TTg",
    ]
    assert [f.key for f in spec.fields] == [f.key for s in spec.sections for f in s.fields]
    assert spec.section("training").parent == "task_groups"
    assert [f.key for f in spec.section("training").figures] == ["trainings_held", "people_trained"]
    assert not workflow.silence.possible  # reports are owed: silence can never be agreement
    assert workflow.grace_days() is not None


def test_unknown_parent_heading_is_named_at_its_line(tmp_path: Path) -> None:
    text = SOURCE.replace('parent: "task_groups"\n      fields:\n        - { key: "training_text"',
                          'parent: "task_grups"\n      fields:\n        - { key: "training_text"')
    line = _line_of(text, 'parent: "task_grups"')
    problems = _problems(text, tmp_path)
    assert problems == [f'{line}:15: không có mục cha "task_grups". Có phải "task_groups"?']


def test_parent_declared_after_its_child_is_refused(tmp_path: Path) -> None:
    text = SOURCE.replace('parent: "implementation"\n      required: true\n      guidance',
                          'parent: "budget"\n      required: true\n      guidance')
    line = _line_of(text, 'parent: "budget"')
    assert _problems(text, tmp_path) == [
        f'{line}:15: không có mục cha "budget" (hãy khai báo mục cha trước mục này)']


def test_field_key_used_under_two_headings_is_named_at_the_second(tmp_path: Path) -> None:
    text = SOURCE.replace('{ key: "policy_text"', '{ key: "leadership_text"')
    line = _line_of(text, '{ key: "leadership_text", label: "Nội dung báo cáo", kind: "long_text" }\n'[:40])
    second = _line_of("\n".join(text.splitlines()[line:]), '{ key: "leadership_text"') + line
    problems = _problems(text, tmp_path)
    assert f'{second}:18: khóa trường "leadership_text" đã được dùng ở mục "leadership"' in problems


def test_malformed_heading_number_and_unknown_field_kind_are_placed(tmp_path: Path) -> None:
    text = SOURCE.replace('number: "2.4."', 'number: "2.4 a"').replace(
        '{ key: "people_trained", label: "Số lượt người được đào tạo", kind: "count" }',
        '{ key: "people_trained", label: "Số lượt người được đào tạo", kind: "headcount" }')
    number_line = _line_of(text, 'number: "2.4 a"')
    kind_line = _line_of(text, 'kind: "headcount"')
    problems = _problems(text, tmp_path)
    assert f'{number_line}:15: "2.4 a" không phải số mục hợp lệ: viết như "I.", "1.", "2.1." hoặc "a)"' in problems, \
        problems
    assert any(p.startswith(f"{kind_line}:") and '"headcount" không hợp lệ ở đây' in p for p in problems), problems


def test_required_heading_without_fields_and_minimum_on_text_are_refused() -> None:
    with pytest.raises(ValueError, match='mục "intro" là bắt buộc nhưng không có trường nào để điền'):
        ResponseSpec.model_validate({"kind": "proposals", "sections": [
            {"key": "intro", "title": "Mở đầu", "required": True}]})
    with pytest.raises(ValueError, match="minimum và maximum chỉ dùng cho trường số"):
        ResponseSpec.model_validate({"kind": "proposals", "sections": [
            {"key": "intro", "title": "Mở đầu", "fields": [
                {"key": "t", "label": "Nội dung", "kind": "long_text", "minimum": 1}]}]})
    with pytest.raises(WorkflowError):
        load_workflow_text(SOURCE.replace('kind: "proposals"\n  allow_agree: false\n  sections',
                                          'kind: "comments"\n  allow_agree: false\n  sections'),
                           "report_collection.yaml", REGISTRY)


SPEC = get_workflow("report_collection").response


def _full_report(**changes: str) -> dict[str, str]:
    values = {"leadership_text": "Ban hành Kế hoạch số 41/KH-UBND ngày 06/3/2023.", "decisions_issued": "5",
              "budget_state": "1.500.000.000", "training_text": "Cử 03 công chức đi đào tạo.", "trainings_held": "2"}
    values.update(changes)
    return values


def test_a_full_report_is_cleaned_with_figures_as_plain_numbers() -> None:
    (report,) = clean_proposals(SPEC, [_full_report()])
    assert report["budget_state"] == "1500000000"
    assert report["decisions_issued"] == "5"
    assert [s.key for s in SPEC.sections_filled(report)] == ["leadership", "training", "budget"]


def test_a_figure_that_is_not_a_number_is_refused_with_its_label() -> None:
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(SPEC, [_full_report(trainings_held="hai lớp")])
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("p_trainings_held", "2.4. Đào tạo nguồn nhân lực cho hoạt động nâng cao năng suất chất lượng — "
                             "Số lớp đào tạo, tập huấn: \"hai lớp\" phải là số nguyên, ví dụ 12.")]


def test_a_negative_budget_or_count_is_refused() -> None:
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(SPEC, [_full_report(budget_state="-5.000.000", people_trained="-3")])
    messages = [p.message for p in refused.value.problems]
    assert messages == [
        "2.4. Đào tạo nguồn nhân lực cho hoạt động nâng cao năng suất chất lượng — Số lượt người được đào tạo: "
        "-3 nhỏ hơn mức tối thiểu 0.",
        "3. Kinh phí thực hiện — Kinh phí ngân sách nhà nước: -5.000.000 đồng nhỏ hơn mức tối thiểu 0 đồng.",
    ]


def test_a_required_heading_left_empty_is_refused_naming_the_heading() -> None:
    values = _full_report(leadership_text="", decisions_issued="  ")
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(SPEC, [values])
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("p_leadership_text", "1. Công tác lãnh đạo, chỉ đạo triển khai thực hiện: chưa có nội dung "
                              "(mục bắt buộc).")]


def test_consolidation_by_heading_attributes_passages_sums_figures_and_sets_last_years_beside() -> None:
    from models.db.report_repository import ConsolidatedText, UnitForm
    from workflows.service.report_sections import consolidate_by_heading

    forms = [UnitForm("SCT", "Sở Công Thương", False, {"training_text": "Cử 03 công chức.", "people_trained": "3",
                                                         "budget_state": "120000000"}),
             UnitForm("STC", "Sở Tài chính", True, {"people_trained": "5", "budget_file": "bang-ke.xlsx"})]
    edited = {"budget": ConsolidatedText("Tổng kinh phí 120 triệu đồng.", "Phạm Phi Long", datetime(2025, 12, 11))}
    headings = {h.section.key: h for h in consolidate_by_heading(SPEC, forms, edited, {"people_trained": 6})}
    training = headings["training"]
    assert [(p.unit_name, p.text, p.late) for p in training.passages] == [("Sở Công Thương", "Cử 03 công chức.",
                                                                           False)]
    assert training.text == "Sở Công Thương: Cử 03 công chức."  # the passages until staff edit it
    people = next(f for f in training.figures if f.field.key == "people_trained")
    assert (people.total, people.by_unit, people.previous) == (8, (("Sở Công Thương", 3), ("Sở Tài chính", 5)), 6)
    held = next(f for f in training.figures if f.field.key == "trainings_held")
    assert (held.by_unit, held.previous) == ((), None)
    assert headings["budget"].text == "Tổng kinh phí 120 triệu đồng."
    assert [(a.unit_name, a.name) for a in headings["budget"].attachments] == [("Sở Tài chính", "bang-ke.xlsx")]
    assert (headings["implementation"].depth, headings["task_groups"].depth, headings["training"].depth) == (0, 1, 2)

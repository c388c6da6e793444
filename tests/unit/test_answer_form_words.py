"""What a form of the wrong shape is told, in words that fit every kind: a report sent with a call's proposal form
read 'Trường "task_name" không có trong phiếu đề xuất.; Trường …', once per field, in a report round (CLI review)."""
from __future__ import annotations

import pytest

from models.rounds import ResponseKind
from workflows.service.answer_input import AnswerInvalid, check_answer, clean_proposals
from workflows.service.registry import get_workflow


def test_fields_of_another_form_are_said_once_with_the_fields_this_form_has() -> None:
    spec = get_workflow("report_collection").response
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(spec, [{"task_name": "A", "urgency": "B", "goals": "C", "budget_total": "1"}])
    said = [problem.message for problem in refused.value.problems if "không có trong" in problem.message]
    assert len(said) == 1, said
    assert said[0].startswith('Các trường "task_name", "urgency", "goals", "budget_total" không có trong mẫu trả lời '
                              "của đợt này (các trường: "), said[0]
    assert "phiếu đề xuất" not in said[0]


@pytest.mark.parametrize("kind", ["report_collection", "workshop", "proposal_call"])
def test_the_wrong_kind_of_answer_is_refused_without_another_kinds_words(kind: str) -> None:
    spec = get_workflow(kind).response
    with pytest.raises(AnswerInvalid) as refused:
        check_answer(spec, ResponseKind.COMMENTS, ())
    message = " ".join(problem.message for problem in refused.value.problems)
    assert message == "Đợt này nhận trả lời theo mẫu của đợt, không nhận các ý kiến viết tự do.", message
    with pytest.raises(AnswerInvalid) as in_its_words:
        check_answer(spec, ResponseKind.COMMENTS, (), terms=get_workflow(kind).terms)
    assert in_its_words.value.problems[0].message == (
        f"Đợt này nhận {get_workflow(kind).terms.answer} theo mẫu của đợt, không nhận các ý kiến viết tự do.")

"""Forms sent to a round that takes comments are refused for what they are, by every entry point that reads them
(the CLI's --proposal-file, the API, the unit's page): not field by field against a form the round does not have."""
from __future__ import annotations

import pytest

from workflows.service.answer_input import AnswerInvalid, clean_proposals
from workflows.service.registry import get_workflow


def test_forms_on_a_round_of_comments_are_refused_as_forms() -> None:
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(get_workflow("consultation").response, [{"task_name": "Nhiệm vụ A"}])
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("proposals", "Đợt này nhận danh sách ý kiến, không nhận phiếu theo mẫu.")]
    assert "các trường" not in str(refused.value)


def test_forms_on_a_round_of_forms_are_still_read_field_by_field() -> None:
    with pytest.raises(AnswerInvalid) as refused:
        clean_proposals(get_workflow("proposal_call").response, [{"nope": "x"}])
    assert "không có trong mẫu trả lời của đợt này" in str(refused.value)

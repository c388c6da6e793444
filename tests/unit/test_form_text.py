"""A form field's value from JSON (the CLI's --proposal-file, the API's proposals): text, or a whole number as its
digits; a list, an object, null, true/false or a decimal is refused by both, never kept as Python's text."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from workflows.service.answer_input import form_text, json_kind
from workflows.web.api_schemas import RespondIn


def test_text_and_whole_numbers_are_form_values_and_nothing_else_is() -> None:
    assert [form_text(v) for v in ("Cần thiết", 24, -3, 0)] == ["Cần thiết", "24", "-3", "0"]
    assert [form_text(v) for v in (None, True, False, 12.5, ["a"], {"x": 1})] == [None] * 6
    assert [json_kind(v) for v in (None, True, 12.5, ["a"], {"x": 1})] == [
        "null", "true/false", "số thập phân", "một danh sách [...]", "một đối tượng {...}"]


@pytest.mark.parametrize("value", [None, True, 12.5, ["a", "b"], {"x": 1}])
def test_the_api_refuses_what_the_proposal_file_refuses(value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        RespondIn.model_validate({"unit": "SCT", "kind": "proposals", "proposals": [{"budget_state": value}]})
    assert [(e["type"], e["loc"]) for e in refused.value.errors()] == [("string_type", ("proposals", 0,
                                                                                         "budget_state"))]


def test_the_api_takes_a_whole_number_as_the_proposal_file_does() -> None:
    taken = RespondIn.model_validate({"unit": "SCT", "kind": "proposals", "proposals": [{"budget_state": 1500000000}]})
    assert taken.proposals == [{"budget_state": "1500000000"}]

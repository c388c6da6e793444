"""pydantic's complaints about a value, said in Vietnamese (settings and CLI arguments), from pydantic's real errors."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import pytest
from pydantic import Field, TypeAdapter, ValidationError

from config.validation_words import said_in_vietnamese


def complaint(annotation: Any, value: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(annotation).validate_python(value)
    return said_in_vietnamese(caught.value.errors()[0])


@pytest.mark.parametrize(("annotation", "value", "said"), [
    (int, "tám", "phải là một số nguyên"),
    (int, "1.5", "phải là một số nguyên"),
    (float, "x", "phải là một số"),
    (bool, "có lẽ", "phải là có hoặc không (true/false, 1/0)"),
    (date, "31/02/2026", "phải là một ngày hợp lệ"),
    (Annotated[int, Field(ge=1)], 0, "phải từ 1 trở lên"),
    (Annotated[int, Field(le=200)], 201, "phải từ 200 trở xuống"),
    (Annotated[float, Field(ge=20.0)], 5, "phải từ 20 trở lên"),
    (Annotated[float, Field(gt=0.5)], 0.5, "phải lớn hơn 0,5"),
    (Annotated[int, Field(lt=10)], 10, "phải nhỏ hơn 10"),
    (Annotated[str, Field(max_length=3)], "dài quá", "dài quá 3 ký tự"),
    (Literal["a", "b"], "c", "phải là một trong: 'a', 'b'"),
    (list[int], 5, "phải là một danh sách"),
    (str, 5, "phải là một chuỗi"),
    (Annotated[str, Field(pattern=r"^\d+$")], "x", "không đúng dạng"),
    (Annotated[list[int], Field(min_length=2)], [1], "phải có ít nhất 2 mục"),
    (dict[str, int], [], "phải là một đối tượng JSON"),
])
def test_each_complaint_is_said_in_vietnamese(annotation: Any, value: Any, said: str) -> None:
    assert complaint(annotation, value) == said


def test_a_complaint_not_listed_keeps_pydantics_words() -> None:
    said = complaint(Annotated[float, Field(multiple_of=0.5)], 0.3)
    assert said == "Input should be a multiple of 0.5"

"""pydantic's complaints about one value, in Vietnamese: the settings (YKIEN_*) and the CLI's arguments are checked by
pydantic, and what it says in English reaches the user. Each complaint is known by its type; one not listed here
keeps pydantic's words."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from config.number_words import decimal_words


def _number(value: Any) -> str:
    """A bound as Vietnamese writes it: 20 for 20.0, 0,5 for 0.5."""
    return decimal_words(value) if isinstance(value, float) else str(value)


def _choices(ctx: Mapping[str, Any]) -> str:
    """pydantic's "'a', 'b' or 'c'" without its English "or"."""
    return str(ctx.get("expected", "")).replace(" or ", ", ")


_SAID: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "int_parsing": lambda _: "phải là một số nguyên",
    "int_from_float": lambda _: "phải là một số nguyên",
    "int_type": lambda _: "phải là một số nguyên",
    "int_parsing_size": lambda _: "là số quá dài",
    "float_parsing": lambda _: "phải là một số",
    "float_type": lambda _: "phải là một số",
    "finite_number": lambda _: "phải là một số hữu hạn",
    "decimal_parsing": lambda _: "phải là một số",
    "bool_parsing": lambda _: "phải là có hoặc không (true/false, 1/0)",
    "date_parsing": lambda _: "phải là một ngày hợp lệ",
    "date_from_datetime_parsing": lambda _: "phải là một ngày hợp lệ",
    "datetime_parsing": lambda _: "phải là một ngày giờ hợp lệ",
    "greater_than_equal": lambda ctx: f"phải từ {_number(ctx.get('ge'))} trở lên",
    "greater_than": lambda ctx: f"phải lớn hơn {_number(ctx.get('gt'))}",
    "less_than_equal": lambda ctx: f"phải từ {_number(ctx.get('le'))} trở xuống",
    "less_than": lambda ctx: f"phải nhỏ hơn {_number(ctx.get('lt'))}",
    "string_too_short": lambda ctx: f"phải có ít nhất {ctx.get('min_length')} ký tự",
    "string_too_long": lambda ctx: f"dài quá {ctx.get('max_length')} ký tự",
    "enum": lambda ctx: f"phải là một trong: {_choices(ctx)}",
    "literal_error": lambda ctx: f"phải là một trong: {_choices(ctx)}",
    # What an API body gets wrong besides the values above.
    "missing": lambda _: "bắt buộc, chưa có",
    "extra_forbidden": lambda _: "không có trường này",
    "string_type": lambda _: "phải là một chuỗi",
    # A JSON string with half of a surrogate pair ("\ud800"): no character, and no database can keep it.
    "string_unicode": lambda _: "có ký tự không hợp lệ (nửa cặp thay thế UTF-16, ví dụ \\ud800)",
    "bool_type": lambda _: "phải là true hoặc false",
    "list_type": lambda _: "phải là một danh sách",
    "dict_type": lambda _: "phải là một đối tượng JSON",
    "model_type": lambda _: "phải là một đối tượng JSON",
    "model_attributes_type": lambda _: "phải là một đối tượng JSON",
    "json_invalid": lambda _: "không phải JSON hợp lệ",
    "string_pattern_mismatch": lambda _: "không đúng dạng",
    "too_short": lambda ctx: f"phải có ít nhất {ctx.get('min_length')} mục",
    "too_long": lambda ctx: f"nhiều quá {ctx.get('max_length')} mục",
    "value_error": lambda ctx: str(ctx.get("error", "")),  # our validators' own words, Vietnamese already
    "assertion_error": lambda ctx: str(ctx.get("error", "")),
}


def said_in_vietnamese(error: Mapping[str, Any]) -> str:
    """What is wrong with the value, from one item of `ValidationError.errors()` ("phải từ 1 trở lên")."""
    say = _SAID.get(str(error.get("type", "")))
    return say(error.get("ctx") or {}) if say is not None else str(error.get("msg", ""))

"""Starlette's and FastAPI's own refusals, said in Vietnamese: the form parser's (a body it cannot read, or over its
limits) and a status's bare English phrase ("Method Not Allowed"). The app's own refusals are Vietnamese already and
pass through unchanged."""
from __future__ import annotations

import re
from http import HTTPStatus

NOTHING_SAVED = "Chưa có gì được lưu; hãy tải lại trang rồi gửi lại."
UNREADABLE_FORM = "Biểu mẫu gửi lên không đọc được."

# What starlette.formparsers (through Request.form) and fastapi.routing say when a body cannot be read.
_FORM_REFUSALS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Too many files\. Maximum number of files is (\d+)\."),
     "Biểu mẫu gửi kèm quá nhiều tệp (tối đa {0})."),
    (re.compile(r"Too many fields\. Maximum number of fields is (\d+)\."),
     "Biểu mẫu có quá nhiều trường (tối đa {0})."),
    (re.compile(r"(?:Part|Field) exceeded maximum size of (\d+)KB\."), "Một trường của biểu mẫu dài quá {0} KB."),
    (re.compile(r"Missing boundary in multipart\.|Invalid multipart data\.|The Content-Disposition header field "
                r"\"name\" must be provided\.|There was an error parsing the body"), UNREADABLE_FORM),
)


def _form_refusal(detail: str) -> str | None:
    for pattern, said in _FORM_REFUSALS:
        match = pattern.fullmatch(detail)
        if match is not None:
            return f"{said.format(*match.groups())} {NOTHING_SAVED}"
    return None


def _bare_phrase(status: int, method: str) -> str:
    if status == HTTPStatus.NOT_FOUND:
        return "Không tìm thấy trang."
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        return f"Địa chỉ này không nhận yêu cầu {method}; hãy mở lại từ trang trước."
    if status == HTTPStatus.UNAUTHORIZED:
        return "Cần đăng nhập."
    return "Yêu cầu không hợp lệ."


def refusal_message(status: int, detail: object, method: str) -> str:
    """What a person reads for an HTTPException: its own detail when the app wrote one, else Vietnamese words for
    what Starlette or FastAPI said in English (or did not say)."""
    if not isinstance(detail, str) or not detail:
        return _bare_phrase(status, method)
    try:
        if detail == HTTPStatus(status).phrase:
            return _bare_phrase(status, method)
    except ValueError:  # a status http.HTTPStatus does not know
        pass
    return _form_refusal(detail) or detail

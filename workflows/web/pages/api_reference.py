"""The API's reference page, read from its OpenAPI document: each operation with its parameters, its request body's
fields and its answers, as plain HTML that needs no script and nothing from another host.

Pure: it takes the OpenAPI document (a dict) and gives what the template shows.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
TYPE_NAMES = {"string": "chuỗi", "integer": "số nguyên", "number": "số", "boolean": "đúng/sai", "object": "đối tượng",
              "null": "null"}
FORMAT_NAMES = {"date": "ngày (YYYY-MM-DD)", "date-time": "thời điểm (ISO 8601)", "email": "email", "uri": "URL"}
# FastAPI's own words for the answers it documents by itself
ANSWER_WORDS = {"Successful Response": "Thành công", "Validation Error": "Dữ liệu không hợp lệ"}
WHERE_NAMES = {"path": "đường dẫn", "query": "tham số truy vấn", "header": "tiêu đề", "cookie": "cookie"}


@dataclass(frozen=True)
class Field:
    name: str
    where: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    kind: str  # the body's type, "" when none


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Field]
    body_kind: str  # "" when the operation takes no body
    body_required: bool
    body_fields: list[Field]
    answers: list[Answer]


@dataclass(frozen=True)
class Group:
    title: str
    operations: list[Operation]


def _ref_name(reference: str) -> str:
    return reference.rsplit("/", 1)[-1]


def _schema(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema a $ref points to (one level), else the schema itself."""
    if "$ref" in schema:
        found: Mapping[str, Any] = spec.get("components", {}).get("schemas", {}).get(_ref_name(schema["$ref"]), {})
        return found
    return schema


def type_text(schema: Mapping[str, Any]) -> str:
    """A schema's type as a reader of the page reads it: "chuỗi, tối đa 500 ký tự", "danh sách CommentIn"."""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    for combined in ("anyOf", "oneOf"):
        if combined in schema:
            kinds = [type_text(part) for part in schema[combined] if part.get("type") != "null"]
            optional = any(part.get("type") == "null" for part in schema[combined])
            return " hoặc ".join(kinds) + (" (có thể null)" if optional else "")
    if "enum" in schema:
        return "một trong: " + ", ".join(f"“{value}”" for value in schema["enum"])
    if "const" in schema:
        return f"“{schema['const']}”"
    kind = schema.get("type", "")
    if kind == "array":
        return f"danh sách {type_text(schema.get('items', {}))}".strip()
    text = FORMAT_NAMES.get(schema.get("format", ""), TYPE_NAMES.get(kind, kind or "bất kỳ"))
    limits = []
    if "maxLength" in schema:
        limits.append(f"tối đa {schema['maxLength']} ký tự")
    if "minimum" in schema:
        limits.append(f"từ {schema['minimum']}")
    if "maximum" in schema:
        limits.append(f"đến {schema['maximum']}")
    if "maxItems" in schema:
        limits.append(f"tối đa {schema['maxItems']} mục")
    return ", ".join([text, *limits])


def _fields(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> list[Field]:
    resolved = _schema(spec, schema)
    required = set(resolved.get("required", ()))
    return [Field(name, "thân yêu cầu", type_text(field), name in required,
                  str(field.get("description") or ""))  # pydantic's "title" is the name in English words
            for name, field in resolved.get("properties", {}).items()]


def _body(spec: Mapping[str, Any], operation: Mapping[str, Any]) -> tuple[str, bool, list[Field]]:
    body = operation.get("requestBody")
    if not body:
        return "", False, []
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    for combined in ("anyOf", "oneOf"):  # an optional body: its one real schema
        if combined in schema:
            schema = next((part for part in schema[combined] if part.get("type") != "null"), {})
    return type_text(schema), bool(body.get("required")), _fields(spec, schema)


def _answers(operation: Mapping[str, Any]) -> list[Answer]:
    answers = []
    for status, answer in sorted(operation.get("responses", {}).items()):
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        description = str(answer.get("description", ""))
        answers.append(Answer(status, ANSWER_WORDS.get(description, description), type_text(schema) if schema else ""))
    return answers


def _anchor(method: str, path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")


def reference(spec: Mapping[str, Any]) -> list[Group]:
    """The operations of `spec` by tag, in the document's order."""
    groups: dict[str, list[Operation]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [Field(p["name"], WHERE_NAMES.get(p.get("in", ""), p.get("in", "")),
                                type_text(p.get("schema", {})), bool(p.get("required")),
                                str(p.get("description") or p.get("schema", {}).get("description") or ""))
                          for p in operation.get("parameters", ())]
            body_kind, body_required, body_fields = _body(spec, operation)
            tag = (operation.get("tags") or ["khác"])[0]
            groups.setdefault(tag, []).append(Operation(
                _anchor(method, path), method.upper(), path, str(operation.get("summary", "")),
                str(operation.get("description", "")), parameters, body_kind, body_required, body_fields,
                _answers(operation)))
    return [Group(title, operations) for title, operations in groups.items()]

"""The API's reference page is read from its OpenAPI document: every operation is there with its parameters, its
request body's fields and its answers, and types read as Vietnamese."""
from __future__ import annotations

import tempfile
from pathlib import Path

from workflows.web.pages.api_reference import reference, type_text


def test_types_read_as_their_reader_expects() -> None:
    assert type_text({"type": "string", "maxLength": 500}) == "chuỗi, tối đa 500 ký tự"
    assert type_text({"type": "integer", "minimum": 1}) == "số nguyên, từ 1"
    assert type_text({"type": "string", "format": "date"}) == "ngày (YYYY-MM-DD)"
    assert type_text({"anyOf": [{"type": "string"}, {"type": "null"}]}) == "chuỗi (có thể null)"
    assert type_text({"type": "array", "items": {"$ref": "#/components/schemas/CommentIn"}}) == "danh sách CommentIn"
    assert type_text({"enum": ["agree", "comments"]}) == "một trong: “agree”, “comments”"
    assert type_text({}) == "bất kỳ"


def test_every_operation_of_the_api_is_on_the_page_with_its_body_and_answers() -> None:
    from config.settings import load_settings
    from workflows.service.app import build_app
    from workflows.web.app import create_web_app

    app = build_app(load_settings(home=Path(tempfile.mkdtemp())), create_schema=True)
    spec = create_web_app(app).openapi()
    groups = reference(spec)
    operations = [op for group in groups for op in group.operations]
    expected = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    assert {(op.method, op.path) for op in operations} == expected
    assert len({op.anchor for op in operations}) == len(operations)  # each has its own anchor
    launch = next(op for op in operations if op.path == "/api/rounds/{round_id}/launch")
    assert (launch.body_kind, launch.body_required) == ("LaunchIn", False)
    assert [(f.name, f.required) for f in launch.body_fields] == [("no_draft_reason", False)]
    assert [p.name for p in launch.parameters] == ["round_id"] and launch.parameters[0].where == "đường dẫn"
    assert ("409", "ErrorOut") in {(a.status, a.kind) for a in launch.answers}
    assert all(a.description != "Successful Response" for op in operations for a in op.answers)
    create = next(op for op in operations if op.method == "POST" and op.path == "/api/rounds")
    assert {f.name for f in create.body_fields if f.required} >= {"title", "office"}
    app.close()

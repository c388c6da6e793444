"""The `draft:` key of a kind: "required" or "optional" (the default), read from the definition, never from the
kind's name; a wrong value is refused with its file, line and column."""
from __future__ import annotations

import shutil
from pathlib import Path

from workflows.definition import validate_file
from workflows.service.registry import engine_registry, shipped_workflows

DEFINITIONS = Path(__file__).resolve().parents[2] / "workflows" / "definitions"


def test_the_shipped_kinds_say_whether_a_round_needs_a_draft() -> None:
    kinds = shipped_workflows()
    assert kinds["consultation"].needs_draft and kinds["consultation"].draft == "required"
    assert not kinds["proposal_call"].needs_draft


def test_a_kind_without_the_key_does_not_need_one_and_a_wrong_value_is_named_where_it_is(tmp_path: Path) -> None:
    import dataclasses

    registry = dataclasses.replace(engine_registry(), partials=(DEFINITIONS,))
    text = (DEFINITIONS / "consultation.yaml").read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("draft:"))
    wrong = tmp_path / "consultation.yaml"
    shutil.copytree(DEFINITIONS / "consultation", tmp_path / "consultation")  # the kind's own letter
    shutil.copytree(DEFINITIONS / "consultation", tmp_path / "absent" / "consultation")
    wrong.write_text(text.replace('draft: "required"', 'draft: "always"'), encoding="utf-8")
    problems = [str(p) for p in validate_file(wrong, registry)]
    assert problems == [f"{wrong}:{line}:8: \"always\" không hợp lệ ở đây; phải là một trong: 'required', 'optional'"]
    absent = tmp_path / "absent" / "consultation.yaml"
    absent.write_text(text.replace('draft: "required"\n', ""), encoding="utf-8")
    assert validate_file(absent, registry) == []
    from workflows.definition import load_workflow

    assert not load_workflow(absent, registry).needs_draft

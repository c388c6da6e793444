"""ykien's own definitions, read by every process at its start, are parsed by libyaml; a department's by PyYAML's
own parser. Both must give the same values, positions and YAML 1.1 surprises, and a file of ours libyaml refuses
is said in PyYAML's words, as a department's is."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from workflows.definition import WorkflowError, load_workflow
from workflows.definition.yaml_loader import LoadedYaml, load_yaml
from workflows.service.registry import DEFINITIONS, engine_registry

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml: one parser only")


def _parts(loaded: LoadedYaml) -> tuple[object, ...]:
    return (loaded.data, loaded.positions, loaded.key_positions, loaded.coercions, loaded.key_coercions,
            loaded.null_keys, loaded.problems)


@pytest.mark.parametrize("path", sorted(DEFINITIONS.glob("*.yaml")), ids=lambda path: path.name)
def test_each_shipped_file_reads_the_same_with_both_parsers(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    fast, plain = load_yaml(text, str(path), own=True), load_yaml(text, str(path))
    assert _parts(fast) == _parts(plain)
    assert fast.data  # not an empty read on both sides


def test_each_shipped_kind_is_the_same_workflow_with_both_parsers() -> None:
    ours = engine_registry()
    assert ours.is_own(DEFINITIONS / "consultation.yaml")
    department = replace(ours, own_folders=())
    for path in sorted(p for p in DEFINITIONS.glob("*.yaml") if not p.name.startswith("_")):
        assert load_workflow(path, ours) == load_workflow(path, department), path.name


def test_a_plain_scalar_that_yaml_turns_into_a_number_or_a_boolean_is_seen_by_libyaml_too() -> None:
    text = "name: consultation\nmax_items: 10\nquoted: '10'\nflag: yes\nblock: |\n  10\n"
    fast, plain = load_yaml(text, "x.yaml", own=True), load_yaml(text, "x.yaml")
    assert set(fast.coercions) == {("max_items",), ("flag",)}
    assert fast.coercions == plain.coercions


@pytest.mark.parametrize("text", ["a: [1, 2\n", "a: 1\n  b: 2\n", "a: \x00\n", "a: &x [*x]\n", "a: 1\na: 2\n"],
                         ids=["unclosed", "indent", "nul", "recursive-alias", "duplicate-key"])
def test_a_bad_file_of_ours_is_said_in_the_words_of_pyyaml(text: str) -> None:
    def said(own: bool) -> list[str]:
        try:
            return [str(problem) for problem in load_yaml(text, "x.yaml", own=own).problems]
        except WorkflowError as error:
            return [str(problem) for problem in error.problems]

    assert said(own=True) == said(own=False) != []


def test_a_department_folder_is_not_ours(tmp_path: Path) -> None:
    assert not engine_registry().is_own(tmp_path / "consultation.yaml")
    assert not engine_registry().is_own(DEFINITIONS / "consultation" / "documents" / "request_letter.yaml")

"""Loading and validating workflow definitions: every pitfall points at file:line:col with a useful message."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from workflows.definition import (
    END_OF_DAY,
    Anchor,
    DayKind,
    Problem,
    RecipientRole,
    Registry,
    TimeSpec,
    TransitionDef,
    Workflow,
    WorkflowError,
    load_workflow,
    load_workflow_text,
    to_mermaid,
    validate_file,
)

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "workflows" / "definitions"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "workflows"

REGISTRY = Registry(
    guards=frozenset(
        "has_responses no_responses late_accept before_deadline deadline_in_future "
        "has_pending_units all_answered all_comments_handled".split()
    ),
    effects=frozenset(
        "send_invitations remind_pending remind_overdue remind_selected record_response send_receipt "
        "move_deadline notify_extension mark_closed open_report_task complete_task record_consolidation "
        "record_submission record_decision new_draft_version".split()
    ),
    events=frozenset(
        "launch respond extend remind close deadline_passed reopen consolidate submit decide_issued "
        "decide_returned revise report_submitted forward_proposals".split()
    ),
    templates=frozenset("invitation reminder_before reminder_overdue extension receipt".split()),
)

HEADER = """\
name: "tiny"
title: "Thử"
initial: "draft"
recipient_roles: ["comment"]
response: { kind: "comments" }
templates: { invitation: "test/invitation" }
states:
"""

VALID_STATES = """\
draft:
  title: "Dự thảo"
  transitions:
    launch: { to: "circulating", effects: ["send_invitations"] }
circulating:
  title: "Đang lấy ý kiến"
  timers:
    - { name: "remind_before", at: "deadline - 2 working days", effects: ["remind_pending"] }
    - { name: "close", at: "deadline", time: "24:00", event: "deadline_passed" }
  transitions:
    respond: { effects: ["record_response"] }
    deadline_passed:
      - { guard: "has_responses", to: "done" }
      - { to: "done", effects: ["mark_closed"] }
done:
  title: "Xong"
  final: true
"""


def tiny(states: str = VALID_STATES, header: str = HEADER) -> str:
    return header + textwrap.indent(textwrap.dedent(states), "  ")


def problems_in(text: str, filename: str = "tiny.yaml", registry: Registry = REGISTRY) -> list[str]:
    with pytest.raises(WorkflowError) as caught:
        load_workflow_text(text, filename, registry)
    return [str(p) for p in caught.value.problems]


def source_at(text: str, line: int, column: int) -> str:
    return text.splitlines()[line - 1][column - 1 :]


# --- the real definitions ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["consultation", "proposal_call"])
def test_real_definitions_validate_clean(name: str) -> None:
    path = DEFINITIONS / f"{name}.yaml"
    # Against the names the engine really registers, so a definition can never use one it lacks.
    from workflows.service.registry import engine_registry

    assert validate_file(path, engine_registry()) == []
    assert load_workflow(path, engine_registry()).name == name


@pytest.mark.parametrize("name", ["consultation", "proposal_call"])
def test_real_definitions_quote_every_string_scalar(name: str) -> None:
    import yaml

    def plain_strings(node: yaml.Node) -> list[str]:
        if isinstance(node, yaml.MappingNode):
            return [s for k, v in node.value for s in plain_strings(v)]  # keys are names, values quoted
        if isinstance(node, yaml.SequenceNode):
            return [s for item in node.value for s in plain_strings(item)]
        if node.tag.endswith(":str") and node.style is None:
            return [f"{node.start_mark.line + 1}: {node.value}"]
        return []

    root = yaml.compose((DEFINITIONS / f"{name}.yaml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert plain_strings(root) == []


def test_consultation_follows_the_round_of_seed_000() -> None:
    wf = load_workflow(DEFINITIONS / "consultation.yaml", REGISTRY)
    assert wf.initial == "draft"
    assert wf.recipient_roles == [RecipientRole.COMMENT, RecipientRole.PUBLISH, RecipientRole.INFORM]
    assert (wf.response.kind, wf.response.allow_agree) == ("comments", True)
    assert set(wf.templates) == set(REGISTRY.templates or ())
    circulating = wf.state("circulating")
    assert circulating.timer("remind_before").at == TimeSpec(Anchor.DEADLINE, -2, DayKind.WORKING)
    assert circulating.timer("remind_before").time == dt.time(8, 0)
    overdue = circulating.timer("remind_overdue")
    assert overdue.at == TimeSpec(Anchor.DEADLINE, 1, DayKind.WORKING, repeat_every=2, max_times=3)
    assert overdue.effects == ["remind_overdue"]
    close = circulating.timer("close")
    assert (close.at, close.end_of_day, close.event) == (TimeSpec(Anchor.DEADLINE, 0, DayKind.CALENDAR), True, "deadline_passed")
    assert [t.to for t in circulating.transitions["deadline_passed"]] == ["consolidating"]
    assert circulating.transitions["extend"] == [
        TransitionDef(guard="deadline_in_future", effects=["move_deadline", "notify_extension"])
    ]
    consolidating = wf.state("consolidating")
    assert consolidating.transitions["extend"][0].to == "circulating"
    assert consolidating.transitions["respond"][0].guard == "late_accept"
    assert [t.to for t in wf.state("submitted").transitions.values() for t in t] == ["issued", "returned"]
    assert wf.state("returned").transitions["revise"][0].to == "draft"
    assert wf.final_states() == {"issued"}
    assert {name: s.title for name, s in wf.states.items()} == {
        "draft": "Dự thảo",
        "circulating": "Đang lấy ý kiến",
        "consolidating": "Đang tổng hợp",
        "consolidated": "Đã tổng hợp",
        "submitted": "Đã trình UBND tỉnh",
        "issued": "Đã ban hành",
        "returned": "Bị trả lại",
    }


def test_proposal_call_collects_form_a1_and_handles_zero_proposals() -> None:
    wf = load_workflow(DEFINITIONS / "proposal_call.yaml", REGISTRY)
    assert wf.response.kind == "proposals"
    fields = {f.key: f for f in wf.response.fields}
    assert len(fields) == 15
    assert fields["duration_months"].kind == "months"
    assert (fields["budget_state"].kind, fields["budget_other"].kind) == ("money", "money")
    assert fields["task_name"].required and fields["task_name"].label == "Tên nhiệm vụ"
    passed = wf.state("circulating").transitions["deadline_passed"]
    assert [(t.guard, t.to) for t in passed] == [("has_responses", "reviewing"), (None, "no_proposals")]
    assert wf.state("no_proposals").entry == ["open_report_task"]
    assert wf.state("no_proposals").transitions["report_submitted"][0].effects == ["complete_task", "record_submission"]
    assert wf.state("reviewing").transitions["forward_proposals"][0].to == "forwarded"
    assert wf.final_states() == {"forwarded", "reported"}


# --- fixtures: one pitfall per file -------------------------------------------------------------

# file -> [(line, column, text found there, message)]
FIXTURE_PROBLEMS: dict[str, list[tuple[int, int, str, str]]] = {
    "duplicate_key.yaml": [(12, 7, "launch:", "duplicate key 'launch' (first defined at line 11)")],
    "yaml_keys.yaml": [
        (15, 7, "on:", "key 'on' is read as boolean true by YAML; quote it: \"on\""),
        (16, 7, "no:", "key 'no' is read as boolean false by YAML; quote it: \"no\""),
    ],
    "yaml_values.yaml": [
        (5, 44, "yes", "value 'yes' is read as boolean true by YAML; write true or false"),
        (9, 12, "no", "value 'no' is read as boolean false by YAML; quote it: \"no\""),
        (13, 12, "2025-12-05", "value '2025-12-05' is read as the date 2025-12-05 by YAML; quote it: \"2025-12-05\""),
        (15, 48, "17:00", "value '17:00' is read as the number 1020 (sexagesimal) by YAML; quote it: \"17:00\""),
        (19, 12, "1.5", "value '1.5' is read as the number 1.5 by YAML; quote it: \"1.5\""),
        (20, 12, "on", "value 'on' is read as boolean true by YAML; write true or false"),
    ],
    "unknown_field.yaml": [
        (11, 36, "efects:", "unknown field 'efects' (did you mean effects?)"),
        (21, 5, "colour:", "unknown field 'colour' (allowed: entry, final, timers, title, transitions)"),
    ],
    "missing_field.yaml": [
        (1, 1, "name:", "missing field 'response'"),
        (11, 3, "circulating:", "missing field 'title'"),
    ],
    "unknown_state.yaml": [(11, 21, '"circulatng"', 'unknown state "circulatng" (did you mean circulating?)')],
    "unreachable_state.yaml": [(18, 3, "waiting:", "state 'waiting' cannot be reached from the initial state 'draft'")],
    "stuck_state.yaml": [
        (19, 3, "waiting:", "state 'waiting' is not final but has no transitions, so a round would be stuck there")
    ],
    "empty_event.yaml": [
        (15, 7, '"":', "transition without an event name"),
        (16, 7, "~:", "transition without an event name"),
    ],
    "timers.yaml": [
        (15, 9, '{ name: "remind"', "timer 'remind' has neither an event nor effects"),
        (16, 64, '"close"', "timer event 'close' has no transition in state 'circulating'"),
        (17, 17, '"close"', "timer name 'close' is used twice in this state"),
        (18, 29, '"deadline - two days"', "bad duration 'deadline - two days': 'two days' is not a number of days"),
        (19, 28, '"deadline, repeat', "'repeat every' without 'at most N times' would never stop"),
        (20, 47, '"25:00"', "bad time '25:00': expected \"HH:MM\""),
    ],
    "unknown_names.yaml": [
        (6, 45, "reminder:", 'unknown message kind "reminder" (did you mean reminder_before?)'),
        (10, 13, '"open_report_tsk"', 'unknown effect "open_report_tsk" (did you mean open_report_task?)'),
        (12, 46, '"send_invitaton"', 'unknown effect "send_invitaton" (did you mean send_invitations?)'),
        (16, 64, '"deadline_pased"', 'unknown event "deadline_pased" (did you mean deadline_passed?)'),
        (18, 7, "deadline_pased:", 'unknown event "deadline_pased" (did you mean deadline_passed?)'),
        (20, 20, '"has_response"', 'unknown guard "has_response" (did you mean has_responses?)'),
    ],
    "syntax_error.yaml": [(8, 65, "}", "YAML syntax error: while parsing a flow sequence, expected ',' or ']'")],
}


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.yaml")) == sorted(FIXTURE_PROBLEMS)


@pytest.mark.parametrize("fixture", sorted(FIXTURE_PROBLEMS))
def test_fixture_problems_point_at_the_offending_node(fixture: str) -> None:
    path = FIXTURES / fixture
    text = path.read_text(encoding="utf-8")
    problems = validate_file(path, REGISTRY)
    expected = FIXTURE_PROBLEMS[fixture]
    assert [(p.line, p.column) for p in problems] == [(line, col) for line, col, _, _ in expected], problems
    for problem, (line, col, found, message) in zip(problems, expected, strict=True):
        assert problem.file == str(path)
        assert source_at(text, line, col).startswith(found)
        assert message in problem.message


@pytest.mark.parametrize("fixture", sorted(FIXTURE_PROBLEMS))
def test_loading_a_bad_fixture_raises_with_the_same_problems(fixture: str) -> None:
    path = FIXTURES / fixture
    with pytest.raises(WorkflowError) as caught:
        load_workflow(path, REGISTRY)
    assert caught.value.problems == validate_file(path, REGISTRY)


# --- inline cases ---------------------------------------------------------------------------------


def test_minimal_workflow_loads_with_normalised_transitions_and_timer_times() -> None:
    wf = load_workflow_text(tiny(), "tiny.yaml", REGISTRY)
    assert isinstance(wf, Workflow)
    circulating = wf.state("circulating")
    assert circulating.transitions["respond"] == [TransitionDef(to=None, guard=None, effects=["record_response"])]
    assert circulating.timer("remind_before").time == dt.time(8, 0)
    assert circulating.timer("remind_before").end_of_day is False
    assert circulating.timer("close").time == END_OF_DAY
    assert wf.events() == {"launch", "respond", "deadline_passed"}
    assert wf.model_dump(mode="json")["states"]["circulating"]["timers"][1] == {
        "name": "close",
        "title": None,
        "at": "deadline",
        "time": "24:00",
        "event": "deadline_passed",
        "effects": [],
    }


def test_unknown_state_name_raises_key_error() -> None:
    wf = load_workflow_text(tiny(), "tiny.yaml", REGISTRY)
    with pytest.raises(KeyError, match="nowhere"):
        wf.state("nowhere")


def test_workflow_name_must_equal_the_file_stem() -> None:
    assert problems_in(tiny(), "other.yaml") == ["other.yaml:1:7: name 'tiny' must equal the file name 'other'"]


def test_unknown_initial_state_suggests_the_closest_name() -> None:
    text = tiny(header=HEADER.replace('initial: "draft"', 'initial: "dratf"'))
    assert problems_in(text) == ['tiny.yaml:3:10: unknown state "dratf" (did you mean draft?)']


def test_error_lists_every_problem_one_per_line() -> None:
    text = tiny(VALID_STATES.replace('"send_invitations"', '"send_invitaton"').replace('"has_responses"', '"has_respons"'))
    with pytest.raises(WorkflowError) as caught:
        load_workflow_text(text, "tiny.yaml", REGISTRY)
    assert str(caught.value).splitlines() == [
        'tiny.yaml:11:46: unknown effect "send_invitaton" (did you mean send_invitations?)',
        'tiny.yaml:20:20: unknown guard "has_respons" (did you mean has_responses?)',
    ]


def test_alternative_after_an_unguarded_one_is_never_used() -> None:
    states = VALID_STATES.replace(
        """      - { guard: "has_responses", to: "done" }
      - { to: "done", effects: ["mark_closed"] }""",
        """      - { to: "done", effects: ["mark_closed"] }
      - { guard: "has_responses", to: "done" }""",
    )
    assert problems_in(tiny(states)) == [
        "tiny.yaml:21:11: this alternative is never used: alternative 1 before it has no guard"
    ]


def test_final_state_with_transitions_is_refused() -> None:
    states = VALID_STATES + '  transitions: { revise: { to: "draft" } }\n'
    assert problems_in(tiny(states)) == [
        "tiny.yaml:25:5: final state 'done' has transitions: a final state ends the round; "
        "remove them or set final: false"
    ]


def test_states_that_cannot_reach_a_final_state_are_refused() -> None:
    states = VALID_STATES.replace(
        '      - { to: "done", effects: ["mark_closed"] }', '      - { to: "draft", effects: ["mark_closed"] }'
    ).replace('{ guard: "has_responses", to: "done" }', '{ guard: "has_responses", to: "draft" }')
    states = states.replace("done:\n  title: \"Xong\"\n  final: true\n", "")
    assert problems_in(tiny(states)) == [
        "tiny.yaml:7:1: no state is final: set final: true on the state(s) where a round ends"
    ]


def test_self_loops_alone_do_not_count_as_a_way_out() -> None:
    states = VALID_STATES.replace("to: \"circulating\", ", "to: \"circulating\", guard: \"before_deadline\", ")
    states += 'waiting:\n  title: "Chờ"\n  transitions: { remind: { effects: ["remind_selected"] } }\n'
    states = states.replace('    launch: {', '    revise: { to: "waiting" }\n    launch: {')
    assert problems_in(tiny(states)) == [
        "tiny.yaml:26:3: no final state can be reached from state 'waiting': a round entering it never ends"
    ]


def test_empty_value_for_an_optional_field_is_refused() -> None:
    states = VALID_STATES.replace('respond: { effects: ["record_response"] }', 'respond: { to: , effects: ["record_response"] }')
    assert problems_in(tiny(states)) == [
        "tiny.yaml:18:21: empty value (YAML null): give a value or leave the field out"
    ]


def test_bool_field_refuses_a_quoted_string() -> None:
    states = VALID_STATES.replace("final: true", 'final: "true"')
    assert problems_in(tiny(states)) == ["tiny.yaml:24:12: expected true or false, got 'true'"]


def test_wrong_container_types_are_named() -> None:
    states = VALID_STATES.replace('effects: ["record_response"]', 'effects: "record_response"').replace(
        'launch: { to: "circulating", effects: ["send_invitations"] }', 'launch: "circulating"'
    )
    assert problems_in(tiny(states)) == [
        "tiny.yaml:11:15: expected a transition { to: ..., guard: ..., effects: [...] } or a list of them, "
        "got 'circulating'",
        "tiny.yaml:18:27: expected a list [...], got 'record_response'",
    ]


def test_a_misread_value_is_reported_once_not_again_as_an_unknown_name() -> None:
    states = VALID_STATES.replace('{ guard: "has_responses", to: "done" }', '{ guard: "has_responses", to: 5 }')
    states = states.replace('at: "deadline",', "at: 5,")
    assert problems_in(tiny(states)) == [
        "tiny.yaml:16:30: value '5' is read as the number 5 by YAML; quote it: \"5\"",
        "tiny.yaml:20:41: value '5' is read as the number 5 by YAML; quote it: \"5\"",
    ]


def test_malformed_transitions_do_not_cause_follow_on_graph_problems() -> None:
    states = VALID_STATES.replace("transitions:\n    launch", "transitions:\n    - launch")
    assert problems_in(tiny(states)) == ["tiny.yaml:11:7: expected a mapping { ... }, got a list"]


def test_merge_keys_and_recursive_aliases_are_refused() -> None:
    merge = tiny(VALID_STATES.replace('done:\n  title: "Xong"', 'done:\n  <<: { title: "Xong" }'))
    assert "tiny.yaml:23:5: merge keys (<<) are not supported; write the fields out" in problems_in(merge)
    assert "tiny.yaml:1:4: a recursive alias (an anchor that contains itself) is not allowed" in problems_in(
        "a: &x [ *x ]\n"
    )


def test_proposals_response_needs_its_form_fields() -> None:
    text = tiny(header=HEADER.replace('{ kind: "comments" }', '{ kind: "proposals" }'))
    assert problems_in(text) == ["tiny.yaml:5:11: a proposals response needs a list of fields (the form)"]


def test_unknown_enum_values_list_the_allowed_ones() -> None:
    text = tiny(header=HEADER.replace('{ kind: "comments" }', '{ kind: "comment" }'))
    assert problems_in(text) == ["tiny.yaml:5:19: 'comment' is not allowed here; expected 'comments' or 'proposals'"]


def test_template_kinds_are_checked_only_when_the_registry_knows_them() -> None:
    text = tiny(header=HEADER.replace("invitation:", "invitaton:"))
    assert problems_in(text) == ['tiny.yaml:6:14: unknown message kind "invitaton" (did you mean invitation?)']
    lenient = Registry(REGISTRY.guards, REGISTRY.effects, REGISTRY.events)
    assert load_workflow_text(text, "tiny.yaml", lenient).templates == {"invitaton": "test/invitation"}


def test_definition_that_is_not_a_mapping_or_empty_is_refused() -> None:
    assert problems_in("- a\n- b\n") == ["tiny.yaml:1:1: a workflow definition must be a mapping (name: ..., states: ...)"]
    assert problems_in("# nothing\n") == ["tiny.yaml:1:1: the file is empty"]


def test_several_documents_are_a_syntax_error() -> None:
    [message] = problems_in(tiny() + "---\nname: \"again\"\n")
    assert message.startswith("tiny.yaml:25:1: YAML syntax error: expected a single document")


def test_validate_file_reports_an_unreadable_file_instead_of_raising(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    [problem] = validate_file(missing, REGISTRY)
    assert problem.file == str(missing) and problem.line is None
    assert str(problem).startswith(f"{missing}: cannot read the file")


def test_problem_prints_as_file_line_column_message() -> None:
    assert str(Problem("consultation.yaml", 12, 7, "unknown effect")) == "consultation.yaml:12:7: unknown effect"


# --- Mermaid --------------------------------------------------------------------------------------


def test_mermaid_diagram_of_a_tiny_workflow() -> None:
    states = VALID_STATES.replace('  title: "Xong"\n', '  title: "Xong \\"hết\\""\n  entry: ["mark_closed"]\n')
    wf = load_workflow_text(tiny(states), "tiny.yaml", REGISTRY)
    assert to_mermaid(wf) == textwrap.dedent(
        """\
        stateDiagram-v2
            state "Dự thảo" as draft
            state "Đang lấy ý kiến" as circulating
            state "Xong #quot;hết#quot;" as done
            done : entry / mark_closed
            [*] --> draft
            draft --> circulating : launch / send_invitations
            circulating --> circulating : respond / record_response
            circulating --> done : deadline_passed (close) [has_responses]
            circulating --> done : deadline_passed (close) / mark_closed
            circulating --> circulating : (remind_before) / remind_pending
            done --> [*]
        """
    )


def test_mermaid_output_is_deterministic_for_the_real_definitions() -> None:
    wf = load_workflow(DEFINITIONS / "consultation.yaml", REGISTRY)
    diagram = to_mermaid(wf)
    assert diagram == to_mermaid(load_workflow(DEFINITIONS / "consultation.yaml", REGISTRY))
    assert "consolidating --> circulating : extend [deadline_in_future] / move_deadline, notify_extension" in diagram
    assert "issued --> [*]" in diagram

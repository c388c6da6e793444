"""Loading and validating workflow definitions: every pitfall points at file:line:col with a useful message."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import textwrap
import unicodedata
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
from workflows.definition.schema import Capability

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "workflows" / "definitions"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "workflows"

REGISTRY = Registry(
    guards=frozenset(
        ["has_responses", "has_answers_with_content", "no_responses", "late_accept", "before_deadline", "deadline_in_future", "has_pending_units", "all_answered", "all_comments_handled"]
    ),
    effects=frozenset(
        ["send_invitations", "remind_pending", "remind_overdue", "remind_selected", "record_response", "send_receipt", "move_deadline", "notify_extension", "mark_closed", "open_tasks", "complete_task", "record_consolidation", "record_submission", "record_decision", "new_draft_version"]
    ),
    templates=frozenset(["invitation", "reminder_before", "reminder_overdue", "extension", "receipt"]),
    partials=(FIXTURES,),  # _minimal.yaml: the events and terms every test definition shares
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
    - { name: "remind_before", title: "Nhắc trước hạn", at: "deadline - 2 working days", effects: ["remind_pending"] }
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

# Last, so that the lines above keep their numbers: events and terms come from fixtures/workflows/_minimal.yaml.
FOOTER = 'extends: "_minimal"\n'


def tiny(states: str = VALID_STATES, header: str = HEADER) -> str:
    return header + textwrap.indent(textwrap.dedent(states), "  ") + FOOTER


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
    # Messages use the generic templates worded by the kind's terms; `templates:` only overrides some kinds.
    assert set(wf.templates) <= set(REGISTRY.templates or ())
    circulating = wf.state("circulating")
    assert circulating.timer("remind_before").at == TimeSpec(Anchor.DEADLINE, -2, DayKind.WORKING)
    assert circulating.timer("remind_before").time == dt.time(8, 0)
    # No grace period, so no overdue reminder: it could never fire before the close at the deadline.
    assert wf.grace_period is None and wf.grace_days() is None
    assert [t.name for t in circulating.timers] == ["remind_before", "close"]
    close = circulating.timer("close")
    assert (close.at, close.end_of_day, close.event) == \
        (TimeSpec(Anchor.CLOSING, 0, DayKind.CALENDAR), True, "deadline_passed")
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
    assert [(t.guard, t.to) for t in passed] == [("has_answers_with_content", "reviewing"), (None, "no_proposals")]
    assert (wf.state("no_proposals").entry, wf.state("no_proposals").opens) == (["open_tasks"], ["report_to_ubnd"])
    assert wf.state("no_proposals").transitions["report_submitted"][0].effects == ["complete_task", "record_submission"]
    assert wf.state("reviewing").transitions["forward_proposals"][0].to == "forwarded"
    assert wf.final_states() == {"forwarded", "reported"}


# --- fixtures: one pitfall per file -------------------------------------------------------------

# file -> [(line, column, text found there, message)]
FIXTURE_PROBLEMS: dict[str, list[tuple[int, int, str, str]]] = {
    "duplicate_key.yaml": [(12, 7, "launch:", 'khóa "launch" bị lặp (đã có ở dòng 11)')],
    "yaml_keys.yaml": [
        (15, 7, "on:", 'YAML đọc khóa on thành true (kiểu đúng/sai); hãy đặt trong ngoặc kép: "on"'),
        (16, 7, "no:", 'YAML đọc khóa no thành false (kiểu đúng/sai); hãy đặt trong ngoặc kép: "no"'),
    ],
    "yaml_values.yaml": [
        (5, 44, "yes", "YAML đọc giá trị yes thành true (kiểu đúng/sai); hãy viết true hoặc false"),
        (9, 12, "no", 'YAML đọc giá trị no thành false (kiểu đúng/sai); hãy đặt trong ngoặc kép: "no"'),
        (13, 12, "2025-12-05", 'YAML đọc giá trị 2025-12-05 thành một ngày; hãy đặt trong ngoặc kép: "2025-12-05"'),
        (15, 48, "17:00", 'YAML đọc giá trị 17:00 thành số 1020 (hệ đếm 60); hãy đặt trong ngoặc kép: "17:00"'),
        (19, 12, "1.5", 'YAML đọc giá trị 1.5 thành một số; hãy đặt trong ngoặc kép: "1.5"'),
        (20, 12, "on", "YAML đọc giá trị on thành true (kiểu đúng/sai); hãy viết true hoặc false"),
    ],
    "unknown_field.yaml": [
        (11, 36, "efects:", 'không có trường "efects". Có phải "effects"?'),
        (21, 5, "colour:",
         'không có trường "colour" (các trường được phép: allows, entry, final, opens, package, timers, title, '
         'transitions)'),
    ],
    "missing_field.yaml": [
        (1, 1, "name:", 'thiếu trường "response"'),
        (11, 3, "circulating:", 'thiếu trường "title"'),
    ],
    "unknown_state.yaml": [(11, 21, '"circulatng"', 'không có trạng thái "circulatng". Có phải "circulating"?')],
    "unreachable_state.yaml": [(18, 3, "waiting:", 'không thể đi tới trạng thái "waiting" từ trạng thái đầu "draft"')],
    "stuck_state.yaml": [
        (19, 3, "waiting:", 'trạng thái "waiting" không phải trạng thái cuối nhưng không có transitions, nên đợt sẽ '
                            "bị kẹt ở đó")
    ],
    "empty_event.yaml": [
        (15, 7, '"":', "chuyển trạng thái không có tên sự kiện"),
        (16, 7, "~:", "chuyển trạng thái không có tên sự kiện"),
    ],
    "timers.yaml": [
        (15, 9, '{ name: "remind"', 'bộ hẹn giờ "remind" không có event cũng không có effects'),
        (16, 64, '"close"', 'sự kiện "close" của bộ hẹn giờ không có chuyển trạng thái trong trạng thái "circulating"'),
        (17, 17, '"close"', 'tên bộ hẹn giờ "close" bị dùng hai lần trong trạng thái này'),
        (18, 9, '{ name: "late"', 'bộ hẹn giờ "late" thiếu title: hãy đặt tên tiếng Việt'),
        (18, 29, '"deadline - two days"', 'mốc thời gian "deadline - two days" không hợp lệ: "two days" không phải '
                                          "số ngày"),
        (19, 9, '{ name: "nag"', 'bộ hẹn giờ "nag" thiếu title'),
        (19, 28, '"deadline, repeat', "có 'repeat every' nhưng thiếu 'at most N times': bộ hẹn giờ sẽ lặp lại mãi"),
        (20, 9, '{ name: "noon"', 'bộ hẹn giờ "noon" thiếu title'),
        (20, 47, '"25:00"', 'giờ "25:00" không hợp lệ: hãy viết "HH:MM"'),
    ],
    "unknown_names.yaml": [
        (6, 45, "reminder:", 'không có loại thông báo "reminder". Có phải "reminder_before"?'),
        (10, 13, '"open_taks"', 'không có hành động "open_taks". Có phải "open_tasks"?'),
        (12, 46, '"send_invitaton"', 'không có hành động "send_invitaton". Có phải "send_invitations"?'),
        (16, 64, '"deadline_pased"', 'không có sự kiện "deadline_pased". Có phải "deadline_passed"?'),
        (18, 7, "deadline_pased:", 'không có sự kiện "deadline_pased". Có phải "deadline_passed"?'),
        (20, 20, '"has_response"', 'không có điều kiện "has_response". Có phải "has_responses"?'),
        (25, 13, '"reprot"', 'không có công việc "reprot"'),
    ],
    "syntax_error.yaml": [(8, 65, "}", "lỗi cú pháp YAML: thiếu dấu ',' hoặc ']': gặp '}' (danh sách [...] bắt đầu "
                                      "từ dòng 8)")],
}


# Valid definitions among the fixtures: the shared part of the test definitions and the engine's test workflows.
VALID_FIXTURES = ["_minimal.yaml", "consultation_grace.yaml"]


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.yaml")) == sorted([*FIXTURE_PROBLEMS, *VALID_FIXTURES])


def test_the_engines_test_workflows_validate_clean() -> None:
    from workflows.service.registry import engine_registry

    registry = dataclasses.replace(engine_registry(), partials=(FIXTURES,))
    assert validate_file(FIXTURES / "consultation_grace.yaml", registry) == []
    grace = load_workflow(FIXTURES / "consultation_grace.yaml", registry)
    assert grace.grace_days() == (10, DayKind.WORKING)
    assert grace.state("circulating").timer("close").at == TimeSpec(Anchor.CLOSING, 0, DayKind.CALENDAR)


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
    assert wf.used_events() == {"launch", "respond", "deadline_passed"}
    assert wf.events["deadline_passed"] == "hết hạn"  # declared in _minimal.yaml
    assert wf.terms.round == "đợt lấy ý kiến"
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
    assert problems_in(tiny(), "other.yaml") == ['other.yaml:1:7: name "tiny" phải trùng với tên tệp "other"']


def test_unknown_initial_state_suggests_the_closest_name() -> None:
    text = tiny(header=HEADER.replace('initial: "draft"', 'initial: "dratf"'))
    assert problems_in(text) == ['tiny.yaml:3:10: không có trạng thái "dratf". Có phải "draft"?']


def test_error_lists_every_problem_one_per_line() -> None:
    text = tiny(VALID_STATES.replace('"send_invitations"', '"send_invitaton"').replace('"has_responses"', '"has_respons"'))
    with pytest.raises(WorkflowError) as caught:
        load_workflow_text(text, "tiny.yaml", REGISTRY)
    assert str(caught.value).splitlines() == [
        'tiny.yaml:11:46: không có hành động "send_invitaton". Có phải "send_invitations"?',
        'tiny.yaml:20:20: không có điều kiện "has_respons". Có phải "has_responses"?',
    ]


def test_alternative_after_an_unguarded_one_is_never_used() -> None:
    states = VALID_STATES.replace(
        """      - { guard: "has_responses", to: "done" }
      - { to: "done", effects: ["mark_closed"] }""",
        """      - { to: "done", effects: ["mark_closed"] }
      - { guard: "has_responses", to: "done" }""",
    )
    assert problems_in(tiny(states)) == [
        "tiny.yaml:21:11: phương án này không bao giờ được dùng: phương án 1 đứng trước không có guard"
    ]


def test_final_state_with_transitions_is_refused() -> None:
    states = VALID_STATES + '  transitions: { revise: { to: "draft" } }\n'
    assert problems_in(tiny(states)) == [
        'tiny.yaml:25:5: trạng thái cuối "done" có transitions: trạng thái cuối kết thúc đợt; '
        "hãy bỏ transitions hoặc đặt final: false"
    ]


def test_states_that_cannot_reach_a_final_state_are_refused() -> None:
    states = VALID_STATES.replace(
        '      - { to: "done", effects: ["mark_closed"] }', '      - { to: "draft", effects: ["mark_closed"] }'
    ).replace('{ guard: "has_responses", to: "done" }', '{ guard: "has_responses", to: "draft" }')
    states = states.replace("done:\n  title: \"Xong\"\n  final: true\n", "")
    assert problems_in(tiny(states)) == [
        "tiny.yaml:7:1: không có trạng thái cuối: hãy đặt final: true cho (các) trạng thái kết thúc đợt"
    ]


def test_self_loops_alone_do_not_count_as_a_way_out() -> None:
    states = VALID_STATES.replace("to: \"circulating\", ", "to: \"circulating\", guard: \"before_deadline\", ")
    states += 'waiting:\n  title: "Chờ"\n  transitions: { remind: { effects: ["remind_selected"] } }\n'
    states = states.replace('    launch: {', '    revise: { to: "waiting" }\n    launch: {')
    assert problems_in(tiny(states)) == [
        'tiny.yaml:26:3: từ trạng thái "waiting" không đi tới được trạng thái cuối nào: đợt vào trạng thái này sẽ '
        "không bao giờ kết thúc"
    ]


def test_empty_value_for_an_optional_field_is_refused() -> None:
    states = VALID_STATES.replace('respond: { effects: ["record_response"] }', 'respond: { to: , effects: ["record_response"] }')
    assert problems_in(tiny(states)) == [
        "tiny.yaml:18:21: giá trị rỗng (YAML đọc thành null): hãy điền giá trị hoặc bỏ hẳn trường này"
    ]


def test_bool_field_refuses_a_quoted_string() -> None:
    states = VALID_STATES.replace("final: true", 'final: "true"')
    assert problems_in(tiny(states)) == ['tiny.yaml:24:12: phải là true hoặc false, không phải "true"']


def test_wrong_container_types_are_named() -> None:
    states = VALID_STATES.replace('effects: ["record_response"]', 'effects: "record_response"').replace(
        'launch: { to: "circulating", effects: ["send_invitations"] }', 'launch: "circulating"'
    )
    assert problems_in(tiny(states)) == [
        "tiny.yaml:11:15: phải là một chuyển trạng thái { to: ..., guard: ..., effects: [...] } hoặc một danh sách "
        'các chuyển trạng thái, không phải "circulating"',
        'tiny.yaml:18:27: phải là một danh sách [...], không phải "record_response"',
    ]


def test_a_misread_value_is_reported_once_not_again_as_an_unknown_name() -> None:
    states = VALID_STATES.replace('{ guard: "has_responses", to: "done" }', '{ guard: "has_responses", to: 5 }')
    states = states.replace('at: "deadline",', "at: 5,")
    assert problems_in(tiny(states)) == [
        'tiny.yaml:16:30: YAML đọc giá trị 5 thành một số; hãy đặt trong ngoặc kép: "5"',
        'tiny.yaml:20:41: YAML đọc giá trị 5 thành một số; hãy đặt trong ngoặc kép: "5"',
    ]


def test_malformed_transitions_do_not_cause_follow_on_graph_problems() -> None:
    states = VALID_STATES.replace("transitions:\n    launch", "transitions:\n    - launch")
    assert problems_in(tiny(states)) == ["tiny.yaml:11:7: phải là một khối khóa: giá trị { ... }, không phải một "
                                         "danh sách"]


def test_merge_keys_and_recursive_aliases_are_refused() -> None:
    merge = tiny(VALID_STATES.replace('done:\n  title: "Xong"', 'done:\n  <<: { title: "Xong" }'))
    assert "tiny.yaml:23:5: không dùng được khóa gộp (<<); hãy viết đủ từng trường" in problems_in(merge)
    assert "tiny.yaml:1:4: không được dùng alias đệ quy (anchor chứa chính nó)" in problems_in(
        "a: &x [ *x ]\n"
    )


def test_proposals_response_needs_its_form_fields() -> None:
    text = tiny(header=HEADER.replace('{ kind: "comments" }', '{ kind: "proposals" }'))
    assert problems_in(text) == ['tiny.yaml:5:11: kind "proposals" cần danh sách fields (các trường của phiếu)']


def test_a_repeatable_form_needs_kind_proposals_and_a_sane_number_of_items() -> None:
    form = '{ kind: "proposals", repeatable: true, max_items: %s, fields: [{ key: "task", label: "Nhiệm vụ" }] }'
    assert load_workflow_text(tiny(header=HEADER.replace('{ kind: "comments" }', form % "3")), "tiny.yaml",
                              REGISTRY).response.items_allowed == 3
    for bad, expected in (("0", "phải từ 1 trở lên"), ("51", "phải từ 50 trở xuống")):
        [message] = problems_in(tiny(header=HEADER.replace('{ kind: "comments" }', form % bad)))
        assert message.startswith("tiny.yaml:5:61: ") and expected in message, message  # at max_items' value
    [message] = problems_in(tiny(header=HEADER.replace('{ kind: "comments" }', '{ kind: "comments", repeatable: true }')))
    assert message.startswith("tiny.yaml:5:") and "repeatable chỉ dùng cho kind \"proposals\"" in message, message


def test_a_form_is_filled_once_unless_repeatable_and_the_shipped_call_repeats_it() -> None:
    once = tiny(header=HEADER.replace('{ kind: "comments" }',
                                      '{ kind: "proposals", fields: [{ key: "task", label: "Nhiệm vụ" }] }'))
    spec = load_workflow_text(once, "tiny.yaml", REGISTRY).response
    assert (spec.repeatable, spec.max_items, spec.items_allowed) == (False, 10, 1)
    call = load_workflow(DEFINITIONS / "proposal_call.yaml", REGISTRY).response
    assert (call.repeatable, call.items_allowed) == (True, 10)


def test_unknown_enum_values_list_the_allowed_ones() -> None:
    text = tiny(header=HEADER.replace('{ kind: "comments" }', '{ kind: "comment" }'))
    assert problems_in(text) == ["tiny.yaml:5:19: \"comment\" không hợp lệ ở đây; phải là một trong: 'comments', "
                                 "'proposals'"]


def test_template_kinds_are_checked_only_when_the_registry_knows_them() -> None:
    text = tiny(header=HEADER.replace("invitation:", "invitaton:"))
    assert problems_in(text) == ['tiny.yaml:6:14: không có loại thông báo "invitaton". Có phải "invitation"?']
    lenient = Registry(REGISTRY.guards, REGISTRY.effects, partials=REGISTRY.partials)
    assert load_workflow_text(text, "tiny.yaml", lenient).templates == {"invitaton": "test/invitation"}


def test_definition_that_is_not_a_mapping_or_empty_is_refused() -> None:
    assert problems_in("- a\n- b\n") == [
        "tiny.yaml:1:1: định nghĩa quy trình phải là một khối khóa: giá trị (name: ..., states: ...)"]
    assert problems_in("# nothing\n") == ["tiny.yaml:1:1: tệp rỗng"]


def test_several_documents_are_a_syntax_error() -> None:
    [message] = problems_in(tiny() + "---\nname: \"again\"\n")
    assert message == ("tiny.yaml:26:1: lỗi cú pháp YAML: tệp chỉ được có một tài liệu YAML, nhưng có thêm một tài "
                       "liệu sau dấu --- (tài liệu thứ nhất bắt đầu từ dòng 1)")  # after FOOTER


def test_validate_file_reports_an_unreadable_file_instead_of_raising(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    [problem] = validate_file(missing, REGISTRY)
    assert problem.file == str(missing) and problem.line is None
    assert str(problem) == f"{missing}: không đọc được tệp (không có tệp hoặc thư mục này)"


def test_problem_prints_as_file_line_column_message() -> None:
    assert str(Problem("consultation.yaml", 12, 7, 'không có hành động "x"')) == \
        'consultation.yaml:12:7: không có hành động "x"'


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


# --- timers that can never fire --------------------------------------------------------------------

OVERDUE_TIMER = '    - { name: "remind_overdue", at: "%s", effects: ["remind_overdue"], title: "Nhắc quá hạn" }\n'


def with_overdue(at: str = "1 working day after deadline", close_at: str = "deadline") -> str:
    """VALID_STATES with an overdue reminder on line 16 (before the close, now on line 17)."""
    return VALID_STATES.replace('    - { name: "close", at: "deadline"',
                                OVERDUE_TIMER % at + f'    - {{ name: "close", at: "{close_at}"')


def with_grace(period: str) -> str:
    return HEADER.replace("states:\n", f'grace_period: "{period}"\nstates:\n')


def test_an_overdue_reminder_after_a_close_at_the_deadline_can_never_fire() -> None:
    text = tiny(with_overdue())  # the consultation as it was: overdue reminder, close at the deadline 24:00
    assert problems_in(text) == [
        'tiny.yaml:16:39: bộ hẹn giờ "remind_overdue" không bao giờ chạy được: đợt đã rời trạng thái "circulating" '
        'trước đó, khi bộ hẹn giờ "close" chạy lúc "deadline"; hãy khai báo grace_period: "N working days" và đóng '
        'lúc "closing", hoặc bỏ bộ hẹn giờ này']
    assert source_at(text, 16, 39).startswith('"1 working day after deadline"')


OLD_CONSULTATION_TIMERS = """\
  circulating:
    timers:
      - { name: "remind_before", title: "Nhắc trước hạn", at: "deadline - 2 working days", time: "08:00", effects: ["remind_pending"] }
      - name: "remind_overdue"
        at: "1 working day after deadline, repeat every 2 working days, at most 3 times"
        time: "08:00"
        effects: ["remind_overdue"]
        title: "Nhắc quá hạn"
      - { name: "close", at: "%s", time: "24:00", event: "deadline_passed" }
"""


def old_consultation(folder: Path, close_at: str, grace: str | None = None) -> Path:
    """The shipped consultation with the overdue reminder it had before grace periods, in folder."""
    text = (DEFINITIONS / "consultation.yaml").read_text(encoding="utf-8")
    text = text.replace("  circulating:\n", OLD_CONSULTATION_TIMERS % close_at, 1)
    if grace:
        text = text.replace('extends: "_round"\n', f'extends: "_round"\ngrace_period: "{grace}"\n', 1)
    path = folder / "consultation.yaml"
    path.write_text(text, encoding="utf-8")
    shutil.copytree(DEFINITIONS / "consultation", folder / "consultation", dirs_exist_ok=True)  # its own letter
    return path


def test_the_old_consultations_overdue_reminder_can_never_fire(tmp_path: Path) -> None:
    from workflows.service.registry import engine_registry

    registry = dataclasses.replace(engine_registry(), partials=(DEFINITIONS,))
    path = old_consultation(tmp_path, "deadline")
    text = path.read_text(encoding="utf-8")
    line = line_of(path, '"1 working day after deadline')
    assert [str(p) for p in validate_file(path, registry)] == [
        f'{path}:{line}:13: bộ hẹn giờ "remind_overdue" không bao giờ chạy được: đợt đã rời trạng thái '
        '"circulating" trước đó, khi bộ hẹn giờ "close" chạy lúc "deadline"; hãy khai báo grace_period: '
        '"N working days" và đóng lúc "closing", hoặc bỏ bộ hẹn giờ này']
    assert source_at(text, line, 13).startswith('"1 working day after deadline')
    graced = old_consultation(tmp_path, "closing", grace="3 working days")
    assert validate_file(graced, registry) == []
    assert load_workflow(graced, registry).state("circulating").timer("remind_overdue").effects == ["remind_overdue"]


def test_an_overdue_reminder_within_the_grace_period_is_valid() -> None:
    text = tiny(with_overdue(close_at="closing"), with_grace("3 working days"))
    wf = load_workflow_text(text, "tiny.yaml", REGISTRY)
    assert wf.grace_days() == (3, DayKind.WORKING)
    assert wf.state("circulating").timer("close").at == TimeSpec(Anchor.CLOSING, 0, DayKind.CALENDAR)
    # The same reminder with the grace period declared but the close still at the deadline is refused.
    [problem] = problems_in(tiny(with_overdue(), with_grace("3 working days")))
    assert problem.startswith('tiny.yaml:17:39: bộ hẹn giờ "remind_overdue" không bao giờ chạy được')
    assert 'hãy khai báo grace_period dài hơn và đóng lúc "closing"' in problem


def test_an_overdue_reminder_after_a_short_grace_period_is_refused() -> None:
    text = tiny(with_overdue("2 working days after deadline", close_at="closing"), with_grace("1 working day"))
    assert problems_in(text) == [
        'tiny.yaml:17:39: bộ hẹn giờ "remind_overdue" không bao giờ chạy được: đợt đã rời trạng thái "circulating" '
        'trước đó, khi bộ hẹn giờ "close" chạy lúc "closing"; hãy khai báo grace_period dài hơn và đóng lúc '
        '"closing", hoặc bỏ bộ hẹn giờ này']
    # On the last day of grace, at 08:00, the reminder still comes before the close at 24:00.
    same_day = tiny(with_overdue("1 working day after deadline", close_at="closing"), with_grace("1 working day"))
    assert load_workflow_text(same_day, "tiny.yaml", REGISTRY).grace_days() == (1, DayKind.WORKING)


def test_repeats_of_a_reminder_beyond_the_close_are_not_an_error() -> None:
    # Occurrences 1 and 3 working days after the deadline, then 5: the close at "closing" (3) comes first.
    at = "1 working day after deadline, repeat every 2 working days, at most 3 times"
    text = tiny(with_overdue(at, close_at="closing"), with_grace("3 working days"))
    overdue = load_workflow_text(text, "tiny.yaml", REGISTRY).state("circulating").timer("remind_overdue")
    assert overdue.at == TimeSpec(Anchor.DEADLINE, 1, DayKind.WORKING, repeat_every=2, max_times=3)
    # The engine plans none of them at or after the close: tests/unit/test_engine_grace_period.py.


def test_a_timer_before_the_close_or_counted_from_the_launch_is_never_refused() -> None:
    text = tiny(with_overdue("launch + 30 working days"))
    assert load_workflow_text(text, "tiny.yaml", REGISTRY).state("circulating").timer("remind_overdue").at.anchor \
        is Anchor.LAUNCH


def test_an_unreadable_grace_period_is_refused_where_it_is_written() -> None:
    assert problems_in(tiny(header=with_grace("three working days"))) == [
        'tiny.yaml:7:15: số ngày "three working days" không hợp lệ: '
        "hãy viết 'N working days', 'N days', 'N ngày làm việc' hoặc 'N ngày' (N từ 0 đến 365)"]


# --- shared parts (extends:) -----------------------------------------------------------------------

SHARED_STATES = """\
states:
  draft:
    title: "Dự thảo"
    transitions:
      launch: { to: "circulating", effects: ["send_invitations"] }
  circulating:
    title: "Đang lấy ý kiến"
    allows: ["answer", "remind"]
    timers:
      - { name: "remind_before", title: "Nhắc trước hạn", at: "deadline - 2 working days", effects: ["remind_pending"] }
      - { name: "close", at: "closing", time: "24:00", event: "deadline_passed" }
    transitions:
      respond: { effects: ["record_response", "send_receipt"] }
      remind: { effects: ["remind_selected"] }
"""

KIND = """\
name: "kind"
title: "Loại đợt thử"
extends: "_base"
initial: "draft"
recipient_roles: ["comment"]
response: { kind: "comments" }
states:
  circulating:
    transitions:
      respond: { effects: ["record_response"] }
      deadline_passed: { to: "done", effects: ["mark_closed"] }
  done: { title: "Xong", final: true }
"""


def shared_part(folder: Path, states: str = SHARED_STATES, name: str = "_base") -> Path:
    """A shared part with the events and terms of _minimal.yaml and the given states; returns its path."""
    path = folder / f"{name}.yaml"
    path.write_text((FIXTURES / "_minimal.yaml").read_text(encoding="utf-8") + "\n" + states, encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def test_a_problem_in_the_shared_part_is_reported_at_the_shared_files_line_and_column(tmp_path: Path) -> None:
    base = shared_part(tmp_path, SHARED_STATES.replace('"send_invitations"', '"send_invitaton"'))
    (tmp_path / "kind.yaml").write_text(KIND, encoding="utf-8")
    line = line_of(base, '"send_invitaton"')
    assert [str(p) for p in validate_file(tmp_path / "kind.yaml", REGISTRY)] == [
        f'{base}:{line}:46: không có hành động "send_invitaton". Có phải "send_invitations"?']
    assert source_at(base.read_text(encoding="utf-8"), line, 46).startswith('"send_invitaton"')


def test_a_problem_in_the_kind_is_reported_in_the_kind_even_inside_a_shared_state(tmp_path: Path) -> None:
    shared_part(tmp_path)
    kind = tmp_path / "kind.yaml"
    kind.write_text(KIND.replace('"mark_closed"', '"mark_close"'), encoding="utf-8")
    assert [str(p) for p in validate_file(kind, REGISTRY)] == [
        f'{kind}:11:48: không có hành động "mark_close". Có phải "mark_closed"?']
    assert source_at(kind.read_text(encoding="utf-8"), 11, 48).startswith('"mark_close"')


def test_a_kind_overriding_one_transition_of_a_shared_state_keeps_the_shared_timers(tmp_path: Path) -> None:
    shared_part(tmp_path)
    (tmp_path / "kind.yaml").write_text(KIND, encoding="utf-8")
    wf = load_workflow(tmp_path / "kind.yaml", REGISTRY)
    circulating = wf.state("circulating")
    assert circulating.title == "Đang lấy ý kiến"
    assert [t.name for t in circulating.timers] == ["remind_before", "close"]
    assert circulating.timer("close").at == TimeSpec(Anchor.CLOSING, 0, DayKind.CALENDAR)
    assert circulating.transitions["respond"] == [TransitionDef(effects=["record_response"])]  # the kind's
    assert circulating.transitions["remind"] == [TransitionDef(effects=["remind_selected"])]  # the shared one
    assert [c.value for c in circulating.allows] == ["answer", "remind"]
    assert wf.state("draft").transitions["launch"][0].to == "circulating"
    assert wf.event_title("deadline_passed") == "hết hạn" and wf.terms.verb == "góp ý"


def test_the_shipped_kinds_keep_the_shared_circulating_state_of_round(tmp_path: Path) -> None:
    for name in ("consultation", "proposal_call"):
        wf = load_workflow(DEFINITIONS / f"{name}.yaml", REGISTRY)
        circulating = wf.state("circulating")
        assert [t.name for t in circulating.timers] == ["remind_before", "close"]
        assert set(circulating.transitions) == {"respond", "extend", "remind", "close", "deadline_passed"}
    assert load_workflow(DEFINITIONS / "proposal_call.yaml", REGISTRY).state_title("circulating") == \
        "Đang nhận đề xuất"


@pytest.mark.parametrize(("written", "message"), [
    ('"_nowhere"', "extends: không có tệp _nowhere.yaml trong {folder}, {fixtures}"),
    ('"consultation"', 'extends: phải là tên một phần dùng chung, đặt trong ngoặc kép, ví dụ "_round" (tệp '
                       '_round.yaml), không phải "consultation"'),
    ("5", 'extends: phải là tên một phần dùng chung, đặt trong ngoặc kép, ví dụ "_round" (tệp _round.yaml), '
          "không phải 5"),
])
def test_extends_naming_no_shared_part_is_refused_at_the_extends_line(
        tmp_path: Path, written: str, message: str) -> None:
    kind = tmp_path / "kind.yaml"
    kind.write_text(KIND.replace('extends: "_base"', f"extends: {written}"), encoding="utf-8")
    assert [str(p) for p in validate_file(kind, REGISTRY)] == [
        f"{kind}:3:10: " + message.format(folder=tmp_path, fixtures=FIXTURES)]


def test_a_shared_part_that_extends_another_is_refused_at_its_extends_line(tmp_path: Path) -> None:
    shared_part(tmp_path, name="_inner")
    outer = tmp_path / "_base.yaml"
    outer.write_text('# A shared part over another one\nextends: "_inner"\n', encoding="utf-8")
    (tmp_path / "kind.yaml").write_text(KIND, encoding="utf-8")
    assert [str(p) for p in validate_file(tmp_path / "kind.yaml", REGISTRY)] == [
        f"{outer}:2:10: phần dùng chung không được extends một phần dùng chung khác"]


# --- capabilities, packages, documents ------------------------------------------------------------


def with_allows(*capabilities: str) -> str:
    """VALID_STATES with `allows:` on line 14 (the circulating state)."""
    listed = ", ".join(f'"{c}"' for c in capabilities)
    return VALID_STATES.replace('  title: "Đang lấy ý kiến"\n', f'  title: "Đang lấy ý kiến"\n  allows: [{listed}]\n')


def test_a_capability_that_needs_no_transition_is_accepted() -> None:
    wf = load_workflow_text(tiny(with_allows("answer", "triage")), "tiny.yaml", REGISTRY)
    assert wf.allows("circulating", Capability.TRIAGE) and wf.allows("circulating", Capability.ANSWER)
    assert not wf.allows("draft", Capability.TRIAGE) and not wf.allows("nowhere", Capability.ANSWER)
    assert wf.answering_state() == "circulating"


def test_a_capability_without_its_transitions_is_refused_naming_them() -> None:
    text = tiny(with_allows("answer", "decide"))
    assert problems_in(text) == [
        'tiny.yaml:14:24: trạng thái "circulating" cho phép decide nhưng không có chuyển trạng thái cho '
        "decide_issued, decide_returned: hãy thêm, hoặc bỏ decide"]
    assert source_at(text, 14, 24).startswith('"decide"')
    assert problems_in(tiny(with_allows("extend"))) == [
        'tiny.yaml:14:14: trạng thái "circulating" cho phép extend nhưng không có chuyển trạng thái cho extend: '
        "hãy thêm, hoặc bỏ extend"]


def test_an_unknown_capability_lists_the_allowed_ones() -> None:
    assert problems_in(tiny(with_allows("answer", "approve"))) == [
        "tiny.yaml:14:24: \"approve\" không hợp lệ ở đây; phải là một trong: 'edit', 'launch', 'answer', "
        "'late_answer', 'remind', 'extend', 'triage', 'revise_draft', 'decide', 'revise', 'follow_up', 'tasks', "
        "'next_round'"]


PACKAGE = '  package: { title: "Trình UBND tỉnh", event: "%s", documents: [%s], done: "Đã lập hồ sơ trình." }\n'
DOCUMENTS = """\
documents:
  request_letter:
    title: "Công văn xin ý kiến"
    builder: "%s"
    filename: "cong-van-xin-y-kien.docx"
    states: [%s]
"""
BUILDERS = dataclasses.replace(REGISTRY, builders=frozenset({"request_letter", "synthesis_docx", "submission"}))


def with_package(event: str, documents: str) -> str:
    """VALID_STATES with a package on line 14 (the circulating state)."""
    return VALID_STATES.replace('  title: "Đang lấy ý kiến"\n',
                                '  title: "Đang lấy ý kiến"\n' + PACKAGE % (event, documents))


def test_a_package_names_declared_documents_and_an_event_its_state_handles() -> None:
    text = tiny(with_package("deadline_passed", '"request_letter"')) + \
        DOCUMENTS % ("request_letter", '"circulating", "done"')
    wf = load_workflow_text(text, "tiny.yaml", BUILDERS)
    package = wf.package("circulating")
    assert package is not None and (package.event, package.documents) == ("deadline_passed", ["request_letter"])
    assert wf.package("draft") is None and wf.package("nowhere") is None
    assert list(wf.documents_in("done")) == ["request_letter"] and wf.documents_in("draft") == {}


def test_a_package_with_an_unknown_document_or_an_unhandled_event_is_refused() -> None:
    text = tiny(with_package("submit", '"request_letter", "submision"')) + \
        DOCUMENTS % ("request_letter", '"circulating"')
    assert problems_in(text, registry=BUILDERS) == [
        'tiny.yaml:14:49: sự kiện "submit" của package không có chuyển trạng thái trong trạng thái "circulating"',
        'tiny.yaml:14:89: không có văn bản "submision" (hãy khai báo dưới documents:)',
    ]
    assert source_at(text, 14, 49).startswith('"submit"') and source_at(text, 14, 89).startswith('"submision"')


def test_a_document_with_an_unknown_builder_or_state_is_refused() -> None:
    text = tiny() + DOCUMENTS % ("request_leter", '"circulating", "circulatng"')
    assert problems_in(text, registry=BUILDERS) == [
        'tiny.yaml:29:14: không có bộ dựng văn bản "request_leter" (các bộ dựng có: request_letter, submission, '
        'synthesis_docx). Có phải "request_letter"?',
        'tiny.yaml:31:29: không có trạng thái "circulatng". Có phải "circulating"?',
    ]
    assert source_at(text, 29, 14).startswith('"request_leter"') and source_at(text, 31, 29).startswith('"circulatng"')
    # Without a builder registry only the states are checked.
    assert problems_in(text) == ['tiny.yaml:31:29: không có trạng thái "circulatng". Có phải "circulating"?']


# --- events ----------------------------------------------------------------------------------------


def test_an_undeclared_event_in_a_transition_or_a_timer_is_an_unknown_event() -> None:
    states = VALID_STATES.replace("respond: { effects", "respnd: { effects").replace(
        'event: "deadline_passed"', 'event: "deadline_pased"')
    assert problems_in(tiny(states)) == [
        'tiny.yaml:16:64: không có sự kiện "deadline_pased". Có phải "deadline_passed"?',
        'tiny.yaml:18:7: không có sự kiện "respnd". Có phải "respond"?',
    ]


def test_an_event_nothing_resembles_says_how_to_declare_it() -> None:
    states = VALID_STATES.replace("respond: { effects", "forward_proposals: { effects")
    assert problems_in(tiny(states)) == [
        'tiny.yaml:18:7: không có sự kiện "forward_proposals" (hãy khai báo dưới events: kèm tên gọi, '
        'ví dụ forward_proposals: "...")']
    events = 'events: { forward_proposals: "gửi danh mục đề xuất" }\n'
    declared = tiny(states, HEADER.replace("states:\n", events + "states:\n"))
    wf = load_workflow_text(declared, "tiny.yaml", REGISTRY)
    assert wf.event_title("forward_proposals") == "gửi danh mục đề xuất"
    assert wf.event_title("launch") == "phát hành"  # the kind's events merge with the shared part's


def test_a_definition_without_events_or_terms_is_refused() -> None:
    assert problems_in(tiny().replace(FOOTER, "")) == [
        'tiny.yaml:1:1: thiếu trường "events"', 'tiny.yaml:1:1: thiếu trường "terms"']


@pytest.mark.parametrize("name", ["consultation", "proposal_call"])
def test_shipped_definitions_answer_what_code_asks_them(name: str) -> None:
    from workflows.service.registry import shipped_workflows

    wf = shipped_workflows()[name]
    assert wf.answering_state() == "circulating"
    assert wf.event_title("deadline_passed") == "hết hạn"
    assert wf.event_title("launch") == "phát hành"
    assert wf.event_title("no_such_event") == "no_such_event"
    # a round not sent yet: a consultation's draft is being written ("Dự thảo"), a call has none ("Bản nháp")
    assert wf.state_title("draft") == ("Dự thảo" if wf.needs_draft else "Bản nháp")
    assert wf.state_title("no_such_state") == "no_such_state"
    assert wf.allows("draft", Capability.LAUNCH) and wf.allows("draft", Capability.EDIT)
    assert wf.allows("circulating", Capability.ANSWER) and wf.allows("circulating", Capability.EXTEND)
    assert not wf.allows("circulating", Capability.LAUNCH) and not wf.allows("draft", Capability.ANSWER)
    assert wf.package("circulating") is None
    for state in wf.states:
        assert all(state in doc.states for doc in wf.documents_in(state).values())
    for text in [*wf.events.values(), *(s.title for s in wf.states.values())]:
        assert unicodedata.is_normalized("NFC", text)


def test_the_consultation_submits_from_consolidated_and_records_the_decision() -> None:
    from workflows.service.registry import shipped_workflows

    wf = shipped_workflows()["consultation"]
    assert wf.event_title("submit") == "trình UBND tỉnh" and wf.state_title("submitted") == "Đã trình UBND tỉnh"
    package = wf.package("consolidated")
    assert package is not None and package.title == "Trình UBND tỉnh" and package.event == "submit"
    assert package.documents == ["submission", "revised_draft", "synthesis_docx", "synthesis_xlsx", "unit_list"]
    assert list(wf.documents_in("draft")) == ["request_letter"]
    assert list(wf.documents_in("circulating")) == ["request_letter", "reminder_letter"]
    assert wf.documents_in("consolidated")["submission"].filename == "to-trinh.docx"
    assert wf.allows("submitted", Capability.DECIDE) and wf.allows("returned", Capability.REVISE)
    assert wf.allows("consolidating", Capability.LATE_ANSWER) and wf.allows("consolidating", Capability.TRIAGE)
    assert wf.silence.agreement and wf.silence.possible


def test_the_proposal_call_forwards_proposals_or_reports_that_there_were_none() -> None:
    from workflows.service.registry import shipped_workflows

    wf = shipped_workflows()["proposal_call"]
    reviewing, nothing = wf.package("reviewing"), wf.package("no_proposals")
    assert reviewing is not None and (reviewing.event, reviewing.documents) == \
        ("forward_proposals", ["proposal_list_docx", "proposal_list_xlsx"])
    assert nothing is not None and (nothing.event, nothing.documents) == \
        ("report_submitted", ["zero_response_report", "ministry_reply"])
    assert wf.event_title("forward_proposals") == "gửi danh mục đề xuất"
    assert list(wf.documents_in("no_proposals")) == ["call_letter", "zero_response_report", "ministry_reply"]
    assert wf.allows("reviewing", Capability.LATE_ANSWER) and not wf.allows("reviewing", Capability.DECIDE)
    assert not wf.silence.agreement and not wf.silence.possible


# --- response fields -------------------------------------------------------------------------------


def with_fields(fields: str) -> str:
    return HEADER.replace('{ kind: "comments" }', f'{{ kind: "proposals", fields: [{fields}] }}')


@pytest.mark.parametrize(("field", "message"), [
    ('{ key: "vote", label: "Biểu quyết", kind: "choice", options: ["Đồng ý"] }',
     'trường "vote" là kind "choice": hãy liệt kê ít nhất hai lựa chọn (options)'),
    ('{ key: "vote", label: "Biểu quyết", kind: "choice" }',
     'trường "vote" là kind "choice": hãy liệt kê ít nhất hai lựa chọn (options)'),
    ('{ key: "name", label: "Tên nhiệm vụ", kind: "text", options: ["Có", "Không"] }',
     'trường "name": options chỉ dùng cho kind "choice"'),
    ('{ key: "months", label: "Thời gian thực hiện (tháng)", kind: "months", minimum: 12, maximum: 6 }',
     'trường "months": minimum 12 lớn hơn maximum 6'),
])
def test_a_form_field_that_cannot_be_filled_in_is_refused(field: str, message: str) -> None:
    assert problems_in(tiny(header=with_fields(field))) == [f"tiny.yaml:5:41: {message}"]
    assert source_at(tiny(header=with_fields(field)), 5, 41).startswith(field)


def test_a_whole_number_limit_may_be_written_unquoted() -> None:
    fields = ('{ key: "name", label: "Tên nhiệm vụ", kind: "text", max_length: 500 }, '
              '{ key: "vote", label: "Biểu quyết", kind: "choice", options: ["Đồng ý", "Không đồng ý"] }, '
              '{ key: "months", label: "Số tháng", kind: "months", minimum: 1, maximum: 120 }')
    wf = load_workflow_text(tiny(header=with_fields(fields)), "tiny.yaml", REGISTRY)
    name, vote, months = wf.response.fields
    assert (name.kind, name.max_length) == ("text", 500)
    assert (vote.kind, vote.options) == ("choice", ["Đồng ý", "Không đồng ý"])
    assert (months.minimum, months.maximum) == (1, 120)


def test_an_unknown_field_kind_lists_the_kinds() -> None:
    field = '{ key: "name", label: "Tên", kind: "paragraph" }'
    assert source_at(tiny(header=with_fields(field)), 5, 76).startswith('"paragraph"')
    assert problems_in(tiny(header=with_fields(field))) == [
        "tiny.yaml:5:76: \"paragraph\" không hợp lệ ở đây; phải là một trong: 'text', 'long_text', 'number', "
        "'count', 'money', 'months', 'date', 'email', 'phone', 'choice', 'file'"]


CITING = DOCUMENTS % ("request_letter", '"circulating"') + """\
    numbered: %s
  reminder:
    title: "Công văn đôn đốc"
    builder: "request_letter"
    filename: "cong-van-don-doc.docx"
    states: ["circulating"]
    cites: "%s"
letter: "%s"
"""


def test_a_document_cites_and_the_emails_go_with_a_declared_numbered_document() -> None:
    wf = load_workflow_text(tiny() + CITING % ("true", "request_letter", "request_letter"), "tiny.yaml", BUILDERS)
    assert wf.documents["reminder"].cites == "request_letter" and wf.letter == "request_letter"
    assert wf.documents["request_letter"].cites is None


def test_citing_an_unknown_or_unnumbered_document_is_refused_at_its_line() -> None:
    text = tiny() + CITING % ("false", "request_leter", "reminder")
    assert problems_in(text, registry=BUILDERS) == [
        'tiny.yaml:38:12: không có văn bản "request_leter" (hãy khai báo dưới documents:). '
        'Có phải "request_letter"?',
        'tiny.yaml:39:9: văn bản "reminder" không có số để dẫn chiếu (hãy đặt numbered: true)',
    ]
    assert source_at(text, 38, 12).startswith('"request_leter"') and source_at(text, 39, 9).startswith('"reminder"')
    text = tiny() + CITING % ("false", "request_letter", "request_letter")
    assert problems_in(text, registry=BUILDERS) == [
        'tiny.yaml:38:12: văn bản "request_letter" không có số để dẫn chiếu (hãy đặt numbered: true)',
        'tiny.yaml:39:9: văn bản "request_letter" không có số để dẫn chiếu (hãy đặt numbered: true)',
    ]
    itself = (tiny() + CITING % ("true", "reminder", "request_letter")).replace(
        '    states: ["circulating"]\n    cites', '    numbered: true\n    states: ["circulating"]\n    cites')
    assert problems_in(itself, registry=BUILDERS) == ['tiny.yaml:39:12: văn bản "reminder" không thể dẫn chiếu chính '
                                                      'nó']

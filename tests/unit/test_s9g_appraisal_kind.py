"""A department's fifth kind written from the README alone: "Thẩm định hồ sơ" (tests/fixtures/s9g_appraisal), with
states of its own (preparing, under_appraisal, appraised, result_sent: none of the shipped kinds' circulating or
consolidating), its own letter and its own table of opinions.

It validates clean against the engine's real names, and each mistake an IT person makes writing such a file is
refused with the file, the line and the field: a state misspelled in a transition, a timer under a state that does
not exist, a state or a kind without its Vietnamese title, a timer staff would read by its code, a state declared
twice, a tab, and text typed in decomposed Unicode (NFD), which loads as NFC. Pure: no database.
"""
from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models.audit import AuditEvent
from models.text import lowfirst
from workflows.definition import Workflow, WorkflowError, load_workflow, validate_file
from workflows.definition.schema import Capability
from workflows.service.audit_view import audit_lines
from workflows.service.outbox_view import kind_labels_of
from workflows.service.registry import engine_registry, get_workflow
from workflows.web.pages.timeline import timeline

KIND_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "s9g_appraisal"
KIND = KIND_DIR / "appraisal.yaml"
SHIPPED_STATES = {"draft", "circulating", "consolidating", "consolidated", "submitted", "returned", "issued"}


def appraisal() -> Workflow:
    return load_workflow(KIND, engine_registry())


def variant(tmp_path: Path, old: str, new: str) -> Path:
    """The kind with `old` replaced by `new` once, in a folder of its own with its wording files beside it."""
    text = KIND.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    shutil.copytree(KIND_DIR / "appraisal", tmp_path / "appraisal")
    path = tmp_path / "appraisal.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def problems(path: Path) -> list[str]:
    found = validate_file(path, engine_registry())
    with pytest.raises(WorkflowError):  # using the kind refuses it with the same problems
        load_workflow(path, engine_registry())
    return [str(p) for p in found]


# --- the kind as written ----------------------------------------------------------------------------------------

def test_the_appraisal_kind_validates_clean_with_states_of_its_own() -> None:
    assert validate_file(KIND, engine_registry()) == []
    wf = appraisal()
    assert wf.initial == "preparing" and not set(wf.states) & SHIPPED_STATES
    assert wf.states_allowing(Capability.ANSWER) == ["under_appraisal"]
    assert wf.answering_state() == "under_appraisal"
    assert wf.package("appraised") is not None and wf.package("appraised").documents == ["appraisal_result", "appraisal_opinions"]
    assert wf.final_states() == {"result_sent"}
    assert [t.at.offset for t in wf.state("under_appraisal").timers] == [-2, 0]


def test_every_timer_of_the_kind_reads_in_vietnamese() -> None:
    wf = appraisal()
    assert wf.timer_title("remind_experts") == "Nhắc trước hạn thẩm định"
    assert wf.timer_title("appraisal_due") == "Hết hạn thẩm định"


def test_a_timer_that_fires_an_event_without_a_title_takes_the_events_title(tmp_path: Path) -> None:
    path = variant(tmp_path, 'title: "Hết hạn thẩm định", at: "deadline"', 'at: "deadline"')
    wf = load_workflow(path, engine_registry())
    assert wf.state("under_appraisal").timer("appraisal_due").title is None
    assert wf.timer_title("appraisal_due") == "Hết hạn thẩm định"  # events.deadline_passed, capitalised


# --- mistakes in the YAML ---------------------------------------------------------------------------------------

def test_a_state_misspelled_in_a_transition_names_the_line_and_the_state_meant(tmp_path: Path) -> None:
    path = variant(tmp_path, 'close: { to: "appraised"', 'close: { to: "apraised"')
    line = line_of(path, 'close: { to: "apraised"')
    assert problems(path) == [f'{path}:{line}:20: không có trạng thái "apraised". Có phải "appraised"?']


def test_a_timer_under_a_state_that_does_not_exist_is_refused_at_that_states_line(tmp_path: Path) -> None:
    path = variant(tmp_path, '  appraised:\n    title: "Đã nhận ý kiến thẩm định"\n',
                   '  apraised:\n    timers:\n      - { name: "late_nag", title: "Nhắc sau hạn", '
                   'at: "deadline + 1 working day", effects: ["remind_overdue"] }\n'
                   '  appraised:\n    title: "Đã nhận ý kiến thẩm định"\n')
    line = line_of(path, "  apraised:")
    found = problems(path)
    assert f'{path}:{line}:3: không thể đi tới trạng thái "apraised" từ trạng thái đầu "preparing"' in found
    assert f'{path}:{line}:3: thiếu trường "title"' in found
    assert all(p.startswith(f"{path}:{line}:3: ") for p in found), found


def test_a_state_without_its_title_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = variant(tmp_path, '    title: "Đang thẩm định"\n', "")
    line = line_of(path, "  under_appraisal:")
    assert problems(path) == [f'{path}:{line}:3: thiếu trường "title"']


def test_a_kind_without_its_title_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = variant(tmp_path, 'title: "Thẩm định hồ sơ"\n', "")
    assert problems(path) == [f'{path}:3:1: thiếu trường "title"']


def test_a_reminder_without_a_title_is_refused_so_staff_never_read_its_code(tmp_path: Path) -> None:
    path = variant(tmp_path, 'title: "Nhắc trước hạn thẩm định", ', "")
    line = line_of(path, '{ name: "remind_experts"')
    [problem] = problems(path)
    assert problem.startswith(f'{path}:{line}:9: bộ hẹn giờ "remind_experts" thiếu title: hãy đặt tên tiếng Việt')


def test_a_state_declared_twice_names_both_lines(tmp_path: Path) -> None:
    path = variant(tmp_path, '  result_sent:\n', '  appraised:\n    title: "Trùng"\n    final: true\n  result_sent:\n')
    first, second = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                     if line == "  appraised:"]
    assert problems(path) == [f'{path}:{second}:3: khóa "appraised" bị lặp (đã có ở dòng {first})']


def test_a_tab_in_the_indentation_names_its_line(tmp_path: Path) -> None:
    path = variant(tmp_path, '    allows: ["answer", "remind", "extend"]', '\tallows: ["answer", "remind", "extend"]')
    line = line_of(path, '\tallows: ["answer"')
    [problem] = problems(path)
    assert problem.startswith(f"{path}:{line}:1: lỗi cú pháp YAML: có ký tự tab")


def test_text_typed_in_decomposed_unicode_loads_as_the_composed_form(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Đang thẩm định")
    assert decomposed != "Đang thẩm định"
    path = variant(tmp_path, '"Đang thẩm định"', f'"{decomposed}"')
    assert validate_file(path, engine_registry()) == []
    assert load_workflow(path, engine_registry()).state_title("under_appraisal") == "Đang thẩm định"


# --- what code asks of the definition ---------------------------------------------------------------------------

def test_the_label_of_a_kinds_document_keeps_an_abbreviation() -> None:
    assert lowfirst("Hồ sơ thẩm định") == "hồ sơ thẩm định"
    assert lowfirst("Kế hoạch tổ chức Hội thảo") == "kế hoạch tổ chức Hội thảo"
    assert lowfirst("UBND tỉnh") == "UBND tỉnh" and lowfirst("") == ""


def test_the_audit_names_the_kinds_document_not_a_draft() -> None:
    event = AuditEvent(seq=1, round_id=1, at=datetime(2027, 3, 1, 2, tzinfo=UTC), actor="canbo", action="create",
                       details={"draft_sha256": "ab" * 32, "workflow": "appraisal"}, prev_hash="", hash="x")
    [line] = audit_lines([event], appraisal(), {}, UTC)
    labels = [d.label for d in line.details]
    assert "SHA-256 hồ sơ thẩm định" in labels and "SHA-256 dự thảo" not in labels
    [consultation_line] = audit_lines([event], get_workflow("consultation"), {}, UTC)
    assert "SHA-256 dự thảo" in [d.label for d in consultation_line.details]


def test_the_outbox_filter_offers_the_mail_of_assigned_tasks_only_to_a_kind_that_assigns_them() -> None:
    offered = kind_labels_of(appraisal())
    assert "Đôn đốc nhiệm vụ được giao" not in offered.values()
    assert {"invitation", "reminder_before", "receipt"} <= set(offered)
    assert "Đôn đốc nhiệm vụ được giao" in kind_labels_of(get_workflow("workshop")).values()


def test_the_readme_tells_how_to_write_states_of_ones_own_with_every_name_ykien_registers() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("### A kind with states of its own")
    section = readme[start:readme.index("\n## ", start)]
    registry = engine_registry()
    named = set(re.findall(r"`([a-z_]+)`", section))
    assert registry.effects <= named and registry.guards <= named, sorted((registry.effects | registry.guards) - named)
    assert "tests/fixtures/s9g_appraisal/" in section and KIND.is_file()
    for timer in appraisal().state("under_appraisal").timers:  # the example timers are the fixture's
        assert f'name: "{timer.name}", title: "{timer.title}", at: "{timer.at}"' in " ".join(section.split())


def test_a_new_version_of_the_dossier_is_told_in_the_kinds_word_in_the_audit_and_the_timeline() -> None:
    event = AuditEvent(seq=2, round_id=1, at=datetime(2027, 3, 2, 2, tzinfo=UTC), actor="canbo",
                       action="draft_uploaded", details={"version": 2, "file": "ho-so-v2.docx"}, prev_hash="", hash="y")
    [line] = audit_lines([event], appraisal(), {}, UTC)
    assert line.action == "tải lên hồ sơ thẩm định"
    assert audit_lines([event], get_workflow("consultation"), {}, UTC)[0].action == "tải lên dự thảo"
    [entry] = timeline([event], {}, appraisal())
    assert "Tải lên hồ sơ thẩm định phiên bản 2: ho-so-v2.docx" in str(entry)


def test_an_edit_of_a_draft_round_is_told_in_staffs_words_never_by_its_columns() -> None:
    event = AuditEvent(seq=2, round_id=1, at=datetime(2027, 3, 2, 2, tzinfo=UTC), actor="canbo",
                       action="round_edited", details={"changed": ["draft_filename", "draft_sha256", "subject",
                                                                   "title", "deadline"], "recipients": 3},
                       prev_hash="", hash="z")
    [line] = audit_lines([event], appraisal(), {}, UTC)
    assert {d.label: d.value for d in line.details}["thông tin đã đổi"] == (
        "tệp hồ sơ thẩm định, trích yếu, tên hồ sơ thẩm định, hạn trả lời")
    [consultation_line] = audit_lines([event], get_workflow("consultation"), {}, UTC)
    assert {d.label: d.value for d in consultation_line.details}["thông tin đã đổi"] == (
        "tệp dự thảo, trích yếu, tên dự thảo, hạn trả lời")

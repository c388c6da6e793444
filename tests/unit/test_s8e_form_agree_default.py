"""A form kind (`response.kind: "proposals"`) takes no answer without forms unless it says so, and when it says so
it names that answer (terms.agreed), refused at load with file:line:col otherwise: a department's form never gains
an "agree" worded for a consultation ("Đồng ý / không có ý kiến"). Comments keep "agree" by default."""
from __future__ import annotations

from pathlib import Path

from test_workflow_validation import HEADER, REGISTRY, problems_in, source_at, tiny

from workflows.definition import load_workflow, load_workflow_text
from workflows.service.registry import engine_registry

ROOT = Path(__file__).resolve().parents[2]
FORM = '{ kind: "proposals", %sfields: [{ key: "task", label: "Nhiệm vụ" }] }'


def form_kind(agree: str = "", agreed: str = "") -> str:
    text = tiny(header=HEADER.replace('{ kind: "comments" }', FORM % agree))
    return text + (f'terms:\n  agreed: "{agreed}"\n' if agreed else "")


def test_a_form_left_silent_takes_no_answer_without_forms_and_comments_still_do() -> None:
    assert load_workflow_text(form_kind(), "tiny.yaml", REGISTRY).response.allow_agree is False
    assert load_workflow_text(tiny(), "tiny.yaml", REGISTRY).response.allow_agree is True
    kind = load_workflow(ROOT / "tests" / "fixtures" / "kinds" / "survey_grace.yaml", engine_registry())
    assert kind.response.allow_agree is False  # the department's kind in the fixtures says nothing of it


def test_a_form_that_takes_it_must_name_it_at_its_line() -> None:
    text = form_kind("allow_agree: true, ")
    [problem] = problems_in(text)
    where, message = problem.split(": ", 1)
    _, line, column = where.split(":")
    assert source_at(text, int(line), int(column)).startswith("allow_agree: true")
    assert message.startswith("allow_agree: true với phiếu (kind \"proposals\") cần terms.agreed")
    named = load_workflow_text(form_kind("allow_agree: true, ", "Không có nhu cầu"), "tiny.yaml", REGISTRY)
    assert (named.response.allow_agree, named.terms.agreed) == (True, "Không có nhu cầu")
